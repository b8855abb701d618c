//! One blocking and one async method per operation, over the engine's
//! request and output types (`get_item` / `get_item_async` ...).

use dynacore::catalog::TableDescription;
use dynacore::{
    BatchGetItemOutput, BatchGetItemRequest, BatchWriteItemOutput, BatchWriteItemRequest,
    CreateTableRequest, DeleteItemRequest, DescribeTableOutput, GetItemRequest, Item,
    ListTablesOutput, ListTablesRequest, Page, PutItemRequest, QueryRequest, ScanRequest,
    UpdateItemRequest, UpdateTableRequest, WriteOutput,
};

use super::{Client, ClientError};
use crate::protocol::{Request, Response};

fn unexpected<T>(operation: &str, response: Response) -> Result<T, ClientError> {
    Err(ClientError::Protocol(format!(
        "{operation} answered with an unexpected reply: {response:?}"
    )))
}

/// `$name` (blocking) and `$async_name`: build the request with `$make`,
/// take the output out of the reply with the pattern.
macro_rules! operation {
    ($(#[$doc:meta])* $name:ident, $async_name:ident, $input:ty => $output:ty,
     |$arg:ident| $make:expr, $pattern:pat => $value:expr) => {
        $(#[$doc])*
        pub fn $name(&self, $arg: $input) -> Result<$output, ClientError> {
            match self.call($make)? {
                $pattern => Ok($value),
                other => unexpected(stringify!($name), other),
            }
        }

        $(#[$doc])*
        pub async fn $async_name(&self, $arg: $input) -> Result<$output, ClientError> {
            match self.call_async($make).await? {
                $pattern => Ok($value),
                other => unexpected(stringify!($name), other),
            }
        }
    };
}

impl Client {
    operation!(/// CreateTable.
        create_table, create_table_async, CreateTableRequest => TableDescription,
        |request| Request::CreateTable(request), Response::Table(t) => t);
    operation!(/// DeleteTable: the table as it was.
        delete_table, delete_table_async, &str => TableDescription,
        |table_name| Request::DeleteTable { table_name: table_name.to_owned() },
        Response::Table(t) => t);
    operation!(/// DescribeTable without ItemCount and TableSizeBytes (cheap).
        describe_table, describe_table_async, &str => TableDescription,
        |table_name| Request::DescribeTable { table_name: table_name.to_owned(), with_stats: false },
        Response::DescribeTable { table, .. } => table);
    operation!(/// DescribeTable with exact ItemCount and TableSizeBytes.
    describe_table_with_stats, describe_table_with_stats_async, &str => DescribeTableOutput,
    |table_name| Request::DescribeTable { table_name: table_name.to_owned(), with_stats: true },
    Response::DescribeTable { table, stats } => {
        let (item_count, table_size_bytes) = stats.unwrap_or_default();
        DescribeTableOutput { table, item_count, table_size_bytes }
    });
    operation!(/// ListTables (one page).
        list_tables, list_tables_async, ListTablesRequest => ListTablesOutput,
        |request| Request::ListTables(request), Response::ListTables(out) => out);
    operation!(/// UpdateTable.
        update_table, update_table_async, UpdateTableRequest => TableDescription,
        |request| Request::UpdateTable(request), Response::Table(t) => t);
    operation!(/// GetItem: the item, if it exists.
        get_item, get_item_async, GetItemRequest => Option<Item>,
        |request| Request::GetItem(request), Response::Item(item) => item);
    operation!(/// PutItem.
        put_item, put_item_async, PutItemRequest => WriteOutput,
        |request| Request::PutItem(request), Response::Write(out) => out);
    operation!(/// UpdateItem.
        update_item, update_item_async, UpdateItemRequest => WriteOutput,
        |request| Request::UpdateItem(request), Response::Write(out) => out);
    operation!(/// DeleteItem.
        delete_item, delete_item_async, DeleteItemRequest => WriteOutput,
        |request| Request::DeleteItem(request), Response::Write(out) => out);
    operation!(/// Query (one page).
        query, query_async, QueryRequest => Page,
        |request| Request::Query(request), Response::Page(page) => page);
    operation!(/// Scan (one page).
        scan, scan_async, ScanRequest => Page,
        |request| Request::Scan(request), Response::Page(page) => page);
    operation!(/// BatchGetItem.
        batch_get_item, batch_get_item_async, BatchGetItemRequest => BatchGetItemOutput,
        |request| Request::BatchGetItem(request), Response::BatchGetItem(out) => out);
    operation!(/// BatchWriteItem.
        batch_write_item, batch_write_item_async, BatchWriteItemRequest => BatchWriteItemOutput,
        |request| Request::BatchWriteItem(request), Response::BatchWriteItem(out) => out);

    /// The server's metrics as Prometheus text.
    pub fn stats(&self) -> Result<String, ClientError> {
        match self.call(Request::Stats)? {
            Response::Stats(text) => Ok(text),
            other => unexpected("stats", other),
        }
    }

    /// The server's metrics as Prometheus text.
    pub async fn stats_async(&self) -> Result<String, ClientError> {
        match self.call_async(Request::Stats).await? {
            Response::Stats(text) => Ok(text),
            other => unexpected("stats", other),
        }
    }
}
