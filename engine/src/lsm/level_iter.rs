//! [`LevelIterator`]: one cursor over all files of a level >= 1.
//!
//! Files of such a level are sorted and do not overlap, so the level reads as
//! one sorted run: seek picks the one file that can hold the target and moves
//! to the next file when one runs out. Only one file's cursor is open at a time.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::Result;
use crate::coding::internal_key;
use crate::iter::{BoxedIterator, InternalIterator};
use crate::sstable::SsTable;

/// A cursor over a sorted, non-overlapping run of tables.
pub struct LevelIterator {
    tables: Vec<Arc<SsTable>>,
    index: usize,
    current: Option<BoxedIterator<'static>>,
}

impl std::fmt::Debug for LevelIterator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LevelIterator")
            .field("table_count", &self.tables.len())
            .field("index", &self.index)
            .finish()
    }
}

impl LevelIterator {
    /// `tables` must be sorted by key and non-overlapping.
    pub fn new(tables: Vec<Arc<SsTable>>) -> Self {
        LevelIterator {
            tables,
            index: 0,
            current: None,
        }
    }

    fn open(&mut self, index: usize) {
        self.index = index;
        self.current = self
            .tables
            .get(index)
            .map(|t| Box::new(t.iter()) as BoxedIterator<'static>);
    }

    /// Moves to following files while the current one is exhausted.
    fn skip_exhausted(&mut self) -> Result<()> {
        while let Some(current) = &self.current {
            if current.valid() {
                break;
            }
            self.open(self.index + 1);
            if let Some(next) = &mut self.current {
                next.seek_to_first()?;
            }
        }
        Ok(())
    }
}

impl InternalIterator for LevelIterator {
    fn valid(&self) -> bool {
        self.current.as_ref().is_some_and(|c| c.valid())
    }

    fn seek_to_first(&mut self) -> Result<()> {
        self.open(0);
        if let Some(current) = &mut self.current {
            current.seek_to_first()?;
        }
        self.skip_exhausted()
    }

    fn seek(&mut self, target: &[u8]) -> Result<()> {
        let index = self
            .tables
            .partition_point(|t| internal_key::compare(t.largest_key(), target) == Ordering::Less);
        self.open(index);
        if let Some(current) = &mut self.current {
            current.seek(target)?;
        }
        self.skip_exhausted()
    }

    fn next(&mut self) -> Result<()> {
        if let Some(current) = &mut self.current {
            current.next()?;
        }
        self.skip_exhausted()
    }

    fn key(&self) -> &[u8] {
        self.current
            .as_ref()
            .expect("key() on an invalid iterator")
            .key()
    }

    fn value(&self) -> &[u8] {
        self.current
            .as_ref()
            .expect("value() on an invalid iterator")
            .value()
    }
}
