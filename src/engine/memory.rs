//! The memory policy of large blocks: each mapped on its own, so memory follows what is in
//! flight, never how long a run has gone on; and on huge pages where the block is large.
//!
//! A replication keeps millions of parcels in chunked slots and its calendar in buckets that
//! grow and shrink as time moves; those are blocks of hundreds of kilobytes to megabytes.
//! glibc's malloc raises its mmap threshold each time such a block is freed, so after the first
//! hours they are carved from the heap instead, and the heap's free holes between them are
//! never given back: over a year's horizon resident memory grew 57% for the same parcels in
//! flight (docs/scenario.md, "Memory and speed"). A fixed threshold keeps every block of 128 KiB and
//! more in its own mapping, returned to the system when freed.

/// Blocks at or above this many bytes are mapped on their own.
pub const MMAP_THRESHOLD: usize = 128 * 1024;

/// Fixes the allocator's mmap threshold at [`MMAP_THRESHOLD`] (glibc only; elsewhere the
/// allocator already returns large blocks and this does nothing). Call once, before the work.
pub fn map_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes allocator parameters; any value is accepted or refused
    // with a return of 0, and no allocation is in an inconsistent state while it runs.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int);
    }
}

/// Asks the kernel to back `len` bytes from `start` with transparent huge pages (2 MiB)
/// where the system allows it on request (`madvise` mode); elsewhere it changes nothing.
///
/// Millions of parcels in flight are visited in no order the cache can follow, so nearly
/// every visit also misses the TLB, which maps 4 KiB pages: a few thousand entries for
/// hundreds of megabytes. On 2 MiB pages the whole population fits, and the network-eu bench
/// spends about a sixth less time (docs/scenario.md, "Memory and speed").
pub fn prefer_huge_pages(start: *const u8, len: usize) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        let from = (start as usize).next_multiple_of(PAGE);
        let to = (start as usize + len) / PAGE * PAGE;
        if to > from {
            // SAFETY: the range lies inside one live allocation of the caller; MADV_HUGEPAGE
            // only changes how the kernel backs it (contents are kept), and an error (a
            // kernel without huge pages) leaves the memory as it was.
            unsafe {
                libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (start, len);
}
