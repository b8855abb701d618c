//! YCSB's record keys: `"user"` followed by the keynum, hashed or not.
//!
//! Pure functions, callable from any thread. The one invariant is
//! bit-for-bit agreement with YCSB's `Utils.fnvhash64` and
//! `CoreWorkload.buildKeyName`, so a dynacore run touches the same keys as a
//! YCSB run with the same properties; the test vectors below come from
//! `/work/shared/YCSB.md`.

/// FNV-1a's 64-bit offset basis, as YCSB spells it (a negative Java `long`).
const FNV_OFFSET_BASIS_64: i64 = 0xCBF2_9CE4_8422_2325_u64 as i64;

/// FNV's 64-bit prime.
const FNV_PRIME_64: i64 = 1_099_511_628_211;

/// Every key starts with this, as YCSB's do.
pub const KEY_PREFIX: &str = "user";

/// YCSB's `Utils.fnvhash64`: FNV-1a over the eight little-endian bytes of
/// `value`, in Java's signed 64-bit arithmetic (wrapping multiply,
/// arithmetic shift), then Java's `Math.abs`.
///
/// The result is non-negative except for one input class: when the hash
/// before `abs` is `i64::MIN`, Java's `Math.abs` (and so this function)
/// returns `i64::MIN` itself. Never panics.
pub fn fnvhash64(value: i64) -> i64 {
    let mut hash = FNV_OFFSET_BASIS_64;
    let mut rest = value;
    for _ in 0..8 {
        let octet = rest & 0xff;
        // `>>` on `i64` is arithmetic, like Java's `>>`; after eight shifts the
        // sign bits shifted in never reach an octet that is still hashed.
        rest >>= 8;
        hash ^= octet;
        hash = hash.wrapping_mul(FNV_PRIME_64);
    }
    hash.wrapping_abs()
}

/// YCSB's `CoreWorkload.buildKeyName`: `"user"` + the decimal keynum,
/// hashed with [`fnvhash64`] unless `ordered_inserts`, left-padded with
/// zeros to `zero_padding` digits (padding applies to hashed keys too, as
/// in YCSB; the default padding of 1 never pads).
///
/// `keynum` is reinterpreted as a Java `long` before hashing, so keynums
/// above `i64::MAX` hash as YCSB would hash their negative twins.
pub fn build_key_name(keynum: u64, ordered_inserts: bool, zero_padding: usize) -> String {
    // Written digit by digit: this runs once per operation, and the harness
    // must stay far faster than any engine it drives.
    let (negative, magnitude) = if ordered_inserts {
        (false, keynum)
    } else {
        let hash = fnvhash64(keynum as i64);
        (hash < 0, hash.unsigned_abs())
    };
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = magnitude;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let number = &digits[start..];
    let length = number.len() + usize::from(negative);
    let fill = zero_padding.saturating_sub(length);
    let mut key = String::with_capacity(KEY_PREFIX.len() + fill + length);
    key.push_str(KEY_PREFIX);
    // As YCSB builds it: zeros, then `Long.toString` (sign included).
    key.extend(std::iter::repeat_n('0', fill));
    if negative {
        key.push('-');
    }
    key.push_str(std::str::from_utf8(number).expect("ASCII digits"));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnvhash64_matches_ycsb_test_vectors() {
        assert_eq!(fnvhash64(0), 6_284_781_860_667_377_211);
        assert_eq!(fnvhash64(1), 8_517_097_267_634_966_620);
        assert_eq!(fnvhash64(2), 1_820_151_046_732_198_393);
        assert_eq!(fnvhash64(999_999), 2_744_965_632_448_235_251);
    }

    #[test]
    fn hashed_key_names_match_ycsb_test_vectors() {
        assert_eq!(build_key_name(0, false, 1), "user6284781860667377211");
        assert_eq!(build_key_name(1, false, 1), "user8517097267634966620");
        assert_eq!(build_key_name(2, false, 1), "user1820151046732198393");
        assert_eq!(build_key_name(999_999, false, 1), "user2744965632448235251");
    }

    #[test]
    fn fnvhash64_of_negative_input_uses_arithmetic_shift_and_stays_non_negative() {
        // Negative keynums never occur in a workload, but the arithmetic must
        // still be Java's: no overflow panic, non-negative result.
        for value in [-1_i64, i64::MIN, i64::MAX, -999_999] {
            assert!(fnvhash64(value) >= 0, "fnvhash64({value})");
        }
    }

    #[test]
    fn ordered_key_names_are_zero_padded_like_ycsb() {
        assert_eq!(build_key_name(5, true, 1), "user5");
        assert_eq!(build_key_name(5, true, 8), "user00000005");
        assert_eq!(build_key_name(123_456_789, true, 8), "user123456789");
        assert_eq!(build_key_name(0, true, 0), "user0");
        // Padding applies to hashed keys as well (YCSB pads after hashing).
        assert_eq!(build_key_name(2, false, 21), "user001820151046732198393");
    }
}
