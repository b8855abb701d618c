//! The skiplist behind [`MemTable`]; see the module docs in `memtable/mod.rs`.

use std::cmp::Ordering;

use crate::Result;
use crate::coding::internal_key::{self, KIND_SEEK, ParsedKey, TRAILER_BYTES, ValueKind};
use crate::ids::SeqNo;
use crate::iter::InternalIterator;

/// Tallest tower. With a 1/4 promotion chance, 12 levels index 4^12 ≈ 16 M
/// entries efficiently, more than a memtable budget holds.
const HEIGHT_MAX: usize = 12;
/// A node is promoted one level with probability 1 / BRANCHING.
const BRANCHING: u32 = 4;
/// "No next node".
const END: u32 = 0;
const HEAD: u32 = 0;

#[derive(Debug, Clone, Copy)]
struct Node {
    /// Offset of the internal key in the arena; the value follows it.
    key_offset: u32,
    key_len: u32,
    value_len: u32,
    /// Index of this node's level-0 pointer in `towers`.
    tower_start: u32,
    height: u8,
}

/// A sorted in-memory table of internal keys; see the module docs.
#[derive(Debug)]
pub struct MemTable {
    arena: Vec<u8>,
    nodes: Vec<Node>,
    towers: Vec<u32>,
    height: usize,
    random_state: u64,
    entry_count: u64,
    tombstone_count: u64,
    user_bytes: u64,
    seqno_max: SeqNo,
}

impl Default for MemTable {
    fn default() -> Self {
        Self::new()
    }
}

impl MemTable {
    /// An empty memtable.
    pub fn new() -> Self {
        MemTable::with_capacity(0)
    }

    /// An empty memtable whose arena has room for `arena_bytes` without growing.
    pub fn with_capacity(arena_bytes: usize) -> Self {
        let head = Node {
            key_offset: 0,
            key_len: 0,
            value_len: 0,
            tower_start: 0,
            height: HEIGHT_MAX as u8,
        };
        MemTable {
            arena: Vec::with_capacity(arena_bytes),
            nodes: vec![head],
            towers: vec![END; HEIGHT_MAX],
            height: 1,
            random_state: 0x9E37_79B9_7F4A_7C15,
            entry_count: 0,
            tombstone_count: 0,
            user_bytes: 0,
            seqno_max: SeqNo(0),
        }
    }

    /// Memory charged to this memtable: arena plus nodes and towers.
    pub fn size_bytes(&self) -> usize {
        self.arena.len()
            + self.nodes.len() * std::mem::size_of::<Node>()
            + self.towers.len() * std::mem::size_of::<u32>()
    }

    /// Entries inserted (every version counts).
    pub fn entry_count(&self) -> u64 {
        self.entry_count
    }

    /// Tombstones inserted.
    pub fn tombstone_count(&self) -> u64 {
        self.tombstone_count
    }

    /// Bytes of user keys and values inserted (for write amplification).
    pub fn user_bytes(&self) -> u64 {
        self.user_bytes
    }

    /// Whether nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.entry_count == 0
    }

    /// The largest seqno inserted (0 if empty).
    pub fn seqno_max(&self) -> SeqNo {
        self.seqno_max
    }

    fn next(&self, node: u32, level: usize) -> u32 {
        let n = &self.nodes[node as usize];
        debug_assert!(level < n.height as usize);
        self.towers[n.tower_start as usize + level]
    }

    fn set_next(&mut self, node: u32, level: usize, to: u32) {
        let start = self.nodes[node as usize].tower_start as usize;
        self.towers[start + level] = to;
    }

    fn key(&self, node: u32) -> &[u8] {
        let n = &self.nodes[node as usize];
        &self.arena[n.key_offset as usize..(n.key_offset + n.key_len) as usize]
    }

    fn value(&self, node: u32) -> &[u8] {
        let n = &self.nodes[node as usize];
        let start = (n.key_offset + n.key_len) as usize;
        &self.arena[start..start + n.value_len as usize]
    }

    fn random_height(&mut self) -> usize {
        // xorshift64*: cheap, deterministic, good enough for tower heights.
        let mut height = 1;
        while height < HEIGHT_MAX {
            self.random_state ^= self.random_state >> 12;
            self.random_state ^= self.random_state << 25;
            self.random_state ^= self.random_state >> 27;
            let r = (self.random_state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32;
            if !r.is_multiple_of(BRANCHING) {
                break;
            }
            height += 1;
        }
        height
    }

    /// The last node at `level` whose key is `< target` (by `less`), starting from `from`.
    fn walk(&self, mut node: u32, level: usize, less: &impl Fn(&[u8]) -> bool) -> u32 {
        loop {
            let next = self.next(node, level);
            if next != END && less(self.key(next)) {
                node = next;
            } else {
                return node;
            }
        }
    }

    /// The first node whose key is not `< target` under `less`, or END.
    fn lower_bound(&self, less: impl Fn(&[u8]) -> bool) -> u32 {
        let mut node = HEAD;
        for level in (0..self.height).rev() {
            node = self.walk(node, level, &less);
        }
        self.next(node, 0)
    }

    /// Inserts `user_key` at `seqno` with `kind` and `value`. Seqnos are
    /// unique per shard, so an identical internal key is never inserted twice.
    ///
    /// # Panics
    /// If the arena would exceed 4 GiB (the budget in `limits.rs` is far below).
    pub fn insert(&mut self, user_key: &[u8], seqno: SeqNo, kind: ValueKind, value: &[u8]) {
        let key_offset = self.arena.len();
        internal_key::encode_into(&mut self.arena, user_key, seqno, kind as u8);
        self.arena.extend_from_slice(value);
        assert!(
            self.arena.len() <= u32::MAX as usize,
            "memtable arena over 4 GiB"
        );
        let key_len = (user_key.len() + TRAILER_BYTES) as u32;

        // Find the predecessor at every level.
        let mut predecessors = [HEAD; HEIGHT_MAX];
        {
            let new_key = &self.arena[key_offset..key_offset + key_len as usize];
            let less = |k: &[u8]| internal_key::compare(k, new_key) == Ordering::Less;
            let mut node = HEAD;
            for level in (0..self.height).rev() {
                node = self.walk(node, level, &less);
                predecessors[level] = node;
            }
            debug_assert!({
                let next = self.next(node, 0);
                next == END || internal_key::compare(self.key(next), new_key) == Ordering::Greater
            });
        }

        let height = self.random_height();
        self.height = self.height.max(height);
        let index = self.nodes.len() as u32;
        self.nodes.push(Node {
            key_offset: key_offset as u32,
            key_len,
            value_len: value.len() as u32,
            tower_start: self.towers.len() as u32,
            height: height as u8,
        });
        self.towers.resize(self.towers.len() + height, END);
        for (level, &predecessor) in predecessors.iter().enumerate().take(height) {
            let after = self.next(predecessor, level);
            self.set_next(index, level, after);
            self.set_next(predecessor, level, index);
        }

        self.entry_count += 1;
        if kind == ValueKind::Delete {
            self.tombstone_count += 1;
        }
        self.user_bytes += (user_key.len() + value.len()) as u64;
        self.seqno_max = self.seqno_max.max(seqno);
    }

    /// The newest entry for `user_key` with seqno `<= snapshot`: its kind and value.
    pub fn get(&self, user_key: &[u8], snapshot: SeqNo) -> Option<(ValueKind, &[u8])> {
        let seek_trailer = internal_key::trailer(snapshot, KIND_SEEK);
        let node = self.lower_bound(|k| {
            let (k_user, k_trailer) = k.split_at(k.len() - TRAILER_BYTES);
            match k_user.cmp(user_key) {
                Ordering::Less => true,
                Ordering::Greater => false,
                // Trailers order descending.
                Ordering::Equal => {
                    u64::from_be_bytes(k_trailer.try_into().unwrap_or_default()) > seek_trailer
                }
            }
        });
        if node == END {
            return None;
        }
        let parsed = ParsedKey::parse(self.key(node))?;
        (parsed.user_key == user_key).then(|| (parsed.kind, self.value(node)))
    }

    /// A cursor over all entries in internal-key order.
    pub fn iter(&self) -> MemTableIterator<'_> {
        MemTableIterator {
            table: self,
            node: END,
        }
    }

    /// The first node (for resumable cursors that cannot hold a borrow): see
    /// [`MemTable::node_after`].
    pub fn first_node(&self) -> u32 {
        self.next(HEAD, 0)
    }

    /// The node after `node` in order, or 0 at the end.
    pub fn node_after(&self, node: u32) -> u32 {
        self.next(node, 0)
    }

    /// The internal key and value of `node` (a value from `first_node`/`node_after`, not 0).
    pub fn node_entry(&self, node: u32) -> (&[u8], &[u8]) {
        (self.key(node), self.value(node))
    }
}

/// A cursor over a [`MemTable`], implementing [`InternalIterator`].
#[derive(Debug)]
pub struct MemTableIterator<'a> {
    table: &'a MemTable,
    node: u32,
}

impl InternalIterator for MemTableIterator<'_> {
    fn valid(&self) -> bool {
        self.node != END
    }

    fn seek_to_first(&mut self) -> Result<()> {
        self.node = self.table.first_node();
        Ok(())
    }

    fn seek(&mut self, target: &[u8]) -> Result<()> {
        self.node = self
            .table
            .lower_bound(|k| internal_key::compare(k, target) == Ordering::Less);
        Ok(())
    }

    fn next(&mut self) -> Result<()> {
        if self.node != END {
            self.node = self.table.node_after(self.node);
        }
        Ok(())
    }

    fn key(&self) -> &[u8] {
        self.table.key(self.node)
    }

    fn value(&self) -> &[u8] {
        self.table.value(self.node)
    }
}

/// A cursor that owns a share of a frozen [`MemTable`], so it can outlive
/// the borrow (a flush job runs across many loop turns).
#[derive(Debug)]
pub struct OwnedMemTableIterator {
    table: std::sync::Arc<MemTable>,
    node: u32,
}

impl OwnedMemTableIterator {
    /// An unpositioned cursor over `table`.
    pub fn new(table: std::sync::Arc<MemTable>) -> Self {
        OwnedMemTableIterator { table, node: END }
    }
}

impl InternalIterator for OwnedMemTableIterator {
    fn valid(&self) -> bool {
        self.node != END
    }

    fn seek_to_first(&mut self) -> Result<()> {
        self.node = self.table.first_node();
        Ok(())
    }

    fn seek(&mut self, target: &[u8]) -> Result<()> {
        self.node = self
            .table
            .lower_bound(|k| internal_key::compare(k, target) == Ordering::Less);
        Ok(())
    }

    fn next(&mut self) -> Result<()> {
        if self.node != END {
            self.node = self.table.node_after(self.node);
        }
        Ok(())
    }

    fn key(&self) -> &[u8] {
        self.table.key(self.node)
    }

    fn value(&self) -> &[u8] {
        self.table.value(self.node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn get_returns_newest_visible_version() {
        let mut m = MemTable::new();
        m.insert(b"a", SeqNo(1), ValueKind::Put, b"v1");
        m.insert(b"a", SeqNo(3), ValueKind::Put, b"v3");
        m.insert(b"a", SeqNo(5), ValueKind::Delete, b"");
        m.insert(b"b", SeqNo(2), ValueKind::Put, b"b2");
        assert_eq!(m.get(b"a", SeqNo(10)), Some((ValueKind::Delete, &b""[..])));
        assert_eq!(m.get(b"a", SeqNo(4)), Some((ValueKind::Put, &b"v3"[..])));
        assert_eq!(m.get(b"a", SeqNo(2)), Some((ValueKind::Put, &b"v1"[..])));
        assert_eq!(m.get(b"a", SeqNo(0)), None);
        assert_eq!(m.get(b"", SeqNo(10)), None);
        assert_eq!(m.get(b"c", SeqNo(10)), None);
        assert_eq!(m.get(b"b", SeqNo(10)), Some((ValueKind::Put, &b"b2"[..])));
        assert_eq!((m.entry_count(), m.tombstone_count()), (4, 1));
    }

    /// (user key, newest-first seqno) -> (kind, value): the reference the skiplist must match.
    type Model = BTreeMap<(Vec<u8>, std::cmp::Reverse<u64>), (ValueKind, Vec<u8>)>;

    proptest! {
        /// The skiplist agrees with a BTreeMap keyed by (user key, Reverse(seqno)).
        #[test]
        fn memtable_matches_btreemap_model(
            ops in proptest::collection::vec((proptest::collection::vec(0u8..4, 0..4), any::<bool>()), 1..300),
            probes in proptest::collection::vec((proptest::collection::vec(0u8..4, 0..4), 0u64..400), 1..50),
        ) {
            let mut m = MemTable::new();
            let mut model: Model = BTreeMap::new();
            for (i, (key, is_put)) in ops.iter().enumerate() {
                let seqno = i as u64 + 1;
                let kind = if *is_put { ValueKind::Put } else { ValueKind::Delete };
                let value = if *is_put { seqno.to_le_bytes().to_vec() } else { Vec::new() };
                m.insert(key, SeqNo(seqno), kind, &value);
                model.insert((key.clone(), std::cmp::Reverse(seqno)), (kind, value));
            }
            // Full iteration order.
            let mut it = m.iter();
            it.seek_to_first().unwrap();
            let mut seen = Vec::new();
            while it.valid() {
                seen.push(it.key().to_vec());
                it.next().unwrap();
            }
            let expected: Vec<Vec<u8>> = model
                .iter()
                .map(|((k, s), (kind, _))| internal_key::encode(k, SeqNo(s.0), *kind))
                .collect();
            prop_assert_eq!(seen, expected);
            // Point reads at snapshots.
            for (key, snapshot) in probes {
                let want = model
                    .range((key.clone(), std::cmp::Reverse(snapshot))..)
                    .next()
                    .filter(|((k, _), _)| *k == key)
                    .map(|(_, (kind, v))| (*kind, v.clone()));
                let got = m.get(&key, SeqNo(snapshot)).map(|(kind, v)| (kind, v.to_vec()));
                prop_assert_eq!(got, want);
                // Seek agrees with the same answer.
                let mut it = m.iter();
                it.seek(&internal_key::seek_key(&key, SeqNo(snapshot))).unwrap();
                let first = model.range((key.clone(), std::cmp::Reverse(snapshot))..).next();
                prop_assert_eq!(it.valid(), first.is_some());
                if let Some(((k, s), (kind, _))) = first {
                    prop_assert_eq!(it.key(), &internal_key::encode(k, SeqNo(s.0), *kind)[..]);
                }
            }
        }
    }
}
