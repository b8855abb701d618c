//! [`Version`]: the set of live SSTables, level by level, with their open
//! readers.
//!
//! A version is immutable; applying a manifest edit makes a new one. Readers
//! and jobs hold `Arc`s to the tables they use, so a table removed from the
//! current version stays readable (its mapping stays valid) until the last
//! holder drops it.
//!
//! Invariants: `levels[0]` is ordered newest first (by file number, which
//! increases with every flush; compaction never writes to L0); every deeper
//! level is sorted by smallest key with no two files overlapping in user keys.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;

use crate::Result;
use crate::coding::internal_key::{self, ValueKind};
use crate::ids::{FileNumber, SeqNo};
use crate::limits::LEVEL_COUNT;
use crate::manifest::FileMeta;
use crate::sstable::SsTable;

/// The live tables; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct Version {
    /// File metadata, per level.
    pub levels: Vec<Vec<FileMeta>>,
    tables: HashMap<FileNumber, Arc<SsTable>>,
}

/// How a point read went, for statistics.
#[derive(Debug, Default, Clone, Copy)]
pub struct GetProbes {
    /// Tables whose key range covered the key.
    pub tables_considered: u64,
    /// Of those, tables the bloom filter ruled out.
    pub bloom_negatives: u64,
}

fn smallest_user(file: &FileMeta) -> &[u8] {
    internal_key::user_key(&file.smallest_key)
}

fn largest_user(file: &FileMeta) -> &[u8] {
    internal_key::user_key(&file.largest_key)
}

impl Version {
    /// An empty version.
    pub fn new() -> Self {
        Version {
            levels: vec![Vec::new(); LEVEL_COUNT],
            tables: HashMap::new(),
        }
    }

    /// A new version: this one minus `deleted`, plus `added` (with their
    /// open tables).
    pub fn apply(
        &self,
        deleted: &[(usize, FileNumber)],
        added: Vec<(usize, FileMeta, Arc<SsTable>)>,
    ) -> Version {
        let mut next = self.clone();
        for (level, number) in deleted {
            next.levels[*level].retain(|f| f.number != *number);
            next.tables.remove(number);
        }
        for (level, meta, table) in added {
            next.tables.insert(meta.number, table);
            next.levels[level].push(meta);
        }
        next.levels[0].sort_by_key(|f| std::cmp::Reverse(f.number));
        for level in &mut next.levels[1..] {
            level.sort_by(|a, b| internal_key::compare(&a.smallest_key, &b.smallest_key));
        }
        next
    }

    /// The open table for `number`, if live.
    pub fn table(&self, number: FileNumber) -> Option<&Arc<SsTable>> {
        self.tables.get(&number)
    }

    /// All live file numbers.
    pub fn file_numbers(&self) -> impl Iterator<Item = FileNumber> + '_ {
        self.levels.iter().flatten().map(|f| f.number)
    }

    /// Total bytes of the files in `level`.
    pub fn level_size_bytes(&self, level: usize) -> u64 {
        self.levels[level].iter().map(|f| f.size_bytes).sum()
    }

    /// Checks the ordering invariants; a violation is a bug in this crate.
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        for (level, files) in self.levels.iter().enumerate().skip(1) {
            for pair in files.windows(2) {
                if largest_user(&pair[0]) >= smallest_user(&pair[1]) {
                    return Err(format!(
                        "L{level}: files {} and {} overlap",
                        pair[0].number, pair[1].number
                    ));
                }
            }
        }
        Ok(())
    }

    /// The newest entry for `user_key` with seqno <= `snapshot` in the
    /// tables: L0 newest first, then the one candidate file of each level.
    pub fn get(
        &self,
        user_key: &[u8],
        snapshot: SeqNo,
        probes: &mut GetProbes,
    ) -> Result<Option<(ValueKind, Bytes)>> {
        for file in &self.levels[0] {
            if user_key < smallest_user(file) || user_key > largest_user(file) {
                continue;
            }
            if let Some(found) = self.get_in(file.number, user_key, snapshot, probes)? {
                return Ok(Some(found));
            }
        }
        for files in &self.levels[1..] {
            let index = files.partition_point(|f| largest_user(f) < user_key);
            let Some(file) = files.get(index) else {
                continue;
            };
            if smallest_user(file) > user_key {
                continue;
            }
            if let Some(found) = self.get_in(file.number, user_key, snapshot, probes)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    fn get_in(
        &self,
        number: FileNumber,
        user_key: &[u8],
        snapshot: SeqNo,
        probes: &mut GetProbes,
    ) -> Result<Option<(ValueKind, Bytes)>> {
        let Some(table) = self.tables.get(&number) else {
            return Ok(None);
        };
        probes.tables_considered += 1;
        if !table.may_contain(user_key) {
            probes.bloom_negatives += 1;
            return Ok(None);
        }
        table.get_past_filter(user_key, snapshot)
    }

    /// The tables of `level` in order (L0: newest first).
    pub fn level_tables(&self, level: usize) -> Vec<Arc<SsTable>> {
        self.levels[level]
            .iter()
            .filter_map(|f| self.tables.get(&f.number).cloned())
            .collect()
    }

    /// Files of `level` overlapping user keys `[smallest, largest]`.
    pub fn overlapping(&self, level: usize, smallest: &[u8], largest: &[u8]) -> Vec<&FileMeta> {
        self.levels[level]
            .iter()
            .filter(|f| {
                largest_user(f).cmp(smallest) != Ordering::Less
                    && smallest_user(f).cmp(largest) != Ordering::Greater
            })
            .collect()
    }
}
