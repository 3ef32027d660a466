//! The meter's two sets, an account's image history and its scan ids: keys
//! of 64 or 128 bits, probed once per scan in tables that outgrow the cache
//! on large logs.
//!
//! Why by hand (docs/decisions.md, "The meter's sets"): hashbrown reaches a
//! key through its control bytes and then its slot, two cache misses when
//! the table is large, and offers no way to ask for a slot ahead of time.
//! This table keeps the keys in one array (open addressing, linear probing,
//! at most three quarters full; the all-zero key, which marks an empty
//! slot, is kept aside), so a key is one miss away, and [`KeySet::prefetch`]
//! lets the replay fetch the slot of a scan a few rows ahead while it meters
//! the rows before. A property test pins it to `std`'s `HashSet`.

use std::hash::BuildHasher;

/// A key of a [`KeySet`]: the default value marks an empty slot.
pub(crate) trait SetKey: Copy + Eq + Default + std::hash::Hash {}
impl SetKey for u64 {}
impl SetKey for u128 {}

/// A set of keys (see the module's documentation).
#[derive(Clone, Debug, Default)]
pub(crate) struct KeySet<K: SetKey> {
    /// A power of two long (or empty); `K::default()` marks an empty slot.
    slots: Vec<K>,
    /// Whether the empty-slot key itself is in the set.
    holds_zero: bool,
    /// Keys in `slots` (not counting the zero key).
    stored: usize,
}

impl<K: SetKey> KeySet<K> {
    pub(crate) fn new() -> Self {
        KeySet {
            slots: Vec::new(),
            holds_zero: false,
            stored: 0,
        }
    }

    /// Where `key`'s probe starts. The hash is foldhash's, as the sets had
    /// with hashbrown: interned image ids are small integers, and only a
    /// hash spreads them over the table.
    #[inline]
    fn home(&self, key: K) -> usize {
        let hash = foldhash::fast::FixedState::default().hash_one(key);
        (hash as usize) & (self.slots.len() - 1)
    }

    /// Adds `key`; false when it was already there.
    #[inline]
    pub(crate) fn insert(&mut self, key: K) -> bool {
        if key == K::default() {
            return !std::mem::replace(&mut self.holds_zero, true);
        }
        if (self.stored + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.home(key);
        loop {
            let held = self.slots[slot];
            if held == key {
                return false;
            }
            if held == K::default() {
                self.slots[slot] = key;
                self.stored += 1;
                return true;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Whether `key` is in the set.
    #[inline]
    pub(crate) fn contains(&self, key: K) -> bool {
        self.find(key).is_some() || (key == K::default() && self.holds_zero)
    }

    /// The slot holding `key` (never the zero key).
    fn find(&self, key: K) -> Option<usize> {
        if key == K::default() || self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.home(key);
        loop {
            let held = self.slots[slot];
            if held == key {
                return Some(slot);
            }
            if held == K::default() {
                return None;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Takes `key` out; false when it was not there. The keys after it in
    /// its run are shifted back so that every probe still finds its key
    /// (Knuth's algorithm R, no tombstones).
    pub(crate) fn remove(&mut self, key: K) -> bool {
        if key == K::default() {
            return std::mem::replace(&mut self.holds_zero, false);
        }
        let Some(mut hole) = self.find(key) else {
            return false;
        };
        let mask = self.slots.len() - 1;
        let mut next = hole;
        loop {
            next = (next + 1) & mask;
            let held = self.slots[next];
            if held == K::default() {
                break;
            }
            // `held` may fill the hole unless its home lies cyclically
            // in (hole, next]: then the hole is before its home.
            let home = self.home(held);
            let after_hole = (home.wrapping_sub(hole) & mask) != 0;
            let stays =
                after_hole && (home.wrapping_sub(hole) & mask) <= (next.wrapping_sub(hole) & mask);
            if !stays {
                self.slots[hole] = held;
                hole = next;
            }
        }
        self.slots[hole] = K::default();
        self.stored -= 1;
        true
    }

    /// Empties the set, keeping its table.
    pub(crate) fn clear(&mut self) {
        self.slots.iter_mut().for_each(|slot| *slot = K::default());
        self.holds_zero = false;
        self.stored = 0;
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.stored + usize::from(self.holds_zero)
    }

    /// Asks the processor to fetch the slot where `key`'s probe starts, so
    /// that an insert a few scans later finds it in cache. A hint only.
    #[inline]
    pub(crate) fn prefetch(&self, key: K) {
        if self.slots.is_empty() {
            return;
        }
        let slot: *const K = &self.slots[self.home(key)];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch never faults and reads nothing into the
        // program; the address is a slot of the table in any case.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(slot.cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    /// Doubles the table (16 slots at first) and places every key again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, vec![K::default(); size]);
        let mask = size - 1;
        for key in old.into_iter().filter(|key| *key != K::default()) {
            let mut slot = self.home(key);
            while self.slots[slot] != K::default() {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = key;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KeySet;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[derive(Debug, Clone)]
    enum Step {
        Insert(u128),
        Remove(u128),
        Contains(u128),
        Clear,
    }

    /// Keys from a small range (collisions, removals that hit) and the
    /// zero key, plus wide random ones.
    fn key() -> impl Strategy<Value = u128> {
        prop_oneof![0u128..64, Just(0u128), any::<u128>()]
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            6 => key().prop_map(Step::Insert),
            3 => key().prop_map(Step::Remove),
            3 => key().prop_map(Step::Contains),
            1 => Just(Step::Clear),
        ]
    }

    proptest! {
        /// Every answer equals std's HashSet's, after any run of steps.
        #[test]
        fn answers_as_a_hash_set(steps in proptest::collection::vec(step(), 0..400)) {
            let mut set = KeySet::<u128>::new();
            let mut wide = KeySet::<u64>::new();
            let mut reference = HashSet::new();
            for step in steps {
                match step {
                    Step::Insert(key) => {
                        prop_assert_eq!(set.insert(key), reference.insert(key));
                        wide.insert(key as u64);
                    }
                    Step::Remove(key) => {
                        prop_assert_eq!(set.remove(key), reference.remove(&key));
                        wide.remove(key as u64);
                    }
                    Step::Contains(key) => prop_assert_eq!(set.contains(key), reference.contains(&key)),
                    Step::Clear => {
                        set.clear();
                        wide.clear();
                        reference.clear();
                    }
                }
                prop_assert_eq!(set.len(), reference.len());
                set.prefetch(7);
            }
            for key in 0..64u128 {
                prop_assert_eq!(set.contains(key), reference.contains(&key));
            }
            for key in &reference {
                prop_assert!(set.contains(*key));
            }
        }
    }

    #[test]
    fn grows_past_many_keys_and_keeps_them() {
        let mut set = KeySet::<u64>::new();
        for key in 0..100_000u64 {
            assert!(set.insert(key * 7));
        }
        assert_eq!(set.len(), 100_000);
        for key in 0..100_000u64 {
            assert!(!set.insert(key * 7));
            assert!(set.contains(key * 7));
            assert!(!set.contains(key * 7 + 1));
        }
        for key in (0..100_000u64).step_by(2) {
            assert!(set.remove(key * 7));
        }
        assert_eq!(set.len(), 50_000);
        for key in 0..100_000u64 {
            assert_eq!(set.contains(key * 7), key % 2 == 1);
        }
    }
}
