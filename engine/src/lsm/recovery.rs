//! Opening an LSM: recovery from the manifest and the WAL.
//!
//! Steps, each safe to crash in (the next open simply starts over):
//! 1. Lock the directory. Read `CURRENT`; without it the directory must not
//!    hold any WAL or SSTable (a crash during the very first open leaves at
//!    most a manifest), and a new LSM is created.
//! 2. Replay the manifest's edits into the state: files per level, counters,
//!    catalog. Open every live SSTable (a missing one is corruption).
//! 3. Replay every WAL numbered `>= log_number`, oldest first, into a fresh
//!    memtable. Only the newest WAL may end in a torn record (an unfinished
//!    write); damage anywhere else is corruption naming the file and offset.
//! 4. Flush the recovered memtable to an L0 table, write a new manifest
//!    holding a snapshot of the whole state (pointed at by `CURRENT`), then
//!    start the new WAL it names. From here on the old WALs and manifest are
//!    not needed.
//! 5. Remove every file the new state does not refer to: old WALs and
//!    manifests, SSTables written by an unfinished flush or compaction,
//!    temporary files.

use std::sync::Arc;

use super::{CatalogState, Frozen, Lsm, LsmCounters, LsmOptions, Version};
use crate::compaction::TableWriteJob;
use crate::filenames::{self, FileKind};
use crate::ids::{FileNumber, SeqNo, TableId};
use crate::iter::BoxedIterator;
use crate::limits::LEVEL_COUNT;
use crate::manifest::VersionEdit;
use crate::manifest::file::{create_manifest, read_current, read_manifest};
use crate::memtable::{MemTable, OwnedMemTableIterator};
use crate::sstable::SsTable;
use crate::wal::{WalReader, WalWriter, WriteBatch};
use crate::{Error, Result};

/// State rebuilt from manifest edits.
#[derive(Debug, Default)]
struct Recovered {
    levels: Vec<Vec<crate::manifest::FileMeta>>,
    log_number: FileNumber,
    next_file_number: FileNumber,
    last_seqno: SeqNo,
    catalog: CatalogState,
    shard_count: Option<u32>,
}

impl Recovered {
    fn new() -> Self {
        Recovered {
            levels: vec![Vec::new(); LEVEL_COUNT],
            next_file_number: FileNumber(1),
            catalog: CatalogState {
                next_table_id: TableId(1),
                ..CatalogState::default()
            },
            ..Recovered::default()
        }
    }

    /// Applies one edit. An edit replacing the description of a table that
    /// is not live is refused (it can only come from damage or a bug): the
    /// returned message says which table.
    fn apply(&mut self, edit: VersionEdit) -> std::result::Result<(), String> {
        if let Some(n) = edit.log_number {
            self.log_number = n;
        }
        if let Some(n) = edit.next_file_number {
            self.next_file_number = self.next_file_number.max(n);
        }
        if let Some(s) = edit.last_seqno {
            self.last_seqno = self.last_seqno.max(s);
        }
        if let Some(t) = edit.next_table_id {
            self.catalog.next_table_id = self.catalog.next_table_id.max(t);
        }
        for (level, number) in edit.deleted_files {
            self.levels[level].retain(|f| f.number != number);
        }
        for (level, meta) in edit.added_files {
            self.next_file_number = self.next_file_number.max(FileNumber(meta.number.0 + 1));
            self.levels[level].push(meta);
        }
        for (id, description) in edit.created_tables {
            self.catalog.tables.insert(id, description);
        }
        for (id, description) in edit.updated_tables {
            match self.catalog.tables.get_mut(&id) {
                Some(live) => *live = description,
                None => return Err(format!("an edit updates table {id}, which is not live")),
            }
        }
        for id in edit.deleted_tables {
            self.catalog.tables.remove(&id);
            self.catalog.deleted.insert(id);
        }
        if edit.shard_count.is_some() {
            self.shard_count = edit.shard_count;
        }
        Ok(())
    }
}

pub(super) fn open(options: LsmOptions) -> Result<Lsm> {
    options.validate()?;
    let fs = options.fs.clone();
    let dir = options.dir.clone();
    fs.create_dir_all(&dir)?;
    let lock = fs.lock_dir(&dir)?;
    let names = fs.list_dir(&dir)?;
    let kinds: Vec<FileKind> = names.iter().filter_map(|n| filenames::parse(n)).collect();

    // 1-2. The manifest.
    let mut recovered = Recovered::new();
    match read_current(&*fs, &dir)? {
        Some(number) => {
            for edit in read_manifest(&*fs, &dir, number)? {
                recovered.apply(edit).map_err(|reason| {
                    Error::corruption(&filenames::manifest_path(&dir, number), 0, reason)
                })?;
            }
        }
        None => {
            if let Some(kind) = kinds
                .iter()
                .find(|k| matches!(k, FileKind::Wal(_) | FileKind::SsTable(_)))
            {
                return Err(Error::corruption(
                    &filenames::current_path(&dir),
                    0,
                    format!(
                        "CURRENT is missing but the directory holds data files ({kind:?}); refusing to start an empty database over them"
                    ),
                ));
            }
        }
    }
    for kind in &kinds {
        if let FileKind::Wal(n) | FileKind::SsTable(n) | FileKind::Manifest(n) = kind {
            // Files newer than the recorded counter were created after the
            // last edit (an unfinished job); their numbers are reused only
            // after they are removed below, so skip past them to be safe.
            recovered.next_file_number = recovered.next_file_number.max(FileNumber(n.0 + 1));
        }
    }
    let mut added = Vec::new();
    for (level, files) in recovered.levels.iter().enumerate() {
        for meta in files {
            let path = filenames::sstable_path(&dir, meta.number);
            if !fs.exists(&path)? {
                return Err(Error::corruption(
                    &path,
                    0,
                    format!(
                        "SSTable {} of level {level} is listed in the manifest but missing",
                        meta.number
                    ),
                ));
            }
            let table = SsTable::open(&path, fs.map(&path)?)?;
            added.push((level, meta.clone(), Arc::new(table)));
        }
    }
    let version = Version::new().apply(&[], added);

    // 3. The WALs.
    let mut wal_numbers: Vec<FileNumber> = kinds
        .iter()
        .filter_map(|k| match k {
            FileKind::Wal(n) if *n >= recovered.log_number => Some(*n),
            _ => None,
        })
        .collect();
    wal_numbers.sort();
    let mut memtable = MemTable::new();
    let mut last_seqno = recovered.last_seqno;
    for (index, number) in wal_numbers.iter().enumerate() {
        let path = filenames::wal_path(&dir, *number);
        let mut reader = WalReader::new(&path, fs.map(&path)?);
        while let Some(record) = reader.next_record()? {
            let (first, batch) = WriteBatch::decode(&record).map_err(|e| {
                Error::corruption(
                    &path,
                    reader.last_record_offset(),
                    format!("undecodable write batch: {e}"),
                )
            })?;
            let mut seqno = first;
            for (kind, key, value) in batch.iter() {
                memtable.insert(key, seqno, kind, value);
                last_seqno = last_seqno.max(seqno);
                seqno = seqno.next();
            }
        }
        if let Some((offset, reason)) = reader.torn_tail()
            && index + 1 != wal_numbers.len()
        {
            return Err(Error::corruption(
                &path,
                offset,
                format!("damaged record in a WAL that is not the newest ({reason})"),
            ));
        }
    }

    let mut next_file_number = recovered.next_file_number;
    let allocate = |next: &mut FileNumber| {
        let n = *next;
        next.0 += 1;
        n
    };

    let mut lsm_version = Arc::new(version);
    let mut counters = LsmCounters::default();

    // 4. Flush what the WALs held, start a new WAL and manifest.
    if !memtable.is_empty() {
        let table = Arc::new(memtable);
        let source: BoxedIterator<'static> = Box::new(OwnedMemTableIterator::new(table.clone()));
        let settings = crate::compaction::job::JobSettings {
            dir: dir.clone(),
            sstable: options.sstable.clone(),
            output_size_bytes_target: u64::MAX,
            drop_tombstones: false,
            dropped_prefixes: Vec::new(),
        };
        let mut job = TableWriteJob::new(vec![source], settings);
        while !job.step(&*fs, &mut || allocate(&mut next_file_number), usize::MAX)? {}
        let output = job.into_output();
        let mut added = Vec::new();
        for meta in &output.files {
            let path = filenames::sstable_path(&dir, meta.number);
            added.push((
                0,
                meta.clone(),
                Arc::new(SsTable::open(&path, fs.map(&path)?)?),
            ));
        }
        lsm_version = Arc::new(lsm_version.apply(&[], added));
        counters.flush_count += 1;
        counters.flush_bytes_written += output.bytes_written;
    }
    // The new manifest comes first and names the new WAL's number; the WAL
    // file is created after it. A crash in between leaves a valid CURRENT
    // with no WAL to replay, never a WAL without a CURRENT. The manifest is
    // created holding the whole state: CURRENT must never point at a
    // manifest that lacks any of it.
    let wal_number = allocate(&mut next_file_number);
    let manifest_number = allocate(&mut next_file_number);
    let snapshot = super::state_snapshot(&super::StateParts {
        version: &lsm_version,
        log_number: wal_number,
        next_file_number,
        last_seqno,
        catalog: &recovered.catalog,
        shard_count: recovered.shard_count,
    });
    let manifest = create_manifest(&*fs, &dir, manifest_number, &snapshot)?;
    let wal = WalWriter::new(fs.create(&filenames::wal_path(&dir, wal_number))?);
    fs.sync_dir(&dir)?;

    let mut lsm = Lsm {
        _lock: lock,
        memtable: MemTable::with_capacity(options.memtable_size_bytes_max),
        frozen: None::<Frozen>,
        flush_job: None,
        compaction: None,
        compaction_cursors: vec![Vec::new(); LEVEL_COUNT],
        version: lsm_version,
        wal,
        wal_number,
        wal_unsynced: false,
        wal_synced_at: options.clock.now(),
        manifest,
        next_file_number,
        last_seqno,
        catalog: recovered.catalog,
        shard_count: recovered.shard_count,
        poisoned: None,
        counters,
        compaction_check_due: true,
        group_in_flight: false,
        obsolete_files: Vec::new(),
        options,
    };

    // 5. Remove what the new state does not refer to.
    let live: std::collections::HashSet<FileNumber> = lsm.version.file_numbers().collect();
    for name in &names {
        let obsolete = match filenames::parse(name) {
            Some(FileKind::Wal(n)) => n != wal_number,
            Some(FileKind::SsTable(n)) => !live.contains(&n),
            Some(FileKind::Manifest(n)) => n != manifest_number,
            Some(FileKind::Temp) => true,
            _ => false,
        };
        if obsolete {
            lsm.remove_obsolete(&dir.join(name));
        }
    }
    lsm.remove_obsolete_files_now();
    Ok(lsm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::MemFs;

    fn options(fs: &MemFs) -> LsmOptions {
        let mut options = LsmOptions::new("/lsm");
        options.fs = Arc::new(fs.clone());
        options
    }

    #[test]
    fn updated_table_descriptions_replay_and_updates_of_dead_tables_are_refused() {
        let fs = MemFs::new();
        let mut lsm = Lsm::open(options(&fs)).unwrap();
        let id = lsm.create_table(b"first".to_vec()).unwrap();
        lsm.update_table(id, b"second".to_vec()).unwrap();
        assert!(matches!(
            lsm.update_table(TableId(99), b"x".to_vec()),
            Err(Error::InvalidConfig(_))
        ));
        drop(lsm);
        let lsm = Lsm::open(options(&fs)).unwrap();
        assert_eq!(lsm.catalog().tables[&id], b"second");

        // In a manifest, an update of a table that is not live is damage.
        let mut recovered = Recovered::new();
        recovered
            .apply(VersionEdit {
                created_tables: vec![(TableId(1), b"a".to_vec())],
                updated_tables: vec![(TableId(1), b"b".to_vec())],
                ..VersionEdit::default()
            })
            .unwrap();
        assert_eq!(recovered.catalog.tables[&TableId(1)], b"b");
        let dead = VersionEdit {
            updated_tables: vec![(TableId(2), b"c".to_vec())],
            ..VersionEdit::default()
        };
        assert!(recovered.apply(dead).is_err());
    }
}
