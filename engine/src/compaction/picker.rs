//! The compaction picker: which files to compact next, as a pure function.
//!
//! Leveled compaction as in LevelDB/RocksDB:
//! - L0 files overlap each other (each is one flushed memtable). When there
//!   are `l0_compaction_trigger` of them, *all* of them are merged with the
//!   overlapping L1 files. (Taking only some L0 files would be wrong unless
//!   they were the oldest: a newer L0 file must keep shadowing older data.)
//! - Ln (n >= 1) holds non-overlapping files; its target size is
//!   `l1_size_bytes * level_size_ratio^(n-1)`. When a level is over target,
//!   one of its files (round-robin by key, after the level's cursor) is merged
//!   with the overlapping files of Ln+1.
//! - Each level gets a score (L0: files / trigger; Ln: bytes / target); the
//!   highest score >= 1 is compacted first.
//! - A file with no overlap below is moved, not rewritten (a trivial move).
//! - Tombstones may be dropped only if no level below the output level holds
//!   any key in the compaction's range: then nothing older can resurface.

use std::cmp::Ordering;

use crate::coding::internal_key;
use crate::ids::FileNumber;
use crate::limits::{self, LEVEL_COUNT};
use crate::manifest::FileMeta;

/// Tuning of leveled compaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactionOptions {
    /// L0 file count that triggers an L0 -> L1 compaction.
    pub l0_compaction_trigger: usize,
    /// Target size of L1.
    pub l1_size_bytes: u64,
    /// Each level's target is this many times the level above.
    pub level_size_ratio: u64,
    /// Compaction output files are cut at about this size.
    pub sstable_size_bytes_target: u64,
}

impl Default for CompactionOptions {
    fn default() -> Self {
        CompactionOptions {
            l0_compaction_trigger: limits::L0_COMPACTION_TRIGGER_DEFAULT,
            l1_size_bytes: limits::L1_SIZE_BYTES_DEFAULT,
            level_size_ratio: limits::LEVEL_SIZE_RATIO_DEFAULT,
            sstable_size_bytes_target: limits::SSTABLE_SIZE_BYTES_TARGET_DEFAULT,
        }
    }
}

impl CompactionOptions {
    /// Target size of `level` (1..LEVEL_COUNT); L0 is governed by file count.
    pub fn level_target_bytes(&self, level: usize) -> u64 {
        let mut target = self.l1_size_bytes;
        for _ in 1..level {
            target = target.saturating_mul(self.level_size_ratio);
        }
        target
    }
}

/// One compaction to run.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactionTask {
    /// The level compacted from.
    pub input_level: usize,
    /// The level written to (`input_level + 1`).
    pub output_level: usize,
    /// Files taken from the input level.
    pub inputs: Vec<FileNumber>,
    /// Overlapping files taken from the output level.
    pub overlapping: Vec<FileNumber>,
    /// No deeper level overlaps the range: tombstones can be dropped.
    pub drop_tombstones: bool,
    /// A single file with nothing to merge: move it, don't rewrite it.
    pub trivial_move: bool,
    /// The largest user key of the inputs: the input level's next cursor.
    pub cursor_after: Vec<u8>,
    /// Why it was picked: the level's score (>= 1.0).
    pub score: f64,
}

fn smallest_user(file: &FileMeta) -> &[u8] {
    internal_key::user_key(&file.smallest_key)
}

fn largest_user(file: &FileMeta) -> &[u8] {
    internal_key::user_key(&file.largest_key)
}

/// Whether `file` holds any user key in `[smallest, largest]`.
fn overlaps(file: &FileMeta, smallest: &[u8], largest: &[u8]) -> bool {
    largest_user(file) >= smallest && smallest_user(file) <= largest
}

fn level_bytes(files: &[FileMeta]) -> u64 {
    files.iter().map(|f| f.size_bytes).sum()
}

/// The score of every level: L0 by file count, the rest by size. The last
/// level has nowhere to compact to and scores 0.
pub fn level_scores(levels: &[Vec<FileMeta>], options: &CompactionOptions) -> Vec<f64> {
    (0..levels.len())
        .map(|level| {
            if level + 1 >= levels.len() {
                0.0
            } else if level == 0 {
                levels[0].len() as f64 / options.l0_compaction_trigger.max(1) as f64
            } else {
                level_bytes(&levels[level]) as f64 / options.level_target_bytes(level).max(1) as f64
            }
        })
        .collect()
}

/// An estimate of the bytes compaction must rewrite before every level is
/// back within its target: all of L0 once it reaches its trigger, plus each
/// deeper level's excess over its target (the last level has no target).
/// Coarser than RocksDB's estimate — it ignores the fan-out into the level
/// below — but it is zero exactly when the picker has nothing to do by size.
pub fn pending_compaction_bytes(levels: &[Vec<FileMeta>], options: &CompactionOptions) -> u64 {
    let last = levels.len().saturating_sub(1);
    levels
        .iter()
        .enumerate()
        .map(|(level, files)| match level {
            0 if files.len() >= options.l0_compaction_trigger => level_bytes(files),
            0 => 0,
            _ if level >= last => 0,
            _ => level_bytes(files).saturating_sub(options.level_target_bytes(level)),
        })
        .sum()
}

/// Picks the next compaction, if any level needs one.
///
/// `levels[0]` may be in any order; `levels[n]` for n >= 1 must be sorted by
/// key and non-overlapping. `cursors[n]` is the largest user key compacted
/// from level n last time (empty to start from the beginning).
pub fn pick(
    levels: &[Vec<FileMeta>],
    cursors: &[Vec<u8>],
    options: &CompactionOptions,
) -> Option<CompactionTask> {
    debug_assert_eq!(levels.len(), LEVEL_COUNT);
    let scores = level_scores(levels, options);
    let (input_level, score) = scores
        .iter()
        .copied()
        .enumerate()
        .max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(Ordering::Equal))?;
    if score < 1.0 {
        return None;
    }
    let output_level = input_level + 1;

    let inputs: Vec<&FileMeta> = if input_level == 0 {
        levels[0].iter().collect()
    } else {
        let files = &levels[input_level];
        let cursor = cursors.get(input_level).map(Vec::as_slice).unwrap_or(&[]);
        let chosen = files
            .iter()
            .find(|f| cursor.is_empty() || smallest_user(f) > cursor)
            .or_else(|| files.first())?;
        vec![chosen]
    };
    let smallest = inputs.iter().map(|f| smallest_user(f)).min()?;
    let largest = inputs.iter().map(|f| largest_user(f)).max()?;

    let overlapping: Vec<FileNumber> = levels[output_level]
        .iter()
        .filter(|f| overlaps(f, smallest, largest))
        .map(|f| f.number)
        .collect();
    // The output covers the union of both sets' ranges; deeper levels must
    // be clear of all of it for tombstones to go.
    let (mut range_low, mut range_high) = (smallest, largest);
    for f in levels[output_level]
        .iter()
        .filter(|f| overlaps(f, smallest, largest))
    {
        range_low = range_low.min(smallest_user(f));
        range_high = range_high.max(largest_user(f));
    }
    let drop_tombstones = levels[output_level + 1..]
        .iter()
        .flatten()
        .all(|f| !overlaps(f, range_low, range_high));

    Some(CompactionTask {
        input_level,
        output_level,
        trivial_move: inputs.len() == 1 && overlapping.is_empty(),
        inputs: inputs.iter().map(|f| f.number).collect(),
        overlapping,
        drop_tombstones,
        cursor_after: largest.to_vec(),
        score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coding::internal_key::{ValueKind, encode};
    use crate::ids::SeqNo;

    fn file(number: u64, smallest: &str, largest: &str, size_bytes: u64) -> FileMeta {
        FileMeta {
            number: FileNumber(number),
            size_bytes,
            entry_count: 1,
            tombstone_count: 0,
            smallest_key: encode(smallest.as_bytes(), SeqNo(1), ValueKind::Put),
            largest_key: encode(largest.as_bytes(), SeqNo(1), ValueKind::Put),
        }
    }

    fn empty_levels() -> Vec<Vec<FileMeta>> {
        vec![Vec::new(); LEVEL_COUNT]
    }

    fn options() -> CompactionOptions {
        CompactionOptions {
            l0_compaction_trigger: 2,
            l1_size_bytes: 100,
            level_size_ratio: 10,
            sstable_size_bytes_target: 50,
        }
    }

    #[test]
    fn nothing_to_do_below_every_trigger() {
        let mut levels = empty_levels();
        levels[0].push(file(1, "a", "z", 10));
        levels[1].push(file(2, "a", "m", 99));
        assert_eq!(pick(&levels, &[], &options()), None);
    }

    #[test]
    fn l0_takes_all_files_and_overlapping_l1() {
        let mut levels = empty_levels();
        levels[0].push(file(5, "c", "f", 10));
        levels[0].push(file(6, "e", "h", 10));
        levels[1].push(file(1, "a", "b", 10));
        levels[1].push(file(2, "d", "g", 10));
        levels[1].push(file(3, "i", "k", 10));
        levels[2].push(file(4, "x", "z", 10));
        let task = pick(&levels, &[], &options()).unwrap();
        assert_eq!((task.input_level, task.output_level), (0, 1));
        assert_eq!(task.inputs, [FileNumber(5), FileNumber(6)]);
        assert_eq!(task.overlapping, [FileNumber(2)]);
        assert!(task.drop_tombstones, "L2 holds only x..z, outside c..h");
        assert!(!task.trivial_move);
    }

    #[test]
    fn tombstones_stay_when_a_deeper_level_overlaps() {
        let mut levels = empty_levels();
        levels[1].push(file(1, "a", "c", 200));
        levels[3].push(file(2, "b", "b", 10));
        let task = pick(&levels, &[], &options()).unwrap();
        assert_eq!(
            (task.input_level, task.inputs.clone()),
            (1, vec![FileNumber(1)])
        );
        assert!(task.trivial_move);
        assert!(!task.drop_tombstones);
    }

    #[test]
    fn level_files_are_picked_round_robin_after_the_cursor() {
        let mut levels = empty_levels();
        levels[1].push(file(1, "a", "c", 60));
        levels[1].push(file(2, "d", "f", 60));
        let mut cursors = vec![Vec::new(); LEVEL_COUNT];
        let first = pick(&levels, &cursors, &options()).unwrap();
        assert_eq!(first.inputs, [FileNumber(1)]);
        cursors[1] = first.cursor_after;
        let second = pick(&levels, &cursors, &options()).unwrap();
        assert_eq!(second.inputs, [FileNumber(2)]);
        cursors[1] = second.cursor_after;
        assert_eq!(
            pick(&levels, &cursors, &options()).unwrap().inputs,
            [FileNumber(1)]
        );
    }

    #[test]
    fn the_highest_score_wins_and_the_last_level_never_compacts() {
        let mut levels = empty_levels();
        levels[0].push(file(9, "a", "b", 1));
        levels[0].push(file(8, "a", "b", 1)); // score 1.0
        levels[2].push(file(1, "a", "z", 3000)); // score 3.0
        levels[LEVEL_COUNT - 1].push(file(2, "a", "z", u64::MAX / 2));
        let task = pick(&levels, &[], &options()).unwrap();
        assert_eq!(task.input_level, 2);
        assert!((task.score - 3.0).abs() < 1e-9);
    }
}
