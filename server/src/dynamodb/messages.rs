//! Every message text of the DynamoDB JSON API's own errors, in one place
//! (issue 7, Deliver 4). Messages the engine gives pass through unchanged
//! (`docs/semantics.md`); these are the ones this layer decides: a body
//! that is not the right JSON shape, a member of the wrong JSON type, an
//! enum value outside its set, a missing required member, a legacy
//! parameter not translated yet, an unknown operation.
//!
//! Member paths are DynamoDB's: the member name with a lower-case first
//! letter (`TableName` is `tableName`), list elements as `.N.member`.
//!
//! Verified against DynamoDB's answers quoted in public issue threads:
//! `member_null`, `STRUCTURE_NOT_EXPECTED`, `LIST_NOT_EXPECTED`,
//! `scalar_not("NUMBER_VALUE", "String")`, `string_not_integer("Long")`.
//! The rest follow DynamoDB's pattern but are unverified: `enum_value`,
//! `at_least`, `at_most` (the AWS constraint wording), the other
//! `scalar_not` kinds, `string_not_integer("Integer")`, `BODY_NOT_OBJECT`,
//! `attribute_json`, `WRITE_REQUEST_ONE_OF`, `legacy_not_supported`,
//! `member_not_supported`, `unknown_operation`.

/// The `__type` prefix of every error body.
pub const TYPE_PREFIX: &str = "com.amazonaws.dynamodb.v20120810#";

/// A required member is absent (DynamoDB's wording, verified).
pub fn member_null(path: &str) -> String {
    format!(
        "1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null"
    )
}

/// An enum member outside its value set. `allowed` is printed in the
/// order DynamoDB prints it.
pub fn enum_value(value: &str, path: &str, allowed: &[&str]) -> String {
    format!(
        "1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    )
}

/// A number member below its minimum.
pub fn at_least(value: i64, path: &str, minimum: i64) -> String {
    format!(
        "1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must have value greater than or equal to {minimum}"
    )
}

/// A number member above its maximum.
pub fn at_most(value: i64, path: &str, maximum: i64) -> String {
    format!(
        "1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must have value less than or equal to {maximum}"
    )
}

/// SerializationException: an object where a scalar or list was expected.
pub const STRUCTURE_NOT_EXPECTED: &str = "Start of structure or map found where not expected";
/// SerializationException: a list where a scalar or object was expected.
pub const LIST_NOT_EXPECTED: &str = "Start of list found where not expected";
/// SerializationException: the body is not a JSON object.
pub const BODY_NOT_OBJECT: &str = "Start of structure or map expected";

/// SerializationException: a string where an integer was expected
/// (DynamoDB's wording for a Long, verified; `an Integer` by analogy).
pub fn string_not_integer(target: &str) -> String {
    format!("class java.lang.String can not be converted to an {target}")
}

/// SerializationException: a JSON scalar of another kind (`NUMBER_VALUE`,
/// `TRUE_VALUE`, `FALSE_VALUE`, `STRING_VALUE`, `NULL_VALUE`) where
/// `target` (`String`, `Boolean`, `Integer`, `Long`) was expected.
pub fn scalar_not(kind: &str, target: &str) -> String {
    format!("{kind} cannot be converted to {target}")
}

/// ValidationException: a member holds invalid attribute-value JSON.
pub fn attribute_json(member: &str, detail: &str) -> String {
    format!("One or more parameter values were invalid: {member}: {detail}")
}

/// ValidationException: a legacy (pre-expression) parameter, which the
/// next step translates into the expression engine.
pub fn legacy_not_supported(parameter: &str, replacement: &str) -> String {
    format!("The legacy parameter {parameter} is not supported yet; use {replacement} instead")
}

/// ValidationException: a CreateTable member dynacore does not support yet.
pub fn member_not_supported(member: &str) -> String {
    format!("{member} is not supported yet")
}

/// UnknownOperationException: DynamoDB's text, whatever the operation.
pub fn unknown_operation(_operation: &str) -> String {
    UNKNOWN_OPERATION.to_owned()
}

/// ValidationException: a BatchWriteItem WriteRequest with both or
/// neither of PutRequest and DeleteRequest.
pub const WRITE_REQUEST_ONE_OF: &str =
    "A WriteRequest must contain exactly one of PutRequest and DeleteRequest";

// ----- the HTTP layer and the operations it answers itself -----
// Unverified unless said: DynamoDB's pattern, not captured answers.

/// An unknown or missing `X-Amz-Target` (DynamoDB Local's text, verified
/// in a public SDK issue thread).
pub const UNKNOWN_OPERATION: &str = "An unknown operation was requested.";

/// A request body that is not JSON at all, or nested past the parser's
/// depth limit.
pub fn body_not_json(detail: &str) -> String {
    format!("The request body is not valid JSON: {detail}")
}

/// A `Content-Type` other than the two the API takes.
pub fn content_type(found: &str) -> String {
    format!(
        "Unsupported Content-Type '{found}': expected application/x-amz-json-1.0 or application/json"
    )
}

/// TagResource past 50 tags on one table.
pub const TOO_MANY_TAGS: &str = "One or more parameter values were invalid: The number of tags on the resource exceeds the maximum of 50";

/// A `ResourceArn` of the wrong JSON type.
pub const ARN_NOT_STRING: &str = "NUMBER_VALUE can not be converted to a String";

/// A `ResourceArn` that is not a DynamoDB table's.
pub fn invalid_arn(arn: &str) -> String {
    format!("Invalid TableArn: Invalid ResourceArn provided as input {arn}")
}

/// A well-formed ARN of a table that does not exist.
pub fn arn_not_found(arn: &str) -> String {
    format!("Requested resource not found: ResourcArn: {arn} not found")
}

/// A tag key or value outside its length bounds.
pub fn tag_length(path: &str, value: &str, minimum: usize, maximum: usize) -> String {
    format!(
        "1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {maximum} and greater than or equal to {minimum}"
    )
}
