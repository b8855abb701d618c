//! The baseline targets (`--features baselines`): RocksDB, fjall and redb,
//! each driven the way YCSB's own key-value bindings drive a store.
//!
//! A record is one key-value pair: the YCSB key (`user…`) maps to all of the
//! record's fields in one value (the [encoding](encode) below). So, as in
//! YCSB's RocksDB binding:
//!
//! - READ gets the value and decodes every field;
//! - INSERT encodes every field and puts the value;
//! - UPDATE reads the record, replaces the one field and writes the whole
//!   record back (about 1 KB written for a 100-byte field);
//! - SCAN iterates from the start key (inclusive) in key order and decodes up
//!   to `count` records.
//!
//! Every engine gets the same cache budget (`--cache-bytes`, else
//! [`DEFAULT_BASELINE_CACHE_BYTES`](super::DEFAULT_BASELINE_CACHE_BYTES),
//! 1 GiB) and no compression (none of the crates is built with a
//! compression codec).

use std::path::Path;

use anyhow::Context as _;

use super::{DurabilityMode, Field, Target, dir_size_bytes};

mod fjall;
mod redb;
mod rocksdb;

/// Opens baseline `name` (`rocksdb`, `fjall` or `redb`) with its files in
/// `dir` (created if missing), for records of `field_count` fields, with a
/// cache of `cache_bytes`: RocksDB's LRU block cache, fjall's block cache,
/// redb's page cache.
pub fn open(
    name: &str,
    dir: &Path,
    durability: DurabilityMode,
    field_count: usize,
    cache_bytes: usize,
) -> anyhow::Result<Box<dyn Target>> {
    create_dir(dir)?;
    let target: Box<dyn Target> = match name {
        "rocksdb" => Box::new(rocksdb::RocksDb::open(
            dir,
            durability,
            field_count,
            cache_bytes,
        )?),
        "fjall" => Box::new(fjall::Fjall::open(
            dir,
            durability,
            field_count,
            cache_bytes,
        )?),
        "redb" => Box::new(redb::Redb::open(dir, durability, field_count, cache_bytes)?),
        other => anyhow::bail!("`{other}` is not a baseline: expected rocksdb, fjall or redb"),
    };
    Ok(target)
}

// The baselines' files belong to the engines, which do their own I/O; only
// their directory is made here.
#[allow(clippy::disallowed_methods)]
fn create_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// One decoded field: name and value, borrowed from the encoded record.
pub type FieldRef<'a> = (&'a [u8], &'a [u8]);

/// Encodes a record's fields into one value, little-endian and
/// length-prefixed: a `u16` field count, then for each field a `u16` name
/// length, the name, a `u32` value length and the value.
pub fn encode<'a, I>(fields: I) -> anyhow::Result<Vec<u8>>
where
    I: IntoIterator<Item = FieldRef<'a>>,
    I::IntoIter: Clone,
{
    let fields = fields.into_iter();
    let size = 2 + fields
        .clone()
        .map(|(name, value)| 2 + name.len() + 4 + value.len())
        .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&[0, 0]);
    let mut count = 0usize;
    for (name, value) in fields {
        let name_len = u16::try_from(name.len())
            .with_context(|| format!("a field name of {} bytes is too long", name.len()))?;
        let value_len = u32::try_from(value.len())
            .with_context(|| format!("a field value of {} bytes is too long", value.len()))?;
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(name);
        out.extend_from_slice(&value_len.to_le_bytes());
        out.extend_from_slice(value);
        count += 1;
    }
    let count = u16::try_from(count).with_context(|| format!("{count} fields are too many"))?;
    out[..2].copy_from_slice(&count.to_le_bytes());
    Ok(out)
}

/// Encodes a record given as the trait's [`Field`]s.
pub fn encode_record(fields: &[Field]) -> anyhow::Result<Vec<u8>> {
    encode(
        fields
            .iter()
            .map(|(name, value)| (name.as_bytes(), value.as_slice())),
    )
}

/// Decodes every field of an [encoded](encode) record, checking that each
/// length stays inside the value and that nothing follows the last field.
pub fn decode(value: &[u8]) -> anyhow::Result<Vec<FieldRef<'_>>> {
    let mut rest = value;
    let count = usize::from(u16::from_le_bytes(take_array(&mut rest)?));
    // A field takes at least 6 bytes, so a corrupt count cannot make a huge
    // allocation.
    let mut fields = Vec::with_capacity(count.min(rest.len() / 6));
    for _ in 0..count {
        let name_len = usize::from(u16::from_le_bytes(take_array(&mut rest)?));
        let name = take(&mut rest, name_len)?;
        let value_len = u32::from_le_bytes(take_array(&mut rest)?);
        let field = take(&mut rest, usize::try_from(value_len)?)?;
        fields.push((name, field));
    }
    anyhow::ensure!(
        rest.is_empty(),
        "corrupt record: {} bytes follow its {count} fields",
        rest.len()
    );
    Ok(fields)
}

/// Decodes a record as READ and SCAN do (every field), returning how many
/// fields it has.
pub fn decoded_field_count(value: &[u8]) -> anyhow::Result<usize> {
    let fields = decode(value)?;
    std::hint::black_box(&fields);
    Ok(fields.len())
}

/// The record `old` with field `field` set to `value` (added if the record
/// lacked it), as YCSB's RocksDB binding builds an UPDATE's new value.
pub fn replace_field(old: &[u8], field: &str, value: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut fields = decode(old)?;
    match fields
        .iter_mut()
        .find(|(name, _)| *name == field.as_bytes())
    {
        Some(slot) => slot.1 = value,
        None => fields.push((field.as_bytes(), value)),
    }
    encode(fields.iter().copied())
}

fn take<'a>(rest: &mut &'a [u8], len: usize) -> anyhow::Result<&'a [u8]> {
    anyhow::ensure!(
        rest.len() >= len,
        "corrupt record: a length of {len} bytes runs past its end ({} bytes left)",
        rest.len()
    );
    let (head, tail) = rest.split_at(len);
    *rest = tail;
    Ok(head)
}

fn take_array<const N: usize>(rest: &mut &[u8]) -> anyhow::Result<[u8; N]> {
    let bytes = take(rest, N)?;
    Ok(bytes.try_into().expect("take returned N bytes"))
}

/// The error an UPDATE of a missing record returns (YCSB's NOT_FOUND).
fn not_found(key: &str) -> anyhow::Error {
    anyhow::anyhow!("update of `{key}`: no such record")
}

#[cfg(all(test, feature = "baselines"))]
mod tests {
    use std::path::PathBuf;

    use super::super::DEFAULT_BASELINE_CACHE_BYTES;
    use super::*;

    #[test]
    fn codec_round_trips() {
        let fields: Vec<Field> = vec![
            ("field0".into(), b"alpha".to_vec()),
            ("field1".into(), Vec::new()),
            ("f".repeat(300), vec![b'x'; 70_000]),
        ];
        let encoded = encode_record(&fields).unwrap();
        assert_eq!(
            encoded.len(),
            2 + (2 + 6 + 4 + 5) + (2 + 6 + 4) + (2 + 300 + 4 + 70_000)
        );
        let decoded = decode(&encoded).unwrap();
        assert_eq!(decoded.len(), 3);
        for ((name, value), (dname, dvalue)) in fields.iter().zip(&decoded) {
            assert_eq!(name.as_bytes(), *dname);
            assert_eq!(value.as_slice(), *dvalue);
        }
        assert_eq!(decoded_field_count(&encoded).unwrap(), 3);
        assert_eq!(decode(&encode_record(&[]).unwrap()).unwrap(), vec![]);
    }

    #[test]
    fn codec_rejects_truncated_and_trailing_input() {
        let fields: Vec<Field> = vec![
            ("field0".into(), b"one".to_vec()),
            ("field1".into(), b"two".to_vec()),
        ];
        let encoded = encode_record(&fields).unwrap();
        for len in 0..encoded.len() {
            assert!(
                decode(&encoded[..len]).is_err(),
                "a prefix of {len} of {} bytes decoded",
                encoded.len()
            );
        }
        let mut longer = encoded.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        // A count larger than the fields present.
        let mut recounted = encoded;
        recounted[0] = 3;
        assert!(decode(&recounted).is_err());
    }

    #[test]
    fn codec_rejects_oversized_names() {
        let long = "n".repeat(usize::from(u16::MAX) + 1);
        assert!(encode_record(&[(long, b"v".to_vec())]).is_err());
    }

    #[test]
    fn replace_field_replaces_or_adds() {
        let fields: Vec<Field> = vec![
            ("field0".into(), b"zero".to_vec()),
            ("field1".into(), b"one".to_vec()),
        ];
        let encoded = encode_record(&fields).unwrap();
        let replaced = replace_field(&encoded, "field1", b"ONE!").unwrap();
        assert_eq!(
            decode(&replaced).unwrap(),
            vec![
                (&b"field0"[..], &b"zero"[..]),
                (&b"field1"[..], &b"ONE!"[..])
            ]
        );
        let added = replace_field(&encoded, "field7", b"seven").unwrap();
        assert_eq!(decode(&added).unwrap().len(), 3);
        assert!(replace_field(&encoded[..5], "field1", b"x").is_err());
    }

    #[test]
    fn open_rejects_unknown_names() {
        let dir = TempDir::new("unknown");
        assert!(open("leveldb", &dir.0, DurabilityMode::None, 3, 1 << 20).is_err());
    }

    /// A directory under the system temp dir, removed on drop.
    pub(super) struct TempDir(pub PathBuf);

    impl TempDir {
        pub(super) fn new(tag: &str) -> Self {
            use std::sync::atomic::{AtomicU32, Ordering};
            static NEXT: AtomicU32 = AtomicU32::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!(
                "dynacore-bench-baselines-{tag}-{}-{n}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&path);
            create_dir(&path).unwrap();
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// The round trip every baseline must pass: insert, read, update, scan,
    /// with records of 3 fields; then reopen and read again.
    pub(super) fn round_trip(name: &str, durability: DurabilityMode) {
        let dir = TempDir::new(name);
        let record = |tag: &str| -> Vec<Field> {
            (0..3)
                .map(|i| (format!("field{i}"), format!("{tag}-value-{i}").into_bytes()))
                .collect()
        };
        {
            let target = open(name, &dir.0, durability, 3, DEFAULT_BASELINE_CACHE_BYTES).unwrap();
            assert_eq!(target.name(), name);
            assert!(target.settings().contains("1 GiB"), "{}", target.settings());
            assert_eq!(target.cache_stats(), None);
            assert_eq!(target.read("user1").unwrap(), 0);
            assert!(target.update("user1", "field0", b"x").is_err());
            assert_eq!(target.scan("user0", 10).unwrap(), 0);

            for key in ["user3", "user1", "user5", "user2", "user4"] {
                target.insert(key, &record(key)).unwrap();
            }
            assert_eq!(target.read("user3").unwrap(), 3);
            assert_eq!(target.read("user0").unwrap(), 0);

            target.update("user3", "field1", b"updated").unwrap();
            assert_eq!(target.read("user3").unwrap(), 3);

            // Inclusive start, key order, limited by count and by the end.
            assert_eq!(target.scan("user2", 2).unwrap(), 2);
            assert_eq!(target.scan("user2", 10).unwrap(), 4);
            assert_eq!(target.scan("user25", 10).unwrap(), 3);
            assert_eq!(target.scan("user0", 100).unwrap(), 5);
            assert_eq!(target.scan("user6", 10).unwrap(), 0);
            assert_eq!(target.scan("user1", 0).unwrap(), 0);
            assert!(target.disk_bytes() > 0);

            // Shared by client threads, as the driver shares it.
            std::thread::scope(|scope| {
                for thread in 0..2 {
                    let target = &target;
                    scope.spawn(move || {
                        for i in 0..50 {
                            let key = format!("user9{thread}{i:02}");
                            target.insert(&key, &record(&key)).unwrap();
                            target.update(&key, "field2", b"again").unwrap();
                            assert_eq!(target.read(&key).unwrap(), 3);
                        }
                    });
                }
            });
            assert_eq!(target.scan("user9", 1000).unwrap(), 100);
        }
        // The records (and the update) survive a close and reopen.
        let target = open(name, &dir.0, durability, 3, DEFAULT_BASELINE_CACHE_BYTES).unwrap();
        assert_eq!(target.read("user3").unwrap(), 3);
        assert_eq!(target.scan("user0", 1000).unwrap(), 105);
    }

    /// `--cache-bytes` reaches the engine and its settings text, 0 included.
    pub(super) fn cache_size_is_stated(name: &str) {
        for (bytes, words) in [(0, "0 bytes"), (64 << 20, "64 MiB")] {
            let dir = TempDir::new(&format!("{name}-cache"));
            let target = open(name, &dir.0, DurabilityMode::None, 3, bytes).unwrap();
            let settings = target.settings();
            assert!(settings.contains(words), "{settings}");
            target
                .insert("user1", &[("field0".into(), b"v".to_vec())])
                .unwrap();
            assert_eq!(target.read("user1").unwrap(), 1);
        }
    }

    /// Checks, through an engine's raw value, that an UPDATE replaced one
    /// field and left the others alone.
    pub(super) fn update_replaces_one_field<T: Target>(
        target: &T,
        raw: impl Fn(&T, &str) -> Option<Vec<u8>>,
    ) {
        let fields: Vec<Field> = (0..3)
            .map(|i| (format!("field{i}"), format!("old-{i}").into_bytes()))
            .collect();
        target.insert("user7", &fields).unwrap();
        target.update("user7", "field1", b"new-1").unwrap();
        let value = raw(target, "user7").expect("user7 was inserted");
        assert_eq!(
            decode(&value).unwrap(),
            vec![
                (&b"field0"[..], &b"old-0"[..]),
                (&b"field1"[..], &b"new-1"[..]),
                (&b"field2"[..], &b"old-2"[..]),
            ]
        );
        assert!(raw(target, "user8").is_none());
    }

    /// `Target` requires `Send + Sync`; check each concrete type too.
    #[test]
    fn targets_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<rocksdb::RocksDb>();
        send_sync::<fjall::Fjall>();
        send_sync::<redb::Redb>();
    }

    #[test]
    fn dir_is_created() {
        let dir = TempDir::new("nested");
        let nested = dir.0.join("a").join("b");
        let target = open("redb", &nested, DurabilityMode::None, 3, 1 << 20).unwrap();
        assert!(nested.is_dir());
        drop(target);
    }
}
