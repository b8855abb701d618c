//! DynamoDB's message texts for expression errors, in one place, so that
//! the parser, the evaluators and the tests agree on every word.

// ----- parsing (parser.rs, lexer.rs) ------------------------------------
//
// Each text is DynamoDB's, as observed in its answers (quoted in bug reports,
// in DynamoDB-checked test suites such as dynalite's, and in DynamoDB
// Local's message tables). DynamoDB builds most of them as "what; details",
// and prefixes those about one expression with "Invalid <Parameter>: ".
// Where only the "what" part could be confirmed, the doc comment says
// "(details unconfirmed)".

use super::ExpressionKind;

/// Prefixes `detail` with the expression's parameter: "Invalid
/// ConditionExpression: <detail>".
pub(super) fn invalid_expression(kind: ExpressionKind, detail: &str) -> String {
    format!("Invalid {}: {detail}", kind.parameter_name())
}

/// An empty expression string.
pub(super) const EMPTY_EXPRESSION: &str = "The expression can not be empty;";

/// An expression longer than `limits::EXPRESSION_LENGTH_BYTES_MAX`.
pub(super) fn expression_too_long(size_bytes: usize) -> String {
    format!("Expression size has exceeded the maximum allowed size; expression size: {size_bytes}")
}

/// The token where reading stopped (`<EOF>` at the end) and the text from the
/// token before it to the token after it.
pub(super) fn syntax_error(token: &str, near: &str) -> String {
    format!("Syntax error; token: \"{token}\", near: \"{near}\"")
}

/// What DynamoDB calls the end of the expression in a syntax error.
pub(super) const END_TOKEN_TEXT: &str = "<EOF>";

/// Two parentheses directly around the same thing: `((a = :v))`.
pub(super) const REDUNDANT_PARENTHESES: &str = "The expression has redundant parentheses;";

/// More operators and functions than `limits::EXPRESSION_OPERATOR_COUNT_MAX`.
pub(super) fn too_many_operators(operator_count: usize) -> String {
    format!("The expression contains too many operators; operator count: {operator_count}")
}

/// A reserved word used bare as an attribute name.
pub(super) fn reserved_keyword(word: &str) -> String {
    format!("Attribute name is a reserved keyword; reserved keyword: {word}")
}

/// A list index above DynamoDB's range (a Java `int`).
pub(super) fn list_index_out_of_range(index_text: &str) -> String {
    format!("List index is not within the allowable range; index: [{index_text}]")
}

/// A call of a function DynamoDB does not have.
pub(super) fn unknown_function(name: &str) -> String {
    format!("Invalid function name; function: {name}")
}

/// An update function (`if_not_exists`, `list_append`) in a condition.
pub(super) fn function_not_allowed_in_condition(name: &str) -> String {
    format!("The function is not allowed in a condition expression; function: {name}")
}

/// A condition function or `size` in an update (details unconfirmed:
/// modelled on the condition-expression twin).
pub(super) fn function_not_allowed_in_update(name: &str) -> String {
    format!("The function is not allowed in an update expression; function: {name}")
}

/// A condition function used as an operand, or `size` used as a condition.
pub(super) fn function_used_this_way(name: &str) -> String {
    format!("The function is not allowed to be used this way in an expression; function: {name}")
}

/// A function called with the wrong number of arguments.
pub(super) fn operand_count(name: &str, operand_count: usize) -> String {
    format!(
        "Incorrect number of operands for operator or function; operator or function: {name}, \
         number of operands: {operand_count}"
    )
}

/// A literal value of a type the operator or function does not take.
/// `type_name` is DynamoDB's short type name (`S`, `BOOL`, ...).
pub(super) fn operand_type(operator: &str, type_name: &str) -> String {
    format!(
        "Incorrect operand type for operator or function; operator or function: {operator}, \
         operand type: {type_name}"
    )
}

/// The operand type DynamoDB names when `attribute_type`'s second operand is
/// a document path (any type at all; unconfirmed, from one observation).
pub(super) const ANY_OPERAND_TYPE: &str = "{SS,M,DECIMAL,DOUBLESET,HDS,N,B,DICT,INTSET,BOOL,HD,BS,INT,DECIMALSET,NULL,FLOAT,FS,S,L,NS,DOUBLE}";

/// An ADD or DELETE value of the wrong type. `clause` is `ADD` or
/// `DELETE`; `type_name` is DynamoDB's long type name (`STRING`, ...).
pub(super) fn set_or_number_operand_type(clause: &str, type_name: &str) -> String {
    format!(
        "Incorrect operand type for operator or function; operator: {clause}, operand type: \
         {type_name}, typeSet: ALLOWED_FOR_{clause}_OPERAND"
    )
}

/// A function whose first operand must be a document path got something else.
pub(super) fn requires_document_path(name: &str) -> String {
    format!("Operator or function requires a document path; operator or function: {name}")
}

/// The same path as first and as a later operand: `a = a`.
pub(super) fn operands_not_distinct(operator: &str, first_operand: &str) -> String {
    format!(
        "The first operand must be distinct from the remaining operands for this operator or \
         function; operator: {operator}, first operand: {first_operand}"
    )
}

/// `attribute_type` with a type name DynamoDB does not have.
pub(super) fn invalid_attribute_type_name(type_name: &str) -> String {
    format!(
        "Invalid attribute type name found; type: {type_name}, valid types: \
         {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
    )
}

/// BETWEEN bounds of two types; the bounds are shown by [`between_bound`].
pub(super) fn between_bound_types_differ(low: &str, high: &str) -> String {
    format!(
        "The BETWEEN operator requires same data type for lower and upper bounds; lower bound \
         operand: {low}, upper bound operand: {high}"
    )
}

/// BETWEEN bounds in the wrong order.
pub(super) fn between_bounds_reversed(low: &str, high: &str) -> String {
    format!(
        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; \
         lower bound operand: {low}, upper bound operand: {high}"
    )
}

/// How DynamoDB (a Java service) prints a BETWEEN bound: `AttributeValue:
/// {N:1}`; a binary shows as Java's `ByteBuffer`.
pub(super) fn between_bound(type_name: &str, shown: &str) -> String {
    format!("AttributeValue: {{{type_name}:{shown}}}")
}

/// How a binary BETWEEN bound of `length` bytes is shown (unconfirmed).
pub(super) fn java_byte_buffer(length: usize) -> String {
    format!("java.nio.HeapByteBuffer[pos=0 lim={length} cap={length}]")
}

/// More `IN` candidates than `limits::IN_CANDIDATE_COUNT_MAX`.
pub(super) fn too_many_in_operands(operand_count: usize) -> String {
    format!(
        "The IN operator is provided with too many operands; number of operands: {operand_count}"
    )
}

/// A path deeper than `limits::DOCUMENT_PATH_DEPTH_MAX`.
pub(super) fn path_too_deep(depth: usize) -> String {
    format!("The document path has too many nesting levels; nesting levels: {depth}")
}

/// An undefined `#name`.
pub(super) fn undefined_name(placeholder: &str) -> String {
    format!(
        "An expression attribute name used in the document path is not defined; attribute name: \
         {placeholder}"
    )
}

/// An undefined `:value`.
pub(super) fn undefined_value(placeholder: &str) -> String {
    format!(
        "An expression attribute value used in expression is not defined; attribute value: \
         {placeholder}"
    )
}

/// A clause keyword used twice in one update; `clause` is `SET`, ...
pub(super) fn clause_repeated(clause: &str) -> String {
    format!("The \"{clause}\" section can only be used once in an update expression;")
}

/// One path a prefix of (or equal to) another; paths print as `[a, b, [0]]`.
pub(super) fn paths_overlap(first: &str, second: &str) -> String {
    format!(
        "Two document paths overlap with each other; must remove or rewrite one of these paths; \
         path one: {first}, path two: {second}"
    )
}

/// One path indexes what the other names as a map member.
pub(super) fn paths_conflict(first: &str, second: &str) -> String {
    format!(
        "Two document paths conflict with each other; must remove or rewrite one of these paths; \
         path one: {first}, path two: {second}"
    )
}

/// An update action on a key attribute.
pub(super) fn key_attribute_updated(name: &str) -> String {
    format!(
        "One or more parameter values were invalid: Cannot update attribute {name}. This \
         attribute is part of the key"
    )
}

// Placeholder maps.

/// `ExpressionAttributeNames` given as `{}`.
pub(super) const NAMES_EMPTY: &str = "ExpressionAttributeNames must not be empty";
/// `ExpressionAttributeValues` given as `{}`.
pub(super) const VALUES_EMPTY: &str = "ExpressionAttributeValues must not be empty";

/// A map key that is not `#name` / `:value` syntax; `map` is the parameter.
pub(super) fn placeholder_key_syntax(map: &str, key: &str) -> String {
    format!("{map} contains invalid key: Syntax error; key: \"{key}\"")
}

/// A name placeholder longer than `limits::EXPRESSION_PLACEHOLDER_BYTES_MAX`
/// (details unconfirmed).
pub(super) fn name_placeholder_too_long(size_bytes: usize) -> String {
    format!(
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a \
         key that is too long; size of key: {size_bytes}"
    )
}

/// A value placeholder longer than `limits::EXPRESSION_PLACEHOLDER_BYTES_MAX`
/// (details unconfirmed).
pub(super) const VALUE_PLACEHOLDER_TOO_LONG: &str = "ExpressionAttributeValues contains invalid key: \
     The expression attribute map contains a key that is too long;";

/// A name placeholder standing for the empty name (details unconfirmed).
pub(super) fn empty_attribute_name(placeholder: &str) -> String {
    format!(
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key {placeholder}"
    )
}

/// A value that is not a valid attribute value; `problem` is the value's own
/// message (an empty set, too deep).
pub(super) fn invalid_placeholder_value(problem: &str, placeholder: &str) -> String {
    format!("ExpressionAttributeValues contains invalid value: {problem} for key {placeholder}")
}

/// Names and values together over `limits::EXPRESSION_SUBSTITUTION_BYTES_MAX`
/// (DynamoDB Local's text; which of its size messages DynamoDB sends here
/// is unconfirmed).
pub(super) const SUBSTITUTIONS_TOO_LARGE: &str =
    "Combined size of ExpressionAttributeNames and ExpressionAttributeValues exceeds max size";

/// Names given with no expression at all.
pub(super) const NAMES_WITHOUT_EXPRESSIONS: &str =
    "ExpressionAttributeNames can only be specified when using expressions";
/// Values given with no expression at all. DynamoDB appends which of the
/// operation's expressions are missing (": ConditionExpression is null");
/// the parser does not know the operation, so it stops here.
pub(super) const VALUES_WITHOUT_EXPRESSIONS: &str =
    "ExpressionAttributeValues can only be specified when using expressions";

/// Names no expression used; `keys` is `#a, #b`.
pub(super) fn unused_names(keys: &str) -> String {
    format!("Value provided in ExpressionAttributeNames unused in expressions: keys: {{{keys}}}")
}

/// Values no expression used; `keys` is `:a, :b`.
pub(super) fn unused_values(keys: &str) -> String {
    format!("Value provided in ExpressionAttributeValues unused in expressions: keys: {{{keys}}}")
}

// KeyConditionExpression (these carry no "Invalid ...:" prefix).

/// OR, NOT, IN, `<>` or a function other than `begins_with` in a key condition.
pub(super) fn key_condition_operator(operator: &str) -> String {
    format!("Invalid operator used in KeyConditionExpression: {operator}")
}

/// BETWEEN or `begins_with` whose first operand is not the key.
pub(super) fn key_condition_first_operand(operator: &str) -> String {
    format!(
        "Invalid condition in KeyConditionExpression: {operator} operator must have the key \
         attribute as its first operand"
    )
}

/// Two paths in one key condition.
pub(super) const KEY_CONDITION_MULTIPLE_NAMES: &str =
    "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition";
/// A key condition comparing values only.
pub(super) const KEY_CONDITION_NO_KEY: &str =
    "Invalid condition in KeyConditionExpression: No key attribute specified";
/// `size()` in a key condition.
pub(super) const KEY_CONDITION_NESTED_OPERATION: &str =
    "KeyConditionExpressions cannot contain nested operations";
/// `a.b` or `a[0]` in a key condition.
pub(super) const KEY_CONDITION_NESTED_ATTRIBUTE: &str =
    "KeyConditionExpressions cannot have conditions on nested attributes";
/// Two conditions on one attribute.
pub(super) const KEY_CONDITION_DUPLICATE_KEY: &str =
    "KeyConditionExpressions must only contain one condition per key";
/// More than two conditions.
pub(super) const KEY_CONDITION_COUNT: &str = "Conditions can be of length 1 or 2 only";
/// A condition shape DynamoDB cannot query by (a range on the partition key,
/// a second condition on a table without a sort key).
pub(super) const KEY_CONDITION_NOT_SUPPORTED: &str = "Query key condition not supported";
/// A value of another type than the key's.
pub(super) const KEY_CONDITION_TYPE_MISMATCH: &str = "One or more parameter values were invalid: Condition parameter type does not match schema type";

/// No condition on the partition key, or a second condition on a non-key
/// attribute (then `name` is the sort key's).
pub(super) fn key_condition_missing_key(name: &str) -> String {
    format!("Query condition missed key schema element: {name}")
}

/// An empty string or binary as a key value; `kind` is `string` or `binary`
/// (PutItem's text; that Query uses it too is unconfirmed).
pub(super) fn key_value_empty(kind: &str, name: &str) -> String {
    format!(
        "One or more parameter values are not valid. The AttributeValue for a key attribute \
         cannot contain an empty {kind} value. Key: {name}"
    )
}

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
