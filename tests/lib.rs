//! Shared helpers for dynacore's integration tests: a seeded random number
//! generator (so every failure can be replayed from its seed), schema and
//! item builders, and seed selection from the environment.

use std::collections::BTreeMap;

use dynacore::{
    AttributeValue, Item, KeyAttribute, KeyType, KeyValue, Number, PrimaryKey, TableSchema,
};

/// SplitMix64: tiny, fast, and reproducible across platforms.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// `len` random lowercase letters.
    pub fn letters(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| (b'a' + self.below(26) as u8) as char)
            .collect()
    }
}

/// Seeds to run: `DYNACORE_SEED=n` runs just n (to replay a failure);
/// `DYNACORE_SEEDS=k` runs seeds 0..k; otherwise `0..default_count`.
pub fn seeds(default_count: u64) -> Vec<u64> {
    if let Ok(seed) = std::env::var("DYNACORE_SEED") {
        return vec![seed.parse().expect("DYNACORE_SEED must be a number")];
    }
    let count = std::env::var("DYNACORE_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_count);
    (0..count).collect()
}

/// Runs `body` for each seed, printing the seed of a failure before re-raising it.
pub fn for_each_seed(default_count: u64, body: impl Fn(u64)) {
    for seed in seeds(default_count) {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(seed)));
        if let Err(panic) = result {
            eprintln!("FAILED with seed {seed}: replay with DYNACORE_SEED={seed}");
            std::panic::resume_unwind(panic);
        }
    }
}

/// A schema with a string partition key `pk` and a number sort key `sk`.
pub fn string_number_schema() -> TableSchema {
    TableSchema {
        partition_key: KeyAttribute {
            name: "pk".into(),
            key_type: KeyType::S,
        },
        sort_key: Some(KeyAttribute {
            name: "sk".into(),
            key_type: KeyType::N,
        }),
    }
}

/// A schema with only a string partition key `pk`.
pub fn string_schema() -> TableSchema {
    TableSchema {
        partition_key: KeyAttribute {
            name: "pk".into(),
            key_type: KeyType::S,
        },
        sort_key: None,
    }
}

/// A number from its decimal text.
pub fn number(text: &str) -> Number {
    text.parse().expect("valid number literal")
}

/// An item with `pk`, optional `sk`, and the given extra string attributes.
pub fn item(pk: &str, sk: Option<&Number>, attributes: &[(&str, &str)]) -> Item {
    let mut item: Item = BTreeMap::new();
    item.insert("pk".into(), AttributeValue::S(pk.into()));
    if let Some(sk) = sk {
        item.insert("sk".into(), AttributeValue::N(*sk));
    }
    for (name, value) in attributes {
        item.insert((*name).into(), AttributeValue::S((*value).into()));
    }
    item
}

/// The primary key `(pk, sk)`.
pub fn key(pk: &str, sk: Option<&Number>) -> PrimaryKey {
    PrimaryKey {
        partition: KeyValue::S(pk.into()),
        sort: sk.map(|n| KeyValue::N(*n)),
    }
}

/// A new, unique scratch directory under the system temp dir (the caller removes it).
#[allow(clippy::disallowed_methods)] // Test scaffolding outside any database.
pub fn tempdir() -> std::path::PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let unique = format!(
        "dynacore-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let dir = std::env::temp_dir().join(unique);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch directory");
    dir
}

/// Runs `run(seed, fs, dir)` for each seed (see [`seeds`], offset by
/// `seed_offset` so each caller gets its own) on real files in a fresh
/// directory, through the I/O backend `backend`. If io_uring cannot be set
/// up on this machine, an io_uring run says so and does nothing.
#[allow(clippy::disallowed_methods)] // Test scaffolding removes its own scratch directory.
pub fn for_each_seed_on_real_files(
    backend: dynacore::io::IoBackend,
    seed_offset: u64,
    run: impl Fn(u64, std::sync::Arc<dyn dynacore::io::Fs>, &std::path::Path),
) {
    if backend == dynacore::io::IoBackend::Uring && !dynacore::io::uring_available() {
        eprintln!("io_uring cannot be set up on this machine: the io_uring run is skipped");
        return;
    }
    for_each_seed(1, |seed| {
        let dir = tempdir();
        let (fs, _) = dynacore::io::os_fs(Some(backend)).expect("the backend is available");
        run(seed_offset + seed, fs, &dir);
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// Polls `future` to completion on this thread, parking until woken: a
/// minimal executor, enough to show the engine's futures need no runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(std::sync::Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::park();
    }
}

/// Every page of `request`, concatenated, following `last_evaluated_key`
/// until the last page. Panics on an error (tests only).
pub fn query_all(db: &dynacore::Db, request: &dynacore::QueryRequest) -> Vec<Item> {
    let mut request = request.clone();
    let mut items = Vec::new();
    loop {
        let page = db.query(&request).expect("query");
        if let Some(limit) = request.limit {
            assert!(page.scanned_count <= limit, "page over its limit");
        }
        items.extend(page.items);
        match page.last_evaluated_key {
            Some(last) => request.exclusive_start_key = Some(last),
            None => return items,
        }
    }
}

/// Every page of `request`, concatenated (see [`query_all`]).
pub fn scan_all(db: &dynacore::Db, request: &dynacore::ScanRequest) -> Vec<Item> {
    let mut request = request.clone();
    let mut items = Vec::new();
    loop {
        let page = db.scan(&request).expect("scan");
        if let Some(limit) = request.limit {
            assert!(page.scanned_count <= limit, "page over its limit");
        }
        items.extend(page.items);
        match page.last_evaluated_key {
            Some(last) => request.exclusive_start_key = Some(last),
            None => return items,
        }
    }
}

/// A Scan of every item of `table`, `limit` items a page.
pub fn scan_request(table: &str, limit: Option<usize>) -> dynacore::ScanRequest {
    dynacore::ScanRequest {
        table_name: table.to_owned(),
        limit,
        ..Default::default()
    }
}

/// Expression attribute values from `(placeholder, value)` pairs.
pub fn values(pairs: &[(&str, AttributeValue)]) -> BTreeMap<String, AttributeValue> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.clone()))
        .collect()
}
