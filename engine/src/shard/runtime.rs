//! The shard threads: one per shard, pinned to its core, each running the
//! shard's event loop until the database closes.
//!
//! The loop ([`event_loop`]) is: run one turn (serve the queue, lead a
//! pending group commit, run periodic duties and one slice of flush or
//! compaction); if the turn found nothing to do, park. Whoever hands the
//! shard work — a request on its queue, a write left pending, a frozen
//! memtable — first publishes it and then unparks the thread. `unpark`
//! before `park` makes `park` return at once, so work published between the
//! turn's last look and the `park` is never slept on (the loom model at the
//! bottom checks this). An idle shard thread sleeps in the kernel and burns
//! no CPU; it wakes on its park timeout to run periodic duties (interval
//! syncs).

use std::time::Duration;

use crate::sync::{Arc, thread};

use super::Shard;

/// How the loop waits when a turn found nothing to do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdlePolicy {
    /// Spin-loop iterations polling for new work before parking (0: park at
    /// once). Spinning answers a request arriving within the spin in well
    /// under a microsecond, at the price of the core it burns.
    pub spin_iterations: u32,
    /// How long to park before running a turn anyway (periodic duties).
    pub park_timeout: Duration,
}

/// Runs `turn` until `should_exit` says so; when a turn did nothing, spins
/// polling `has_work` as the policy says, then parks.
pub(crate) fn event_loop(
    mut turn: impl FnMut() -> bool,
    mut should_exit: impl FnMut() -> bool,
    has_work: impl Fn() -> bool,
    idle: IdlePolicy,
) {
    loop {
        let worked = turn();
        if should_exit() {
            return;
        }
        if worked {
            continue;
        }
        let mut spins = 0;
        while spins < idle.spin_iterations && !has_work() {
            crate::sync::spin_hint();
            spins += 1;
        }
        if spins == idle.spin_iterations {
            park(idle.park_timeout);
        }
    }
}

#[cfg(not(loom))]
fn park(timeout: Duration) {
    std::thread::park_timeout(timeout);
}

#[cfg(loom)]
fn park(_timeout: Duration) {
    loom::thread::park();
}

/// The running shard threads; dropping it stops and joins them, after each
/// has answered everything queued for it.
#[derive(Debug)]
pub(crate) struct ShardThreads {
    shards: Vec<Arc<Shard>>,
    handles: Vec<thread::JoinHandle<()>>,
}

impl ShardThreads {
    /// Starts one thread per shard; with `pin`, shard `i` is pinned to the
    /// `i`-th core this process may run on (modulo their number). If a
    /// thread cannot be started, the ones already running are stopped.
    #[cfg(not(loom))]
    pub(crate) fn start(shards: &[Arc<Shard>], pin: bool) -> crate::Result<Self> {
        let cpus = if pin { allowed_cpus() } else { Vec::new() };
        let mut threads = ShardThreads {
            shards: shards.to_vec(),
            handles: Vec::with_capacity(shards.len()),
        };
        for (index, shard) in shards.iter().enumerate() {
            let shard = shard.clone();
            let cpu = (!cpus.is_empty()).then(|| cpus[index % cpus.len()]);
            let handle = std::thread::Builder::new()
                .name(format!("dynacore-shard-{}", shard.id()))
                .spawn(move || {
                    ON_SHARD_THREAD.set(true);
                    if let Some(cpu) = cpu
                        && pin_current_thread(cpu)
                    {
                        let _ = shard.cpu.set(cpu);
                    }
                    event_loop(
                        || shard.run_turn(),
                        || shard.is_drained(),
                        || shard.has_queued_requests(),
                        shard.idle_policy(),
                    );
                })
                // Dropping `threads` stops the ones already started.
                .map_err(|e| crate::Error::io("spawn shard thread", std::path::Path::new(""), e))?;
            shards[index].set_thread(handle.thread().clone());
            threads.handles.push(handle);
        }
        Ok(threads)
    }

    /// Stops every shard thread, waits for them, then serves on this thread
    /// whatever they left: a task one shard sent to another that had
    /// already stopped. Bounded, in case tasks keep sending each other work.
    fn shut_down(&mut self) {
        for shard in &self.shards {
            shard.request_stop();
        }
        for handle in self.handles.drain(..) {
            // A shard thread that panicked has already reported it; the
            // database is closing either way.
            let _ = handle.join();
        }
        for _ in 0..SHUTDOWN_DRAIN_TURNS_MAX {
            let mut worked = false;
            for shard in &self.shards {
                worked |= shard.run_turn();
            }
            if !worked {
                break;
            }
        }
    }
}

/// Turns of every shard the closing thread runs to finish what shard threads
/// left behind.
const SHUTDOWN_DRAIN_TURNS_MAX: usize = 10_000;

thread_local! {
    /// Whether the current thread is a shard thread.
    static ON_SHARD_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl Drop for ShardThreads {
    fn drop(&mut self) {
        if self.handles.is_empty() {
            return;
        }
        // The last handle can be dropped by a task running on a shard thread
        // (a task that captured a `Db`). That thread cannot join itself, nor
        // wait for its own shard's lock, which it holds: a helper thread
        // closes the database instead.
        #[cfg(not(loom))]
        if ON_SHARD_THREAD.get() {
            let mut rest = ShardThreads {
                shards: std::mem::take(&mut self.shards),
                handles: std::mem::take(&mut self.handles),
            };
            // If even that thread cannot start, nothing can close the
            // database: its threads stay parked and end with the process.
            let _ = std::thread::Builder::new()
                .name("dynacore-close".into())
                .spawn(move || rest.shut_down());
            return;
        }
        self.shut_down();
    }
}

/// The cores this process may run on (its affinity mask), in order.
#[cfg(not(loom))]
pub fn allowed_cpus() -> Vec<usize> {
    // SAFETY: cpu_set_t is plain data; zeroed is a valid empty set, and
    // sched_getaffinity writes at most size_of::<cpu_set_t>() bytes into it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&cpu| libc::CPU_ISSET(cpu, &set))
            .collect()
    }
}

/// Pins the calling thread to `cpu`; false if the kernel refused (the
/// thread then runs unpinned, which is correct, only less predictable).
#[cfg(not(loom))]
pub fn pin_current_thread(cpu: usize) -> bool {
    // SAFETY: as in allowed_cpus; CPU_SET only writes inside the set for
    // cpu < CPU_SETSIZE, which the caller's cpu list guarantees.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// The number of cores this process may run on (at least 1).
#[cfg(not(loom))]
pub(crate) fn allowed_cpu_count() -> usize {
    allowed_cpus().len().max(1)
}

#[cfg(all(test, loom))]
mod loom_models {
    use super::*;
    use crate::shard::queue::RequestQueue;
    use crate::shard::reply::ReplySlot;
    use crate::sync::{AtomicBool, Ordering};

    /// The wake-up protocol of a shard: callers push a request and unpark
    /// the server; the server runs turns and parks when a turn found
    /// nothing. Every request is answered and the server exits once asked
    /// and drained — in every interleaving (a lost wake-up would deadlock,
    /// which loom reports).
    #[test]
    fn loom_queued_requests_are_always_served() {
        loom::model(|| {
            let queue = Arc::new(RequestQueue::<Arc<ReplySlot<u32>>>::new(4));
            let stop = Arc::new(AtomicBool::new(false));
            let server = {
                let queue = queue.clone();
                let stop = stop.clone();
                loom::thread::spawn(move || {
                    event_loop(
                        || match queue.pop() {
                            Some(slot) => {
                                slot.complete(7);
                                true
                            }
                            None => false,
                        },
                        || stop.load(Ordering::Acquire) && queue.len() == 0,
                        || queue.len() > 0,
                        IdlePolicy {
                            spin_iterations: 1,
                            park_timeout: Duration::ZERO,
                        },
                    )
                })
            };
            let server_thread = server.thread().clone();
            let client = {
                let queue = queue.clone();
                let server_thread = server_thread.clone();
                loom::thread::spawn(move || {
                    let slot = ReplySlot::new();
                    queue.push(slot.clone()).unwrap();
                    server_thread.unpark();
                    slot.wait(0)
                })
            };
            assert_eq!(client.join().unwrap(), 7);
            stop.store(true, Ordering::Release);
            server_thread.unpark();
            server.join().unwrap();
        });
    }
}
