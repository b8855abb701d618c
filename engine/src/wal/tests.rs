//! Tests of the WAL writer and reader together: round trips through the
//! in-memory file system, torn tails at every cut, mid-log corruption, fault
//! injection, and the golden example of `docs/format/wal.md`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use proptest::prelude::*;

use super::format::{BLOCK_SIZE_BYTES, FRAGMENT_BYTES_MAX, HEADER_BYTES, RecordType};
use super::{WalReader, WalWriter, WriteBatch};
use crate::Error;
use crate::coding::checksum32;
use crate::coding::internal_key::ValueKind;
use crate::ids::SeqNo;
use crate::io::{FaultKind, FaultyFs, Fs, MemFs};
use crate::limits::WAL_RECORD_BYTES_MAX;
use crate::testing::{golden_hex, hex};

const BLOCK: usize = BLOCK_SIZE_BYTES;

fn wal_path() -> PathBuf {
    PathBuf::from("/db/000001.wal")
}

/// Deterministic pseudo-random numbers (splitmix64), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

/// A payload of `len` bytes that differs per `index`.
fn payload(index: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) ^ index.wrapping_mul(7919)) as u8)
        .collect()
}

/// A log written through `MemFs`, with where each logical record starts
/// (its first header) and ends.
struct Log {
    bytes: Bytes,
    payloads: Vec<Vec<u8>>,
    starts: Vec<u64>,
    ends: Vec<u64>,
}

fn write_log(payloads: Vec<Vec<u8>>) -> Log {
    let fs = MemFs::new();
    fs.create_dir_all(Path::new("/db")).unwrap();
    let mut writer = WalWriter::new(fs.create(&wal_path()).unwrap());
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    for (i, p) in payloads.iter().enumerate() {
        let before = writer.size_bytes();
        let block_left = BLOCK as u64 - before % BLOCK as u64;
        starts.push(if block_left < HEADER_BYTES as u64 {
            before + block_left
        } else {
            before
        });
        writer.add_record(p).unwrap();
        ends.push(writer.size_bytes());
        if i.is_multiple_of(3) {
            writer.flush().unwrap();
        }
    }
    writer.sync().unwrap();
    let bytes = fs.map(&wal_path()).unwrap();
    assert_eq!(bytes.len() as u64, writer.size_bytes());
    Log {
        bytes,
        payloads,
        starts,
        ends,
    }
}

/// Reads every record; the error, if reading failed.
fn read_all(bytes: Bytes) -> (Vec<Bytes>, Option<(u64, String)>, Option<Error>) {
    let mut reader = WalReader::new(&wal_path(), bytes);
    let mut records = Vec::new();
    loop {
        match reader.next_record() {
            Ok(Some(r)) => records.push(r),
            Ok(None) => return (records, reader.torn_tail(), None),
            Err(e) => return (records, reader.torn_tail(), Some(e)),
        }
    }
}

/// Where a record of `len` bytes framed at absolute offset `pos` ends, as
/// the writer frames it (an independent model of the framing rules).
fn end_after(mut pos: usize, len: usize) -> usize {
    let mut rest = len;
    loop {
        let left = BLOCK - pos % BLOCK;
        if left < HEADER_BYTES {
            pos += left;
            continue;
        }
        let n = rest.min(left - HEADER_BYTES);
        pos += HEADER_BYTES + n;
        rest -= n;
        if rest == 0 {
            return pos;
        }
    }
}

/// Sizes that end records exactly at, and 1..=8 bytes before, a block's
/// end, each followed by an empty and a 3-byte record, plus multi-block
/// records.
fn boundary_sizes() -> Vec<Vec<u8>> {
    fn add(sizes: &mut Vec<usize>, pos: &mut usize, len: usize) -> usize {
        sizes.push(len);
        *pos = end_after(*pos, len);
        *pos
    }
    let mut sizes = Vec::new();
    let mut pos = 0;
    add(&mut sizes, &mut pos, 0);
    add(&mut sizes, &mut pos, 1);
    for gap in 0..=HEADER_BYTES + 1 {
        for follower in [0, 3] {
            // Align to a block start, then leave exactly `gap` bytes.
            let left = BLOCK - pos % BLOCK;
            if left >= HEADER_BYTES {
                let end = add(&mut sizes, &mut pos, left - HEADER_BYTES);
                assert!(end.is_multiple_of(BLOCK));
            }
            let end = add(&mut sizes, &mut pos, FRAGMENT_BYTES_MAX - gap);
            assert_eq!(BLOCK - end % BLOCK, if gap == 0 { BLOCK } else { gap });
            add(&mut sizes, &mut pos, follower);
        }
    }
    for len in [
        FRAGMENT_BYTES_MAX + 1,
        BLOCK,
        2 * BLOCK,
        3 * BLOCK + 17,
        FRAGMENT_BYTES_MAX * 2,
        5,
        HEADER_BYTES,
    ] {
        add(&mut sizes, &mut pos, len);
    }
    sizes
        .into_iter()
        .enumerate()
        .map(|(i, len)| payload(i, len))
        .collect()
}

#[test]
fn wal_round_trip_of_block_boundary_sizes() {
    let log = write_log(boundary_sizes());
    let (records, torn, error) = read_all(log.bytes.clone());
    assert!(error.is_none() && torn.is_none(), "{error:?} {torn:?}");
    assert_eq!(records.len(), log.payloads.len());
    for (got, want) in records.iter().zip(&log.payloads) {
        assert_eq!(&got[..], &want[..]);
    }
}

#[test]
fn wal_block_tail_shorter_than_a_header_is_zero_filled() {
    // The first record leaves 3 bytes in block 0: too short for a header.
    let first = FRAGMENT_BYTES_MAX - 3;
    let log = write_log(vec![payload(0, first), payload(1, 10)]);
    assert_eq!(&log.bytes[BLOCK - 3..BLOCK], &[0, 0, 0]);
    assert_eq!(log.starts[1], BLOCK as u64);
    assert_eq!(log.bytes[BLOCK + 6], RecordType::Full as u8);
}

#[test]
fn wal_exact_header_fit_writes_an_empty_first_fragment() {
    // 7 bytes left in block 0: the next payload starts with an empty FIRST.
    let log = write_log(vec![
        payload(0, FRAGMENT_BYTES_MAX - HEADER_BYTES),
        payload(1, 20),
    ]);
    let at = BLOCK - HEADER_BYTES;
    assert_eq!(&log.bytes[at + 4..at + 7], &[0, 0, RecordType::First as u8]);
    let (records, _, error) = read_all(log.bytes.clone());
    assert!(error.is_none());
    assert_eq!(&records[1][..], &payload(1, 20)[..]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn wal_round_trip_random_sizes(
        sizes in proptest::collection::vec(
            prop_oneof![0..64usize, 0..BLOCK, 0..4 * BLOCK, Just(FRAGMENT_BYTES_MAX)],
            0..24,
        )
    ) {
        let payloads: Vec<Vec<u8>> = sizes.iter().enumerate().map(|(i, &n)| payload(i, n)).collect();
        let log = write_log(payloads);
        let (records, torn, error) = read_all(log.bytes.clone());
        prop_assert!(error.is_none() && torn.is_none());
        prop_assert_eq!(records.len(), log.payloads.len());
        for (got, want) in records.iter().zip(&log.payloads) {
            prop_assert_eq!(&got[..], &want[..]);
        }
    }

    #[test]
    fn wal_reader_never_panics_on_random_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..3 * BLOCK)
    ) {
        let _ = read_all(Bytes::from(bytes));
    }

    #[test]
    fn wal_reader_never_panics_on_damaged_logs(
        sizes in proptest::collection::vec(0..2 * BLOCK, 1..8),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let payloads: Vec<Vec<u8>> = sizes.iter().enumerate().map(|(i, &n)| payload(i, n)).collect();
        let log = write_log(payloads);
        let mut bytes = log.bytes.to_vec();
        for (index, bit) in flips {
            let i = index.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let (records, _, _) = read_all(Bytes::from(bytes));
        // Whatever is returned is a record that was written, in order.
        for (got, want) in records.iter().zip(&log.payloads) {
            prop_assert_eq!(&got[..], &want[..]);
        }
    }
}

/// A log of ~2.5 blocks mixing small records, records that straddle blocks
/// and header-doesn't-fit tails.
fn mixed_log() -> Log {
    let mut rng = Rng(7);
    let mut sizes = Vec::new();
    let mut total = 0;
    while total < 2 * BLOCK + BLOCK / 2 {
        let size = match rng.below(6) {
            0 => 0,
            1 => BLOCK / 3 + rng.below(BLOCK),
            _ => rng.below(900),
        };
        total += size + HEADER_BYTES;
        sizes.push(size);
    }
    write_log(
        sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| payload(i, n))
            .collect(),
    )
}

#[test]
fn wal_torn_tail_at_every_cut_returns_exactly_the_complete_records() {
    let log = mixed_log();
    let len = log.bytes.len();
    let dense_from = len.saturating_sub(2 * BLOCK);
    for cut in (0..=len).filter(|&c| c >= dense_from || c.is_multiple_of(61)) {
        let (records, torn, error) = read_all(log.bytes.slice(..cut));
        assert!(error.is_none(), "cut at {cut}: {error:?}");
        let complete = log.ends.iter().filter(|&&end| end <= cut as u64).count();
        assert_eq!(records.len(), complete, "cut at {cut}");
        for (got, want) in records.iter().zip(&log.payloads) {
            assert_eq!(&got[..], &want[..], "cut at {cut}");
        }
        if let Some((offset, _)) = torn {
            assert_eq!(offset, log.starts[complete], "cut at {cut}");
        }
    }
}

#[test]
fn wal_crash_with_a_torn_unsynced_append_keeps_the_synced_records() {
    for keep in [0, 1, 6, 7, 8, 100, BLOCK] {
        let fs = MemFs::new();
        fs.create_dir_all(Path::new("/db")).unwrap();
        let mut writer = WalWriter::new(fs.create(&wal_path()).unwrap());
        fs.sync_dir(Path::new("/db")).unwrap();
        for i in 0..5 {
            writer.add_record(&payload(i, 300)).unwrap();
        }
        writer.sync().unwrap();
        writer.add_record(&payload(5, 2 * BLOCK)).unwrap();
        writer.flush().unwrap();
        fs.crash_keeping(&mut |_| keep);
        let (records, _, error) = read_all(fs.map(&wal_path()).unwrap());
        assert!(error.is_none(), "keeping {keep}: {error:?}");
        assert_eq!(records.len(), 5, "keeping {keep}");
    }
}

/// Flips bit `bit` of byte `offset`.
fn flipped(bytes: &Bytes, offset: usize, bit: u8) -> Bytes {
    let mut copy = bytes.to_vec();
    copy[offset] ^= 1 << bit;
    Bytes::from(copy)
}

#[test]
fn wal_bit_flip_followed_by_valid_records_is_corruption_at_the_bad_record() {
    let log = write_log((0..40).map(|i| payload(i, 20 + 37 * i)).collect());
    let mut rng = Rng(11);
    // Every record but the last, single-fragment ones only (their physical
    // record is the logical one).
    for index in 0..log.payloads.len() - 1 {
        let start = log.starts[index] as usize;
        let end = log.ends[index] as usize;
        if end - start != HEADER_BYTES + log.payloads[index].len() {
            continue;
        }
        let mut offsets: Vec<usize> = (start..start + HEADER_BYTES).collect();
        offsets.extend((0..4).map(|_| start + rng.below(end - start)));
        for offset in offsets {
            let bit = rng.below(8) as u8;
            let (records, torn, error) = read_all(flipped(&log.bytes, offset, bit));
            assert_eq!(records.len(), index, "flip at {offset}");
            assert!(torn.is_none());
            match error {
                Some(Error::Corruption {
                    file, offset: at, ..
                }) => {
                    assert_eq!(file, wal_path());
                    assert_eq!(at, start as u64, "flip at {offset} bit {bit}");
                }
                other => panic!("flip at {offset}: expected corruption, got {other:?}"),
            }
        }
    }
}

#[test]
fn wal_bit_flip_in_a_middle_fragment_is_corruption_at_that_fragment() {
    let log = write_log(vec![
        payload(0, 100),
        payload(1, 3 * BLOCK),
        payload(2, 100),
    ]);
    // The second block holds a MIDDLE fragment of record 1 from its start.
    let offset = BLOCK + HEADER_BYTES + 1000;
    let (records, _, error) = read_all(flipped(&log.bytes, offset, 3));
    assert_eq!(records.len(), 1);
    match error {
        Some(Error::Corruption { offset: at, .. }) => assert_eq!(at, BLOCK as u64),
        other => panic!("expected corruption, got {other:?}"),
    }
}

#[test]
fn wal_bit_flip_in_the_last_record_is_a_torn_tail() {
    let log = write_log((0..10).map(|i| payload(i, 50 + i)).collect());
    let last = log.payloads.len() - 1;
    let start = log.starts[last] as usize;
    for offset in start..log.ends[last] as usize {
        let (records, torn, error) = read_all(flipped(&log.bytes, offset, 5));
        assert!(error.is_none(), "flip at {offset}: {error:?}");
        assert_eq!(records.len(), last);
        assert_eq!(torn.unwrap().0, start as u64);
    }
}

#[test]
fn wal_zero_tail_is_a_clean_end_and_garbage_tail_a_torn_one() {
    let log = write_log((0..10).map(|i| payload(i, 500 + i)).collect());
    let mut zeros = log.bytes.to_vec();
    zeros.resize(zeros.len() + 2 * BLOCK + 100, 0);
    let (records, torn, error) = read_all(Bytes::from(zeros.clone()));
    assert_eq!((records.len(), torn, error.is_none()), (10, None, true));

    let mut rng = Rng(3);
    let mut garbage = log.bytes.to_vec();
    garbage.extend((0..3 * BLOCK).map(|_| rng.next() as u8));
    let (records, torn, error) = read_all(Bytes::from(garbage));
    assert!(error.is_none());
    assert_eq!(records.len(), 10);
    assert_eq!(torn.unwrap().0, log.bytes.len() as u64);

    // Zeros, then garbage: still only a tail.
    zeros.extend((0..100).map(|_| rng.next() as u8 | 1));
    let (records, torn, error) = read_all(Bytes::from(zeros));
    assert!(error.is_none());
    assert_eq!(records.len(), 10);
    assert_eq!(torn.unwrap().0, log.bytes.len() as u64);
}

#[test]
fn wal_zero_hole_followed_by_records_is_corruption() {
    let log = write_log((0..60).map(|i| payload(i, 1000)).collect());
    let mut bytes = log.bytes.to_vec();
    let start = log.starts[5] as usize;
    bytes[start..start + 3000].fill(0);
    let (records, _, error) = read_all(Bytes::from(bytes));
    assert_eq!(records.len(), 5);
    assert!(matches!(error, Some(Error::Corruption { offset, .. }) if offset == start as u64));
}

#[test]
fn wal_non_zero_block_tail_before_valid_records_is_corruption() {
    let log = write_log(vec![payload(0, FRAGMENT_BYTES_MAX - 3), payload(1, 10)]);
    let (_, _, error) = read_all(flipped(&log.bytes, BLOCK - 2, 0));
    assert!(
        matches!(error, Some(Error::Corruption { offset, .. }) if offset == (BLOCK - 3) as u64)
    );
}

/// One physical record, framed by hand.
fn physical(record_type: u8, fragment: &[u8]) -> Vec<u8> {
    let mut typed = vec![record_type];
    typed.extend_from_slice(fragment);
    let mut out = checksum32(&typed).to_le_bytes().to_vec();
    out.extend_from_slice(&(fragment.len() as u16).to_le_bytes());
    out.extend_from_slice(&typed);
    out
}

#[test]
fn wal_fragment_sequence_errors_are_corruption() {
    let full = |p: &[u8]| physical(RecordType::Full as u8, p);
    let cases: Vec<(Vec<Vec<u8>>, u64)> = vec![
        // A MIDDLE with no FIRST.
        (
            vec![
                full(b"a"),
                physical(RecordType::Middle as u8, b"b"),
                full(b"c"),
            ],
            8,
        ),
        // A LAST with no FIRST, at the end of the log.
        (vec![full(b"a"), physical(RecordType::Last as u8, b"b")], 8),
        // A FIRST interrupted by a FULL.
        (vec![physical(RecordType::First as u8, b"a"), full(b"b")], 8),
    ];
    for (records, bad_offset) in cases {
        let (_, _, error) = read_all(Bytes::from(records.concat()));
        assert!(
            matches!(error, Some(Error::Corruption { offset, .. }) if offset == bad_offset),
            "{error:?}"
        );
    }
    // An unknown type followed by a valid record.
    let bytes = [physical(9, b"x"), full(b"y")].concat();
    let (_, _, error) = read_all(Bytes::from(bytes));
    assert!(matches!(error, Some(Error::Corruption { offset: 0, .. })));
}

#[test]
fn wal_reader_repeats_its_error_and_stays_ended() {
    let log = write_log((0..5).map(|i| payload(i, 10)).collect());
    let mut reader = WalReader::new(&wal_path(), flipped(&log.bytes, 10, 0));
    assert!(reader.next_record().unwrap_err().is_corruption());
    assert!(reader.next_record().unwrap_err().is_corruption());
    let mut reader = WalReader::new(&wal_path(), log.bytes.clone());
    while reader.next_record().unwrap().is_some() {}
    assert!(reader.next_record().unwrap().is_none());
}

#[test]
fn wal_full_records_are_returned_without_copying() {
    let log = write_log(vec![payload(0, 100)]);
    let mut reader = WalReader::new(&wal_path(), log.bytes.clone());
    let record = reader.next_record().unwrap().unwrap();
    assert_eq!(record.as_ptr(), log.bytes[HEADER_BYTES..].as_ptr());
    assert_eq!(reader.last_record_offset(), 0);
}

#[test]
fn wal_writer_rejects_oversized_payloads_and_stays_usable() {
    let fs = MemFs::new();
    fs.create_dir_all(Path::new("/db")).unwrap();
    let mut writer = WalWriter::new(fs.create(&wal_path()).unwrap());
    let err = writer
        .add_record(&vec![0; WAL_RECORD_BYTES_MAX + 1])
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err}");
    assert_eq!(writer.size_bytes(), 0);
    writer.add_record(b"fine").unwrap();
    writer.sync().unwrap();
}

#[test]
fn wal_writer_refuses_writes_after_a_failed_sync() {
    let fs = FaultyFs::new(Arc::new(MemFs::new()));
    fs.create_dir_all(Path::new("/db")).unwrap();
    fs.set_path_filter(".wal");
    let mut writer = WalWriter::new(fs.create(&wal_path()).unwrap());
    writer.add_record(b"one").unwrap();
    writer.sync().unwrap();
    fs.fail_sync_after(0, false);
    writer.add_record(b"two").unwrap();
    assert!(matches!(writer.sync(), Err(Error::Io { .. })));
    assert!(writer.is_failed());
    // The injected fault was one-shot; the writer must still refuse.
    assert!(matches!(
        writer.add_record(b"three"),
        Err(Error::Poisoned { .. })
    ));
    assert!(matches!(writer.flush(), Err(Error::Poisoned { .. })));
    assert!(matches!(writer.sync(), Err(Error::Poisoned { .. })));
}

#[test]
fn wal_writer_refuses_writes_after_a_failed_append() {
    let mem = MemFs::new();
    let fs = FaultyFs::new(Arc::new(mem.clone()));
    fs.create_dir_all(Path::new("/db")).unwrap();
    let mut writer = WalWriter::new(fs.create(&wal_path()).unwrap());
    writer.add_record(&payload(0, 50)).unwrap();
    writer.sync().unwrap();
    fs.fail_writes_after_bytes(20, FaultKind::NoSpace, true);
    writer.add_record(&payload(1, 50)).unwrap();
    assert!(writer.flush().is_err());
    fs.clear();
    assert!(matches!(
        writer.add_record(b"x"),
        Err(Error::Poisoned { .. })
    ));
    assert!(matches!(writer.sync(), Err(Error::Poisoned { .. })));
    // The torn append is a torn tail to the reader.
    let (records, torn, error) = read_all(mem.map(&wal_path()).unwrap());
    assert!(error.is_none());
    assert_eq!(records.len(), 1);
    assert!(torn.is_some());
}

// ----- golden example ------------------------------------------------------

/// The batch of the worked example in `docs/format/wal.md`.
fn golden_batch() -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.put(b"k1", b"v1");
    batch.delete(b"k2");
    batch
}

#[test]
fn wal_golden_example_matches_the_format_doc() {
    let expected = golden_hex(include_str!("../../../docs/format/wal.md"), "wal-file");
    let fs = MemFs::new();
    fs.create_dir_all(Path::new("/db")).unwrap();
    let mut writer = WalWriter::new(fs.create(&wal_path()).unwrap());
    writer.add_record(&golden_batch().encode(SeqNo(7))).unwrap();
    writer.sync().unwrap();
    let bytes = fs.map(&wal_path()).unwrap();
    assert_eq!(
        hex(&bytes),
        hex(&expected),
        "docs/format/wal.md is out of date with the code"
    );
    let (records, torn, error) = read_all(bytes);
    assert!(torn.is_none() && error.is_none());
    let (first, batch) = WriteBatch::decode(&records[0]).unwrap();
    assert_eq!(first, SeqNo(7));
    assert_eq!(
        batch.iter().collect::<Vec<_>>(),
        vec![
            (ValueKind::Put, &b"k1"[..], &b"v1"[..]),
            (ValueKind::Delete, &b"k2"[..], &b""[..]),
        ]
    );
}
