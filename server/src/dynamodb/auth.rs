//! `--auth FILE`: the DynamoDB API's signature check, built from a file of
//! access key / secret pairs (the format is `crate::http::sigv4`'s:
//! `ACCESS_KEY_ID SECRET_ACCESS_KEY` per line, `#` comments).

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use super::error::DynamoError;
use super::service::Authenticate;
use crate::http::sigv4::{self, Credentials};

/// The check for the credentials in `path`.
#[allow(clippy::disallowed_methods)] // A config file, read once at startup.
pub fn from_file(path: &Path) -> anyhow::Result<Box<Authenticate>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the credentials file {}", path.display()))?;
    let credentials = Credentials::parse(&text)
        .map_err(|e| anyhow::anyhow!("credentials file {}: {e}", path.display()))?;
    Ok(checker(credentials))
}

/// The check for `credentials`, against the wall clock.
pub fn checker(credentials: Credentials) -> Box<Authenticate> {
    let credentials = Arc::new(credentials);
    Box::new(move |request| {
        // The signature's date is checked against the wall clock (AWS
        // allows 15 minutes of skew); a clock before 1970 reads as 0.
        let now_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        sigv4::verify(request, &credentials, now_unix)
            .map_err(|e| DynamoError::other(e.type_name(), e.message(), e.status()))
    })
}
