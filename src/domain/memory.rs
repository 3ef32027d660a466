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
//! default), nothing else asks. Elsewhere the advice changes nothing.
//! Advice never changes what memory holds, only how the kernel backs it.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of at least this many bytes are advised: smaller ones share
/// pages with other blocks, and an array this large is filled, not
/// sparsely touched.
const ADVISED_FROM: usize = 4 << 20;

/// A huge page on x86-64 and most of aarch64's Linux kernels.
const HUGE_PAGE: usize = 2 << 20;

/// [`System`], advising blocks of [`ADVISED_FROM`] bytes or more as huge
/// pages. Installed by the binary (`#[global_allocator]`).
pub struct HugePagesAdvised;

// SAFETY: every call is `System`'s with the same arguments; the advice
// after it only touches whole huge pages inside the block it returned.
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

/// Advise the whole huge pages inside `size` bytes from `block` (null when
/// an allocation failed: nothing to advise).
fn advise(block: *mut u8, size: usize) {
    if block.is_null() || size < ADVISED_FROM {
        return;
    }
    let start = (block as usize).next_multiple_of(HUGE_PAGE);
    let end = (block as usize + size) / HUGE_PAGE * HUGE_PAGE;
    if end <= start {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: the range is page-aligned and lies inside a block the
    // allocator just handed out; MADV_HUGEPAGE changes how the kernel backs
    // it, never its contents, and failing it changes nothing.
    unsafe {
        libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
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
        for size in [64, ADVISED_FROM - 1, ADVISED_FROM, 3 * ADVISED_FROM + 7] {
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
                let grown_size = size * 2 + HUGE_PAGE;
                let grown = allocator.realloc(block, layout, grown_size);
                assert!(!grown.is_null());
                assert!((0..size).all(|i| grown.add(i).read() == i as u8));
                let grown_layout = Layout::from_size_align(grown_size, 8).unwrap();
                let shrunk = allocator.realloc(grown, grown_layout, size / 2 + 1);
                assert!((0..size / 2 + 1).all(|i| shrunk.add(i).read() == i as u8));
                allocator.dealloc(shrunk, Layout::from_size_align(size / 2 + 1, 8).unwrap());
            }
        }
    }
}
