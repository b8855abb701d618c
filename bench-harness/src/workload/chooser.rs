//! [`WorkloadRunner`]: the next YCSB operation for one client thread.
//!
//! One runner per client thread, owning that thread's [`Rng`] and
//! generators; the threads of a run share one [`SharedState`] (the insert
//! counter, the sequential position, a cached zeta, and the records of the
//! load phase). A runner only chooses: it performs nothing, so the driver
//! owns timing and the target.
//!
//! The choice follows YCSB's `CoreWorkload.doTransaction`: the operation by
//! walking the proportions in the order READ, UPDATE, INSERT, SCAN,
//! READ-MODIFY-WRITE; the keynum from the request distribution, redrawn
//! while it lies beyond the last acknowledged insert; new inserts take the
//! next keynum from the shared counter, and the driver must hand it back
//! through [`SharedState::acknowledge`].

use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};

use super::counter::AcknowledgedCounter;
use super::generators::{
    ExponentialGenerator, HotspotGenerator, ScrambledZipfianGenerator, SequentialGenerator,
    SkewedLatestGenerator, UniformGenerator, ZIPFIAN_CONSTANT, ZipfianGenerator, zeta,
};
use super::rng::Rng;
use super::spec::{RequestDistribution, ScanLengthDistribution, WorkloadSpec};

/// How many times a keynum beyond the last acknowledged insert is redrawn
/// before the chooser falls back to a uniform keynum among the acknowledged
/// ones. YCSB redraws without bound; with a valid spec at least
/// `insertcount / zipfian_item_count` of the draws are acceptable, so the
/// fallback only triggers for absurd specs (say 10^9 expected inserts over
/// 1,000 records), where it keeps a thread from spinning for seconds.
pub const KEYNUM_REDRAW_ATTEMPTS_MAX: u32 = 100_000;

/// The five YCSB operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OperationKind {
    /// Read every field of one record.
    Read,
    /// Write one field of one record.
    Update,
    /// Insert a new record with every field.
    Insert,
    /// Read up to `count` records in key order.
    Scan,
    /// Read every field, then write one (neither atomic nor conditional).
    ReadModifyWrite,
}

impl OperationKind {
    /// All kinds, in YCSB's order of the proportion walk.
    pub const ALL: [Self; 5] = [
        Self::Read,
        Self::Update,
        Self::Insert,
        Self::Scan,
        Self::ReadModifyWrite,
    ];

    /// The label YCSB prints for this operation (`[READ]`, `[READ-MODIFY-WRITE]` …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Read => "READ",
            Self::Update => "UPDATE",
            Self::Insert => "INSERT",
            Self::Scan => "SCAN",
            Self::ReadModifyWrite => "READ-MODIFY-WRITE",
        }
    }
}

impl fmt::Display for OperationKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// One operation for the driver to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Read every field of `key`.
    Read { key: String },
    /// Set `field` of `key` to `value`.
    Update {
        key: String,
        field: String,
        value: Vec<u8>,
    },
    /// Insert record `key` with `fields`; afterwards call
    /// [`SharedState::acknowledge`] with `keynum`. YCSB acknowledges whether
    /// or not the insert succeeded; see there why that matters.
    Insert {
        keynum: u64,
        key: String,
        fields: Vec<(String, Vec<u8>)>,
    },
    /// Read up to `count` records in key order from `start_key`.
    Scan { start_key: String, count: usize },
    /// Read every field of `key`, then set `field` to `value`; YCSB times
    /// the pair as one operation.
    ReadModifyWrite {
        key: String,
        field: String,
        value: Vec<u8>,
    },
}

impl Operation {
    /// Which of the five operations this is.
    #[allow(dead_code)] // The driver indexes operations itself; the tests use it.
    pub fn kind(&self) -> OperationKind {
        match self {
            Self::Read { .. } => OperationKind::Read,
            Self::Update { .. } => OperationKind::Update,
            Self::Insert { .. } => OperationKind::Insert,
            Self::Scan { .. } => OperationKind::Scan,
            Self::ReadModifyWrite { .. } => OperationKind::ReadModifyWrite,
        }
    }
}

/// Mixed into the keynum to seed [`SharedState::load_record`]'s values, so
/// that record values do not repeat the byte streams of runner seeds 0, 1, 2 …
const LOAD_VALUE_SEED: u64 = 0x4c4f_4144_5641_4c55; // "LOADVALU"

/// What all client threads of one run share; wrap it in an `Arc`.
#[derive(Debug)]
pub struct SharedState {
    spec: WorkloadSpec,
    field_names: Vec<String>,
    record_count: u64,
    inserts: Arc<AcknowledgedCounter>,
    /// The position of the `sequential` request distribution, one sequence
    /// for all threads as in YCSB.
    sequential_position: Arc<AtomicU64>,
    /// zeta(recordcount - 1, 0.99) for the `latest` distribution, summed
    /// once by the first runner instead of once per thread.
    latest_zeta: OnceLock<f64>,
}

impl SharedState {
    /// State for a run of `spec` after its load phase: the first insert
    /// gets keynum `recordcount`, and keynums up to `recordcount - 1` count
    /// as present.
    ///
    /// # Panics
    /// If `spec.record_count` is 0, which [`WorkloadSpec::validate`] rejects.
    pub fn new(spec: &WorkloadSpec) -> Self {
        Self {
            spec: spec.clone(),
            field_names: spec.field_names(),
            record_count: spec.record_count,
            inserts: Arc::new(AcknowledgedCounter::new(spec.record_count)),
            sequential_position: Arc::new(AtomicU64::new(0)),
            latest_zeta: OnceLock::new(),
        }
    }

    /// The record the load phase inserts for `keynum` (each of
    /// [`WorkloadSpec::load_keynums`]): its key and every field, in field
    /// order, with a `fieldlength`-byte printable value. Values are a
    /// deterministic function of `keynum`, so any thread may load any record
    /// and a reload writes the same bytes. Callable from every thread.
    pub fn load_record(&self, keynum: u64) -> (String, Vec<(String, Vec<u8>)>) {
        let mut rng = Rng::seed_from_u64(keynum ^ LOAD_VALUE_SEED);
        let fields = self
            .field_names
            .iter()
            .map(|name| {
                let mut value = vec![0; self.spec.field_length_bytes];
                rng.fill_printable(&mut value);
                (name.clone(), value)
            })
            .collect();
        (self.spec.key_name(keynum), fields)
    }

    /// Reports that the insert of `keynum` (from [`Operation::Insert`]) is
    /// done, so choosers may pick it once every earlier insert is done too.
    ///
    /// YCSB calls this whether or not the insert succeeded (in a `finally`):
    /// a keynum never acknowledged freezes the readable range for the rest
    /// of the run — `latest` keeps reading the records before it, zipfian
    /// redraws the keys after it — and after 2^20 later inserts this panics.
    ///
    /// # Panics
    /// On a keynum that was not handed out or was already acknowledged (the
    /// driver's mistake), or when 2^20 inserts finished past one still in
    /// flight (YCSB's fatal "Too many unacknowledged insertion keys"); the
    /// counter's own [`AcknowledgedCounter::acknowledge`] returns these as
    /// errors instead.
    pub fn acknowledge(&self, keynum: u64) {
        if let Err(error) = self.inserts.acknowledge(keynum) {
            panic!("{error}");
        }
    }
}

/// Chooses among the five operations by their proportions (YCSB's
/// `DiscreteGenerator`): a uniform draw walks the normalised weights of the
/// operations with a positive proportion, in YCSB's order.
#[derive(Debug, Clone)]
struct OperationChooser {
    weights: Vec<(f64, OperationKind)>,
}

impl OperationChooser {
    fn new(proportions: [f64; 5]) -> Self {
        let sum: f64 = proportions.iter().sum();
        assert!(sum > 0.0, "operation proportions sum to {sum}");
        let weights = OperationKind::ALL
            .into_iter()
            .zip(proportions)
            .filter(|&(_, proportion)| proportion > 0.0)
            .map(|(kind, proportion)| (proportion / sum, kind))
            .collect();
        Self { weights }
    }

    fn next(&self, rng: &mut Rng) -> OperationKind {
        let mut remaining = rng.next_f64();
        for &(weight, kind) in &self.weights {
            if remaining < weight {
                return kind;
            }
            remaining -= weight;
        }
        // YCSB throws here; rounding can leave a sliver past the last
        // normalised weight, which belongs to the last operation.
        self.weights.last().expect("at least one operation").1
    }
}

/// The request distribution, one generator per thread.
#[derive(Debug, Clone)]
enum KeyChooser {
    Uniform(UniformGenerator),
    Zipfian(ScrambledZipfianGenerator),
    Latest(SkewedLatestGenerator),
    Hotspot(HotspotGenerator),
    Sequential(SequentialGenerator),
    Exponential(ExponentialGenerator),
}

#[derive(Debug, Clone)]
enum ScanLengthChooser {
    Uniform(UniformGenerator),
    Zipfian(ZipfianGenerator),
}

/// One client thread's operation source; see the module docs.
#[derive(Debug)]
pub struct WorkloadRunner {
    spec: WorkloadSpec,
    shared: Arc<SharedState>,
    rng: Rng,
    operations: OperationChooser,
    keys: KeyChooser,
    scan_lengths: ScanLengthChooser,
    field_names: Vec<String>,
    redraw_fallback_count: u64,
    /// Random printable bytes that values are cut from.
    value_pool: Vec<u8>,
}

/// Random bytes in a runner's value pool beyond one value's length.
const VALUE_POOL_BYTES: usize = 64 * 1024;

impl WorkloadRunner {
    /// A runner for one thread. Give each thread a different `seed` (for
    /// example the run's seed plus the thread index; nearby seeds give
    /// unrelated streams). The same spec, state and seed give the same
    /// operations, as long as the shared insert counter evolves the same way.
    /// Cheap, except that the first `latest` runner of a run sums zeta over
    /// `recordcount` terms (about 20 ms per million records).
    ///
    /// # Panics
    /// If `spec` fails [`WorkloadSpec::validate`] (every constructor of
    /// `WorkloadSpec` validates; so does the caller that edits one), or
    /// `shared` was made for another `recordcount`.
    pub fn new(spec: &WorkloadSpec, shared: Arc<SharedState>, seed: u64) -> Self {
        if let Err(error) = spec.validate() {
            panic!("WorkloadRunner::new: invalid workload spec: {error}");
        }
        assert_eq!(
            shared.record_count, spec.record_count,
            "WorkloadRunner::new: shared state and spec disagree on recordcount"
        );
        let keynums = spec.load_keynums();
        let (first, last) = (keynums.start, keynums.end - 1);
        let keys = match spec.request_distribution {
            RequestDistribution::Uniform => KeyChooser::Uniform(UniformGenerator::new(first, last)),
            RequestDistribution::Zipfian => KeyChooser::Zipfian(ScrambledZipfianGenerator::new(
                first,
                first + spec.zipfian_item_count() - 1,
            )),
            RequestDistribution::Latest => {
                // YCSB sizes the Zipf over the counter's value at start-up.
                let item_count = spec.record_count - 1;
                let zeta_n = *shared
                    .latest_zeta
                    .get_or_init(|| zeta(item_count, ZIPFIAN_CONSTANT));
                KeyChooser::Latest(SkewedLatestGenerator::with_zeta(
                    Arc::clone(&shared.inserts),
                    item_count,
                    zeta_n,
                ))
            }
            RequestDistribution::Hotspot => KeyChooser::Hotspot(HotspotGenerator::new(
                first,
                last,
                spec.hotspot_data_fraction,
                spec.hotspot_operation_fraction,
            )),
            RequestDistribution::Sequential => KeyChooser::Sequential(SequentialGenerator::new(
                first,
                last,
                Arc::clone(&shared.sequential_position),
            )),
            RequestDistribution::Exponential => KeyChooser::Exponential(ExponentialGenerator::new(
                spec.exponential_percentile,
                spec.record_count as f64 * spec.exponential_fraction,
            )),
        };
        let scan_lengths = match spec.scan_length_distribution {
            ScanLengthDistribution::Uniform => ScanLengthChooser::Uniform(UniformGenerator::new(
                spec.scan_length_min,
                spec.scan_length_max,
            )),
            ScanLengthDistribution::Zipfian => ScanLengthChooser::Zipfian(
                ZipfianGenerator::with_range(spec.scan_length_min, spec.scan_length_max),
            ),
        };
        Self {
            spec: spec.clone(),
            shared,
            rng: Rng::seed_from_u64(seed),
            operations: OperationChooser::new(spec.operation_proportions()),
            keys,
            scan_lengths,
            field_names: spec.field_names(),
            redraw_fallback_count: 0,
            value_pool: Vec::new(),
        }
    }

    /// The state shared with the other threads' runners.
    pub fn shared(&self) -> &Arc<SharedState> {
        &self.shared
    }

    /// How often [`KEYNUM_REDRAW_ATTEMPTS_MAX`] redraws were not enough and a
    /// uniform keynum was used instead; 0 for any sensible spec. Worth a line
    /// in the report when it is not.
    #[allow(dead_code)] // Not yet shown by the driver; the tests check it.
    pub fn redraw_fallback_count(&self) -> u64 {
        self.redraw_fallback_count
    }

    /// The next operation. An [`Operation::Insert`] has taken a keynum from
    /// the shared counter and must be acknowledged.
    pub fn next_operation(&mut self) -> Operation {
        match self.operations.next(&mut self.rng) {
            OperationKind::Read => Operation::Read {
                key: self.next_key(),
            },
            OperationKind::Update => {
                let key = self.next_key();
                let (field, value) = self.random_field();
                Operation::Update { key, field, value }
            }
            OperationKind::Insert => {
                let keynum = self.shared.inserts.next();
                let (key, fields) = self.shared.load_record(keynum);
                Operation::Insert {
                    keynum,
                    key,
                    fields,
                }
            }
            OperationKind::Scan => {
                let start_key = self.next_key();
                let count = match &mut self.scan_lengths {
                    ScanLengthChooser::Uniform(generator) => generator.next(&mut self.rng),
                    ScanLengthChooser::Zipfian(generator) => generator
                        .next(&mut self.rng)
                        // Gray's formula can return max + 1 on a 2^-52 rounding edge.
                        .min(self.spec.scan_length_max),
                };
                Operation::Scan {
                    start_key,
                    // `validate` checked that `maxscanlength` fits a usize.
                    count: count as usize,
                }
            }
            OperationKind::ReadModifyWrite => {
                let key = self.next_key();
                let (field, value) = self.random_field();
                Operation::ReadModifyWrite { key, field, value }
            }
        }
    }

    fn next_key(&mut self) -> String {
        let keynum = self.next_keynum();
        self.spec.key_name(keynum)
    }

    /// YCSB's `nextKeynum`: a draw from the request distribution, redrawn
    /// while beyond the last acknowledged insert (for `exponential`, an
    /// offset back from it, redrawn while it reaches below keynum 0).
    fn next_keynum(&mut self) -> u64 {
        let rng = &mut self.rng;
        for _ in 0..KEYNUM_REDRAW_ATTEMPTS_MAX {
            let last = self.shared.inserts.last_value();
            let keynum = match &mut self.keys {
                KeyChooser::Uniform(generator) => generator.next(rng),
                KeyChooser::Zipfian(generator) => generator.next(rng),
                KeyChooser::Latest(generator) => generator.next(rng),
                KeyChooser::Hotspot(generator) => generator.next(rng),
                KeyChooser::Sequential(generator) => generator.next(rng),
                KeyChooser::Exponential(generator) => match last.checked_sub(generator.next(rng)) {
                    Some(keynum) => keynum,
                    None => continue,
                },
            };
            if keynum <= last {
                return keynum;
            }
        }
        self.redraw_fallback_count += 1;
        rng.below(self.shared.inserts.last_value() + 1)
    }

    /// One field chosen uniformly and a fresh value for it (YCSB's
    /// `buildSingleValue`).
    fn random_field(&mut self) -> (String, Vec<u8>) {
        let index = self.rng.below(self.field_names.len() as u64) as usize;
        (self.field_names[index].clone(), self.random_value())
    }

    /// A fresh value: `fieldlength` printable bytes from a random offset of
    /// the runner's pool of random printable bytes. Cheaper than drawing
    /// every byte (the harness must stay far faster than any engine), and
    /// still a different value each time.
    fn random_value(&mut self) -> Vec<u8> {
        let length = self.spec.field_length_bytes;
        if self.value_pool.len() < length + VALUE_POOL_BYTES {
            self.value_pool = vec![0; length + VALUE_POOL_BYTES];
            self.rng.fill_printable(&mut self.value_pool);
        }
        let offset = self.rng.below(VALUE_POOL_BYTES as u64) as usize;
        self.value_pool[offset..offset + length].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::workload::keys::build_key_name;

    fn runner(spec: &WorkloadSpec, seed: u64) -> WorkloadRunner {
        WorkloadRunner::new(spec, Arc::new(SharedState::new(spec)), seed)
    }

    /// Runs `operation_count` operations, acknowledging each insert at once
    /// as a driver would, and returns the count of each kind.
    fn operation_mix(
        runner: &mut WorkloadRunner,
        operation_count: u32,
    ) -> BTreeMap<OperationKind, u32> {
        let mut counts = BTreeMap::new();
        for _ in 0..operation_count {
            let operation = runner.next_operation();
            if let Operation::Insert { keynum, .. } = operation {
                runner.shared().acknowledge(keynum);
            }
            *counts.entry(operation.kind()).or_insert(0) += 1;
        }
        counts
    }

    /// ±1% absolute: with 200,000 operations the standard deviation of a
    /// proportion is at most sqrt(0.25 / 200,000) ≈ 0.0011, so 1% is 9σ.
    #[test]
    fn each_preset_operation_mix_matches_its_proportions() {
        let operation_count = 200_000;
        for name in ["a", "b", "c", "d", "e", "f"] {
            let mut spec = WorkloadSpec::preset(name).unwrap();
            spec.record_count = 10_000;
            spec.operation_count = u64::from(operation_count);
            let mut runner = runner(&spec, 17);
            let counts = operation_mix(&mut runner, operation_count);
            let proportions = spec.operation_proportions();
            let sum: f64 = proportions.iter().sum();
            for (kind, proportion) in OperationKind::ALL.into_iter().zip(proportions) {
                let share =
                    f64::from(counts.get(&kind).copied().unwrap_or(0)) / f64::from(operation_count);
                assert!(
                    (share - proportion / sum).abs() < 0.01,
                    "workload {name}: {kind} share {share:.4}, proportion {proportion}"
                );
            }
            assert_eq!(runner.redraw_fallback_count(), 0);
        }
    }

    #[test]
    fn operations_carry_ycsb_keys_fields_and_values() {
        let mut spec = WorkloadSpec::preset("a").unwrap();
        spec.record_count = 100;
        let mut runner = runner(&spec, 1);
        let keys: Vec<String> = (0..100)
            .map(|keynum| build_key_name(keynum, false, 1))
            .collect();
        for _ in 0..1000 {
            match runner.next_operation() {
                Operation::Read { key } => assert!(keys.contains(&key), "{key}"),
                Operation::Update { key, field, value } => {
                    assert!(keys.contains(&key), "{key}");
                    assert!(spec.field_names().contains(&field), "{field}");
                    assert_eq!(value.len(), 100);
                    assert!(
                        value
                            .iter()
                            .all(|byte| byte.is_ascii_graphic() || *byte == b' ')
                    );
                }
                other => panic!("workload A chose {other:?}"),
            }
        }
    }

    #[test]
    fn update_fields_are_uniform_over_field_count() {
        let mut spec = WorkloadSpec::preset("a").unwrap();
        spec.update_proportion = 1.0;
        spec.read_proportion = 0.0;
        let mut runner = runner(&spec, 2);
        let mut counts = BTreeMap::new();
        for _ in 0..100_000 {
            let Operation::Update { field, .. } = runner.next_operation() else {
                panic!("only updates");
            };
            *counts.entry(field).or_insert(0_u32) += 1;
        }
        assert_eq!(counts.len(), 10);
        // Each field expects 10,000 with standard deviation ≈ 95.
        assert!(
            counts
                .values()
                .all(|&count| (9_500..10_500).contains(&count)),
            "{counts:?}"
        );
    }

    #[test]
    fn inserts_continue_from_record_count_and_become_readable_when_acknowledged() {
        let mut spec = WorkloadSpec::preset("d").unwrap();
        spec.record_count = 50;
        let shared = Arc::new(SharedState::new(&spec));
        let mut runner = WorkloadRunner::new(&spec, Arc::clone(&shared), 3);
        let mut inserted = Vec::new();
        while inserted.len() < 3 {
            if let Operation::Insert {
                keynum,
                key,
                fields,
            } = runner.next_operation()
            {
                assert_eq!(key, spec.key_name(keynum));
                assert_eq!(fields.len(), 10);
                assert!(fields.iter().all(|(_, value)| value.len() == 100));
                inserted.push(keynum);
            }
        }
        assert_eq!(inserted, [50, 51, 52]);
        let unacknowledged: Vec<String> = inserted.iter().map(|&k| spec.key_name(k)).collect();
        for _ in 0..20_000 {
            if let Operation::Read { key } = runner.next_operation() {
                assert!(
                    !unacknowledged.contains(&key),
                    "read of an unacknowledged insert"
                );
            }
        }
        assert_eq!(shared.inserts.last_value(), 49);
        for keynum in inserted {
            shared.acknowledge(keynum);
        }
        let error = shared.inserts.acknowledge(52).unwrap_err().to_string();
        assert!(error.contains("twice"), "{error}");
        assert_eq!(shared.inserts.last_value(), 52);
        // Under `latest`, the newest acknowledged insert is now the hottest key.
        let mut reads_of_newest = 0;
        for _ in 0..20_000 {
            if let Operation::Read { key } = runner.next_operation() {
                reads_of_newest += u32::from(key == spec.key_name(52));
            }
        }
        assert!(reads_of_newest > 2_000, "{reads_of_newest}");
    }

    #[test]
    fn zipfian_keys_beyond_the_loaded_records_are_redrawn() {
        let mut spec = WorkloadSpec::preset("e").unwrap();
        spec.record_count = 1000;
        spec.operation_count = 100_000; // 10,000 expected new keys: a 11,001-keynum space.
        assert_eq!(spec.zipfian_item_count(), 11_001);
        let mut runner = runner(&spec, 4);
        let loaded: Vec<String> = (0..1000).map(|keynum| spec.key_name(keynum)).collect();
        for _ in 0..5000 {
            match runner.next_operation() {
                Operation::Scan { start_key, count } => {
                    assert!(loaded.contains(&start_key), "{start_key}");
                    assert!((1..=100).contains(&count), "{count}");
                }
                Operation::Insert { .. } => {} // Left unacknowledged on purpose.
                other => panic!("workload E chose {other:?}"),
            }
        }
        assert_eq!(runner.redraw_fallback_count(), 0);
    }

    #[test]
    fn load_records_cover_insert_start_range_with_every_field() {
        let spec =
            WorkloadSpec::from_properties_str("recordcount=100\ninsertstart=10\ninsertcount=20\n")
                .unwrap();
        let shared = SharedState::new(&spec);
        let records: Vec<_> = spec
            .load_keynums()
            .map(|keynum| shared.load_record(keynum))
            .collect();
        assert_eq!(records.len(), 20);
        assert_eq!(records[0].0, build_key_name(10, false, 1));
        let field_names: Vec<&str> = records[0].1.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(field_names, spec.field_names());
        assert!(records[0].1.iter().all(|(_, value)| value.len() == 100));
        assert_eq!(
            shared.load_record(10),
            records[0],
            "values depend on the keynum only"
        );
        assert_ne!(records[0].1[0].1, records[1].1[0].1);
    }

    #[test]
    fn request_distributions_stay_within_the_acknowledged_keys() {
        for distribution in [
            "uniform",
            "hotspot",
            "sequential",
            "exponential",
            "latest",
            "zipfian",
        ] {
            let spec = WorkloadSpec::from_properties_str(&format!(
                "recordcount=500\nrequestdistribution={distribution}\nreadproportion=1\nupdateproportion=0\n"
            ))
            .unwrap();
            let mut runner = runner(&spec, 6);
            let keys: Vec<String> = (0..500).map(|keynum| spec.key_name(keynum)).collect();
            let mut distinct = std::collections::BTreeSet::new();
            for _ in 0..5000 {
                let Operation::Read { key } = runner.next_operation() else {
                    panic!("only reads");
                };
                assert!(keys.contains(&key), "{distribution}: {key}");
                distinct.insert(key);
            }
            assert!(
                distinct.len() > 50,
                "{distribution}: {} distinct keys",
                distinct.len()
            );
        }
    }

    #[test]
    fn same_seed_gives_same_operations() {
        let spec = WorkloadSpec::preset("b").unwrap();
        let mut first = runner(&spec, 99);
        let mut second = runner(&spec, 99);
        for _ in 0..100 {
            assert_eq!(first.next_operation(), second.next_operation());
        }
    }

    #[test]
    #[should_panic(expected = "invalid workload spec")]
    fn runner_rejects_a_spec_that_fails_validation() {
        let mut spec = WorkloadSpec::preset("a").unwrap();
        let shared = Arc::new(SharedState::new(&spec));
        spec.read_proportion = 0.0;
        spec.update_proportion = 0.0;
        WorkloadRunner::new(&spec, shared, 0);
    }
}
