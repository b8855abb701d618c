//! redb, one record per key in table `usertable` of file `usertable.redb`,
//! one transaction per operation.

use std::path::{Path, PathBuf};

use ::redb::{
    Builder, Database, Durability, ReadableDatabase as _, ReadableTable as _, TableDefinition,
};

use super::{DurabilityMode, Field, Target};

/// The version in Cargo.lock, for the report.
const VERSION: &str = "redb 4.6.0";

const TABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("usertable");

/// The redb baseline.
pub struct Redb {
    db: Database,
    commit: Durability,
    durability: DurabilityMode,
    field_count: usize,
    cache_bytes: usize,
    dir: PathBuf,
}

impl std::fmt::Debug for Redb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redb")
            .field("dir", &self.dir)
            .field("durability", &self.durability)
            .finish_non_exhaustive()
    }
}

impl Redb {
    /// Opens (or creates) the database file in `dir`.
    pub fn open(
        dir: &Path,
        durability: DurabilityMode,
        field_count: usize,
        cache_bytes: usize,
    ) -> anyhow::Result<Self> {
        let db = Builder::new()
            .set_cache_size(cache_bytes)
            .create(dir.join("usertable.redb"))?;
        // Create the table up front (durably) so reads never find it missing.
        let txn = db.begin_write()?;
        txn.open_table(TABLE)?;
        txn.commit()?;
        let commit = match durability {
            DurabilityMode::Sync => Durability::Immediate,
            DurabilityMode::None => Durability::None,
        };
        Ok(Self {
            db,
            commit,
            durability,
            field_count,
            cache_bytes,
            dir: dir.to_path_buf(),
        })
    }

    /// Runs `write` on the table in one write transaction and commits it
    /// with the mode's durability.
    fn write(
        &self,
        write: impl FnOnce(&mut ::redb::Table<'_, &str, &[u8]>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut txn = self.db.begin_write()?;
        txn.set_durability(self.commit)?;
        {
            let mut table = txn.open_table(TABLE)?;
            write(&mut table)?;
        }
        txn.commit()?;
        Ok(())
    }
}

impl Target for Redb {
    fn name(&self) -> &'static str {
        "redb"
    }

    fn settings(&self) -> String {
        let durability = match self.durability {
            DurabilityMode::Sync => {
                "durability sync: every write transaction commits with Durability::Immediate \
                 (fdatasync'd before commit returns)"
            }
            DurabilityMode::None => {
                "durability none: every write transaction commits with Durability::None (kept in \
                 the process until a durable commit; pages a durable commit references cannot be \
                 freed meanwhile)"
            }
        };
        format!(
            "{VERSION}; {durability}; options: redb defaults (ExclusiveWriter, 1-phase commit \
             with checksums) except a {cache_words} page cache (Builder::set_cache_size); table \
             `usertable` (&str -> &[u8]), one transaction per operation; one key per record, its \
             {} fields in one length-prefixed value; read = read transaction, get + decode all \
             fields; insert = write transaction, insert, commit; update = write transaction, get, \
             replace the one field, insert the whole record, commit (YCSB's RocksDB binding; \
             atomic here, since redb has one writer); scan = read transaction, range from the \
             start key, decode up to count records",
            self.field_count,
            cache_words = super::super::bytes_in_words(self.cache_bytes),
        )
    }

    fn insert(&self, key: &str, fields: &[Field]) -> anyhow::Result<()> {
        let value = super::encode_record(fields)?;
        self.write(|table| {
            table.insert(key, value.as_slice())?;
            Ok(())
        })
    }

    fn read(&self, key: &str) -> anyhow::Result<usize> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TABLE)?;
        match table.get(key)? {
            Some(value) => super::decoded_field_count(value.value()),
            None => Ok(0),
        }
    }

    fn update(&self, key: &str, field: &str, value: &[u8]) -> anyhow::Result<()> {
        self.write(|table| {
            let new = {
                let old = table.get(key)?.ok_or_else(|| super::not_found(key))?;
                super::replace_field(old.value(), field, value)?
            };
            table.insert(key, new.as_slice())?;
            Ok(())
        })
    }

    fn scan(&self, start_key: &str, count: usize) -> anyhow::Result<usize> {
        if count == 0 {
            return Ok(0);
        }
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TABLE)?;
        let mut records = 0;
        for entry in table.range(start_key..)?.take(count) {
            let (_key, value) = entry?;
            super::decoded_field_count(value.value())?;
            records += 1;
        }
        Ok(records)
    }

    fn disk_bytes(&self) -> u64 {
        super::dir_size_bytes(&self.dir)
    }
}

#[cfg(all(test, feature = "baselines"))]
impl Redb {
    /// The stored value of `key`, for tests.
    fn raw(&self, key: &str) -> Option<Vec<u8>> {
        let txn = self.db.begin_read().unwrap();
        let table = txn.open_table(TABLE).unwrap();
        table.get(key).unwrap().map(|value| value.value().to_vec())
    }
}

#[cfg(all(test, feature = "baselines"))]
mod tests {
    use super::super::DurabilityMode;
    use super::super::tests::round_trip;

    #[test]
    fn redb_round_trip_none() {
        round_trip("redb", DurabilityMode::None);
    }

    #[test]
    fn redb_round_trip_sync() {
        round_trip("redb", DurabilityMode::Sync);
    }

    #[test]
    fn redb_cache_size_is_stated() {
        super::super::tests::cache_size_is_stated("redb");
    }

    #[test]
    fn redb_update_replaces_one_field() {
        for durability in [DurabilityMode::None, DurabilityMode::Sync] {
            let dir = super::super::tests::TempDir::new("redb-update");
            let target = super::Redb::open(&dir.0, durability, 3, 1 << 20).unwrap();
            super::super::tests::update_replaces_one_field(&target, super::Redb::raw);
        }
    }
}
