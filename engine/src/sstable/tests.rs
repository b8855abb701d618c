//! Tests of whole tables: builder → reader round trips against a sorted-Vec
//! model, corruption of every bit, random and mutated inputs, and the golden
//! example of `docs/format/sstable.md`.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use proptest::prelude::*;

use super::block::{Block, BlockIter};
use super::format::{
    BLOCK_TRAILER_BYTES, BlockHandle, FOOTER_BYTES, FOOTER_CHECKSUM_OFFSET, Footer,
};
use super::{SsTable, SsTableBuilder, SsTableInfo, SsTableOptions};
use crate::coding::checksum32;
use crate::coding::internal_key::{self, KIND_SEEK, ValueKind};
use crate::error::Error;
use crate::ids::SeqNo;
use crate::io::{FaultKind, FaultyFs, Fs, MemFs};
use crate::iter::InternalIterator;
use crate::limits::ENCODED_VALUE_BYTES_MAX;
use crate::testing::{golden_hex, hex};

type Entry = (Vec<u8>, Vec<u8>);

/// SplitMix64: a deterministic generator for test data.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }
}

fn table_path() -> PathBuf {
    PathBuf::from("/db/000001.sst")
}

fn write_table(fs: &dyn Fs, entries: &[Entry], options: &SsTableOptions) -> SsTableInfo {
    fs.create_dir_all(Path::new("/db")).unwrap();
    let mut builder = SsTableBuilder::new(fs.create(&table_path()).unwrap(), options);
    for (key, value) in entries {
        builder.add(key, value).unwrap();
    }
    assert_eq!(builder.entry_count(), entries.len() as u64);
    builder.finish().unwrap()
}

/// Builds a table in a fresh [`MemFs`] and returns its bytes.
fn build(entries: &[Entry], options: &SsTableOptions) -> (Bytes, SsTableInfo) {
    let fs = MemFs::new();
    let info = write_table(&fs, entries, options);
    let bytes = fs.map(&table_path()).unwrap();
    assert_eq!(bytes.len() as u64, info.size_bytes);
    (bytes, info)
}

fn open(bytes: Bytes) -> crate::Result<Arc<SsTable>> {
    SsTable::open(&table_path(), bytes).map(Arc::new)
}

fn key(user_key: &[u8], seqno: u64, kind: ValueKind) -> Vec<u8> {
    internal_key::encode(user_key, SeqNo(seqno), kind)
}

/// What [`SsTable::get`] must return, computed from the sorted model.
fn model_get(model: &[Entry], user_key: &[u8], snapshot: SeqNo) -> Option<(ValueKind, Vec<u8>)> {
    let seek = internal_key::seek_key(user_key, snapshot.min(SeqNo::MAX));
    let position =
        model.partition_point(|(k, _)| internal_key::compare(k, &seek) == Ordering::Less);
    let (k, v) = model.get(position)?;
    let parsed = internal_key::ParsedKey::parse(k).unwrap();
    (parsed.user_key == user_key).then(|| (parsed.kind, v.clone()))
}

fn model_seek(model: &[Entry], target: &[u8]) -> usize {
    model.partition_point(|(k, _)| internal_key::compare(k, target) == Ordering::Less)
}

fn collect(iter: &mut dyn InternalIterator) -> crate::Result<Vec<Entry>> {
    let mut out = Vec::new();
    iter.seek_to_first()?;
    while iter.valid() {
        out.push((iter.key().to_vec(), iter.value().to_vec()));
        iter.next()?;
    }
    Ok(out)
}

/// A model of `user_key_count` user keys (every third number, so absent
/// keys lie between), each with 1..=4 versions, about a fifth tombstones,
/// some values longer than a block and some keys longer than the inline key
/// buffer.
fn random_model(rng: &mut Rng, user_key_count: u64) -> Vec<Entry> {
    let mut model = Vec::new();
    for i in 0..user_key_count {
        let mut user_key = format!("user{:07}", i * 3).into_bytes();
        if rng.below(50) == 0 {
            user_key.extend(std::iter::repeat_n(b'~', 300));
        }
        let version_count = 1 + rng.below(4);
        let mut seqno = 1 + rng.below(1000);
        for _ in 0..version_count {
            let kind = if rng.below(5) == 0 {
                ValueKind::Delete
            } else {
                ValueKind::Put
            };
            let value = match kind {
                ValueKind::Delete => Vec::new(),
                ValueKind::Put => {
                    let len = if rng.below(100) == 0 {
                        5000
                    } else {
                        rng.below(40) as usize
                    };
                    (0..len).map(|j| (seqno as usize + j) as u8).collect()
                }
            };
            model.push((key(&user_key, seqno, kind), value));
            seqno += 1 + rng.below(10);
        }
    }
    model.sort_by(|a, b| internal_key::compare(&a.0, &b.0));
    model
}

fn check_against_model(table: &Arc<SsTable>, model: &[Entry], rng: &mut Rng) {
    assert_eq!(collect(&mut table.iter()).unwrap(), model);
    assert_eq!(table.entry_count(), model.len() as u64);
    if let (Some(first), Some(last)) = (model.first(), model.last()) {
        assert_eq!(table.smallest_key(), first.0.as_slice());
        assert_eq!(table.largest_key(), last.0.as_slice());
    }

    // Point gets for every present user key and its absent neighbours, at
    // several snapshots.
    let mut user_keys: Vec<Vec<u8>> = model
        .iter()
        .map(|(k, _)| internal_key::user_key(k).to_vec())
        .collect();
    user_keys.dedup();
    for user_key in &user_keys {
        assert!(table.may_contain(user_key));
        let mut absent = user_key.clone();
        absent.push(0);
        for probe in [user_key, &absent] {
            for snapshot in [0, 1, rng.below(1100), rng.below(1100), u64::MAX] {
                let got = table.get(probe, SeqNo(snapshot)).unwrap();
                let got = got.map(|(kind, value)| (kind, value.to_vec()));
                assert_eq!(
                    got,
                    model_get(model, probe, SeqNo(snapshot)),
                    "get {probe:?} @ {snapshot}"
                );
            }
        }
    }

    // Seeks to random targets, then a few steps forward.
    let mut iter = table.iter();
    for _ in 0..2000 {
        let target = if !model.is_empty() && rng.below(2) == 0 {
            let (k, _) = &model[rng.below(model.len() as u64) as usize];
            let mut target = internal_key::user_key(k).to_vec();
            let trailer = internal_key::trailer(
                SeqNo(rng.below(1100)),
                [0, 1, KIND_SEEK][rng.below(3) as usize],
            );
            target.extend_from_slice(&trailer.to_be_bytes());
            target
        } else {
            let mut target = format!("user{:07}", rng.below(model.len() as u64 + 10)).into_bytes();
            target.truncate(rng.below(target.len() as u64 + 1) as usize);
            internal_key::seek_key(&target, SeqNo(rng.below(1100)))
        };
        iter.seek(&target).unwrap();
        let start = model_seek(model, &target);
        for position in start..start + 3 {
            match model.get(position) {
                Some((k, v)) => {
                    assert!(iter.valid());
                    assert_eq!((iter.key(), iter.value()), (k.as_slice(), v.as_slice()));
                }
                None => assert!(!iter.valid()),
            }
            if !iter.valid() {
                break;
            }
            iter.next().unwrap();
        }
    }
}

#[test]
fn sstable_round_trips_thousands_of_versioned_keys_against_a_model() {
    let mut rng = Rng(7);
    let model = random_model(&mut rng, 3000);
    for options in [
        SsTableOptions::default(),
        SsTableOptions {
            block_size_bytes: 256,
            bloom_bits_per_key: 10,
            restart_interval: 4,
        },
        SsTableOptions {
            block_size_bytes: 0,
            bloom_bits_per_key: 0,
            restart_interval: 0,
        },
    ] {
        let (bytes, info) = build(&model, &options);
        assert_eq!(info.entry_count, model.len() as u64);
        let tombstone_count = model.iter().filter(|(k, _)| k.last() == Some(&0)).count();
        assert_eq!(info.tombstone_count, tombstone_count as u64);
        assert_eq!(info.smallest_key, model[0].0);
        assert_eq!(info.largest_key, model.last().unwrap().0);
        let table = open(bytes).unwrap();
        assert_eq!(table.tombstone_count(), tombstone_count as u64);
        assert_eq!(table.size_bytes(), info.size_bytes);
        check_against_model(&table, &model, &mut rng);
    }
}

#[test]
fn sstable_get_returns_zero_copy_slices_of_the_file() {
    let model = vec![(key(b"k", 1, ValueKind::Put), b"value".to_vec())];
    let (bytes, _) = build(&model, &SsTableOptions::default());
    let table = open(bytes.clone()).unwrap();
    let (kind, value) = table.get(b"k", SeqNo::MAX).unwrap().unwrap();
    assert_eq!((kind, &value[..]), (ValueKind::Put, &b"value"[..]));
    let file_range = bytes.as_ptr() as usize..bytes.as_ptr() as usize + bytes.len();
    assert!(file_range.contains(&(value.as_ptr() as usize)));
}

#[test]
fn empty_sstable_is_valid_and_holds_nothing() {
    let (bytes, info) = build(&[], &SsTableOptions::default());
    assert_eq!(
        (
            info.entry_count,
            info.smallest_key.len(),
            info.largest_key.len()
        ),
        (0, 0, 0)
    );
    let table = open(bytes).unwrap();
    assert_eq!(table.entry_count(), 0);
    assert!(table.smallest_key().is_empty() && table.largest_key().is_empty());
    assert_eq!(table.get(b"anything", SeqNo::MAX).unwrap(), None);
    assert!(collect(&mut table.iter()).unwrap().is_empty());
    let mut iter = table.iter();
    iter.seek(&internal_key::seek_key(b"a", SeqNo(1))).unwrap();
    assert!(!iter.valid());
}

#[test]
#[cfg_attr(debug_assertions, should_panic(expected = "keys out of order"))]
fn builder_refuses_keys_out_of_order() {
    let fs = MemFs::new();
    fs.create_dir_all(Path::new("/db")).unwrap();
    let mut builder = SsTableBuilder::new(
        fs.create(&table_path()).unwrap(),
        &SsTableOptions::default(),
    );
    builder.add(&key(b"b", 1, ValueKind::Put), b"").unwrap();
    let error = builder.add(&key(b"a", 1, ValueKind::Put), b"").unwrap_err();
    assert!(error.is_corruption(), "{error}");
    // A newer version of the same user key sorts first, so it is out of order too.
    let error = builder.add(&key(b"b", 2, ValueKind::Put), b"").unwrap_err();
    assert!(error.is_corruption(), "{error}");
}

#[test]
fn builder_refuses_oversized_values_and_writes_nothing() {
    let fs = MemFs::new();
    fs.create_dir_all(Path::new("/db")).unwrap();
    let mut builder = SsTableBuilder::new(
        fs.create(&table_path()).unwrap(),
        &SsTableOptions::default(),
    );
    let huge = vec![0u8; ENCODED_VALUE_BYTES_MAX + 1];
    let error = builder
        .add(&key(b"a", 1, ValueKind::Put), &huge)
        .unwrap_err();
    assert!(matches!(error, Error::Validation(_)), "{error}");
    builder.add(&key(b"a", 1, ValueKind::Put), b"ok").unwrap();
    let info = builder.finish().unwrap();
    assert_eq!(info.entry_count, 1);
}

#[test]
fn builder_fails_for_good_after_a_failed_write() {
    let faulty = FaultyFs::new(Arc::new(MemFs::new()));
    faulty.fail_writes_after_bytes(100, FaultKind::NoSpace, true);
    faulty.create_dir_all(Path::new("/db")).unwrap();
    let options = SsTableOptions {
        block_size_bytes: 64,
        ..SsTableOptions::default()
    };
    let mut builder = SsTableBuilder::new(faulty.create(&table_path()).unwrap(), &options);
    let mut first_error = None;
    for i in 0..100u32 {
        if let Err(e) = builder.add(&key(format!("k{i:04}").as_bytes(), 1, ValueKind::Put), b"v") {
            first_error = Some(e);
            break;
        }
    }
    assert!(
        matches!(first_error, Some(Error::Io { .. })),
        "{first_error:?}"
    );
    let later = builder
        .add(&key(b"zzz", 1, ValueKind::Put), b"v")
        .unwrap_err();
    assert!(matches!(later, Error::Io { .. }));
    assert!(matches!(builder.finish(), Err(Error::Io { .. })));
}

#[test]
fn builder_reports_a_failed_sync() {
    let faulty = FaultyFs::new(Arc::new(MemFs::new()));
    faulty.create_dir_all(Path::new("/db")).unwrap();
    faulty.fail_sync_after(0, false);
    let mut builder = SsTableBuilder::new(
        faulty.create(&table_path()).unwrap(),
        &SsTableOptions::default(),
    );
    builder.add(&key(b"a", 1, ValueKind::Put), b"v").unwrap();
    assert!(matches!(builder.finish(), Err(Error::Io { .. })));
}

#[test]
fn estimated_size_tracks_the_finished_size() {
    let model = random_model(&mut Rng(3), 500);
    let fs = MemFs::new();
    fs.create_dir_all(Path::new("/db")).unwrap();
    let mut builder = SsTableBuilder::new(
        fs.create(&table_path()).unwrap(),
        &SsTableOptions::default(),
    );
    for (k, v) in &model {
        builder.add(k, v).unwrap();
    }
    let estimate = builder.estimated_size_bytes();
    let info = builder.finish().unwrap();
    let ratio = estimate as f64 / info.size_bytes as f64;
    assert!(
        (0.95..1.05).contains(&ratio),
        "estimate {estimate}, actual {}",
        info.size_bytes
    );
}

// ---------------------------------------------------------------------------
// Corruption.

/// The entries of the small table used for bit flips: 30 user keys, some
/// with two versions, some tombstones; several blocks at 128 bytes each.
fn small_model() -> Vec<Entry> {
    let mut model = Vec::new();
    for i in 0..30u64 {
        let user_key = format!("key{i:03}").into_bytes();
        if i % 3 == 0 {
            model.push((key(&user_key, 100 + i, ValueKind::Delete), Vec::new()));
        }
        model.push((
            key(&user_key, i + 1, ValueKind::Put),
            format!("value-{i}").into_bytes(),
        ));
    }
    model.sort_by(|a, b| internal_key::compare(&a.0, &b.0));
    model
}

fn small_options() -> SsTableOptions {
    SsTableOptions {
        block_size_bytes: 128,
        bloom_bits_per_key: 10,
        restart_interval: 4,
    }
}

/// Opens, iterates and probes a possibly damaged table. Every result must be
/// the model's answer or a corruption error; panics are failures too.
/// Returns whether any corruption was reported.
fn check_correct_or_corrupt(bytes: Bytes, model: &[Entry], context: &str) -> bool {
    let must_be_corruption = |e: Error| {
        assert!(e.is_corruption(), "{context}: not a corruption error: {e}");
        true
    };
    let table = match open(bytes) {
        Ok(table) => table,
        Err(e) => return must_be_corruption(e),
    };
    let mut detected = false;
    let mut iter = table.iter();
    let mut position = 0;
    let mut step = iter.seek_to_first();
    while step.is_ok() && iter.valid() {
        assert_eq!(
            (iter.key(), iter.value()),
            (&model[position].0[..], &model[position].1[..]),
            "{context}"
        );
        position += 1;
        step = iter.next();
    }
    match step {
        Ok(()) => assert_eq!(position, model.len(), "{context}: iteration ended early"),
        Err(e) => detected |= must_be_corruption(e),
    }
    for (k, _) in model {
        let user_key = internal_key::user_key(k);
        for snapshot in [SeqNo(50), SeqNo::MAX] {
            match table.get(user_key, snapshot) {
                Ok(got) => assert_eq!(
                    got.map(|(kind, v)| (kind, v.to_vec())),
                    model_get(model, user_key, snapshot),
                    "{context}"
                ),
                Err(e) => detected |= must_be_corruption(e),
            }
        }
    }
    detected
}

#[test]
fn every_single_bit_flip_is_detected_and_never_returns_wrong_data() {
    let model = small_model();
    let (bytes, _) = build(&model, &small_options());
    let table = open(bytes.clone()).unwrap();
    assert!(
        table.properties().data_block_count >= 4,
        "want several data blocks"
    );
    for bit in 0..bytes.len() * 8 {
        let mut damaged = bytes.to_vec();
        damaged[bit / 8] ^= 1 << (bit % 8);
        let context = format!("flip of bit {} of byte {}", bit % 8, bit / 8);
        // Every byte is covered by a checksum that open or a full iteration
        // verifies, so no flip may go unnoticed.
        assert!(
            check_correct_or_corrupt(Bytes::from(damaged), &model, &context),
            "{context} went unnoticed"
        );
    }
}

#[test]
fn bit_rot_on_the_medium_is_reported_with_path_and_offset() {
    let model = small_model();
    let fs = MemFs::new();
    write_table(&fs, &model, &small_options());
    let len = fs.file_len(&table_path()).unwrap();
    // One flip in the first data block, read only when iterating.
    fs.flip_bit(&table_path(), 5, 3).unwrap();
    let table = open(fs.map(&table_path()).unwrap()).unwrap();
    match collect(&mut table.iter()) {
        Err(Error::Corruption { file, offset, .. }) => {
            assert_eq!((file, offset), (table_path(), 0));
        }
        other => panic!("expected corruption, got {other:?}"),
    }
    // One flip in the footer: refused at open, at the footer's checksum.
    fs.flip_bit(&table_path(), len - 20, 0).unwrap();
    match open(fs.map(&table_path()).unwrap()) {
        Err(Error::Corruption { offset, .. }) => {
            assert_eq!(
                offset,
                len - FOOTER_BYTES as u64 + FOOTER_CHECKSUM_OFFSET as u64
            )
        }
        other => panic!("expected corruption, got {other:?}"),
    }
}

#[test]
fn truncated_tables_are_refused() {
    let model = small_model();
    let (bytes, _) = build(&model, &small_options());
    for len in 0..bytes.len() {
        let error = open(bytes.slice(..len)).unwrap_err();
        assert!(error.is_corruption());
    }
}

/// Recomputes the checksums of every block whose handle is given, and of
/// the footer, so that mutated bytes get past the checksums and reach the
/// decoders.
fn reseal(bytes: &mut [u8], handles: &[(u64, u64)]) {
    for &(offset, size) in handles {
        let (start, tag_at) = (offset as usize, (offset + size) as usize);
        let checksum = checksum32(&bytes[start..=tag_at]);
        bytes[tag_at + 1..tag_at + BLOCK_TRAILER_BYTES].copy_from_slice(&checksum.to_le_bytes());
    }
    let footer_start = bytes.len() - FOOTER_BYTES;
    let checksum = checksum32(&bytes[footer_start..footer_start + FOOTER_CHECKSUM_OFFSET]);
    bytes[footer_start + FOOTER_CHECKSUM_OFFSET..footer_start + FOOTER_CHECKSUM_OFFSET + 4]
        .copy_from_slice(&checksum.to_le_bytes());
}

/// The handles (offset, contents size) of every block of a valid table.
fn block_handles(bytes: &Bytes) -> Vec<(u64, u64)> {
    let footer_bytes: [u8; FOOTER_BYTES] = bytes[bytes.len() - FOOTER_BYTES..].try_into().unwrap();
    let footer = Footer::decode(&footer_bytes).unwrap();
    let mut handles = vec![
        (footer.filter.offset, footer.filter.size_bytes),
        (footer.properties.offset, footer.properties.size_bytes),
        (footer.index.offset, footer.index.size_bytes),
    ];
    let start = footer.index.offset as usize;
    let index =
        Block::decode(bytes.slice(start..start + footer.index.size_bytes as usize)).unwrap();
    let mut index = BlockIter::new(index);
    index.seek_to_first().unwrap();
    while index.valid() {
        let handle = BlockHandle::decode_varint(index.value()).unwrap();
        handles.push((handle.offset, handle.size_bytes));
        index.next().unwrap();
    }
    handles
}

/// Runs open, full iteration, gets and seeks without checking results: for
/// inputs whose checksums may have been forged, only "no panic, errors are
/// corruption" can be asked.
fn exercise(bytes: Bytes, probes: &[Vec<u8>]) {
    let Ok(table) = open(bytes) else { return };
    let mut iter = table.iter();
    let mut steps = 0;
    let mut step = iter.seek_to_first();
    while step.is_ok() && iter.valid() {
        let _ = (iter.key(), iter.value());
        steps += 1;
        assert!(steps <= 1_000_000, "iteration does not end");
        step = iter.next();
    }
    if let Err(e) = step {
        assert!(e.is_corruption(), "{e}");
    }
    for probe in probes {
        if let Err(e) = table.get(probe, SeqNo::MAX) {
            assert!(e.is_corruption(), "{e}");
        }
        if let Err(e) = iter.seek(&internal_key::seek_key(probe, SeqNo(40))) {
            assert!(e.is_corruption(), "{e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_sorted_entry_sets_round_trip(
        raw in proptest::collection::btree_map(
            (proptest::collection::vec(any::<u8>(), 0..12), 0u64..1000),
            (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..40)),
            0..300,
        ),
        block_size_bytes in 0usize..600,
        restart_interval in 0usize..20,
        bloom_bits_per_key in 0usize..16,
    ) {
        let mut model: Vec<Entry> = raw
            .into_iter()
            .map(|((user_key, seqno), (is_put, value))| {
                let kind = if is_put { ValueKind::Put } else { ValueKind::Delete };
                (key(&user_key, seqno, kind), if is_put { value } else { Vec::new() })
            })
            .collect();
        model.sort_by(|a, b| internal_key::compare(&a.0, &b.0));
        let options = SsTableOptions { block_size_bytes, bloom_bits_per_key, restart_interval };
        let (bytes, _) = build(&model, &options);
        let table = open(bytes).unwrap();
        check_against_model(&table, &model, &mut Rng(block_size_bytes as u64));
    }

    #[test]
    fn random_bytes_never_panic_the_reader(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        exercise(Bytes::from(bytes), &[b"key001".to_vec(), Vec::new()]);
    }

    #[test]
    fn random_bytes_with_a_valid_footer_never_panic_the_reader(
        mut bytes in proptest::collection::vec(any::<u8>(), 0..400),
        filter_size in 0u64..64,
        properties_size in 0u64..64,
    ) {
        // Forge a footer whose handles tile the end of the garbage, so the
        // block checks and decoders see it.
        let len = bytes.len() as u64;
        let trailers = 3 * BLOCK_TRAILER_BYTES as u64;
        if len >= filter_size + properties_size + trailers {
            let index_size = len - filter_size - properties_size - trailers;
            let footer = Footer {
                filter: BlockHandle { offset: 0, size_bytes: filter_size },
                properties: BlockHandle { offset: filter_size + 5, size_bytes: properties_size },
                index: BlockHandle { offset: filter_size + properties_size + 10, size_bytes: index_size },
            };
            bytes.extend_from_slice(&footer.encode());
            let handles = [(0, filter_size), (filter_size + 5, properties_size), (filter_size + properties_size + 10, index_size)];
            reseal(&mut bytes, &handles);
            exercise(Bytes::from(bytes), &[b"key001".to_vec(), Vec::new()]);
        }
    }

    #[test]
    fn mutated_tables_are_correct_or_corrupt(
        mutations in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let model = small_model();
        let (bytes, _) = build(&model, &small_options());
        let mut damaged = bytes.to_vec();
        let len = damaged.len();
        for (index, byte) in &mutations {
            damaged[index.index(len)] = *byte;
        }
        let changed = damaged != bytes.to_vec();
        let detected = check_correct_or_corrupt(Bytes::from(damaged), &model, "mutation");
        prop_assert!(detected || !changed);
    }

    #[test]
    fn mutated_tables_with_forged_checksums_never_panic(
        mutations in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let model = small_model();
        let (bytes, _) = build(&model, &small_options());
        let handles = block_handles(&bytes);
        let mut damaged = bytes.to_vec();
        let len = damaged.len();
        for (index, byte) in &mutations {
            damaged[index.index(len)] = *byte;
        }
        reseal(&mut damaged, &handles);
        let probes: Vec<Vec<u8>> = model.iter().map(|(k, _)| internal_key::user_key(k).to_vec()).collect();
        exercise(Bytes::from(damaged), &probes);
    }
}

// ---------------------------------------------------------------------------
// Golden example: the worked example of docs/format/sstable.md.

const FORMAT_DOC: &str = include_str!("../../../docs/format/sstable.md");

/// The example table of the format document.
fn golden_entries() -> (Vec<Entry>, SsTableOptions) {
    let entries = vec![
        (key(b"apple", 2, ValueKind::Put), b"red".to_vec()),
        (key(b"apple", 1, ValueKind::Delete), Vec::new()),
        (key(b"cherry", 3, ValueKind::Put), b"dark".to_vec()),
    ];
    let options = SsTableOptions {
        block_size_bytes: 32,
        bloom_bits_per_key: 10,
        restart_interval: 16,
    };
    (entries, options)
}

#[test]
fn golden_example_in_the_format_doc_matches_the_builder() {
    let (entries, options) = golden_entries();
    let (bytes, info) = build(&entries, &options);
    let documented = golden_hex(FORMAT_DOC, "sstable-example-v1");
    assert_eq!(
        hex(&bytes),
        hex(&documented),
        "docs/format/sstable.md is out of date with the builder"
    );
    assert_eq!(info.size_bytes, bytes.len() as u64);
    let table = open(bytes).unwrap();
    assert_eq!(table.properties().data_block_count, 2);
    assert_eq!(collect(&mut table.iter()).unwrap(), entries);
    assert_eq!(
        table.get(b"apple", SeqNo(1)).unwrap().map(|(k, _)| k),
        Some(ValueKind::Delete)
    );
}
