//! Reply bodies: [`Response::encode`] / [`Response::decode`] for successful
//! replies and [`ErrorReply::encode`] / [`ErrorReply::decode`] for error
//! frames. Which [`Response`] variant a body holds follows from the
//! request's opcode (the reply header repeats it). `docs/protocol.md`,
//! "Replies" and "Errors", is the specification.

use dynacore::{BatchGetItemOutput, BatchWriteItemOutput, ListTablesOutput, Page};

use super::Opcode;
use super::codec::{DecodeError, Reader, Writer};
use super::error::{ErrorCode, ErrorReply};
use super::fields::*;
use super::message::{HelloReply, Response};

impl HelloReply {
    pub fn encode(&self, w: &mut Writer) {
        w.u8(self.version);
        w.string(&self.server_version);
        w.u16(self.this_shard);
        w.list(&self.virtual_partitions, |w, owner| w.u16(*owner));
        w.list(&self.shard_addresses, |w, address| w.string(address));
        w.u32(self.max_body_bytes);
        w.u32(self.max_in_flight);
    }

    pub fn decode(r: &mut Reader<'_>) -> Result<HelloReply, DecodeError> {
        Ok(HelloReply {
            version: r.u8("version")?,
            server_version: r.string("server_version")?,
            this_shard: r.u16("this_shard")?,
            virtual_partitions: r.list("virtual_partitions", 2, |r| r.u16("virtual_partitions"))?,
            shard_addresses: r.list("shard_addresses", STRING_BYTES_MIN, |r| {
                r.string("shard_addresses")
            })?,
            max_body_bytes: r.u32("max_body_bytes")?,
            max_in_flight: r.u32("max_in_flight")?,
        })
    }
}

impl Response {
    /// The body of this reply.
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Response::Hello(reply) => reply.encode(w),
            Response::Table(table) => write_table(w, table),
            Response::DescribeTable { table, stats } => {
                write_table(w, table);
                w.option(stats.as_ref(), |w, (item_count, table_size_bytes)| {
                    w.u64(*item_count);
                    w.u64(*table_size_bytes);
                });
            }
            Response::ListTables(out) => {
                w.list(&out.table_names, |w, name| w.string(name));
                w.opt_string(out.last_evaluated_table_name.as_deref());
            }
            Response::Item(item) => write_opt_item(w, item.as_ref()),
            Response::Write(out) => write_opt_item(w, out.attributes.as_ref()),
            Response::Page(page) => {
                w.list(&page.items, |w, item| w.item(item));
                w.len(page.count);
                w.len(page.scanned_count);
                write_opt_item(w, page.last_evaluated_key.as_ref());
            }
            Response::BatchGetItem(out) => {
                w.map(&out.responses, |w, items| w.list(items, |w, i| w.item(i)));
                write_keys_by_table(w, &out.unprocessed_keys);
            }
            Response::BatchWriteItem(out) => write_writes_by_table(w, &out.unprocessed_items),
            Response::Stats(text) => w.string(text),
        }
    }

    /// The body of this reply as a new buffer.
    pub fn to_body(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode(&mut w);
        w.into_inner()
    }

    /// The variant a successful reply to `opcode` carries, by name (for
    /// docs and tests): CreateTable, DeleteTable and UpdateTable share
    /// `Table`, Put/Update/DeleteItem share `Write`, Query and Scan `Page`.
    pub fn variant_for(opcode: Opcode) -> &'static str {
        match opcode {
            Opcode::Hello => "Hello",
            Opcode::CreateTable | Opcode::DeleteTable | Opcode::UpdateTable => "Table",
            Opcode::DescribeTable => "DescribeTable",
            Opcode::ListTables => "ListTables",
            Opcode::GetItem => "Item",
            Opcode::PutItem | Opcode::UpdateItem | Opcode::DeleteItem => "Write",
            Opcode::Query | Opcode::Scan => "Page",
            Opcode::BatchGetItem => "BatchGetItem",
            Opcode::BatchWriteItem => "BatchWriteItem",
            Opcode::Stats => "Stats",
        }
    }

    /// Decodes the body of a successful reply to a request with `opcode`.
    /// Never panics; the whole body must be read.
    pub fn decode(opcode: Opcode, body: &[u8]) -> Result<Response, DecodeError> {
        let mut r = Reader::new(body);
        let response = decode_body(opcode, &mut r)?;
        r.finish()?;
        Ok(response)
    }
}

fn decode_body(opcode: Opcode, r: &mut Reader<'_>) -> Result<Response, DecodeError> {
    Ok(match opcode {
        Opcode::Hello => Response::Hello(HelloReply::decode(r)?),
        Opcode::CreateTable | Opcode::DeleteTable | Opcode::UpdateTable => {
            Response::Table(read_table(r)?)
        }
        Opcode::DescribeTable => Response::DescribeTable {
            table: read_table(r)?,
            stats: r.option("stats", |r| {
                Ok((r.u64("item_count")?, r.u64("table_size_bytes")?))
            })?,
        },
        Opcode::ListTables => Response::ListTables(ListTablesOutput {
            table_names: r.list("table_names", STRING_BYTES_MIN, |r| r.string("table_names"))?,
            last_evaluated_table_name: r.opt_string("last_evaluated_table_name")?,
        }),
        Opcode::GetItem => Response::Item(read_opt_item(r, "item")?),
        Opcode::PutItem | Opcode::UpdateItem | Opcode::DeleteItem => {
            Response::Write(dynacore::WriteOutput {
                attributes: read_opt_item(r, "attributes")?,
            })
        }
        Opcode::Query | Opcode::Scan => Response::Page(Page {
            items: r.list("items", ITEM_BYTES_MIN, |r| r.item("items"))?,
            count: r.u32("count")? as usize,
            scanned_count: r.u32("scanned_count")? as usize,
            last_evaluated_key: read_opt_item(r, "last_evaluated_key")?,
        }),
        Opcode::BatchGetItem => Response::BatchGetItem(BatchGetItemOutput {
            responses: r.map("responses", 4, |r| {
                r.list("responses", ITEM_BYTES_MIN, |r| r.item("responses"))
            })?,
            unprocessed_keys: read_keys_by_table(r, "unprocessed_keys")?,
        }),
        Opcode::BatchWriteItem => Response::BatchWriteItem(BatchWriteItemOutput {
            unprocessed_items: read_writes_by_table(r, "unprocessed_items")?,
        }),
        Opcode::Stats => Response::Stats(r.string("stats")?),
    })
}

impl ErrorReply {
    /// The body of an error frame: u16 code, string message, option<item>.
    pub fn encode(&self, w: &mut Writer) {
        w.u16(self.code as u16);
        w.string(&self.message);
        write_opt_item(w, self.item.as_ref());
    }

    /// The body of this error as a new buffer.
    pub fn to_body(&self) -> Vec<u8> {
        let mut w = Writer::new();
        self.encode(&mut w);
        w.into_inner()
    }

    /// Decodes an error frame's body. An unknown code is an error (a newer
    /// server's code reaches an older client only under a newer version).
    pub fn decode(body: &[u8]) -> Result<ErrorReply, DecodeError> {
        let mut r = Reader::new(body);
        let raw = r.u16("code")?;
        let code = ErrorCode::from_u16(raw)
            .ok_or_else(|| DecodeError::invalid("code", format!("unknown error code {raw}")))?;
        let message = r.string("message")?;
        let item = read_opt_item(&mut r, "item")?;
        r.finish()?;
        Ok(ErrorReply {
            code,
            message,
            item,
        })
    }
}
