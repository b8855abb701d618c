//! Error replies: a typed code, DynamoDB's error name for it, a message,
//! and for a failed condition the item as it was (when asked for).
//!
//! Body of an error frame (flags has `FLAG_ERROR`):
//!
//! ```text
//! u16 LE   code            (ErrorCode)
//! string   message         (u32 LE length + UTF-8)
//! option   item            (u8 0 | 1 then an item; only ConditionalCheckFailed)
//! ```

use dynacore::{Error, Item};

/// Typed error codes. The numbers are the protocol; never reuse one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ErrorCode {
    /// The request broke one of DynamoDB's rules (`ValidationException`).
    Validation = 1,
    /// No such table (`ResourceNotFoundException`).
    ResourceNotFound = 2,
    /// The table already exists (`ResourceInUseException`).
    ResourceInUse = 3,
    /// A ConditionExpression did not hold (`ConditionalCheckFailedException`).
    ConditionalCheckFailed = 4,
    /// A shard or the server is too busy; nothing changed, retry later
    /// (`ThrottlingException`).
    Throttling = 5,
    /// The engine failed (I/O, corruption, a shard stopped after a failed
    /// sync); the message says why (`InternalServerError`).
    Internal = 6,
    /// The frame or its body could not be decoded (`SerializationException`).
    /// The server closes the connection after sending it when the stream
    /// can no longer be trusted (a bad header).
    Malformed = 7,
    /// The opcode is not one this server knows (`UnknownOperationException`).
    UnknownOperation = 8,
    /// The protocol version is not spoken here; the connection is closed.
    UnsupportedVersion = 9,
    /// The frame's body is larger than the server's limit; the connection
    /// is closed (`RequestEntityTooLarge`).
    FrameTooLarge = 10,
    /// The server is shutting down and takes no new requests.
    ShuttingDown = 11,
    /// The connection is past its in-flight limit or the server its
    /// connection limit.
    TooManyRequests = 12,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 12] = [
        ErrorCode::Validation,
        ErrorCode::ResourceNotFound,
        ErrorCode::ResourceInUse,
        ErrorCode::ConditionalCheckFailed,
        ErrorCode::Throttling,
        ErrorCode::Internal,
        ErrorCode::Malformed,
        ErrorCode::UnknownOperation,
        ErrorCode::UnsupportedVersion,
        ErrorCode::FrameTooLarge,
        ErrorCode::ShuttingDown,
        ErrorCode::TooManyRequests,
    ];

    pub fn from_u16(code: u16) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| *c as u16 == code)
    }

    /// DynamoDB's name for this error (the JSON API's `__type` suffix).
    pub fn dynamodb_name(self) -> &'static str {
        match self {
            ErrorCode::Validation => "ValidationException",
            ErrorCode::ResourceNotFound => "ResourceNotFoundException",
            ErrorCode::ResourceInUse => "ResourceInUseException",
            ErrorCode::ConditionalCheckFailed => "ConditionalCheckFailedException",
            ErrorCode::Throttling => "ThrottlingException",
            ErrorCode::Internal => "InternalServerError",
            ErrorCode::Malformed => "SerializationException",
            ErrorCode::UnknownOperation => "UnknownOperationException",
            ErrorCode::UnsupportedVersion => "UnsupportedProtocolVersion",
            ErrorCode::FrameTooLarge => "RequestEntityTooLarge",
            ErrorCode::ShuttingDown => "ServiceUnavailable",
            ErrorCode::TooManyRequests => "ThrottlingException",
        }
    }

    /// Whether the same request may succeed if sent again later.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::Throttling | ErrorCode::TooManyRequests | ErrorCode::ShuttingDown
        )
    }
}

/// The body of an error frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReply {
    pub code: ErrorCode,
    pub message: String,
    /// The item as it was, for `ConditionalCheckFailed` with
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD`.
    pub item: Option<Item>,
}

impl ErrorReply {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorReply {
            code,
            message: message.into(),
            item: None,
        }
    }

    /// The reply for an engine error. The message is the engine's own text
    /// without the `SomethingException: ` prefix, which the code carries.
    pub fn from_engine(error: Error) -> Self {
        let code = match &error {
            Error::Validation(_) => ErrorCode::Validation,
            Error::TableNotFound(_) => ErrorCode::ResourceNotFound,
            Error::TableAlreadyExists(_) => ErrorCode::ResourceInUse,
            Error::ConditionalCheckFailed { .. } => ErrorCode::ConditionalCheckFailed,
            Error::Busy { .. } => ErrorCode::Throttling,
            _ => ErrorCode::Internal,
        };
        let text = error.to_string();
        let prefix = format!("{}: ", code.dynamodb_name());
        let message = text.strip_prefix(&prefix).unwrap_or(&text).to_owned();
        let item = match error {
            Error::ConditionalCheckFailed { item } => item.map(|boxed| *boxed),
            _ => None,
        };
        ErrorReply {
            code,
            message,
            item,
        }
    }
}

impl std::fmt::Display for ErrorReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.dynamodb_name(), self.message)
    }
}

impl std::error::Error for ErrorReply {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_to_codes_and_lose_their_prefix() {
        let reply = ErrorReply::from_engine(Error::validation("bad key"));
        assert_eq!(reply.code, ErrorCode::Validation);
        assert_eq!(reply.message, "bad key");
        let reply = ErrorReply::from_engine(Error::TableNotFound("t".into()));
        assert_eq!(reply.code, ErrorCode::ResourceNotFound);
        assert_eq!(
            reply.message,
            "Requested resource not found: Table: t not found"
        );
        let reply = ErrorReply::from_engine(Error::ConditionalCheckFailed { item: None });
        assert_eq!(reply.code, ErrorCode::ConditionalCheckFailed);
        assert_eq!(reply.message, "The conditional request failed");
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_u16(code as u16), Some(code));
        }
    }
}
