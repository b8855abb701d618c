//! [`MergingIterator`]: many sorted sources merged into one.
//!
//! Sources are given newest first (memtable, frozen memtable, L0 newest to
//! oldest, then L1..Ln). Internal keys are unique across sources (every write
//! has its own seqno), so ties cannot happen between correct sources; if one
//! does (a bug or a replayed duplicate), the earlier, newer source wins.
//!
//! The smallest source is found by a linear scan: the LSM merges a handful
//! of sources (memtables + L0 files + one per deeper level), where a scan
//! over a few cached keys beats a heap's bookkeeping.

use std::cmp::Ordering;

use super::{BoxedIterator, InternalIterator};
use crate::Result;
use crate::coding::internal_key;

/// Merges sorted sources; see the module docs.
pub struct MergingIterator<'a> {
    sources: Vec<BoxedIterator<'a>>,
    current: Option<usize>,
}

impl std::fmt::Debug for MergingIterator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MergingIterator")
            .field("source_count", &self.sources.len())
            .field("current", &self.current)
            .finish()
    }
}

impl<'a> MergingIterator<'a> {
    /// Merges `sources`, newest first.
    pub fn new(sources: Vec<BoxedIterator<'a>>) -> Self {
        MergingIterator {
            sources,
            current: None,
        }
    }

    fn find_smallest(&mut self) {
        let mut best: Option<usize> = None;
        for (index, source) in self.sources.iter().enumerate() {
            if !source.valid() {
                continue;
            }
            best = match best {
                Some(b)
                    if internal_key::compare(source.key(), self.sources[b].key())
                        != Ordering::Less =>
                {
                    Some(b)
                }
                _ => Some(index),
            };
        }
        self.current = best;
    }
}

impl InternalIterator for MergingIterator<'_> {
    fn valid(&self) -> bool {
        self.current.is_some()
    }

    fn seek_to_first(&mut self) -> Result<()> {
        self.current = None;
        for source in &mut self.sources {
            source.seek_to_first()?;
        }
        self.find_smallest();
        Ok(())
    }

    fn seek(&mut self, target: &[u8]) -> Result<()> {
        self.current = None;
        for source in &mut self.sources {
            source.seek(target)?;
        }
        self.find_smallest();
        Ok(())
    }

    fn next(&mut self) -> Result<()> {
        let Some(current) = self.current.take() else {
            return Ok(());
        };
        self.sources[current].next()?;
        self.find_smallest();
        Ok(())
    }

    fn key(&self) -> &[u8] {
        self.sources[self.current.expect("key() on an invalid iterator")].key()
    }

    fn value(&self) -> &[u8] {
        self.sources[self.current.expect("value() on an invalid iterator")].value()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::internal_key::{ValueKind, encode};
    use crate::ids::SeqNo;
    use crate::iter::VecIterator;

    fn source(entries: &[(&str, u64)]) -> BoxedIterator<'static> {
        Box::new(VecIterator::new(
            entries
                .iter()
                .map(|(k, s)| {
                    (
                        encode(k.as_bytes(), SeqNo(*s), ValueKind::Put),
                        s.to_string().into_bytes(),
                    )
                })
                .collect(),
        ))
    }

    #[test]
    fn merges_in_internal_key_order() {
        let mut merged = MergingIterator::new(vec![
            source(&[("a", 5), ("c", 6)]),
            source(&[("a", 1), ("b", 2), ("d", 3)]),
        ]);
        merged.seek_to_first().unwrap();
        let mut seen = Vec::new();
        while merged.valid() {
            seen.push(String::from_utf8(merged.value().to_vec()).unwrap());
            merged.next().unwrap();
        }
        assert_eq!(seen, ["5", "1", "2", "6", "3"]);
        merged
            .seek(&encode(b"b", SeqNo(100), ValueKind::Put))
            .unwrap();
        assert_eq!(merged.value(), b"2");
    }
}
