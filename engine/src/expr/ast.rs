//! The typed syntax trees of DynamoDB's expressions, after placeholder
//! resolution: every `#name` is replaced by the attribute name it stands
//! for and every `:value` by its [`AttributeValue`], so evaluation never
//! looks at the request's maps again.
//!
//! Trees are built only by the parser (`parser.rs`), which bounds their
//! size and depth by DynamoDB's limits (`limits::EXPRESSION_*`), so the
//! recursive evaluators in `eval.rs`, `update.rs` and `projection.rs` cannot
//! exhaust the stack. Pure data, usable from any thread.

use crate::model::AttributeValue;

/// One step of a document path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElement {
    /// A map member (or, first in a path, a top-level attribute) by name.
    Attribute(String),
    /// A list element by index (`[3]`).
    Index(usize),
}

/// A document path such as `a.b[2].c`: a top-level attribute name followed
/// by map-member and list-index steps.
///
/// Invariant (kept by the parser): `elements` is non-empty, starts with an
/// [`PathElement::Attribute`], and has at most
/// [`crate::limits::DOCUMENT_PATH_DEPTH_MAX`] elements.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path {
    /// The steps, outermost first.
    pub elements: Vec<PathElement>,
}

impl Path {
    /// A path naming one top-level attribute.
    pub fn attribute(name: impl Into<String>) -> Path {
        Path {
            elements: vec![PathElement::Attribute(name.into())],
        }
    }

    /// The top-level attribute the path starts at.
    pub fn top_level_name(&self) -> &str {
        match self.elements.first() {
            Some(PathElement::Attribute(name)) => name,
            // The parser never builds such a path.
            _ => "",
        }
    }
}

/// A value in a condition: read from the item, given in the request, or the
/// `size()` of another operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// The attribute at this path (absent if the item has none).
    Path(Path),
    /// A value from `ExpressionAttributeValues`.
    Value(AttributeValue),
    /// `size(path)`: a number, or absent when the operand is absent or of a
    /// type without a size.
    Size(Box<Operand>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A condition (ConditionExpression, FilterExpression): true or false for
/// an item. A missing item is evaluated as an item with no attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `a <op> b`
    Compare {
        /// The left operand.
        left: Operand,
        /// The operator.
        comparator: Comparator,
        /// The right operand.
        right: Operand,
    },
    /// `a BETWEEN low AND high` (inclusive)
    Between {
        /// The value tested.
        value: Operand,
        /// The lower bound.
        low: Operand,
        /// The upper bound.
        high: Operand,
    },
    /// `a IN (b, c, ...)`: 1 to 100 candidates.
    In {
        /// The value tested.
        value: Operand,
        /// The candidates.
        candidates: Vec<Operand>,
    },
    /// `a AND b`
    And(Box<Condition>, Box<Condition>),
    /// `a OR b`
    Or(Box<Condition>, Box<Condition>),
    /// `NOT a`
    Not(Box<Condition>),
    /// `attribute_exists(path)`
    AttributeExists(Path),
    /// `attribute_not_exists(path)`
    AttributeNotExists(Path),
    /// `attribute_type(path, :t)`; `type_name` is one of `S`, `SS`, `N`,
    /// `NS`, `B`, `BS`, `BOOL`, `NULL`, `L`, `M` (checked by the parser).
    AttributeType {
        /// The attribute tested.
        path: Path,
        /// The type's name.
        type_name: String,
    },
    /// `begins_with(a, b)`: both strings, or both binaries.
    BeginsWith {
        /// The value tested.
        value: Operand,
        /// The prefix.
        prefix: Operand,
    },
    /// `contains(a, b)`: substring of a string, member of a set, element of
    /// a list.
    Contains {
        /// The string, set or list searched.
        haystack: Operand,
        /// What is looked for.
        needle: Operand,
    },
}

/// An operand of a SET action's value.
#[derive(Debug, Clone, PartialEq)]
pub enum SetOperand {
    /// The attribute at this path in the item *before* the update.
    Path(Path),
    /// A value from `ExpressionAttributeValues`.
    Value(AttributeValue),
    /// `if_not_exists(path, operand)`: the attribute if present, else the operand.
    IfNotExists(Path, Box<SetOperand>),
    /// `list_append(a, b)`: the elements of list `a`, then those of list `b`.
    ListAppend(Box<SetOperand>, Box<SetOperand>),
}

/// The right-hand side of a SET action.
#[derive(Debug, Clone, PartialEq)]
pub enum SetValue {
    /// `path = operand`
    Operand(SetOperand),
    /// `path = a + b` (numbers)
    Plus(SetOperand, SetOperand),
    /// `path = a - b` (numbers)
    Minus(SetOperand, SetOperand),
}

/// `SET path = value`
#[derive(Debug, Clone, PartialEq)]
pub struct SetAction {
    /// Where the value goes.
    pub path: Path,
    /// What it is.
    pub value: SetValue,
}

/// `ADD path :value` (a number to add, or a set to union) or
/// `DELETE path :value` (a set to subtract).
#[derive(Debug, Clone, PartialEq)]
pub struct SetOrNumberAction {
    /// The attribute changed.
    pub path: Path,
    /// The operand from `ExpressionAttributeValues`.
    pub value: AttributeValue,
}

/// An UpdateExpression: its clauses' actions, each clause at most once.
///
/// Invariant (kept by the parser): no two actions' paths overlap (one is a
/// prefix of the other) or conflict (one indexes what the other names as a
/// map member), as DynamoDB requires, and there is at least one action.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateExpression {
    /// `SET` actions, in the order written.
    pub set: Vec<SetAction>,
    /// `REMOVE` paths, in the order written.
    pub remove: Vec<Path>,
    /// `ADD` actions, in the order written.
    pub add: Vec<SetOrNumberAction>,
    /// `DELETE` actions, in the order written.
    pub delete: Vec<SetOrNumberAction>,
}

impl UpdateExpression {
    /// Every action's path: `SET` first, then `REMOVE`, `ADD` and `DELETE`,
    /// each in the order written.
    pub fn action_paths(&self) -> impl Iterator<Item = &Path> {
        self.set
            .iter()
            .map(|action| &action.path)
            .chain(&self.remove)
            .chain(self.add.iter().map(|action| &action.path))
            .chain(self.delete.iter().map(|action| &action.path))
    }
}

/// A ProjectionExpression: the paths to return, in the order written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Projection {
    /// The paths (at least one).
    pub paths: Vec<Path>,
}

/// A sort-key condition of a KeyConditionExpression.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKeyCondition {
    /// `sk = v`
    Eq(crate::model::KeyValue),
    /// `sk < v`
    Lt(crate::model::KeyValue),
    /// `sk <= v`
    Le(crate::model::KeyValue),
    /// `sk > v`
    Gt(crate::model::KeyValue),
    /// `sk >= v`
    Ge(crate::model::KeyValue),
    /// `sk BETWEEN a AND b` (inclusive; `a <= b` checked by the parser)
    Between(crate::model::KeyValue, crate::model::KeyValue),
    /// `begins_with(sk, v)` (strings and binaries only)
    BeginsWith(crate::model::KeyValue),
}

/// A KeyConditionExpression, checked against the table's key schema:
/// equality on the partition key and at most one condition on the sort key,
/// with values of the schema's types.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyCondition {
    /// The partition key's value.
    pub partition: crate::model::KeyValue,
    /// The sort-key condition, if any.
    pub sort: Option<SortKeyCondition>,
}
