//! Every limit the engine enforces, with the reason for it.
//!
//! Limits that DynamoDB defines keep DynamoDB's values so that an application
//! written against dynacore behaves the same on DynamoDB. Relationships between
//! limits are checked at compile time at the bottom of this file.

/// DynamoDB's maximum item size: attribute names plus values, 400 KB.
pub const ITEM_SIZE_BYTES_MAX: usize = 400 * 1024;

/// DynamoDB's maximum partition-key value size.
pub const PARTITION_KEY_SIZE_BYTES_MAX: usize = 2048;

/// DynamoDB's maximum sort-key value size.
pub const SORT_KEY_SIZE_BYTES_MAX: usize = 1024;

/// DynamoDB's maximum nesting depth of lists and maps in one attribute value.
pub const NESTING_DEPTH_MAX: usize = 32;

/// DynamoDB's maximum number of significant decimal digits in a Number.
pub const NUMBER_DIGITS_MAX: usize = 38;

/// DynamoDB's table-name length bounds (3..=255 of `[a-zA-Z0-9_.-]`).
pub const TABLE_NAME_LENGTH_MIN: usize = 3;
/// See [`TABLE_NAME_LENGTH_MIN`].
pub const TABLE_NAME_LENGTH_MAX: usize = 255;

/// DynamoDB's maximum attribute-name length for key attributes.
pub const KEY_ATTRIBUTE_NAME_BYTES_MAX: usize = 255;

/// DynamoDB's maximum attribute-name length for non-key attributes.
pub const ATTRIBUTE_NAME_BYTES_MAX: usize = 64 * 1024;

/// Maximum length of one encoded key in the LSM: table id, both key values
/// and their escaping (each byte may double) plus terminators. Keys longer
/// than this cannot be produced by valid items, so decoders reject them.
pub const ENCODED_KEY_BYTES_MAX: usize =
    4 + 2 * PARTITION_KEY_SIZE_BYTES_MAX + 2 + 2 * SORT_KEY_SIZE_BYTES_MAX + 2 + 16;

/// Maximum size of one encoded value stored in the LSM (an item plus its
/// encoding overhead). Decoders reject anything larger as corruption.
pub const ENCODED_VALUE_BYTES_MAX: usize = 2 * ITEM_SIZE_BYTES_MAX;

/// Maximum size of one WAL record payload (one write batch). A batch larger
/// than this is refused before it is logged.
pub const WAL_RECORD_BYTES_MAX: usize = 64 * 1024 * 1024;

/// Maximum size of one manifest file before it is rewritten as a snapshot.
pub const MANIFEST_SIZE_BYTES_MAX: u64 = 4 * 1024 * 1024;

/// The longest opaque table description a manifest version edit can carry. A
/// description holds a table's name, key schema and index definitions, a few
/// kilobytes at most under DynamoDB's limits; 1 MiB bounds what a corrupt
/// length can make the decoder take while leaving ample room.
pub const TABLE_DESCRIPTION_BYTES_MAX: usize = 1024 * 1024;

/// Number of LSM levels, L0 through L6.
pub const LEVEL_COUNT: usize = 7;

/// Default memtable budget, in bytes of arena plus node overhead.
pub const MEMTABLE_SIZE_BYTES_DEFAULT: usize = 16 * 1024 * 1024;

/// Default target size of an SSTable data block before it is cut.
pub const BLOCK_SIZE_BYTES_DEFAULT: usize = 4 * 1024;

/// Default number of entries between restart points in a data block: more
/// restarts mean faster seeks and less prefix compression.
pub const RESTART_INTERVAL_DEFAULT: usize = 16;

/// A data block is cut once it reaches this size whatever the options say,
/// so that restart offsets (u32) can never overflow: a block is at most this
/// plus one entry.
pub const BLOCK_SIZE_BYTES_MAX: usize = 64 * 1024 * 1024;

/// Default bloom filter bits per key (~1% false positives).
pub const BLOOM_BITS_PER_KEY_DEFAULT: usize = 10;

/// Default number of L0 files that triggers an L0 -> L1 compaction.
pub const L0_COMPACTION_TRIGGER_DEFAULT: usize = 4;

/// Default number of L0 files at which writes stall until compaction catches up.
pub const L0_STOP_WRITES_TRIGGER_DEFAULT: usize = 12;

/// Default target size of L1; each deeper level is `level_size_ratio` times larger.
pub const L1_SIZE_BYTES_DEFAULT: u64 = 64 * 1024 * 1024;

/// Default size ratio between adjacent levels.
pub const LEVEL_SIZE_RATIO_DEFAULT: u64 = 10;

/// Default target size of one SSTable produced by compaction.
pub const SSTABLE_SIZE_BYTES_TARGET_DEFAULT: u64 = 8 * 1024 * 1024;

/// Maximum number of items one page of `query`/`scan` returns, whatever the
/// caller asks for; DynamoDB also stops a page at 1 MB of data.
pub const PAGE_ITEM_COUNT_MAX: usize = 10_000;

/// DynamoDB stops a Query or Scan page once it has read 1 MB of items.
pub const PAGE_SIZE_BYTES_MAX: usize = 1024 * 1024;

/// Entries a caller's scan of one shard visits per hold of the shard's
/// lock before letting go and resuming (about 1–2 ms of decoding 1 KB
/// items), so a long range never holds up the shard's writes for longer.
pub const SCAN_ENTRIES_PER_LOCK_HOLD: usize = 1024;

// ----- expressions (DynamoDB's "Expression parameters" constraints) -----

/// Longest expression string DynamoDB accepts (any kind), in bytes.
pub const EXPRESSION_LENGTH_BYTES_MAX: usize = 4 * 1024;

/// Most operators and functions in one expression (DynamoDB counts
/// comparators, AND/OR/NOT, BETWEEN, IN and every function call).
pub const EXPRESSION_OPERATOR_COUNT_MAX: usize = 300;

/// Most candidates of one `IN` comparison.
pub const IN_CANDIDATE_COUNT_MAX: usize = 100;

/// Deepest document path (`a.b[1].c` has depth 4), DynamoDB's limit.
pub const DOCUMENT_PATH_DEPTH_MAX: usize = 32;

/// Longest single expression attribute name or value placeholder, in bytes.
pub const EXPRESSION_PLACEHOLDER_BYTES_MAX: usize = 255;

/// Most bytes of all substitution values referred to by one request's
/// expressions (DynamoDB's 2 MB).
pub const EXPRESSION_SUBSTITUTION_BYTES_MAX: usize = 2 * 1024 * 1024;

// ----- batches and listings -----

/// Most keys one BatchGetItem may ask for, over all its tables.
pub const BATCH_GET_KEY_COUNT_MAX: usize = 100;

/// Most bytes of items one BatchGetItem returns; the rest are unprocessed.
pub const BATCH_GET_RESPONSE_BYTES_MAX: usize = 16 * 1024 * 1024;

/// Most put and delete requests in one BatchWriteItem, over all its tables.
pub const BATCH_WRITE_REQUEST_COUNT_MAX: usize = 25;

/// Largest `Limit` of one ListTables call (and its default).
pub const LIST_TABLES_LIMIT_MAX: usize = 100;

// ----- tables -----

/// Most attribute definitions one table description holds: the table's two
/// key attributes plus two for each of DynamoDB's 20 global secondary
/// indexes and one sort key for each of its 5 local secondary indexes. The
/// catalog decoder rejects more as corruption.
pub const ATTRIBUTE_DEFINITION_COUNT_MAX: usize = 2 + 20 * 2 + 5;

/// Largest read or write capacity units DynamoDB accepts in a request
/// (larger values are "out of bounds"); the smallest is 1.
pub const CAPACITY_UNITS_MAX: i64 = 1_000_000_000_000;

/// Entries one lock hold of a table-statistics read (DescribeTable's item
/// count and size) decodes before letting go of the shard's lock, so that
/// counting a large table never holds up the shard's writers for long:
/// a few hundred item decodes, well under a millisecond.
pub const TABLE_STATS_CHUNK_ENTRIES: usize = 256;

/// Most segments of a parallel Scan (DynamoDB's `TotalSegments` maximum).
pub const SCAN_TOTAL_SEGMENTS_MAX: u32 = 1_000_000;

// Relationships the code depends on.
/// Bytes appended to an SSTable, or to the WAL outside `Durability::Sync`,
/// between requests to the OS to start writing them back
/// (`WritableFile::start_writeback`). Without it a 16 MiB flush leaves 16 MiB
/// of dirty pages for its final `fdatasync`, which runs under the shard's
/// lock and stalled requests for 100+ ms in `dynacore-bench spread`.
pub const WRITEBACK_INTERVAL_BYTES: u64 = 1024 * 1024;

/// Virtual partitions between keys and shards (`shard/router.rs`). Part of
/// the on-disk format: an item's virtual partition is a hash of its partition
/// key modulo this. 4096 lets up to 4096 shards each own whole partitions.
pub const VIRTUAL_PARTITION_COUNT: usize = 4096;

/// Most shards one database may have (one per core, rarely above 256; the
/// shard id is a `u16` and every shard needs a virtual partition).
pub const SHARD_COUNT_MAX: usize = 1024;

/// Requests waiting in one shard's queue (from async callers and the
/// shard-thread hand-off). A full queue makes callers wait up to
/// [`BUSY_WAIT_MS_DEFAULT`] and then fail with a retryable `Busy` error, so
/// memory never grows without bound.
pub const SHARD_QUEUE_DEPTH_MAX: usize = 4096;

/// Tasks in flight from one shard to another (one ring of the shard mesh).
/// A full ring makes `ShardLocal::send_to` fail with `Busy` at once: shard
/// threads never wait for each other.
pub const MESH_RING_CAPACITY: usize = 1024;

/// Write batches waiting to join one shard's next group commit. The group
/// being synced is not counted. Like the queue, full means wait, then `Busy`.
pub const PENDING_WRITES_MAX: usize = 4096;

/// Bytes of write batches waiting for one shard's next group commit.
pub const PENDING_WRITE_BYTES_MAX: usize = 64 * 1024 * 1024;

/// How long a caller waits for room in a full queue before `Busy`.
pub const BUSY_WAIT_MS_DEFAULT: u64 = 1_000;

const _: () = assert!(SHARD_COUNT_MAX <= VIRTUAL_PARTITION_COUNT);
const _: () = assert!(SHARD_COUNT_MAX <= u16::MAX as usize);
const _: () = assert!(SORT_KEY_SIZE_BYTES_MAX < PARTITION_KEY_SIZE_BYTES_MAX);
const _: () = assert!(ENCODED_VALUE_BYTES_MAX < WAL_RECORD_BYTES_MAX);
const _: () = assert!(L0_COMPACTION_TRIGGER_DEFAULT < L0_STOP_WRITES_TRIGGER_DEFAULT);
const _: () = assert!(ENCODED_KEY_BYTES_MAX < u16::MAX as usize);
const _: () = assert!(LEVEL_COUNT >= 2);
const _: () = assert!(DOCUMENT_PATH_DEPTH_MAX >= NESTING_DEPTH_MAX);
const _: () = assert!(BLOCK_SIZE_BYTES_DEFAULT <= BLOCK_SIZE_BYTES_MAX);
const _: () = assert!((BLOCK_SIZE_BYTES_MAX as u64) < u32::MAX as u64 / 2);
