//! The names of a database directory's files.
//!
//! ```text
//! LOCK              advisory lock held while the database is open
//! CURRENT           names the live manifest ("MANIFEST-000005\n")
//! MANIFEST-000005   log of version edits (docs/format/manifest.md)
//! 000007.wal        write-ahead log (docs/format/wal.md)
//! 000008.sst        sorted string table (docs/format/sstable.md)
//! *.tmp             a file being written for an atomic rename
//! ```
//! File numbers come from one counter and are never reused.

use std::path::{Path, PathBuf};

use crate::ids::FileNumber;

/// Name of the file that points at the live manifest.
pub const CURRENT: &str = "CURRENT";

/// What a file in the database directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A write-ahead log.
    Wal(FileNumber),
    /// A sorted string table.
    SsTable(FileNumber),
    /// A manifest.
    Manifest(FileNumber),
    /// The CURRENT pointer.
    Current,
    /// A temporary file.
    Temp,
    /// The lock file.
    Lock,
}

/// `dir/000012.wal`
pub fn wal_path(dir: &Path, number: FileNumber) -> PathBuf {
    dir.join(format!("{:06}.wal", number.0))
}

/// `dir/000012.sst`
pub fn sstable_path(dir: &Path, number: FileNumber) -> PathBuf {
    dir.join(format!("{:06}.sst", number.0))
}

/// `dir/MANIFEST-000012`
pub fn manifest_path(dir: &Path, number: FileNumber) -> PathBuf {
    dir.join(manifest_name(number))
}

/// `MANIFEST-000012`
pub fn manifest_name(number: FileNumber) -> String {
    format!("MANIFEST-{:06}", number.0)
}

/// `dir/CURRENT`
pub fn current_path(dir: &Path) -> PathBuf {
    dir.join(CURRENT)
}

/// `dir/<name>.tmp`
pub fn temp_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.tmp"))
}

/// Classifies a file name; `None` for files that are not dynacore's.
pub fn parse(name: &str) -> Option<FileKind> {
    if name == CURRENT {
        return Some(FileKind::Current);
    }
    if name == "LOCK" {
        return Some(FileKind::Lock);
    }
    if name.ends_with(".tmp") {
        return Some(FileKind::Temp);
    }
    if let Some(number) = name.strip_prefix("MANIFEST-") {
        return number
            .parse()
            .ok()
            .map(|n| FileKind::Manifest(FileNumber(n)));
    }
    let (stem, extension) = name.split_once('.')?;
    let number = FileNumber(stem.parse().ok()?);
    match extension {
        "wal" => Some(FileKind::Wal(number)),
        "sst" => Some(FileKind::SsTable(number)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let dir = Path::new("/db");
        for (path, kind) in [
            (wal_path(dir, FileNumber(7)), FileKind::Wal(FileNumber(7))),
            (
                sstable_path(dir, FileNumber(8)),
                FileKind::SsTable(FileNumber(8)),
            ),
            (
                manifest_path(dir, FileNumber(5)),
                FileKind::Manifest(FileNumber(5)),
            ),
            (current_path(dir), FileKind::Current),
        ] {
            assert_eq!(
                parse(path.file_name().unwrap().to_str().unwrap()),
                Some(kind)
            );
        }
        assert_eq!(parse("notes.txt"), None);
    }
}
