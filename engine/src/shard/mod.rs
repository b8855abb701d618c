//! Shards: the per-core units of the thread-per-core engine.
//!
//! A [`Shard`] owns one LSM tree (its WAL, memtable, SSTables and manifest,
//! in its own directory) and the little state around it: writes waiting for
//! the next group commit, counters, the fsync latency histogram. It is shared
//! by exactly two kinds of thread:
//!
//! - **its shard thread** (`runtime.rs`), pinned to one core, which serves
//!   the shard's request queue, leads group commits that callers left
//!   pending, and runs flush and compaction in bounded slices;
//! - **callers** of the embedded handle, which — with the default
//!   [`Handoff::CallerRuns`] — run their own request on their own thread
//!   while holding the shard's lock, so a cached read pays no cross-core
//!   wake-up (about 50 µs on these VMs, ten times the read itself; see
//!   `docs/decisions/0001-embedded-handoff.md`).
//!
//! Either way the LSM is used by one thread at a time: everything in
//! [`ShardCore`] is reached only through the shard's mutex. That mutex is the
//! only lock on a shard's data, and it is never held across a sync: a group
//! commit appends its records under the lock, releases it for the `fdatasync`,
//! and takes it again to apply the group (see [`Shard::lead_group`]).
//!
//! **No shard waits for another shard.** A shard's code (this file, the
//! runtime) never takes another shard's lock and never waits on another
//! shard's reply slot; only the embedded handle, on the caller's thread,
//! talks to several shards (fan-out scans, multi-shard batches), one at a
//! time.
//!
//! Group commit (`Durability::Sync`): the first writer to find no group in
//! flight becomes the *leader*: it takes every pending write, appends the
//! whole group to the WAL, and waits for the one sync outside the lock.
//! Writers that arrive meanwhile join the pending list and wait on their
//! reply slots. When the leader has applied its group it answers its
//! followers; if more writes are pending by then, the shard thread leads the
//! next group (it is woken), so a caller's own write is never held up by
//! others' groups.

pub mod local;
pub mod reply;
pub mod router;

mod group_commit;
mod mesh;
mod mutate;
mod queue;
mod runtime;
mod scan;
mod stats;
mod table_stats;

pub use local::ShardLocal;
pub(crate) use mutate::Unapplied;
pub use reply::{ReplyFuture, ReplySlot};
pub use router::ShardRouter;
pub(crate) use scan::{ScanChunk, ScanEntry, ScanRange};
pub use stats::{DbStats, GroupCommitStats, LatencySummary, OperationCounts, ShardStats};

#[cfg(not(loom))]
pub(crate) use runtime::{ShardThreads, allowed_cpu_count};
/// CPU pinning as the shard threads do it: shard `i` runs on
/// `allowed_cpus()[i % len]`. The server pins each core's network thread
/// next to its shard's thread with these.
#[cfg(not(loom))]
pub use runtime::{allowed_cpus, pin_current_thread};

use std::collections::VecDeque;
use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;

use crate::cache::options::CacheOptions;
use crate::cache::shard::{Lookup, ShardCache};
use crate::ids::ShardId;
use crate::io::Clock;
use crate::limits;
use crate::lsm::{Durability, Lsm};
use crate::sync::{self, Arc, AtomicBool, AtomicUsize, Mutex, MutexGuard, Ordering, thread};
use crate::wal::WriteBatch;
use crate::{Error, Result};

use local::Task;
use queue::RequestQueue;

pub(crate) use mesh::ShardMesh;

/// How a blocking call on the embedded handle reaches its shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handoff {
    /// The caller's thread runs the request itself while holding the shard's
    /// lock (the default, and the fastest measured; see the module docs).
    CallerRuns,
    /// Every request goes through the shard's queue to its shard thread; the
    /// caller spins on its reply slot `spin_iterations` times, then parks,
    /// and an idle shard thread likewise spins polling its queue that many
    /// times before it parks.
    /// Kept to measure the pure thread-per-core hand-off against
    /// `CallerRuns`, and for callers that must never touch shard state.
    ShardThread {
        /// Spin-loop iterations before parking (each is a `pause`, ~10–40 ns).
        spin_iterations: u32,
    },
}

/// Requests one turn of the shard thread takes from its queue before it
/// lets go of the lock, so callers running on their own threads get in.
const QUEUE_BATCH_MAX: usize = 256;

/// How one shard behaves; the same for every shard of a database.
#[derive(Debug, Clone)]
pub(crate) struct ShardConfig {
    pub handoff: Handoff,
    pub durability: Durability,
    /// Whether shard threads run (false: callers also run background work,
    /// and "async" calls complete on the caller's thread).
    pub threads: bool,
    /// How long a caller waits for room in a full queue or pending list.
    pub busy_wait: Duration,
    pub clock: std::sync::Arc<dyn Clock>,
    /// The database's caches (each shard holds its share).
    pub cache: CacheOptions,
}

/// What a point read may be answered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadMode {
    /// DynamoDB's eventually consistent read: the item cache may answer
    /// (it is exact, so this still returns the latest applied write).
    Eventual,
    /// `ConsistentRead = true`: the tree answers, past the caches.
    Strong,
}

impl ReadMode {
    /// The mode of a request's `ConsistentRead` flag.
    pub(crate) fn from_consistent(consistent_read: bool) -> Self {
        if consistent_read {
            ReadMode::Strong
        } else {
            ReadMode::Eventual
        }
    }
}

/// A write waiting for the next group commit.
struct PendingWrite {
    batch: WriteBatch,
    reply: Arc<ReplySlot<Result<()>>>,
}

/// A request that travels through a shard's queue.
pub(crate) enum Request {
    Get {
        key: Vec<u8>,
        mode: ReadMode,
        reply: Arc<ReplySlot<Result<Option<Bytes>>>>,
    },
    Write {
        batch: WriteBatch,
        reply: Arc<ReplySlot<Result<()>>>,
    },
    Scan {
        range: ScanRange,
        reply: Arc<ReplySlot<Result<ScanChunk>>>,
    },
    /// Code to run on the shard's thread with its data ([`ShardLocal`]).
    Task(Task),
    /// A read-modify-write's decision (`mutate.rs`), with the bytes of the
    /// item data it carries, counted like a write's against the queue's
    /// byte bound.
    Mutation { task: Task, payload_bytes: usize },
}

/// A reply to deliver once the shard's lock is released (waking a thread
/// takes a syscall; nobody should wait for the lock meanwhile).
enum Completion {
    Get(Arc<ReplySlot<Result<Option<Bytes>>>>, Result<Option<Bytes>>),
    Write(Arc<ReplySlot<Result<()>>>, Result<()>),
    Scan(Arc<ReplySlot<Result<ScanChunk>>>, Result<ScanChunk>),
}

impl Completion {
    fn deliver(self) {
        match self {
            Completion::Get(slot, value) => slot.complete(value),
            Completion::Write(slot, value) => slot.complete(value),
            Completion::Scan(slot, value) => slot.complete(value),
        }
    }
}

fn deliver_all(completions: Vec<Completion>) {
    for completion in completions {
        completion.deliver();
    }
}

/// Everything of a shard that its mutex guards.
pub(crate) struct ShardCore {
    pub lsm: Lsm,
    /// Writes waiting for the next group commit, oldest first.
    pending: VecDeque<PendingWrite>,
    pending_bytes: usize,
    pub counters: OperationCounts,
    /// `fdatasync` latency of group commits, in microseconds.
    fsync_latency_us: hdrhistogram::Histogram<u64>,
    /// The newest value of every key written by a batch that is pending or
    /// being synced, so a read-modify-write sees the writes ordered before
    /// it (`mutate.rs`).
    unapplied: Unapplied,
    /// The item and query caches, kept exact by [`ShardCore::applied`].
    pub cache: ShardCache,
}

impl ShardCore {
    fn new(lsm: Lsm, cache: ShardCache) -> Self {
        ShardCore {
            lsm,
            cache,
            pending: VecDeque::new(),
            pending_bytes: 0,
            counters: OperationCounts::default(),
            // 1 µs .. 60 s at 3 significant digits: a few tens of KiB.
            fsync_latency_us: hdrhistogram::Histogram::new_with_bounds(1, 60_000_000, 3)
                .expect("constant histogram bounds are valid"),
            unapplied: Unapplied::default(),
        }
    }

    /// A point read: from the item cache if `mode` allows and it holds
    /// the key, else from the tree (filling the cache for the next read).
    /// Lookup, read and fill happen in one lock hold, so no write can come
    /// between the read and the fill.
    fn get(&mut self, key: &[u8], mode: ReadMode) -> Result<Option<Bytes>> {
        self.counters.gets += 1;
        if mode == ReadMode::Strong {
            return self.lsm.get(key);
        }
        match self.cache.lookup(key, true) {
            Lookup::Hit(value) => Ok(value),
            Lookup::Bypass => self.lsm.get(key),
            Lookup::Miss => {
                let value = self.lsm.get(key)?;
                self.cache.fill(key, value.as_ref());
                Ok(value)
            }
        }
    }

    /// Called with every batch the tree has just applied, in the same lock
    /// hold and before it is acknowledged: the one place writes reach the
    /// caches (write-through). Both ways a shard applies writes call it
    /// (`group_commit.rs`).
    fn applied(&mut self, batches: &[&WriteBatch]) {
        for batch in batches {
            self.cache.write_through(batch);
        }
    }

    fn has_room_for(&self, batch: &WriteBatch) -> bool {
        self.pending.len() < limits::PENDING_WRITES_MAX
            && self.pending_bytes + batch.size_bytes() <= limits::PENDING_WRITE_BYTES_MAX
    }

    fn push_pending(&mut self, batch: WriteBatch, reply: Arc<ReplySlot<Result<()>>>) {
        self.pending_bytes += batch.size_bytes();
        self.unapplied.enter(&batch);
        self.pending.push_back(PendingWrite { batch, reply });
    }

    /// Takes pending writes for one group, oldest first, up to the byte bound.
    fn take_group(&mut self) -> Vec<PendingWrite> {
        let mut group = Vec::new();
        let mut bytes = 0usize;
        while let Some(next) = self.pending.front() {
            let size = next.batch.size_bytes();
            if !group.is_empty() && bytes + size > limits::PENDING_WRITE_BYTES_MAX {
                break;
            }
            bytes += size;
            group.extend(self.pending.pop_front());
        }
        self.pending_bytes -= bytes;
        group
    }
}

/// One shard; see the module docs.
pub(crate) struct Shard {
    id: ShardId,
    core: Mutex<ShardCore>,
    queue: RequestQueue<Request>,
    /// The rings to and from the other shards, and every shard's wake-up.
    mesh: Arc<ShardMesh<Task>>,
    /// The core the shard thread is pinned to, if pinning succeeded.
    pub(crate) cpu: OnceLock<usize>,
    stop: AtomicBool,
    /// Callers blocked on `core`'s mutex right now. The shard thread, which
    /// relocks at once for its next turn, backs off while this is non-zero:
    /// the std mutex is not fair, and a caller woken on the other core
    /// (~50 µs) would otherwise find it taken again, turn after turn, for as
    /// long as a flush or compaction has slices to run (measured: 100+ ms).
    lock_waiters: AtomicUsize,
    /// Bytes of write batches in `queue`, bounded like the pending list.
    queued_write_bytes: AtomicUsize,
    /// Requests refused because the queue was full (counted outside the
    /// lock; added to `OperationCounts::busy_rejections` in the stats).
    queue_full_rejections: AtomicUsize,
    config: ShardConfig,
}

impl fmt::Debug for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shard")
            .field("id", &self.id)
            .field("queue_depth", &self.queue.len())
            .finish_non_exhaustive()
    }
}

/// The validation error for a batch too large for one WAL record, checked
/// before the batch joins a group so that one bad batch cannot fail a group.
fn batch_too_large(batch: &WriteBatch) -> Option<Error> {
    // Every batch is one WAL record; its encoding adds a small header.
    (batch.size_bytes() + 64 > limits::WAL_RECORD_BYTES_MAX).then(|| {
        Error::validation(format!(
            "a write batch of {} bytes exceeds the log record limit of {} bytes",
            batch.size_bytes(),
            limits::WAL_RECORD_BYTES_MAX
        ))
    })
}

impl Shard {
    pub(crate) fn new(
        id: ShardId,
        lsm: Lsm,
        mesh: Arc<ShardMesh<Task>>,
        config: ShardConfig,
    ) -> Self {
        let cache = ShardCache::new(
            config.cache.clone(),
            mesh.shard_count(),
            config.clock.clone(),
        );
        Shard {
            id,
            core: Mutex::new(ShardCore::new(lsm, cache)),
            queue: RequestQueue::new(limits::SHARD_QUEUE_DEPTH_MAX),
            mesh,
            cpu: OnceLock::new(),
            stop: AtomicBool::new(false),
            lock_waiters: AtomicUsize::new(0),
            queued_write_bytes: AtomicUsize::new(0),
            queue_full_rejections: AtomicUsize::new(0),
            config,
        }
    }

    /// This shard's id.
    pub(crate) fn id(&self) -> ShardId {
        self.id
    }

    /// Locks the shard's state. Control-plane operations (tables, flush,
    /// stats) use this directly.
    pub(crate) fn lock(&self) -> MutexGuard<'_, ShardCore> {
        if let Some(core) = self.try_lock() {
            return core;
        }
        self.lock_waiters.fetch_add(1, Ordering::Relaxed);
        let core = sync::lock(&self.core);
        self.lock_waiters.fetch_sub(1, Ordering::Relaxed);
        core
    }

    /// Removes files the LSM no longer needs, outside the lock (see
    /// `Lsm::take_obsolete_files`); failures are counted under the lock.
    pub(crate) fn remove_obsolete(&self, obsolete: crate::lsm::ObsoleteFiles) {
        if obsolete.is_empty() {
            return;
        }
        let failures = obsolete.remove();
        if failures > 0 {
            self.lock().lsm.note_obsolete_remove_failures(failures);
        }
    }

    /// Called by the shard thread between turns: if callers are blocked on
    /// the lock, waits (bounded) until they got it, instead of barging in
    /// ahead of them again. See `lock_waiters`.
    fn let_waiters_in(&self) {
        const WAIT_MAX: Duration = Duration::from_micros(200);
        if self.lock_waiters.load(Ordering::Relaxed) == 0 {
            return;
        }
        let deadline = self.config.clock.now() + WAIT_MAX;
        while self.lock_waiters.load(Ordering::Relaxed) > 0 && self.config.clock.now() < deadline {
            for _ in 0..64 {
                sync::spin_hint();
            }
        }
    }

    /// Locks the shard's state once no group commit is in flight: for
    /// operations that must not run between a group's append and its apply
    /// (freezing the memtable).
    pub(crate) fn lock_quiescent(&self) -> MutexGuard<'_, ShardCore> {
        let mut core = self.lock();
        while core.lsm.group_in_flight() {
            drop(core);
            thread::yield_now();
            core = self.lock();
        }
        core
    }

    /// Wakes the shard thread (cheap when it is not parked).
    fn wake(&self) {
        self.mesh.wake(self.id.0 as usize);
    }

    fn busy(&self, core: Option<&mut ShardCore>, what: &'static str) -> Error {
        if let Some(core) = core {
            core.counters.busy_rejections += 1;
        }
        Error::Busy {
            shard: self.id.0,
            what,
        }
    }

    // ----- blocking calls (the embedded handle's default path) ----------

    /// The value stored under `key`, if any.
    pub(crate) fn get(&self, key: Vec<u8>, mode: ReadMode) -> Result<Option<Bytes>> {
        match self.config.handoff {
            Handoff::CallerRuns => self.lock().get(&key, mode),
            Handoff::ShardThread { spin_iterations } => {
                let reply = ReplySlot::new();
                self.enqueue_blocking(Request::Get {
                    key,
                    mode,
                    reply: reply.clone(),
                })?;
                reply.wait(spin_iterations)
            }
        }
    }

    /// Several point reads in one lock hold.
    pub(crate) fn get_many(&self, keys: &[(Vec<u8>, ReadMode)]) -> Result<Vec<Option<Bytes>>> {
        match self.config.handoff {
            Handoff::CallerRuns => {
                let mut core = self.lock();
                keys.iter()
                    .map(|(key, mode)| core.get(key, *mode))
                    .collect()
            }
            Handoff::ShardThread { .. } => keys
                .iter()
                .map(|(key, mode)| self.get(key.clone(), *mode))
                .collect(),
        }
    }

    // ----- the queue: async calls and the shard-thread hand-off --------

    /// Puts `request` on the queue and wakes the shard thread; if the queue
    /// is full, waits for room up to the busy bound.
    fn enqueue_blocking(&self, request: Request) -> Result<()> {
        let mut request = request;
        let mut deadline = None;
        loop {
            match self.try_enqueue(request) {
                Ok(()) => {
                    self.wake();
                    return Ok(());
                }
                Err(back) => request = back,
            }
            let now = self.config.clock.now();
            let deadline = *deadline.get_or_insert(now + self.config.busy_wait);
            if now >= deadline {
                // Not counted under the lock: a caller giving up on a full
                // queue must not then wait for the shard it gave up on.
                self.queue_full_rejections.fetch_add(1, Ordering::Relaxed);
                return Err(self.busy(None, "request queue full"));
            }
            self.wake();
            thread::yield_now();
        }
    }

    /// Pushes `request` if the queue has room — in count, and for writes in
    /// bytes ([`limits::PENDING_WRITE_BYTES_MAX`]) — else gives it back.
    fn try_enqueue(&self, request: Request) -> std::result::Result<(), Request> {
        let write_bytes = match &request {
            Request::Write { batch, .. } => batch.size_bytes(),
            Request::Mutation { payload_bytes, .. } => (*payload_bytes).max(1),
            _ => 0,
        };
        if write_bytes > 0 {
            let before = self
                .queued_write_bytes
                .fetch_add(write_bytes, Ordering::Relaxed);
            // One batch alone is always admitted (it passed the record limit).
            if before > 0 && before + write_bytes > limits::PENDING_WRITE_BYTES_MAX {
                self.queued_write_bytes
                    .fetch_sub(write_bytes, Ordering::Relaxed);
                return Err(request);
            }
        }
        self.queue.push(request).inspect_err(|_| {
            self.queued_write_bytes
                .fetch_sub(write_bytes, Ordering::Relaxed);
        })
    }

    /// Queues `request` for the shard thread without waiting; a full queue
    /// is an immediate `Busy` (an async caller must not block).
    fn enqueue_now(&self, request: Request) -> Result<()> {
        match self.try_enqueue(request) {
            Ok(()) => {
                self.wake();
                Ok(())
            }
            Err(_) => {
                self.queue_full_rejections.fetch_add(1, Ordering::Relaxed);
                Err(self.busy(None, "request queue full"))
            }
        }
    }

    /// Tries to lock the shard without waiting.
    fn try_lock(&self) -> Option<MutexGuard<'_, ShardCore>> {
        match self.core.try_lock() {
            Ok(core) => Some(core),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    /// A point read as a future: served at once on this thread if the shard
    /// is free, else by the shard thread.
    pub(crate) fn get_async(
        &self,
        key: Vec<u8>,
        mode: ReadMode,
    ) -> ReplyFuture<Result<Option<Bytes>>> {
        if !self.config.threads {
            return ReplyFuture::ready(self.lock().get(&key, mode));
        }
        if self.config.handoff == Handoff::CallerRuns
            && let Some(mut core) = self.try_lock()
        {
            return ReplyFuture::ready(core.get(&key, mode));
        }
        let reply = ReplySlot::new();
        match self.enqueue_now(Request::Get {
            key,
            mode,
            reply: reply.clone(),
        }) {
            Ok(()) => ReplyFuture::waiting(reply),
            Err(e) => ReplyFuture::ready(Err(e)),
        }
    }

    /// A write as a future, answered when it is durable. It never waits
    /// for a sync: the shard thread leads its group commit. With the
    /// caller-runs hand-off the write is taken here, under the lock (applied
    /// at once when no sync is involved, else joined to the pending group);
    /// only a full pending list makes it wait, for room.
    pub(crate) fn write_async(&self, batch: WriteBatch) -> ReplyFuture<Result<()>> {
        if let Some(error) = batch_too_large(&batch) {
            return ReplyFuture::ready(Err(error));
        }
        if !self.config.threads {
            return ReplyFuture::ready(self.write(batch));
        }
        if self.config.handoff == Handoff::CallerRuns {
            let mut core = self.lock();
            if !core.has_room_for(&batch) {
                drop(core);
                return ReplyFuture::ready(self.write(batch));
            }
            let reply = ReplySlot::new();
            return match self.accept_write(&mut core, batch, &reply) {
                Some(result) => ReplyFuture::ready(result),
                None => {
                    drop(core);
                    self.wake();
                    ReplyFuture::waiting(reply)
                }
            };
        }
        let reply = ReplySlot::new();
        let request = Request::Write {
            batch,
            reply: reply.clone(),
        };
        match self.enqueue_now(request) {
            Ok(()) => ReplyFuture::waiting(reply),
            Err(e) => ReplyFuture::ready(Err(e)),
        }
    }

    /// Runs `task` on this shard's thread with its data (or, without shard
    /// threads, right here under the lock). Never blocks: a full queue is
    /// an immediate `Busy`.
    pub(crate) fn run_task(&self, task: Task) -> Result<()> {
        if !self.config.threads {
            let mut core = self.lock();
            self.run_task_here(&mut core, task);
            // Lead what the task wrote; there is no shard thread to do it.
            if !core.pending.is_empty() && !core.lsm.group_in_flight() {
                return self.lead_group(core, None);
            }
            return Ok(());
        }
        self.enqueue_now(Request::Task(task))
    }

    // ----- the shard thread's turn ---------------------------------------

    /// One turn of the shard's event loop: serve queued requests, lead a
    /// group commit if writes are pending, run periodic duties and one slice
    /// of background work. Returns whether it did anything (the loop parks
    /// when it did not).
    pub(crate) fn run_turn(&self) -> bool {
        let mut completions = Vec::new();
        let mut core = self.lock();
        let mut worked = self.serve_queue(&mut core, &mut completions);
        if !core.pending.is_empty() && !core.lsm.group_in_flight() {
            // Answer the reads just served before waiting for a sync.
            drop(core);
            deliver_all(std::mem::take(&mut completions));
            core = self.lock();
            if !core.pending.is_empty() && !core.lsm.group_in_flight() {
                // The shard thread leads with no write of its own; the
                // group's followers are answered inside. If more writes
                // arrive meanwhile it wakes itself and comes round again.
                let _ = self.lead_group(core, None);
                core = self.lock();
            }
            worked = true;
        }
        // Errors poison the LSM and reach the next writer; nothing to do here.
        let _ = core.lsm.tick();
        // Safe during a caller's group commit too: flush and compaction
        // never touch the active WAL or memtable.
        let background = core.lsm.background_work_pending();
        if background {
            let _ = core.lsm.background_step();
            worked = true;
        }
        let obsolete = core.lsm.take_obsolete_files();
        drop(core);
        deliver_all(completions);
        self.remove_obsolete(obsolete);
        if background {
            // The next turn would take the lock again at once.
            self.let_waiters_in();
        }
        worked
    }

    /// Serves up to [`QUEUE_BATCH_MAX`] queued requests. Reads run now;
    /// writes run now when no sync is involved, else join the pending group.
    fn serve_queue(&self, core: &mut ShardCore, completions: &mut Vec<Completion>) -> bool {
        // Tasks other shards sent through the mesh: a bounded number per
        // ring, with a budget of their own so that a task re-sending itself
        // cannot starve the request queue.
        let mut tasks_run = 0;
        let me = self.id.0 as usize;
        for from in 0..self.mesh.shard_count() {
            for _ in 0..QUEUE_BATCH_MAX {
                // SAFETY: the caller holds this shard's lock (`core`), which
                // makes it the only consumer of every ring into this shard.
                let Some(task) = (unsafe { self.mesh.receive(from, me) }) else {
                    break;
                };
                tasks_run += 1;
                self.run_task_here(core, task);
            }
        }
        let mut served = 0;
        while served < QUEUE_BATCH_MAX {
            let Some(request) = self.queue.pop() else {
                break;
            };
            served += 1;
            match request {
                Request::Get { key, mode, reply } => {
                    completions.push(Completion::Get(reply, core.get(&key, mode)));
                }
                Request::Scan { range, reply } => {
                    completions.push(Completion::Scan(reply, core.scan(&range)));
                }
                Request::Task(task) => self.run_task_here(core, task),
                Request::Mutation {
                    task,
                    payload_bytes,
                } => {
                    self.queued_write_bytes
                        .fetch_sub(payload_bytes.max(1), Ordering::Relaxed);
                    self.run_task_here(core, task);
                }
                Request::Write { batch, reply } => {
                    self.queued_write_bytes
                        .fetch_sub(batch.size_bytes(), Ordering::Relaxed);
                    if let Some(outcome) = self.accept_write(core, batch, &reply) {
                        completions.push(Completion::Write(reply, outcome));
                    }
                }
            }
        }
        served + tasks_run > 0
    }

    /// Runs a task with this shard's data. A panicking task is caught and
    /// counted, so it cannot take the shard thread (and every request queued
    /// behind it) down; the task's own reply slot is completed with an error
    /// by the wrapper `Db::run_on_shard` builds.
    fn run_task_here(&self, core: &mut ShardCore, task: Task) {
        core.counters.tasks += 1;
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            task(&mut ShardLocal::new(self, core));
        }));
        if outcome.is_err() {
            core.counters.task_panics += 1;
        }
    }

    /// Whether the shard thread may stop: asked to, and nothing left to answer.
    pub(crate) fn is_drained(&self) -> bool {
        self.stop.load(Ordering::Acquire)
            && !self.has_queued_requests()
            && self.lock().pending.is_empty()
    }

    /// Asks the shard thread to finish: it answers everything queued, then exits.
    pub(crate) fn request_stop(&self) {
        self.stop.store(true, Ordering::Release);
        self.wake();
    }

    pub(crate) fn set_thread(&self, thread: thread::Thread) {
        self.mesh.set_thread(self.id.0 as usize, thread);
    }

    /// Whether requests wait in the queue (what a spinning shard thread polls).
    pub(crate) fn has_queued_requests(&self) -> bool {
        self.queue.len() > 0 || self.mesh.has_messages_for(self.id.0 as usize)
    }

    /// How the shard thread waits when idle: with `Handoff::ShardThread` it
    /// spins as long as callers do before parking, so a request arriving
    /// within the spin needs no wake-up; otherwise it parks at once.
    pub(crate) fn idle_policy(&self) -> runtime::IdlePolicy {
        let spin_iterations = match self.config.handoff {
            Handoff::CallerRuns => 0,
            Handoff::ShardThread { spin_iterations } => spin_iterations,
        };
        let park_timeout = match self.config.durability {
            // Interval syncs are due on time even when nobody writes.
            Durability::Interval(interval) => (interval / 2).max(Duration::from_millis(1)),
            _ => Duration::from_millis(100),
        };
        runtime::IdlePolicy {
            spin_iterations,
            park_timeout,
        }
    }

    /// Statistics of this shard.
    pub(crate) fn stats(&self) -> ShardStats {
        let core = self.lock();
        let lsm = core.lsm.stats();
        let pending_compaction_bytes = crate::compaction::pending_compaction_bytes(
            &core.lsm.version().levels,
            &core.lsm.options().compaction,
        );
        let histogram = &core.fsync_latency_us;
        let fsync_latency = LatencySummary {
            count: histogram.len(),
            p50_us: histogram.value_at_quantile(0.50),
            p99_us: histogram.value_at_quantile(0.99),
            p999_us: histogram.value_at_quantile(0.999),
            max_us: histogram.max(),
        };
        ShardStats {
            shard: self.id,
            cpu: self.cpu.get().copied(),
            operations: OperationCounts {
                busy_rejections: core.counters.busy_rejections
                    + self.queue_full_rejections.load(Ordering::Relaxed) as u64,
                ..core.counters.clone()
            },
            queue_depth: self.queue.len(),
            pending_writes: core.pending.len(),
            group_commit: GroupCommitStats::from_counters(&lsm.counters),
            cache: core.cache.stats(),
            pending_compaction_bytes,
            fsync_latency,
            lsm,
        }
    }
}

#[cfg(all(test, loom))]
mod loom_models;
