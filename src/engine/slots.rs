//! Slots for a model's entities in fixed-size chunks: growing never moves or copies them.
//!
//! A `Vec` that grows to millions of entities doubles its capacity by allocating anew and
//! copying: for a moment it holds the old and the new block, so the peak memory of a run
//! depends on where its largest population falls against a power of two, and every doubling
//! copies everything. Chunks of [`CHUNK`] entities are allocated one at a time and never
//! move, so memory follows the population in steps of one chunk.

use std::ops::{Index, IndexMut};

/// Entities per chunk (a power of two, so an index splits with a shift and a mask).
pub const CHUNK: usize = 1 << 16;

/// Entities by index, stored in chunks of [`CHUNK`].
#[derive(Debug)]
pub struct Slots<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Slots<T> {
    /// No slots.
    pub const fn new() -> Self {
        Slots {
            chunks: Vec::new(),
            len: 0,
        }
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is no slot.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a slot holding `value` at index `len()`.
    pub fn push(&mut self, value: T) {
        let c = self.len / CHUNK;
        if c == self.chunks.len() {
            let chunk: Vec<T> = Vec::with_capacity(CHUNK);
            super::memory::prefer_huge_pages(
                chunk.as_ptr().cast(),
                chunk.capacity() * std::mem::size_of::<T>(),
            );
            self.chunks.push(chunk);
        }
        self.chunks[c].push(value);
        self.len += 1;
    }

    /// Removes every slot, keeping the chunks' memory for the next fill.
    pub fn clear(&mut self) {
        for chunk in &mut self.chunks {
            chunk.clear();
        }
        self.len = 0;
    }

    /// The slots in index order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

impl<T> Default for Slots<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Index<usize> for Slots<T> {
    type Output = T;

    #[inline]
    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<T> IndexMut<usize> for Slots<T> {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i / CHUNK][i % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_keep_their_values_across_chunks_and_refills() {
        let mut s = Slots::new();
        let n = 2 * CHUNK + 17;
        for i in 0..n {
            s.push(i as u64 * 3);
        }
        assert_eq!(s.len(), n);
        assert_eq!(s[CHUNK - 1], (CHUNK as u64 - 1) * 3);
        assert_eq!(s[CHUNK], CHUNK as u64 * 3);
        s[n - 1] = 7;
        assert_eq!(s[n - 1], 7);
        assert_eq!(s.iter().count(), n);
        let first = s.chunks[0].as_ptr();
        s.clear();
        assert!(s.is_empty());
        s.push(5);
        assert_eq!(s[0], 5);
        // The memory of the first fill is reused, not allocated again.
        assert_eq!(s.chunks[0].as_ptr(), first);
    }

    #[test]
    #[should_panic]
    fn an_index_past_the_end_panics() {
        let mut s = Slots::new();
        s.push(1u8);
        let _ = s[1];
    }
}
