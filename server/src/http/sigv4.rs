//! AWS Signature Version 4 verification for the DynamoDB JSON API (issue 7):
//! [`verify`] checks a parsed [`Request`]'s `Authorization` header against
//! the access keys of the server's `--auth FILE`, the way DynamoDB does, and
//! says what is wrong in DynamoDB's own error names and texts (kept in
//! [`crate::dynamodb::messages`]).
//!
//! Pure and socket-free like the rest of `http`: the current time comes in
//! as an argument, so whichever core calls [`verify`] owns nothing here and
//! tests can set the clock.
//!
//! # The `--auth` file
//!
//! One access key per line, `ACCESS_KEY_ID SECRET_ACCESS_KEY`, the two
//! separated by spaces or tabs (the only format; there is no `ID:SECRET`
//! form). Blank lines and lines whose first non-blank character is `#` are
//! ignored; a `#` later in a line is part of the secret. An access key id is
//! visible ASCII other than `/` and `,` (which would break the credential
//! scope); a secret is any run of non-whitespace. An id may appear once, and
//! the file must hold at least one key. [`Credentials::parse`] names the
//! line of the first problem and never echoes a secret.
//!
//! ```text
//! # dynacore access keys
//! AKIDEXAMPLE  wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
//! ```
//!
//! # What is checked, in DynamoDB's order
//!
//! An `AWS4-` `Authorization` header; its `key=value` items and the
//! `Credential`, `Signature` and `SignedHeaders` among them; a date (from
//! `X-Amz-Date`, else `Date`, as `20150830T123600Z` or `Date`'s usual
//! `Sun, 30 Aug 2015 12:36:00 GMT`) within 15 minutes of now either way;
//! `host` among the signed headers; the `AWS4-HMAC-SHA256` algorithm; a
//! credential `keyid/date/region/service/aws4_request` whose date is the
//! request's (any region and service are accepted: a dynacore endpoint is
//! reached under any region name); a known access key; an
//! `X-Amz-Content-Sha256`, when sent, equal to the body's hash; and last the
//! signature itself, compared in constant time.
//!
//! Not supported: query-string (presigned) signatures, SigV4a, and session
//! tokens as such. dynacore has no STS: an `X-Amz-Security-Token` is
//! covered by the signature like any header when the client signs it (SDKs
//! do), and otherwise ignored; the access key must be in the file either way.
//!
//! Bounded work: every input is a header of at most 16 KiB or the body
//! (hashed once); a name may appear once in `SignedHeaders`, so the
//! canonical request is at most about three times the request head.

use std::collections::HashMap;
use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::Request;
use crate::dynamodb::messages;
use canonical::{canonical_request, decode_hex_32, hex};
use time::{basic_time, parse_basic_time, parse_http_date};

mod canonical;
mod time;

type HmacSha256 = Hmac<Sha256>;

/// The only algorithm DynamoDB accepts.
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The last element of every credential scope.
const SCOPE_TERMINATOR: &str = "aws4_request";
/// How far a request's date may be from now, either way (DynamoDB's 15
/// minutes; most other services allow 5).
pub const CLOCK_SKEW_SECONDS_MAX: i64 = 15 * 60;

/// Access key id -> secret access key, loaded from the `--auth FILE` (format
/// in the module docs). `Debug` shows only how many keys there are.
pub struct Credentials {
    secrets: HashMap<String, String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Credentials")
            .field("access_key_count", &self.secrets.len())
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Parses the `--auth` file: one `ACCESS_KEY_ID SECRET_ACCESS_KEY` pair
    /// per line, whitespace between them; blank lines and `#` comment lines
    /// ignored. Errors name the 1-based line (`line 3: ...`); a file with
    /// no pair, or an id given twice, is an error.
    pub fn parse(text: &str) -> Result<Credentials, String> {
        let mut secrets = HashMap::new();
        let mut line_of: HashMap<&str, usize> = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split_whitespace();
            let (Some(id), Some(secret), None) = (fields.next(), fields.next(), fields.next())
            else {
                return Err(format!(
                    "line {line_number}: expected `ACCESS_KEY_ID SECRET_ACCESS_KEY`, two fields"
                ));
            };
            if !id
                .bytes()
                .all(|byte| byte.is_ascii_graphic() && byte != b'/' && byte != b',')
            {
                return Err(format!(
                    "line {line_number}: an access key id is visible ASCII without '/' or ','"
                ));
            }
            if let Some(first) = line_of.insert(id, line_number) {
                return Err(format!(
                    "line {line_number}: access key id {id} was already given on line {first}"
                ));
            }
            secrets.insert(id.to_owned(), secret.to_owned());
        }
        if secrets.is_empty() {
            return Err("no `ACCESS_KEY_ID SECRET_ACCESS_KEY` line".to_owned());
        }
        Ok(Credentials { secrets })
    }

    /// How many access keys there are.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// Never true for parsed credentials (an empty file is refused).
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }
}

/// Why a request's signature was refused. [`AuthError::type_name`] and
/// [`AuthError::message`] are what DynamoDB answers for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// No `Authorization` header, or one that is not `AWS4-...`.
    MissingAuthenticationToken,
    /// Signed in the query string and in the header at once.
    BothQueryAndHeader,
    /// More than one `Authorization` header.
    MultipleAuthorizationHeaders,
    /// An item of the header without `=`.
    NotKeyValuePair { item: String, authorization: String },
    /// Some of `Credential`, `Signature`, `SignedHeaders` and a date header
    /// are missing (each flag says whether that one is).
    MissingComponents {
        credential: bool,
        signature: bool,
        signed_headers: bool,
        date: bool,
        authorization: String,
    },
    /// The date header is not a date in a form AWS accepts.
    MalformedDate { value: String },
    /// The request's date is more than 15 minutes before `now_unix`.
    Expired { request_unix: i64, now_unix: i64 },
    /// The request's date is more than 15 minutes after `now_unix`.
    NotYetCurrent { request_unix: i64, now_unix: i64 },
    /// `host` is not in `SignedHeaders`.
    HostNotSigned,
    /// A name appears twice in `SignedHeaders`.
    DuplicateSignedHeader { name: String },
    /// An algorithm other than AWS4-HMAC-SHA256.
    UnsupportedAlgorithm { algorithm: String },
    /// `Credential` is not five `/`-separated elements.
    MalformedCredential { credential: String },
    /// The scope's terminator (when `Some`) or date (when `scope_date` is
    /// `Some`) is wrong; `request_time` is the request's ISO 8601 time.
    ScopeMismatch {
        terminator: Option<String>,
        scope_date: Option<String>,
        request_time: String,
    },
    /// The access key id is not in the `--auth` file.
    UnknownAccessKey { access_key_id: String },
    /// `X-Amz-Content-Sha256` is not the hex SHA-256 of the body.
    ContentSha256Mismatch,
    /// The signature is not the one computed; the two strings are what the
    /// client should have signed (DynamoDB shows them in its message).
    SignatureMismatch {
        canonical_request: String,
        string_to_sign: String,
    },
}

impl AuthError {
    /// DynamoDB's error type name for this refusal.
    pub fn type_name(&self) -> &'static str {
        match self {
            AuthError::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            AuthError::UnknownAccessKey { .. } => "UnrecognizedClientException",
            AuthError::MultipleAuthorizationHeaders
            | AuthError::NotKeyValuePair { .. }
            | AuthError::MissingComponents { .. }
            | AuthError::MalformedDate { .. }
            | AuthError::DuplicateSignedHeader { .. }
            | AuthError::UnsupportedAlgorithm { .. }
            | AuthError::MalformedCredential { .. } => "IncompleteSignatureException",
            AuthError::BothQueryAndHeader
            | AuthError::Expired { .. }
            | AuthError::NotYetCurrent { .. }
            | AuthError::HostNotSigned
            | AuthError::ScopeMismatch { .. }
            | AuthError::ContentSha256Mismatch
            | AuthError::SignatureMismatch { .. } => "InvalidSignatureException",
        }
    }

    /// DynamoDB's message text for this refusal.
    pub fn message(&self) -> String {
        match self {
            AuthError::MissingAuthenticationToken => {
                messages::MISSING_AUTHENTICATION_TOKEN.to_owned()
            }
            AuthError::BothQueryAndHeader => messages::BOTH_QUERY_AND_HEADER.to_owned(),
            AuthError::MultipleAuthorizationHeaders => {
                messages::MULTIPLE_AUTHORIZATION_HEADERS.to_owned()
            }
            AuthError::NotKeyValuePair {
                item,
                authorization,
            } => messages::not_a_key_value_pair(item, authorization),
            AuthError::MissingComponents {
                credential,
                signature,
                signed_headers,
                date,
                authorization,
            } => {
                let mut text = String::new();
                let parameters = [
                    (credential, "Credential"),
                    (signature, "Signature"),
                    (signed_headers, "SignedHeaders"),
                ];
                for (_, name) in parameters.iter().filter(|(missing, _)| **missing) {
                    text.push_str(&messages::authorization_requires(name));
                }
                if *date {
                    text.push_str(messages::AUTHORIZATION_REQUIRES_DATE);
                }
                text + &messages::authorization_echo(authorization)
            }
            AuthError::MalformedDate { value } => messages::date_not_basic_format(value),
            AuthError::Expired {
                request_unix,
                now_unix,
            } => messages::signature_expired(
                &basic_time(*request_unix),
                &basic_time(now_unix.saturating_sub(CLOCK_SKEW_SECONDS_MAX)),
                &basic_time(*now_unix),
            ),
            AuthError::NotYetCurrent {
                request_unix,
                now_unix,
            } => messages::signature_not_yet_current(
                &basic_time(*request_unix),
                &basic_time(now_unix.saturating_add(CLOCK_SKEW_SECONDS_MAX)),
                &basic_time(*now_unix),
            ),
            AuthError::HostNotSigned => messages::HOST_NOT_SIGNED.to_owned(),
            AuthError::DuplicateSignedHeader { name } => messages::duplicate_signed_header(name),
            AuthError::UnsupportedAlgorithm { algorithm } => {
                messages::unsupported_algorithm(algorithm)
            }
            AuthError::MalformedCredential { credential } => {
                messages::credential_not_five_elements(credential)
            }
            AuthError::ScopeMismatch {
                terminator,
                scope_date,
                request_time,
            } => {
                let mut text = terminator
                    .as_deref()
                    .map(messages::scope_terminator)
                    .unwrap_or_default();
                if let Some(scope_date) = scope_date {
                    let request_day = request_time.get(..8).unwrap_or(request_time);
                    text += &messages::scope_date(scope_date, request_day, request_time);
                }
                text
            }
            AuthError::UnknownAccessKey { .. } => messages::UNRECOGNIZED_CLIENT.to_owned(),
            AuthError::ContentSha256Mismatch => messages::CONTENT_SHA256_MISMATCH.to_owned(),
            AuthError::SignatureMismatch {
                canonical_request,
                string_to_sign,
            } => messages::signature_mismatch(canonical_request, string_to_sign),
        }
    }

    /// The HTTP status: DynamoDB answers every authentication failure 400.
    pub fn status(&self) -> u16 {
        400
    }
}

/// Verifies `request`'s SigV4 `Authorization` header against `credentials`.
/// `now_unix` is the current time in seconds since the epoch; the request's
/// date may be up to [`CLOCK_SKEW_SECONDS_MAX`] away from it either way.
/// `request.body` must be the body as sent (before any gzip decoding): the
/// signature covers those bytes. Never panics; the work is bounded by the
/// size of the request head plus one hash of the body.
pub fn verify(
    request: &Request,
    credentials: &Credentials,
    now_unix: u64,
) -> Result<(), AuthError> {
    let headers = &request.headers;
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let mut authorizations = headers.get_all("authorization");
    let Some(authorization) = authorizations.next() else {
        return Err(AuthError::MissingAuthenticationToken);
    };
    if query
        .split('&')
        .any(|item| item.split('=').next() == Some("X-Amz-Algorithm"))
    {
        return Err(AuthError::BothQueryAndHeader);
    }
    if authorizations.next().is_some() {
        return Err(AuthError::MultipleAuthorizationHeaders);
    }
    if !authorization.starts_with("AWS4-") {
        return Err(AuthError::MissingAuthenticationToken);
    }

    // The items of `ALGORITHM Credential=..., SignedHeaders=..., Signature=...`;
    // the first of a repeated key wins.
    let mut items = authorization
        .split([',', ' ', '\t'])
        .filter(|item| !item.is_empty());
    let algorithm = items.next().unwrap_or_default();
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for item in items {
        let Some((key, value)) = item.split_once('=') else {
            return Err(AuthError::NotKeyValuePair {
                item: item.to_owned(),
                authorization: authorization.to_owned(),
            });
        };
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        slot.get_or_insert(value);
    }
    let date_value = headers.get("x-amz-date").or_else(|| headers.get("date"));
    let credential = credential.filter(|value| !value.is_empty());
    let signature = signature.filter(|value| !value.is_empty());
    let (Some(credential), Some(signature), Some(signed_headers), Some(date_value)) =
        (credential, signature, signed_headers, date_value)
    else {
        return Err(AuthError::MissingComponents {
            credential: credential.is_none(),
            signature: signature.is_none(),
            signed_headers: signed_headers.is_none(),
            date: date_value.is_none(),
            authorization: authorization.to_owned(),
        });
    };

    let Some(request_unix) = parse_basic_time(date_value).or_else(|| parse_http_date(date_value))
    else {
        return Err(AuthError::MalformedDate {
            value: date_value.to_owned(),
        });
    };
    let now_unix = i64::try_from(now_unix).unwrap_or(i64::MAX);
    if request_unix < now_unix.saturating_sub(CLOCK_SKEW_SECONDS_MAX) {
        return Err(AuthError::Expired {
            request_unix,
            now_unix,
        });
    }
    if request_unix > now_unix.saturating_add(CLOCK_SKEW_SECONDS_MAX) {
        return Err(AuthError::NotYetCurrent {
            request_unix,
            now_unix,
        });
    }
    let request_time = basic_time(request_unix);

    let signed_names: Vec<String> = signed_headers
        .split(';')
        .map(str::to_ascii_lowercase)
        .collect();
    if !signed_names.iter().any(|name| name == "host") {
        return Err(AuthError::HostNotSigned);
    }
    let mut sorted_names: Vec<&str> = signed_names.iter().map(String::as_str).collect();
    sorted_names.sort_unstable();
    if let Some(pair) = sorted_names.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(AuthError::DuplicateSignedHeader {
            name: pair[0].to_owned(),
        });
    }

    if algorithm != ALGORITHM {
        return Err(AuthError::UnsupportedAlgorithm {
            algorithm: algorithm.to_owned(),
        });
    }
    let trimmed_credential = credential.trim_end_matches('/');
    let Some((access_key_id, scope)) = trimmed_credential.split_once('/') else {
        return Err(AuthError::MalformedCredential {
            credential: credential.to_owned(),
        });
    };
    let scope_parts: Vec<&str> = scope.split('/').collect();
    let [scope_day, region, service, terminator] = scope_parts[..] else {
        return Err(AuthError::MalformedCredential {
            credential: credential.to_owned(),
        });
    };
    let bad_terminator = (terminator != SCOPE_TERMINATOR).then(|| terminator.to_owned());
    let bad_day = (Some(scope_day) != request_time.get(..8)).then(|| scope_day.to_owned());
    if bad_terminator.is_some() || bad_day.is_some() {
        return Err(AuthError::ScopeMismatch {
            terminator: bad_terminator,
            scope_date: bad_day,
            request_time,
        });
    }
    let Some(secret) = credentials.secrets.get(access_key_id) else {
        return Err(AuthError::UnknownAccessKey {
            access_key_id: access_key_id.to_owned(),
        });
    };

    let payload_hash = hex(&Sha256::digest(&request.body));
    if let Some(declared) = headers.get("x-amz-content-sha256")
        && !declared.eq_ignore_ascii_case(&payload_hash)
    {
        return Err(AuthError::ContentSha256Mismatch);
    }

    let canonical_request = canonical_request(
        &request.method,
        path,
        query,
        headers,
        &signed_names,
        &payload_hash,
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{request_time}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac_sha256(format!("AWS4{secret}").as_bytes(), scope_day.as_bytes());
    for part in [region, service, SCOPE_TERMINATOR] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let mut mac = new_hmac(&key);
    mac.update(string_to_sign.as_bytes());
    // `verify_slice` compares in constant time; a signature that is not 64
    // hex digits cannot match and is refused the same way.
    let matches = match decode_hex_32(signature) {
        Some(provided) => mac.verify_slice(&provided).is_ok(),
        None => false,
    };
    if matches {
        Ok(())
    } else {
        Err(AuthError::SignatureMismatch {
            canonical_request,
            string_to_sign,
        })
    }
}

fn new_hmac(key: &[u8]) -> HmacSha256 {
    // HMAC hashes a long key and pads a short one: every length is valid.
    HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length")
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = new_hmac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
#[path = "sigv4_tests.rs"]
mod tests;
