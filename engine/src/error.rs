//! The engine's error type.
//!
//! Every fallible operation in `dynacore` returns [`Result`]. Errors say what
//! was wrong in words a user can act on: I/O errors carry the operation and the
//! path, corruption carries the file and byte offset, validation errors carry
//! DynamoDB-style messages. Bytes from disk never reach an assertion; they reach
//! [`Error::Corruption`].

use std::path::{Path, PathBuf};

/// Shorthand for `std::result::Result<T, dynacore::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system I/O call failed.
    #[error("I/O error during {op} on {path}: {source}")]
    Io {
        /// The operation that failed, e.g. `"fdatasync"`.
        op: &'static str,
        /// The file or directory it was applied to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Bytes read from disk failed a checksum or did not decode.
    #[error("corruption in {file} at byte offset {offset}: {reason}")]
    Corruption {
        /// The file holding the bad bytes.
        file: PathBuf,
        /// Byte offset of the bad record or block within that file.
        offset: u64,
        /// What was wrong.
        reason: String,
    },

    /// A durable write (an fsync) failed earlier; the shard no longer accepts
    /// writes because the state of its files is unknown. Reopen the database
    /// to recover from what was made durable.
    #[error("shard is read-only after a failed write: {reason}; reopen the database to recover")]
    Poisoned {
        /// The failure that poisoned the shard.
        reason: String,
    },

    /// The request is malformed: DynamoDB's `ValidationException`.
    #[error("ValidationException: {0}")]
    Validation(String),

    /// The named table does not exist: DynamoDB's `ResourceNotFoundException`.
    #[error("ResourceNotFoundException: Requested resource not found: Table: {0} not found")]
    TableNotFound(String),

    /// A table of that name already exists: DynamoDB's `ResourceInUseException`.
    #[error("ResourceInUseException: Table already exists: {0}")]
    TableAlreadyExists(String),

    /// A ConditionExpression evaluated to false: DynamoDB's
    /// `ConditionalCheckFailedException`. Nothing was changed. `item` holds
    /// the item as it was when the request asked for it
    /// (`ReturnValuesOnConditionCheckFailure = ALL_OLD`) and one existed.
    #[error("ConditionalCheckFailedException: The conditional request failed")]
    ConditionalCheckFailed {
        /// The item the condition was evaluated against, if asked for.
        item: Option<Box<crate::model::Item>>,
    },

    /// The database directory is in use by another process.
    #[error("database directory {path} is locked by another process")]
    Locked {
        /// The database directory.
        path: PathBuf,
    },

    /// A shard is at one of its limits (request queue, writes waiting for the
    /// next group commit) and stayed there for the whole wait bound. Nothing
    /// was changed; retry after backing off. The DynamoDB API reports it as
    /// `ThrottlingException`.
    #[error(
        "ThrottlingException: shard {shard} is busy ({what}); nothing was changed, retry later"
    )]
    Busy {
        /// The shard that was at its limit.
        shard: u16,
        /// Which limit.
        what: &'static str,
    },

    /// Shard-local code ([`crate::shard::ShardLocal`]) touched a key that
    /// another shard owns; send the work there with `ShardLocal::send_to`.
    #[error("the key belongs to shard {key_shard}, not to shard {shard} where this code runs")]
    WrongShard {
        /// The shard owning the key.
        key_shard: u16,
        /// The shard the code runs on.
        shard: u16,
    },

    /// A task given to `Db::run_on_shard` panicked; the shard caught it
    /// and keeps running.
    #[error("the task run on shard {shard} panicked: {message}")]
    TaskPanicked {
        /// The shard it ran on.
        shard: u16,
        /// The panic's message, if it was a string.
        message: String,
    },

    /// The database options are inconsistent or unusable.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
}

impl Error {
    /// An [`Error::Io`] for `op` applied to `path`.
    pub fn io(op: &'static str, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }

    /// An [`Error::Corruption`] at `offset` in `file`.
    pub fn corruption(file: &Path, offset: u64, reason: impl Into<String>) -> Self {
        Error::Corruption {
            file: file.to_path_buf(),
            offset,
            reason: reason.into(),
        }
    }

    /// A DynamoDB `ValidationException` with the given message.
    pub fn validation(message: impl Into<String>) -> Self {
        Error::Validation(message.into())
    }

    /// Whether retrying the same request later may succeed ([`Error::Busy`]).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Busy { .. })
    }

    /// A copy of this error for each writer of a group commit that failed as
    /// a whole (`Error` is not `Clone` because `std::io::Error` is not). An
    /// I/O error keeps its kind and message.
    pub fn duplicate(&self) -> Error {
        match self {
            Error::Io { op, path, source } => Error::Io {
                op,
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            Error::Corruption {
                file,
                offset,
                reason,
            } => Error::Corruption {
                file: file.clone(),
                offset: *offset,
                reason: reason.clone(),
            },
            Error::Poisoned { reason } => Error::Poisoned {
                reason: reason.clone(),
            },
            Error::Validation(m) => Error::Validation(m.clone()),
            Error::TableNotFound(m) => Error::TableNotFound(m.clone()),
            Error::TableAlreadyExists(m) => Error::TableAlreadyExists(m.clone()),
            Error::ConditionalCheckFailed { item } => {
                Error::ConditionalCheckFailed { item: item.clone() }
            }
            Error::Locked { path } => Error::Locked { path: path.clone() },
            Error::Busy { shard, what } => Error::Busy {
                shard: *shard,
                what,
            },
            Error::WrongShard { key_shard, shard } => Error::WrongShard {
                key_shard: *key_shard,
                shard: *shard,
            },
            Error::TaskPanicked { shard, message } => Error::TaskPanicked {
                shard: *shard,
                message: message.clone(),
            },
            Error::InvalidConfig(m) => Error::InvalidConfig(m.clone()),
        }
    }

    /// Whether this error reports corrupt on-disk data.
    pub fn is_corruption(&self) -> bool {
        matches!(self, Error::Corruption { .. })
    }
}
