//! One HTTP request of the DynamoDB API, from parsed request to answer,
//! without sockets: [`dispatch`] either answers at once (the health check,
//! an error, an operation this layer answers itself) or hands back the
//! engine request to run and a [`Context`]; [`Context::finish`] turns the
//! engine's result into the answer. The network core
//! (`server/core/dynamo.rs`) only moves bytes and runs the request.
//!
//! Order of checks, as DynamoDB's front end makes them: the method and
//! path, the signature (when `--auth` is set), the operation named by
//! `X-Amz-Target`, the content type, the body's encoding and JSON, then the
//! operation's own members (`decode.rs`), then the engine's rules.

use dynacore::Db;
use serde_json::{Value, json};

use crate::exec::ReplyResult;
use crate::http::{self, HttpError, Limits};
use crate::protocol::{Opcode, Request, Response};

use super::capacity::{Charge, Detail};
use super::control::{self, Tags};
use super::error::DynamoError;
use super::messages;
use super::{decode_request, encode_response};

/// The `X-Amz-Target` prefix of every operation.
pub const TARGET_PREFIX: &str = "DynamoDB_20120810.";

/// The content type of every JSON answer.
pub const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// Every operation served, with the binary protocol's opcode for those
/// the engine runs (metrics are kept by opcode).
const OPERATIONS: [(&str, Option<Opcode>); 18] = [
    ("GetItem", Some(Opcode::GetItem)),
    ("PutItem", Some(Opcode::PutItem)),
    ("UpdateItem", Some(Opcode::UpdateItem)),
    ("DeleteItem", Some(Opcode::DeleteItem)),
    ("Query", Some(Opcode::Query)),
    ("Scan", Some(Opcode::Scan)),
    ("BatchGetItem", Some(Opcode::BatchGetItem)),
    ("BatchWriteItem", Some(Opcode::BatchWriteItem)),
    ("CreateTable", Some(Opcode::CreateTable)),
    ("DescribeTable", Some(Opcode::DescribeTable)),
    ("DeleteTable", Some(Opcode::DeleteTable)),
    ("ListTables", Some(Opcode::ListTables)),
    ("UpdateTable", Some(Opcode::UpdateTable)),
    ("DescribeEndpoints", None),
    ("DescribeLimits", None),
    ("TagResource", None),
    ("UntagResource", None),
    ("ListTagsOfResource", None),
];

/// What [`dispatch`] needs besides the request.
pub struct Env<'a> {
    pub db: &'a Db,
    pub tags: &'a Tags,
    pub limits: &'a Limits,
    /// Checks the request's signature (`--auth`); `None` accepts any.
    pub authenticate: Option<&'a Authenticate>,
}

impl std::fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("limits", self.limits)
            .field("authenticate", &self.authenticate.is_some())
            .finish_non_exhaustive()
    }
}

/// A signature check: the error to answer, if the request fails it.
pub type Authenticate = dyn Fn(&http::Request) -> Result<(), DynamoError> + Send + Sync;

/// A whole answer: status, content type and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, body: &Value) -> Answer {
        Answer {
            status,
            content_type: JSON_CONTENT_TYPE,
            // Serialising a Value built here cannot fail.
            body: serde_json::to_vec(body).unwrap_or_default(),
        }
    }

    fn error(error: &DynamoError) -> Answer {
        Answer::json(error.status, &error.to_json())
    }
}

/// What to do with one request.
#[derive(Debug)]
pub enum Dispatch {
    /// Answer now.
    Answer(Answer),
    /// Run this on the engine, then [`Context::finish`].
    Execute(Box<Request>, Context),
}

/// What is needed to answer an executed request.
#[derive(Debug)]
pub struct Context {
    operation: &'static str,
    opcode: Opcode,
    capacity: Option<(Detail, Charge)>,
    /// `Select: COUNT`: DynamoDB's answer has no `Items` at all.
    count_only: bool,
    /// DeleteTable's table, whose tags go with it.
    deleted_table: Option<String>,
}

impl Context {
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The binary protocol's opcode of the operation (for the metrics).
    pub fn opcode(&self) -> Opcode {
        self.opcode
    }

    /// The answer to the executed request.
    pub fn finish(self, result: &ReplyResult, tags: &Tags) -> Answer {
        match result {
            Ok(response) => {
                let mut body = encode_response(self.operation, response);
                if let Value::Object(members) = &mut body {
                    if self.count_only {
                        members.remove("Items");
                    }
                    if let Some((detail, charge)) = &self.capacity
                        && let Some(consumed) = charge.consumed(response, *detail)
                    {
                        members.insert("ConsumedCapacity".into(), consumed);
                    }
                }
                if let (Some(table), Response::Table(_)) = (&self.deleted_table, response) {
                    tags.forget(table);
                }
                Answer::json(200, &body)
            }
            Err(error) => Answer::error(&DynamoError::from_engine(error)),
        }
    }
}

/// The answer to a request the HTTP parser refused (the connection then
/// closes): the status it names, with a DynamoDB-shaped error body.
pub fn http_error(error: &HttpError) -> Answer {
    Answer::error(&refused(error))
}

/// A refused HTTP request as a DynamoDB error: 413 is DynamoDB's
/// `RequestEntityTooLarge`; the others are the body's or framing's fault.
fn refused(error: &HttpError) -> DynamoError {
    let type_name = match error.status() {
        413 => "RequestEntityTooLarge",
        _ => "SerializationException",
    };
    DynamoError::other(type_name, error.to_string(), error.status())
}

/// The answer to a connection over `max_connections` (503, which SDKs
/// retry).
pub fn too_many_connections(max: usize) -> Answer {
    Answer::error(&DynamoError::other(
        "ServiceUnavailable",
        messages::too_many_connections(max),
        503,
    ))
}

/// The answer when answering itself failed (a panic in this layer, caught
/// by the core): 500, as DynamoDB's `InternalServerError`.
pub fn internal_error() -> Answer {
    Answer::error(&DynamoError::internal(messages::INTERNAL_ERROR))
}

/// The health check's body.
pub fn health_body() -> Vec<u8> {
    format!("healthy: dynacore {}\n", env!("CARGO_PKG_VERSION")).into_bytes()
}

/// Decides what to do with `request`.
pub fn dispatch(request: &http::Request, env: &Env<'_>) -> Dispatch {
    match dispatch_or_error(request, env) {
        Ok(dispatch) => dispatch,
        Err(error) => Dispatch::Answer(Answer::error(&error)),
    }
}

fn dispatch_or_error(request: &http::Request, env: &Env<'_>) -> Result<Dispatch, DynamoError> {
    let path = request.target.split('?').next().unwrap_or("");
    if request.method == "GET" && path == "/" {
        return Ok(Dispatch::Answer(Answer {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: health_body(),
        }));
    }
    if request.method != "POST" {
        return Err(DynamoError::other(
            "UnknownOperationException",
            messages::UNKNOWN_OPERATION,
            404,
        ));
    }
    if let Some(authenticate) = env.authenticate {
        authenticate(request)?;
    }
    let operation = request
        .headers
        .get("x-amz-target")
        .and_then(|target| target.strip_prefix(TARGET_PREFIX))
        .and_then(|name| OPERATIONS.iter().find(|(known, _)| *known == name));
    let Some(&(operation, opcode)) = operation else {
        return Err(DynamoError::unknown_operation(""));
    };
    if let Some(content_type) = request.headers.get("content-type") {
        let media = content_type.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case(JSON_CONTENT_TYPE)
            && !media.eq_ignore_ascii_case("application/json")
        {
            return Err(DynamoError::serialization(messages::content_type(media)));
        }
    }
    let body = http::decode_body(request, env.limits).map_err(|e| refused(&e))?;
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| DynamoError::serialization(messages::body_not_json(&e.to_string())))?
    };
    let Some(opcode) = opcode else {
        return answer_control(operation, &value, request, env).map(Dispatch::Answer);
    };
    let decoded = decode_request(operation, &value)?;
    let context = Context {
        operation,
        opcode,
        capacity: Detail::from_body(&value).map(|detail| (detail, Charge::of(&decoded))),
        count_only: matches!(
            &decoded,
            Request::Query(dynacore::QueryRequest {
                select: Some(dynacore::Select::Count),
                ..
            }) | Request::Scan(dynacore::ScanRequest {
                select: Some(dynacore::Select::Count),
                ..
            })
        ),
        deleted_table: match &decoded {
            Request::DeleteTable { table_name } => Some(table_name.clone()),
            _ => None,
        },
    };
    Ok(Dispatch::Execute(Box::new(decoded), context))
}

fn answer_control(
    operation: &str,
    body: &Value,
    request: &http::Request,
    env: &Env<'_>,
) -> Result<Answer, DynamoError> {
    if !body.is_object() {
        return Err(DynamoError::serialization(messages::BODY_NOT_OBJECT));
    }
    let value = match operation {
        "DescribeLimits" => control::describe_limits(),
        "DescribeEndpoints" => {
            control::describe_endpoints(request.headers.get("host").unwrap_or("localhost"))
        }
        _ => env.tags.answer(operation, body, env.db)?,
    };
    Ok(Answer::json(200, &value))
}
