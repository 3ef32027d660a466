//! The program's allocator: the system's, with every large block advised as
//! transparent huge pages (Linux), as glibc's `glibc.malloc.hugetlb=1`
//! tunable would, but without asking the user to set it.
//!
//! Why: a shuffled log is held as ten million 48-byte events, first in the
//! pieces that parse it, then in one array; on 4 KB pages each of those
//! pages is a fault the kernel zeroes and charges one at a time (a tenth
//! of a 10 M-row report's CPU, measured in `bench/README.md`). On a
//! machine whose kernel gives huge pages only where they are asked for
//! (`/sys/kernel/mm/transparent_hugepage/enabled` = `madvise`, Debian's
//! default), nothing else asks. Where the kernel gives huge pages to
//! everyone, or to no one, the advice changes little (with `defrag` =
//! `madvise`, an advised region may be compacted for when first touched).
//! Advice never changes what memory holds, only how the kernel backs it.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of at least this many bytes are advised: smaller ones share
/// pages with other blocks, and an array this large is filled, not
/// sparsely touched. (At 4 MB the ordered ledger's pieces in flight, about
/// 4.6 MB each, held 15–25 MB more at its peak, for no time saved.)
const ADVISED_FROM: usize = 16 << 20;

/// [`System`], advising blocks of [`ADVISED_FROM`] bytes or more as huge
/// pages. Installed by the binary (`#[global_allocator]`).
pub struct HugePagesAdvised;

// SAFETY: every call is `System`'s with the same arguments; the advice
// after it covers the pages of the block it returned (from the start of
// its first page), and changes how they are backed, never what they hold.
unsafe impl GlobalAlloc for HugePagesAdvised {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let block = unsafe { System.alloc(layout) };
        advise(block, layout.size());
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let block = unsafe { System.alloc_zeroed(layout) };
        advise(block, layout.size());
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let block = unsafe { System.realloc(block, layout, new_size) };
        advise(block, new_size);
        block
    }
}

/// Advise the pages that hold `size` bytes from `block` (null when an
/// allocation failed: nothing to advise), from the start of the page it
/// begins in, as glibc's tunable does. Advising only the whole huge pages
/// inside the block would split its mapping in two with different flags,
/// and the kernel's `mremap` does not resize across such a split: glibc's
/// `realloc` of a large block would then copy it instead of moving its
/// pages.
fn advise(block: *mut u8, size: usize) {
    if block.is_null() || size < ADVISED_FROM {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let page = page_size();
        let start = block as usize & !(page - 1);
        let Some(length) = (block as usize).checked_add(size).map(|end| end - start) else {
            return;
        };
        // SAFETY: `start` is page-aligned and the range is mapped: it holds
        // the block the allocator just handed out and at most the start of
        // the page it begins in (allocator memory: the block's own header
        // or a neighbour's bytes). MADV_HUGEPAGE changes how the kernel
        // backs pages, never their contents; failing, it changes nothing.
        // Its failure (a kernel without transparent huge pages) must not
        // leave its errno for whoever called the allocator, hence the
        // errno put back (the thread's own, always valid).
        unsafe {
            let errno = *libc::__errno_location();
            libc::madvise(start as *mut libc::c_void, length, libc::MADV_HUGEPAGE);
            *libc::__errno_location() = errno;
        }
    }
}

/// The system's page size (a power of two), read once.
#[cfg(target_os = "linux")]
fn page_size() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            // SAFETY: sysconf reads a constant of the system; it allocates nothing.
            let read = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
            let page = usize::try_from(read)
                .ok()
                .filter(|page| page.is_power_of_two())
                .unwrap_or(4096);
            PAGE.store(page, Ordering::Relaxed);
            page
        }
        page => page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks on either side of the threshold, grown and shrunk, keep
    /// what was written in them, as `System`'s do.
    #[test]
    fn advised_blocks_keep_their_contents() {
        let allocator = HugePagesAdvised;
        for size in [64, ADVISED_FROM - 1, ADVISED_FROM, ADVISED_FROM + 4099] {
            let layout = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: a non-zero layout; each block is freed with its own.
            unsafe {
                let zeroed = allocator.alloc_zeroed(layout);
                assert!(!zeroed.is_null());
                assert!(
                    std::slice::from_raw_parts(zeroed, size)
                        .iter()
                        .all(|b| *b == 0)
                );
                allocator.dealloc(zeroed, layout);
                let block = allocator.alloc(layout);
                assert!(!block.is_null());
                for i in 0..size {
                    block.add(i).write(i as u8);
                }
                let grown_size = size * 2 + (2 << 20);
                let grown = allocator.realloc(block, layout, grown_size);
                assert!(!grown.is_null());
                assert!((0..size).all(|i| grown.add(i).read() == i as u8));
                let grown_layout = Layout::from_size_align(grown_size, 8).unwrap();
                let shrunk = allocator.realloc(grown, grown_layout, size / 2 + 1);
                assert!(!shrunk.is_null());
                assert!((0..size / 2 + 1).all(|i| shrunk.add(i).read() == i as u8));
                allocator.dealloc(shrunk, Layout::from_size_align(size / 2 + 1, 8).unwrap());
            }
        }
    }
}
