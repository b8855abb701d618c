//! Requests and replies: one body shape per opcode, built from the engine's
//! own request and output types so that the server does no translation.
//! `docs/protocol.md` gives each body field by field; the encoders and
//! decoders are in `requests.rs` and `replies.rs`.

use dynacore::catalog::TableDescription;
use dynacore::{
    BatchGetItemOutput, BatchGetItemRequest, BatchWriteItemOutput, BatchWriteItemRequest,
    CreateTableRequest, DeleteItemRequest, GetItemRequest, Item, ListTablesOutput,
    ListTablesRequest, Page, PutItemRequest, QueryRequest, ScanRequest, UpdateItemRequest,
    UpdateTableRequest, WriteOutput,
};

use super::Opcode;

/// The first request on a connection: which protocol versions the client
/// speaks, and who it is (for logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    pub min_version: u8,
    pub max_version: u8,
    pub client_name: String,
}

/// The server's answer to [`Hello`]: the version both speak, and the shard
/// map a shard-aware client routes by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloReply {
    /// The protocol version chosen (the highest both sides speak).
    pub version: u8,
    /// The server's name and build version, e.g. `dynacore 0.1.0`.
    pub server_version: String,
    /// The shard whose core accepted this connection.
    pub this_shard: u16,
    /// The owning shard of each virtual partition (`ShardRouter`), so a
    /// client computes `owner(xxh3(table id, partition key) mod len)`.
    pub virtual_partitions: Vec<u16>,
    /// Each shard's own listening address, by shard number: a connection
    /// there is served by that shard's core.
    pub shard_addresses: Vec<String>,
    /// The largest body the server accepts.
    pub max_body_bytes: u32,
    /// Requests one connection may have executing at once; at the limit
    /// the server stops reading the socket until a reply goes out
    /// (backpressure, not an error).
    pub max_in_flight: u32,
}

/// A decoded request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Hello(Hello),
    CreateTable(CreateTableRequest),
    DeleteTable {
        table_name: String,
    },
    /// With `with_stats`, ItemCount and TableSizeBytes are exact (the table
    /// is read); without, they are absent and the call is cheap (a
    /// shard-aware client uses it to learn a table's id and key schema).
    DescribeTable {
        table_name: String,
        with_stats: bool,
    },
    ListTables(ListTablesRequest),
    UpdateTable(UpdateTableRequest),
    GetItem(GetItemRequest),
    PutItem(PutItemRequest),
    UpdateItem(UpdateItemRequest),
    DeleteItem(DeleteItemRequest),
    Query(QueryRequest),
    Scan(ScanRequest),
    BatchGetItem(BatchGetItemRequest),
    BatchWriteItem(BatchWriteItemRequest),
    /// The server's counters and latency percentiles, as Prometheus text.
    Stats,
}

/// A successful reply; which variant follows from the request's opcode.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    Hello(HelloReply),
    /// CreateTable, DeleteTable and UpdateTable: the table as it is now.
    Table(TableDescription),
    DescribeTable {
        table: TableDescription,
        /// `(ItemCount, TableSizeBytes)` when the request asked for them.
        stats: Option<(u64, u64)>,
    },
    ListTables(ListTablesOutput),
    /// GetItem: the item, if it exists (projected as asked).
    Item(Option<Item>),
    /// PutItem, UpdateItem, DeleteItem.
    Write(WriteOutput),
    /// Query, Scan.
    Page(Page),
    BatchGetItem(BatchGetItemOutput),
    BatchWriteItem(BatchWriteItemOutput),
    /// Prometheus text exposition format.
    Stats(String),
}

impl Request {
    pub fn opcode(&self) -> Opcode {
        match self {
            Request::Hello(_) => Opcode::Hello,
            Request::CreateTable(_) => Opcode::CreateTable,
            Request::DeleteTable { .. } => Opcode::DeleteTable,
            Request::DescribeTable { .. } => Opcode::DescribeTable,
            Request::ListTables(_) => Opcode::ListTables,
            Request::UpdateTable(_) => Opcode::UpdateTable,
            Request::GetItem(_) => Opcode::GetItem,
            Request::PutItem(_) => Opcode::PutItem,
            Request::UpdateItem(_) => Opcode::UpdateItem,
            Request::DeleteItem(_) => Opcode::DeleteItem,
            Request::Query(_) => Opcode::Query,
            Request::Scan(_) => Opcode::Scan,
            Request::BatchGetItem(_) => Opcode::BatchGetItem,
            Request::BatchWriteItem(_) => Opcode::BatchWriteItem,
            Request::Stats => Opcode::Stats,
        }
    }
}
