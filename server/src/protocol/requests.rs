//! Request bodies: [`Request::encode`] and [`Request::decode`], one fixed
//! field order per opcode, no tags. `docs/protocol.md`, "Requests", is the
//! specification; a change to any body here is a new protocol version.
//!
//! Decoding is bounds-checked (every count against the bytes that remain,
//! with a real minimum element size), never panics, and requires the whole
//! body to be read.

use dynacore::{
    BatchGetItemRequest, BatchWriteItemRequest, CreateTableRequest, DeleteItemRequest,
    GetItemRequest, ListTablesRequest, PutItemRequest, QueryRequest, ScanRequest,
    UpdateItemRequest, UpdateTableRequest,
};

use super::Opcode;
use super::codec::{DecodeError, Reader, Writer};
use super::fields::*;
use super::message::{Hello, Request};

impl Hello {
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.min_version);
        w.u8(self.max_version);
        w.string(&self.client_name);
    }

    pub fn decode(r: &mut Reader<'_>) -> Result<Hello, DecodeError> {
        Ok(Hello {
            min_version: r.u8("min_version")?,
            max_version: r.u8("max_version")?,
            client_name: r.string("client_name")?,
        })
    }
}

impl Request {
    /// The body of this request (the header is the caller's).
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Request::Hello(hello) => hello.encode(w),
            Request::CreateTable(r) => {
                w.string(&r.table_name);
                write_key_schema(w, &r.key_schema);
                write_attribute_definitions(w, &r.attribute_definitions);
                w.u8(r.billing_mode as u8);
                write_throughput(w, r.provisioned_throughput.as_ref());
            }
            Request::DeleteTable { table_name } => w.string(table_name),
            Request::DescribeTable {
                table_name,
                with_stats,
            } => {
                w.string(table_name);
                w.bool(*with_stats);
            }
            Request::ListTables(r) => {
                w.opt_string(r.exclusive_start_table_name.as_deref());
                w.option(r.limit.as_ref(), |w, n| w.u64(*n as u64));
            }
            Request::UpdateTable(r) => {
                w.string(&r.table_name);
                w.option(r.billing_mode.as_ref(), |w, m| w.u8(*m as u8));
                write_throughput(w, r.provisioned_throughput.as_ref());
            }
            Request::GetItem(r) => {
                w.string(&r.table_name);
                w.item(&r.key);
                w.opt_string(r.projection_expression.as_deref());
                write_names(w, r.expression_attribute_names.as_ref());
                w.bool(r.consistent_read);
            }
            Request::PutItem(r) => {
                w.string(&r.table_name);
                w.item(&r.item);
                w.opt_string(r.condition_expression.as_deref());
                write_names(w, r.expression_attribute_names.as_ref());
                write_values(w, r.expression_attribute_values.as_ref());
                w.u8(return_values_tag(r.return_values));
                w.u8(on_failure_tag(r.return_values_on_condition_check_failure));
            }
            Request::UpdateItem(r) => {
                w.string(&r.table_name);
                w.item(&r.key);
                w.opt_string(r.update_expression.as_deref());
                w.opt_string(r.condition_expression.as_deref());
                write_names(w, r.expression_attribute_names.as_ref());
                write_values(w, r.expression_attribute_values.as_ref());
                w.u8(return_values_tag(r.return_values));
                w.u8(on_failure_tag(r.return_values_on_condition_check_failure));
            }
            Request::DeleteItem(r) => {
                w.string(&r.table_name);
                w.item(&r.key);
                w.opt_string(r.condition_expression.as_deref());
                write_names(w, r.expression_attribute_names.as_ref());
                write_values(w, r.expression_attribute_values.as_ref());
                w.u8(return_values_tag(r.return_values));
                w.u8(on_failure_tag(r.return_values_on_condition_check_failure));
            }
            Request::Query(r) => {
                w.string(&r.table_name);
                w.opt_string(r.index_name.as_deref());
                w.opt_string(r.key_condition_expression.as_deref());
                w.opt_string(r.filter_expression.as_deref());
                w.opt_string(r.projection_expression.as_deref());
                write_names(w, r.expression_attribute_names.as_ref());
                write_values(w, r.expression_attribute_values.as_ref());
                w.bool(r.scan_index_forward);
                write_limit(w, r.limit);
                write_opt_item(w, r.exclusive_start_key.as_ref());
                w.option(r.select.as_ref(), |w, s| w.u8(select_tag(*s)));
                w.bool(r.consistent_read);
            }
            Request::Scan(r) => {
                w.string(&r.table_name);
                w.opt_string(r.index_name.as_deref());
                w.opt_string(r.filter_expression.as_deref());
                w.opt_string(r.projection_expression.as_deref());
                write_names(w, r.expression_attribute_names.as_ref());
                write_values(w, r.expression_attribute_values.as_ref());
                write_limit(w, r.limit);
                write_opt_item(w, r.exclusive_start_key.as_ref());
                w.option(r.select.as_ref(), |w, s| w.u8(select_tag(*s)));
                w.bool(r.consistent_read);
                write_opt_u32(w, r.segment);
                write_opt_u32(w, r.total_segments);
            }
            Request::BatchGetItem(r) => write_keys_by_table(w, &r.request_items),
            Request::BatchWriteItem(r) => write_writes_by_table(w, &r.request_items),
            Request::Stats => {}
        }
    }

    /// The body of this request as a new buffer.
    pub fn to_body(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode(&mut w);
        w.into_inner()
    }

    /// Decodes the body of a request with opcode `opcode`. Never panics;
    /// every malformed body is a [`DecodeError`], an opcode this build does
    /// not know is [`DecodeError::UnknownOpcode`].
    pub fn decode(opcode: u8, body: &[u8]) -> Result<Request, DecodeError> {
        let opcode = Opcode::from_u8(opcode).ok_or(DecodeError::UnknownOpcode(opcode))?;
        let mut r = Reader::new(body);
        let request = decode_body(opcode, &mut r)?;
        r.finish()?;
        Ok(request)
    }
}

fn decode_body(opcode: Opcode, r: &mut Reader<'_>) -> Result<Request, DecodeError> {
    Ok(match opcode {
        Opcode::Hello => Request::Hello(Hello::decode(r)?),
        Opcode::CreateTable => Request::CreateTable(CreateTableRequest {
            table_name: r.string("table_name")?,
            key_schema: read_key_schema(r)?,
            attribute_definitions: read_attribute_definitions(r)?,
            billing_mode: read_billing_mode(r)?,
            provisioned_throughput: read_throughput(r)?,
        }),
        Opcode::DeleteTable => Request::DeleteTable {
            table_name: r.string("table_name")?,
        },
        Opcode::DescribeTable => Request::DescribeTable {
            table_name: r.string("table_name")?,
            with_stats: r.bool("with_stats")?,
        },
        Opcode::ListTables => Request::ListTables(ListTablesRequest {
            exclusive_start_table_name: r.opt_string("exclusive_start_table_name")?,
            limit: r.option("limit", |r| Ok(r.u64("limit")? as i64))?,
        }),
        Opcode::UpdateTable => Request::UpdateTable(UpdateTableRequest {
            table_name: r.string("table_name")?,
            billing_mode: r.option("billing_mode", read_billing_mode)?,
            provisioned_throughput: read_throughput(r)?,
        }),
        Opcode::GetItem => Request::GetItem(GetItemRequest {
            table_name: r.string("table_name")?,
            key: r.item("key")?,
            projection_expression: r.opt_string("projection_expression")?,
            expression_attribute_names: read_names(r)?,
            consistent_read: r.bool("consistent_read")?,
        }),
        Opcode::PutItem => Request::PutItem(PutItemRequest {
            table_name: r.string("table_name")?,
            item: r.item("item")?,
            condition_expression: r.opt_string("condition_expression")?,
            expression_attribute_names: read_names(r)?,
            expression_attribute_values: read_values(r)?,
            return_values: read_return_values(r)?,
            return_values_on_condition_check_failure: read_on_failure(r)?,
        }),
        Opcode::UpdateItem => Request::UpdateItem(UpdateItemRequest {
            table_name: r.string("table_name")?,
            key: r.item("key")?,
            update_expression: r.opt_string("update_expression")?,
            condition_expression: r.opt_string("condition_expression")?,
            expression_attribute_names: read_names(r)?,
            expression_attribute_values: read_values(r)?,
            return_values: read_return_values(r)?,
            return_values_on_condition_check_failure: read_on_failure(r)?,
        }),
        Opcode::DeleteItem => Request::DeleteItem(DeleteItemRequest {
            table_name: r.string("table_name")?,
            key: r.item("key")?,
            condition_expression: r.opt_string("condition_expression")?,
            expression_attribute_names: read_names(r)?,
            expression_attribute_values: read_values(r)?,
            return_values: read_return_values(r)?,
            return_values_on_condition_check_failure: read_on_failure(r)?,
        }),
        Opcode::Query => Request::Query(QueryRequest {
            table_name: r.string("table_name")?,
            index_name: r.opt_string("index_name")?,
            key_condition_expression: r.opt_string("key_condition_expression")?,
            filter_expression: r.opt_string("filter_expression")?,
            projection_expression: r.opt_string("projection_expression")?,
            expression_attribute_names: read_names(r)?,
            expression_attribute_values: read_values(r)?,
            scan_index_forward: r.bool("scan_index_forward")?,
            limit: read_limit(r)?,
            exclusive_start_key: read_opt_item(r, "exclusive_start_key")?,
            select: r.option("select", read_select)?,
            consistent_read: r.bool("consistent_read")?,
        }),
        Opcode::Scan => Request::Scan(ScanRequest {
            table_name: r.string("table_name")?,
            index_name: r.opt_string("index_name")?,
            filter_expression: r.opt_string("filter_expression")?,
            projection_expression: r.opt_string("projection_expression")?,
            expression_attribute_names: read_names(r)?,
            expression_attribute_values: read_values(r)?,
            limit: read_limit(r)?,
            exclusive_start_key: read_opt_item(r, "exclusive_start_key")?,
            select: r.option("select", read_select)?,
            consistent_read: r.bool("consistent_read")?,
            segment: read_opt_u32(r, "segment")?,
            total_segments: read_opt_u32(r, "total_segments")?,
        }),
        Opcode::BatchGetItem => Request::BatchGetItem(BatchGetItemRequest {
            request_items: read_keys_by_table(r, "request_items")?,
        }),
        Opcode::BatchWriteItem => Request::BatchWriteItem(BatchWriteItemRequest {
            request_items: read_writes_by_table(r, "request_items")?,
        }),
        Opcode::Stats => Request::Stats,
    })
}
