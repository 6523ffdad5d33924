//! The global allocator, counted: bytes the process holds allocated, as the program sees them.
//!
//! RSS alone cannot tell a leak from an allocator that keeps freed pages for reuse; this count
//! can, so `serve` publishes it on `/metrics` beside the state it holds. Each thread keeps its
//! own running difference and folds it into the shared total only past a few KiB, so the hot
//! path of `hunt` pays a thread-local add, not a contended atomic, per allocation.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering::Relaxed};

/// How far a thread's own count may drift before it is folded into [`LIVE`]; the total is
/// therefore exact to within this much per running thread. A thread that ends takes its last
/// difference with it (flushing it would need a thread-local destructor, which may allocate
/// from inside the allocator). `serve`, the one that publishes the count, keeps its runtime
/// and engine threads for the whole run; only tokio's blocking threads (name lookups for NATS)
/// come and go, each leaving an error of less than this.
const FOLD: i64 = 16 * 1024;

static LIVE: AtomicI64 = AtomicI64::new(0);

thread_local! {
    // Const-initialised and without a destructor, so the allocator may touch it at any point
    // of a thread's life, including while the thread is being torn down.
    static OWN: Cell<i64> = const { Cell::new(0) };
}

pub struct Counted<A>(pub A);

impl<A> Counted<A> {
    #[inline]
    fn count(delta: i64) {
        let own = OWN.get() + delta;
        if own.abs() >= FOLD {
            LIVE.fetch_add(own, Relaxed);
            OWN.set(0);
        } else {
            OWN.set(own);
        }
    }
}

// SAFETY: every call is passed unchanged to the inner allocator; counting only reads sizes.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counted<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = self.0.alloc(layout);
        if !p.is_null() {
            Self::count(layout.size() as i64);
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = self.0.alloc_zeroed(layout);
        if !p.is_null() {
            Self::count(layout.size() as i64);
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.0.dealloc(ptr, layout);
        Self::count(-(layout.size() as i64));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = self.0.realloc(ptr, layout, new_size);
        if !p.is_null() {
            Self::count(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// Turns transparent huge pages off for this process, before it allocates much.
///
/// mimalloc reserves its arena in large aligned regions, so with THP allowed the kernel backs
/// them with 2 MiB pages that stay resident whole when a few KiB of each are in use, and
/// khugepaged fills in more as it runs. Measured (docs/RELIABILITY.md, docs/PERFORMANCE.md):
/// `serve` at 1,500 records/s for 4 minutes, RSS 80–100 MB with THP against 50–60 MB without,
/// for the same 10–14 MB of heap held; `hunt` of a 1.5 GB archive, peak RSS 53 against 34 MB,
/// in the same time. Kernels without the call keep the default (the result is not needed).
pub fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integers only and reads or writes no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Bytes allocated and not yet freed, to within [`FOLD`] per thread.
pub fn live_bytes() -> u64 {
    LIVE.load(Relaxed).max(0) as u64
}

#[cfg(test)]
mod tests {
    use super::{live_bytes, no_huge_pages};

    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_once_asked() {
        no_huge_pages();
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        // Kernels since 5.0 report it; older ones have no line, and nothing to check.
        if let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) {
            assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
        }
    }

    #[test]
    fn a_held_allocation_shows_in_the_count_and_leaves_it_when_freed() {
        // Other tests run on other threads; each folds at most FOLD, so compare with margin.
        let before = live_bytes() as i64;
        let block = std::hint::black_box(vec![7u8; 64 << 20]);
        let held = live_bytes() as i64;
        assert!(held - before > 60 << 20, "{before} → {held}");
        drop(block);
        let after = live_bytes() as i64;
        assert!(held - after > 60 << 20, "{held} → {after}");
    }
}
