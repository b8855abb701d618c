//! [`TableWriteJob`]: merge sorted inputs into new SSTables, a slice at a time.
//!
//! Used for both flushes (one frozen memtable -> one L0 file) and compactions
//! (L(n) + overlapping L(n+1) files -> new L(n+1) files). The owner calls
//! [`TableWriteJob::step`] with an entry budget between requests, so no step
//! holds the shard for long; when it returns `true` the outputs are written
//! and synced, and the owner records them in the manifest (the job itself
//! never touches the manifest or deletes anything).
//!
//! What the merge keeps, for each user key, in internal-key order (newest
//! first): only the newest version, because no reader holds a snapshot older
//! than the newest write (reads and paged scans re-read the latest state on
//! every call); and that version is dropped too if it is a tombstone and
//! `drop_tombstones` is set (nothing older below can resurface), or if its key
//! belongs to a deleted table (`dropped_prefixes`).
//!
//! Outputs are cut at `output_size_bytes_target` between user keys. An output
//! file that exists on disk but never reached the manifest (the job failed or
//! the process died) is garbage, deleted at the next open.

use std::path::PathBuf;

use crate::coding::internal_key::{ParsedKey, ValueKind};
use crate::filenames;
use crate::ids::FileNumber;
use crate::io::Fs;
use crate::iter::{BoxedIterator, InternalIterator, MergingIterator};
use crate::manifest::FileMeta;
use crate::sstable::{SsTableBuilder, SsTableOptions};
use crate::{Error, Result};

/// How a [`TableWriteJob`] writes its outputs.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// The database directory.
    pub dir: PathBuf,
    /// Format options for the new tables.
    pub sstable: SsTableOptions,
    /// Cut an output file once it reaches about this size (`u64::MAX`: never).
    pub output_size_bytes_target: u64,
    /// Drop tombstones (nothing older exists below the output level).
    pub drop_tombstones: bool,
    /// Drop every key starting with one of these (deleted tables).
    pub dropped_prefixes: Vec<Vec<u8>>,
}

/// What a finished job produced.
#[derive(Debug, Default, Clone)]
pub struct JobOutput {
    /// The new tables, in key order, already synced (their directory is not).
    pub files: Vec<FileMeta>,
    /// Bytes of all new tables.
    pub bytes_written: u64,
    /// Input entries read.
    pub entries_read: u64,
    /// Entries written.
    pub entries_written: u64,
}

/// A flush or compaction in progress; see the module docs.
pub struct TableWriteJob {
    input: MergingIterator<'static>,
    started: bool,
    settings: JobSettings,
    builder: Option<(FileNumber, SsTableBuilder)>,
    previous_user_key: Option<Vec<u8>>,
    output: JobOutput,
}

impl std::fmt::Debug for TableWriteJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableWriteJob")
            .field("settings", &self.settings)
            .field("output", &self.output)
            .finish_non_exhaustive()
    }
}

impl TableWriteJob {
    /// A job over `sources`, newest first.
    pub fn new(sources: Vec<BoxedIterator<'static>>, settings: JobSettings) -> Self {
        TableWriteJob {
            input: MergingIterator::new(sources),
            started: false,
            settings,
            builder: None,
            previous_user_key: None,
            output: JobOutput::default(),
        }
    }

    /// Merges up to `entry_budget` input entries (at least one). Returns
    /// `Ok(true)` once the input is exhausted and every output is finished.
    /// New file numbers come from `allocate_file_number`.
    pub fn step(
        &mut self,
        fs: &dyn Fs,
        allocate_file_number: &mut dyn FnMut() -> FileNumber,
        entry_budget: usize,
    ) -> Result<bool> {
        if !self.started {
            self.input.seek_to_first()?;
            self.started = true;
        }
        for _ in 0..entry_budget.max(1) {
            if !self.input.valid() {
                self.finish_output()?;
                return Ok(true);
            }
            self.output.entries_read += 1;
            let key = self.input.key();
            let parsed = ParsedKey::parse(key).ok_or_else(|| {
                Error::corruption(
                    &self.settings.dir,
                    0,
                    "unparseable internal key in compaction input",
                )
            })?;
            let is_newest = self.previous_user_key.as_deref() != Some(parsed.user_key);
            if is_newest {
                let previous = self.previous_user_key.get_or_insert_with(Vec::new);
                previous.clear();
                previous.extend_from_slice(parsed.user_key);
                let dropped = (parsed.kind == ValueKind::Delete && self.settings.drop_tombstones)
                    || self
                        .settings
                        .dropped_prefixes
                        .iter()
                        .any(|p| parsed.user_key.starts_with(p));
                if !dropped {
                    if self.builder.is_none() {
                        let number = allocate_file_number();
                        let path = filenames::sstable_path(&self.settings.dir, number);
                        let file = fs.create(&path)?;
                        self.builder =
                            Some((number, SsTableBuilder::new(file, &self.settings.sstable)));
                    }
                    let (_, builder) = self.builder.as_mut().expect("builder was just created");
                    builder.add(key, self.input.value())?;
                    self.output.entries_written += 1;
                    if builder.estimated_size_bytes() >= self.settings.output_size_bytes_target {
                        self.finish_output()?;
                    }
                }
            }
            self.input.next()?;
        }
        Ok(false)
    }

    fn finish_output(&mut self) -> Result<()> {
        let Some((number, builder)) = self.builder.take() else {
            return Ok(());
        };
        let info = builder.finish()?;
        self.output.bytes_written += info.size_bytes;
        self.output.files.push(FileMeta {
            number,
            size_bytes: info.size_bytes,
            entry_count: info.entry_count,
            tombstone_count: info.tombstone_count,
            smallest_key: info.smallest_key,
            largest_key: info.largest_key,
        });
        Ok(())
    }

    /// What the job produced (complete once `step` returned `true`).
    pub fn output(&self) -> &JobOutput {
        &self.output
    }

    /// Takes the output out of a finished job.
    pub fn into_output(self) -> JobOutput {
        self.output
    }
}
