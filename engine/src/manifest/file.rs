//! Manifest files on disk: `MANIFEST-<n>` logs of [`VersionEdit`]s, and
//! `CURRENT`, which names the live one.
//!
//! A manifest uses the WAL's record framing (`docs/format/wal.md`): each
//! record is one encoded edit, checksummed, so a crash in the middle of an
//! append leaves a torn tail that reading drops (that edit was never
//! acknowledged). Owned by one shard's thread: its LSM appends edits and
//! decides when to rotate (create a new manifest holding a snapshot, then
//! delete the old one); recovery reads.
//!
//! Invariants:
//! - An edit is durable before [`ManifestWriter::append`] returns.
//! - `CURRENT` only ever names a manifest whose first record (a snapshot of
//!   the whole state) is durable, and `CURRENT` itself is replaced
//!   atomically: write `CURRENT.tmp`, sync it, rename it over `CURRENT`,
//!   sync the directory. A crash at any point leaves `CURRENT` naming
//!   either the old manifest or the new one, both complete.
//!
//! Format and crash-safety argument: `docs/format/manifest.md`.

use std::path::Path;

use super::VersionEdit;
use crate::filenames::{
    self, CURRENT, FileKind, current_path, manifest_name, manifest_path, temp_path,
};
use crate::ids::FileNumber;
use crate::io::Fs;
use crate::wal::{WalReader, WalWriter};
use crate::{Error, Result};

/// The longest `CURRENT` file accepted: `MANIFEST-` plus a 20-digit number
/// and a newline fits well within it.
const CURRENT_SIZE_BYTES_MAX: usize = 64;

/// Appends edits to the live manifest; see the module docs.
#[derive(Debug)]
pub struct ManifestWriter {
    log: WalWriter,
    number: FileNumber,
}

impl ManifestWriter {
    /// Appends `edit` and syncs it: it is durable when this returns `Ok`.
    ///
    /// Errors: [`Error::Validation`] if the encoded edit exceeds the record
    /// size limit; an I/O error from the append or sync, after which every
    /// later append fails with [`Error::Poisoned`] (the caller rotates to a
    /// new manifest or stops). Panics if `edit` breaks an invariant of
    /// [`VersionEdit::encode`].
    pub fn append(&mut self, edit: &VersionEdit) -> Result<()> {
        self.log.add_record(&edit.encode())?;
        self.log.sync()
    }

    /// The manifest's size so far (the caller rotates past a limit).
    pub fn size_bytes(&self) -> u64 {
        self.log.size_bytes()
    }

    /// The manifest's file number.
    pub fn number(&self) -> FileNumber {
        self.number
    }

    /// The manifest's path.
    pub fn path(&self) -> &Path {
        self.log.path()
    }
}

/// Creates `MANIFEST-<number>` in `dir` holding `snapshot` (the whole state)
/// and makes `CURRENT` name it, in this order, each step durable before the
/// next: write and sync the manifest, sync the directory, write and sync
/// `CURRENT.tmp`, rename it to `CURRENT`, sync the directory. The caller may
/// delete the previous manifest once this returns `Ok`.
///
/// Errors: any I/O error; `CURRENT` then still names the previous manifest
/// or (if the failure came after the rename) the new one, both complete.
pub fn create_manifest(
    fs: &dyn Fs,
    dir: &Path,
    number: FileNumber,
    snapshot: &VersionEdit,
) -> Result<ManifestWriter> {
    let path = manifest_path(dir, number);
    let mut log = WalWriter::new(fs.create(&path)?);
    log.add_record(&snapshot.encode())?;
    log.sync()?;
    fs.sync_dir(dir)?;
    set_current(fs, dir, number)?;
    Ok(ManifestWriter { log, number })
}

/// Atomically points `CURRENT` at `MANIFEST-<number>`.
fn set_current(fs: &dyn Fs, dir: &Path, number: FileNumber) -> Result<()> {
    let temp = temp_path(dir, CURRENT);
    let mut file = fs.create(&temp)?;
    file.append(format!("{}\n", manifest_name(number)).as_bytes())?;
    file.sync_data()?;
    drop(file);
    fs.rename(&temp, &current_path(dir))?;
    fs.sync_dir(dir)
}

/// The number of the manifest `CURRENT` in `dir` names, or `None` if there
/// is no `CURRENT` (a new database).
///
/// Errors: [`Error::Corruption`] if `CURRENT` is not exactly
/// `MANIFEST-<number>\n` as [`create_manifest`] writes it; I/O errors.
pub fn read_current(fs: &dyn Fs, dir: &Path) -> Result<Option<FileNumber>> {
    let path = current_path(dir);
    if !fs.exists(&path)? {
        return Ok(None);
    }
    let bytes = fs.map(&path)?;
    let malformed = || {
        let shown = bytes[..bytes.len().min(CURRENT_SIZE_BYTES_MAX)].escape_ascii();
        Error::corruption(
            &path,
            0,
            format!("CURRENT should hold \"MANIFEST-<number>\\n\" but holds \"{shown}\""),
        )
    };
    if bytes.len() > CURRENT_SIZE_BYTES_MAX {
        return Err(malformed());
    }
    let name = bytes
        .strip_suffix(b"\n")
        .and_then(|name| std::str::from_utf8(name).ok())
        .ok_or_else(malformed)?;
    match filenames::parse(name) {
        // Only the canonical spelling: the file looked up is `manifest_name(n)`.
        Some(FileKind::Manifest(number)) if manifest_name(number) == name => Ok(Some(number)),
        _ => Err(malformed()),
    }
}

/// Every edit in `MANIFEST-<number>` in `dir`, in order. A torn last record
/// (an append cut short by a crash, never acknowledged) is dropped.
///
/// Errors: [`Error::Corruption`] naming the file and offset if the manifest
/// is missing, holds no edit, has a damaged record followed by valid ones,
/// or holds a record that does not decode as an edit; I/O errors.
pub fn read_manifest(fs: &dyn Fs, dir: &Path, number: FileNumber) -> Result<Vec<VersionEdit>> {
    let path = manifest_path(dir, number);
    if !fs.exists(&path)? {
        return Err(Error::corruption(
            &path,
            0,
            "CURRENT names this manifest but it does not exist",
        ));
    }
    let mut reader = WalReader::new(&path, fs.map(&path)?);
    let mut edits = Vec::new();
    while let Some(record) = reader.next_record()? {
        let edit = VersionEdit::decode(&record).map_err(|error| {
            Error::corruption(
                &path,
                reader.last_record_offset(),
                format!("undecodable version edit: {error} within the record"),
            )
        })?;
        edits.push(edit);
    }
    if edits.is_empty() {
        // create_manifest makes the snapshot durable before CURRENT names
        // the file, so an empty manifest means lost or damaged bytes.
        return Err(Error::corruption(
            &path,
            0,
            "the manifest holds no complete edit",
        ));
    }
    Ok(edits)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::coding::internal_key::{ValueKind, encode};
    use crate::ids::{SeqNo, TableId};
    use crate::io::{FaultyFs, MemFs};
    use crate::manifest::FileMeta;
    use crate::manifest::edit::tests::sample_edit;
    use crate::testing::{golden_hex, hex};
    use crate::wal::format::HEADER_BYTES;

    fn dir() -> PathBuf {
        PathBuf::from("/db")
    }

    fn new_fs() -> MemFs {
        let fs = MemFs::new();
        fs.create_dir_all(&dir()).unwrap();
        fs
    }

    fn small_edit(n: u64) -> VersionEdit {
        VersionEdit {
            last_seqno: Some(SeqNo(n * 100)),
            added_files: vec![(
                1,
                FileMeta {
                    number: FileNumber(n),
                    size_bytes: 1000 + n,
                    entry_count: 5,
                    tombstone_count: 1,
                    smallest_key: encode(format!("a{n}").as_bytes(), SeqNo(n), ValueKind::Put),
                    largest_key: encode(format!("z{n}").as_bytes(), SeqNo(n), ValueKind::Put),
                },
            )],
            deleted_files: vec![(0, FileNumber(n + 1000))],
            ..VersionEdit::default()
        }
    }

    #[test]
    fn manifest_create_append_read_back() {
        let fs = new_fs();
        assert_eq!(read_current(&fs, &dir()).unwrap(), None);
        let mut writer = create_manifest(&fs, &dir(), FileNumber(3), &sample_edit()).unwrap();
        assert_eq!(writer.number(), FileNumber(3));
        let mut expected = vec![sample_edit()];
        for n in 1..=20 {
            writer.append(&small_edit(n)).unwrap();
            expected.push(small_edit(n));
        }
        assert_eq!(
            writer.size_bytes(),
            fs.file_len(&manifest_path(&dir(), FileNumber(3))).unwrap()
        );
        assert_eq!(read_current(&fs, &dir()).unwrap(), Some(FileNumber(3)));
        assert_eq!(read_manifest(&fs, &dir(), FileNumber(3)).unwrap(), expected);
        // Everything was synced: a crash loses nothing.
        fs.crash();
        assert_eq!(read_current(&fs, &dir()).unwrap(), Some(FileNumber(3)));
        assert_eq!(read_manifest(&fs, &dir(), FileNumber(3)).unwrap(), expected);
    }

    #[test]
    fn manifest_crash_after_create_keeps_current_on_a_complete_manifest() {
        let fs = new_fs();
        create_manifest(&fs, &dir(), FileNumber(1), &sample_edit()).unwrap();
        fs.crash();
        assert_eq!(read_current(&fs, &dir()).unwrap(), Some(FileNumber(1)));
        assert_eq!(
            read_manifest(&fs, &dir(), FileNumber(1)).unwrap(),
            vec![sample_edit()]
        );
    }

    #[test]
    fn manifest_crash_at_every_sync_of_a_rotation_leaves_a_valid_current() {
        // create_manifest syncs four times: manifest, directory, CURRENT.tmp,
        // directory. Cut the power right after each; the rename happens
        // between the third and the fourth.
        for crash_at in 1..=4 {
            let fs = new_fs();
            let mut old = create_manifest(&fs, &dir(), FileNumber(1), &sample_edit()).unwrap();
            old.append(&small_edit(1)).unwrap();
            let snapshot = small_edit(2);
            fs.crash_at_sync(crash_at);
            let result = create_manifest(&fs, &dir(), FileNumber(2), &snapshot);
            assert_eq!(result.is_ok(), crash_at == 4, "crash at sync {crash_at}");
            fs.restart();
            let current = read_current(&fs, &dir()).unwrap();
            let edits = read_manifest(&fs, &dir(), current.unwrap()).unwrap();
            if crash_at < 4 {
                assert_eq!(current, Some(FileNumber(1)), "crash at sync {crash_at}");
                assert_eq!(edits, vec![sample_edit(), small_edit(1)]);
            } else {
                assert_eq!(current, Some(FileNumber(2)));
                assert_eq!(edits, vec![snapshot.clone()]);
            }
        }
    }

    #[test]
    fn manifest_crash_between_current_tmp_and_rename_keeps_old_current() {
        let fs = new_fs();
        create_manifest(&fs, &dir(), FileNumber(1), &sample_edit()).unwrap();
        // Do by hand what create_manifest does, stopping before the rename.
        let mut log = WalWriter::new(fs.create(&manifest_path(&dir(), FileNumber(2))).unwrap());
        log.add_record(&small_edit(9).encode()).unwrap();
        log.sync().unwrap();
        fs.sync_dir(&dir()).unwrap();
        let temp = temp_path(&dir(), CURRENT);
        let mut file = fs.create(&temp).unwrap();
        file.append(b"MANIFEST-000002\n").unwrap();
        file.sync_data().unwrap();
        fs.sync_dir(&dir()).unwrap();
        fs.crash();
        assert!(fs.exists(&temp).unwrap());
        assert_eq!(read_current(&fs, &dir()).unwrap(), Some(FileNumber(1)));
        assert_eq!(
            read_manifest(&fs, &dir(), FileNumber(1)).unwrap(),
            vec![sample_edit()]
        );
    }

    #[test]
    fn manifest_torn_last_edit_is_dropped() {
        for keep in [1, HEADER_BYTES - 1, HEADER_BYTES, HEADER_BYTES + 5] {
            let fs = new_fs();
            let mut writer = create_manifest(&fs, &dir(), FileNumber(1), &sample_edit()).unwrap();
            writer.append(&small_edit(1)).unwrap();
            // An append that reached the file but not its sync: part of it
            // survives the crash.
            writer.log.add_record(&small_edit(2).encode()).unwrap();
            writer.log.flush().unwrap();
            fs.crash_keeping(&mut |_| keep);
            assert_eq!(
                read_manifest(&fs, &dir(), FileNumber(1)).unwrap(),
                vec![sample_edit(), small_edit(1)],
                "keeping {keep} bytes"
            );
        }
    }

    #[test]
    fn manifest_flipped_bit_in_a_middle_edit_is_corruption() {
        let fs = new_fs();
        let mut writer = create_manifest(&fs, &dir(), FileNumber(1), &sample_edit()).unwrap();
        writer.append(&small_edit(1)).unwrap();
        let damaged_offset = writer.size_bytes();
        writer.append(&small_edit(2)).unwrap();
        writer.append(&small_edit(3)).unwrap();
        let path = manifest_path(&dir(), FileNumber(1));
        fs.flip_bit(&path, damaged_offset + HEADER_BYTES as u64 + 3, 4)
            .unwrap();
        match read_manifest(&fs, &dir(), FileNumber(1)) {
            Err(Error::Corruption { file, offset, .. }) => {
                assert_eq!(file, path);
                assert_eq!(offset, damaged_offset);
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn manifest_flipped_bit_in_the_last_edit_is_a_torn_tail() {
        let fs = new_fs();
        let mut writer = create_manifest(&fs, &dir(), FileNumber(1), &sample_edit()).unwrap();
        let last_offset = writer.size_bytes();
        writer.append(&small_edit(1)).unwrap();
        let path = manifest_path(&dir(), FileNumber(1));
        fs.flip_bit(&path, last_offset + HEADER_BYTES as u64, 0)
            .unwrap();
        // Indistinguishable from an unacknowledged append: dropped.
        assert_eq!(
            read_manifest(&fs, &dir(), FileNumber(1)).unwrap(),
            vec![sample_edit()]
        );
    }

    #[test]
    fn manifest_undecodable_edit_is_corruption_at_its_record() {
        let fs = new_fs();
        let mut writer = create_manifest(&fs, &dir(), FileNumber(1), &sample_edit()).unwrap();
        let bad_offset = writer.size_bytes();
        // A well-framed record whose payload is not an edit (unknown tag).
        writer.log.add_record(&[0xee]).unwrap();
        writer.log.sync().unwrap();
        let err = read_manifest(&fs, &dir(), FileNumber(1)).unwrap_err();
        match err {
            Error::Corruption { offset, reason, .. } => {
                assert_eq!(offset, bad_offset);
                assert!(reason.contains("unknown version edit tag"), "{reason}");
            }
            other => panic!("expected corruption, got {other:?}"),
        }
    }

    #[test]
    fn manifest_empty_or_missing_is_corruption() {
        let fs = new_fs();
        assert!(
            read_manifest(&fs, &dir(), FileNumber(4))
                .unwrap_err()
                .is_corruption()
        );
        let mut file = fs.create(&manifest_path(&dir(), FileNumber(4))).unwrap();
        file.append(&[0; 100]).unwrap();
        assert!(
            read_manifest(&fs, &dir(), FileNumber(4))
                .unwrap_err()
                .is_corruption()
        );
    }

    #[test]
    fn manifest_malformed_current_is_corruption() {
        for content in [
            &b""[..],
            b"MANIFEST-000001",
            b"MANIFEST-1\n",
            b"MANIFEST-00000x\n",
            b"000001.wal\n",
            b"MANIFEST-000001\n\n",
            &[0xff; 200],
        ] {
            let fs = new_fs();
            let mut file = fs.create(&current_path(&dir())).unwrap();
            file.append(content).unwrap();
            let err = read_current(&fs, &dir()).unwrap_err();
            assert!(err.is_corruption(), "{content:?}: {err}");
        }
        let fs = new_fs();
        let mut file = fs.create(&current_path(&dir())).unwrap();
        file.append(b"MANIFEST-1234567\n").unwrap();
        assert_eq!(
            read_current(&fs, &dir()).unwrap(),
            Some(FileNumber(1_234_567))
        );
    }

    #[test]
    fn manifest_writer_refuses_appends_after_a_failed_sync() {
        let mem = MemFs::new();
        let fs = FaultyFs::new(Arc::new(mem.clone()));
        fs.create_dir_all(&dir()).unwrap();
        fs.set_path_filter("MANIFEST");
        let mut writer = create_manifest(&fs, &dir(), FileNumber(1), &sample_edit()).unwrap();
        fs.fail_sync_after(0, false);
        assert!(writer.append(&small_edit(1)).is_err());
        // The fault is one-shot, but the writer must not carry on.
        let err = writer.append(&small_edit(2)).unwrap_err();
        assert!(matches!(err, Error::Poisoned { .. }), "{err}");
    }

    #[test]
    fn manifest_golden_example_matches_the_format_doc() {
        let doc = include_str!("../../../docs/format/manifest.md");
        let expected = golden_hex(doc, "manifest-record");
        let edit = golden_edit();
        let fs = new_fs();
        let writer = create_manifest(&fs, &dir(), FileNumber(1), &edit).unwrap();
        let bytes = fs.map(writer.path()).unwrap();
        assert_eq!(
            hex(&bytes),
            hex(&expected),
            "docs/format/manifest.md is out of date with the code"
        );
        assert_eq!(
            read_manifest(&fs, &dir(), FileNumber(1)).unwrap(),
            vec![edit]
        );
    }

    /// The edit of the worked example in `docs/format/manifest.md`.
    fn golden_edit() -> VersionEdit {
        VersionEdit {
            log_number: Some(FileNumber(5)),
            next_file_number: Some(FileNumber(9)),
            last_seqno: Some(SeqNo(300)),
            next_table_id: Some(TableId(2)),
            added_files: vec![(
                0,
                FileMeta {
                    number: FileNumber(8),
                    size_bytes: 4096,
                    entry_count: 3,
                    tombstone_count: 1,
                    smallest_key: encode(b"a", SeqNo(298), ValueKind::Put),
                    largest_key: encode(b"c", SeqNo(300), ValueKind::Delete),
                },
            )],
            deleted_files: vec![(0, FileNumber(6))],
            created_tables: vec![(TableId(1), b"t1".to_vec())],
            deleted_tables: Vec::new(),
            shard_count: Some(1),
            updated_tables: Vec::new(),
        }
    }
}
