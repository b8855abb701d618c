//! One shard's LSM tree: WAL + memtable + leveled SSTables, single-threaded.
//!
//! [`Lsm`] is owned by exactly one thread at a time (the shard's); it takes
//! `&mut self` for every change and has no locks inside. Nothing here knows
//! about shards or tables beyond opaque key prefixes and catalog blobs.
//!
//! Write path ([`Lsm::write_group`]): make room (freeze a full memtable,
//! stall if the previous one is still flushing or L0 is at its stop trigger),
//! append every batch's WAL record, sync once for the whole group (in `Sync`
//! durability), then apply the batches to the memtable. A failed WAL append
//! or sync poisons the tree: the batch is not applied, and every later write
//! fails with [`Error::Poisoned`]; reopening recovers what was durable.
//!
//! Read path ([`Lsm::get`], [`Lsm::scan`]): memtable, frozen memtable, L0
//! newest first, then one file per deeper level; the first version found wins.
//!
//! Background work ([`Lsm::background_step`]): a bounded slice of the
//! running flush, else of the running compaction, else pick the next
//! compaction. Results reach the manifest before the version changes, and
//! files are deleted only after the manifest no longer needs them.
//!
//! Design and invariants: `docs/architecture.md`.

mod level_iter;
mod options;
mod recovery;
mod version;
mod write;

pub use level_iter::LevelIterator;
pub use options::{Durability, LevelStats, LsmCounters, LsmOptions, LsmStats};
pub use version::{GetProbes, Version};
pub use write::PendingGroup;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;

use crate::coding::internal_key::{self, ParsedKey, ValueKind};
use crate::compaction::job::JobSettings;
use crate::compaction::{self, CompactionTask, TableWriteJob};
use crate::filenames;
use crate::ids::{FileNumber, SeqNo, TableId};
use crate::io::DirLock;
use crate::iter::{BoxedIterator, InternalIterator, MergingIterator};
use crate::limits::LEVEL_COUNT;
use crate::manifest::VersionEdit;
use crate::manifest::file::{ManifestWriter, create_manifest};
use crate::memtable::MemTable;
use crate::sstable::SsTable;
use crate::wal::WalWriter;
use crate::{Error, Result};

/// What [`Lsm::scan`] calls for each live entry: `(user key, value)`;
/// returning `Ok(false)` stops the scan.
pub type ScanVisitor<'a> = dyn FnMut(&[u8], &[u8]) -> Result<bool> + 'a;

/// The table catalog as the LSM stores it: opaque descriptions by id.
#[derive(Debug, Clone, Default)]
pub struct CatalogState {
    /// Live tables: id -> the engine's encoded description.
    pub tables: BTreeMap<TableId, Vec<u8>>,
    /// Deleted tables whose keys compaction drops.
    pub deleted: BTreeSet<TableId>,
    /// The next id to hand out.
    pub next_table_id: TableId,
}

/// A memtable being flushed, with the WAL that holds its writes.
#[derive(Debug)]
struct Frozen {
    table: Arc<MemTable>,
    wal_number: FileNumber,
}

/// A compaction in progress.
#[derive(Debug)]
struct RunningCompaction {
    task: CompactionTask,
    job: TableWriteJob,
    bytes_read: u64,
}

/// The parts of an LSM's state a manifest snapshot records.
struct StateParts<'a> {
    version: &'a Version,
    /// The oldest WAL still needed.
    log_number: FileNumber,
    next_file_number: FileNumber,
    last_seqno: SeqNo,
    catalog: &'a CatalogState,
    shard_count: Option<u32>,
}

/// The whole state as one edit: what a new manifest starts with.
fn state_snapshot(parts: &StateParts<'_>) -> VersionEdit {
    let mut added_files = Vec::new();
    for (level, files) in parts.version.levels.iter().enumerate() {
        added_files.extend(files.iter().map(|f| (level, f.clone())));
    }
    VersionEdit {
        log_number: Some(parts.log_number),
        next_file_number: Some(parts.next_file_number),
        // Every seqno in any table is <= last_seqno; recording it keeps the
        // counter monotonic across restarts even when memtables are empty.
        last_seqno: Some(parts.last_seqno),
        next_table_id: Some(parts.catalog.next_table_id),
        added_files,
        deleted_files: Vec::new(),
        created_tables: parts
            .catalog
            .tables
            .iter()
            .map(|(id, d)| (*id, d.clone()))
            .collect(),
        deleted_tables: parts.catalog.deleted.iter().copied().collect(),
        shard_count: parts.shard_count,
        // A snapshot carries each live table's current description in
        // `created_tables`; there is nothing older to replace.
        updated_tables: Vec::new(),
    }
}

/// One shard's LSM tree; see the module docs.
#[derive(Debug)]
pub struct Lsm {
    options: LsmOptions,
    _lock: DirLock,
    memtable: MemTable,
    frozen: Option<Frozen>,
    flush_job: Option<TableWriteJob>,
    compaction: Option<RunningCompaction>,
    compaction_cursors: Vec<Vec<u8>>,
    version: Arc<Version>,
    wal: WalWriter,
    wal_number: FileNumber,
    /// Bytes appended to the WAL since its last sync.
    wal_unsynced: bool,
    wal_synced_at: Instant,
    manifest: ManifestWriter,
    next_file_number: FileNumber,
    last_seqno: SeqNo,
    catalog: CatalogState,
    shard_count: Option<u32>,
    poisoned: Option<String>,
    counters: LsmCounters,
    /// The version changed since the picker last found nothing to do.
    compaction_check_due: bool,
    /// A group was appended by [`Lsm::append_group`] and not yet finished.
    group_in_flight: bool,
    /// Unreferenced files waiting for [`Lsm::take_obsolete_files`].
    obsolete_files: Vec<std::path::PathBuf>,
}

/// Files an LSM no longer refers to, to be removed without holding its
/// owner's lock ([`Lsm::take_obsolete_files`]).
#[derive(Debug)]
#[must_use = "obsolete files should be removed"]
pub struct ObsoleteFiles {
    fs: Arc<dyn crate::io::Fs>,
    paths: Vec<std::path::PathBuf>,
}

impl ObsoleteFiles {
    /// Whether there is nothing to remove.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Removes the files; returns how many removals failed (harmless: the
    /// next open removes files nothing refers to).
    pub fn remove(self) -> u64 {
        self.paths
            .iter()
            .filter(|path| self.fs.remove_file(path).is_err())
            .count() as u64
    }
}

impl Lsm {
    /// Opens (or creates) the LSM in `options.dir`, recovering from the
    /// manifest and WAL. See [`recovery`] for the steps.
    pub fn open(options: LsmOptions) -> Result<Lsm> {
        recovery::open(options)
    }

    /// The options it was opened with.
    pub fn options(&self) -> &LsmOptions {
        &self.options
    }

    /// The catalog recorded in the manifest.
    pub fn catalog(&self) -> &CatalogState {
        &self.catalog
    }

    /// The shard count recorded in the manifest, if any.
    pub fn shard_count(&self) -> Option<u32> {
        self.shard_count
    }

    /// The last sequence number assigned.
    pub fn last_seqno(&self) -> SeqNo {
        self.last_seqno
    }

    /// The current version (live tables).
    pub fn version(&self) -> &Arc<Version> {
        &self.version
    }

    fn check_writable(&self) -> Result<()> {
        match &self.poisoned {
            Some(reason) => Err(Error::Poisoned {
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Records `error` as the reason writes stop, and returns it.
    fn poison(&mut self, error: Error) -> Error {
        if self.poisoned.is_none() {
            self.poisoned = Some(error.to_string());
        }
        error
    }

    fn allocate_file_number(next: &mut FileNumber) -> FileNumber {
        let number = *next;
        next.0 += 1;
        number
    }

    fn job_settings(&self, output_size_bytes_target: u64, drop_tombstones: bool) -> JobSettings {
        JobSettings {
            dir: self.options.dir.clone(),
            sstable: self.options.sstable.clone(),
            output_size_bytes_target,
            drop_tombstones,
            dropped_prefixes: self
                .catalog
                .deleted
                .iter()
                .map(|id| crate::coding::key::encode_table_prefix(*id))
                .collect(),
        }
    }

    // ----- reads --------------------------------------------------------

    /// The current value of `user_key`, or `None` if absent or deleted.
    pub fn get(&mut self, user_key: &[u8]) -> Result<Option<Bytes>> {
        self.counters.get_count += 1;
        let snapshot = self.last_seqno;
        let in_memory = self.memtable.get(user_key, snapshot).or_else(|| {
            self.frozen
                .as_ref()
                .and_then(|f| f.table.get(user_key, snapshot))
        });
        if let Some((kind, value)) = in_memory {
            return Ok((kind == ValueKind::Put).then(|| Bytes::copy_from_slice(value)));
        }
        let mut probes = GetProbes::default();
        let found = self.version.get(user_key, snapshot, &mut probes);
        self.counters.get_tables_considered += probes.tables_considered;
        self.counters.get_bloom_negatives += probes.bloom_negatives;
        Ok(match found? {
            Some((ValueKind::Put, value)) => Some(value),
            _ => None,
        })
    }

    /// Visits live entries with user keys in `[start, end)` (`end = None`:
    /// to the last key) in key order, until `visit` returns `Ok(false)`.
    pub fn scan(
        &self,
        start: &[u8],
        end: Option<&[u8]>,
        visit: &mut ScanVisitor<'_>,
    ) -> Result<()> {
        let mut sources: Vec<BoxedIterator<'_>> = Vec::with_capacity(LEVEL_COUNT + 8);
        sources.push(Box::new(self.memtable.iter()));
        if let Some(frozen) = &self.frozen {
            sources.push(Box::new(frozen.table.iter()));
        }
        for table in self.version.level_tables(0) {
            sources.push(Box::new(table.iter()));
        }
        for level in 1..LEVEL_COUNT {
            if !self.version.levels[level].is_empty() {
                sources.push(Box::new(LevelIterator::new(
                    self.version.level_tables(level),
                )));
            }
        }
        let mut merged = MergingIterator::new(sources);
        merged.seek(&internal_key::seek_key(start, SeqNo::MAX))?;
        let mut previous: Option<Vec<u8>> = None;
        while merged.valid() {
            let parsed = ParsedKey::parse(merged.key()).ok_or_else(|| {
                Error::corruption(&self.options.dir, 0, "unparseable internal key during scan")
            })?;
            if end.is_some_and(|end| parsed.user_key >= end) {
                break;
            }
            // Every source holds only versions <= last_seqno, so the first
            // version of each user key is the newest.
            if previous.as_deref() != Some(parsed.user_key) {
                let previous = previous.get_or_insert_with(Vec::new);
                previous.clear();
                previous.extend_from_slice(parsed.user_key);
                if parsed.kind == ValueKind::Put && !visit(parsed.user_key, merged.value())? {
                    break;
                }
            }
            merged.next()?;
        }
        Ok(())
    }

    // ----- catalog ------------------------------------------------------

    /// Records a new table with its encoded description; returns its id.
    pub fn create_table(&mut self, description: Vec<u8>) -> Result<TableId> {
        self.check_writable()?;
        let id = self.catalog.next_table_id;
        let edit = VersionEdit {
            next_table_id: Some(TableId(id.0 + 1)),
            created_tables: vec![(id, description.clone())],
            ..VersionEdit::default()
        };
        self.log_edit(&edit)?;
        self.catalog.next_table_id = TableId(id.0 + 1);
        self.catalog.tables.insert(id, description);
        Ok(id)
    }

    /// Records a table under an id another shard allocated (every shard
    /// holds the whole catalog; shard 0 allocates ids). Later ids allocated
    /// here stay above it.
    pub fn create_table_with_id(&mut self, id: TableId, description: Vec<u8>) -> Result<()> {
        self.check_writable()?;
        let next = TableId(self.catalog.next_table_id.0.max(id.0 + 1));
        let edit = VersionEdit {
            next_table_id: Some(next),
            created_tables: vec![(id, description.clone())],
            ..VersionEdit::default()
        };
        self.log_edit(&edit)?;
        self.catalog.next_table_id = next;
        self.catalog.tables.insert(id, description);
        Ok(())
    }

    /// Replaces the description of live table `id` (one durable manifest
    /// edit); the table's keys are untouched.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] if `id` is not a live table here (a caller's
    /// bug, reported rather than recorded), or the manifest write fails
    /// (which poisons the tree).
    pub fn update_table(&mut self, id: TableId, description: Vec<u8>) -> Result<()> {
        self.check_writable()?;
        if !self.catalog.tables.contains_key(&id) {
            return Err(Error::InvalidConfig(format!(
                "table {id} is not live in {}; cannot replace its description",
                self.options.dir.display()
            )));
        }
        let edit = VersionEdit {
            updated_tables: vec![(id, description.clone())],
            ..VersionEdit::default()
        };
        self.log_edit(&edit)?;
        self.catalog.tables.insert(id, description);
        Ok(())
    }

    /// Records that table `id` is deleted; its keys disappear from reads at
    /// once (the engine stops routing to it) and from disk as compaction
    /// passes over them.
    pub fn delete_table(&mut self, id: TableId) -> Result<()> {
        self.check_writable()?;
        let edit = VersionEdit {
            deleted_tables: vec![id],
            ..VersionEdit::default()
        };
        self.log_edit(&edit)?;
        self.catalog.tables.remove(&id);
        self.catalog.deleted.insert(id);
        Ok(())
    }

    /// Records the shard count in the manifest.
    pub fn set_shard_count(&mut self, count: u32) -> Result<()> {
        self.check_writable()?;
        self.log_edit(&VersionEdit {
            shard_count: Some(count),
            ..VersionEdit::default()
        })?;
        self.shard_count = Some(count);
        Ok(())
    }

    /// Appends an edit to the manifest (durably), rotating the manifest when
    /// it has grown past its limit. A failure poisons the tree.
    fn log_edit(&mut self, edit: &VersionEdit) -> Result<()> {
        if let Err(e) = self.manifest.append(edit) {
            return Err(self.poison(e));
        }
        if self.manifest.size_bytes() > crate::limits::MANIFEST_SIZE_BYTES_MAX {
            self.rotate_manifest().map_err(|e| self.poison(e))?;
        }
        Ok(())
    }

    /// The whole state as one edit: what a new manifest starts with.
    fn snapshot_edit(&self) -> VersionEdit {
        let log_number = self
            .frozen
            .as_ref()
            .map_or(self.wal_number, |f| f.wal_number);
        state_snapshot(&StateParts {
            version: &self.version,
            log_number,
            next_file_number: self.next_file_number,
            last_seqno: self.last_seqno,
            catalog: &self.catalog,
            shard_count: self.shard_count,
        })
    }

    fn rotate_manifest(&mut self) -> Result<()> {
        let old = self.manifest.number();
        let number = Self::allocate_file_number(&mut self.next_file_number);
        let snapshot = self.snapshot_edit();
        self.manifest = create_manifest(&*self.options.fs, &self.options.dir, number, &snapshot)?;
        self.remove_obsolete(&filenames::manifest_path(&self.options.dir, old));
        Ok(())
    }

    /// Queues a file nothing refers to any more for removal.
    fn remove_obsolete(&mut self, path: &std::path::Path) {
        self.obsolete_files.push(path.to_path_buf());
    }

    /// Hands over the files that flushes, compactions and manifest rotations
    /// left unreferenced, for the owner to remove after releasing its lock:
    /// unlinking a large file can take tens of milliseconds (the kernel frees
    /// its extents and page cache; measured 30–47 ms for a compaction's
    /// inputs), which must not stall requests. Files never removed (a crash,
    /// a failed unlink) are removed by the next open, since nothing refers
    /// to them. [`Lsm::flush`] and [`Lsm::compact_until_idle`] remove them
    /// before returning.
    pub fn take_obsolete_files(&mut self) -> ObsoleteFiles {
        ObsoleteFiles {
            fs: self.options.fs.clone(),
            paths: std::mem::take(&mut self.obsolete_files),
        }
    }

    /// Counts failed removals reported by [`ObsoleteFiles::remove`].
    pub fn note_obsolete_remove_failures(&mut self, failures: u64) {
        self.counters.obsolete_file_remove_failures += failures;
    }

    /// Removes the obsolete files now.
    fn remove_obsolete_files_now(&mut self) {
        let failures = self.take_obsolete_files().remove();
        self.note_obsolete_remove_failures(failures);
    }

    // ----- background work ---------------------------------------------

    /// Whether a flush or compaction is running or due.
    pub fn background_work_pending(&self) -> bool {
        self.flush_job.is_some()
            || self.compaction.is_some()
            || self.compaction_check_due
                && compaction::pick(
                    &self.version.levels,
                    &self.compaction_cursors,
                    &self.options.compaction,
                )
                .is_some()
    }

    /// Runs one bounded slice of background work. Returns whether more work
    /// remains. A failure poisons the tree (its state on disk is unknown).
    pub fn background_step(&mut self) -> Result<bool> {
        if self.poisoned.is_some() {
            return Ok(false);
        }
        self.background_step_checked()
    }

    fn background_step_checked(&mut self) -> Result<bool> {
        self.check_writable()?;
        let result = self.background_step_inner();
        result.map_err(|e| self.poison(e))
    }

    fn background_step_inner(&mut self) -> Result<bool> {
        let budget = self.options.background_slice_entries;
        if let Some(job) = &mut self.flush_job {
            let next = &mut self.next_file_number;
            if job.step(
                &*self.options.fs,
                &mut || Self::allocate_file_number(next),
                budget,
            )? {
                let job = self.flush_job.take().expect("flush job present");
                self.install_flush(job.into_output())?;
            }
            return Ok(true);
        }
        if let Some(running) = &mut self.compaction {
            let next = &mut self.next_file_number;
            if running.job.step(
                &*self.options.fs,
                &mut || Self::allocate_file_number(next),
                budget,
            )? {
                let running = self.compaction.take().expect("compaction present");
                self.install_compaction(running)?;
            }
            return Ok(true);
        }
        if !self.compaction_check_due {
            return Ok(false);
        }
        let Some(task) = compaction::pick(
            &self.version.levels,
            &self.compaction_cursors,
            &self.options.compaction,
        ) else {
            self.compaction_check_due = false;
            return Ok(false);
        };
        self.compaction_cursors[task.input_level] = task.cursor_after.clone();
        if task.trivial_move {
            self.trivial_move(&task)?;
        } else {
            self.start_compaction(task)?;
        }
        Ok(true)
    }

    /// Opens the tables a job produced, for installing into a version.
    fn open_outputs(
        &self,
        files: &[crate::manifest::FileMeta],
        level: usize,
    ) -> Result<Vec<(usize, crate::manifest::FileMeta, Arc<SsTable>)>> {
        files
            .iter()
            .map(|meta| {
                let path = filenames::sstable_path(&self.options.dir, meta.number);
                let table = SsTable::open(&path, self.options.fs.map(&path)?)?;
                Ok((level, meta.clone(), Arc::new(table)))
            })
            .collect()
    }

    fn install_flush(&mut self, output: compaction::JobOutput) -> Result<()> {
        let frozen = self
            .frozen
            .take()
            .expect("a flush always has a frozen memtable");
        // New tables' directory entries must be durable before the manifest
        // refers to them.
        self.options.fs.sync_dir(&self.options.dir)?;
        let edit = VersionEdit {
            log_number: Some(self.wal_number),
            next_file_number: Some(self.next_file_number),
            last_seqno: Some(self.last_seqno),
            added_files: output.files.iter().map(|f| (0, f.clone())).collect(),
            ..VersionEdit::default()
        };
        let added = self.open_outputs(&output.files, 0)?;
        self.log_edit(&edit)?;
        self.version = Arc::new(self.version.apply(&[], added));
        self.compaction_check_due = true;
        self.counters.flush_count += 1;
        self.counters.flush_bytes_written += output.bytes_written;
        self.remove_obsolete(&filenames::wal_path(&self.options.dir, frozen.wal_number));
        Ok(())
    }

    fn trivial_move(&mut self, task: &CompactionTask) -> Result<()> {
        let number = task.inputs[0];
        let meta = self.version.levels[task.input_level]
            .iter()
            .find(|f| f.number == number)
            .cloned()
            .expect("picked file is in its level");
        let table = self
            .version
            .table(number)
            .cloned()
            .expect("live file has a table");
        let edit = VersionEdit {
            deleted_files: vec![(task.input_level, number)],
            added_files: vec![(task.output_level, meta.clone())],
            ..VersionEdit::default()
        };
        self.log_edit(&edit)?;
        self.version = Arc::new(self.version.apply(
            &[(task.input_level, number)],
            vec![(task.output_level, meta, table)],
        ));
        self.compaction_check_due = true;
        self.counters.trivial_move_count += 1;
        Ok(())
    }

    fn start_compaction(&mut self, task: CompactionTask) -> Result<()> {
        let mut sources: Vec<BoxedIterator<'static>> = Vec::new();
        let mut bytes_read = 0;
        let input_files = task
            .inputs
            .iter()
            .map(|n| (task.input_level, *n))
            .chain(task.overlapping.iter().map(|n| (task.output_level, *n)));
        // Inputs in newest-first order: L0 files are already newest first,
        // and the input level is newer than the output level.
        for (level, number) in input_files {
            let table = self.version.table(number).cloned().ok_or_else(|| {
                Error::corruption(
                    &self.options.dir,
                    0,
                    format!("compaction input {number} (L{level}) is not live"),
                )
            })?;
            bytes_read += table.size_bytes();
            sources.push(Box::new(table.iter()));
        }
        let settings = self.job_settings(
            self.options.compaction.sstable_size_bytes_target,
            task.drop_tombstones,
        );
        self.compaction = Some(RunningCompaction {
            job: TableWriteJob::new(sources, settings),
            task,
            bytes_read,
        });
        Ok(())
    }

    fn install_compaction(&mut self, running: RunningCompaction) -> Result<()> {
        let RunningCompaction {
            task,
            job,
            bytes_read,
        } = running;
        let output = job.into_output();
        self.options.fs.sync_dir(&self.options.dir)?;
        let deleted: Vec<(usize, FileNumber)> = task
            .inputs
            .iter()
            .map(|n| (task.input_level, *n))
            .chain(task.overlapping.iter().map(|n| (task.output_level, *n)))
            .collect();
        let edit = VersionEdit {
            next_file_number: Some(self.next_file_number),
            added_files: output
                .files
                .iter()
                .map(|f| (task.output_level, f.clone()))
                .collect(),
            deleted_files: deleted.clone(),
            ..VersionEdit::default()
        };
        let added = self.open_outputs(&output.files, task.output_level)?;
        self.log_edit(&edit)?;
        self.version = Arc::new(self.version.apply(&deleted, added));
        self.compaction_check_due = true;
        #[cfg(any(test, feature = "paranoid"))]
        if let Err(violation) = self.version.check_invariants() {
            panic!("compaction broke the level invariant: {violation}");
        }
        self.counters.compaction_count += 1;
        self.counters.compaction_bytes_read += bytes_read;
        self.counters.compaction_bytes_written += output.bytes_written;
        for (_, number) in deleted {
            self.remove_obsolete(&filenames::sstable_path(&self.options.dir, number));
        }
        Ok(())
    }

    /// Freezes the memtable (if it holds anything) and runs the flush to
    /// completion.
    pub fn flush(&mut self) -> Result<()> {
        self.check_writable()?;
        if self.frozen.is_none() {
            self.freeze_memtable()?;
        }
        while self.frozen.is_some() {
            self.background_step_checked()?;
        }
        self.remove_obsolete_files_now();
        Ok(())
    }

    /// Runs background work until none is left: flush then every due
    /// compaction.
    pub fn compact_until_idle(&mut self) -> Result<()> {
        while self.background_step_checked()? {}
        self.remove_obsolete_files_now();
        Ok(())
    }

    /// A point-in-time view of sizes and counters.
    pub fn stats(&self) -> LsmStats {
        LsmStats {
            counters: self.counters.clone(),
            levels: (0..LEVEL_COUNT)
                .map(|level| LevelStats {
                    file_count: self.version.levels[level].len(),
                    size_bytes: self.version.level_size_bytes(level),
                })
                .collect(),
            memtable_size_bytes: self.memtable.size_bytes(),
            frozen_memtable_size_bytes: self.frozen.as_ref().map_or(0, |f| f.table.size_bytes()),
            last_seqno: self.last_seqno.0,
            poisoned: self.poisoned.clone(),
            background_work_pending: self.background_work_pending(),
        }
    }
}
