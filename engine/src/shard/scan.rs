//! Range reads on a shard: the key range a Query or Scan page reads
//! ([`ScanRange`]), the items one shard contributes ([`ScanChunk`]), and the
//! scan itself, run in steps of at most
//! [`limits::SCAN_ENTRIES_PER_LOCK_HOLD`] entries so that a caller reading a
//! long range lets go of the shard's lock in between (`docs/semantics.md`,
//! "Work per page"). Forward ranges stop at the page's limits; reverse ones
//! keep a sliding window of the last entries that fit them.

use std::collections::VecDeque;

use crate::{Error, Result, limits};

use super::{Handoff, ReplySlot, Request, Shard, ShardCore, ShardRouter};

/// A key range to read, and how much of it (one page's worth).
#[derive(Debug, Clone)]
pub(crate) struct ScanRange {
    pub start: Vec<u8>,
    /// Exclusive; `None`: to the end of the key space.
    pub end: Option<Vec<u8>>,
    /// Entries at most.
    pub limit: usize,
    /// Read from the end of the range backwards (Query with
    /// `ScanIndexForward = false`).
    pub reverse: bool,
    /// Only keys whose partition falls in these virtual partitions
    /// (a parallel Scan's segment); `None`: every key.
    pub virtual_partitions: Option<std::ops::Range<usize>>,
    /// An eventually consistent read: the query cache may answer it and
    /// keeps what it reads. (Not part of the page's cache key.)
    pub cached: bool,
}

/// One item of a [`ScanChunk`].
#[derive(Debug, Clone)]
pub(crate) struct ScanEntry {
    /// The encoded key.
    pub key: Vec<u8>,
    /// The encoded item: decoded only if the page keeps it, after the
    /// merge and outside the shard's lock.
    pub value: bytes::Bytes,
    /// Its size as DynamoDB counts it (what the 1 MB page limit adds up),
    /// read from the encoding.
    pub size_bytes: usize,
}

/// Items of one shard in key order (reversed for a reverse range), cut by
/// a [`ScanRange`]'s limits: at most `limit` entries, and no entry after
/// the one that brought the chunk to [`limits::PAGE_SIZE_BYTES_MAX`].
#[derive(Debug, Clone, Default)]
pub(crate) struct ScanChunk {
    pub entries: Vec<ScanEntry>,
    /// Whether more entries follow in the range.
    pub more: bool,
}

/// A shard scan under way: the entries kept so far and where it resumes
/// (`ShardCore::scan_step`).
#[derive(Debug, Default)]
struct ScanProgress {
    window: VecDeque<ScanEntry>,
    window_bytes: usize,
    more: bool,
    /// The key to continue from (inclusive), after a paused step.
    resume: Option<Vec<u8>>,
    /// Whether the scan reached the end of its range or a limit.
    finished: bool,
}

impl ScanProgress {
    fn into_chunk(self, range: &ScanRange) -> ScanChunk {
        // A chunk that reached a limit says more may follow even when no
        // entry does: DynamoDB returns a LastEvaluatedKey whenever a page
        // stopped at a limit, and the next page is then empty.
        let more = self.more
            || self.window.len() >= range.limit
            || self.window_bytes >= limits::PAGE_SIZE_BYTES_MAX;
        let mut entries: Vec<ScanEntry> = self.window.into();
        if range.reverse {
            entries.reverse();
        }
        ScanChunk { entries, more }
    }
}

impl ShardCore {
    /// The whole of `range`'s chunk in one go (the shard thread's way; it
    /// holds the lock for its turn anyway).
    pub(super) fn scan(&mut self, range: &ScanRange) -> Result<ScanChunk> {
        if range.cached
            && let Some(chunk) = self.cache.lookup_page(range)
        {
            self.counters.scans += 1;
            return Ok(chunk);
        }
        let mut progress = ScanProgress::default();
        while !progress.finished {
            self.scan_step(range, &mut progress, usize::MAX)?;
        }
        let chunk = progress.into_chunk(range);
        if range.cached {
            // One lock hold: nothing can have moved the version meanwhile.
            let version = self.cache.version_of(range);
            self.cache.fill_page(range, version, &chunk);
        }
        Ok(chunk)
    }

    /// Continues `range`'s scan from where `progress` left off, visiting at
    /// most `visit_budget` entries (kept or skipped), so a caller can let
    /// go of the lock between steps.
    fn scan_step(
        &mut self,
        range: &ScanRange,
        progress: &mut ScanProgress,
        visit_budget: usize,
    ) -> Result<()> {
        if progress.resume.is_none() {
            self.counters.scans += 1;
        }
        let page_bytes_max = limits::PAGE_SIZE_BYTES_MAX;
        let start = progress
            .resume
            .take()
            .unwrap_or_else(|| range.start.clone());
        let dir = &self.lsm.options().dir;
        let mut visited = 0usize;
        let mut paused = false;
        let ScanProgress {
            window,
            window_bytes,
            more,
            resume,
            ..
        } = progress;
        // Forward: entries are taken in order until a limit is reached.
        // Reverse: the tree is read forwards and only the last entries that
        // fit the limits are kept (a bounded window), which costs a read of
        // the whole range per page; see docs/semantics.md.
        self.lsm
            .scan(&start, range.end.as_deref(), &mut |key, value| {
                if visited == visit_budget {
                    *resume = Some(key.to_vec());
                    paused = true;
                    return Ok(false);
                }
                visited += 1;
                if let Some(wanted) = &range.virtual_partitions {
                    let in_segment = crate::coding::key::partition_prefix_len(key)
                        .map(|len| ShardRouter::virtual_partition(&key[..len]))
                        .is_some_and(|partition| wanted.contains(&partition));
                    if !in_segment {
                        return Ok(true);
                    }
                }
                if !range.reverse
                    && (window.len() >= range.limit || *window_bytes >= page_bytes_max)
                {
                    *more = true;
                    return Ok(false);
                }
                let size_bytes =
                    crate::coding::item::encoded_item_size_bytes(value).map_err(|e| {
                        Error::corruption(dir, 0, format!("stored item does not decode: {e}"))
                    })?;
                *window_bytes += size_bytes;
                window.push_back(ScanEntry {
                    key: key.to_vec(),
                    value: bytes::Bytes::copy_from_slice(value),
                    size_bytes,
                });
                if range.reverse {
                    // Keep the newest window that a backward read would
                    // take: at most `limit` entries, and none before the
                    // one that reached the byte budget.
                    while window.len() > range.limit
                        || window
                            .front()
                            .is_some_and(|front| *window_bytes - front.size_bytes >= page_bytes_max)
                    {
                        let dropped = window.pop_front().map_or(0, |e| e.size_bytes);
                        *window_bytes -= dropped;
                        *more = true;
                    }
                }
                Ok(true)
            })?;
        progress.finished = !paused;
        Ok(())
    }
}

impl Shard {
    /// One chunk of entries in `range`.
    pub(crate) fn scan(&self, range: ScanRange) -> Result<ScanChunk> {
        match self.config.handoff {
            Handoff::CallerRuns => {
                // A strong read neither looks nor fills: no extra lock hold.
                let version = if range.cached {
                    let mut core = self.lock();
                    if let Some(chunk) = core.cache.lookup_page(&range) {
                        core.counters.scans += 1;
                        return Ok(chunk);
                    }
                    Some(core.cache.version_of(&range))
                } else {
                    None
                };
                // In bounded steps, letting go of the lock in between, so a
                // long range (a reverse page, a sparse segment) does not hold
                // up the shard's writes and group commits. The page is
                // cached only if nothing it covers changed meanwhile
                // (`fill_page` compares versions).
                let mut progress = ScanProgress::default();
                while !progress.finished {
                    self.lock().scan_step(
                        &range,
                        &mut progress,
                        limits::SCAN_ENTRIES_PER_LOCK_HOLD,
                    )?;
                }
                let chunk = progress.into_chunk(&range);
                if let Some(version) = version {
                    self.lock().cache.fill_page(&range, version, &chunk);
                }
                Ok(chunk)
            }
            Handoff::ShardThread { spin_iterations } => {
                let reply = ReplySlot::new();
                self.enqueue_blocking(Request::Scan {
                    range,
                    reply: reply.clone(),
                })?;
                reply.wait(spin_iterations)
            }
        }
    }
}
