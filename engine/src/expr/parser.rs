//! The parser of DynamoDB's expressions: from an expression string and the
//! request's placeholders to the typed trees of [`super::ast`], with every
//! check DynamoDB makes before looking at an item, and DynamoDB's messages.
//!
//! Each expression goes through the same steps, and the first problem
//! found is the one reported, as DynamoDB reports it:
//!
//! 1. the string itself: empty, or longer than
//!    [`EXPRESSION_LENGTH_BYTES_MAX`] bytes;
//! 2. syntax (`syntax.rs`, over `lexer.rs`'s tokens), including redundant
//!    parentheses, then the operator count
//!    ([`EXPRESSION_OPERATOR_COUNT_MAX`]);
//! 3. the semantic passes of `semantics.rs`: words (reserved names, list
//!    indexes, functions and where they may stand), then placeholders,
//!    path depth, operand counts and the types of literal values, paths
//!    that overlap or conflict;
//! 4. for a KeyConditionExpression, the key rules of `key_condition.rs`.
//!
//! Placeholders are resolved only through [`ExpressionContext`], which
//! records what each expression used; `placeholders.rs` checks the maps
//! themselves and, at the end, that nothing went unused. Nothing here
//! recurses deeper than the syntax parser's [`syntax::NESTING_DEPTH_MAX`],
//! and no input makes it panic. Pure code, usable from any thread.

mod key_condition;
mod placeholders;
mod semantics;
mod syntax;
#[cfg(test)]
mod tests;

use super::ast::{Condition, KeyCondition, Path, Projection, UpdateExpression};
use super::lexer::{self, Keyword, Token, TokenKind};
use super::{ExpressionContext, ExpressionKind, messages};
use crate::limits::{EXPRESSION_LENGTH_BYTES_MAX, EXPRESSION_OPERATOR_COUNT_MAX};
use crate::model::TableSchema;
use crate::{Error, Result};

pub(super) use placeholders::{check_all_used, check_placeholder_maps};
use semantics::Checker;
use syntax::{SyntaxFailure, SyntaxParser};

/// DynamoDB's error about the expression of `kind`.
fn invalid(kind: ExpressionKind, detail: &str) -> Error {
    Error::validation(messages::invalid_expression(kind, detail))
}

/// The tokens of `text`, after the checks on the string itself.
fn tokens_of(kind: ExpressionKind, text: &str) -> Result<Vec<Token>> {
    if text.is_empty() {
        return Err(invalid(kind, messages::EMPTY_EXPRESSION));
    }
    if text.len() > EXPRESSION_LENGTH_BYTES_MAX {
        return Err(invalid(kind, &messages::expression_too_long(text.len())));
    }
    Ok(lexer::tokenize(text))
}

/// Parses with `parse`, turning a syntax failure into DynamoDB's message
/// and checking the operator count of what parsed.
fn parse_syntax<'t, T>(
    kind: ExpressionKind,
    text: &str,
    tokens: &'t [Token],
    parse: impl FnOnce(&mut SyntaxParser<'t>) -> Result<T, SyntaxFailure>,
) -> Result<T> {
    let mut parser = SyntaxParser::new(tokens);
    let parsed = parse(&mut parser).map_err(|failure| {
        let detail = match failure {
            SyntaxFailure::UnexpectedToken(index) => lexer::syntax_error(text, tokens, index),
            SyntaxFailure::RedundantParentheses => messages::REDUNDANT_PARENTHESES.to_string(),
            SyntaxFailure::TooDeep => too_deep_detail(text, tokens),
        };
        invalid(kind, &detail)
    })?;
    if parser.operator_count() > EXPRESSION_OPERATOR_COUNT_MAX {
        return Err(invalid(
            kind,
            &messages::too_many_operators(parser.operator_count()),
        ));
    }
    Ok(parsed)
}

/// The message for an expression nested deeper than the parser follows.
///
/// Such an expression is invalid whatever else it holds (see
/// [`syntax::NESTING_DEPTH_MAX`]); this picks what DynamoDB, which reads it
/// all, would most likely say, from the tokens alone: too many operators
/// if it has them, else a syntax error at an unbalanced parenthesis, else
/// (balanced, few operators, deep) redundant parentheses.
fn too_deep_detail(text: &str, tokens: &[Token]) -> String {
    let operator_count = tokens
        .iter()
        .enumerate()
        .filter(|(index, token)| match token.kind {
            TokenKind::Comparator(_)
            | TokenKind::Plus
            | TokenKind::Minus
            | TokenKind::Keyword(
                Keyword::And | Keyword::Or | Keyword::Not | Keyword::Between | Keyword::In,
            ) => true,
            TokenKind::Name => tokens
                .get(index + 1)
                .is_some_and(|next| next.kind == TokenKind::OpenParenthesis),
            _ => false,
        })
        .count();
    if operator_count > EXPRESSION_OPERATOR_COUNT_MAX {
        return messages::too_many_operators(operator_count);
    }
    let mut open_count: usize = 0;
    for (index, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::OpenParenthesis => open_count += 1,
            TokenKind::CloseParenthesis if open_count == 0 => {
                return lexer::syntax_error(text, tokens, index);
            }
            TokenKind::CloseParenthesis => open_count -= 1,
            TokenKind::End if open_count > 0 => return lexer::syntax_error(text, tokens, index),
            _ => {}
        }
    }
    messages::REDUNDANT_PARENTHESES.to_string()
}

/// Parses a ConditionExpression or FilterExpression (`kind` names it in
/// messages).
pub(super) fn parse_condition(
    context: &mut ExpressionContext<'_>,
    kind: ExpressionKind,
    text: &str,
) -> Result<Condition> {
    let tokens = tokens_of(kind, text)?;
    let raw = parse_syntax(kind, text, &tokens, SyntaxParser::condition_expression)?;
    let mut checker = Checker::new(context, kind, text, &tokens);
    checker.condition_words(&raw)?;
    checker.lower_condition(&raw).map(|condition| *condition)
}

/// Parses an UpdateExpression.
pub(super) fn parse_update(
    context: &mut ExpressionContext<'_>,
    text: &str,
) -> Result<UpdateExpression> {
    let kind = ExpressionKind::Update;
    let tokens = tokens_of(kind, text)?;
    let clauses = parse_syntax(kind, text, &tokens, SyntaxParser::update_expression)?;
    Checker::new(context, kind, text, &tokens).update(&clauses)
}

/// Parses a ProjectionExpression.
pub(super) fn parse_projection(
    context: &mut ExpressionContext<'_>,
    text: &str,
) -> Result<Projection> {
    let kind = ExpressionKind::Projection;
    let tokens = tokens_of(kind, text)?;
    let paths = parse_syntax(kind, text, &tokens, SyntaxParser::projection_expression)?;
    let paths = Checker::new(context, kind, text, &tokens).projection(&paths)?;
    Ok(Projection { paths })
}

/// Parses a KeyConditionExpression and checks it against `schema`.
pub(super) fn parse_key_condition(
    context: &mut ExpressionContext<'_>,
    text: &str,
    schema: &TableSchema,
) -> Result<KeyCondition> {
    let condition = parse_condition(context, ExpressionKind::KeyCondition, text)?;
    key_condition::key_condition(&condition, schema)
}

impl UpdateExpression {
    /// Checks that no action touches a key attribute of `schema` (SET,
    /// REMOVE, ADD, DELETE, in that order), as DynamoDB's UpdateItem does.
    ///
    /// # Errors
    /// `Validation`: "One or more parameter values were invalid: Cannot
    /// update attribute X. This attribute is part of the key".
    pub fn check_no_key_attributes(&self, schema: &TableSchema) -> Result<()> {
        let key_names = std::iter::once(&schema.partition_key)
            .chain(schema.sort_key.as_ref())
            .map(|key| key.name.as_str());
        let key_names: Vec<&str> = key_names.collect();
        for path in self.action_paths() {
            let name = Path::top_level_name(path);
            if key_names.contains(&name) {
                return Err(Error::validation(messages::key_attribute_updated(name)));
            }
        }
        Ok(())
    }
}
