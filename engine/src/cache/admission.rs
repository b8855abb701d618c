//! Admission: which missed keys are worth an entry. Filling on every miss
//! costs an insert, and with it an eviction, for every key read once in a
//! long while — most misses of a skewed workload's tail, and every key of a
//! sweep — and those entries are usually evicted before anyone reads them
//! again. With [`Admission::SecondMiss`] a key is only cached on its second
//! miss since the doorkeeper last forgot: the first miss costs one probe of
//! a bit array instead (the "doorkeeper" of Einziger et al.'s TinyLFU).

/// Which missed keys [`super::Cache::insert`] admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Every one.
    Always,
    /// A key missed before since the doorkeeper's last reset (see the module docs).
    SecondMiss,
}

/// One bit per hash bucket: "seen since the last reset". Sized from the
/// budget (one bit per 64 bytes of budget, so about 20 bits per 1 KB
/// entry), and cleared when an eighth of its bits are set, which keeps
/// false "seen" answers under one in eight and lets old sightings age out.
#[derive(Debug)]
pub(crate) struct Doorkeeper {
    words: Vec<u64>,
    set: usize,
    reset_at: usize,
}

impl Doorkeeper {
    pub fn new(budget_bytes: usize) -> Self {
        let bits = (budget_bytes / 64).next_power_of_two().max(4096);
        Doorkeeper {
            words: vec![0; bits / 64],
            set: 0,
            reset_at: bits / 8,
        }
    }

    /// Whether `hash` was seen since the last reset; marks it seen.
    pub fn seen_before(&mut self, hash: u64) -> bool {
        let bit = (hash as usize) & (self.words.len() * 64 - 1);
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        if self.words[word] & mask != 0 {
            return true;
        }
        self.words[word] |= mask;
        self.set += 1;
        if self.set >= self.reset_at {
            self.words.fill(0);
            self.set = 0;
        }
        false
    }

    /// Bytes it holds (charged by nobody: a fixed cost per cache).
    pub fn bytes(&self) -> usize {
        self.words.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_is_seen_the_second_time_and_forgotten_after_a_reset() {
        let mut door = Doorkeeper::new(0);
        assert!(!door.seen_before(42));
        assert!(door.seen_before(42));
        // 4096 bits reset after 512 distinct sightings.
        for hash in 0..512u64 {
            door.seen_before(hash * 4096 + 1000 + hash);
        }
        assert!(!door.seen_before(42), "forgotten by the reset");
    }
}
