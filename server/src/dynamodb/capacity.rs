//! `ConsumedCapacity`, for requests that ask for it with
//! `ReturnConsumedCapacity` = `TOTAL` or `INDEXES`.
//!
//! dynacore meters nothing and throttles nothing, so these are DynamoDB's
//! sizing rules applied to what the request wrote and the reply returned,
//! not to what the engine read:
//! - a read costs one unit per 4 KB of item, rounded up, at least one; half
//!   of that when eventually consistent. GetItem and BatchGetItem size each
//!   returned item; Query and Scan add up the returned items' sizes and
//!   round once, so items a filter dropped are not charged (DynamoDB charges
//!   them).
//! - a write costs one unit per 1 KB, rounded up, at least one. PutItem and
//!   BatchWriteItem size the item written; UpdateItem and DeleteItem size
//!   the item returned (`ReturnValues`) or charge one unit (DynamoDB charges
//!   the larger of the old and new item).
//!
//! `docs/dynamodb-compat.md` lists this among the differences.

use std::collections::BTreeMap;

use dynacore::Item;
use dynacore::model::item_size_bytes;
use serde_json::{Map, Value, json};

use crate::protocol::{Request, Response};

/// What `ReturnConsumedCapacity` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Total,
    /// `INDEXES`: the table's share too (dynacore has no indexes yet).
    Indexes,
}

impl Detail {
    /// From the request body; `None` for `NONE`, absent, or anything else
    /// (the decoder has already refused values outside the set).
    pub fn from_body(body: &Value) -> Option<Detail> {
        match body.get("ReturnConsumedCapacity").and_then(Value::as_str) {
            Some("TOTAL") => Some(Detail::Total),
            Some("INDEXES") => Some(Detail::Indexes),
            _ => None,
        }
    }
}

/// What the request contributes to its capacity, taken before it executes
/// (the request is moved into the engine).
#[derive(Debug, Clone, Default)]
pub struct Charge {
    /// Per table: write units of the items the request writes.
    writes: BTreeMap<String, f64>,
    /// Per table, for reads: strongly consistent?
    consistent: BTreeMap<String, bool>,
    /// The table of a single-table request.
    table: Option<String>,
}

fn write_units(item: &Item) -> f64 {
    item_size_bytes(item).div_ceil(1024).max(1) as f64
}

/// A BatchWriteItem request's units: its item's for a put, one for a delete.
fn write_request_units(write: &dynacore::WriteRequest) -> f64 {
    match write {
        dynacore::WriteRequest::Put { item } => write_units(item),
        dynacore::WriteRequest::Delete { .. } => 1.0,
    }
}

fn read_units(bytes: usize, consistent: bool) -> f64 {
    let units = bytes.div_ceil(4096).max(1) as f64;
    if consistent { units } else { units / 2.0 }
}

impl Charge {
    pub fn of(request: &Request) -> Charge {
        let mut charge = Charge::default();
        match request {
            Request::PutItem(r) => {
                charge.table = Some(r.table_name.clone());
                charge
                    .writes
                    .insert(r.table_name.clone(), write_units(&r.item));
            }
            Request::UpdateItem(r) => charge.table = Some(r.table_name.clone()),
            Request::DeleteItem(r) => charge.table = Some(r.table_name.clone()),
            Request::GetItem(r) => {
                charge.table = Some(r.table_name.clone());
                charge
                    .consistent
                    .insert(r.table_name.clone(), r.consistent_read);
            }
            Request::Query(r) => {
                charge.table = Some(r.table_name.clone());
                charge
                    .consistent
                    .insert(r.table_name.clone(), r.consistent_read);
            }
            Request::Scan(r) => {
                charge.table = Some(r.table_name.clone());
                charge
                    .consistent
                    .insert(r.table_name.clone(), r.consistent_read);
            }
            Request::BatchGetItem(r) => {
                for (table, keys) in &r.request_items {
                    charge
                        .consistent
                        .insert(table.clone(), keys.consistent_read);
                }
            }
            Request::BatchWriteItem(r) => {
                for (table, writes) in &r.request_items {
                    let units = writes.iter().map(write_request_units).sum();
                    charge.writes.insert(table.clone(), units);
                }
            }
            _ => {}
        }
        charge
    }

    /// The `ConsumedCapacity` member for `response`, or `None` when the
    /// operation has none. Batch operations answer a list, one per table.
    pub fn consumed(&self, response: &Response, detail: Detail) -> Option<Value> {
        let single = |units: f64| {
            let table = self.table.as_deref().unwrap_or_default();
            Some(entry(table, units, detail))
        };
        let consistent = |table: &str| self.consistent.get(table).copied().unwrap_or(false);
        match response {
            Response::Write(write) => {
                let table = self.table.as_deref().unwrap_or_default();
                let units = match (self.writes.get(table), &write.attributes) {
                    (Some(units), _) => *units,
                    (None, Some(item)) => write_units(item),
                    (None, None) => 1.0,
                };
                single(units)
            }
            Response::Item(item) => {
                let table = self.table.as_deref().unwrap_or_default();
                let bytes = item.as_ref().map_or(0, item_size_bytes);
                single(read_units(bytes, consistent(table)))
            }
            Response::Page(page) => {
                let table = self.table.as_deref().unwrap_or_default();
                let bytes = page.items.iter().map(item_size_bytes).sum();
                single(read_units(bytes, consistent(table)))
            }
            Response::BatchGetItem(batch) => Some(Value::Array(
                batch
                    .responses
                    .iter()
                    .map(|(table, items)| {
                        let units = items
                            .iter()
                            .map(|i| read_units(item_size_bytes(i), consistent(table)))
                            .sum();
                        entry(table, units, detail)
                    })
                    .collect(),
            )),
            Response::BatchWriteItem(batch) => Some(Value::Array(
                self.writes
                    .iter()
                    .map(|(table, units)| {
                        // Writes handed back unprocessed cost nothing.
                        let unprocessed: f64 = batch
                            .unprocessed_items
                            .get(table)
                            .map_or(0.0, |w| w.iter().map(write_request_units).sum());
                        entry(table, (units - unprocessed).max(0.0), detail)
                    })
                    .collect(),
            )),
            _ => None,
        }
    }
}

fn entry(table: &str, units: f64, detail: Detail) -> Value {
    let mut out = Map::new();
    out.insert("TableName".into(), json!(table));
    out.insert("CapacityUnits".into(), json!(units));
    if detail == Detail::Indexes {
        out.insert("Table".into(), json!({"CapacityUnits": units}));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynacore::{AttributeValue, PutItemRequest, WriteOutput};

    fn item_of(bytes: usize) -> Item {
        let mut item = Item::new();
        item.insert("pk".into(), AttributeValue::S("k".into()));
        item.insert("v".into(), AttributeValue::S("x".repeat(bytes)));
        item
    }

    #[test]
    fn a_put_costs_one_unit_per_kilobyte_rounded_up() {
        let request = Request::PutItem(PutItemRequest {
            table_name: "tbl".into(),
            item: item_of(2000),
            ..Default::default()
        });
        let charge = Charge::of(&request);
        let reply = Response::Write(WriteOutput { attributes: None });
        let consumed = charge.consumed(&reply, Detail::Total).unwrap();
        assert_eq!(consumed, json!({"TableName": "tbl", "CapacityUnits": 2.0}));
        let consumed = charge.consumed(&reply, Detail::Indexes).unwrap();
        assert_eq!(consumed["Table"], json!({"CapacityUnits": 2.0}));
    }

    #[test]
    fn an_eventually_consistent_read_costs_half() {
        let request = Request::GetItem(dynacore::GetItemRequest {
            table_name: "tbl".into(),
            ..Default::default()
        });
        let charge = Charge::of(&request);
        let reply = Response::Item(Some(item_of(5000)));
        let consumed = charge.consumed(&reply, Detail::Total).unwrap();
        assert_eq!(consumed["CapacityUnits"], json!(1.0));
        let missing = charge.consumed(&Response::Item(None), Detail::Total);
        assert_eq!(missing.unwrap()["CapacityUnits"], json!(0.5));
    }
}
