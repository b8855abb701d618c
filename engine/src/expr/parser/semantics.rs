//! The checks DynamoDB makes on a syntactically valid expression, in
//! DynamoDB's order, and the lowering of the raw tree into `ast` types.
//!
//! Order (each pass stops at the first problem): first, in the order the
//! expression is written, reserved words, list-index ranges, function names
//! and where each function may be used; then placeholders (each `#name` and
//! `:value` is resolved through the request's [`ExpressionContext`], which
//! records it as used), path depth, operand counts and the types of literal
//! values. Updates check repeated clauses after the first pass and
//! overlapping paths before the values, and their values last action first,
//! as DynamoDB does. The passes recurse over the raw tree, whose depth is
//! bounded by the syntax parser's nesting bound and by the operator limit,
//! checked before these passes run.

use std::cmp::Ordering;

use super::super::ast::{
    Comparator, Condition, Operand, Path, PathElement, SetAction, SetOperand, SetOrNumberAction,
    SetValue, UpdateExpression,
};
use super::super::lexer::Token;
use super::super::reserved::is_reserved_word;
use super::super::{ExpressionContext, ExpressionKind, messages};
use super::syntax::{
    ClauseKind, RawAction, RawActionValue, RawCall, RawClause, RawCondition, RawOperand, RawPath,
    RawPathElement, RawSetValue,
};
use crate::limits::{DOCUMENT_PATH_DEPTH_MAX, IN_CANDIDATE_COUNT_MAX};
use crate::model::AttributeValue;
use crate::{Error, Result};

/// The largest list index DynamoDB takes (a Java `int`).
const LIST_INDEX_MAX: u64 = i32::MAX as u64;

/// The type names `attribute_type` accepts.
const ATTRIBUTE_TYPE_NAMES: [&str; 10] =
    ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];

/// DynamoDB's functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Contains,
    Size,
    IfNotExists,
    ListAppend,
}

impl Function {
    /// The function called `name` (case-sensitive, as in DynamoDB).
    fn from_name(name: &str) -> Option<Function> {
        Some(match name {
            "attribute_exists" => Function::AttributeExists,
            "attribute_not_exists" => Function::AttributeNotExists,
            "attribute_type" => Function::AttributeType,
            "begins_with" => Function::BeginsWith,
            "contains" => Function::Contains,
            "size" => Function::Size,
            "if_not_exists" => Function::IfNotExists,
            "list_append" => Function::ListAppend,
            _ => return None,
        })
    }

    /// Functions that are conditions by themselves.
    fn is_condition(self) -> bool {
        matches!(
            self,
            Function::AttributeExists
                | Function::AttributeNotExists
                | Function::AttributeType
                | Function::BeginsWith
                | Function::Contains
        )
    }

    /// Functions of an update's SET values.
    fn is_update(self) -> bool {
        matches!(self, Function::IfNotExists | Function::ListAppend)
    }

    /// How many operands the function takes.
    fn operand_count(self) -> usize {
        match self {
            Function::AttributeExists | Function::AttributeNotExists | Function::Size => 1,
            _ => 2,
        }
    }
}

/// Where an operand or call stands in a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Where a condition is expected.
    Condition,
    /// Inside a condition, as an operand.
    Operand,
}

/// `path` as DynamoDB prints it in messages: `[a, b, [0]]`.
pub(super) fn path_text(path: &Path) -> String {
    let elements: Vec<String> = path
        .elements
        .iter()
        .map(|element| match element {
            PathElement::Attribute(name) => name.clone(),
            PathElement::Index(index) => format!("[{index}]"),
        })
        .collect();
    format!("[{}]", elements.join(", "))
}

/// DynamoDB's long type name, as in ADD and DELETE operand messages.
fn long_type_name(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "STRING",
        AttributeValue::N(_) => "NUMBER",
        AttributeValue::B(_) => "BINARY",
        AttributeValue::Bool(_) => "BOOLEAN",
        AttributeValue::Null => "NULL",
        AttributeValue::L(_) => "LIST",
        AttributeValue::M(_) => "MAP",
        AttributeValue::Ss(_) => "STRING_SET",
        AttributeValue::Ns(_) => "NUMBER_SET",
        AttributeValue::Bs(_) => "BINARY_SET",
    }
}

/// A condition operand's type when the parser can know it: a literal's, or N
/// for `size()`; `None` for a path, whose type depends on the item.
fn static_type(operand: &Operand) -> Option<&'static str> {
    match operand {
        Operand::Value(value) => Some(value.type_name()),
        Operand::Size(_) => Some("N"),
        Operand::Path(_) => None,
    }
}

/// A SET operand's type when it is a literal.
fn set_operand_type(operand: &SetOperand) -> Option<&'static str> {
    match operand {
        SetOperand::Value(value) => Some(value.type_name()),
        _ => None,
    }
}

/// How a BETWEEN bound shows in DynamoDB's messages.
fn between_bound_text(value: &AttributeValue) -> String {
    let shown = match value {
        AttributeValue::S(text) => text.clone(),
        AttributeValue::N(number) => number.to_string(),
        AttributeValue::B(bytes) => messages::java_byte_buffer(bytes.len()),
        other => other.type_name().to_string(),
    };
    messages::between_bound(value.type_name(), &shown)
}

/// The order of two bounds of one scalar type; `None` for other types.
fn bound_order(low: &AttributeValue, high: &AttributeValue) -> Option<Ordering> {
    match (low, high) {
        (AttributeValue::S(low), AttributeValue::S(high)) => {
            Some(low.as_bytes().cmp(high.as_bytes()))
        }
        (AttributeValue::N(low), AttributeValue::N(high)) => Some(low.cmp(high)),
        (AttributeValue::B(low), AttributeValue::B(high)) => Some(low.cmp(high)),
        _ => None,
    }
}

/// The checks and lowering of one expression, over its tokens.
pub(super) struct Checker<'p, 'a> {
    context: &'p mut ExpressionContext<'a>,
    kind: ExpressionKind,
    /// Whether the expression is an update (its functions and checks differ).
    update: bool,
    source: &'p str,
    tokens: &'p [Token],
}

impl<'p, 'a> Checker<'p, 'a> {
    /// A checker for the expression `source` of `kind`, split into `tokens`.
    pub(super) fn new(
        context: &'p mut ExpressionContext<'a>,
        kind: ExpressionKind,
        source: &'p str,
        tokens: &'p [Token],
    ) -> Self {
        Checker {
            context,
            kind,
            update: kind == ExpressionKind::Update,
            source,
            tokens,
        }
    }

    /// DynamoDB's error for this expression: "Invalid <Parameter>: <detail>".
    fn error(&self, detail: String) -> Error {
        Error::validation(messages::invalid_expression(self.kind, &detail))
    }

    fn text(&self, token: usize) -> &'p str {
        self.tokens
            .get(token)
            .map_or("", |token| token.text(self.source))
    }

    fn is_update(&self) -> bool {
        self.update
    }

    // ----- first pass: words, in the order written ----------------------

    /// Reserved words and list indexes of `path`.
    fn path_words(&self, path: &RawPath) -> Result<()> {
        for element in &path.elements {
            match *element {
                RawPathElement::Name(token) => {
                    let name = self.text(token);
                    if is_reserved_word(name) {
                        return Err(self.error(messages::reserved_keyword(name)));
                    }
                }
                RawPathElement::Index(token) => {
                    self.list_index(token)?;
                }
                RawPathElement::NamePlaceholder(_) => {}
            }
        }
        Ok(())
    }

    /// The value of a list-index token, within DynamoDB's range.
    fn list_index(&self, token: usize) -> Result<usize> {
        let digits = self.text(token);
        // Ten digits hold any `int`; more cannot be in range (and a `u64`
        // parse of them could overflow).
        let value = if digits.len() <= 10 {
            digits.parse::<u64>().ok()
        } else {
            None
        };
        match value {
            Some(value) if value <= LIST_INDEX_MAX => usize::try_from(value)
                .map_err(|_| self.error(messages::list_index_out_of_range(digits))),
            _ => Err(self.error(messages::list_index_out_of_range(digits))),
        }
    }

    fn operand_words(&self, operand: &RawOperand) -> Result<()> {
        match operand {
            RawOperand::Path(path) => self.path_words(path),
            RawOperand::Value(_) => Ok(()),
            RawOperand::Call(call) => self.call_words(call, Place::Operand),
        }
    }

    /// The function's name and place, its operand count (conditions check
    /// it here, updates with the values), then its operands.
    fn call_words(&self, call: &RawCall, place: Place) -> Result<()> {
        let name = self.text(call.name);
        let Some(function) = Function::from_name(name) else {
            return Err(self.error(messages::unknown_function(name)));
        };
        if self.is_update() {
            if !function.is_update() {
                return Err(self.error(messages::function_not_allowed_in_update(name)));
            }
        } else {
            if function.is_update() {
                return Err(self.error(messages::function_not_allowed_in_condition(name)));
            }
            if (place == Place::Condition) != function.is_condition() {
                return Err(self.error(messages::function_used_this_way(name)));
            }
            self.check_operand_count(function, call)?;
        }
        for argument in &call.arguments {
            self.operand_words(argument)?;
        }
        Ok(())
    }

    fn check_operand_count(&self, function: Function, call: &RawCall) -> Result<()> {
        if call.arguments.len() != function.operand_count() {
            return Err(self.error(messages::operand_count(
                self.text(call.name),
                call.arguments.len(),
            )));
        }
        Ok(())
    }

    /// First pass over a condition. Only AND, OR and NOT recurse here, in a
    /// small frame; leaves are checked by [`Self::leaf_words`].
    pub(super) fn condition_words(&self, condition: &RawCondition) -> Result<()> {
        match condition {
            RawCondition::And(left, right) | RawCondition::Or(left, right) => {
                self.condition_words(left)?;
                self.condition_words(right)
            }
            RawCondition::Not(inner) => self.condition_words(inner),
            leaf => self.leaf_words(leaf),
        }
    }

    #[inline(never)]
    fn leaf_words(&self, condition: &RawCondition) -> Result<()> {
        match condition {
            RawCondition::Compare { left, right, .. } => {
                self.operand_words(left)?;
                self.operand_words(right)
            }
            RawCondition::Between { value, low, high } => {
                self.operand_words(value)?;
                self.operand_words(low)?;
                self.operand_words(high)
            }
            RawCondition::In { value, candidates } => {
                self.operand_words(value)?;
                candidates
                    .iter()
                    .try_for_each(|candidate| self.operand_words(candidate))
            }
            RawCondition::Call(call) => self.call_words(call, Place::Condition),
            RawCondition::And(..) | RawCondition::Or(..) | RawCondition::Not(_) => {
                self.condition_words(condition)
            }
        }
    }

    // ----- second pass: placeholders, depth, types -----------------------

    /// The path with its `#names` resolved; [`Self::lower_path`] checks
    /// its depth first.
    fn resolve_path(&mut self, path: &RawPath) -> Result<Path> {
        let mut elements = Vec::with_capacity(path.elements.len());
        for element in &path.elements {
            elements.push(match *element {
                RawPathElement::Name(token) => PathElement::Attribute(self.text(token).to_string()),
                RawPathElement::NamePlaceholder(token) => {
                    let placeholder = self.text(token);
                    match self.context.resolve_name(placeholder) {
                        Some(name) => PathElement::Attribute(name.to_string()),
                        None => return Err(self.error(messages::undefined_name(placeholder))),
                    }
                }
                RawPathElement::Index(token) => PathElement::Index(self.list_index(token)?),
            });
        }
        Ok(Path { elements })
    }

    /// The path checked for depth, then resolved (DynamoDB checks in
    /// that order).
    fn lower_path(&mut self, path: &RawPath) -> Result<Path> {
        if path.elements.len() > DOCUMENT_PATH_DEPTH_MAX {
            return Err(self.error(messages::path_too_deep(path.elements.len())));
        }
        self.resolve_path(path)
    }

    /// The value a `:placeholder` token stands for.
    fn value(&mut self, token: usize) -> Result<AttributeValue> {
        let placeholder = self.text(token);
        match self.context.resolve_value(placeholder) {
            Some(value) => Ok(value.clone()),
            None => Err(self.error(messages::undefined_value(placeholder))),
        }
    }

    /// DynamoDB's rule that the first operand, when a path, appears in no
    /// later operand.
    fn check_distinct<'o>(
        &self,
        operator: &str,
        first: &Operand,
        rest: impl IntoIterator<Item = &'o Operand>,
    ) -> Result<()> {
        let Operand::Path(first_path) = first else {
            return Ok(());
        };
        for other in rest {
            if matches!(other, Operand::Path(other_path) if other_path == first_path) {
                return Err(self.error(messages::operands_not_distinct(
                    operator,
                    &path_text(first_path),
                )));
            }
        }
        Ok(())
    }

    /// Literal operands of `operator` must be of one of `allowed` types.
    fn check_types<'o>(
        &self,
        operator: &str,
        operands: impl IntoIterator<Item = &'o Operand>,
        allowed: &[&str],
    ) -> Result<()> {
        for operand in operands {
            if let Some(type_name) = static_type(operand)
                && !allowed.contains(&type_name)
            {
                return Err(self.error(messages::operand_type(operator, type_name)));
            }
        }
        Ok(())
    }

    fn lower_operand(&mut self, operand: &RawOperand) -> Result<Operand> {
        match operand {
            RawOperand::Path(path) => Ok(Operand::Path(self.lower_path(path)?)),
            RawOperand::Value(token) => Ok(Operand::Value(self.value(*token)?)),
            RawOperand::Call(call) => {
                // The first pass let only `size` through as an operand.
                let name = self.text(call.name);
                if Function::from_name(name) != Some(Function::Size) {
                    return Err(self.error(messages::function_used_this_way(name)));
                }
                let [argument] = call.arguments.as_slice() else {
                    return Err(self.error(messages::operand_count(name, call.arguments.len())));
                };
                let argument = self.lower_operand(argument)?;
                self.check_types("size", [&argument], &["S", "B", "SS", "NS", "BS", "L", "M"])?;
                Ok(Operand::Size(Box::new(argument)))
            }
        }
    }

    /// Second pass over a condition, building the `ast` tree. Only AND, OR
    /// and NOT recurse here, in a small frame that passes boxes (which those
    /// nodes hold anyway); leaves are lowered by [`Self::lower_leaf`].
    pub(super) fn lower_condition(&mut self, condition: &RawCondition) -> Result<Box<Condition>> {
        Ok(Box::new(match condition {
            RawCondition::And(left, right) => {
                Condition::And(self.lower_condition(left)?, self.lower_condition(right)?)
            }
            RawCondition::Or(left, right) => {
                Condition::Or(self.lower_condition(left)?, self.lower_condition(right)?)
            }
            RawCondition::Not(inner) => Condition::Not(self.lower_condition(inner)?),
            leaf => self.lower_leaf(leaf)?,
        }))
    }

    #[inline(never)]
    fn lower_leaf(&mut self, condition: &RawCondition) -> Result<Condition> {
        const ORDERED_TYPES: [&str; 3] = ["S", "N", "B"];
        match condition {
            RawCondition::Compare {
                left,
                comparator,
                right,
            } => {
                let left = self.lower_operand(left)?;
                let right = self.lower_operand(right)?;
                let operator = comparator_text(*comparator);
                self.check_distinct(operator, &left, [&right])?;
                if !matches!(comparator, Comparator::Eq | Comparator::Ne) {
                    self.check_types(operator, [&left, &right], &ORDERED_TYPES)?;
                }
                Ok(Condition::Compare {
                    left,
                    comparator: *comparator,
                    right,
                })
            }
            RawCondition::Between { value, low, high } => {
                let value = self.lower_operand(value)?;
                let low = self.lower_operand(low)?;
                let high = self.lower_operand(high)?;
                self.check_distinct("BETWEEN", &value, [&low, &high])?;
                self.check_types("BETWEEN", [&value, &low, &high], &ORDERED_TYPES)?;
                if let (Operand::Value(low), Operand::Value(high)) = (&low, &high) {
                    self.check_between_bounds(low, high)?;
                }
                Ok(Condition::Between { value, low, high })
            }
            RawCondition::In { value, candidates } => {
                let value = self.lower_operand(value)?;
                let candidates = candidates
                    .iter()
                    .map(|candidate| self.lower_operand(candidate))
                    .collect::<Result<Vec<_>>>()?;
                if candidates.len() > IN_CANDIDATE_COUNT_MAX {
                    return Err(self.error(messages::too_many_in_operands(candidates.len())));
                }
                self.check_distinct("IN", &value, &candidates)?;
                Ok(Condition::In { value, candidates })
            }
            RawCondition::Call(call) => self.lower_condition_call(call),
            RawCondition::And(..) | RawCondition::Or(..) | RawCondition::Not(_) => {
                self.lower_condition(condition).map(|condition| *condition)
            }
        }
    }

    fn check_between_bounds(&self, low: &AttributeValue, high: &AttributeValue) -> Result<()> {
        if low.type_name() != high.type_name() {
            return Err(self.error(messages::between_bound_types_differ(
                &between_bound_text(low),
                &between_bound_text(high),
            )));
        }
        if bound_order(low, high) == Some(Ordering::Greater) {
            return Err(self.error(messages::between_bounds_reversed(
                &between_bound_text(low),
                &between_bound_text(high),
            )));
        }
        Ok(())
    }

    /// A function used as a condition; the first pass checked its name and
    /// operand count.
    fn lower_condition_call(&mut self, call: &RawCall) -> Result<Condition> {
        let name = self.text(call.name);
        let Some(function) = Function::from_name(name).filter(|function| function.is_condition())
        else {
            return Err(self.error(messages::function_used_this_way(name)));
        };
        self.check_operand_count(function, call)?;
        let mut operands = call
            .arguments
            .iter()
            .map(|argument| self.lower_operand(argument))
            .collect::<Result<Vec<_>>>()?
            .into_iter();
        let (Some(first), second) = (operands.next(), operands.next()) else {
            return Err(self.error(messages::operand_count(name, call.arguments.len())));
        };
        let needs_path = matches!(
            function,
            Function::AttributeExists | Function::AttributeNotExists | Function::AttributeType
        );
        if needs_path && !matches!(first, Operand::Path(_)) {
            return Err(self.error(messages::requires_document_path(name)));
        }
        self.check_distinct(name, &first, second.as_ref())?;
        match (function, first, second) {
            (Function::AttributeExists, Operand::Path(path), None) => {
                Ok(Condition::AttributeExists(path))
            }
            (Function::AttributeNotExists, Operand::Path(path), None) => {
                Ok(Condition::AttributeNotExists(path))
            }
            (Function::AttributeType, Operand::Path(path), Some(type_operand)) => {
                let type_name = self.attribute_type_name(type_operand)?;
                Ok(Condition::AttributeType { path, type_name })
            }
            (Function::BeginsWith, value, Some(prefix)) => {
                self.check_types(name, [&value, &prefix], &["S", "B"])?;
                Ok(Condition::BeginsWith { value, prefix })
            }
            (Function::Contains, haystack, Some(needle)) => {
                Ok(Condition::Contains { haystack, needle })
            }
            _ => Err(self.error(messages::operand_count(name, call.arguments.len()))),
        }
    }

    /// `attribute_type`'s second operand: a string value naming a type.
    fn attribute_type_name(&self, operand: Operand) -> Result<String> {
        const NAME: &str = "attribute_type";
        match operand {
            Operand::Value(AttributeValue::S(type_name)) => {
                if ATTRIBUTE_TYPE_NAMES.contains(&type_name.as_str()) {
                    Ok(type_name)
                } else {
                    Err(self.error(messages::invalid_attribute_type_name(&type_name)))
                }
            }
            Operand::Value(other) => {
                Err(self.error(messages::operand_type(NAME, other.type_name())))
            }
            Operand::Size(_) => Err(self.error(messages::operand_type(NAME, "N"))),
            Operand::Path(_) => {
                Err(self.error(messages::operand_type(NAME, messages::ANY_OPERAND_TYPE)))
            }
        }
    }

    // ----- projections --------------------------------------------------

    /// Checks and lowers a projection's paths. Each path is validated and
    /// then compared with those before it, as DynamoDB builds its
    /// projection tree.
    pub(super) fn projection(&mut self, paths: &[RawPath]) -> Result<Vec<Path>> {
        for path in paths {
            self.path_words(path)?;
        }
        let mut lowered: Vec<Path> = Vec::with_capacity(paths.len());
        for path in paths {
            let path = self.lower_path(path)?;
            self.check_against_earlier(&lowered, &path)?;
            lowered.push(path);
        }
        Ok(lowered)
    }

    /// No two paths may overlap (one a prefix of the other, or equal) or
    /// conflict (one indexes what the other names as a map member). The
    /// earlier path is "path one" in DynamoDB's message.
    fn check_against_earlier(&self, earlier_paths: &[Path], later: &Path) -> Result<()> {
        for earlier in earlier_paths {
            if let Some(detail) = clash(earlier, later) {
                return Err(self.error(detail));
            }
        }
        Ok(())
    }

    /// [`Self::check_against_earlier`] for every path of `paths`.
    fn check_overlaps(&self, paths: &[Path]) -> Result<()> {
        for (index, later) in paths.iter().enumerate() {
            self.check_against_earlier(&paths[..index], later)?;
        }
        Ok(())
    }

    // ----- updates ------------------------------------------------------

    /// Checks and lowers an update's clauses.
    pub(super) fn update(&mut self, clauses: &[RawClause]) -> Result<UpdateExpression> {
        // First pass, a section (all clauses of one keyword) at a time in
        // the order the sections first appear; a repeated section is
        // reported after its clauses' words.
        let mut section_kinds: Vec<ClauseKind> = Vec::new();
        for clause in clauses {
            if !section_kinds.contains(&clause.kind) {
                section_kinds.push(clause.kind);
            }
        }
        for kind in section_kinds {
            let mut clause_count = 0;
            for clause in clauses.iter().filter(|clause| clause.kind == kind) {
                clause_count += 1;
                for action in &clause.actions {
                    self.action_words(action)?;
                }
            }
            if clause_count > 1 {
                return Err(self.error(messages::clause_repeated(kind.keyword())));
            }
        }

        let actions: Vec<(ClauseKind, &RawAction)> = clauses
            .iter()
            .flat_map(|clause| {
                clause
                    .actions
                    .iter()
                    .map(move |action| (clause.kind, action))
            })
            .collect();

        // The paths (depth, names), then overlaps, before any value.
        let paths = actions
            .iter()
            .map(|(_, action)| self.lower_path(&action.path))
            .collect::<Result<Vec<_>>>()?;
        self.check_overlaps(&paths)?;

        // Values, last action first: every name, then values and types.
        for (_, action) in actions.iter().rev() {
            if let RawActionValue::Set(value) = &action.value {
                self.set_value_names(value)?;
            }
        }
        let mut lowered = Vec::with_capacity(actions.len());
        for (kind, action) in actions.iter().rev() {
            lowered.push(match &action.value {
                RawActionValue::None => LoweredAction::Remove,
                RawActionValue::Set(value) => LoweredAction::Set(self.lower_set_value(value)?),
                RawActionValue::Value(token) => {
                    let value = self.value(*token)?;
                    self.check_set_or_number_operand(*kind, &value)?;
                    if *kind == ClauseKind::Add {
                        LoweredAction::Add(value)
                    } else {
                        LoweredAction::Delete(value)
                    }
                }
            });
        }
        lowered.reverse();

        let mut update = UpdateExpression::default();
        for (path, action) in paths.into_iter().zip(lowered) {
            match action {
                LoweredAction::Set(value) => update.set.push(SetAction { path, value }),
                LoweredAction::Remove => update.remove.push(path),
                LoweredAction::Add(value) => update.add.push(SetOrNumberAction { path, value }),
                LoweredAction::Delete(value) => {
                    update.delete.push(SetOrNumberAction { path, value });
                }
            }
        }
        Ok(update)
    }

    fn action_words(&self, action: &RawAction) -> Result<()> {
        self.path_words(&action.path)?;
        match &action.value {
            RawActionValue::Set(RawSetValue::Operand(operand)) => self.operand_words(operand),
            RawActionValue::Set(RawSetValue::Plus(left, right))
            | RawActionValue::Set(RawSetValue::Minus(left, right)) => {
                self.operand_words(left)?;
                self.operand_words(right)
            }
            RawActionValue::None | RawActionValue::Value(_) => Ok(()),
        }
    }

    /// Every `#name` in a SET value is defined.
    fn set_value_names(&mut self, value: &RawSetValue) -> Result<()> {
        match value {
            RawSetValue::Operand(operand) => self.operand_names(operand),
            RawSetValue::Plus(left, right) | RawSetValue::Minus(left, right) => {
                self.operand_names(left)?;
                self.operand_names(right)
            }
        }
    }

    fn operand_names(&mut self, operand: &RawOperand) -> Result<()> {
        match operand {
            RawOperand::Path(path) => self.resolve_path(path).map(drop),
            RawOperand::Value(_) => Ok(()),
            RawOperand::Call(call) => call
                .arguments
                .iter()
                .try_for_each(|argument| self.operand_names(argument)),
        }
    }

    fn lower_set_value(&mut self, value: &RawSetValue) -> Result<SetValue> {
        let (operator, left, right) = match value {
            RawSetValue::Operand(operand) => {
                return Ok(SetValue::Operand(self.lower_set_operand(operand)?));
            }
            RawSetValue::Plus(left, right) => ("+", left, right),
            RawSetValue::Minus(left, right) => ("-", left, right),
        };
        let left = self.lower_set_operand(left)?;
        let right = self.lower_set_operand(right)?;
        for operand in [&left, &right] {
            if let Some(type_name) = set_operand_type(operand)
                && type_name != "N"
            {
                return Err(self.error(messages::operand_type(operator, type_name)));
            }
        }
        Ok(if operator == "+" {
            SetValue::Plus(left, right)
        } else {
            SetValue::Minus(left, right)
        })
    }

    fn lower_set_operand(&mut self, operand: &RawOperand) -> Result<SetOperand> {
        let call = match operand {
            RawOperand::Path(path) => return Ok(SetOperand::Path(self.lower_path(path)?)),
            RawOperand::Value(token) => return Ok(SetOperand::Value(self.value(*token)?)),
            RawOperand::Call(call) => call,
        };
        let name = self.text(call.name);
        let function = Function::from_name(name).filter(|function| function.is_update());
        let Some(function) = function else {
            return Err(self.error(messages::function_not_allowed_in_update(name)));
        };
        let [first, second] = call.arguments.as_slice() else {
            return Err(self.error(messages::operand_count(name, call.arguments.len())));
        };
        let first = self.lower_set_operand(first)?;
        let second = self.lower_set_operand(second)?;
        match function {
            Function::IfNotExists => {
                let SetOperand::Path(path) = first else {
                    return Err(self.error(messages::requires_document_path(name)));
                };
                if matches!(&second, SetOperand::Path(other) if *other == path) {
                    return Err(
                        self.error(messages::operands_not_distinct(name, &path_text(&path)))
                    );
                }
                Ok(SetOperand::IfNotExists(path, Box::new(second)))
            }
            _ => {
                for operand in [&first, &second] {
                    if let Some(type_name) = set_operand_type(operand)
                        && type_name != "L"
                    {
                        return Err(self.error(messages::operand_type(name, type_name)));
                    }
                }
                Ok(SetOperand::ListAppend(Box::new(first), Box::new(second)))
            }
        }
    }

    /// ADD takes numbers and sets; DELETE takes sets.
    fn check_set_or_number_operand(&self, kind: ClauseKind, value: &AttributeValue) -> Result<()> {
        let allowed = match value {
            AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => true,
            AttributeValue::N(_) => kind == ClauseKind::Add,
            _ => false,
        };
        if allowed {
            return Ok(());
        }
        Err(self.error(messages::set_or_number_operand_type(
            kind.keyword(),
            long_type_name(value),
        )))
    }
}

/// An update action's lowered value, before its path is attached.
enum LoweredAction {
    Set(SetValue),
    Remove,
    Add(AttributeValue),
    Delete(AttributeValue),
}

/// DynamoDB's message if `earlier` and `later` overlap or conflict.
fn clash(earlier: &Path, later: &Path) -> Option<String> {
    for (first, second) in earlier.elements.iter().zip(&later.elements) {
        match (first, second) {
            (PathElement::Attribute(a), PathElement::Attribute(b)) if a == b => {}
            (PathElement::Index(a), PathElement::Index(b)) if a == b => {}
            (PathElement::Attribute(_), PathElement::Attribute(_))
            | (PathElement::Index(_), PathElement::Index(_)) => return None,
            _ => {
                return Some(messages::paths_conflict(
                    &path_text(earlier),
                    &path_text(later),
                ));
            }
        }
    }
    Some(messages::paths_overlap(
        &path_text(earlier),
        &path_text(later),
    ))
}

/// A comparator as written.
pub(super) fn comparator_text(comparator: Comparator) -> &'static str {
    match comparator {
        Comparator::Eq => "=",
        Comparator::Ne => "<>",
        Comparator::Lt => "<",
        Comparator::Le => "<=",
        Comparator::Gt => ">",
        Comparator::Ge => ">=",
    }
}
