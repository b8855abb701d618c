//! Shard awareness: which shard owns a point request's item, computed the
//! way the engine does (`encode_partition_prefix` → `ShardRouter` → the
//! server's virtual-partition map), from a per-table cache of the table's
//! id and partition key name.
//!
//! The cache is filled by DescribeTable (without stats) on first use of a
//! table name, and an entry is dropped when a request on that table gets
//! `ResourceNotFound` or after CreateTable/DeleteTable of that name (a new
//! table with the same name has a new id).

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use dynacore::catalog::TableDescription;
use dynacore::coding::key::encode_partition_prefix;
use dynacore::ids::TableId;
use dynacore::shard::ShardRouter;
use dynacore::{Item, KeyValue};

use crate::protocol::Request;

/// What routing needs of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRoute {
    pub id: TableId,
    pub partition_key: String,
}

impl TableRoute {
    pub fn of(table: &TableDescription) -> TableRoute {
        TableRoute {
            id: table.id,
            partition_key: table.schema.partition_key.name.clone(),
        }
    }
}

/// The shard map learnt at handshake, and the table cache.
#[derive(Debug, Default)]
pub struct Router {
    /// Owner shard of each virtual partition.
    pub virtual_partitions: Vec<u16>,
    tables: RwLock<HashMap<String, TableRoute>>,
    to_owner: AtomicU64,
    not_to_owner: AtomicU64,
}

/// Requests sent to the shard owning their item, and point requests that
/// were not (unknown table, no shard map, owner's connection unavailable).
/// Requests that have no owner (Query, Scan, table management ...) are in
/// neither count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoutingStats {
    pub to_owner: u64,
    pub not_to_owner: u64,
}

impl RoutingStats {
    /// The share of point requests sent to their owner (1.0 with none).
    pub fn owner_share(&self) -> f64 {
        let total = self.to_owner + self.not_to_owner;
        if total == 0 {
            1.0
        } else {
            self.to_owner as f64 / total as f64
        }
    }
}

/// The table name and key item of a point request.
pub fn point_key(request: &Request) -> Option<(&str, &Item)> {
    match request {
        Request::GetItem(r) => Some((&r.table_name, &r.key)),
        Request::PutItem(r) => Some((&r.table_name, &r.item)),
        Request::UpdateItem(r) => Some((&r.table_name, &r.key)),
        Request::DeleteItem(r) => Some((&r.table_name, &r.key)),
        _ => None,
    }
}

/// The shard owning `key` of a table routed by `route`, under a map of
/// virtual-partition owners; `None` if the key lacks a valid partition key
/// or the map is empty.
pub fn owner_of(virtual_partitions: &[u16], route: &TableRoute, key: &Item) -> Option<u16> {
    let value = KeyValue::from_attribute_value(key.get(&route.partition_key)?)?;
    let prefix = encode_partition_prefix(route.id, &value);
    let vp = ShardRouter::virtual_partition(&prefix);
    virtual_partitions.get(vp).copied()
}

impl Router {
    pub fn new(virtual_partitions: Vec<u16>) -> Router {
        Router {
            virtual_partitions,
            ..Router::default()
        }
    }

    pub fn cached(&self, table: &str) -> Option<TableRoute> {
        self.tables
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(table)
            .cloned()
    }

    pub fn remember(&self, table: &TableDescription) {
        self.tables
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(table.name.clone(), TableRoute::of(table));
    }

    pub fn forget(&self, table: &str) {
        self.tables
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(table);
    }

    pub fn count(&self, to_owner: bool) {
        let counter = if to_owner {
            &self.to_owner
        } else {
            &self.not_to_owner
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn stats(&self) -> RoutingStats {
        RoutingStats {
            to_owner: self.to_owner.load(Ordering::Relaxed),
            not_to_owner: self.not_to_owner.load(Ordering::Relaxed),
        }
    }
}
