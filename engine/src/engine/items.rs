//! DynamoDB's item operations on a [`Db`]: PutItem, GetItem, UpdateItem and
//! DeleteItem with their expressions, conditions and return values.
//!
//! Every request is validated completely on the caller's thread before any
//! shard is involved — table name, `ReturnValues`, every expression and its
//! placeholders, then the key or item against the table's schema — so an
//! invalid request changes nothing. A write that must read its item first
//! (a condition, an update, old values to return) runs as one
//! read-modify-write on the item's owning shard ([`crate::shard`]'s
//! `mutate`), serialised with every other write of that shard: concurrent
//! conditional writes never lose an update. A put or delete that needs no
//! read takes the plain write path.

use std::future::Future;

use crate::coding::item::encode_item;
use crate::coding::key::encode_key_split;
use crate::expr::{
    AttributeNames, AttributeValues, Condition, ExpressionContext, ExpressionKind, Projection,
    UpdateExpression, check_placeholders_have_expressions,
};
use crate::ids::ShardId;
use crate::model::{
    Item, TableSchema, item_size_bytes, validate_item, validate_table_name, value_size_bytes,
};
use crate::shard::{ReadMode, ReplyFuture, Shard};
use crate::wal::WriteBatch;
use crate::{Error, Result, limits};

use super::{Db, decode_stored};

/// What a write returns of the item (DynamoDB's `ReturnValues`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnValues {
    /// Nothing (the default).
    #[default]
    None,
    /// The whole item as it was before the write.
    AllOld,
    /// The attributes the update changed, as they were before it (UpdateItem only).
    UpdatedOld,
    /// The whole item as it is after the write (UpdateItem only).
    AllNew,
    /// The attributes the update changed, as they are after it (UpdateItem only).
    UpdatedNew,
}

/// What a write whose condition failed returns of the item (DynamoDB's
/// `ReturnValuesOnConditionCheckFailure`), inside
/// [`Error::ConditionalCheckFailed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReturnValuesOnConditionCheckFailure {
    /// Nothing (the default).
    #[default]
    None,
    /// The item the condition was evaluated against.
    AllOld,
}

/// DynamoDB's message for a `ReturnValues` the operation does not accept.
pub const RETURN_VALUES_INVALID_MESSAGE: &str = "Return values set to invalid value";
/// DynamoDB's message for an UpdateItem whose result is over 400 KB.
pub const UPDATED_ITEM_SIZE_MESSAGE: &str =
    "Item size to update has exceeded the maximum allowed size";

/// A PutItem request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutItemRequest {
    /// The table.
    pub table_name: String,
    /// The item to write, key attributes included; it replaces any item
    /// with the same primary key.
    pub item: Item,
    /// Written only if this holds for the current item.
    pub condition_expression: Option<String>,
    /// `#name` placeholders of the expressions.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders of the expressions.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `None` or `AllOld` only.
    pub return_values: ReturnValues,
    /// What a failed condition returns.
    pub return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure,
}

/// What a write returns: the attributes `ReturnValues` asked for, if any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WriteOutput {
    /// The returned attributes; `None` when nothing was asked for or there
    /// was nothing to return (no old item, no updated attribute).
    pub attributes: Option<Item>,
}

/// A GetItem request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GetItemRequest {
    /// The table.
    pub table_name: String,
    /// The primary key: exactly the table's key attributes.
    pub key: Item,
    /// The attributes to return (all if `None`).
    pub projection_expression: Option<String>,
    /// `#name` placeholders of the projection.
    pub expression_attribute_names: Option<AttributeNames>,
    /// A strongly consistent read: past the item cache, to the tree. (An
    /// eventually consistent one is answered by the cache when it can, and
    /// is exact too; `docs/cache.md` says what each mode gives.)
    pub consistent_read: bool,
}

/// An UpdateItem request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateItemRequest {
    /// The table.
    pub table_name: String,
    /// The primary key: exactly the table's key attributes.
    pub key: Item,
    /// The update; with none, UpdateItem creates the item (key attributes
    /// only) if it does not exist, as DynamoDB does.
    pub update_expression: Option<String>,
    /// Updated only if this holds for the current item.
    pub condition_expression: Option<String>,
    /// `#name` placeholders of the expressions.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders of the expressions.
    pub expression_attribute_values: Option<AttributeValues>,
    /// Any of the five.
    pub return_values: ReturnValues,
    /// What a failed condition returns.
    pub return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure,
}

/// A DeleteItem request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteItemRequest {
    /// The table.
    pub table_name: String,
    /// The primary key: exactly the table's key attributes.
    pub key: Item,
    /// Deleted only if this holds for the current item.
    pub condition_expression: Option<String>,
    /// `#name` placeholders of the expressions.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders of the expressions.
    pub expression_attribute_values: Option<AttributeValues>,
    /// `None` or `AllOld` only.
    pub return_values: ReturnValues,
    /// What a failed condition returns.
    pub return_values_on_condition_check_failure: ReturnValuesOnConditionCheckFailure,
}

/// Checks `ReturnValues` for an operation that takes only NONE and ALL_OLD.
fn check_put_or_delete_return_values(return_values: ReturnValues) -> Result<()> {
    match return_values {
        ReturnValues::None | ReturnValues::AllOld => Ok(()),
        _ => Err(Error::validation(RETURN_VALUES_INVALID_MESSAGE)),
    }
}

/// A write's parsed expressions.
#[derive(Debug, Default)]
struct WriteExpressions {
    condition: Option<Condition>,
    update: Option<UpdateExpression>,
}

/// A write's expression parameters: the condition, and for UpdateItem the
/// update (`Some(None)`: UpdateItem without one; `None`: not UpdateItem).
fn parse_write_expressions(
    names: Option<&AttributeNames>,
    values: Option<&AttributeValues>,
    condition: Option<&str>,
    update: Option<Option<&str>>,
) -> Result<WriteExpressions> {
    let mut parameters = Vec::with_capacity(2);
    if let Some(update) = update {
        parameters.push(("UpdateExpression", update.is_some(), true));
    }
    parameters.push(("ConditionExpression", condition.is_some(), true));
    check_placeholders_have_expressions(names, values, &parameters)?;
    let update = update.flatten();
    let mut context = ExpressionContext::new(names, values)?;
    let mut parsed = WriteExpressions::default();
    // DynamoDB reports the update expression's errors first.
    if let Some(text) = update {
        parsed.update = Some(context.parse_update(text)?);
    }
    if let Some(text) = condition {
        parsed.condition = Some(context.parse_condition(ExpressionKind::Condition, text)?);
    }
    context.finish()?;
    Ok(parsed)
}

/// Decodes the stored item a read-modify-write on `shard` found.
fn decode_current(current: Option<&[u8]>, shard: ShardId) -> Result<Option<Item>> {
    current.map(|bytes| decode_stored(bytes, shard)).transpose()
}

/// Fails with `ConditionalCheckFailed` unless `condition` holds for `old`.
fn check_condition(
    condition: Option<&Condition>,
    old: Option<&Item>,
    on_failure: ReturnValuesOnConditionCheckFailure,
) -> Result<()> {
    let Some(condition) = condition else {
        return Ok(());
    };
    let empty = Item::new();
    if condition.evaluate(old.unwrap_or(&empty)) {
        return Ok(());
    }
    let item = match on_failure {
        ReturnValuesOnConditionCheckFailure::AllOld => old.cloned().map(Box::new),
        ReturnValuesOnConditionCheckFailure::None => None,
    };
    Err(Error::ConditionalCheckFailed { item })
}

/// `Some(item)` unless it is empty (DynamoDB omits empty `Attributes`).
fn non_empty(item: Item) -> Option<Item> {
    (!item.is_empty()).then_some(item)
}

impl Db {
    /// DynamoDB's PutItem: writes `request.item`, replacing any item with
    /// its key, if the condition (if any) holds; returns the old item if
    /// asked. Durable on return under `Durability::Sync`.
    ///
    /// # Errors
    /// `Validation` for an invalid request (nothing written),
    /// `TableNotFound`, `ConditionalCheckFailed` (nothing written), and the
    /// write path's errors (`Busy`, I/O, `Poisoned`).
    pub fn put_item_with(&self, request: &PutItemRequest) -> Result<WriteOutput> {
        self.prepare_put(request)?.run()
    }

    /// [`Db::put_item_with`] as a future that never blocks the polling
    /// thread on a sync (the request is validated and decided now).
    pub fn put_item_with_async(
        &self,
        request: &PutItemRequest,
    ) -> impl Future<Output = Result<WriteOutput>> + Send + 'static + use<> {
        PreparedWrite::run_async(self.prepare_put(request))
    }

    fn prepare_put(&self, request: &PutItemRequest) -> Result<PreparedWrite<'_>> {
        validate_table_name(&request.table_name)?;
        check_put_or_delete_return_values(request.return_values)?;
        let expressions = parse_write_expressions(
            request.expression_attribute_names.as_ref(),
            request.expression_attribute_values.as_ref(),
            request.condition_expression.as_deref(),
            None,
        )?;
        let (prefix_len, key, value) =
            self.with_table(&request.table_name, |d| Self::encode_put(d, &request.item))?;
        let shard = self.shard(&key[..prefix_len]);
        let shard_id = shard.id();
        if expressions.condition.is_none() && request.return_values == ReturnValues::None {
            let mut batch = WriteBatch::new();
            batch.put(&key, &value);
            return Ok(PreparedWrite::Plain { shard, batch });
        }
        let return_old = request.return_values == ReturnValues::AllOld;
        let on_failure = request.return_values_on_condition_check_failure;
        let condition = expressions.condition;
        let key_for_batch = key.clone();
        let payload_bytes = key.len() + value.len();
        let mutation = Box::new(move |current: Option<&[u8]>| {
            let old = decode_current(current, shard_id)?;
            check_condition(condition.as_ref(), old.as_ref(), on_failure)?;
            let mut batch = WriteBatch::new();
            batch.put(&key_for_batch, &value);
            Ok((Some(batch), old.filter(|_| return_old)))
        });
        Ok(PreparedWrite::Mutate {
            shard,
            key,
            payload_bytes,
            mutation,
        })
    }

    /// DynamoDB's GetItem: the item with `request.key`, projected.
    ///
    /// # Errors
    /// `Validation` for an invalid request, `TableNotFound`, read errors.
    pub fn get_item_with(&self, request: &GetItemRequest) -> Result<Option<Item>> {
        validate_table_name(&request.table_name)?;
        check_placeholders_have_expressions(
            request.expression_attribute_names.as_ref(),
            None,
            &[(
                "ProjectionExpression",
                request.projection_expression.is_some(),
                false,
            )],
        )?;
        let projection = match &request.projection_expression {
            Some(text) => {
                let mut context =
                    ExpressionContext::new(request.expression_attribute_names.as_ref(), None)?;
                let projection = context.parse_projection(text)?;
                context.finish()?;
                Some(projection)
            }
            None => None,
        };
        let (key, prefix_len) = self.with_table(&request.table_name, |d| {
            let key = d.schema.key_from_attributes(&request.key)?;
            Ok(encode_key_split(d.id, &key))
        })?;
        let shard = self.shard(&key[..prefix_len]);
        let id = shard.id();
        let mode = ReadMode::from_consistent(request.consistent_read);
        let Some(value) = shard.get(key, mode)? else {
            return Ok(None);
        };
        let item = decode_stored(&value, id)?;
        Ok(Some(match projection {
            Some(projection) => projection.apply(&item),
            None => item,
        }))
    }

    /// DynamoDB's UpdateItem: applies the update expression to the item
    /// with `request.key` (creating it from the key if absent) if the
    /// condition holds; returns what `return_values` asks for.
    ///
    /// # Errors
    /// `Validation` for an invalid request or an update that cannot apply to
    /// the item (wrong operand types, a missing path, a result over 400 KB;
    /// nothing written), `TableNotFound`, `ConditionalCheckFailed`, and the
    /// write path's errors.
    pub fn update_item(&self, request: &UpdateItemRequest) -> Result<WriteOutput> {
        self.prepare_update(request)?.run()
    }

    /// [`Db::update_item`] as a future that never blocks the polling thread
    /// on a sync (the request is validated and decided now).
    pub fn update_item_async(
        &self,
        request: &UpdateItemRequest,
    ) -> impl Future<Output = Result<WriteOutput>> + Send + 'static + use<> {
        PreparedWrite::run_async(self.prepare_update(request))
    }

    fn prepare_update(&self, request: &UpdateItemRequest) -> Result<PreparedWrite<'_>> {
        validate_table_name(&request.table_name)?;
        let expressions = parse_write_expressions(
            request.expression_attribute_names.as_ref(),
            request.expression_attribute_values.as_ref(),
            request.condition_expression.as_deref(),
            Some(request.update_expression.as_deref()),
        )?;
        let (schema, table_id, primary_key) = self.with_table(&request.table_name, |d| {
            let key = d.schema.key_from_attributes(&request.key)?;
            if let Some(update) = &expressions.update {
                update.check_no_key_attributes(&d.schema)?;
            }
            Ok((d.schema.clone(), d.id, key))
        })?;
        let (key, prefix_len) = encode_key_split(table_id, &primary_key);
        let shard = self.shard(&key[..prefix_len]);
        let shard_id = shard.id();
        let key_attributes = schema.key_attributes(&primary_key);
        let return_values = request.return_values;
        let on_failure = request.return_values_on_condition_check_failure;
        let updated_paths = expressions
            .update
            .as_ref()
            .map(UpdateExpression::updated_paths);
        let WriteExpressions { condition, update } = expressions;
        let key_for_batch = key.clone();
        let payload_bytes = key.len()
            + request
                .expression_attribute_values
                .iter()
                .flatten()
                .map(|(name, value)| name.len() + value_size_bytes(value))
                .sum::<usize>();
        let mutation = Box::new(move |current: Option<&[u8]>| {
            let old = decode_current(current, shard_id)?;
            check_condition(condition.as_ref(), old.as_ref(), on_failure)?;
            // The update builds the new item from the old one without
            // copying it first; a missing item starts from its key.
            let base = old.as_ref().unwrap_or(&key_attributes);
            let new = match &update {
                Some(update) => update.apply(base)?,
                None => base.clone(),
            };
            check_updated_item(&schema, &new)?;
            let mut batch = WriteBatch::new();
            batch.put(&key_for_batch, &encode_item(&new));
            let returned = returned_attributes(return_values, updated_paths.as_ref(), old, new);
            Ok((Some(batch), returned))
        });
        Ok(PreparedWrite::Mutate {
            shard,
            key,
            payload_bytes,
            mutation,
        })
    }

    /// DynamoDB's DeleteItem: deletes the item with `request.key` if the
    /// condition holds (deleting an absent item is no error); returns the
    /// old item if asked.
    ///
    /// # Errors
    /// As [`Db::put_item_with`].
    pub fn delete_item_with(&self, request: &DeleteItemRequest) -> Result<WriteOutput> {
        self.prepare_delete(request)?.run()
    }

    /// [`Db::delete_item_with`] as a future that never blocks the polling
    /// thread on a sync (the request is validated and decided now).
    pub fn delete_item_with_async(
        &self,
        request: &DeleteItemRequest,
    ) -> impl Future<Output = Result<WriteOutput>> + Send + 'static + use<> {
        PreparedWrite::run_async(self.prepare_delete(request))
    }

    fn prepare_delete(&self, request: &DeleteItemRequest) -> Result<PreparedWrite<'_>> {
        validate_table_name(&request.table_name)?;
        check_put_or_delete_return_values(request.return_values)?;
        let expressions = parse_write_expressions(
            request.expression_attribute_names.as_ref(),
            request.expression_attribute_values.as_ref(),
            request.condition_expression.as_deref(),
            None,
        )?;
        let (key, prefix_len) = self.with_table(&request.table_name, |d| {
            let key = d.schema.key_from_attributes(&request.key)?;
            Ok(encode_key_split(d.id, &key))
        })?;
        let shard = self.shard(&key[..prefix_len]);
        let shard_id = shard.id();
        if expressions.condition.is_none() && request.return_values == ReturnValues::None {
            let mut batch = WriteBatch::new();
            batch.delete(&key);
            return Ok(PreparedWrite::Plain { shard, batch });
        }
        let return_old = request.return_values == ReturnValues::AllOld;
        let on_failure = request.return_values_on_condition_check_failure;
        let condition = expressions.condition;
        let key_for_batch = key.clone();
        let payload_bytes = key.len();
        let mutation = Box::new(move |current: Option<&[u8]>| {
            let old = decode_current(current, shard_id)?;
            check_condition(condition.as_ref(), old.as_ref(), on_failure)?;
            // Nothing to delete: no write, nothing to wait for.
            let batch = old.is_some().then(|| {
                let mut batch = WriteBatch::new();
                batch.delete(&key_for_batch);
                batch
            });
            Ok((batch, old.filter(|_| return_old)))
        });
        Ok(PreparedWrite::Mutate {
            shard,
            key,
            payload_bytes,
            mutation,
        })
    }
}

/// A read-modify-write decision over the current stored item: the batch
/// to write (if any) and the attributes to return.
type ItemMutation =
    Box<dyn FnMut(Option<&[u8]>) -> Result<(Option<WriteBatch>, Option<Item>)> + Send>;

/// A validated single-item write, ready to run on its shard: a plain write
/// (no condition, nothing returned) or a read-modify-write.
enum PreparedWrite<'a> {
    Plain {
        shard: &'a Shard,
        batch: WriteBatch,
    },
    Mutate {
        shard: &'a Shard,
        key: Vec<u8>,
        payload_bytes: usize,
        mutation: ItemMutation,
    },
}

impl PreparedWrite<'_> {
    /// Runs the write on this thread; returns once it is durable.
    fn run(self) -> Result<WriteOutput> {
        match self {
            PreparedWrite::Plain { shard, batch } => {
                shard.write(batch)?;
                Ok(WriteOutput::default())
            }
            PreparedWrite::Mutate {
                shard,
                key,
                payload_bytes,
                mutation,
            } => shard
                .mutate(key, payload_bytes, mutation)
                .map(|attributes| WriteOutput { attributes }),
        }
    }

    /// Takes the write now (decides it, joins it to the pending group) and
    /// returns a future that is ready once it is durable.
    fn run_async(
        prepared: Result<Self>,
    ) -> impl Future<Output = Result<WriteOutput>> + Send + 'static + use<> {
        let taken = match prepared {
            Err(e) => Taken::Plain(ReplyFuture::ready(Err(e))),
            Ok(PreparedWrite::Plain { shard, batch }) => Taken::Plain(shard.write_async(batch)),
            Ok(PreparedWrite::Mutate {
                shard,
                key,
                payload_bytes,
                mutation,
            }) => Taken::Mutated(shard.mutate_async(key, payload_bytes, mutation)),
        };
        async move {
            match taken {
                Taken::Plain(written) => written.await.map(|()| WriteOutput::default()),
                Taken::Mutated(decided) => {
                    decided.await.map(|attributes| WriteOutput { attributes })
                }
            }
        }
    }
}

/// A write taken by [`PreparedWrite::run_async`], waiting to be durable.
enum Taken<P, M> {
    Plain(P),
    Mutated(M),
}

/// Checks an item an update produced, as PutItem checks items, but with
/// UpdateItem's message for the size limit.
fn check_updated_item(schema: &TableSchema, item: &Item) -> Result<()> {
    if item_size_bytes(item) > limits::ITEM_SIZE_BYTES_MAX {
        return Err(Error::validation(UPDATED_ITEM_SIZE_MESSAGE));
    }
    validate_item(schema, item).map(|_| ())
}

/// What UpdateItem returns for `return_values`.
fn returned_attributes(
    return_values: ReturnValues,
    updated_paths: Option<&Projection>,
    old: Option<Item>,
    new: Item,
) -> Option<Item> {
    let updated = |item: &Item| {
        updated_paths
            .map(|paths| paths.apply(item))
            .and_then(non_empty)
    };
    match return_values {
        ReturnValues::None => None,
        ReturnValues::AllOld => old,
        ReturnValues::AllNew => Some(new),
        ReturnValues::UpdatedOld => old.as_ref().and_then(updated),
        ReturnValues::UpdatedNew => updated(&new),
    }
}
