//! DynamoDB's Query and Scan on a [`Db`]: their requests and [`Page`], the
//! key ranges they read from one shard (Query) or every shard (Scan), and
//! the assembly of a page: DynamoDB's limits first, then the filter, then
//! the projection.
//!
//! A page is cut as DynamoDB cuts it: at `Limit` items *read* (before the
//! filter), or once the items read add up to 1 MB counted DynamoDB's way
//! (`model::item_size_bytes`; the item that crosses 1 MB is the page's
//! last). `LastEvaluatedKey` is then the key of the last item read, whether
//! or not the filter kept it; `ScannedCount` counts items read, `Count`
//! items kept.
//!
//! Scan reads every shard and merges their items in key order, so pages do
//! not depend on the shard count (DynamoDB's Scan order — by hashed
//! partition — is unspecified, so key order is a valid one). A parallel
//! Scan's segment is a contiguous run of virtual partitions
//! (`shard::router`): segments split the table evenly by hashed partition,
//! and each segment only visits the shards owning its partitions.

use std::ops::Range;

use crate::coding::key::{
    encode_begins_with_prefix, encode_key, encode_key_value_into, encode_partition_prefix,
    encode_table_prefix, partition_prefix_len, prefix_successor,
};
use crate::expr::{
    AttributeNames, AttributeValues, Condition, ExpressionContext, ExpressionKind, KeyCondition,
    Operand, Path, Projection, SortKeyCondition, check_placeholders_have_expressions,
};
use crate::ids::ShardId;
use crate::model::{Item, KeyValue, PrimaryKey, TableSchema, validate_table_name};
use crate::shard::{ScanChunk, ScanEntry, ScanRange, ShardRouter};
use crate::{Error, Result, limits};

use super::{Db, decode_stored};

/// Which attributes a Query or Scan returns (DynamoDB's `Select`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// Every attribute (the default without a projection).
    AllAttributes,
    /// The attributes projected into the index (indexes only).
    AllProjectedAttributes,
    /// The attributes of the ProjectionExpression (the default with one).
    SpecificAttributes,
    /// No items, only `count` and `scanned_count`.
    Count,
}

/// A Query request: one partition's items in sort-key order.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRequest {
    /// The table.
    pub table_name: String,
    /// A secondary index to query (none exist yet: any name is an error).
    pub index_name: Option<String>,
    /// Equality on the partition key and at most one sort-key condition.
    pub key_condition_expression: Option<String>,
    /// Applied to each item read; items it rejects still count as read.
    pub filter_expression: Option<String>,
    /// The attributes to return.
    pub projection_expression: Option<String>,
    /// `#name` placeholders of the expressions.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders of the expressions.
    pub expression_attribute_values: Option<AttributeValues>,
    /// Ascending sort-key order (the default) or descending.
    pub scan_index_forward: bool,
    /// At most this many items read for the page (1 or more).
    pub limit: Option<usize>,
    /// Resume after this key: a previous page's `last_evaluated_key`.
    pub exclusive_start_key: Option<Item>,
    /// What to return; `None`: DynamoDB's default.
    pub select: Option<Select>,
    /// A strongly consistent read: past the query cache, to the tree
    /// (`docs/cache.md`, "What each read mode gives").
    pub consistent_read: bool,
}

impl Default for QueryRequest {
    fn default() -> Self {
        QueryRequest {
            table_name: String::new(),
            index_name: None,
            key_condition_expression: None,
            filter_expression: None,
            projection_expression: None,
            expression_attribute_names: None,
            expression_attribute_values: None,
            scan_index_forward: true,
            limit: None,
            exclusive_start_key: None,
            select: None,
            consistent_read: false,
        }
    }
}

/// A Scan request: every item of a table, or of one segment of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanRequest {
    /// The table.
    pub table_name: String,
    /// A secondary index to scan (none exist yet: any name is an error).
    pub index_name: Option<String>,
    /// Applied to each item read; items it rejects still count as read.
    pub filter_expression: Option<String>,
    /// The attributes to return.
    pub projection_expression: Option<String>,
    /// `#name` placeholders of the expressions.
    pub expression_attribute_names: Option<AttributeNames>,
    /// `:value` placeholders of the expressions.
    pub expression_attribute_values: Option<AttributeValues>,
    /// At most this many items read for the page (1 or more).
    pub limit: Option<usize>,
    /// Resume after this key: a previous page's `last_evaluated_key`.
    pub exclusive_start_key: Option<Item>,
    /// What to return; `None`: DynamoDB's default.
    pub select: Option<Select>,
    /// A strongly consistent read: past the query cache, to the tree
    /// (`docs/cache.md`, "What each read mode gives").
    pub consistent_read: bool,
    /// This worker's segment of a parallel scan, `0..total_segments`.
    pub segment: Option<u32>,
    /// How many segments the parallel scan has (1..=1,000,000).
    pub total_segments: Option<u32>,
}

/// One page of a Query or Scan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The items the filter kept, projected (empty for `Select::Count`).
    pub items: Vec<Item>,
    /// How many items the filter kept.
    pub count: usize,
    /// How many items were read.
    pub scanned_count: usize,
    /// Set when more items may follow: pass it as `exclusive_start_key`.
    pub last_evaluated_key: Option<Item>,
}

const LIMIT_ZERO_MESSAGE: &str = "1 validation error detected: Value '0' at 'limit' failed to \
     satisfy constraint: Member must have value greater than or equal to 1";
const KEY_CONDITION_MISSING_MESSAGE: &str = "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.";
const START_KEY_INVALID_MESSAGE: &str = "The provided starting key is invalid";
const SCAN_START_KEY_INVALID_MESSAGE: &str =
    "The provided starting key is invalid: The provided key element does not match the schema";
const START_KEY_OUTSIDE_RANGE_MESSAGE: &str =
    "The provided starting key does not match the range key predicate";
const SPECIFIC_ATTRIBUTES_MESSAGE: &str = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES";
const ALL_PROJECTED_MESSAGE: &str =
    "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName";

/// The smallest byte string greater than `key`.
fn successor(key: &[u8]) -> Vec<u8> {
    let mut next = Vec::with_capacity(key.len() + 1);
    next.extend_from_slice(key);
    next.push(0);
    next
}

/// How to turn the items read into a page's items.
#[derive(Debug, Default)]
struct PagePlan {
    filter: Option<Condition>,
    projection: Option<Projection>,
    count_only: bool,
}

/// Checks `Select` against the projection, as DynamoDB does.
fn check_select(select: Option<Select>, has_projection: bool, has_index: bool) -> Result<bool> {
    match select {
        Some(Select::SpecificAttributes) if !has_projection => {
            Err(Error::validation(SPECIFIC_ATTRIBUTES_MESSAGE))
        }
        Some(Select::AllAttributes) if has_projection => Err(Error::validation(
            "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
        )),
        Some(Select::Count) if has_projection => Err(Error::validation(
            "Cannot specify the ProjectionExpression when choosing to get only the Count",
        )),
        Some(Select::AllProjectedAttributes) if !has_index => {
            Err(Error::validation(ALL_PROJECTED_MESSAGE))
        }
        other => Ok(other == Some(Select::Count)),
    }
}

fn check_limit(limit: Option<usize>) -> Result<usize> {
    if limit == Some(0) {
        return Err(Error::validation(LIMIT_ZERO_MESSAGE));
    }
    Ok(limit.unwrap_or(usize::MAX).min(limits::PAGE_ITEM_COUNT_MAX))
}

/// The top-level attribute names a condition reads.
fn condition_attributes<'a>(condition: &'a Condition, out: &mut Vec<&'a str>) {
    fn operand<'a>(value: &'a Operand, out: &mut Vec<&'a str>) {
        match value {
            Operand::Path(path) => out.push(path.top_level_name()),
            Operand::Value(_) => {}
            Operand::Size(inner) => operand(inner, out),
        }
    }
    fn path<'a>(path: &'a Path, out: &mut Vec<&'a str>) {
        out.push(path.top_level_name());
    }
    match condition {
        Condition::Compare { left, right, .. } => {
            operand(left, out);
            operand(right, out);
        }
        Condition::Between { value, low, high } => {
            operand(value, out);
            operand(low, out);
            operand(high, out);
        }
        Condition::In { value, candidates } => {
            operand(value, out);
            candidates.iter().for_each(|c| operand(c, out));
        }
        Condition::And(a, b) | Condition::Or(a, b) => {
            condition_attributes(a, out);
            condition_attributes(b, out);
        }
        Condition::Not(a) => condition_attributes(a, out),
        Condition::AttributeExists(p) | Condition::AttributeNotExists(p) => path(p, out),
        Condition::AttributeType { path: p, .. } => path(p, out),
        Condition::BeginsWith { value, prefix } => {
            operand(value, out);
            operand(prefix, out);
        }
        Condition::Contains { haystack, needle } => {
            operand(haystack, out);
            operand(needle, out);
        }
    }
}

/// DynamoDB's Query rejects filters on key attributes.
fn check_filter_has_no_key_attributes(filter: &Condition, schema: &TableSchema) -> Result<()> {
    let mut names = Vec::new();
    condition_attributes(filter, &mut names);
    let keys = std::iter::once(&schema.partition_key).chain(schema.sort_key.as_ref());
    for key in keys {
        if names.contains(&key.name.as_str()) {
            return Err(Error::validation(format!(
                "Filter Expression can only contain non-primary key attributes: Primary key \
                 attribute: {}",
                key.name
            )));
        }
    }
    Ok(())
}

/// The virtual partitions of segment `segment` of `total`.
fn segment_partitions(segment: u32, total: u32) -> Range<usize> {
    let count = limits::VIRTUAL_PARTITION_COUNT as u64;
    let start = u64::from(segment) * count / u64::from(total);
    let end = (u64::from(segment) + 1) * count / u64::from(total);
    start as usize..end as usize
}

fn check_segments(segment: Option<u32>, total: Option<u32>) -> Result<Option<Range<usize>>> {
    let (segment, total) = match (segment, total) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(Error::validation(
                "The TotalSegments parameter is required but was not present in the request when \
                 Segment parameter is present",
            ));
        }
        (None, Some(_)) => {
            return Err(Error::validation(
                "The Segment parameter is required but was not present in the request when \
                 parameter TotalSegments is present",
            ));
        }
        (Some(segment), Some(total)) => (segment, total),
    };
    if !(1..=limits::SCAN_TOTAL_SEGMENTS_MAX).contains(&total) {
        let bound = if total == 0 {
            "greater than or equal to 1".to_string()
        } else {
            format!("less than or equal to {}", limits::SCAN_TOTAL_SEGMENTS_MAX)
        };
        return Err(Error::validation(format!(
            "1 validation error detected: Value '{total}' at 'totalSegments' failed to satisfy \
             constraint: Member must have value {bound}"
        )));
    }
    if segment >= total {
        return Err(Error::validation(format!(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: \
             Segment: {segment} is not less than TotalSegments: {total}"
        )));
    }
    Ok(Some(segment_partitions(segment, total)))
}

impl Db {
    /// DynamoDB's Query: one page of the items of one partition whose sort
    /// keys satisfy the key condition, in sort-key order (descending if
    /// `scan_index_forward` is false). One shard serves it.
    ///
    /// # Errors
    /// `Validation` for an invalid request (DynamoDB's messages),
    /// `TableNotFound`, read errors.
    pub fn query(&self, request: &QueryRequest) -> Result<Page> {
        validate_table_name(&request.table_name)?;
        let count_only = check_select(
            request.select,
            request.projection_expression.is_some(),
            request.index_name.is_some(),
        )?;
        let limit = check_limit(request.limit)?;
        let description = self.table(&request.table_name)?;
        if let Some(index) = &request.index_name {
            return Err(Error::validation(format!(
                "The table does not have the specified index: {index}"
            )));
        }
        let schema = &description.schema;
        let mut context = ExpressionContext::new(
            request.expression_attribute_names.as_ref(),
            request.expression_attribute_values.as_ref(),
        )?;
        let Some(key_text) = &request.key_condition_expression else {
            return Err(Error::validation(KEY_CONDITION_MISSING_MESSAGE));
        };
        let key_condition = context.parse_key_condition(key_text, schema)?;
        let plan = PagePlan {
            filter: match &request.filter_expression {
                Some(text) => {
                    let filter = context.parse_condition(ExpressionKind::Filter, text)?;
                    check_filter_has_no_key_attributes(&filter, schema)?;
                    Some(filter)
                }
                None => None,
            },
            projection: match &request.projection_expression {
                Some(text) => Some(context.parse_projection(text)?),
                None => None,
            },
            count_only,
        };
        context.finish()?;

        let (mut start, mut end) = query_range(description.id, &key_condition);
        if let Some(after) = &request.exclusive_start_key {
            let after = schema
                .key_from_attributes(after)
                .map_err(|_| Error::validation(START_KEY_INVALID_MESSAGE))?;
            let after_key = encode_key(description.id, &after);
            if after.partition != key_condition.partition
                || after_key < start
                || end.as_ref().is_some_and(|end| &after_key >= end)
            {
                return Err(Error::validation(START_KEY_OUTSIDE_RANGE_MESSAGE));
            }
            if request.scan_index_forward {
                start = successor(&after_key);
            } else {
                end = Some(after_key);
            }
        }
        let prefix = encode_partition_prefix(description.id, &key_condition.partition);
        let shard = self.shard(&prefix);
        let chunk = shard.scan(ScanRange {
            start,
            end,
            limit,
            reverse: !request.scan_index_forward,
            virtual_partitions: None,
            cached: !request.consistent_read,
        })?;
        let id = shard.id();
        let entries = chunk.entries.into_iter().map(|entry| (id, entry)).collect();
        assemble_page(schema, entries, chunk.more, &plan)
    }

    /// DynamoDB's Scan: one page of a table's items (or of one segment's,
    /// for a parallel scan), in key order.
    ///
    /// # Errors
    /// `Validation` for an invalid request (DynamoDB's messages),
    /// `TableNotFound`, read errors.
    pub fn scan(&self, request: &ScanRequest) -> Result<Page> {
        validate_table_name(&request.table_name)?;
        let count_only = check_select(
            request.select,
            request.projection_expression.is_some(),
            request.index_name.is_some(),
        )?;
        let limit = check_limit(request.limit)?;
        let segment = check_segments(request.segment, request.total_segments)?;
        let description = self.table(&request.table_name)?;
        if let Some(index) = &request.index_name {
            return Err(Error::validation(format!(
                "The table does not have the specified index: {index}"
            )));
        }
        check_placeholders_have_expressions(
            request.expression_attribute_names.as_ref(),
            request.expression_attribute_values.as_ref(),
            &[
                (
                    "FilterExpression",
                    request.filter_expression.is_some(),
                    true,
                ),
                (
                    "ProjectionExpression",
                    request.projection_expression.is_some(),
                    false,
                ),
            ],
        )?;
        let mut context = ExpressionContext::new(
            request.expression_attribute_names.as_ref(),
            request.expression_attribute_values.as_ref(),
        )?;
        let plan = PagePlan {
            filter: match &request.filter_expression {
                Some(text) => Some(context.parse_condition(ExpressionKind::Filter, text)?),
                None => None,
            },
            projection: match &request.projection_expression {
                Some(text) => Some(context.parse_projection(text)?),
                None => None,
            },
            count_only,
        };
        context.finish()?;

        let prefix = encode_table_prefix(description.id);
        let mut start = prefix.clone();
        if let Some(after) = &request.exclusive_start_key {
            let after = description
                .schema
                .key_from_attributes(after)
                .map_err(|_| Error::validation(SCAN_START_KEY_INVALID_MESSAGE))?;
            let after_key = encode_key(description.id, &after);
            if let (Some(wanted), Some(segment_index), Some(total)) =
                (&segment, request.segment, request.total_segments)
            {
                let partition = partition_prefix_len(&after_key)
                    .map(|len| ShardRouter::virtual_partition(&after_key[..len]));
                if !partition.is_some_and(|p| wanted.contains(&p)) {
                    return Err(Error::validation(format!(
                        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please \
                         use ExclusiveStartKey with correct Segment. TotalSegments: {total} \
                         Segment: {segment_index}"
                    )));
                }
            }
            start = successor(&after_key);
        }
        let range = ScanRange {
            start,
            end: prefix_successor(&prefix),
            limit,
            reverse: false,
            virtual_partitions: segment.clone(),
            cached: !request.consistent_read,
        };
        let router = self.inner.mesh.router();
        let chunks = self
            .inner
            .shards
            .iter()
            .filter(|shard| {
                // A segment only visits the shards owning its partitions.
                segment
                    .as_ref()
                    .is_none_or(|wanted| wanted.clone().any(|p| router.owner_of(p) == shard.id()))
            })
            .map(|shard| Ok((shard.id(), shard.scan(range.clone())?)))
            .collect::<Result<Vec<_>>>()?;
        let (entries, more) = merge_chunks(chunks, limit);
        assemble_page(&description.schema, entries, more, &plan)
    }
}

/// The key range `[start, end)` a key condition selects.
fn query_range(table: crate::ids::TableId, condition: &KeyCondition) -> (Vec<u8>, Option<Vec<u8>>) {
    let prefix = encode_partition_prefix(table, &condition.partition);
    let key_at = |value: &KeyValue| {
        let mut key = prefix.clone();
        encode_key_value_into(&mut key, value);
        key
    };
    let to_end = prefix_successor(&prefix);
    match &condition.sort {
        None => (prefix.clone(), to_end),
        Some(SortKeyCondition::Eq(v)) => (key_at(v), Some(successor(&key_at(v)))),
        Some(SortKeyCondition::Lt(v)) => (prefix.clone(), Some(key_at(v))),
        Some(SortKeyCondition::Le(v)) => (prefix.clone(), Some(successor(&key_at(v)))),
        Some(SortKeyCondition::Gt(v)) => (successor(&key_at(v)), to_end),
        Some(SortKeyCondition::Ge(v)) => (key_at(v), to_end),
        Some(SortKeyCondition::Between(low, high)) => (key_at(low), Some(successor(&key_at(high)))),
        Some(SortKeyCondition::BeginsWith(v)) => {
            let start = encode_begins_with_prefix(table, &condition.partition, v);
            let end = prefix_successor(&start);
            (start, end)
        }
    }
}

/// Merges shards' chunks (each in key order, each cut by the page's
/// limits) into the items of one page, cut by the same limits. Returns them
/// and whether more may follow.
///
/// A chunk that stopped early (`more`) bounds the merge: no entry past its
/// last key may be taken, since that shard's next entries are not known.
/// Each chunk was cut by the same limits as the page, so that bound is only
/// reached once the page is full anyway.
fn merge_chunks(
    chunks: Vec<(ShardId, ScanChunk)>,
    limit: usize,
) -> (Vec<(ShardId, ScanEntry)>, bool) {
    let bound: Option<Vec<u8>> = chunks
        .iter()
        .filter(|(_, chunk)| chunk.more)
        .filter_map(|(_, chunk)| chunk.entries.last().map(|entry| entry.key.clone()))
        .min();
    let mut more = chunks.iter().any(|(_, chunk)| chunk.more);
    // Each chunk is sorted and keys are unique across shards; the sort
    // merges the runs (the standard sort finds and merges sorted runs).
    let mut entries: Vec<(ShardId, ScanEntry)> = chunks
        .into_iter()
        .flat_map(|(shard, chunk)| chunk.entries.into_iter().map(move |entry| (shard, entry)))
        .collect();
    entries.sort_by(|a, b| a.1.key.cmp(&b.1.key));
    let mut page_bytes = 0usize;
    let mut taken = 0;
    for (_, entry) in &entries {
        let past_bound = bound.as_ref().is_some_and(|bound| &entry.key > bound);
        if taken >= limit || page_bytes >= limits::PAGE_SIZE_BYTES_MAX || past_bound {
            more = true;
            break;
        }
        page_bytes += entry.size_bytes;
        taken += 1;
    }
    entries.truncate(taken);
    // As in a chunk: a page that reached a limit has a LastEvaluatedKey.
    more |= taken >= limit || page_bytes >= limits::PAGE_SIZE_BYTES_MAX;
    (entries, more)
}

/// Decodes, filters and projects the items read into a page (on the
/// caller's thread, outside every shard's lock).
fn assemble_page(
    schema: &TableSchema,
    entries: Vec<(ShardId, ScanEntry)>,
    more: bool,
    plan: &PagePlan,
) -> Result<Page> {
    let mut page = Page {
        scanned_count: entries.len(),
        ..Page::default()
    };
    let last_index = entries.len().checked_sub(1);
    for (index, (shard, entry)) in entries.into_iter().enumerate() {
        let is_last_evaluated = more && Some(index) == last_index;
        if plan.count_only && plan.filter.is_none() && !is_last_evaluated {
            // A bare count needs no item.
            page.count += 1;
            continue;
        }
        let item = decode_stored(&entry.value, shard)?;
        if is_last_evaluated {
            let key: PrimaryKey = schema.key_of(&item)?;
            page.last_evaluated_key = Some(schema.key_attributes(&key));
        }
        if let Some(filter) = &plan.filter
            && !filter.evaluate(&item)
        {
            continue;
        }
        page.count += 1;
        if plan.count_only {
            continue;
        }
        page.items.push(match &plan.projection {
            Some(projection) => projection.apply(&item),
            None => item,
        });
    }
    Ok(page)
}
