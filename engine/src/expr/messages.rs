//! DynamoDB's message texts for expression errors, in one place, so that
//! the parser, the evaluators and the tests agree on every word.

// ----- parsing (parser.rs, lexer.rs) ------------------------------------

// ----- evaluation (eval.rs, update.rs, projection.rs, path.rs) ----------
//
// The three messages below are DynamoDB's own (no "Invalid UpdateExpression:"
// prefix), as recorded by dynalite's and ScyllaDB's test suites, which run
// against DynamoDB, and as moto reproduces them.

/// An update operand names an attribute the item does not have
/// (`SET a = b` without `b`, `list_append(b, :v)` without `b`).
pub(crate) const ATTRIBUTE_NOT_IN_ITEM_MESSAGE: &str =
    "The provided expression refers to an attribute that does not exist in the item";

/// An update action's path cannot be reached: a missing parent (`SET a.b`
/// without `a`), or a step into the wrong kind of value (`SET a[0]` where
/// `a` is a map, `REMOVE a.b` where `a` is a string).
pub(crate) const INVALID_DOCUMENT_PATH_MESSAGE: &str =
    "The document path provided in the update expression is invalid for update";

/// An update operand has the wrong type for its operator or function, as
/// found in the item: `+`/`-` on a non-number, `list_append` of a non-list,
/// `ADD`/`DELETE` whose operand does not match the attribute's type.
pub(crate) const INCORRECT_DATA_TYPE_MESSAGE: &str =
    "An operand in the update expression has an incorrect data type";
