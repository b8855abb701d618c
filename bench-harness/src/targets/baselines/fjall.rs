//! fjall, one record per key in keyspace `usertable`.

use std::path::{Path, PathBuf};

use ::fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};

use super::{DurabilityMode, Field, Target};

/// The versions in Cargo.lock, for the report.
const VERSION: &str = "fjall 3.1.13 (lsm-tree 3.1.10)";

/// The fjall baseline.
pub struct Fjall {
    db: Database,
    table: Keyspace,
    /// Persisted after every write (`None`: the default, flushed to the OS).
    persist: Option<PersistMode>,
    durability: DurabilityMode,
    field_count: usize,
    cache_bytes: usize,
    dir: PathBuf,
}

impl std::fmt::Debug for Fjall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fjall")
            .field("dir", &self.dir)
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

impl Fjall {
    /// Opens (or creates) the database in `dir`.
    pub fn open(
        dir: &Path,
        durability: DurabilityMode,
        field_count: usize,
        cache_bytes: usize,
    ) -> anyhow::Result<Self> {
        let db = Database::builder(dir)
            .cache_size(u64::try_from(cache_bytes)?)
            .open()?;
        let table = db.keyspace("usertable", KeyspaceCreateOptions::default)?;
        let persist = match durability {
            DurabilityMode::Sync => Some(PersistMode::SyncData),
            DurabilityMode::None => None,
        };
        Ok(Self {
            db,
            table,
            persist,
            durability,
            field_count,
            cache_bytes,
            dir: dir.to_path_buf(),
        })
    }

    fn put(&self, key: &str, value: Vec<u8>) -> anyhow::Result<()> {
        self.table.insert(key, value)?;
        if let Some(mode) = self.persist {
            self.db.persist(mode)?;
        }
        Ok(())
    }
}

impl Target for Fjall {
    fn name(&self) -> &'static str {
        "fjall"
    }

    fn settings(&self) -> String {
        let durability = match self.durability {
            DurabilityMode::Sync => {
                "durability sync: after every write Database::persist(PersistMode::SyncData) \
                 (the journal flushed and fdatasync'd before the write returns)"
            }
            DurabilityMode::None => {
                "durability none: the default journal mode (manual_journal_persist = false: each \
                 write is flushed to the OS, PersistMode::Buffer, never synced by the write)"
            }
        };
        format!(
            "{VERSION}, built without default features (no lz4: no compression); {durability}; \
             options: fjall defaults except a {cache_words} block cache (Builder::cache_size); \
             keyspace `usertable` with default KeyspaceCreateOptions; one key per record, its {} \
             fields in one length-prefixed value; read = get + decode all fields; insert = \
             insert; update = get, replace the one field, insert the whole record (YCSB's \
             RocksDB binding; not atomic); scan = range from the start key, decode up to count \
             records",
            self.field_count,
            cache_words = super::super::bytes_in_words(self.cache_bytes),
        )
    }

    fn insert(&self, key: &str, fields: &[Field]) -> anyhow::Result<()> {
        self.put(key, super::encode_record(fields)?)
    }

    fn read(&self, key: &str) -> anyhow::Result<usize> {
        match self.table.get(key)? {
            Some(value) => super::decoded_field_count(&value),
            None => Ok(0),
        }
    }

    fn update(&self, key: &str, field: &str, value: &[u8]) -> anyhow::Result<()> {
        let old = self.table.get(key)?.ok_or_else(|| super::not_found(key))?;
        let new = super::replace_field(&old, field, value)?;
        drop(old);
        self.put(key, new)
    }

    fn scan(&self, start_key: &str, count: usize) -> anyhow::Result<usize> {
        let mut records = 0;
        for guard in self.table.range(start_key..).take(count) {
            super::decoded_field_count(&guard.value()?)?;
            records += 1;
        }
        Ok(records)
    }

    fn disk_bytes(&self) -> u64 {
        super::dir_size_bytes(&self.dir)
    }
}

#[cfg(all(test, feature = "baselines"))]
impl Fjall {
    /// The stored value of `key`, for tests.
    fn raw(&self, key: &str) -> Option<Vec<u8>> {
        self.table.get(key).unwrap().map(|value| value.to_vec())
    }
}

#[cfg(all(test, feature = "baselines"))]
mod tests {
    use super::super::DurabilityMode;
    use super::super::tests::round_trip;

    #[test]
    fn fjall_round_trip_none() {
        round_trip("fjall", DurabilityMode::None);
    }

    #[test]
    fn fjall_round_trip_sync() {
        round_trip("fjall", DurabilityMode::Sync);
    }

    #[test]
    fn fjall_cache_size_is_stated() {
        super::super::tests::cache_size_is_stated("fjall");
    }

    #[test]
    fn fjall_update_replaces_one_field() {
        for durability in [DurabilityMode::None, DurabilityMode::Sync] {
            let dir = super::super::tests::TempDir::new("fjall-update");
            let target = super::Fjall::open(&dir.0, durability, 3, 1 << 20).unwrap();
            super::super::tests::update_replaces_one_field(&target, super::Fjall::raw);
        }
    }
}
