//! CRC-32 (IEEE 802.3; reflected polynomial `0xEDB88320`, initial value and
//! final xor `0xFFFF_FFFF`): the checksum DynamoDB sends in `x-amz-crc32`
//! over the response body as sent, and the one zlib's `crc32` computes.
//!
//! Pure and allocation-free; any thread may use it. The tables are built at
//! compile time, so there is no first-use initialisation. Bytes go through
//! eight at a time ("slicing-by-8": eight tables, one per byte position of
//! a 64-bit word): 668 ns for a 1.2 KB GetItem answer against 2.79 µs
//! byte at a time, 4.2× (criterion medians, run back to back:
//! `cargo bench -p dynacore-benches --bench dynamodb_json -- CRC`).

/// The reflected IEEE polynomial.
const POLYNOMIAL: u32 = 0xEDB8_8320;

/// `TABLE[b]` is the CRC register after shifting the byte `b` through it.
const TABLE: [u32; 256] = build_table();

const fn build_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut index = 0;
    while index < 256 {
        let mut register = index as u32;
        let mut bit = 0;
        while bit < 8 {
            register = if register & 1 == 1 {
                (register >> 1) ^ POLYNOMIAL
            } else {
                register >> 1
            };
            bit += 1;
        }
        table[index] = register;
        index += 1;
    }
    table
}

/// `SLICES[k][b]`: the register after shifting byte `b` and then `k` zero
/// bytes through it; `SLICES[0]` is `TABLE`.
const SLICES: [[u32; 256]; 8] = build_slices();

const fn build_slices() -> [[u32; 256]; 8] {
    let mut slices = [[0u32; 256]; 8];
    slices[0] = TABLE;
    let mut k = 1;
    while k < 8 {
        let mut index = 0;
        while index < 256 {
            let previous = slices[k - 1][index];
            slices[k][index] = (previous >> 8) ^ TABLE[(previous & 0xFF) as usize];
            index += 1;
        }
        k += 1;
    }
    slices
}

// Spot checks of the table against the published one (zlib's crc32.h).
const _: () = assert!(TABLE[0] == 0);
const _: () = assert!(TABLE[1] == 0x7707_3096);
const _: () = assert!(TABLE[255] == 0x2D02_EF8D);

/// An incremental CRC-32: feed bytes with [`Crc32::update`] in any number of
/// pieces; [`Crc32::finish`] gives the same value as [`crc32`] over the
/// concatenation.
#[derive(Debug, Clone, Copy)]
pub struct Crc32 {
    /// The register before the final xor.
    register: u32,
}

impl Default for Crc32 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc32 {
    pub const fn new() -> Self {
        Crc32 {
            register: 0xFFFF_FFFF,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        let mut register = self.register;
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let low = u32::from_le_bytes([word[0], word[1], word[2], word[3]]) ^ register;
            let high = u32::from_le_bytes([word[4], word[5], word[6], word[7]]);
            register = SLICES[7][(low & 0xFF) as usize]
                ^ SLICES[6][((low >> 8) & 0xFF) as usize]
                ^ SLICES[5][((low >> 16) & 0xFF) as usize]
                ^ SLICES[4][(low >> 24) as usize]
                ^ SLICES[3][(high & 0xFF) as usize]
                ^ SLICES[2][((high >> 8) & 0xFF) as usize]
                ^ SLICES[1][((high >> 16) & 0xFF) as usize]
                ^ SLICES[0][(high >> 24) as usize];
        }
        for &byte in words.remainder() {
            register = TABLE[((register ^ u32::from(byte)) & 0xFF) as usize] ^ (register >> 8);
        }
        self.register = register;
    }

    pub const fn finish(&self) -> u32 {
        self.register ^ 0xFFFF_FFFF
    }
}

/// The CRC-32 of `bytes`; `x-amz-crc32` carries it in decimal.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = Crc32::new();
    crc.update(bytes);
    crc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn crc32_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn crc32_known_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"a"), 0xE8B7_BE43);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    proptest! {
        #[test]
        fn crc32_matches_zlib(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let mut reference = flate2::Crc::new();
            reference.update(&bytes);
            prop_assert_eq!(crc32(&bytes), reference.sum());
        }

        #[test]
        fn crc32_incremental_equals_one_shot(
            bytes in proptest::collection::vec(any::<u8>(), 0..1024),
            split in 0usize..1024,
        ) {
            let split = split.min(bytes.len());
            let mut crc = Crc32::new();
            crc.update(&bytes[..split]);
            crc.update(&bytes[split..]);
            prop_assert_eq!(crc.finish(), crc32(&bytes));
        }
    }
}
