//! Shared helpers for dynacore's criterion benches (`benches/benches/*.rs`).

/// `count` distinct keys shaped like YCSB's (`user` + 19 digits), in a
/// scrambled order.
pub fn ycsb_like_keys(count: usize) -> Vec<Vec<u8>> {
    (0..count as u64)
        .map(|i| {
            let scrambled = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i >> 7);
            format!("user{:019}", scrambled % 10_000_000_000_000_000_000).into_bytes()
        })
        .collect()
}
