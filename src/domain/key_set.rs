//! Sets and maps of 64- or 128-bit keys that the hot loops probe once per
//! row in tables that outgrow the cache on large logs: the meter's image
//! history and scan ids ([`KeySet`]), and the image interner's ids
//! ([`KeyMap`]).
//!
//! Why by hand (docs/decisions.md, "The meter's sets"): hashbrown reaches a
//! key through its control bytes and then its slot, two cache misses when
//! the table is large, and offers no way to ask for a slot ahead of time.
//! This table keeps the entries in one array (open addressing, linear
//! probing, at most three quarters full; the all-zero key, which marks an
//! empty slot, is kept aside), so a key is one miss away, and `prefetch`
//! lets a loop over held rows fetch the slot of a row a few rows ahead
//! while it works on the rows before (and the next line, where a probe's
//! run is likely to go on). A table of 2 MB or more is advised to the
//! kernel as huge pages ([`Slots`]), so that random probes into hundreds of
//! MB do not walk the page tables for each 4 KB page. Property tests pin
//! both to `std`'s `HashSet` and `HashMap`.

use std::hash::BuildHasher;

/// How many rows ahead a loop over held rows fetches the slots a row will
/// probe: enough to cover a miss to memory with the work between
/// (`bench/README.md`).
pub(crate) const PREFETCH_AHEAD: usize = 16;

/// A key of a [`KeyMap`]: the default value marks an empty slot.
pub(crate) trait SetKey: ZeroIsDefault + Eq + std::hash::Hash {}
impl SetKey for u64 {}
impl SetKey for u128 {}

/// A map from keys to small copyable values (see the module's documentation).
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyMap<K: SetKey, V: ZeroIsDefault> {
    /// A power of two long (or empty); `K::default()` marks an empty slot.
    slots: Slots<(K, V)>,
    /// The value of the empty-slot key itself, when it is in the map.
    zero: Option<V>,
    /// Keys in `slots` (not counting the zero key).
    stored: usize,
    /// Seeded afresh for every table: a log crafted so that its keys share
    /// a home slot under a hash known in advance would turn every probe
    /// into a walk along one run. Nothing depends on where a key lies.
    hasher: foldhash::fast::RandomState,
}

impl<K: SetKey, V: ZeroIsDefault> KeyMap<K, V> {
    pub(crate) fn new() -> Self {
        KeyMap {
            slots: Slots::default(),
            zero: None,
            stored: 0,
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// Where `key`'s probe starts. The hash is foldhash's: interned ids are
    /// small integers, and only a hash spreads them over the table.
    #[inline]
    fn home(&self, key: K) -> usize {
        (self.hasher.hash_one(key) as usize) & (self.slots.len() - 1)
    }

    /// The value of `key`, adding it with `value` when it is not there;
    /// true when it was added.
    #[inline]
    pub(crate) fn get_or_insert(&mut self, key: K, value: V) -> (V, bool) {
        if key == K::default() {
            return match self.zero {
                Some(held) => (held, false),
                None => (*self.zero.insert(value), true),
            };
        }
        if (self.stored + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.home(key);
        loop {
            let (held, held_value) = self.slots[slot];
            if held == key {
                return (held_value, false);
            }
            if held == K::default() {
                self.slots[slot] = (key, value);
                self.stored += 1;
                return (value, true);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The value of `key`, if it is there.
    #[inline]
    pub(crate) fn get(&self, key: K) -> Option<V> {
        if key == K::default() {
            return self.zero;
        }
        self.find(key).map(|slot| self.slots[slot].1)
    }

    /// The slot holding `key` (never the zero key).
    fn find(&self, key: K) -> Option<usize> {
        if key == K::default() || self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.home(key);
        loop {
            let held = self.slots[slot].0;
            if held == key {
                return Some(slot);
            }
            if held == K::default() {
                return None;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Takes `key` out, with its value. The entries after it in its run
    /// are shifted back so that every probe still finds its key (Knuth's
    /// algorithm R, no tombstones).
    pub(crate) fn remove(&mut self, key: K) -> Option<V> {
        if key == K::default() {
            return self.zero.take();
        }
        let mut hole = self.find(key)?;
        let removed = self.slots[hole].1;
        let mask = self.slots.len() - 1;
        let mut next = hole;
        loop {
            next = (next + 1) & mask;
            let held = self.slots[next];
            if held.0 == K::default() {
                break;
            }
            // `held` may fill the hole unless its home lies cyclically
            // in (hole, next]: then the hole is before its home.
            let from_hole = self.home(held.0).wrapping_sub(hole) & mask;
            let stays = from_hole != 0 && from_hole <= (next.wrapping_sub(hole) & mask);
            if !stays {
                self.slots[hole] = held;
                hole = next;
            }
        }
        self.slots[hole] = (K::default(), V::default());
        self.stored -= 1;
        Some(removed)
    }

    /// Empties the map, keeping its table.
    pub(crate) fn clear(&mut self) {
        self.slots
            .iter_mut()
            .for_each(|slot| *slot = (K::default(), V::default()));
        self.zero = None;
        self.stored = 0;
    }

    /// Empties the map for a use that adds at most `keys` keys, keeping
    /// its table (in memory already: no fresh page for the kernel to fault
    /// in and zero, no growth to go through again) unless it is over four
    /// times the table `keys` keys could need; then it starts small
    /// again, so a table is never cleared at many times a use's cost. A
    /// new seed, as for a new table.
    pub(crate) fn reuse_for(&mut self, keys: usize) {
        let most = keys
            .saturating_add(1)
            .saturating_mul(4)
            .div_ceil(3)
            .checked_next_power_of_two()
            .unwrap_or(usize::MAX)
            .max(16);
        if self.slots.len() > most.saturating_mul(4) {
            self.slots = Slots::default();
        }
        self.clear();
        self.hasher = foldhash::fast::RandomState::default();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.stored + usize::from(self.zero.is_some())
    }

    /// Asks the processor to fetch the slot where `key`'s probe starts, so
    /// that a probe a few rows later finds it in cache; when the slot lies
    /// in the second half of its cache line, the next line too, where the
    /// probe's run is likely to go on (a new key's run is three or four
    /// slots long on average in a table between three eighths and three
    /// quarters full). A hint only.
    #[inline]
    pub(crate) fn prefetch(&self, key: K) {
        if self.slots.is_empty() {
            return;
        }
        let home = self.home(key);
        let slot = &self.slots[home];
        fetch_into_cache(slot);
        let size = std::mem::size_of::<(K, V)>();
        let in_line = (slot as *const (K, V)).addr() % CACHE_LINE;
        if in_line * 2 >= CACHE_LINE {
            let next = home + (CACHE_LINE - in_line).div_ceil(size);
            fetch_into_cache(&self.slots[next & (self.slots.len() - 1)]);
        }
    }

    /// Doubles the table (16 slots at first) and places every entry again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(16);
        let old = std::mem::replace(&mut self.slots, Slots::zeroed(size));
        let mask = size - 1;
        for entry in old.iter().copied().filter(|entry| entry.0 != K::default()) {
            let mut slot = self.home(entry.0);
            while self.slots[slot].0 != K::default() {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = entry;
        }
    }
}

/// Asks the processor to bring `slot`'s cache line into its caches (a
/// hint: nothing is read into the program).
#[inline]
pub(crate) fn fetch_into_cache<T: ?Sized>(slot: &T) {
    let slot: *const T = slot;
    let slot: *const u8 = slot.cast();
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing into the program;
    // the address is a slot of the table in any case.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(slot.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = slot;
}

/// A transparent huge page where the base page is 4 KB (x86-64, and
/// AArch64 kernels built with 4 KB pages).
const HUGE_PAGE: usize = 2 << 20;
/// The bytes of a cache line on the processors this is built for.
const CACHE_LINE: usize = 64;

/// A value whose all-zero bytes are a valid value, its default: what a
/// table's slots may hold ([`Slots`] starts them as zeroed memory, and the
/// table reads a zero key as an empty slot).
///
/// # Safety
/// Implement it only for types whose all-zero bit pattern is a valid value
/// and equal to `Self::default()`.
pub(crate) unsafe trait ZeroIsDefault: Copy + Default {}
// SAFETY: `u32`, `u64`, `u128` and `()` are valid as zero bytes, which are
// their defaults; a pair's fields are then valid as zero and its default
// is its fields' defaults (padding bytes need no particular value).
unsafe impl ZeroIsDefault for u64 {}
unsafe impl ZeroIsDefault for u128 {}
unsafe impl ZeroIsDefault for u32 {}
unsafe impl ZeroIsDefault for () {}
unsafe impl<A: ZeroIsDefault, B: ZeroIsDefault> ZeroIsDefault for (A, B) {}

/// A table's slots, all zero at first. A table of a huge page or more is
/// aligned to one and advised to the kernel as huge pages before this code
/// writes it; memory fresh from the kernel then faults in as huge pages,
/// and the table is reached through a few of them instead of a page-table
/// walk for each 4 KB page it touches (the tables of a large log are some
/// 300 MB, probed at random; `bench/README.md`). `Vec` cannot be asked for
/// an alignment, and aligning inside a longer one left its head to the
/// allocator's zeroing (a higher peak still), hence an allocation of its
/// own.
struct Slots<T: ZeroIsDefault> {
    /// Dangling when `len` is zero (nothing allocated).
    start: std::ptr::NonNull<T>,
    len: usize,
}

// SAFETY: the table owns its slots as a `Vec` would.
unsafe impl<T: ZeroIsDefault + Send> Send for Slots<T> {}
// SAFETY: shared access only reads, as a `Vec`'s would.
unsafe impl<T: ZeroIsDefault + Sync> Sync for Slots<T> {}

impl<T: ZeroIsDefault> Slots<T> {
    /// `len` default (all-zero) slots, aligned as above.
    fn zeroed(len: usize) -> Self {
        const { assert!(std::mem::size_of::<T>() > 0, "a slot takes room") };
        let Some(layout) = Self::layout(len) else {
            return Self::default();
        };
        // SAFETY: the layout's size is not zero; a failed allocation ends
        // the program as `Vec`'s does.
        let start = unsafe { std::alloc::alloc(layout) };
        let Some(start) = std::ptr::NonNull::new(start.cast::<T>()) else {
            std::alloc::handle_alloc_error(layout)
        };
        #[cfg(target_os = "linux")]
        if layout.align() == HUGE_PAGE {
            // SAFETY: advice about memory this table owns (its start is
            // page-aligned); it changes how the kernel backs the pages,
            // never their contents. Failing, it changes nothing.
            unsafe {
                libc::madvise(start.as_ptr().cast(), layout.size(), libc::MADV_HUGEPAGE);
            }
        }
        // Zeroed by writing, never left to the allocator's `calloc`: fresh
        // pages it leaves untouched are first *read* by a probe, which maps
        // the kernel's shared zero page, and the first key written then
        // replaces that mapping, flushing it from every core's TLB (an
        // interrupt to each core running the program's other threads: 15 %
        // of an ordered 10 M-row report's time on a 2-core VM, `perf`).
        // Written first, a page faults in once, with no flush.
        // SAFETY: the allocation holds `len` slots; all-zero slots are
        // valid (`ZeroIsDefault`).
        unsafe { start.as_ptr().write_bytes(0, len) };
        Slots { start, len }
    }

    /// The allocation of `len` slots, `None` when it is empty.
    fn layout(len: usize) -> Option<std::alloc::Layout> {
        let slots = std::alloc::Layout::array::<T>(len).expect("a table fits in memory");
        let align = if slots.size() >= HUGE_PAGE {
            HUGE_PAGE
        } else {
            slots.align()
        };
        (slots.size() > 0).then(|| slots.align_to(align).expect("a table fits in memory"))
    }
}

impl<T: ZeroIsDefault> Default for Slots<T> {
    fn default() -> Self {
        Slots {
            start: std::ptr::NonNull::dangling(),
            len: 0,
        }
    }
}

impl<T: ZeroIsDefault> Drop for Slots<T> {
    fn drop(&mut self) {
        if let Some(layout) = Self::layout(self.len) {
            // SAFETY: allocated in `zeroed` with this very layout.
            unsafe { std::alloc::dealloc(self.start.as_ptr().cast(), layout) }
        }
    }
}

impl<T: ZeroIsDefault> Clone for Slots<T> {
    fn clone(&self) -> Self {
        let mut copy = Slots::zeroed(self.len);
        copy.copy_from_slice(self);
        copy
    }
}

impl<T: ZeroIsDefault + std::fmt::Debug> std::fmt::Debug for Slots<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: ZeroIsDefault> std::ops::Deref for Slots<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        // SAFETY: `len` initialised slots from `start` (or none, dangling).
        unsafe { std::slice::from_raw_parts(self.start.as_ptr(), self.len) }
    }
}

impl<T: ZeroIsDefault> std::ops::DerefMut for Slots<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in `deref`, and `&mut self` is the only access.
        unsafe { std::slice::from_raw_parts_mut(self.start.as_ptr(), self.len) }
    }
}

/// A set of keys: a [`KeyMap`] without values (they take no room).
#[derive(Clone, Debug, Default)]
pub(crate) struct KeySet<K: SetKey> {
    map: KeyMap<K, ()>,
}

impl<K: SetKey> KeySet<K> {
    pub(crate) fn new() -> Self {
        KeySet { map: KeyMap::new() }
    }

    /// Adds `key`; false when it was already there.
    #[inline]
    pub(crate) fn insert(&mut self, key: K) -> bool {
        self.map.get_or_insert(key, ()).1
    }

    /// Whether `key` is in the set.
    #[inline]
    pub(crate) fn contains(&self, key: K) -> bool {
        self.map.get(key).is_some()
    }

    /// Takes `key` out; false when it was not there.
    pub(crate) fn remove(&mut self, key: K) -> bool {
        self.map.remove(key).is_some()
    }

    /// Empties the set, keeping its table.
    pub(crate) fn clear(&mut self) {
        self.map.clear();
    }

    /// See [`KeyMap::reuse_for`].
    pub(crate) fn reuse_for(&mut self, keys: usize) {
        self.map.reuse_for(keys);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }

    /// See [`KeyMap::prefetch`].
    #[inline]
    pub(crate) fn prefetch(&self, key: K) {
        self.map.prefetch(key);
    }
}

#[cfg(test)]
mod tests {
    use super::{HUGE_PAGE, KeyMap, KeySet, Slots};
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    #[derive(Debug, Clone)]
    enum Step {
        Insert(u128),
        Remove(u128),
        Contains(u128),
        Clear,
        /// [`KeySet::reuse_for`] this many keys.
        Reuse(usize),
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
            1 => prop_oneof![0usize..8, 0usize..200].prop_map(Step::Reuse),
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
                    Step::Contains(key) => {
                        // A hint must not panic on any slot, the last included.
                        set.prefetch(key);
                        wide.prefetch(key as u64);
                        prop_assert_eq!(set.contains(key), reference.contains(&key));
                    }
                    Step::Clear => {
                        set.clear();
                        wide.clear();
                        reference.clear();
                    }
                    Step::Reuse(keys) => {
                        set.reuse_for(keys);
                        wide.reuse_for(keys);
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

    proptest! {
        /// Every answer equals std's HashMap's: the first value given a key
        /// stays until the key is removed.
        #[test]
        fn answers_as_a_hash_map(steps in proptest::collection::vec((step(), any::<u32>()), 0..400)) {
            let mut map = KeyMap::<u128, u32>::new();
            let mut reference: HashMap<u128, u32> = HashMap::new();
            for (step, value) in steps {
                match step {
                    Step::Insert(key) => {
                        let added = !reference.contains_key(&key);
                        let held = *reference.entry(key).or_insert(value);
                        prop_assert_eq!(map.get_or_insert(key, value), (held, added));
                    }
                    Step::Remove(key) => prop_assert_eq!(map.remove(key), reference.remove(&key)),
                    Step::Contains(key) => {
                        map.prefetch(key);
                        prop_assert_eq!(map.get(key), reference.get(&key).copied());
                    }
                    Step::Clear => {
                        map.clear();
                        reference.clear();
                    }
                    Step::Reuse(keys) => {
                        map.reuse_for(keys);
                        reference.clear();
                    }
                }
                prop_assert_eq!(map.len(), reference.len());
            }
            for (key, value) in &reference {
                prop_assert_eq!(map.get(*key), Some(*value));
            }
        }
    }

    /// A table reused for as many keys or fewer keeps its room (nothing to
    /// fault in again); for far fewer it starts small, so that clearing it
    /// never costs many times the use.
    #[test]
    fn a_reused_table_keeps_its_room_unless_far_too_large() {
        let mut set = KeySet::<u64>::new();
        for key in 1..=1000u64 {
            set.insert(key);
        }
        let grown = set.map.slots.len();
        assert_eq!(grown, 2048);
        set.reuse_for(1000);
        assert_eq!((set.map.slots.len(), set.len()), (grown, 0));
        set.reuse_for(200);
        assert_eq!(
            set.map.slots.len(),
            grown,
            "512 slots would do: 2048 is four times that"
        );
        set.reuse_for(100);
        assert_eq!(
            set.map.slots.len(),
            0,
            "256 slots would do: 2048 is eight times that"
        );
        assert!(set.insert(5) && set.contains(5) && !set.contains(6));
    }

    #[test]
    fn large_tables_are_aligned_to_a_huge_page() {
        let small = Slots::<(u64, ())>::zeroed(16);
        assert_eq!(small.len(), 16);
        assert!(small.iter().all(|slot| slot.0 == 0));
        let large = Slots::<(u128, ())>::zeroed(HUGE_PAGE / 16);
        assert_eq!(large.as_ptr() as usize % HUGE_PAGE, 0);
        assert_eq!(large.len(), HUGE_PAGE / 16);
        assert!(large.iter().all(|slot| slot.0 == 0));
        let mut filled = Slots::<(u128, u32)>::zeroed(64);
        filled[63] = (7, 9);
        let copy = filled.clone();
        assert_eq!(&copy[..], &filled[..]);
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
