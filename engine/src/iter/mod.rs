//! Iterators over internal keys, and the merge that combines them.
//!
//! Every sorted source in the LSM (memtable, SSTable, a level of SSTables)
//! exposes [`InternalIterator`]; [`MergingIterator`] merges any number of
//! them into one stream in internal-key order (newest version first).
//! Collapsing versions into a user-visible view happens above, in `lsm`.

mod merge;

pub use merge::MergingIterator;

use crate::Result;

/// A boxed iterator that can move between threads with the shard that owns it.
pub type BoxedIterator<'a> = Box<dyn InternalIterator + Send + 'a>;

/// A cursor over entries sorted by internal key
/// ([`crate::coding::internal_key::compare`]).
///
/// After construction the cursor is not positioned: call a seek first.
/// `key` and `value` may only be called while `valid()` is true. An error
/// from any method leaves the cursor invalid.
pub trait InternalIterator {
    /// Whether the cursor is on an entry.
    fn valid(&self) -> bool;
    /// Positions on the first entry.
    fn seek_to_first(&mut self) -> Result<()>;
    /// Positions on the first entry whose internal key is `>= target`.
    fn seek(&mut self, target: &[u8]) -> Result<()>;
    /// Moves to the next entry.
    fn next(&mut self) -> Result<()>;
    /// The current internal key.
    fn key(&self) -> &[u8];
    /// The current value.
    fn value(&self) -> &[u8];
}

impl<I: InternalIterator + ?Sized> InternalIterator for Box<I> {
    fn valid(&self) -> bool {
        (**self).valid()
    }
    fn seek_to_first(&mut self) -> Result<()> {
        (**self).seek_to_first()
    }
    fn seek(&mut self, target: &[u8]) -> Result<()> {
        (**self).seek(target)
    }
    fn next(&mut self) -> Result<()> {
        (**self).next()
    }
    fn key(&self) -> &[u8] {
        (**self).key()
    }
    fn value(&self) -> &[u8] {
        (**self).value()
    }
}

/// An iterator over a sorted in-memory vector of `(internal key, value)`
/// pairs; used by tests and by small sources.
#[derive(Debug, Default)]
pub struct VecIterator {
    entries: Vec<(Vec<u8>, Vec<u8>)>,
    position: usize,
}

impl VecIterator {
    /// `entries` must be sorted by internal key.
    pub fn new(entries: Vec<(Vec<u8>, Vec<u8>)>) -> Self {
        let position = entries.len();
        VecIterator { entries, position }
    }
}

impl InternalIterator for VecIterator {
    fn valid(&self) -> bool {
        self.position < self.entries.len()
    }
    fn seek_to_first(&mut self) -> Result<()> {
        self.position = 0;
        Ok(())
    }
    fn seek(&mut self, target: &[u8]) -> Result<()> {
        self.position = self.entries.partition_point(|(k, _)| {
            crate::coding::internal_key::compare(k, target) == std::cmp::Ordering::Less
        });
        Ok(())
    }
    fn next(&mut self) -> Result<()> {
        self.position += 1;
        Ok(())
    }
    fn key(&self) -> &[u8] {
        &self.entries[self.position].0
    }
    fn value(&self) -> &[u8] {
        &self.entries[self.position].1
    }
}
