//! RocksDB through the `rocksdb` crate, one record per key in the default
//! column family.

use std::path::{Path, PathBuf};

use ::rocksdb::{BlockBasedOptions, Cache, DB, DBCompressionType, Options, WriteOptions};

use super::{DurabilityMode, Field, Target};

/// The versions in Cargo.lock, for the report.
const VERSION: &str = "rocksdb crate 0.25.0 (RocksDB 11.8.1 via librocksdb-sys 0.19.0)";

/// The RocksDB baseline.
pub struct RocksDb {
    db: DB,
    write: WriteOptions,
    // Held for the DB's lifetime (the table factory shares it too).
    _cache: Cache,
    durability: DurabilityMode,
    field_count: usize,
    cache_bytes: usize,
    dir: PathBuf,
}

impl std::fmt::Debug for RocksDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksDb")
            .field("dir", &self.dir)
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

impl RocksDb {
    /// Opens (or creates) the database in `dir`.
    pub fn open(
        dir: &Path,
        durability: DurabilityMode,
        field_count: usize,
        cache_bytes: usize,
    ) -> anyhow::Result<Self> {
        let cache = Cache::new_lru_cache(cache_bytes);
        let mut table = BlockBasedOptions::default();
        table.set_block_cache(&cache);
        table.set_bloom_filter(10.0, false);

        let mut options = Options::default();
        options.create_if_missing(true);
        options.set_compression_type(DBCompressionType::None);
        options.set_block_based_table_factory(&table);
        let db = DB::open(&options, dir)?;

        let mut write = WriteOptions::default();
        write.disable_wal(false);
        write.set_sync(durability == DurabilityMode::Sync);

        Ok(Self {
            db,
            write,
            _cache: cache,
            durability,
            field_count,
            cache_bytes,
            dir: dir.to_path_buf(),
        })
    }
}

impl Target for RocksDb {
    fn name(&self) -> &'static str {
        "rocksdb"
    }

    fn settings(&self) -> String {
        let durability = match self.durability {
            DurabilityMode::Sync => {
                "durability sync: every put with WriteOptions::set_sync(true) (WAL on, fdatasync \
                 of the WAL before the put returns)"
            }
            DurabilityMode::None => {
                "durability none: every put with WriteOptions::set_sync(false), WAL on (written to \
                 the OS, never synced by a put)"
            }
        };
        format!(
            "{VERSION}, built without compression libraries; {durability}; \
             options: RocksDB defaults except create_if_missing, compression none, block-based \
             table with a {cache_words} LRU block cache and a 10 bits/key full bloom filter; \
             one key per record, its {} fields in one length-prefixed value; read = get + decode \
             all fields; insert = put; update = get, replace the one field, put the whole record \
             (YCSB's RocksDB binding; not atomic); scan = iterator seek to the start key, decode up \
             to count records",
            self.field_count,
            cache_words = super::super::bytes_in_words(self.cache_bytes),
        )
    }

    fn insert(&self, key: &str, fields: &[Field]) -> anyhow::Result<()> {
        let value = super::encode_record(fields)?;
        self.db.put_opt(key, value, &self.write)?;
        Ok(())
    }

    fn read(&self, key: &str) -> anyhow::Result<usize> {
        match self.db.get_pinned(key)? {
            Some(value) => super::decoded_field_count(&value),
            None => Ok(0),
        }
    }

    fn update(&self, key: &str, field: &str, value: &[u8]) -> anyhow::Result<()> {
        let old = self
            .db
            .get_pinned(key)?
            .ok_or_else(|| super::not_found(key))?;
        let new = super::replace_field(&old, field, value)?;
        drop(old);
        self.db.put_opt(key, new, &self.write)?;
        Ok(())
    }

    fn scan(&self, start_key: &str, count: usize) -> anyhow::Result<usize> {
        if count == 0 {
            return Ok(0);
        }
        let mut iter = self.db.raw_iterator();
        iter.seek(start_key);
        let mut records = 0;
        while records < count {
            let Some(value) = iter.value() else { break };
            super::decoded_field_count(value)?;
            records += 1;
            iter.next();
        }
        iter.status()?;
        Ok(records)
    }

    fn disk_bytes(&self) -> u64 {
        super::dir_size_bytes(&self.dir)
    }
}

#[cfg(all(test, feature = "baselines"))]
impl RocksDb {
    /// The stored value of `key`, for tests.
    fn raw(&self, key: &str) -> Option<Vec<u8>> {
        self.db.get(key).unwrap()
    }
}

#[cfg(all(test, feature = "baselines"))]
mod tests {
    use super::super::DurabilityMode;
    use super::super::tests::round_trip;

    #[test]
    fn rocksdb_round_trip_none() {
        round_trip("rocksdb", DurabilityMode::None);
    }

    #[test]
    fn rocksdb_round_trip_sync() {
        round_trip("rocksdb", DurabilityMode::Sync);
    }

    #[test]
    fn rocksdb_cache_size_is_stated() {
        super::super::tests::cache_size_is_stated("rocksdb");
    }

    #[test]
    fn rocksdb_update_replaces_one_field() {
        for durability in [DurabilityMode::None, DurabilityMode::Sync] {
            let dir = super::super::tests::TempDir::new("rocksdb-update");
            let target = super::RocksDb::open(&dir.0, durability, 3, 1 << 20).unwrap();
            super::super::tests::update_replaces_one_field(&target, super::RocksDb::raw);
        }
    }
}
