//! The per-table bloom filter over user keys: [`BloomBuilder`] on the write
//! side, [`BloomFilter`] on the read side.
//!
//! A point lookup probes the filter first and skips the table when the user
//! key is certainly absent. Hashing: one XXH3-64 of the user key, split into
//! two 32-bit halves `h1` (low) and `h2` (high) for double hashing
//! (Kirsch–Mitzenmacher): probe `i` tests bit `((h1 + i·h2) mod 2³²) · m >> 32`
//! for `i` in `0..k`, where `m` is the number of bits (Lemire's multiply-shift
//! maps a 32-bit value onto `0..m` without a division). Bit `b` is bit
//! `b % 8` (least significant first) of byte `b / 8`. Layout and the false-
//! positive estimate: `docs/format/sstable.md`, "Filter block".
//!
//! Invariants: a key added to the builder always probes true (no false
//! negatives); `1 <= k <= 30`; `64 <= m <= 2³²` and `m` is a multiple of 8.
//! The reader rejects filter blocks that break the last two.

use bytes::Bytes;

use crate::coding::DecodeError;

/// Fewest probes per key.
pub const PROBE_COUNT_MIN: u8 = 1;
/// Most probes per key: beyond this a lookup costs more than it saves.
pub const PROBE_COUNT_MAX: u8 = 30;
/// Fewest bits in a filter, so that tiny tables still get a useful one.
pub const FILTER_BITS_MIN: u64 = 64;
/// Most bits in a filter: the multiply-shift reduction maps 32-bit hashes.
pub const FILTER_BITS_MAX: u64 = 1 << 32;
/// Size of the probe-count byte at the end of the filter block.
pub const PROBE_COUNT_BYTES: usize = 1;

/// The number of probes for `bits_per_key`: `round(bits_per_key · ln 2)`,
/// the count that minimises the false-positive rate, clamped to
/// `PROBE_COUNT_MIN..=PROBE_COUNT_MAX`.
pub fn probe_count(bits_per_key: usize) -> u8 {
    let ideal = (bits_per_key as f64 * std::f64::consts::LN_2).round();
    ideal.clamp(f64::from(PROBE_COUNT_MIN), f64::from(PROBE_COUNT_MAX)) as u8
}

/// The theoretical false-positive rate `(1 - e^(-k·n/m))^k` of a filter of
/// `bit_count` bits holding `key_count` keys with `probe_count` probes.
pub fn theoretical_false_positive_rate(key_count: u64, bit_count: u64, probe_count: u8) -> f64 {
    let k = f64::from(probe_count);
    (1.0 - (-k * key_count as f64 / bit_count as f64).exp()).powf(k)
}

/// The hash of a user key, as stored by [`BloomBuilder`].
pub fn key_hash(user_key: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(user_key)
}

/// The bit positions probed for `hash` in a filter of `bit_count` bits.
fn probes(hash: u64, bit_count: u64, probe_count: u8) -> impl Iterator<Item = u64> {
    let h1 = hash as u32;
    let h2 = (hash >> 32) as u32;
    (0..u32::from(probe_count)).map(move |i| {
        let mixed = h1.wrapping_add(i.wrapping_mul(h2));
        (u64::from(mixed) * bit_count) >> 32
    })
}

/// Collects the hashes of a table's distinct user keys and lays out the
/// filter once their number is known.
#[derive(Debug)]
pub(crate) struct BloomBuilder {
    hashes: Vec<u64>,
    bits_per_key: usize,
}

impl BloomBuilder {
    /// An empty builder for a filter of `bits_per_key` bits per key.
    pub(crate) fn new(bits_per_key: usize) -> Self {
        BloomBuilder {
            hashes: Vec::new(),
            bits_per_key,
        }
    }

    /// Adds a user key. Adding the same key twice is harmless but wastes bits.
    pub(crate) fn add_key(&mut self, user_key: &[u8]) {
        self.hashes.push(key_hash(user_key));
    }

    /// Keys added so far.
    pub(crate) fn key_count(&self) -> u64 {
        self.hashes.len() as u64
    }

    /// The number of bits the filter will have.
    pub(crate) fn bit_count(&self) -> u64 {
        let wanted = self.key_count().saturating_mul(self.bits_per_key as u64);
        wanted.clamp(FILTER_BITS_MIN, FILTER_BITS_MAX).div_ceil(8) * 8
    }

    /// The size of the filter block contents if finished now.
    pub(crate) fn size_estimate_bytes(&self) -> usize {
        (self.bit_count() / 8) as usize + PROBE_COUNT_BYTES
    }

    /// Appends the filter block contents (bit array, probe count) to `out`.
    pub(crate) fn finish_into(&self, out: &mut Vec<u8>) {
        let bit_count = self.bit_count();
        let probe_count = probe_count(self.bits_per_key);
        let start = out.len();
        out.resize(start + (bit_count / 8) as usize, 0);
        let bits = &mut out[start..];
        for &hash in &self.hashes {
            for bit in probes(hash, bit_count, probe_count) {
                bits[(bit / 8) as usize] |= 1 << (bit % 8);
            }
        }
        out.push(probe_count);
    }
}

/// A decoded filter block: a zero-copy view of the mapped file.
#[derive(Debug, Clone)]
pub(crate) struct BloomFilter {
    bits: Bytes,
    bit_count: u64,
    probe_count: u8,
}

impl BloomFilter {
    /// Decodes filter block contents, checking the probe count and size.
    pub(crate) fn decode(contents: Bytes) -> Result<BloomFilter, DecodeError> {
        let Some(bits_len) = contents.len().checked_sub(PROBE_COUNT_BYTES) else {
            return Err(DecodeError {
                offset: 0,
                reason: "filter block is empty",
            });
        };
        let probe_count = contents[bits_len];
        if !(PROBE_COUNT_MIN..=PROBE_COUNT_MAX).contains(&probe_count) {
            return Err(DecodeError {
                offset: bits_len,
                reason: "filter probe count out of range",
            });
        }
        let bit_count = bits_len as u64 * 8;
        if !(FILTER_BITS_MIN..=FILTER_BITS_MAX).contains(&bit_count) {
            return Err(DecodeError {
                offset: 0,
                reason: "filter size out of range",
            });
        }
        Ok(BloomFilter {
            bits: contents.slice(..bits_len),
            bit_count,
            probe_count,
        })
    }

    /// Whether `user_key` may have been added; `false` means certainly not.
    pub(crate) fn may_contain(&self, user_key: &[u8]) -> bool {
        let bits = &self.bits[..];
        probes(key_hash(user_key), self.bit_count, self.probe_count)
            .all(|bit| bits[(bit / 8) as usize] & (1 << (bit % 8)) != 0)
    }

    /// The number of bits.
    #[cfg(test)]
    pub(crate) fn bit_count(&self) -> u64 {
        self.bit_count
    }

    /// The number of probes per key.
    #[cfg(test)]
    pub(crate) fn probe_count(&self) -> u8 {
        self.probe_count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(keys: impl Iterator<Item = Vec<u8>>, bits_per_key: usize) -> BloomFilter {
        let mut builder = BloomBuilder::new(bits_per_key);
        for key in keys {
            builder.add_key(&key);
        }
        let mut contents = Vec::new();
        builder.finish_into(&mut contents);
        assert_eq!(contents.len(), builder.size_estimate_bytes());
        BloomFilter::decode(Bytes::from(contents)).unwrap()
    }

    #[test]
    fn probe_count_is_rounded_ln2_times_bits_per_key_and_clamped() {
        assert_eq!(probe_count(0), 1);
        assert_eq!(probe_count(1), 1);
        assert_eq!(probe_count(10), 7);
        assert_eq!(probe_count(20), 14);
        assert_eq!(probe_count(1000), 30);
    }

    #[test]
    fn bloom_false_positive_rate_matches_theory_at_10_bits_per_key() {
        const KEY_COUNT: u64 = 100_000;
        let key = |i: u64| format!("user{i:012}").into_bytes();
        let filter = build((0..KEY_COUNT).map(key), 10);
        for i in 0..KEY_COUNT {
            assert!(filter.may_contain(&key(i)), "false negative for key {i}");
        }
        let false_positive_count = (KEY_COUNT..2 * KEY_COUNT)
            .filter(|&i| filter.may_contain(&key(i)))
            .count();
        let measured = false_positive_count as f64 / KEY_COUNT as f64;
        let theory =
            theoretical_false_positive_rate(KEY_COUNT, filter.bit_count(), filter.probe_count());
        println!(
            "bloom: {KEY_COUNT} keys, 10 bits/key, k = {}: false-positive rate {:.4}% \
             (theory {:.4}%)",
            filter.probe_count(),
            measured * 100.0,
            theory * 100.0
        );
        assert!(
            measured < 1.5 * theory + 0.001,
            "measured {measured}, theory {theory}"
        );
        assert!(
            measured > 0.5 * theory - 0.001,
            "suspiciously low: {measured}, theory {theory}"
        );
    }

    #[test]
    fn empty_filter_rejects_everything() {
        let filter = build(std::iter::empty(), 10);
        assert_eq!(filter.bit_count(), FILTER_BITS_MIN);
        assert!(!filter.may_contain(b"anything"));
    }

    #[test]
    fn malformed_filters_are_rejected() {
        assert!(BloomFilter::decode(Bytes::new()).is_err());
        assert!(
            BloomFilter::decode(Bytes::from(
                vec![0u8; 9].into_iter().chain([0]).collect::<Vec<_>>()
            ))
            .is_err()
        );
        assert!(
            BloomFilter::decode(Bytes::from(
                vec![0u8; 8].into_iter().chain([31]).collect::<Vec<_>>()
            ))
            .is_err()
        );
        assert!(
            BloomFilter::decode(Bytes::from(
                vec![0u8; 7].into_iter().chain([7]).collect::<Vec<_>>()
            ))
            .is_err()
        );
        assert!(
            BloomFilter::decode(Bytes::from(
                vec![0u8; 8].into_iter().chain([7]).collect::<Vec<_>>()
            ))
            .is_ok()
        );
    }
}
