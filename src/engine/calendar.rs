//! TEMPORARY stand-in until the radix heap lands.
use std::cmp::Reverse;
use std::collections::BinaryHeap;
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(pub u64);
pub struct Calendar<E: Copy> {
    heap: BinaryHeap<Reverse<(u64, u64, Wrap<E>)>>,
    now: f64,
    seq: u64,
}
#[derive(Clone, Copy)]
struct Wrap<E>(E);
impl<E> PartialEq for Wrap<E> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<E> Eq for Wrap<E> {}
impl<E> PartialOrd for Wrap<E> {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl<E> Ord for Wrap<E> {
    fn cmp(&self, _: &Self) -> std::cmp::Ordering {
        std::cmp::Ordering::Equal
    }
}
impl<E: Copy> Calendar<E> {
    pub fn new() -> Self {
        Calendar {
            heap: BinaryHeap::new(),
            now: 0.0,
            seq: 0,
        }
    }
    pub fn with_capacity(_n: usize) -> Self {
        Self::new()
    }
    pub fn now(&self) -> f64 {
        self.now
    }
    pub fn schedule(&mut self, at: f64, e: E) -> EventId {
        let at = at.max(self.now) + 0.0;
        self.seq += 1;
        self.heap.push(Reverse((at.to_bits(), self.seq, Wrap(e))));
        EventId(self.seq)
    }
    pub fn pop(&mut self) -> Option<(f64, E)> {
        let Reverse((t, _, w)) = self.heap.pop()?;
        self.now = f64::from_bits(t);
        Some((self.now, w.0))
    }
    pub fn peek_time(&mut self) -> Option<f64> {
        self.heap
            .peek()
            .map(|Reverse((t, _, _))| f64::from_bits(*t))
    }
}
