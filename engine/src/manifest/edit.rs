//! [`VersionEdit`]: one change to an LSM's state, as recorded in the manifest,
//! and [`FileMeta`], what the manifest knows about one SSTable.
//!
//! Pure code, no I/O: the manifest file (`super::file`) stores one encoded
//! edit per record; recovery replays them in order. An edit is a sequence of
//! tagged fields, each an explicit `#[repr(u8)]` [`EditTag`] followed by the
//! field's bytes. Tags are never reused; an unknown tag is an error, so an
//! older build refuses a manifest written by a newer one instead of
//! silently dropping state. Decoding is bounds-checked and never panics.
//!
//! Invariants of an encodable edit (checked by assertions in
//! [`VersionEdit::encode`], since breaking them is the caller's bug, and
//! checked again as errors by [`VersionEdit::decode`], since disk bytes are
//! untrusted): levels are below [`LEVEL_COUNT`], keys and descriptions are
//! within their limits, `tombstone_count <= entry_count`, sequence numbers
//! are at most [`SeqNo::MAX`].
//!
//! Format and worked example: `docs/format/manifest.md`.

use crate::coding::internal_key::TRAILER_BYTES;
use crate::coding::{DecodeError, Decoder, put_length_prefixed, put_varint};
use crate::ids::{FileNumber, SeqNo, TableId};
use crate::limits::{ENCODED_KEY_BYTES_MAX, LEVEL_COUNT};

/// The longest internal key (user key plus trailer) a [`FileMeta`] can hold.
pub const INTERNAL_KEY_BYTES_MAX: usize = ENCODED_KEY_BYTES_MAX + TRAILER_BYTES;

use crate::limits::TABLE_DESCRIPTION_BYTES_MAX;

const _: () = assert!(INTERNAL_KEY_BYTES_MAX > ENCODED_KEY_BYTES_MAX);
const _: () =
    assert!((TABLE_DESCRIPTION_BYTES_MAX as u64) < crate::limits::MANIFEST_SIZE_BYTES_MAX);

/// The tag before each field of an encoded [`VersionEdit`]. Values are on
/// disk and never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum EditTag {
    /// `log_number`: varint.
    LogNumber = 1,
    /// `next_file_number`: varint.
    NextFileNumber = 2,
    /// `last_seqno`: varint, at most [`SeqNo::MAX`].
    LastSeqNo = 3,
    /// `next_table_id`: varint, at most `u32::MAX`.
    NextTableId = 4,
    /// One of `added_files`: level varint, then a [`FileMeta`].
    AddedFile = 5,
    /// One of `deleted_files`: level varint, file number varint.
    DeletedFile = 6,
    /// One of `created_tables`: table id varint, length-prefixed description.
    CreatedTable = 7,
    /// One of `deleted_tables`: table id varint.
    DeletedTable = 8,
    /// `shard_count`: varint, at most `u32::MAX`.
    ShardCount = 9,
    /// One of `updated_tables`: table id varint, length-prefixed description
    /// that replaces the live table's description.
    UpdatedTable = 10,
}

impl EditTag {
    /// Decodes a stored tag; `None` for values no build has assigned.
    pub fn from_u8(byte: u8) -> Option<EditTag> {
        Some(match byte {
            1 => EditTag::LogNumber,
            2 => EditTag::NextFileNumber,
            3 => EditTag::LastSeqNo,
            4 => EditTag::NextTableId,
            5 => EditTag::AddedFile,
            6 => EditTag::DeletedFile,
            7 => EditTag::CreatedTable,
            8 => EditTag::DeletedTable,
            9 => EditTag::ShardCount,
            10 => EditTag::UpdatedTable,
            _ => return None,
        })
    }
}

/// What the manifest records about one SSTable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// The table's file number (`<number>.sst`).
    pub number: FileNumber,
    /// The file's size.
    pub size_bytes: u64,
    /// Entries in the table, tombstones included.
    pub entry_count: u64,
    /// Entries that are deletes.
    pub tombstone_count: u64,
    /// The smallest internal key in the table.
    pub smallest_key: Vec<u8>,
    /// The largest internal key in the table.
    pub largest_key: Vec<u8>,
}

/// One change to the LSM's state; every field is optional or may be empty.
/// A full snapshot of the state is also a `VersionEdit` (the first record of
/// every manifest).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VersionEdit {
    /// WALs numbered below this are obsolete: their contents are in tables.
    pub log_number: Option<FileNumber>,
    /// The next file number to allocate.
    pub next_file_number: Option<FileNumber>,
    /// The last sequence number assigned.
    pub last_seqno: Option<SeqNo>,
    /// The next table id to allocate.
    pub next_table_id: Option<TableId>,
    /// Tables added, with their levels.
    pub added_files: Vec<(usize, FileMeta)>,
    /// Tables removed, by level and number.
    pub deleted_files: Vec<(usize, FileNumber)>,
    /// Tables (in the catalog sense) created, each with an opaque encoded
    /// description owned by the catalog.
    pub created_tables: Vec<(TableId, Vec<u8>)>,
    /// Tables (in the catalog sense) deleted.
    pub deleted_tables: Vec<TableId>,
    /// The number of shards the database was created with.
    pub shard_count: Option<u32>,
    /// Live tables whose description is replaced (UpdateTable), each with
    /// the new opaque description. Replayed after `created_tables` and
    /// before `deleted_tables`; the table must be live when replayed.
    pub updated_tables: Vec<(TableId, Vec<u8>)>,
}

impl VersionEdit {
    /// The edit's encoding: its fields in tag order, each tag then value.
    ///
    /// Panics if the edit breaks an invariant listed in the module docs (a
    /// bug in the caller: such an edit could not be replayed).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(number) = self.log_number {
            out.push(EditTag::LogNumber as u8);
            put_varint(&mut out, number.0);
        }
        if let Some(number) = self.next_file_number {
            out.push(EditTag::NextFileNumber as u8);
            put_varint(&mut out, number.0);
        }
        if let Some(seqno) = self.last_seqno {
            assert!(seqno <= SeqNo::MAX, "last_seqno {seqno} exceeds SeqNo::MAX");
            out.push(EditTag::LastSeqNo as u8);
            put_varint(&mut out, seqno.0);
        }
        if let Some(id) = self.next_table_id {
            out.push(EditTag::NextTableId as u8);
            put_varint(&mut out, u64::from(id.0));
        }
        for (level, meta) in &self.added_files {
            assert!(*level < LEVEL_COUNT, "level {level} out of range");
            assert!(meta.tombstone_count <= meta.entry_count);
            assert!(meta.smallest_key.len() <= INTERNAL_KEY_BYTES_MAX);
            assert!(meta.largest_key.len() <= INTERNAL_KEY_BYTES_MAX);
            out.push(EditTag::AddedFile as u8);
            put_varint(&mut out, *level as u64);
            put_varint(&mut out, meta.number.0);
            put_varint(&mut out, meta.size_bytes);
            put_varint(&mut out, meta.entry_count);
            put_varint(&mut out, meta.tombstone_count);
            put_length_prefixed(&mut out, &meta.smallest_key);
            put_length_prefixed(&mut out, &meta.largest_key);
        }
        for (level, number) in &self.deleted_files {
            assert!(*level < LEVEL_COUNT, "level {level} out of range");
            out.push(EditTag::DeletedFile as u8);
            put_varint(&mut out, *level as u64);
            put_varint(&mut out, number.0);
        }
        for (id, description) in &self.created_tables {
            assert!(description.len() <= TABLE_DESCRIPTION_BYTES_MAX);
            out.push(EditTag::CreatedTable as u8);
            put_varint(&mut out, u64::from(id.0));
            put_length_prefixed(&mut out, description);
        }
        for id in &self.deleted_tables {
            out.push(EditTag::DeletedTable as u8);
            put_varint(&mut out, u64::from(id.0));
        }
        if let Some(count) = self.shard_count {
            out.push(EditTag::ShardCount as u8);
            put_varint(&mut out, u64::from(count));
        }
        for (id, description) in &self.updated_tables {
            assert!(description.len() <= TABLE_DESCRIPTION_BYTES_MAX);
            out.push(EditTag::UpdatedTable as u8);
            put_varint(&mut out, u64::from(id.0));
            put_length_prefixed(&mut out, description);
        }
        out
    }

    /// Decodes an edit.
    ///
    /// Errors: a [`DecodeError`] (offset within `bytes`) for an unknown tag,
    /// a field given twice that may appear once, a truncated field, or a
    /// value outside its range (level, key length, counts, ids).
    pub fn decode(bytes: &[u8]) -> Result<VersionEdit, DecodeError> {
        let mut decoder = Decoder::new(bytes);
        let mut edit = VersionEdit::default();
        while !decoder.is_empty() {
            let tag_offset = decoder.position();
            let tag = EditTag::from_u8(decoder.u8()?).ok_or(DecodeError {
                offset: tag_offset,
                reason: "unknown version edit tag",
            })?;
            let duplicate = DecodeError {
                offset: tag_offset,
                reason: "version edit field appears twice",
            };
            match tag {
                EditTag::LogNumber => {
                    let value = FileNumber(decoder.varint()?);
                    set_once(&mut edit.log_number, value, duplicate)?;
                }
                EditTag::NextFileNumber => {
                    let value = FileNumber(decoder.varint()?);
                    set_once(&mut edit.next_file_number, value, duplicate)?;
                }
                EditTag::LastSeqNo => {
                    let value_offset = decoder.position();
                    let value = SeqNo(decoder.varint()?);
                    if value > SeqNo::MAX {
                        return Err(DecodeError {
                            offset: value_offset,
                            reason: "sequence number exceeds the largest assignable one",
                        });
                    }
                    set_once(&mut edit.last_seqno, value, duplicate)?;
                }
                EditTag::NextTableId => {
                    let value = table_id(&mut decoder)?;
                    set_once(&mut edit.next_table_id, value, duplicate)?;
                }
                EditTag::AddedFile => {
                    let level = level(&mut decoder)?;
                    let number = FileNumber(decoder.varint()?);
                    let size_bytes = decoder.varint()?;
                    let entry_count = decoder.varint()?;
                    let count_offset = decoder.position();
                    let tombstone_count = decoder.varint()?;
                    if tombstone_count > entry_count {
                        return Err(DecodeError {
                            offset: count_offset,
                            reason: "more tombstones than entries",
                        });
                    }
                    let smallest_key = decoder.length_prefixed(INTERNAL_KEY_BYTES_MAX)?.to_vec();
                    let largest_key = decoder.length_prefixed(INTERNAL_KEY_BYTES_MAX)?.to_vec();
                    edit.added_files.push((
                        level,
                        FileMeta {
                            number,
                            size_bytes,
                            entry_count,
                            tombstone_count,
                            smallest_key,
                            largest_key,
                        },
                    ));
                }
                EditTag::DeletedFile => {
                    let level = level(&mut decoder)?;
                    let number = FileNumber(decoder.varint()?);
                    edit.deleted_files.push((level, number));
                }
                EditTag::CreatedTable => {
                    let id = table_id(&mut decoder)?;
                    let description = decoder
                        .length_prefixed(TABLE_DESCRIPTION_BYTES_MAX)?
                        .to_vec();
                    edit.created_tables.push((id, description));
                }
                EditTag::DeletedTable => {
                    let id = table_id(&mut decoder)?;
                    edit.deleted_tables.push(id);
                }
                EditTag::ShardCount => {
                    let value = decoder.varint_at_most(u32::MAX as usize)? as u32;
                    set_once(&mut edit.shard_count, value, duplicate)?;
                }
                EditTag::UpdatedTable => {
                    let id = table_id(&mut decoder)?;
                    let description = decoder
                        .length_prefixed(TABLE_DESCRIPTION_BYTES_MAX)?
                        .to_vec();
                    edit.updated_tables.push((id, description));
                }
            }
        }
        Ok(edit)
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, duplicate: DecodeError) -> Result<(), DecodeError> {
    if slot.is_some() {
        return Err(duplicate);
    }
    *slot = Some(value);
    Ok(())
}

fn level(decoder: &mut Decoder<'_>) -> Result<usize, DecodeError> {
    let start = decoder.position();
    let value = decoder.varint()?;
    if value >= LEVEL_COUNT as u64 {
        return Err(DecodeError {
            offset: start,
            reason: "level out of range",
        });
    }
    Ok(value as usize)
}

fn table_id(decoder: &mut Decoder<'_>) -> Result<TableId, DecodeError> {
    Ok(TableId(decoder.varint_at_most(u32::MAX as usize)? as u32))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::coding::internal_key::{ValueKind, encode};
    use proptest::prelude::*;

    /// An edit using every field.
    pub(crate) fn sample_edit() -> VersionEdit {
        VersionEdit {
            log_number: Some(FileNumber(12)),
            next_file_number: Some(FileNumber(20)),
            last_seqno: Some(SeqNo(1_000_000)),
            next_table_id: Some(TableId(4)),
            added_files: vec![
                (
                    0,
                    FileMeta {
                        number: FileNumber(18),
                        size_bytes: 4096,
                        entry_count: 10,
                        tombstone_count: 2,
                        smallest_key: encode(b"apple", SeqNo(9), ValueKind::Put),
                        largest_key: encode(b"pear", SeqNo(3), ValueKind::Delete),
                    },
                ),
                (
                    LEVEL_COUNT - 1,
                    FileMeta {
                        number: FileNumber(19),
                        size_bytes: u64::MAX,
                        entry_count: 0,
                        tombstone_count: 0,
                        smallest_key: Vec::new(),
                        largest_key: Vec::new(),
                    },
                ),
            ],
            deleted_files: vec![(1, FileNumber(7)), (2, FileNumber(8))],
            created_tables: vec![(TableId(3), b"{\"name\":\"users\"}".to_vec())],
            deleted_tables: vec![TableId(2)],
            shard_count: Some(4),
            updated_tables: vec![(TableId(1), b"{\"name\":\"orders\"}".to_vec())],
        }
    }

    fn arbitrary_edit() -> impl Strategy<Value = VersionEdit> {
        let meta = (
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            proptest::collection::vec(any::<u8>(), 0..24),
            proptest::collection::vec(any::<u8>(), 0..24),
        )
            .prop_map(
                |(number, size_bytes, a, b, smallest_key, largest_key)| FileMeta {
                    number: FileNumber(number),
                    size_bytes,
                    entry_count: a.max(b),
                    tombstone_count: a.min(b),
                    smallest_key,
                    largest_key,
                },
            );
        (
            (
                proptest::option::of(any::<u64>()),
                proptest::option::of(any::<u64>()),
                proptest::option::of(0..=SeqNo::MAX.0),
                proptest::option::of(any::<u32>()),
                proptest::option::of(any::<u32>()),
            ),
            proptest::collection::vec((0..LEVEL_COUNT, meta), 0..4),
            proptest::collection::vec((0..LEVEL_COUNT, any::<u64>()), 0..4),
            proptest::collection::vec(
                (any::<u32>(), proptest::collection::vec(any::<u8>(), 0..32)),
                0..3,
            ),
            proptest::collection::vec(any::<u32>(), 0..3),
            proptest::collection::vec(
                (any::<u32>(), proptest::collection::vec(any::<u8>(), 0..32)),
                0..3,
            ),
        )
            .prop_map(
                |((log, next, seqno, table, shards), added, deleted, created, dropped, updated)| {
                    VersionEdit {
                        log_number: log.map(FileNumber),
                        next_file_number: next.map(FileNumber),
                        last_seqno: seqno.map(SeqNo),
                        next_table_id: table.map(TableId),
                        added_files: added,
                        deleted_files: deleted
                            .into_iter()
                            .map(|(l, n)| (l, FileNumber(n)))
                            .collect(),
                        created_tables: created
                            .into_iter()
                            .map(|(id, d)| (TableId(id), d))
                            .collect(),
                        deleted_tables: dropped.into_iter().map(TableId).collect(),
                        shard_count: shards,
                        updated_tables: updated
                            .into_iter()
                            .map(|(id, d)| (TableId(id), d))
                            .collect(),
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn manifest_edit_round_trips(edit in arbitrary_edit()) {
            prop_assert_eq!(VersionEdit::decode(&edit.encode()).unwrap(), edit);
        }

        #[test]
        fn manifest_edit_decode_never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = VersionEdit::decode(&bytes);
        }

        #[test]
        fn manifest_edit_decode_never_panics_on_mutations(
            edit in arbitrary_edit(),
            flips in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..8), 1..4),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = edit.encode();
            if !bytes.is_empty() {
                for (index, bit) in flips {
                    let i = index.index(bytes.len());
                    bytes[i] ^= 1 << bit;
                }
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            if let Ok(decoded) = VersionEdit::decode(&bytes) {
                // Whatever decodes must re-encode (its invariants hold).
                let _ = decoded.encode();
            }
        }
    }

    #[test]
    fn manifest_edit_empty_encodes_to_nothing() {
        assert!(VersionEdit::default().encode().is_empty());
        assert_eq!(VersionEdit::decode(&[]).unwrap(), VersionEdit::default());
        assert_eq!(
            VersionEdit::decode(&sample_edit().encode()).unwrap(),
            sample_edit()
        );
    }

    #[test]
    fn manifest_edit_decode_rejects_bad_fields() {
        // Unknown tag, and the reserved 0.
        assert_eq!(VersionEdit::decode(&[11, 1]).unwrap_err().offset, 0);
        assert!(VersionEdit::decode(&[0]).is_err());
        // A singleton given twice.
        assert_eq!(
            VersionEdit::decode(&[EditTag::LogNumber as u8, 1, EditTag::LogNumber as u8, 2])
                .unwrap_err()
                .offset,
            2
        );
        // Level out of range.
        assert!(VersionEdit::decode(&[EditTag::DeletedFile as u8, LEVEL_COUNT as u8, 1]).is_err());
        // More tombstones than entries.
        assert!(VersionEdit::decode(&[EditTag::AddedFile as u8, 0, 1, 1, 1, 2, 0, 0]).is_err());
        assert!(VersionEdit::decode(&[EditTag::AddedFile as u8, 0, 1, 1, 2, 1, 0, 0]).is_ok());
        // Truncated field.
        assert!(VersionEdit::decode(&[EditTag::AddedFile as u8, 0, 1, 1, 2, 1, 0]).is_err());
        // Table id and shard count over u32.
        let mut bytes = vec![EditTag::DeletedTable as u8];
        put_varint(&mut bytes, u64::from(u32::MAX) + 1);
        assert!(VersionEdit::decode(&bytes).is_err());
        // Sequence number past SeqNo::MAX.
        let mut bytes = vec![EditTag::LastSeqNo as u8];
        put_varint(&mut bytes, SeqNo::MAX.0 + 1);
        assert!(VersionEdit::decode(&bytes).is_err());
    }
}
