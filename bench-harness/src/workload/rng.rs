//! [`Rng`]: the harness's seeded pseudo-random number generator.
//!
//! xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64. One
//! instance per client thread, never shared: the same seed gives the same
//! sequence, so a workload can be replayed draw for draw. Not for
//! cryptography. YCSB uses `java.util.Random` and `ThreadLocalRandom`; only
//! the distributions built on top must agree with YCSB's, not the streams.

/// A fast seeded PRNG (xoshiro256**); see the module docs.
#[derive(Debug, Clone)]
pub struct Rng {
    state: [u64; 4],
}

/// One step of splitmix64, which turns any seed (even 0) into well-mixed
/// state words; xoshiro's authors recommend it for seeding.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator whose whole sequence is determined by `seed`. Nearby
    /// seeds (thread 0, 1, 2 …) give unrelated sequences.
    pub fn seed_from_u64(seed: u64) -> Self {
        let mut mix = seed;
        let state = [
            splitmix64(&mut mix),
            splitmix64(&mut mix),
            splitmix64(&mut mix),
            splitmix64(&mut mix),
        ];
        // splitmix64 is a bijection of its counter, so four consecutive
        // outputs are never all zero, the one state xoshiro cannot leave.
        debug_assert!(state.iter().any(|&word| word != 0));
        Self { state }
    }

    /// The next 64 uniformly distributed bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.state;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= t;
        *s3 = s3.rotate_left(45);
        result
    }

    /// A uniform double in [0, 1) with 53 random bits, like Java's
    /// `Random.nextDouble`.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / (1_u64 << 53) as f64;
        (self.next_u64() >> 11) as f64 * SCALE
    }

    /// A uniform integer in `0..bound`, without modulo bias (Lemire's
    /// multiply-and-reject).
    ///
    /// # Panics
    /// If `bound` is 0: an empty range is the caller's mistake.
    #[inline]
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "Rng::below(0): empty range");
        let mut product = u128::from(self.next_u64()) * u128::from(bound);
        let mut low = product as u64;
        if low < bound {
            // Reject the few low words that would over-represent some results.
            let threshold = bound.wrapping_neg() % bound;
            while low < threshold {
                product = u128::from(self.next_u64()) * u128::from(bound);
                low = product as u64;
            }
        }
        (product >> 64) as u64
    }

    /// Fills `buffer` with printable ASCII (`' '` to `'_'`, 64 symbols, six
    /// random bits per byte). YCSB's `RandomByteIterator` likewise writes
    /// random printable bytes; the exact alphabet does not matter to a
    /// store, only that values are incompressible-ish text of the right size.
    pub fn fill_printable(&mut self, buffer: &mut [u8]) {
        for chunk in buffer.chunks_mut(8) {
            let bits = self.next_u64().to_le_bytes();
            for (byte, random) in chunk.iter_mut().zip(bits) {
                *byte = b' ' + (random & 63);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_sequence_and_different_seeds_differ() {
        let mut a = Rng::seed_from_u64(42);
        let mut b = Rng::seed_from_u64(42);
        let mut c = Rng::seed_from_u64(43);
        let a_words: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let b_words: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let c_words: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(a_words, b_words);
        assert_ne!(a_words, c_words);
    }

    #[test]
    fn next_f64_stays_in_unit_interval_with_mean_one_half() {
        let mut rng = Rng::seed_from_u64(7);
        let draw_count = 1_000_000;
        let mut sum = 0.0;
        for _ in 0..draw_count {
            let u = rng.next_f64();
            assert!((0.0..1.0).contains(&u));
            sum += u;
        }
        // The mean of n uniforms has standard deviation 1/sqrt(12 n) ≈ 0.00029.
        let mean = sum / f64::from(draw_count);
        assert!((mean - 0.5).abs() < 0.002, "mean {mean}");
    }

    #[test]
    fn below_covers_the_range_evenly() {
        let mut rng = Rng::seed_from_u64(9);
        let mut counts = [0_u32; 7];
        for _ in 0..700_000 {
            counts[rng.below(7) as usize] += 1;
        }
        // Each bucket expects 100,000 with standard deviation ≈ 293.
        for count in counts {
            assert!((98_500..101_500).contains(&count), "{counts:?}");
        }
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn fill_printable_writes_only_printable_ascii() {
        let mut rng = Rng::seed_from_u64(1);
        let mut buffer = vec![0_u8; 1001];
        rng.fill_printable(&mut buffer);
        assert!(buffer.iter().all(|byte| (b' '..=b'_').contains(byte)));
    }
}
