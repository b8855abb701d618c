//! Loom models of a shard's locking: group commit and reads racing it,
//! checked in every interleaving (`RUSTFLAGS="--cfg loom"`).

use super::*;
use crate::io::{MemFs, SystemClock};
use crate::lsm::LsmOptions;

fn shard(threads: bool) -> Arc<Shard> {
    let fs = MemFs::new();
    let mut options = LsmOptions::new("/db");
    options.fs = std::sync::Arc::new(fs);
    let config = ShardConfig {
        handoff: Handoff::CallerRuns,
        durability: Durability::Sync,
        threads,
        busy_wait: Duration::from_secs(60),
        clock: std::sync::Arc::new(SystemClock),
        cache: CacheOptions::default(),
    };
    let lsm = Lsm::open(options).expect("open on MemFs");
    let mesh = Arc::new(ShardMesh::new(1, 4));
    Arc::new(Shard::new(ShardId(0), lsm, mesh, config))
}

fn batch(key: &[u8]) -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.put(key, b"v");
    batch
}

/// Two writers race for group commit with no shard thread: whoever finds
/// no group in flight leads, the other joins as a follower or leads the
/// next group. Both are answered, both writes are visible, and no group
/// is left in flight or pending — in every interleaving.
#[test]
fn loom_group_commit_answers_every_writer() {
    loom::model(|| {
        let shard = shard(false);
        let other = shard.clone();
        let handle = loom::thread::spawn(move || other.write(batch(b"a")));
        shard.write(batch(b"b")).unwrap();
        handle.join().unwrap().unwrap();
        let mut core = shard.lock();
        assert!(!core.lsm.group_in_flight());
        assert!(core.pending.is_empty());
        assert!(core.lsm.get(b"a").unwrap().is_some());
        assert!(core.lsm.get(b"b").unwrap().is_some());
    });
}

/// A writer and a reader: whenever the reader looks, the write is
/// visible exactly when its group has been applied — never while its
/// sync is in flight with the lock released.
#[test]
fn loom_reads_never_see_a_group_before_it_is_applied() {
    loom::model(|| {
        let shard = shard(false);
        let writer = {
            let shard = shard.clone();
            loom::thread::spawn(move || shard.write(batch(b"k")))
        };
        {
            let mut core = shard.lock();
            let visible = core.lsm.get(b"k").unwrap().is_some();
            let applied = core.lsm.last_seqno().0 > 0;
            assert_eq!(visible, applied);
            if core.lsm.group_in_flight() {
                assert!(!visible);
            }
        }
        writer.join().unwrap().unwrap();
        assert!(
            shard
                .get(b"k".to_vec(), ReadMode::Eventual)
                .unwrap()
                .is_some()
        );
    });
}
