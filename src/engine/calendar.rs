//! The event calendar: pending events ordered by (time, insertion sequence).
//!
//! A discrete-event simulation never schedules an event before the current time, so the
//! calendar needs only a *monotone* priority queue, and a radix heap is one. Keys are the bits
//! of the event time (`f64::to_bits` orders non-negative times like their values), read as 16
//! hexadecimal digits. An event sits in the bucket named by the highest digit in which its key
//! differs from the reference (the key of the last popped event) and by its own value of that
//! digit, so scheduling is a push onto a `Vec`. A pop that finds no event at the reference
//! takes the lowest non-empty bucket, makes its earliest event the new reference and spreads
//! the bucket over the lower ones. Every move takes an event at least one digit lower, by
//! sequential reads and appends: in the hold model with a million pending events an event is
//! moved about six times in its life, while a binary heap sifts through twenty levels at
//! scattered addresses, a cache miss each (benches/calendar.rs measures both).
//!
//! ```text
//!   key = f64::to_bits(time)            reference = key of the last popped event
//!
//!   due                     [ key == reference, in insertion order ] ──pop──▶
//!   level 0, digit 0..=15   [ differs from the reference first in digit 0 ]
//!   level 1, digit 0..=15   [ ... first in digit 1 ]
//!   ...
//!   level 15, digit 0..=15  [ ... first in digit 15 ]
//!
//!   pop with `due` empty: the earliest key of the lowest non-empty bucket becomes the
//!   reference; that bucket's events move to `due` and to lower levels
//! ```
//!
//! With only a few events pending, as in a queueing model with a handful of servers, almost
//! every pop empties `due` and spreads a bucket, and that bookkeeping costs more than keeping
//! the events sorted. So while at most `SMALL_MAX` events are stored they sit in one sorted
//! `Vec` instead, the earliest last: a pop is a `Vec::pop` and a schedule shifts the events
//! due before the new one by one slot. Past `SMALL_MAX` the events move into the radix heap;
//! they move back when it has drained to `SMALL_MIN`, well below, so that a calendar whose
//! size hovers around either bound does not move its events back and forth at every event.
//!
//! Equal times always share a bucket and every move keeps their relative order, so ties pop in
//! insertion order and runs are deterministic; the sorted `Vec` orders by time, then sequence
//! number, and so does every move between the two.
//!
//! Cancellation is lazy: [`Calendar::cancel`] clears the event's bit in a window of pending
//! sequence numbers and the event is dropped when it reaches the front. The same bit tells
//! whether an id is still pending, so cancelling a popped, cancelled or unknown id changes
//! nothing.

use std::collections::{HashSet, VecDeque};

/// Handle of a scheduled event: its insertion sequence number, used to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId(pub u64);

/// One stored event.
#[derive(Clone, Copy)]
struct Entry<E> {
    /// `f64::to_bits` of the event time; for times ≥ +0.0 the bits order like the values.
    key: u64,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    /// Position in the calendar's order, (time, sequence number), as one number.
    #[inline]
    fn rank(&self) -> u128 {
        (u128::from(self.key) << 64) | u128::from(self.seq)
    }
}

/// A bucket of the radix heap with the earliest key it holds.
struct Bucket<E> {
    entries: Vec<Entry<E>>,
    /// Smallest key in `entries`, `u64::MAX` when empty; kept on push so that refilling from
    /// the bucket needs no scan for its minimum.
    min: u64,
}

impl<E> Bucket<E> {
    const EMPTY: u64 = u64::MAX;

    fn new() -> Self {
        Self {
            entries: Vec::new(),
            min: Self::EMPTY,
        }
    }
}

/// Most events kept in the sorted `Vec`; one more moves them all into the radix heap. In
/// the hold model the sorted `Vec` is faster up to about 48 pending events (shifting half
/// of them per schedule is cheap sequential copying), the radix heap from about 64.
const SMALL_MAX: usize = 48;
/// Events stored in the radix heap, when its `due` runs empty, at or below which they move
/// back to the sorted `Vec`. A third of `SMALL_MAX`, so that a calendar going back and forth
/// makes at least 32 schedules or pops between two moves of all its events.
const SMALL_MIN: usize = 16;

/// Pending events of type `E` ordered by time [h], ties broken by insertion order.
///
/// ```
/// # use clearsim::engine::calendar::Calendar;
/// let mut calendar = Calendar::new();
/// calendar.schedule(2.0, "inspection done");
/// let lodged = calendar.schedule(1.0, "declaration lodged");
/// calendar.schedule(1.0, "parcel arrived");
/// calendar.cancel(lodged);
/// assert_eq!(calendar.pop(), Some((1.0, "parcel arrived")));
/// assert_eq!(calendar.now(), 1.0);
/// assert_eq!(calendar.pop(), Some((2.0, "inspection done")));
/// assert_eq!(calendar.pop(), None);
/// ```
pub struct Calendar<E: Copy> {
    /// Whether the events are stored in `small`; otherwise they are in the radix heap
    /// (`due` and `buckets`) and `small` is empty.
    is_small: bool,
    /// While `is_small`, every stored event, sorted by (key, seq) from the latest to the
    /// earliest.
    small: Vec<Entry<E>>,
    /// Events stored in the radix heap, cancelled ones included.
    radix_len: usize,
    /// Events whose key equals `reference`, in insertion order; `due[head..]` are unpopped.
    due: Vec<Entry<E>>,
    head: usize,
    /// `buckets[level * RADIX + digit]` holds events whose key differs from `reference`
    /// first in digit `level` and has `digit` there.
    buckets: Box<[Bucket<E>; BUCKETS]>,
    /// Bit `i % 64` of word `i / 64` is set when `buckets[i]` is non-empty.
    occupied: [u64; BUCKETS / 64],
    /// Capacity [events] held by the empty buckets for reuse, kept within `spare_budget`.
    spare: usize,
    /// Key every bucket is relative to: that of `now`, or of the earliest event once
    /// `peek_time` has looked ahead. Meaningless while `is_small`.
    reference: u64,
    /// Time of the last popped event [h].
    now: f64,
    next_seq: u64,
    /// Pending events not cancelled.
    live: usize,
    pending: PendingSeqs,
}

impl<E: Copy> Calendar<E> {
    /// Creates an empty calendar at time 0 h.
    pub fn new() -> Self {
        Self {
            is_small: true,
            small: Vec::new(),
            radix_len: 0,
            due: Vec::new(),
            head: 0,
            buckets: Box::new(std::array::from_fn(|_| Bucket::new())),
            occupied: [0; BUCKETS / 64],
            spare: 0,
            reference: 0,
            now: 0.0,
            next_seq: 0,
            live: 0,
            pending: PendingSeqs::default(),
        }
    }

    /// Creates an empty calendar at time 0 h with room for `n` events scheduled at 2 h or
    /// later before the first pop, which all land in one bucket once they are more than
    /// `SMALL_MAX`. The other buckets grow during the first pass over the events and keep
    /// their capacity from then on.
    pub fn with_capacity(n: usize) -> Self {
        let mut calendar = Self::new();
        calendar.small.reserve(n.min(SMALL_MAX));
        if n > SMALL_MAX {
            let two_hours = 2.0f64.to_bits();
            calendar.buckets[bucket_index(two_hours, two_hours)]
                .entries
                .reserve(n);
            calendar.recount_spare();
        }
        calendar
    }

    /// Time of the last popped event [h], 0 before the first pop.
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Schedules `event` at time `at` [h] and returns the id that cancels it.
    ///
    /// `at` must be finite and not before [`now`](Self::now) (checked in debug builds). In
    /// release builds a time before now, -0.0 or NaN becomes now and +∞ becomes `f64::MAX`,
    /// so a bad time never breaks the ordering of the other events.
    // Always inlined, like `pop` and `peek_time`: with a few events pending the work is a few
    // dozen instructions, and inlining cut the calendar's instructions per hold with 4 events
    // pending by 30%.
    #[inline(always)]
    pub fn schedule(&mut self, at: f64, event: E) -> EventId {
        debug_assert!(
            at >= self.now,
            "event scheduled at {at} h, before now ({} h): schedule at now or later",
            self.now
        );
        debug_assert!(
            at.is_finite(),
            "event scheduled at {at} h: the time must be finite"
        );
        // NaN, -0.0 and times before now all fail `at > now` and take `now`, never -0.0.
        let time = if at > self.now {
            at.min(f64::MAX)
        } else {
            self.now
        };
        let key = time.to_bits();
        let seq = self.next_seq;
        self.next_seq += 1;
        self.pending.insert(seq, self.live);
        self.live += 1;
        let entry = Entry { key, seq, event };
        if self.is_small && self.small.len() < SMALL_MAX {
            self.insert_small(entry);
        } else {
            self.schedule_large(entry);
        }
        EventId(seq)
    }

    /// Stores an event in the radix heap, moving the events of a full `small` there first.
    // Inlined too: as a call it added 10 instructions to the 340 or so that a hold with
    // 10 000 events pending takes in the radix heap.
    #[inline(always)]
    fn schedule_large(&mut self, entry: Entry<E>) {
        if self.is_small {
            self.spill(entry);
        } else {
            if entry.key < self.reference {
                self.rewind();
            }
            self.place(entry);
            self.radix_len += 1;
        }
    }

    /// Schedules `event` `delay` hours after [`now`](Self::now); see [`schedule`](Self::schedule).
    #[inline]
    pub fn schedule_in(&mut self, delay: f64, event: E) -> EventId {
        self.schedule(self.now + delay, event)
    }

    /// Cancels a pending event; an id already popped, already cancelled or never issued is
    /// ignored. The event stays stored until it reaches the front, where it is dropped.
    ///
    /// The first cancellation after `new`, `clear` or `reset` takes time proportional to the
    /// number of stored events: only then does the calendar start tracking which sequence
    /// numbers are pending, so that simulations that never cancel do not pay for it.
    pub fn cancel(&mut self, id: EventId) {
        if id.0 >= self.next_seq {
            return;
        }
        if !self.pending.tracking {
            let stored = self
                .small
                .iter()
                .chain(&self.due[self.head..])
                .chain(self.buckets.iter().flat_map(|bucket| &bucket.entries))
                .map(|entry| entry.seq);
            self.pending
                .start_tracking(stored, self.next_seq, self.live);
        }
        if self.pending.take(id.0) {
            self.live -= 1;
        }
    }

    /// Removes the earliest pending event, advances [`now`](Self::now) to its time and
    /// returns both.
    #[inline(always)]
    pub fn pop(&mut self) -> Option<(f64, E)> {
        loop {
            let entry = if self.is_small {
                self.small.pop()?
            } else {
                self.pop_radix()?
            };
            if self.pending.take(entry.seq) {
                self.live -= 1;
                self.now = f64::from_bits(entry.key);
                return Some((self.now, entry.event));
            }
        }
    }

    /// Time of the earliest pending event [h]. Takes `&mut self` because it may move events
    /// between buckets and drop cancelled ones; scheduling before the returned time afterwards
    /// is allowed but undoes that work.
    #[inline(always)]
    pub fn peek_time(&mut self) -> Option<f64> {
        loop {
            let entry = if self.is_small {
                *self.small.last()?
            } else {
                self.peek_radix()?
            };
            if self.pending.contains(entry.seq) {
                return Some(f64::from_bits(entry.key));
            }
            if self.is_small {
                self.small.pop();
            } else {
                self.head += 1;
                self.radix_len -= 1;
            }
        }
    }

    /// Number of pending events, cancelled ones excluded.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Drops every pending event, keeping the allocated capacity, the current time and the
    /// sequence counter (so ids issued before stay harmless).
    pub fn clear(&mut self) {
        self.is_small = true;
        self.small.clear();
        self.radix_len = 0;
        self.due.clear();
        self.head = 0;
        for bucket in self.buckets.iter_mut() {
            bucket.entries.clear();
            bucket.min = Bucket::<E>::EMPTY;
        }
        self.occupied = [0; BUCKETS / 64];
        self.recount_spare();
        self.live = 0;
        self.pending.clear();
    }

    /// Clears the calendar and restarts time and sequence numbers at 0, for the next
    /// replication. Ids from before the reset must not be used afterwards.
    pub fn reset(&mut self) {
        self.now = 0.0;
        self.next_seq = 0;
        self.clear();
    }

    /// Inserts an event into the sorted `small`, which has room for it.
    #[inline]
    fn insert_small(&mut self, entry: Entry<E>) {
        // `small` runs from the latest event to the earliest. The new event has the highest
        // sequence number, so it pops after every stored event of its time: it goes just
        // above the events whose key is not above its own, which shift down the array by one.
        self.small.push(entry);
        let small = &mut self.small[..];
        let mut at = small.len() - 1;
        for i in (0..at).rev() {
            if small[i].key > entry.key {
                break;
            }
            small[i + 1] = small[i];
            at = i;
        }
        small[at] = entry;
    }

    /// Moves the events of the full `small`, and `entry`, into the radix heap.
    #[cold]
    #[inline(never)]
    fn spill(&mut self, entry: Entry<E>) {
        // Every stored event is at or after now; placing them in (key, seq) order puts equal
        // times into their buckets in insertion order.
        self.reference = self.now.to_bits();
        let mut small = std::mem::take(&mut self.small);
        for &stored in small.iter().rev() {
            self.place(stored);
        }
        self.place(entry);
        self.radix_len = small.len() + 1;
        small.clear();
        self.small = small;
        self.is_small = false;
    }

    /// Moves the events of the radix heap, whose `due` is empty, into `small`, dropping the
    /// cancelled ones.
    #[cold]
    #[inline(never)]
    fn gather(&mut self) {
        let mut stored = 0;
        for word in 0..self.occupied.len() {
            let mut bits = std::mem::take(&mut self.occupied[word]);
            while bits != 0 {
                let bucket = &mut self.buckets[word * 64 + bits.trailing_zeros() as usize];
                bits &= bits - 1;
                stored += bucket.entries.len();
                let pending = &self.pending;
                self.small.extend(
                    bucket
                        .entries
                        .drain(..)
                        .filter(|entry| pending.contains(entry.seq)),
                );
                bucket.min = Bucket::<E>::EMPTY;
            }
        }
        debug_assert_eq!(stored, self.radix_len, "events stored in the radix heap");
        self.recount_spare();
        self.small
            .sort_unstable_by_key(|entry| std::cmp::Reverse(entry.rank()));
        self.radix_len = 0;
        self.is_small = true;
    }

    /// Removes the first stored event of the radix heap, cancelled or not; the events may
    /// move to `small` first.
    #[inline]
    fn pop_radix(&mut self) -> Option<Entry<E>> {
        if self.head == self.due.len() && !self.refill() {
            return self.small.pop();
        }
        let entry = self.due[self.head];
        self.head += 1;
        self.radix_len -= 1;
        Some(entry)
    }

    /// The first stored event of the radix heap, cancelled or not; the events may move to
    /// `small` first.
    #[inline]
    fn peek_radix(&mut self) -> Option<Entry<E>> {
        if self.head == self.due.len() && !self.refill() {
            return self.small.last().copied();
        }
        Some(self.due[self.head])
    }

    /// Puts an event whose key is not below `reference` into its bucket.
    #[inline]
    fn place(&mut self, entry: Entry<E>) {
        let diff = entry.key ^ self.reference;
        if diff == 0 {
            self.due.push(entry);
        } else {
            let index = bucket_index(entry.key, diff);
            let bucket = &mut self.buckets[index];
            if bucket.min == Bucket::<E>::EMPTY {
                self.spare -= bucket.entries.capacity();
            }
            bucket.entries.push(entry);
            bucket.min = bucket.min.min(entry.key);
            self.occupied[index / 64] |= 1 << (index % 64);
        }
    }

    /// Refills the empty `due` bucket from the lowest non-empty bucket, whose earliest event
    /// becomes the new reference; returns false when no event is left in the radix heap,
    /// either because none is stored or because the few left moved to `small`.
    fn refill(&mut self) -> bool {
        self.due.clear();
        self.head = 0;
        if self.radix_len <= SMALL_MIN {
            self.gather();
            return false;
        }
        let Some(index) = self.first_occupied() else {
            return false;
        };
        self.occupied[index / 64] &= !(1 << (index % 64));
        let bucket = &mut self.buckets[index];
        self.reference = std::mem::replace(&mut bucket.min, Bucket::<E>::EMPTY);
        let mut entries = std::mem::take(&mut bucket.entries);
        // Every event of the bucket shares the digits above the bucket's level with the new
        // reference and is not before it, so each lands in a lower bucket, or in `due`.
        for &entry in &entries {
            self.place(entry);
        }
        entries.clear();
        // Buckets keep their capacity so that steady state allocates nothing, but which bucket
        // holds the bulk of the events changes as time advances (a new high digit of the time
        // every so often): without a cap, every bucket would in turn keep a peak-sized
        // allocation and memory would grow with the horizon. A drained bucket keeps at most
        // 1/32 of what is pending, and all empty buckets together at most `spare_budget`
        // (regrowing costs a few doublings).
        let room = self.spare_budget().saturating_sub(self.spare);
        let keep = (self.live / 32).min(room).max(RETAINED_MIN);
        if entries.capacity() > keep {
            entries.shrink_to(keep);
        }
        self.spare += entries.capacity();
        self.buckets[index].entries = entries;
        true
    }

    /// Most capacity [events] the empty buckets hold together beyond `RETAINED_MIN` each:
    /// a quarter of what is pending, so the calendar's memory stays a fixed multiple of the
    /// pending events whatever the horizon.
    fn spare_budget(&self) -> usize {
        self.live / 4
    }

    /// Sums `spare` anew after a move of many events between buckets.
    #[cold]
    fn recount_spare(&mut self) {
        self.spare = self
            .buckets
            .iter()
            .filter(|bucket| bucket.min == Bucket::<E>::EMPTY)
            .map(|bucket| bucket.entries.capacity())
            .sum();
    }

    fn first_occupied(&self) -> Option<usize> {
        let (word, bits) = self
            .occupied
            .iter()
            .enumerate()
            .find(|(_, bits)| **bits != 0)?;
        Some(word * 64 + bits.trailing_zeros() as usize)
    }

    /// Moves the reference back to `now` after `peek_time` advanced it, so that an event
    /// between now and the peeked time can be placed.
    ///
    /// Now and the reference agree above their highest differing digit, where the reference
    /// has the larger value `d`. Every stored event is at or after the reference, so relative
    /// to now the events of `due` and of the lower levels all belong in the bucket of that
    /// level and digit `d` (which is empty, holding only digits above `d`), and the buckets of
    /// the higher levels stay as they are. Appending whole buckets keeps equal times in
    /// insertion order.
    #[cold]
    fn rewind(&mut self) {
        let now_key = self.now.to_bits();
        let top = bucket_index(self.reference, self.reference ^ now_key);
        let lower = top / RADIX * RADIX;
        let mut merged = std::mem::take(&mut self.buckets[top].entries);
        debug_assert!(merged.is_empty());
        let mut min = Bucket::<E>::EMPTY;
        if self.head < self.due.len() {
            merged.extend_from_slice(&self.due[self.head..]);
            min = self.reference;
        }
        self.due.clear();
        self.head = 0;
        for bucket in &mut self.buckets[..lower] {
            merged.append(&mut bucket.entries);
            min = min.min(std::mem::replace(&mut bucket.min, Bucket::<E>::EMPTY));
        }
        for index in 0..lower {
            self.occupied[index / 64] &= !(1 << (index % 64));
        }
        if !merged.is_empty() {
            self.occupied[top / 64] |= 1 << (top % 64);
        }
        self.buckets[top] = Bucket {
            entries: merged,
            min,
        };
        self.recount_spare();
        self.reference = now_key;
    }
}

impl<E: Copy> Default for Calendar<E> {
    fn default() -> Self {
        Self::new()
    }
}

/// Capacity a drained bucket may always keep, whatever is pending.
const RETAINED_MIN: usize = 1024;

/// Bits per digit of the key. Wider digits mean fewer moves per event but more buckets; in
/// the hold model 4 bits (256 buckets) measured as fast as 5 or 6 and faster than 2 or 3.
const DIGIT_BITS: u32 = 4;
const RADIX: usize = 1 << DIGIT_BITS;
const LEVELS: usize = 64usize.div_ceil(DIGIT_BITS as usize);
const BUCKETS: usize = (LEVELS * RADIX).next_multiple_of(64);

/// Bucket of `key` whose bits differ from the reference by `diff` (non-zero): its highest
/// differing digit and its value of that digit.
#[inline]
fn bucket_index(key: u64, diff: u64) -> usize {
    let level = diff.ilog2() / DIGIT_BITS;
    let digit = (key >> (level * DIGIT_BITS)) as usize % RADIX;
    level as usize * RADIX + digit
}

/// Below this many words the window of pending sequence numbers is never shortened by
/// moving old pending events to `stragglers`.
const MIN_WINDOW_WORDS: usize = 1024;

/// Which sequence numbers are still pending: scheduled, not popped, not cancelled.
///
/// Until the first cancellation every stored event is pending and nothing is tracked: the
/// bitset costs a cache miss per pop at a million pending events, so calendars that never
/// cancel do not pay for it. The first `cancel` builds it from the stored events.
///
/// The bitset covers a window of sequence numbers from the oldest pending one; words that
/// fall entirely behind are dropped. An event pending far longer than the rest (an end-of-run
/// event, say) would pin the window's start, so once the window is much longer than the number
/// of pending events the oldest word's events move to `stragglers` instead.
#[derive(Default)]
struct PendingSeqs {
    /// Whether the bitset is maintained; when false every stored event is pending.
    tracking: bool,
    /// `words[i]` bit `j` is sequence number `(base + i) * 64 + j`.
    words: VecDeque<u64>,
    /// Word index of `words[0]`.
    base: u64,
    /// Pending sequence numbers before the window.
    stragglers: HashSet<u64>,
}

impl PendingSeqs {
    /// Longest window, in words, for `live` pending events: `MIN_WINDOW_WORDS` plus 32 bits
    /// per event. In a hold model with a million pending events the window from the oldest
    /// pending sequence number to the newest spans about ln(10^6) ≈ 14 bits per event.
    fn window_limit(live: usize) -> usize {
        MIN_WINDOW_WORDS + live / 2
    }

    /// Starts tracking with `stored`, the sequence numbers of the stored events, all pending.
    #[cold]
    fn start_tracking(&mut self, stored: impl Iterator<Item = u64>, next_seq: u64, live: usize) {
        let end = next_seq.div_ceil(64);
        self.base = end.saturating_sub(Self::window_limit(live) as u64);
        self.words.clear();
        self.words.resize((end - self.base) as usize, 0);
        self.stragglers.clear();
        for seq in stored {
            match (seq / 64).checked_sub(self.base) {
                Some(index) => self.words[index as usize] |= 1 << (seq % 64),
                None => {
                    self.stragglers.insert(seq);
                }
            }
        }
        self.drop_empty_front();
        self.tracking = true;
    }

    /// Marks `seq`, the next sequence number, pending; `live` is the number pending so far.
    #[inline]
    fn insert(&mut self, seq: u64, live: usize) {
        if !self.tracking {
            return;
        }
        let word = seq / 64;
        if word - self.base == self.words.len() as u64 {
            if self.words.len() > Self::window_limit(live) {
                self.evict_oldest_word();
            }
            self.words.push_back(0);
        }
        let index = (word - self.base) as usize;
        self.words[index] |= 1 << (seq % 64);
    }

    /// Whether `seq`, a stored event, is pending.
    #[inline]
    fn contains(&self, seq: u64) -> bool {
        if !self.tracking {
            return true;
        }
        let word = seq / 64;
        if word < self.base {
            return self.straggler_is_pending(seq);
        }
        self.words
            .get((word - self.base) as usize)
            .is_some_and(|bits| bits & (1 << (seq % 64)) != 0)
    }

    /// Marks `seq`, a stored event, no longer pending; returns whether it was. When not
    /// tracking, only called for stored events, which are then all pending.
    #[inline]
    fn take(&mut self, seq: u64) -> bool {
        if !self.tracking {
            return true;
        }
        let word = seq / 64;
        if word < self.base {
            return self.take_straggler(seq);
        }
        let index = (word - self.base) as usize;
        let Some(bits) = self.words.get_mut(index) else {
            return false;
        };
        let mask = 1 << (seq % 64);
        if *bits & mask == 0 {
            return false;
        }
        *bits &= !mask;
        if index == 0 && *bits == 0 {
            self.drop_empty_front();
        }
        true
    }

    /// Whether `seq`, before the window, is pending. Out of line, like `take_straggler`, so
    /// that the hashing stays out of the inlined hot path.
    #[cold]
    #[inline(never)]
    fn straggler_is_pending(&self, seq: u64) -> bool {
        self.stragglers.contains(&seq)
    }

    /// Marks `seq`, before the window, no longer pending; returns whether it was.
    #[cold]
    #[inline(never)]
    fn take_straggler(&mut self, seq: u64) -> bool {
        !self.stragglers.is_empty() && self.stragglers.remove(&seq)
    }

    /// Drops leading words with no pending event, keeping the last word, which may still
    /// receive new sequence numbers.
    fn drop_empty_front(&mut self) {
        while self.words.len() > 1 && self.words[0] == 0 {
            self.words.pop_front();
            self.base += 1;
        }
    }

    #[cold]
    fn evict_oldest_word(&mut self) {
        let Some(mut bits) = self.words.pop_front() else {
            return;
        };
        while bits != 0 {
            self.stragglers
                .insert(self.base * 64 + u64::from(bits.trailing_zeros()));
            bits &= bits - 1;
        }
        self.base += 1;
        self.drop_empty_front();
    }

    /// Forgets every pending sequence number and stops tracking until the next cancellation.
    fn clear(&mut self) {
        self.tracking = false;
        self.words.clear();
        self.stragglers.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_pcg::Pcg64Mcg;
    use std::collections::{BTreeMap, HashMap};

    fn drain<E: Copy>(calendar: &mut Calendar<E>) -> Vec<(f64, E)> {
        std::iter::from_fn(|| calendar.pop()).collect()
    }

    /// Room of the empty buckets, counted afresh.
    fn spare_of<E: Copy>(calendar: &Calendar<E>) -> usize {
        calendar
            .buckets
            .iter()
            .filter(|bucket| bucket.entries.is_empty())
            .map(|bucket| bucket.entries.capacity())
            .sum()
    }

    /// Room [events] the calendar holds in all its stores.
    fn room_of<E: Copy>(calendar: &Calendar<E>) -> usize {
        calendar.small.capacity()
            + calendar.due.capacity()
            + calendar
                .buckets
                .iter()
                .map(|bucket| bucket.entries.capacity())
                .sum::<usize>()
    }

    /// A hold model with many events pending whose clock runs through several powers of two,
    /// so that the bulk of the events moves to a new high bucket again and again: the room the
    /// calendar holds stays a fixed multiple of what is pending (Vec doubling in the buckets
    /// in use, the spare budget, and the small room every bucket may keep), however far the
    /// clock runs.
    #[test]
    fn room_held_does_not_grow_with_the_clock() {
        const PENDING: usize = 100_000;
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let mut calendar = Calendar::new();
        for event in 0..PENDING {
            calendar.schedule(rng.random::<f64>() * 500.0, event);
        }
        let bound = 2 * PENDING + PENDING / 4 + BUCKETS * RETAINED_MIN + 2 * SMALL_MAX;
        let mut most = 0;
        while calendar.now() < 8_760.0 {
            let (now, event) = calendar.pop().unwrap();
            calendar.schedule(now + rng.random::<f64>() * 1_000.0, event);
            most = most.max(room_of(&calendar));
            assert!(
                room_of(&calendar) <= bound,
                "room {} at {now} h",
                room_of(&calendar)
            );
        }
        assert_eq!(calendar.spare, spare_of(&calendar));
        assert!(most > PENDING, "the events were stored: room {most}");
    }

    #[test]
    fn events_pop_in_time_order() {
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        let mut calendar = Calendar::new();
        let mut times: Vec<f64> = (0..10_000).map(|_| rng.random::<f64>() * 100.0).collect();
        for (i, &t) in times.iter().enumerate() {
            calendar.schedule(t, i);
        }
        times.sort_by(f64::total_cmp);
        let popped: Vec<f64> = drain(&mut calendar).into_iter().map(|(t, _)| t).collect();
        assert_eq!(popped, times);
        assert_eq!(calendar.now(), times[times.len() - 1]);
    }

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut calendar = Calendar::new();
        // Interleave three times so that ties are spread over several buckets before popping.
        for i in 0..3000 {
            calendar.schedule([5.0, 3.0, 7.0][i % 3], i);
        }
        let popped = drain(&mut calendar);
        for window in popped.windows(2) {
            let ((t0, i0), (t1, i1)) = (window[0], window[1]);
            assert!(t0 < t1 || (t0 == t1 && i0 < i1), "{window:?}");
        }
    }

    #[test]
    fn ties_scheduled_at_now_while_popping_follow_earlier_ties() {
        let mut calendar = Calendar::new();
        for i in 0..10 {
            calendar.schedule(1.0, i);
        }
        calendar.schedule(2.0, 100);
        let mut order = Vec::new();
        let mut next = 10;
        while let Some((t, i)) = calendar.pop() {
            order.push((t, i));
            // The first few events at 1 h each schedule another event at 1 h.
            if t == 1.0 && next < 20 {
                calendar.schedule(calendar.now(), next);
                calendar.schedule_in(0.0, next + 1);
                next += 2;
            }
        }
        let expected: Vec<(f64, i32)> = (0..20).map(|i| (1.0, i)).chain([(2.0, 100)]).collect();
        assert_eq!(order, expected);
    }

    #[test]
    fn ties_scheduled_after_peeking_follow_earlier_ties() {
        let mut calendar = Calendar::new();
        calendar.schedule(4.0, 0);
        calendar.schedule(4.0, 1);
        assert_eq!(calendar.peek_time(), Some(4.0));
        calendar.schedule(4.0, 2);
        calendar.schedule(6.0, 3);
        assert_eq!(calendar.pop(), Some((4.0, 0)));
        calendar.schedule(4.0, 4);
        let order: Vec<i32> = drain(&mut calendar).into_iter().map(|(_, i)| i).collect();
        assert_eq!(order, [1, 2, 4, 3]);
    }

    /// Reference calendar: events sorted by (time, sequence number) in a `BTreeMap`.
    #[derive(Default)]
    struct Reference {
        now: f64,
        next_seq: u64,
        pending: BTreeMap<(u64, u64), u32>,
        time_of: HashMap<u64, u64>,
    }

    impl Reference {
        fn schedule(&mut self, at: f64, event: u32) -> u64 {
            let seq = self.next_seq;
            self.next_seq += 1;
            let key = at.max(self.now).to_bits();
            self.pending.insert((key, seq), event);
            self.time_of.insert(seq, key);
            seq
        }

        fn cancel(&mut self, seq: u64) {
            if let Some(key) = self.time_of.remove(&seq) {
                self.pending.remove(&(key, seq));
            }
        }

        fn pop(&mut self) -> Option<(f64, u32)> {
            let ((key, seq), event) = self.pending.pop_first()?;
            self.time_of.remove(&seq);
            self.now = f64::from_bits(key);
            Some((self.now, event))
        }

        fn peek_time(&self) -> Option<f64> {
            let (&(key, _), _) = self.pending.first_key_value()?;
            Some(f64::from_bits(key))
        }

        fn clear(&mut self) {
            self.pending.clear();
            self.time_of.clear();
        }
    }

    /// How often the events moved between the sorted `Vec` and the radix heap.
    #[derive(Debug, Default)]
    struct Moves {
        to_radix: usize,
        to_small: usize,
    }

    /// Random schedule/pop/peek/cancel/clear sequence checked operation by operation;
    /// `schedule_percent(len)` of the operations schedule when `len` events are pending, so
    /// above 40 the calendar fills up.
    fn matches_reference(
        seed: u64,
        operations: usize,
        mut schedule_percent: impl FnMut(usize) -> u32,
    ) -> Moves {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let mut calendar = Calendar::new();
        let mut reference = Reference::default();
        let mut ids = Vec::new();
        let mut moves = Moves::default();
        for step in 0..operations {
            let was_small = calendar.is_small;
            let schedule_percent = schedule_percent(calendar.len());
            let roll = rng.random_range(0..1000) / 10;
            let rest = 100 - schedule_percent;
            if roll < schedule_percent {
                // Whole hours give many ties, some at exactly now; the other delays span
                // the digits of the key from the lowest to the highest used.
                let now = calendar.now();
                let at = match rng.random_range(0..6) {
                    0 => now,
                    1 => now + f64::from(rng.random_range(0..4u32)),
                    2 => now + rng.random::<f64>(),
                    3 => now + rng.random::<f64>() * 1e-9,
                    4 => now + rng.random::<f64>() * 1e6,
                    _ => now * (1.0 + rng.random::<f64>() * f64::EPSILON * 8.0),
                };
                let event = step as u32;
                let id = calendar.schedule(at, event);
                assert_eq!(
                    id.0,
                    reference.schedule(at, event),
                    "seed {seed}, step {step}"
                );
                ids.push(id);
            } else if roll < schedule_percent + rest * 6 / 10 {
                let popped = calendar.pop();
                assert_eq!(popped, reference.pop(), "seed {seed}, step {step}");
                assert_eq!(calendar.now(), reference.now, "seed {seed}, step {step}");
            } else if roll < schedule_percent + rest * 8 / 10 {
                let peeked = calendar.peek_time();
                assert_eq!(peeked, reference.peek_time(), "seed {seed}, step {step}");
            } else if rng.random_bool(0.999) {
                // Any id ever issued (pending, popped or cancelled), often a recent one,
                // which is more likely pending, or one never issued.
                let id = if ids.is_empty() || rng.random_bool(0.05) {
                    EventId(rng.random_range(0..1000) + reference.next_seq)
                } else if rng.random_bool(0.5) {
                    ids[ids.len() - 1 - rng.random_range(0..ids.len().min(400))]
                } else {
                    ids[rng.random_range(0..ids.len())]
                };
                calendar.cancel(id);
                reference.cancel(id.0);
            } else {
                calendar.clear();
                reference.clear();
            }
            assert_eq!(
                calendar.len(),
                reference.pending.len(),
                "seed {seed}, step {step}"
            );
            assert_eq!(
                calendar.spare,
                spare_of(&calendar),
                "seed {seed}, step {step}: room of the empty buckets"
            );
            match (was_small, calendar.is_small) {
                (true, false) => moves.to_radix += 1,
                (false, true) => moves.to_small += 1,
                _ => {}
            }
        }
        while let Some(expected) = reference.pop() {
            assert_eq!(calendar.pop(), Some(expected), "seed {seed}, final drain");
        }
        assert_eq!(calendar.pop(), None);
        assert!(calendar.is_empty());
        moves
    }

    #[test]
    fn random_operations_match_a_sorted_reference() {
        for seed in 0..8 {
            matches_reference(seed, 20_000, |_| 40);
        }
    }

    #[test]
    fn random_operations_on_a_filling_calendar_match_a_sorted_reference() {
        for seed in 100..104 {
            let moves = matches_reference(seed, 50_000, |_| 60);
            assert!(moves.to_radix > 0, "seed {seed}: {moves:?}");
        }
    }

    /// The calendar fills to a random size of up to a few hundred events and drains to a few,
    /// over and over, so its events move between the sorted `Vec` and the radix heap many
    /// times, with ties, cancellations and look-aheads on both sides of every move.
    #[test]
    fn random_operations_on_a_filling_and_draining_calendar_match_a_sorted_reference() {
        for seed in 200..204 {
            let mut sizes = Pcg64Mcg::seed_from_u64(seed + 1000);
            let mut filling = true;
            let mut target = 0;
            let moves = matches_reference(seed, 100_000, |len| {
                if filling && len >= target {
                    filling = false;
                    target = sizes.random_range(0..=SMALL_MIN / 2);
                } else if !filling && len <= target {
                    filling = true;
                    target = sizes.random_range(SMALL_MAX / 2..=400);
                }
                if filling { 75 } else { 20 }
            });
            assert!(moves.to_radix >= 30, "seed {seed}: {moves:?}");
            assert!(moves.to_small >= 30, "seed {seed}: {moves:?}");
        }
    }

    /// A queue with a few servers, as in an M/M/c model: about five events pending, every
    /// pop looked at first and followed by one or two schedules, some at now or whole hours
    /// ahead (ties), and now and then a cancellation. Such a calendar never leaves the sorted
    /// `Vec`.
    #[test]
    fn queue_like_use_matches_a_sorted_reference_and_stays_small() {
        let mut rng = Pcg64Mcg::seed_from_u64(9);
        let mut calendar = Calendar::new();
        let mut reference = Reference::default();
        for event in 0..5 {
            let at = rng.random::<f64>();
            assert_eq!(
                calendar.schedule(at, event).0,
                reference.schedule(at, event)
            );
        }
        for step in 0..100_000u32 {
            assert_eq!(calendar.peek_time(), reference.peek_time(), "step {step}");
            assert_eq!(calendar.pop(), reference.pop(), "step {step}");
            let schedules = if calendar.len() < 5 { 2 } else { 1 };
            for _ in 0..schedules {
                let delay = match rng.random_range(0..4) {
                    0 => 0.0,
                    1 => f64::from(rng.random_range(1..3u32)),
                    _ => rng.random::<f64>() * 2.0,
                };
                let at = calendar.now() + delay;
                let id = calendar.schedule(at, step);
                assert_eq!(id.0, reference.schedule(at, step), "step {step}");
                if step % 50 == 0 {
                    calendar.cancel(id);
                    reference.cancel(id.0);
                }
            }
            assert_eq!(calendar.len(), reference.pending.len(), "step {step}");
            assert!(calendar.is_small, "step {step}");
        }
    }

    #[test]
    fn ties_keep_insertion_order_while_events_move_between_stores() {
        let mut calendar = Calendar::new();
        let mut next = 0;
        let mut schedule = |calendar: &mut Calendar<usize>, count: usize| {
            let now = calendar.now();
            for _ in 0..count {
                calendar.schedule(now + [1.0, 0.0, 2.0][next % 3], next);
                next += 1;
            }
        };
        let mut popped = Vec::new();
        schedule(&mut calendar, SMALL_MAX);
        assert!(calendar.is_small);
        schedule(&mut calendar, 1);
        assert!(!calendar.is_small);
        while calendar.len() > SMALL_MIN / 2 {
            popped.extend(calendar.pop());
        }
        assert!(calendar.is_small);
        schedule(&mut calendar, 2 * SMALL_MAX);
        assert!(!calendar.is_small);
        popped.extend(drain(&mut calendar));
        assert_eq!(popped.len(), next);
        for window in popped.windows(2) {
            let ((t0, i0), (t1, i1)) = (window[0], window[1]);
            assert!(t0 < t1 || (t0 == t1 && i0 < i1), "{window:?}");
        }
    }

    #[test]
    fn cancel_skips_exactly_the_cancelled_event() {
        let mut calendar = Calendar::new();
        let ids: Vec<EventId> = (0..100)
            .map(|i| calendar.schedule(f64::from(i), i))
            .collect();
        calendar.cancel(ids[42]);
        calendar.cancel(ids[42]);
        assert_eq!(calendar.len(), 99);
        let popped: Vec<i32> = drain(&mut calendar).into_iter().map(|(_, i)| i).collect();
        let expected: Vec<i32> = (0..100).filter(|&i| i != 42).collect();
        assert_eq!(popped, expected);
    }

    #[test]
    fn cancelling_a_popped_or_unknown_id_changes_nothing() {
        let mut calendar = Calendar::new();
        let first = calendar.schedule(1.0, 'a');
        calendar.schedule(2.0, 'b');
        assert_eq!(calendar.pop(), Some((1.0, 'a')));
        calendar.cancel(first);
        calendar.cancel(EventId(1_000));
        assert_eq!(calendar.len(), 1);
        calendar.schedule(3.0, 'c');
        assert_eq!(drain(&mut calendar), [(2.0, 'b'), (3.0, 'c')]);
        assert!(calendar.is_empty());
    }

    /// A long-lived event outlives 200 000 short ones, so its sequence number leaves the
    /// bitset window and is tracked apart; cancelling it must still work, whether tracking
    /// started before the short events (`cancel_first`) or at the end.
    fn long_lived_event_can_be_cancelled(cancel_first: bool) {
        let mut calendar = Calendar::new();
        let end_of_run = calendar.schedule(1e9, u32::MAX);
        calendar.schedule(5e8, 0);
        if cancel_first {
            let throwaway = calendar.schedule(1.0, 1);
            calendar.cancel(throwaway);
        }
        for i in 0..200_000 {
            calendar.schedule_in(0.5, i);
            calendar.pop();
        }
        calendar.cancel(EventId(100));
        assert!(calendar.pending.stragglers.contains(&end_of_run.0));
        assert!(calendar.pending.words.len() < 2 * MIN_WINDOW_WORDS);
        assert_eq!(calendar.len(), 2);
        calendar.cancel(end_of_run);
        calendar.cancel(end_of_run);
        assert_eq!(calendar.len(), 1);
        assert_eq!(calendar.pop(), Some((5e8, 0)));
        assert_eq!(calendar.pop(), None);
    }

    #[test]
    fn cancel_works_for_an_event_older_than_the_window() {
        long_lived_event_can_be_cancelled(true);
        long_lived_event_can_be_cancelled(false);
    }

    #[test]
    fn cancelled_events_do_not_show_in_peek_time() {
        let mut calendar = Calendar::new();
        let first = calendar.schedule(1.0, 1);
        calendar.schedule(2.0, 2);
        calendar.cancel(first);
        assert_eq!(calendar.peek_time(), Some(2.0));
        assert_eq!(calendar.now(), 0.0);
        calendar.cancel(EventId(1));
        assert_eq!(calendar.peek_time(), None);
        assert_eq!(calendar.pop(), None);
    }

    #[test]
    fn scheduling_before_a_peeked_time_is_allowed() {
        let mut calendar = Calendar::new();
        for i in 0..50 {
            calendar.schedule(10.0 + f64::from(i), i);
        }
        assert_eq!(calendar.peek_time(), Some(10.0));
        calendar.schedule(9.5, 100);
        calendar.schedule(10.0, 101);
        assert_eq!(calendar.peek_time(), Some(9.5));
        calendar.schedule(0.25, 102);
        let popped = drain(&mut calendar);
        assert_eq!(
            &popped[..4],
            [(0.25, 102), (9.5, 100), (10.0, 0), (10.0, 101)]
        );
        assert_eq!(popped.len(), 53);
    }

    #[test]
    fn scheduling_at_now_is_kept() {
        let mut calendar = Calendar::new();
        calendar.schedule(3.0, 0);
        calendar.pop();
        calendar.schedule(3.0, 1);
        assert_eq!(calendar.pop(), Some((3.0, 1)));
    }

    #[test]
    #[cfg(not(debug_assertions))]
    fn scheduling_in_the_past_or_at_a_bad_time_clamps() {
        let mut calendar = Calendar::new();
        calendar.schedule(3.0, 0);
        calendar.pop();
        calendar.schedule(1.0, 1);
        calendar.schedule(f64::NAN, 2);
        calendar.schedule(f64::NEG_INFINITY, 3);
        calendar.schedule(f64::INFINITY, 4);
        calendar.schedule(5.0, 5);
        let popped = drain(&mut calendar);
        assert_eq!(
            popped,
            [(3.0, 1), (3.0, 2), (3.0, 3), (5.0, 5), (f64::MAX, 4)]
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "before now")]
    fn scheduling_in_the_past_fails_in_debug_builds() {
        let mut calendar = Calendar::new();
        calendar.schedule(3.0, 0);
        calendar.pop();
        calendar.schedule(1.0, 1);
    }

    #[test]
    fn negative_zero_is_time_zero() {
        let mut calendar = Calendar::new();
        calendar.schedule(-0.0, 'a');
        calendar.schedule(0.0, 'b');
        calendar.schedule(1.0, 'c');
        let (t, event) = calendar.pop().unwrap();
        assert_eq!((t.to_bits(), event), (0.0f64.to_bits(), 'a'));
        assert_eq!(calendar.pop(), Some((0.0, 'b')));
        assert_eq!(calendar.pop(), Some((1.0, 'c')));
    }

    #[test]
    fn clear_keeps_now_and_reset_restarts() {
        let mut calendar = Calendar::with_capacity(16);
        calendar.schedule(2.0, 0);
        let later = calendar.schedule(4.0, 1);
        calendar.pop();
        calendar.clear();
        assert!(calendar.is_empty());
        assert_eq!(calendar.now(), 2.0);
        assert_eq!(calendar.pop(), None);
        calendar.cancel(later);
        let id = calendar.schedule(3.0, 2);
        assert_eq!(id, EventId(2));
        assert_eq!(calendar.len(), 1);

        calendar.reset();
        assert!(calendar.is_empty());
        assert_eq!(calendar.now(), 0.0);
        assert_eq!(calendar.schedule(1.0, 7), EventId(0));
        calendar.schedule(0.5, 8);
        assert_eq!(drain(&mut calendar), [(0.5, 8), (1.0, 7)]);
    }

    #[test]
    fn default_is_empty_at_time_zero() {
        let mut calendar = Calendar::<u8>::default();
        assert!(calendar.is_empty());
        assert_eq!(calendar.now(), 0.0);
        assert_eq!(calendar.peek_time(), None);
    }
}
