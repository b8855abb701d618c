//! The engine's replies as DynamoDB's JSON response bodies. The shapes
//! the CLI already prints come from `crate::json::output`; this adds the
//! operation wrappers (`TableDescription`, `Table`) and DynamoDB's ARN.

use dynacore::catalog::TableDescription;
use serde_json::{Map, Value, json};

use crate::json::output;
use crate::protocol::Response;

/// The ARN a table answers with, DynamoDB Local's region and account.
pub fn table_arn(table_name: &str) -> String {
    format!("arn:aws:dynamodb:ddblocal:000000000000:table/{table_name}")
}

fn description(table: &TableDescription, stats: Option<(u64, u64)>) -> Value {
    let mut out = output::table_description(table, stats);
    if let Value::Object(members) = &mut out {
        members.insert("TableArn".into(), json!(table_arn(&table.name)));
    }
    out
}

/// Encodes `response`, the engine's reply to `operation`, as DynamoDB's
/// response body. A response that does not belong to `operation` is this
/// program's mistake: it is answered as `{}` (and trips a debug
/// assertion) rather than taking the server down.
pub fn encode_response(operation: &str, response: &Response) -> Value {
    match (operation, response) {
        ("PutItem" | "UpdateItem" | "DeleteItem", Response::Write(write)) => {
            output::write_output(write)
        }
        ("GetItem", Response::Item(item)) => output::get_item(item.as_ref()),
        ("Query" | "Scan", Response::Page(page)) => output::page(page),
        ("BatchGetItem", Response::BatchGetItem(batch)) => output::batch_get(batch),
        ("BatchWriteItem", Response::BatchWriteItem(batch)) => output::batch_write(batch),
        // A new table is empty: DynamoDB reports zero counts for it.
        ("CreateTable", Response::Table(table)) => {
            json!({"TableDescription": description(table, Some((0, 0)))})
        }
        ("DeleteTable" | "UpdateTable", Response::Table(table)) => {
            json!({"TableDescription": description(table, None)})
        }
        ("DescribeTable", Response::DescribeTable { table, stats }) => {
            json!({"Table": description(table, *stats)})
        }
        ("ListTables", Response::ListTables(list)) => {
            let mut out = Map::new();
            out.insert("TableNames".into(), json!(list.table_names));
            if let Some(last) = &list.last_evaluated_table_name {
                out.insert("LastEvaluatedTableName".into(), json!(last));
            }
            Value::Object(out)
        }
        _ => {
            debug_assert!(false, "{operation} cannot answer {response:?}");
            Value::Object(Map::new())
        }
    }
}
