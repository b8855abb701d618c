//! The `embedded` target: dynacore in this process, as an application would
//! use it — items in table `usertable` with string partition key `YCSB_KEY`
//! and one string attribute per field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use dynacore::{
    AttributeValue, CacheOptions, Db, Durability, Item, KeyAttribute, KeyType, KeyValue,
    PrimaryKey, ScanRequest, TableSchema, UpdateItemRequest,
};

use super::{DurabilityMode, Field, Target};
use crate::results::CacheSummary;

pub(super) const TABLE: &str = "usertable";
const KEY_ATTRIBUTE: &str = "YCSB_KEY";

/// dynacore, embedded; see the module docs.
#[derive(Debug)]
pub struct Embedded {
    db: Db,
    dir: PathBuf,
    durability: DurabilityMode,
}

fn primary_key(key: &str) -> PrimaryKey {
    PrimaryKey {
        partition: KeyValue::S(key.to_owned()),
        sort: None,
    }
}

fn text(value: &[u8]) -> String {
    // YCSB's values are printable ASCII; anything else is kept, replaced.
    String::from_utf8_lossy(value).into_owned()
}

impl Embedded {
    /// Opens (creating) a database in `dir` with table `usertable`.
    pub fn open(
        dir: &Path,
        durability: DurabilityMode,
        cache: CacheOptions,
    ) -> anyhow::Result<Self> {
        let db = Db::builder(dir)
            .durability(match durability {
                DurabilityMode::Sync => Durability::Sync,
                DurabilityMode::None => Durability::None,
            })
            .cache(cache)
            .open()
            .with_context(|| format!("opening dynacore in {}", dir.display()))?;
        if db.describe_table(TABLE).is_err() {
            db.create_table(TABLE, schema())?;
        }
        Ok(Embedded {
            db,
            dir: dir.to_path_buf(),
            durability,
        })
    }
}

impl Target for Embedded {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn settings(&self) -> String {
        let stats = self.db.stats();
        let cpus: Vec<String> = stats
            .shards
            .iter()
            .map(|s| s.cpu.map_or("-".into(), |c| c.to_string()))
            .collect();
        format!(
            "dynacore {} embedded: {} shards (threads pinned to cpus {}), hand-off {:?}, \
             I/O backend {}, durability {} ({}), 16 MiB memtable per shard, {}; \
             UPDATE = UpdateItem SET of one field; \
             SCAN = Scan from an exclusive start key with Limit",
            env!("CARGO_PKG_VERSION"),
            stats.shards.len(),
            cpus.join(","),
            stats.handoff,
            stats.io_backend,
            match self.durability {
                DurabilityMode::Sync => "Sync",
                DurabilityMode::None => "None",
            },
            match self.durability {
                DurabilityMode::Sync => "fdatasync before every acknowledgement, group commit",
                DurabilityMode::None => "WAL written to the OS, never synced by writes",
            },
            super::dynacore_cache_words(self.db.cache_options()),
        )
    }

    fn insert(&self, key: &str, fields: &[Field]) -> anyhow::Result<()> {
        Ok(self.db.put_item(TABLE, &record(key, fields))?)
    }

    fn read(&self, key: &str) -> anyhow::Result<usize> {
        Ok(self
            .db
            .get_item(TABLE, &primary_key(key))?
            .map_or(0, |item| item.len() - 1))
    }

    fn update(&self, key: &str, field: &str, value: &[u8]) -> anyhow::Result<()> {
        self.db.update_item(&update_request(key, field, value))?;
        Ok(())
    }

    fn scan(&self, start_key: &str, count: usize) -> anyhow::Result<usize> {
        Ok(self.db.scan(&scan_request(start_key, count))?.items.len())
    }

    fn disk_bytes(&self) -> u64 {
        super::dir_size_bytes(&self.dir)
    }

    fn cache_stats(&self) -> Option<CacheSummary> {
        Some(super::dynacore_cache_summary(&self.db.stats()))
    }
}

/// A YCSB record as an item: the key attribute and one string per field.
pub(super) fn record(key: &str, fields: &[Field]) -> Item {
    let mut item = BTreeMap::new();
    item.insert(KEY_ATTRIBUTE.to_owned(), AttributeValue::S(key.to_owned()));
    for (name, value) in fields {
        item.insert(name.clone(), AttributeValue::S(text(value)));
    }
    item
}

/// YCSB's UPDATE: one UpdateItem of one attribute, as YCSB's DynamoDB
/// binding sends it (no condition: YCSB only updates records it loaded).
pub(super) fn update_request(key: &str, field: &str, value: &[u8]) -> UpdateItemRequest {
    UpdateItemRequest {
        table_name: TABLE.to_owned(),
        key: key_item(key),
        update_expression: Some("SET #f = :v".to_owned()),
        expression_attribute_names: Some(BTreeMap::from([("#f".to_owned(), field.to_owned())])),
        expression_attribute_values: Some(BTreeMap::from([(
            ":v".to_owned(),
            AttributeValue::S(text(value)),
        )])),
        ..UpdateItemRequest::default()
    }
}

/// YCSB's SCAN: a Scan from an exclusive start key with a Limit.
pub(super) fn scan_request(start_key: &str, count: usize) -> ScanRequest {
    ScanRequest {
        table_name: TABLE.to_owned(),
        limit: Some(count.max(1)),
        exclusive_start_key: Some(key_item(start_key)),
        ..ScanRequest::default()
    }
}

/// The key of record `key`, as an item.
pub(super) fn key_item(key: &str) -> Item {
    BTreeMap::from([(KEY_ATTRIBUTE.to_owned(), AttributeValue::S(key.to_owned()))])
}

/// Table `usertable`'s schema.
pub(super) fn schema() -> TableSchema {
    TableSchema {
        partition_key: KeyAttribute::new(KEY_ATTRIBUTE, KeyType::S),
        sort_key: None,
    }
}
