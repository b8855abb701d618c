//! Opening a [`Db`]: the [`DbBuilder`] and its options, starting the shards
//! (one LSM per `shard-NNN/` directory, the mesh and the shard threads), and
//! bringing every shard's catalog in line with shard 0's after a crash
//! between table changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use crate::cache::options::CacheOptions;
use crate::catalog::TableDescription;
use crate::compaction::CompactionOptions;
use crate::ids::ShardId;
use crate::io::{Clock, Fs, IoBackend};
use crate::lsm::{Durability, Lsm, LsmOptions};
use crate::shard::{Handoff, Shard, ShardConfig, ShardMesh, ShardThreads};
use crate::sstable::SsTableOptions;
use crate::sync::Arc;
use crate::{Error, Result, limits};

use super::{Db, DbInner};

/// The directory of shard `id` under the database directory.
pub fn shard_dir(root: &Path, id: ShardId) -> PathBuf {
    root.join(format!("shard-{:03}", id.0))
}

/// Builds a [`Db`]: `Db::builder(path).durability(...).open()`.
#[derive(Debug, Clone)]
pub struct DbBuilder {
    options: LsmOptions,
    custom_fs: bool,
    io_backend: Option<IoBackend>,
    shard_count: Option<usize>,
    handoff: Handoff,
    shard_threads: bool,
    pin_threads: bool,
    busy_wait: Duration,
    cache: CacheOptions,
}

impl DbBuilder {
    /// Defaults for a database in directory `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        DbBuilder {
            options: LsmOptions::new(path),
            custom_fs: false,
            io_backend: None,
            shard_count: None,
            handoff: Handoff::CallerRuns,
            shard_threads: true,
            pin_threads: true,
            busy_wait: Duration::from_millis(limits::BUSY_WAIT_MS_DEFAULT),
            cache: CacheOptions::default(),
        }
    }

    /// The item and query caches' budgets, policy and TTLs (default:
    /// [`CacheOptions::default`]; [`CacheOptions::disabled`] for none).
    pub fn cache(mut self, options: CacheOptions) -> Self {
        self.cache = options;
        self
    }

    /// Uses `fs` instead of the real file system (tests: `MemFs`, `FaultyFs`).
    pub fn fs(mut self, fs: std::sync::Arc<dyn Fs>) -> Self {
        self.options.fs = fs;
        self.custom_fs = true;
        self
    }

    /// Forces a file I/O backend (default: io_uring where it can be set up,
    /// else the portable one; the `DYNACORE_IO` environment variable,
    /// `uring` or `portable`, forces one too). Ignored with [`DbBuilder::fs`].
    pub fn io_backend(mut self, backend: IoBackend) -> Self {
        self.io_backend = Some(backend);
        self
    }

    /// The number of shards (default: the number of cores this process may
    /// run on, or for an existing database the count it was written with).
    /// An existing database opened with another count is refused.
    pub fn shard_count(mut self, shards: usize) -> Self {
        self.shard_count = Some(shards);
        self
    }

    /// How blocking calls reach their shard (default: [`Handoff::CallerRuns`]).
    pub fn handoff(mut self, handoff: Handoff) -> Self {
        self.handoff = handoff;
        self
    }

    /// Whether shard threads run (default: yes). Without them, callers run
    /// flush and compaction slices after their writes, async calls complete
    /// on the calling thread, and nothing happens in the background: a
    /// deterministic mode for tests.
    pub fn shard_threads(mut self, enabled: bool) -> Self {
        self.shard_threads = enabled;
        self
    }

    /// Whether shard threads are pinned to cores (default: yes).
    pub fn pin_threads(mut self, pin: bool) -> Self {
        self.pin_threads = pin;
        self
    }

    /// How long a caller waits for room at a full shard before `Busy`.
    pub fn busy_wait(mut self, wait: Duration) -> Self {
        self.busy_wait = wait;
        self
    }

    /// Uses `clock` instead of the system clock.
    pub fn clock(mut self, clock: std::sync::Arc<dyn Clock>) -> Self {
        self.options.clock = clock;
        self
    }

    /// When writes become durable (default: `Sync`).
    pub fn durability(mut self, durability: Durability) -> Self {
        self.options.durability = durability;
        self
    }

    /// Memtable budget in bytes, per shard (default 16 MiB).
    pub fn memtable_size_bytes_max(mut self, bytes: usize) -> Self {
        self.options.memtable_size_bytes_max = bytes;
        self
    }

    /// SSTable format options (block size, bloom bits per key).
    pub fn sstable_options(mut self, options: SsTableOptions) -> Self {
        self.options.sstable = options;
        self
    }

    /// Leveled-compaction tuning.
    pub fn compaction_options(mut self, options: CompactionOptions) -> Self {
        self.options.compaction = options;
        self
    }

    /// L0 file count at which writes stall for compaction.
    pub fn l0_stop_writes_trigger(mut self, files: usize) -> Self {
        self.options.l0_stop_writes_trigger = files;
        self
    }

    /// Input entries per background slice (smaller: shorter pauses).
    pub fn background_slice_entries(mut self, entries: usize) -> Self {
        self.options.background_slice_entries = entries;
        self
    }

    /// Opens (creating if needed) and recovers the database.
    pub fn open(self) -> Result<Db> {
        if matches!(self.handoff, Handoff::ShardThread { .. }) && !self.shard_threads {
            return Err(Error::InvalidConfig(
                "Handoff::ShardThread needs shard threads; do not disable them".into(),
            ));
        }
        self.cache.validate()?;
        let mut options = self.options;
        let io_backend = if self.custom_fs {
            "custom".to_owned()
        } else {
            let (fs, backend) = crate::io::os_fs(self.io_backend)?;
            options.fs = fs;
            if backend == IoBackend::Portable && !crate::io::uring_available() {
                log::warn!(
                    "dynacore: io_uring cannot be set up here (old kernel, kernel.io_uring_disabled, \
                     or a seccomp filter); using the portable I/O backend"
                );
            }
            log::info!(
                "dynacore: {} with the {backend} I/O backend",
                options.dir.display()
            );
            backend.to_string()
        };
        let root = options.dir.clone();
        let fs = options.fs.clone();
        fs.create_dir_all(&root)?;

        let open_shard = |id: ShardId| -> Result<Lsm> {
            let mut shard_options = options.clone();
            shard_options.dir = shard_dir(&root, id);
            fs.create_dir_all(&shard_options.dir)?;
            Lsm::open(shard_options)
        };
        // Shard 0 records how many shards the data was written with.
        let mut first = open_shard(ShardId(0))?;
        let shard_count = match (first.shard_count(), self.shard_count) {
            (Some(stored), Some(asked)) if stored as usize != asked => {
                return Err(Error::InvalidConfig(format!(
                    "the database in {} was written with {stored} shards and cannot be opened with {asked} \
                     (resharding does not exist yet); open it with shard_count({stored})",
                    root.display()
                )));
            }
            (Some(stored), _) if (1..=limits::SHARD_COUNT_MAX).contains(&(stored as usize)) => {
                stored as usize
            }
            (Some(stored), _) => {
                return Err(Error::corruption(
                    &shard_dir(&root, ShardId(0)),
                    0,
                    format!(
                        "the manifest records {stored} shards, outside 1..={}",
                        limits::SHARD_COUNT_MAX
                    ),
                ));
            }
            (None, asked) => {
                let count = asked.unwrap_or_else(default_shard_count);
                if !(1..=limits::SHARD_COUNT_MAX).contains(&count) {
                    return Err(Error::InvalidConfig(format!(
                        "shard count {count} is out of range 1..={}",
                        limits::SHARD_COUNT_MAX
                    )));
                }
                first.set_shard_count(count as u32)?;
                count
            }
        };
        let mut lsms = vec![first];
        for id in 1..shard_count {
            let mut lsm = open_shard(ShardId(id as u16))?;
            match lsm.shard_count() {
                None => lsm.set_shard_count(shard_count as u32)?,
                Some(n) if n as usize == shard_count => {}
                Some(n) => {
                    return Err(Error::corruption(
                        &shard_dir(&root, ShardId(id as u16)),
                        0,
                        format!("shard {id} records {n} shards, shard 0 records {shard_count}"),
                    ));
                }
            }
            lsms.push(lsm);
        }
        let tables = reconcile_catalogs(&mut lsms, &root)?;

        let config = ShardConfig {
            handoff: self.handoff,
            durability: options.durability,
            threads: self.shard_threads,
            busy_wait: self.busy_wait,
            clock: options.clock.clone(),
            cache: self.cache.clone(),
        };
        let mesh = Arc::new(ShardMesh::new(shard_count, limits::MESH_RING_CAPACITY));
        let shards: Vec<Arc<Shard>> = lsms
            .into_iter()
            .enumerate()
            .map(|(id, lsm)| {
                Arc::new(Shard::new(
                    ShardId(id as u16),
                    lsm,
                    mesh.clone(),
                    config.clone(),
                ))
            })
            .collect();
        let threads = if self.shard_threads {
            Some(ShardThreads::start(&shards, self.pin_threads)?)
        } else {
            None
        };
        Ok(Db {
            inner: std::sync::Arc::new(DbInner {
                mesh,
                shards,
                tables: RwLock::new(tables),
                control: Mutex::new(()),
                io_backend,
                handoff: self.handoff,
                cache: self.cache,
                table_caches: Mutex::new(BTreeMap::new()),
                _threads: threads,
            }),
        })
    }
}

/// The number of cores this process may run on.
fn default_shard_count() -> usize {
    crate::shard::allowed_cpu_count().min(limits::SHARD_COUNT_MAX)
}

/// Brings every shard's catalog in line with shard 0's (the authority) and
/// returns the live tables by name: a table shard 0 has is created on a
/// shard that lacks it, a description that differs from shard 0's (an
/// UpdateTable that reached shard 0 but not this shard) is replaced by
/// shard 0's, and a table shard 0 deleted is deleted.
fn reconcile_catalogs(lsms: &mut [Lsm], root: &Path) -> Result<BTreeMap<String, TableDescription>> {
    let authority = lsms[0].catalog().clone();
    let mut tables = BTreeMap::new();
    for (id, blob) in &authority.tables {
        let description = TableDescription::decode(*id, blob).map_err(|e| {
            Error::corruption(
                &crate::filenames::current_path(&shard_dir(root, ShardId(0))),
                0,
                format!("table {id} description in the manifest does not decode: {e}"),
            )
        })?;
        tables.insert(description.name.clone(), description);
    }
    for lsm in &mut lsms[1..] {
        let catalog = lsm.catalog().clone();
        for (id, blob) in &authority.tables {
            match catalog.tables.get(id) {
                None => lsm.create_table_with_id(*id, blob.clone())?,
                Some(own) if own != blob => lsm.update_table(*id, blob.clone())?,
                Some(_) => {}
            }
        }
        for id in catalog.tables.keys() {
            if !authority.tables.contains_key(id) {
                lsm.delete_table(*id)?;
            }
        }
    }
    Ok(tables)
}
