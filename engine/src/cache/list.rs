//! The slab and the intrusive doubly linked lists the eviction policies
//! share: entries live in one `Vec` of slots (freed slots are reused), and
//! each list is a head and a tail of slot indices with `prev` / `next` in
//! the slots. Pushing, unlinking and popping are O(1) and allocate nothing
//! once the slab has grown.

/// "No slot": the end of a list.
pub(crate) const NIL: u32 = u32::MAX;

/// One cached entry and its links.
#[derive(Debug)]
pub(crate) struct Slot<V> {
    pub key: Box<[u8]>,
    pub value: V,
    /// Bytes this entry counts against the budget (overhead included).
    pub charge: usize,
    pub prev: u32,
    pub next: u32,
    /// Which list holds it (a policy's own numbering).
    pub list: u8,
    /// Accesses since insertion or the last demotion (S3-FIFO; 0–3).
    pub freq: u8,
}

/// Entries by slot index, with a free list of reusable slots.
#[derive(Debug)]
pub(crate) struct Slab<V> {
    slots: Vec<Option<Slot<V>>>,
    free: Vec<u32>,
}

impl<V> Slab<V> {
    pub fn new() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    pub fn insert(&mut self, slot: Slot<V>) -> u32 {
        match self.free.pop() {
            Some(index) => {
                self.slots[index as usize] = Some(slot);
                index
            }
            None => {
                self.slots.push(Some(slot));
                (self.slots.len() - 1) as u32
            }
        }
    }

    pub fn remove(&mut self, index: u32) -> Slot<V> {
        let slot = self.slots[index as usize]
            .take()
            .expect("a listed slot is occupied");
        self.free.push(index);
        slot
    }

    pub fn get(&self, index: u32) -> &Slot<V> {
        self.slots[index as usize]
            .as_ref()
            .expect("a listed slot is occupied")
    }

    pub fn get_mut(&mut self, index: u32) -> &mut Slot<V> {
        self.slots[index as usize]
            .as_mut()
            .expect("a listed slot is occupied")
    }
}

/// A list of slots: `head` is the newest end, `tail` the oldest.
#[derive(Debug, Clone, Copy)]
pub(crate) struct List {
    pub head: u32,
    pub tail: u32,
    /// The sum of its entries' charges.
    pub bytes: usize,
    pub len: usize,
}

impl List {
    pub const fn new() -> Self {
        List {
            head: NIL,
            tail: NIL,
            bytes: 0,
            len: 0,
        }
    }

    /// Links `index` in at the head.
    pub fn push_head<V>(&mut self, slab: &mut Slab<V>, index: u32) {
        let old_head = self.head;
        {
            let slot = slab.get_mut(index);
            slot.prev = NIL;
            slot.next = old_head;
            self.bytes += slot.charge;
        }
        if old_head == NIL {
            self.tail = index;
        } else {
            slab.get_mut(old_head).prev = index;
        }
        self.head = index;
        self.len += 1;
    }

    /// Unlinks `index`, which this list holds.
    pub fn unlink<V>(&mut self, slab: &mut Slab<V>, index: u32) {
        let (prev, next, charge) = {
            let slot = slab.get(index);
            (slot.prev, slot.next, slot.charge)
        };
        if prev == NIL {
            self.head = next;
        } else {
            slab.get_mut(prev).next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            slab.get_mut(next).prev = prev;
        }
        self.bytes -= charge;
        self.len -= 1;
    }
}
