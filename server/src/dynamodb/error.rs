//! [`DynamoError`]: an error as the DynamoDB JSON API answers it, a type
//! name, a message and an HTTP status; made here for requests this layer
//! refuses, or from the engine's [`ErrorReply`] for everything else.

use dynacore::Item;
use serde_json::{Map, Value, json};

use crate::json::item_to_json;
use crate::protocol::{ErrorCode, ErrorReply};

use super::messages;

/// One DynamoDB error reply.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamoError {
    /// DynamoDB's name, the `__type` suffix (`ValidationException`).
    pub type_name: &'static str,
    pub message: String,
    /// The HTTP status: 400 for the client's errors, 413, 500, 503.
    pub status: u16,
    /// ConditionalCheckFailedException with
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD`: the item as it was.
    pub item: Option<Item>,
}

impl DynamoError {
    fn client(type_name: &'static str, message: impl Into<String>) -> Self {
        DynamoError {
            type_name,
            message: message.into(),
            status: 400,
            item: None,
        }
    }

    /// `ValidationException` (400).
    pub fn validation(message: impl Into<String>) -> Self {
        DynamoError::client("ValidationException", message)
    }

    /// `SerializationException` (400): the body's JSON is not the shape
    /// the operation takes.
    pub fn serialization(message: impl Into<String>) -> Self {
        DynamoError::client("SerializationException", message)
    }

    /// `UnknownOperationException` (400).
    pub fn unknown_operation(operation: &str) -> Self {
        DynamoError::client(
            "UnknownOperationException",
            messages::unknown_operation(operation),
        )
    }

    /// `ResourceNotFoundException` (400).
    pub fn resource_not_found(message: impl Into<String>) -> Self {
        DynamoError::client("ResourceNotFoundException", message)
    }

    /// `InternalServerError` (500).
    pub fn internal(message: impl Into<String>) -> Self {
        DynamoError {
            type_name: "InternalServerError",
            message: message.into(),
            status: 500,
            item: None,
        }
    }

    /// An error of another type (authentication's), with its status.
    pub fn other(type_name: &'static str, message: impl Into<String>, status: u16) -> Self {
        DynamoError {
            type_name,
            message: message.into(),
            status,
            item: None,
        }
    }

    /// The DynamoDB error for an engine's error reply.
    pub fn from_engine(reply: &ErrorReply) -> Self {
        let status = match reply.code {
            ErrorCode::Internal => 500,
            ErrorCode::ShuttingDown => 503,
            ErrorCode::FrameTooLarge => 413,
            _ => 400,
        };
        DynamoError {
            type_name: reply.code.dynamodb_name(),
            message: reply.message.clone(),
            status,
            item: match reply.code {
                ErrorCode::ConditionalCheckFailed => reply.item.clone(),
                _ => None,
            },
        }
    }

    /// The error body: `{"__type": "com.amazonaws.dynamodb.v20120810#Name",
    /// "message": ...}`, with `Item` for a failed condition that has one.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        // DynamoDB's front end answers authentication errors under the
        // service framework's namespace, not the API's.
        let prefix = match self.type_name {
            "MissingAuthenticationTokenException"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "IncompleteSignatureException" => messages::AUTH_TYPE_PREFIX,
            _ => messages::TYPE_PREFIX,
        };
        out.insert(
            "__type".into(),
            json!(format!("{prefix}{}", self.type_name)),
        );
        out.insert("message".into(), json!(self.message));
        if let Some(item) = &self.item {
            out.insert("Item".into(), item_to_json(item));
        }
        Value::Object(out)
    }
}

impl std::fmt::Display for DynamoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.type_name, self.message)
    }
}

impl std::error::Error for DynamoError {}
