//! YCSB's number generators: which keynum, which field, how long a scan.
//!
//! Each generator is a small struct with `next(&mut self, rng) -> u64`,
//! owned by one client thread together with that thread's [`Rng`]; the only
//! shared state is behind an `Arc` (the [`AcknowledgedCounter`] read by
//! [`SkewedLatestGenerator`], the position of [`SequentialGenerator`]).
//! Semantics follow `site.ycsb.generator.*` in brianfrankcooper/YCSB,
//! including its quirks where they shape the distribution; each deviation is
//! named where it is made. The popularity tests at the bottom check the
//! figures in `/work/shared/YCSB.md`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::counter::AcknowledgedCounter;
use super::keys::fnvhash64;
use super::rng::Rng;

/// YCSB's Zipf exponent θ (`ZipfianGenerator.ZIPFIAN_CONSTANT`).
pub const ZIPFIAN_CONSTANT: f64 = 0.99;

/// The largest rank of the Zipf draw behind [`ScrambledZipfianGenerator`]:
/// 10^10, YCSB's `ScrambledZipfianGenerator.ITEM_COUNT`. YCSB constructs the
/// inner generator over `0..=ITEM_COUNT`, so it has 10^10 + 1 ranks.
pub const SCRAMBLED_ZIPFIAN_RANK_MAX: u64 = 10_000_000_000;

/// zeta(10^10, 0.99), precomputed by YCSB (`ScrambledZipfianGenerator.ZETAN`)
/// because summing 10^10 terms takes minutes.
pub const SCRAMBLED_ZIPFIAN_ZETA: f64 = 26.469_028_201_783_02;

/// zeta(n, θ) = Σ_{i=1..n} 1/i^θ, summed in YCSB's order (smallest i first)
/// so the last bits agree with YCSB's `zetastatic`. Costs n `powf` calls
/// (about 20 ms per million).
pub fn zeta(item_count: u64, theta: f64) -> f64 {
    zeta_extend(0, item_count, theta, 0.0)
}

/// Extends `partial_sum` = zeta(`from_count`, θ) to zeta(`to_count`, θ), YCSB's
/// incremental update when the item count grows.
pub fn zeta_extend(from_count: u64, to_count: u64, theta: f64, partial_sum: f64) -> f64 {
    let mut sum = partial_sum;
    for i in from_count..to_count {
        sum += 1.0 / ((i + 1) as f64).powf(theta);
    }
    sum
}

/// Gray et al.'s η for `item_count` items ("Quickly Generating
/// Billion-Record Synthetic Databases", SIGMOD 1994).
fn zipfian_eta(item_count: u64, theta: f64, zeta_2_theta: f64, zeta_n: f64) -> f64 {
    (1.0 - (2.0 / item_count as f64).powf(1.0 - theta)) / (1.0 - zeta_2_theta / zeta_n)
}

/// A Zipf(θ) draw over `base .. base + item_count`: `base` is the most
/// popular value, `base + 1` the next, and so on (YCSB's
/// `ZipfianGenerator`, Gray et al.'s method).
///
/// [`Self::next_for_item_count`] may be called with a growing item count;
/// zeta is then extended incrementally, as YCSB does. A shrinking count is
/// drawn against the larger zeta without recomputation, YCSB's default
/// (`allowitemcountdecrease = false`).
#[derive(Debug, Clone)]
pub struct ZipfianGenerator {
    base: u64,
    /// The item count given at construction. YCSB keeps using it for η even
    /// after the count grows (a quirk kept here: it changes η by a hair).
    item_count: u64,
    theta: f64,
    alpha: f64,
    zeta_n: f64,
    eta: f64,
    zeta_2_theta: f64,
    /// 1 + 0.5^θ: the cumulative weight of the two most popular items.
    second_item_threshold: f64,
    /// The item count `zeta_n` was summed over.
    count_for_zeta: u64,
}

impl ZipfianGenerator {
    /// Zipf(0.99) over `0..item_count`. Sums zeta over `item_count` terms.
    pub fn new(item_count: u64) -> Self {
        Self::with_zeta(
            0,
            item_count,
            ZIPFIAN_CONSTANT,
            zeta(item_count, ZIPFIAN_CONSTANT),
        )
    }

    /// Zipf(0.99) over `min..=max` (YCSB's `ZipfianGenerator(min, max)`).
    ///
    /// # Panics
    /// If `min > max`.
    pub fn with_range(min: u64, max: u64) -> Self {
        assert!(min <= max, "ZipfianGenerator range {min}..={max} is empty");
        let mut generator = Self::new(max - min + 1);
        generator.base = min;
        generator
    }

    /// Zipf(`theta`) over `base .. base + item_count` with a precomputed
    /// `zeta_n` = zeta(`item_count`, `theta`). With `item_count` 0 every draw
    /// returns `base` (YCSB's behaviour; η is then NaN and unused).
    pub fn with_zeta(base: u64, item_count: u64, theta: f64, zeta_n: f64) -> Self {
        let zeta_2_theta = zeta(2, theta);
        Self {
            base,
            item_count,
            theta,
            alpha: 1.0 / (1.0 - theta),
            zeta_n,
            eta: zipfian_eta(item_count, theta, zeta_2_theta, zeta_n),
            zeta_2_theta,
            second_item_threshold: 1.0 + 0.5_f64.powf(theta),
            count_for_zeta: item_count,
        }
    }

    /// A draw over the construction-time item count.
    #[inline]
    pub fn next(&mut self, rng: &mut Rng) -> u64 {
        self.next_for_item_count(self.item_count, rng)
    }

    /// A draw over `base .. base + item_count`, extending zeta first if
    /// `item_count` grew. Like YCSB, the result can equal `base + item_count`
    /// when `u` rounds the Gray formula to exactly 1 (probability about
    /// 2^-52 per draw); callers that index by it must tolerate that.
    pub fn next_for_item_count(&mut self, item_count: u64, rng: &mut Rng) -> u64 {
        if item_count > self.count_for_zeta {
            self.zeta_n = zeta_extend(self.count_for_zeta, item_count, self.theta, self.zeta_n);
            self.count_for_zeta = item_count;
            self.eta = zipfian_eta(self.item_count, self.theta, self.zeta_2_theta, self.zeta_n);
        }
        let u = rng.next_f64();
        let uz = u * self.zeta_n;
        if uz < 1.0 {
            return self.base;
        }
        if uz < self.second_item_threshold {
            return self.base + 1;
        }
        // `as u64` saturates and maps NaN to 0, as Java's `(long)` cast does.
        let offset = (item_count as f64 * (self.eta * u - self.eta + 1.0).powf(self.alpha)) as u64;
        self.base + offset
    }
}

/// YCSB's "zipfian" request distribution: a Zipf(0.99) rank over 10^10 + 1
/// ranks, hashed with [`fnvhash64`] and folded into `min..=max`, so the
/// popular keynums are scattered over the key space instead of clustered
/// at `min`. Several ranks fold onto each keynum, which flattens the head:
/// the hottest of 1 M keys gets 3.78%, not plain Zipf's 6.49%.
#[derive(Debug, Clone)]
pub struct ScrambledZipfianGenerator {
    ranks: ZipfianGenerator,
    min: u64,
    item_count: u64,
}

impl ScrambledZipfianGenerator {
    /// Keynums in `min..=max` (YCSB's `ScrambledZipfianGenerator(min, max)`).
    /// Cheap: zeta is YCSB's precomputed constant.
    ///
    /// # Panics
    /// If `min > max` or the range exceeds `i64::MAX` items.
    pub fn new(min: u64, max: u64) -> Self {
        assert!(
            min <= max,
            "ScrambledZipfianGenerator range {min}..={max} is empty"
        );
        let item_count = max - min + 1;
        assert!(
            i64::try_from(item_count).is_ok(),
            "item count {item_count} exceeds i64"
        );
        Self {
            ranks: ZipfianGenerator::with_zeta(
                0,
                SCRAMBLED_ZIPFIAN_RANK_MAX + 1,
                ZIPFIAN_CONSTANT,
                SCRAMBLED_ZIPFIAN_ZETA,
            ),
            min,
            item_count,
        }
    }

    /// A keynum in `min..=max`.
    #[inline]
    pub fn next(&mut self, rng: &mut Rng) -> u64 {
        let rank = self.ranks.next(rng);
        let hash = fnvhash64(rank as i64);
        // Java's `%` keeps the sign of a negative hash (only `i64::MIN`, from
        // `Math.abs`), which would give a keynum below `min`; `rem_euclid`
        // agrees with Java for every non-negative hash and stays in range.
        let folded = hash.rem_euclid(self.item_count as i64) as u64;
        self.min + folded
    }
}

/// YCSB's "latest" request distribution: the newest acknowledged insert is
/// the most popular keynum, the one before it next, by a Zipf(0.99) over the
/// keynums acknowledged so far (`SkewedLatestGenerator`).
///
/// Keynum 0 is never drawn: the Zipf offset is taken over `last` items
/// `0..last`, so `last - offset` lies in `1..=last` (YCSB's off-by-one).
#[derive(Debug, Clone)]
pub struct SkewedLatestGenerator {
    inserted: Arc<AcknowledgedCounter>,
    offsets: ZipfianGenerator,
}

impl SkewedLatestGenerator {
    /// Skews toward `inserted.last_value()`. `item_count` must be the
    /// counter's `last_value()` when the workload started (YCSB builds this
    /// generator once, before any insert) and `zeta_n` zeta(`item_count`,
    /// 0.99), summed once for all threads.
    pub fn with_zeta(inserted: Arc<AcknowledgedCounter>, item_count: u64, zeta_n: f64) -> Self {
        Self {
            inserted,
            offsets: ZipfianGenerator::with_zeta(0, item_count, ZIPFIAN_CONSTANT, zeta_n),
        }
    }

    /// A keynum in `1..=last_value()`, most likely `last_value()`.
    #[inline]
    pub fn next(&mut self, rng: &mut Rng) -> u64 {
        let last = self.inserted.last_value();
        let offset = self.offsets.next_for_item_count(last, rng);
        last.saturating_sub(offset)
    }
}

/// A uniform keynum in `min..=max` (YCSB's `UniformLongGenerator`).
#[derive(Debug, Clone)]
pub struct UniformGenerator {
    min: u64,
    item_count: u64,
}

impl UniformGenerator {
    /// # Panics
    /// If `min > max` or the range is all of `u64`.
    pub fn new(min: u64, max: u64) -> Self {
        assert!(min <= max, "UniformGenerator range {min}..={max} is empty");
        let item_count = (max - min)
            .checked_add(1)
            .expect("UniformGenerator range covers all of u64");
        Self { min, item_count }
    }

    /// A value in `min..=max`, each equally likely.
    #[inline]
    pub fn next(&mut self, rng: &mut Rng) -> u64 {
        self.min + rng.below(self.item_count)
    }
}

/// YCSB's `HotspotIntegerGenerator`: the lowest `data_fraction` of
/// `min..=max` (the hot set) gets `operation_fraction` of the draws, each
/// set drawn uniformly.
#[derive(Debug, Clone)]
pub struct HotspotGenerator {
    min: u64,
    hot_count: u64,
    cold_count: u64,
    operation_fraction: f64,
}

impl HotspotGenerator {
    /// The hot set is the first `floor(item_count × data_fraction)` values,
    /// as in YCSB.
    ///
    /// # Panics
    /// If `min > max` or a fraction lies outside [0, 1] (YCSB silently
    /// replaces a bad fraction by 0; the spec's validation rejects it).
    pub fn new(min: u64, max: u64, data_fraction: f64, operation_fraction: f64) -> Self {
        assert!(min <= max, "HotspotGenerator range {min}..={max} is empty");
        assert!(
            (0.0..=1.0).contains(&data_fraction),
            "hotspot data fraction {data_fraction}"
        );
        assert!(
            (0.0..=1.0).contains(&operation_fraction),
            "hotspot operation fraction {operation_fraction}"
        );
        let item_count = max - min + 1;
        let hot_count = (item_count as f64 * data_fraction) as u64;
        Self {
            min,
            hot_count,
            cold_count: item_count - hot_count,
            operation_fraction,
        }
    }

    /// A value from the hot set with probability `operation_fraction`, else
    /// from the cold set. When one set is empty (YCSB divides by zero there)
    /// the other is used.
    #[inline]
    pub fn next(&mut self, rng: &mut Rng) -> u64 {
        let hot = rng.next_f64() < self.operation_fraction;
        if (hot && self.hot_count > 0) || self.cold_count == 0 {
            self.min + rng.below(self.hot_count)
        } else {
            self.min + self.hot_count + rng.below(self.cold_count)
        }
    }
}

/// YCSB's `SequentialGenerator`: `min, min + 1, …, max, min, …`, one
/// sequence shared by every thread holding a clone of the position.
#[derive(Debug, Clone)]
pub struct SequentialGenerator {
    min: u64,
    item_count: u64,
    position: Arc<AtomicU64>,
}

impl SequentialGenerator {
    /// `position` counts draws across all threads; share one `Arc` so the
    /// threads walk one sequence between them, as YCSB's single generator does.
    ///
    /// # Panics
    /// If `min > max`.
    pub fn new(min: u64, max: u64, position: Arc<AtomicU64>) -> Self {
        assert!(
            min <= max,
            "SequentialGenerator range {min}..={max} is empty"
        );
        Self {
            min,
            item_count: max - min + 1,
            position,
        }
    }

    /// The next value of the shared sequence (the `rng` is unused; the
    /// signature matches the other generators).
    #[inline]
    pub fn next(&mut self, _rng: &mut Rng) -> u64 {
        self.min + self.position.fetch_add(1, Ordering::Relaxed) % self.item_count
    }
}

/// YCSB's `ExponentialGenerator`: exponentially distributed offsets,
/// `percentile`% of them below `range`. The chooser subtracts them from the
/// newest acknowledged keynum, so recent keys are hot.
#[derive(Debug, Clone)]
pub struct ExponentialGenerator {
    gamma: f64,
}

impl ExponentialGenerator {
    /// γ = −ln(1 − percentile/100) / range, as YCSB computes it.
    ///
    /// # Panics
    /// If `percentile` is not in (0, 100) or `range` is not positive.
    pub fn new(percentile: f64, range: f64) -> Self {
        assert!(
            percentile > 0.0 && percentile < 100.0,
            "exponential percentile {percentile}"
        );
        assert!(range > 0.0, "exponential range {range}");
        Self {
            gamma: -(1.0 - percentile / 100.0).ln() / range,
        }
    }

    /// An offset ≥ 0, rounded down; huge draws saturate at `u64::MAX`.
    #[inline]
    pub fn next(&mut self, rng: &mut Rng) -> u64 {
        // 1 − u lies in (0, 1], so the logarithm is finite, where YCSB's
        // `-log(u)` is infinite for u = 0 (and then redrawn by its caller).
        let u = 1.0 - rng.next_f64();
        (-u.ln() / self.gamma) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How concentrated a set of draws is, as in YCSB.md's popularity table.
    #[derive(Debug)]
    struct Popularity {
        hottest_share: f64,
        top_10_share: f64,
        top_100_share: f64,
        top_1000_share: f64,
        top_1_percent_share: f64,
        top_10_percent_share: f64,
        distinct_keys_hit: usize,
    }

    fn popularity(mut counts: Vec<u32>, draw_count: u64) -> Popularity {
        let item_count = counts.len();
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let share = |top: usize| {
            counts[..top]
                .iter()
                .map(|&count| u64::from(count))
                .sum::<u64>() as f64
                / draw_count as f64
        };
        Popularity {
            hottest_share: share(1),
            top_10_share: share(10),
            top_100_share: share(100),
            top_1000_share: share(1000),
            top_1_percent_share: share(item_count / 100),
            top_10_percent_share: share(item_count / 10),
            distinct_keys_hit: counts.iter().filter(|&&count| count > 0).count(),
        }
    }

    fn assert_relative(name: &str, actual: f64, expected: f64, tolerance: f64) {
        let error = (actual - expected).abs() / expected;
        assert!(
            error <= tolerance,
            "{name}: {actual:.5} vs expected {expected:.5} (relative error {error:.4} > {tolerance})"
        );
    }

    const RECORD_COUNT: u64 = 1_000_000;

    /// YCSB.md's table was made with 10 M draws; the distinct-keys figure
    /// depends on the draw count, so we draw as many.
    const DRAW_COUNT: u64 = 10_000_000;

    #[test]
    fn zeta_of_one_million_matches_ycsb() {
        let value = zeta(1_000_000, ZIPFIAN_CONSTANT);
        assert!((value - 15.391_849_746_037_371).abs() < 1e-9, "{value}");
    }

    #[test]
    fn incremental_zeta_equals_zeta_from_scratch() {
        let partial = zeta(1000, ZIPFIAN_CONSTANT);
        let extended = zeta_extend(1000, 5000, ZIPFIAN_CONSTANT, partial);
        assert_eq!(extended, zeta(5000, ZIPFIAN_CONSTANT));
    }

    #[test]
    fn scrambled_zipfian_zeta_constant_is_zeta_of_ten_billion_ranks() {
        // Σ_{i>n} i^-θ ≈ ∫_{n+½}^{N+½} x^-θ dx with an error below 1e-12 for
        // n = 10^6, so zeta(10^10) follows from zeta(10^6) without summing 10^10
        // terms. This pins YCSB's constant to 10^10 ranks (zeta(10^16) ≈ 45.1).
        let theta = ZIPFIAN_CONSTANT;
        let n = 1_000_000_f64;
        let big_n = SCRAMBLED_ZIPFIAN_RANK_MAX as f64;
        let integral =
            ((big_n + 0.5).powf(1.0 - theta) - (n + 0.5).powf(1.0 - theta)) / (1.0 - theta);
        let estimate = zeta(1_000_000, theta) + integral;
        assert!(
            (estimate - SCRAMBLED_ZIPFIAN_ZETA).abs() < 1e-6,
            "{estimate}"
        );
    }

    /// YCSB.md's figures are those of YCSB's chooser for a read-only
    /// workload over 1 M records: a scrambled zipfian over `recordcount + 1`
    /// keynums (the `+ 1` of `WorkloadSpec::zipfian_item_count`), keynum
    /// 1,000,000 redrawn. The `+ 1` matters: folding by exactly 10^6
    /// (= 2^6 × 5^6) hits about 1,000 fewer distinct keys, because FNV-1a's
    /// low output bits depend only on the low bits of the input bytes.
    ///
    /// Tolerances: ±1% relative for the shares, ±0.1% for distinct keys.
    /// Across seeds the shares vary by under 0.3% relative and distinct keys
    /// by about ±150 (0.015%): at 10 M draws even the hottest key's count
    /// (≈ 378,000) has a relative standard deviation of 0.16%. The rest of
    /// the margin covers the table's three-digit rounding; a wrong constant
    /// (10^16 ranks, no `+ 1`) moves a figure by more than the margin.
    #[test]
    fn scrambled_zipfian_popularity_matches_ycsb_table() {
        let item_count = RECORD_COUNT + 1;
        let mut generator = ScrambledZipfianGenerator::new(0, item_count - 1);
        let mut rng = Rng::seed_from_u64(0x5eed_0001);
        let mut counts = vec![0_u32; RECORD_COUNT as usize];
        let mut drawn = 0;
        while drawn < DRAW_COUNT {
            let keynum = generator.next(&mut rng);
            if keynum < RECORD_COUNT {
                counts[keynum as usize] += 1;
                drawn += 1;
            }
        }
        let popularity = popularity(counts, DRAW_COUNT);
        println!("scrambled zipfian over 1 M, 10 M draws: {popularity:?}");
        assert_relative("hottest", popularity.hottest_share, 0.0378, 0.01);
        assert_relative("top 10", popularity.top_10_share, 0.118, 0.01);
        assert_relative("top 100", popularity.top_100_share, 0.208, 0.01);
        assert_relative("top 1000", popularity.top_1000_share, 0.300, 0.01);
        assert_relative("top 1%", popularity.top_1_percent_share, 0.401, 0.01);
        assert_relative("top 10%", popularity.top_10_percent_share, 0.554, 0.01);
        assert_relative(
            "distinct",
            popularity.distinct_keys_hit as f64,
            991_577.0,
            0.001,
        );
    }

    /// Same tolerances and reasons as the scrambled test, except distinct
    /// keys: ±0.2%, because plain Zipf's many keys hit about once make the
    /// count vary more between seeds (about ±400, 0.05%).
    #[test]
    fn plain_zipfian_popularity_matches_ycsb_table() {
        let mut generator = ZipfianGenerator::new(RECORD_COUNT);
        let mut rng = Rng::seed_from_u64(0x5eed_0002);
        let mut counts = vec![0_u32; RECORD_COUNT as usize];
        for _ in 0..DRAW_COUNT {
            // A draw of exactly `item_count` (probability ~2^-52) folds onto the last.
            let keynum = generator.next(&mut rng).min(RECORD_COUNT - 1);
            counts[keynum as usize] += 1;
        }
        let popularity = popularity(counts, DRAW_COUNT);
        println!("plain zipfian over 1 M, 10 M draws: {popularity:?}");
        assert_relative("hottest", popularity.hottest_share, 0.0649, 0.01);
        assert_relative("top 10", popularity.top_10_share, 0.202, 0.01);
        assert_relative("top 100", popularity.top_100_share, 0.354, 0.01);
        assert_relative("top 1%", popularity.top_1_percent_share, 0.670, 0.01);
        assert_relative(
            "distinct",
            popularity.distinct_keys_hit as f64,
            775_723.0,
            0.002,
        );
    }

    #[test]
    fn plain_zipfian_ranks_are_in_popularity_order() {
        let mut generator = ZipfianGenerator::new(1000);
        let mut rng = Rng::seed_from_u64(3);
        let mut counts = vec![0_u32; 1001];
        for _ in 0..200_000 {
            counts[generator.next(&mut rng) as usize] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[2] && counts[2] > counts[10]);
        // P(item 0) = 1 / zeta(1000, 0.99) ≈ 0.1344 exactly for Gray's method.
        let expected = 1.0 / zeta(1000, ZIPFIAN_CONSTANT);
        assert_relative("item 0", f64::from(counts[0]) / 200_000.0, expected, 0.02);
    }

    #[test]
    fn zipfian_with_range_stays_in_range() {
        // The scan-length distribution of a zipfian `scanlengthdistribution`.
        let mut generator = ZipfianGenerator::with_range(1, 100);
        let mut rng = Rng::seed_from_u64(4);
        let mut ones = 0;
        for _ in 0..100_000 {
            let length = generator.next(&mut rng);
            // `max + 1` is possible only on the ~2^-52 rounding edge.
            assert!((1..=100).contains(&length), "{length}");
            ones += u32::from(length == 1);
        }
        assert!(ones > 15_000, "1 is the most popular scan length: {ones}");
    }

    #[test]
    fn growing_item_count_extends_zeta_incrementally() {
        let mut grown = ZipfianGenerator::new(1000);
        let mut rng = Rng::seed_from_u64(5);
        grown.next_for_item_count(3000, &mut rng);
        assert_eq!(grown.count_for_zeta, 3000);
        assert_eq!(grown.zeta_n, zeta(3000, ZIPFIAN_CONSTANT));
        // A smaller count afterwards keeps the larger zeta (YCSB's default).
        grown.next_for_item_count(2000, &mut rng);
        assert_eq!(grown.count_for_zeta, 3000);
    }

    #[test]
    fn uniform_is_flat() {
        let bucket_count = 100;
        let draw_count = 1_000_000;
        let mut generator = UniformGenerator::new(0, RECORD_COUNT - 1);
        let mut rng = Rng::seed_from_u64(6);
        let mut buckets = vec![0_u64; bucket_count];
        for _ in 0..draw_count {
            let keynum = generator.next(&mut rng);
            buckets[(keynum * bucket_count as u64 / RECORD_COUNT) as usize] += 1;
        }
        // Chi-square with 99 degrees of freedom: mean 99, and 160 is beyond
        // its 99.99th percentile (≈ 158), so a fair generator fails 1 in 10^4.
        let expected = (draw_count / bucket_count as u64) as f64;
        let chi_square: f64 = buckets
            .iter()
            .map(|&count| (count as f64 - expected).powi(2) / expected)
            .sum();
        assert!(
            chi_square < 160.0,
            "chi-square {chi_square} over {buckets:?}"
        );
    }

    #[test]
    fn hotspot_sends_eighty_percent_of_draws_to_the_lowest_fifth() {
        let mut generator = HotspotGenerator::new(0, RECORD_COUNT - 1, 0.2, 0.8);
        let mut rng = Rng::seed_from_u64(7);
        let draw_count = 1_000_000;
        let mut hot = 0;
        for _ in 0..draw_count {
            let keynum = generator.next(&mut rng);
            assert!(keynum < RECORD_COUNT);
            hot += u32::from(keynum < RECORD_COUNT / 5);
        }
        // Binomial standard deviation sqrt(0.16 / 10^6) = 0.0004; ±1% is 25σ.
        let share = f64::from(hot) / f64::from(draw_count);
        assert!((share - 0.8).abs() < 0.01, "hot share {share}");
    }

    #[test]
    fn hotspot_with_an_empty_set_uses_the_other() {
        let mut rng = Rng::seed_from_u64(8);
        let mut all_hot = HotspotGenerator::new(10, 19, 1.0, 0.5);
        let mut no_hot = HotspotGenerator::new(10, 19, 0.0, 0.5);
        for _ in 0..1000 {
            assert!((10..20).contains(&all_hot.next(&mut rng)));
            assert!((10..20).contains(&no_hot.next(&mut rng)));
        }
    }

    #[test]
    fn latest_most_popular_key_is_the_newest_acknowledged_insert() {
        let record_count = 1000;
        let inserted = Arc::new(AcknowledgedCounter::new(record_count));
        let mut generator = SkewedLatestGenerator::with_zeta(
            Arc::clone(&inserted),
            record_count - 1,
            zeta(record_count - 1, ZIPFIAN_CONSTANT),
        );
        let mut rng = Rng::seed_from_u64(9);
        let most_popular = |generator: &mut SkewedLatestGenerator, rng: &mut Rng, end: u64| {
            let mut counts = vec![0_u32; end as usize];
            for _ in 0..100_000 {
                counts[generator.next(rng) as usize] += 1;
            }
            assert_eq!(counts[0], 0, "keynum 0 is never drawn (YCSB's off-by-one)");
            let best = (0..end as usize)
                .max_by_key(|&keynum| counts[keynum])
                .unwrap();
            (best as u64, counts)
        };
        let (best, counts) = most_popular(&mut generator, &mut rng, record_count);
        assert_eq!(best, record_count - 1);
        assert!(counts[998] > counts[997] && counts[997] > counts[900]);

        // Ten inserts handed out; the newest acknowledged one takes over only
        // once every earlier one is acknowledged.
        let keynums: Vec<u64> = (0..10).map(|_| inserted.next()).collect();
        for &keynum in &keynums[1..] {
            inserted.acknowledge(keynum).unwrap();
        }
        let (best, _) = most_popular(&mut generator, &mut rng, record_count + 10);
        assert_eq!(best, record_count - 1, "keynum 1000 is still in flight");
        inserted.acknowledge(keynums[0]).unwrap();
        let (best, counts) = most_popular(&mut generator, &mut rng, record_count + 10);
        assert_eq!(best, record_count + 9);
        assert!(counts[(record_count + 9) as usize] > counts[(record_count + 8) as usize]);
    }

    #[test]
    fn sequential_threads_share_one_sequence() {
        let position = Arc::new(AtomicU64::new(0));
        let mut first = SequentialGenerator::new(5, 7, Arc::clone(&position));
        let mut second = SequentialGenerator::new(5, 7, position);
        let mut rng = Rng::seed_from_u64(10);
        let drawn: Vec<u64> = (0..4)
            .flat_map(|_| [first.next(&mut rng), second.next(&mut rng)])
            .collect();
        assert_eq!(drawn, [5, 6, 7, 5, 6, 7, 5, 6]);
    }

    #[test]
    fn exponential_puts_the_percentile_below_the_range() {
        let mut generator = ExponentialGenerator::new(95.0, 1000.0);
        let mut rng = Rng::seed_from_u64(11);
        let draw_count = 200_000;
        let below = (0..draw_count)
            .filter(|_| generator.next(&mut rng) < 1000)
            .count();
        let share = below as f64 / f64::from(draw_count);
        assert!((share - 0.95).abs() < 0.005, "share below range {share}");
    }
}
