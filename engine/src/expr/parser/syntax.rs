//! The grammar of DynamoDB's expressions: a recursive-descent parser from
//! tokens to a raw syntax tree that still holds token indexes (names,
//! placeholders, list indexes are resolved later, by `semantics.rs`).
//!
//! Precedence, loosest first: OR, AND, NOT, then the comparisons (`=` and
//! friends, BETWEEN, IN) and function conditions, whose operands are paths,
//! `:values`, function calls and parenthesized operands. AND, OR and NOT
//! are read in one loop per level of parentheses; only parentheses, `IN`
//! lists and function arguments recurse (two or three frames a level), and
//! each level counts against [`NESTING_DEPTH_MAX`], so hostile input cannot
//! exhaust the stack. Two parentheses directly around
//! the same thing are DynamoDB's "redundant parentheses" error, reported as
//! soon as the outer one closes, as DynamoDB does.

use super::super::ast::Comparator;
use super::super::lexer::{Keyword, Token, TokenKind};
use crate::limits::EXPRESSION_OPERATOR_COUNT_MAX;

/// Deepest nesting of parentheses, `IN` lists and function arguments the
/// parser follows. Between two nested parentheses there must be an operator (or
/// they are redundant), so an expression nested deeper than this has more
/// than [`EXPRESSION_OPERATOR_COUNT_MAX`] operators and would be rejected
/// anyway: the bound never refuses a valid expression.
pub(super) const NESTING_DEPTH_MAX: usize = 2 * EXPRESSION_OPERATOR_COUNT_MAX + 2;

/// Why the token stream is not an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SyntaxFailure {
    /// DynamoDB's syntax error at this token index.
    UnexpectedToken(usize),
    /// `((x))`.
    RedundantParentheses,
    /// Nesting beyond [`NESTING_DEPTH_MAX`]; the caller picks DynamoDB's message.
    TooDeep,
}

type Parse<T> = Result<T, SyntaxFailure>;

/// One step of a raw document path; each holds its token's index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RawPathElement {
    /// A bare attribute name.
    Name(usize),
    /// `#name`
    NamePlaceholder(usize),
    /// `[digits]` (the digits' token).
    Index(usize),
}

/// A document path as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawPath {
    /// The steps, outermost first; never empty.
    pub(super) elements: Vec<RawPathElement>,
}

/// A function call as written: `name(arguments)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawCall {
    /// The function name's token index.
    pub(super) name: usize,
    /// The arguments (at least one: DynamoDB has no nullary functions).
    pub(super) arguments: Vec<RawOperand>,
}

/// An operand as written (parentheses around it are gone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RawOperand {
    /// A document path.
    Path(RawPath),
    /// A `:value` (its token index).
    Value(usize),
    /// A function call.
    Call(RawCall),
}

/// A condition as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RawCondition {
    /// `left <comparator> right`
    Compare {
        /// The left operand.
        left: RawOperand,
        /// The comparator.
        comparator: Comparator,
        /// The right operand.
        right: RawOperand,
    },
    /// `value BETWEEN low AND high`
    Between {
        /// The value tested.
        value: RawOperand,
        /// The lower bound.
        low: RawOperand,
        /// The upper bound.
        high: RawOperand,
    },
    /// `value IN (candidates)`
    In {
        /// The value tested.
        value: RawOperand,
        /// The candidates (at least one).
        candidates: Vec<RawOperand>,
    },
    /// `left AND right`
    And(Box<RawCondition>, Box<RawCondition>),
    /// `left OR right`
    Or(Box<RawCondition>, Box<RawCondition>),
    /// `NOT inner`
    Not(Box<RawCondition>),
    /// A function used as a condition: `begins_with(a, :v)`.
    Call(RawCall),
}

/// The right-hand side of a SET action as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RawSetValue {
    /// `operand`
    Operand(RawOperand),
    /// `left + right`
    Plus(RawOperand, RawOperand),
    /// `left - right`
    Minus(RawOperand, RawOperand),
}

/// Which clause of an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClauseKind {
    /// `SET`
    Set,
    /// `REMOVE`
    Remove,
    /// `ADD`
    Add,
    /// `DELETE`
    Delete,
}

impl ClauseKind {
    /// The keyword as DynamoDB's messages spell it.
    pub(super) fn keyword(self) -> &'static str {
        match self {
            ClauseKind::Set => "SET",
            ClauseKind::Remove => "REMOVE",
            ClauseKind::Add => "ADD",
            ClauseKind::Delete => "DELETE",
        }
    }
}

/// What one update action does besides naming its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RawActionValue {
    /// REMOVE: nothing.
    None,
    /// SET: the value.
    Set(RawSetValue),
    /// ADD, DELETE: a `:value` (its token index).
    Value(usize),
}

/// One action of an update clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawAction {
    /// The path the action changes.
    pub(super) path: RawPath,
    /// Its value, by clause.
    pub(super) value: RawActionValue,
}

/// One clause of an update: its keyword and actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawClause {
    /// Which clause.
    pub(super) kind: ClauseKind,
    /// The actions, in the order written (at least one).
    pub(super) actions: Vec<RawAction>,
}

/// A parsed condition-position construct: a condition, or (directly inside
/// parentheses) an operand whose comparison follows the closing parenthesis.
///
/// Both are boxed so that the recursive frames, which pass these along,
/// stay small (AND, OR and NOT box their operands anyway).
enum Parsed {
    Condition {
        condition: Box<RawCondition>,
        /// Whether this is exactly a parenthesized group, `( ... )`.
        parenthesized: bool,
    },
    Operand {
        operand: Box<RawOperand>,
        parenthesized: bool,
    },
}

/// The parser's state over one token stream.
#[derive(Debug)]
pub(super) struct SyntaxParser<'t> {
    tokens: &'t [Token],
    position: usize,
    depth: usize,
    operator_count: usize,
}

impl<'t> SyntaxParser<'t> {
    /// A parser over `tokens`, which must end with [`TokenKind::End`] (as
    /// `lexer::tokenize` guarantees).
    pub(super) fn new(tokens: &'t [Token]) -> Self {
        SyntaxParser {
            tokens,
            position: 0,
            depth: 0,
            operator_count: 0,
        }
    }

    /// Operators and functions seen so far (comparators, AND, OR, NOT,
    /// BETWEEN, IN, `+`, `-` and function calls).
    pub(super) fn operator_count(&self) -> usize {
        self.operator_count
    }

    /// A whole ConditionExpression, FilterExpression or KeyConditionExpression.
    pub(super) fn condition_expression(&mut self) -> Parse<RawCondition> {
        let parsed = self.or_condition(false)?;
        self.expect_end()?;
        self.condition_of(parsed).map(|condition| *condition)
    }

    /// A whole UpdateExpression: one or more clauses.
    pub(super) fn update_expression(&mut self) -> Parse<Vec<RawClause>> {
        let mut clauses = Vec::new();
        loop {
            let kind = match self.peek() {
                TokenKind::Keyword(Keyword::Set) => ClauseKind::Set,
                TokenKind::Keyword(Keyword::Remove) => ClauseKind::Remove,
                TokenKind::Keyword(Keyword::Add) => ClauseKind::Add,
                TokenKind::Keyword(Keyword::Delete) => ClauseKind::Delete,
                _ => return self.fail(),
            };
            self.advance();
            let mut actions = vec![self.update_action(kind)?];
            while self.peek() == TokenKind::Comma {
                self.advance();
                actions.push(self.update_action(kind)?);
            }
            clauses.push(RawClause { kind, actions });
            if self.peek() == TokenKind::End {
                return Ok(clauses);
            }
        }
    }

    /// A whole ProjectionExpression: comma-separated paths.
    pub(super) fn projection_expression(&mut self) -> Parse<Vec<RawPath>> {
        let mut paths = vec![self.path()?];
        while self.peek() == TokenKind::Comma {
            self.advance();
            paths.push(self.path()?);
        }
        self.expect_end()?;
        Ok(paths)
    }

    fn peek(&self) -> TokenKind {
        self.peek_ahead(0)
    }

    fn peek_ahead(&self, offset: usize) -> TokenKind {
        self.tokens
            .get(self.position + offset)
            .map_or(TokenKind::End, |token| token.kind)
    }

    /// Consumes the current token (never past the end) and returns its index.
    fn advance(&mut self) -> usize {
        let index = self.position;
        if self.position + 1 < self.tokens.len() {
            self.position += 1;
        }
        index
    }

    fn fail<T>(&self) -> Parse<T> {
        Err(SyntaxFailure::UnexpectedToken(self.position))
    }

    fn expect(&mut self, kind: TokenKind) -> Parse<usize> {
        if self.peek() == kind {
            Ok(self.advance())
        } else {
            self.fail()
        }
    }

    fn expect_end(&self) -> Parse<()> {
        if self.peek() == TokenKind::End {
            Ok(())
        } else {
            self.fail()
        }
    }

    fn enter(&mut self) -> Parse<()> {
        self.depth += 1;
        if self.depth > NESTING_DEPTH_MAX {
            return Err(SyntaxFailure::TooDeep);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn count_operator(&mut self) {
        self.operator_count = self.operator_count.saturating_add(1);
    }

    fn condition_of(&self, parsed: Parsed) -> Parse<Box<RawCondition>> {
        match parsed {
            Parsed::Condition { condition, .. } => Ok(condition),
            // Only returned before a `)`, so no caller reaches this; a
            // syntax error is still the honest answer if one did.
            Parsed::Operand { .. } => self.fail(),
        }
    }

    /// A whole condition at one level of parentheses: `term ((AND | OR)
    /// term)*`, where a term is `NOT* primary`. AND binds tighter than OR,
    /// NOT tighter than both; all of it is read in this one loop, so only
    /// parentheses recurse. `operand_allowed`: directly inside parentheses,
    /// a lone operand may stand for the start of a comparison.
    fn or_condition(&mut self, operand_allowed: bool) -> Parse<Parsed> {
        // The AND chains already closed by an OR, and the one being read.
        let mut or_terms: Vec<Box<RawCondition>> = Vec::new();
        let mut and_chain: Option<Box<RawCondition>> = None;
        // Whether the first term is a parenthesized group (with no NOT).
        let mut first_term_parenthesized = false;
        let mut term_count = 0usize;
        loop {
            let mut not_count = 0usize;
            while self.peek() == TokenKind::Keyword(Keyword::Not) {
                self.advance();
                self.count_operator();
                not_count += 1;
            }
            let first_bare_term = term_count == 0 && not_count == 0;
            term_count += 1;
            let mut condition = match self.primary_condition(operand_allowed && first_bare_term)? {
                // Only returned right before a `)`: nothing else follows.
                parsed @ Parsed::Operand { .. } => return Ok(parsed),
                Parsed::Condition {
                    condition,
                    parenthesized,
                } => {
                    first_term_parenthesized |= first_bare_term && parenthesized;
                    condition
                }
            };
            for _ in 0..not_count {
                condition = Box::new(RawCondition::Not(condition));
            }
            and_chain = Some(match and_chain.take() {
                None => condition,
                Some(left) => Box::new(RawCondition::And(left, condition)),
            });
            match self.peek() {
                TokenKind::Keyword(Keyword::And) => {}
                TokenKind::Keyword(Keyword::Or) => or_terms.extend(and_chain.take()),
                _ => break,
            }
            self.advance();
            self.count_operator();
        }
        or_terms.extend(and_chain);
        let mut terms = or_terms.into_iter();
        let Some(first) = terms.next() else {
            return self.fail();
        };
        let condition = terms.fold(first, |left, right| Box::new(RawCondition::Or(left, right)));
        Ok(Parsed::Condition {
            condition,
            parenthesized: term_count == 1 && first_term_parenthesized,
        })
    }

    /// `( or )`, or a comparison or function condition.
    fn primary_condition(&mut self, operand_allowed: bool) -> Parse<Parsed> {
        if self.peek() != TokenKind::OpenParenthesis {
            let operand = Box::new(self.operand()?);
            return self.comparison_rest(operand, false, operand_allowed);
        }
        self.enter()?;
        self.advance();
        let inner = self.or_condition(true)?;
        self.expect(TokenKind::CloseParenthesis)?;
        self.leave();
        match inner {
            Parsed::Condition {
                parenthesized: true,
                ..
            }
            | Parsed::Operand {
                parenthesized: true,
                ..
            } => Err(SyntaxFailure::RedundantParentheses),
            Parsed::Condition { condition, .. } => Ok(Parsed::Condition {
                condition,
                parenthesized: true,
            }),
            Parsed::Operand { operand, .. } => self.comparison_rest(operand, true, operand_allowed),
        }
    }

    /// What follows a condition's first operand: a comparator, BETWEEN or
    /// IN; nothing if the operand is a function call used as a condition;
    /// or, when `operand_allowed`, a `)` closing around the operand.
    ///
    /// Never inlined: its large temporaries then stay out of the frames of
    /// the recursion through parentheses.
    #[inline(never)]
    fn comparison_rest(
        &mut self,
        left: Box<RawOperand>,
        parenthesized: bool,
        operand_allowed: bool,
    ) -> Parse<Parsed> {
        let condition = match self.peek() {
            TokenKind::Comparator(comparator) => {
                self.advance();
                self.count_operator();
                let right = self.operand()?;
                RawCondition::Compare {
                    left: *left,
                    comparator,
                    right,
                }
            }
            TokenKind::Keyword(Keyword::Between) => {
                self.advance();
                self.count_operator();
                let low = self.operand()?;
                self.expect(TokenKind::Keyword(Keyword::And))?;
                let high = self.operand()?;
                RawCondition::Between {
                    value: *left,
                    low,
                    high,
                }
            }
            TokenKind::Keyword(Keyword::In) => {
                self.advance();
                self.count_operator();
                self.expect(TokenKind::OpenParenthesis)?;
                self.enter()?;
                let candidates = self.operand_list()?;
                self.expect(TokenKind::CloseParenthesis)?;
                self.leave();
                RawCondition::In {
                    value: *left,
                    candidates,
                }
            }
            TokenKind::CloseParenthesis if operand_allowed => {
                return Ok(Parsed::Operand {
                    operand: left,
                    parenthesized,
                });
            }
            _ => match *left {
                RawOperand::Call(call) => {
                    return Ok(Parsed::Condition {
                        condition: Box::new(RawCondition::Call(call)),
                        parenthesized,
                    });
                }
                _ => return self.fail(),
            },
        };
        Ok(Parsed::Condition {
            condition: Box::new(condition),
            parenthesized: false,
        })
    }

    /// `operand (, operand)*`
    fn operand_list(&mut self) -> Parse<Vec<RawOperand>> {
        let mut operands = vec![self.operand()?];
        while self.peek() == TokenKind::Comma {
            self.advance();
            operands.push(self.operand()?);
        }
        Ok(operands)
    }

    /// A path, `:value`, function call or parenthesized operand.
    fn operand(&mut self) -> Parse<RawOperand> {
        self.operand_parenthesized().map(|(operand, _)| operand)
    }

    /// [`Self::operand`], and whether it was in parentheses.
    fn operand_parenthesized(&mut self) -> Parse<(RawOperand, bool)> {
        match self.peek() {
            TokenKind::ValuePlaceholder => Ok((RawOperand::Value(self.advance()), false)),
            TokenKind::OpenParenthesis => {
                self.enter()?;
                self.advance();
                let (inner, inner_parenthesized) = self.operand_parenthesized()?;
                self.expect(TokenKind::CloseParenthesis)?;
                self.leave();
                if inner_parenthesized {
                    return Err(SyntaxFailure::RedundantParentheses);
                }
                Ok((inner, true))
            }
            TokenKind::Name if self.peek_ahead(1) == TokenKind::OpenParenthesis => {
                let name = self.advance();
                self.advance();
                self.count_operator();
                self.enter()?;
                let arguments = self.operand_list()?;
                self.expect(TokenKind::CloseParenthesis)?;
                self.leave();
                Ok((RawOperand::Call(RawCall { name, arguments }), false))
            }
            TokenKind::Name | TokenKind::NamePlaceholder => {
                Ok((RawOperand::Path(self.path()?), false))
            }
            _ => self.fail(),
        }
    }

    /// `name ( . name | [ integer ] )*`, where a name may be a `#name`.
    fn path(&mut self) -> Parse<RawPath> {
        let first = match self.peek() {
            TokenKind::Name => RawPathElement::Name(self.advance()),
            TokenKind::NamePlaceholder => RawPathElement::NamePlaceholder(self.advance()),
            _ => return self.fail(),
        };
        let mut elements = vec![first];
        loop {
            match self.peek() {
                TokenKind::Dot => {
                    self.advance();
                    let element = match self.peek() {
                        TokenKind::Name => RawPathElement::Name(self.advance()),
                        TokenKind::NamePlaceholder => {
                            RawPathElement::NamePlaceholder(self.advance())
                        }
                        _ => return self.fail(),
                    };
                    elements.push(element);
                }
                TokenKind::OpenBracket => {
                    self.advance();
                    let index = self.expect(TokenKind::Integer)?;
                    self.expect(TokenKind::CloseBracket)?;
                    elements.push(RawPathElement::Index(index));
                }
                _ => return Ok(RawPath { elements }),
            }
        }
    }

    /// One action of a `kind` clause.
    fn update_action(&mut self, kind: ClauseKind) -> Parse<RawAction> {
        let path = self.path()?;
        let value = match kind {
            ClauseKind::Remove => RawActionValue::None,
            ClauseKind::Add | ClauseKind::Delete => {
                RawActionValue::Value(self.expect(TokenKind::ValuePlaceholder)?)
            }
            ClauseKind::Set => {
                self.expect(TokenKind::Comparator(Comparator::Eq))?;
                let left = self.operand()?;
                let value = match self.peek() {
                    TokenKind::Plus => {
                        self.advance();
                        self.count_operator();
                        RawSetValue::Plus(left, self.operand()?)
                    }
                    TokenKind::Minus => {
                        self.advance();
                        self.count_operator();
                        RawSetValue::Minus(left, self.operand()?)
                    }
                    _ => RawSetValue::Operand(left),
                };
                RawActionValue::Set(value)
            }
        };
        Ok(RawAction { path, value })
    }
}
