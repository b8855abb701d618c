//! DynamoDB's expression language: a hand-written lexer and parser for
//! condition, filter, key-condition, update and projection expressions,
//! their typed trees ([`ast`]), and the evaluators that apply them to items.
//!
//! One request's expressions share one [`ExpressionContext`]: it holds the
//! request's `ExpressionAttributeNames` (`#n`) and `ExpressionAttributeValues`
//! (`:v`), resolves placeholders while parsing, and at the end
//! ([`ExpressionContext::finish`]) rejects placeholders no expression used,
//! as DynamoDB does. Parsing checks everything that can be checked without
//! the item: syntax, reserved words used bare, undefined placeholders,
//! DynamoDB's limits (expression length, operator count, path depth, `IN`
//! size), operand types of literal values, and overlapping or conflicting
//! update paths. What depends on the item (an operand of the wrong type in
//! `SET a = b + :v`, a path into a missing map) is found by the evaluators.
//!
//! Every error is [`crate::Error::Validation`] with DynamoDB's message (see
//! `messages.rs`), and nothing is changed by a request that fails. Parsing
//! is iterative or depth-bounded; evaluation recurses only over trees the
//! parser bounded. Pure code, no I/O, usable from any thread.

pub mod ast;
mod eval;
mod lexer;
mod messages;
mod parser;
mod path;
mod projection;
mod reserved;
mod update;

use std::collections::{BTreeMap, BTreeSet};

pub use ast::{
    Comparator, Condition, KeyCondition, Operand, Path, PathElement, Projection, SetAction,
    SetOperand, SetOrNumberAction, SetValue, SortKeyCondition, UpdateExpression,
};
pub use path::get_path;
pub use reserved::is_reserved_word;

use crate::Result;
use crate::model::{AttributeValue, TableSchema};

/// A request's `ExpressionAttributeNames`: `#placeholder` to attribute name.
pub type AttributeNames = BTreeMap<String, String>;
/// A request's `ExpressionAttributeValues`: `:placeholder` to value.
pub type AttributeValues = BTreeMap<String, AttributeValue>;

/// Checks that a request giving placeholders also gives an expression that
/// can use them, before anything is parsed. `parameters` lists the
/// operation's expression parameters in DynamoDB's order: name, whether the
/// request gave it, and whether it can use `:value` placeholders. The error
/// for values names the absent parameters that could use them, as DynamoDB
/// does ("...: UpdateExpression and ConditionExpression are null").
///
/// # Errors
/// `Validation` with DynamoDB's message.
pub fn check_placeholders_have_expressions(
    names: Option<&AttributeNames>,
    values: Option<&AttributeValues>,
    parameters: &[(&str, bool, bool)],
) -> Result<()> {
    let null_list = || {
        let absent: Vec<&str> = parameters
            .iter()
            .filter(|(_, _, takes_values)| *takes_values)
            .map(|(name, _, _)| *name)
            .collect();
        match absent.as_slice() {
            [one] => format!("{one} is null"),
            [init @ .., last] => format!("{} and {last} are null", init.join(", ")),
            [] => String::new(),
        }
    };
    // DynamoDB names the absent expressions for values only.
    if names.is_some() && parameters.iter().all(|(_, given, _)| !given) {
        return Err(crate::Error::validation(
            messages::NAMES_WITHOUT_EXPRESSIONS,
        ));
    }
    let value_parameters_given = parameters
        .iter()
        .any(|(_, given, takes_values)| *given && *takes_values);
    if values.is_some() && !value_parameters_given {
        return Err(crate::Error::validation(format!(
            "{}: {}",
            messages::VALUES_WITHOUT_EXPRESSIONS,
            null_list()
        )));
    }
    Ok(())
}

/// Which request parameter an expression came from; it names the
/// expression in error messages ("Invalid ConditionExpression: ...").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpressionKind {
    /// `ConditionExpression`
    Condition,
    /// `FilterExpression`
    Filter,
    /// `KeyConditionExpression`
    KeyCondition,
    /// `UpdateExpression`
    Update,
    /// `ProjectionExpression`
    Projection,
}

impl ExpressionKind {
    /// The request parameter's name, as DynamoDB's messages spell it.
    pub fn parameter_name(self) -> &'static str {
        match self {
            ExpressionKind::Condition => "ConditionExpression",
            ExpressionKind::Filter => "FilterExpression",
            ExpressionKind::KeyCondition => "KeyConditionExpression",
            ExpressionKind::Update => "UpdateExpression",
            ExpressionKind::Projection => "ProjectionExpression",
        }
    }
}

/// The placeholders of one request, and which of them its expressions used;
/// see the module docs.
#[derive(Debug)]
pub struct ExpressionContext<'a> {
    names: Option<&'a AttributeNames>,
    values: Option<&'a AttributeValues>,
    used_names: BTreeSet<&'a str>,
    used_values: BTreeSet<&'a str>,
    /// Whether any expression was parsed (placeholders without any
    /// expression are an error of their own).
    parsed_any: bool,
}

impl<'a> ExpressionContext<'a> {
    /// A context for one request's placeholders. Checks the maps
    /// themselves as DynamoDB does: neither may be given empty, and every
    /// value must be a valid attribute value (non-empty sets, nesting).
    ///
    /// # Errors
    /// `Validation` with DynamoDB's message.
    pub fn new(
        names: Option<&'a AttributeNames>,
        values: Option<&'a AttributeValues>,
    ) -> Result<Self> {
        parser::check_placeholder_maps(names, values)?;
        Ok(ExpressionContext {
            names,
            values,
            used_names: BTreeSet::new(),
            used_values: BTreeSet::new(),
            parsed_any: false,
        })
    }

    /// Parses a ConditionExpression or FilterExpression (`kind` says which,
    /// for the messages).
    pub fn parse_condition(&mut self, kind: ExpressionKind, text: &str) -> Result<Condition> {
        self.parsed_any = true;
        parser::parse_condition(self, kind, text)
    }

    /// Parses an UpdateExpression.
    pub fn parse_update(&mut self, text: &str) -> Result<UpdateExpression> {
        self.parsed_any = true;
        parser::parse_update(self, text)
    }

    /// Parses a ProjectionExpression.
    pub fn parse_projection(&mut self, text: &str) -> Result<Projection> {
        self.parsed_any = true;
        parser::parse_projection(self, text)
    }

    /// Parses a KeyConditionExpression and checks it against `schema`
    /// (equality on the partition key, at most one sort-key condition,
    /// values of the key types).
    pub fn parse_key_condition(
        &mut self,
        text: &str,
        schema: &TableSchema,
    ) -> Result<KeyCondition> {
        self.parsed_any = true;
        parser::parse_key_condition(self, text, schema)
    }

    /// Ends the request's parsing: every name and value placeholder given
    /// must have been used by some expression, and placeholders given with
    /// no expression at all are an error.
    ///
    /// # Errors
    /// `Validation` with DynamoDB's message.
    pub fn finish(self) -> Result<()> {
        parser::check_all_used(&self)
    }

    /// The attribute name `#placeholder` stands for, marking it used.
    pub(crate) fn resolve_name(&mut self, placeholder: &str) -> Option<&'a str> {
        let (key, name) = self.names?.get_key_value(placeholder)?;
        self.used_names.insert(key.as_str());
        Some(name.as_str())
    }

    /// The value `:placeholder` stands for, marking it used.
    pub(crate) fn resolve_value(&mut self, placeholder: &str) -> Option<&'a AttributeValue> {
        let (key, value) = self.values?.get_key_value(placeholder)?;
        self.used_values.insert(key.as_str());
        Some(value)
    }
}
