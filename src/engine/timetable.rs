//! Timetabled departures: vehicles leave at fixed times with a capacity and a cut-off; what
//! misses a departure's cut-off or overflows it waits for the next.

use std::collections::VecDeque;

/// A repeating timetable of departures and the line of entities waiting to board.
#[derive(Clone, Debug)]
pub struct Timetable {
    /// Length of the repeating pattern [h] (24 for daily, 168 for weekly).
    period_h: f64,
    /// Departure offsets within the period [h], sorted, each in [0, period_h).
    offsets: Vec<f64>,
    /// Units (parcels, or kg when loads carry weights) one departure may carry.
    capacity: f64,
    /// An entity must be at the stage this long before a departure to board it [h].
    cutoff_h: f64,
    waiting: VecDeque<(u32, f64, f64)>,
}

impl Timetable {
    /// A timetable repeating every `period_h` with departures at `offsets` (any order).
    /// `offsets` must be non-empty, each in [0, period_h); `capacity` > 0; `cutoff_h` ≥ 0.
    pub fn new(period_h: f64, mut offsets: Vec<f64>, capacity: f64, cutoff_h: f64) -> Self {
        offsets.sort_by(f64::total_cmp);
        offsets.dedup();
        Timetable {
            period_h,
            offsets,
            capacity,
            cutoff_h,
            waiting: VecDeque::new(),
        }
    }

    /// The first departure at or after `t` [h].
    pub fn next_departure(&self, t: f64) -> f64 {
        let cycle = (t / self.period_h).floor();
        let base = cycle * self.period_h;
        let offset = t - base;
        match self.offsets.iter().find(|&&o| o >= offset - 1e-9) {
            Some(o) => base + o,
            None => base + self.period_h + self.offsets[0],
        }
    }

    /// An entity of `load` units (1 for a parcel count) arrives at `now` to wait for a departure.
    #[inline]
    pub fn push(&mut self, now: f64, entity: u32, load: f64) {
        self.waiting.push_back((entity, now, load));
    }

    /// Boards the departure leaving at `departure`: entities that arrived by its cut-off, in
    /// arrival order, while the capacity lasts; appends them to `out` and returns the load.
    /// An entity larger than a whole departure's capacity could never board: it takes an empty
    /// departure alone (the only load that may exceed the capacity).
    pub fn board(&mut self, departure: f64, out: &mut Vec<u32>) -> f64 {
        let cutoff = departure - self.cutoff_h;
        let mut load = 0.0;
        while let Some(&(entity, arrived, units)) = self.waiting.front() {
            let oversize_alone = load == 0.0 && units > self.capacity;
            if arrived > cutoff || (load + units > self.capacity + 1e-9 && !oversize_alone) {
                break;
            }
            load += units;
            out.push(entity);
            self.waiting.pop_front();
        }
        load
    }

    /// Entities waiting for a departure.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// The capacity of one departure.
    pub fn capacity(&self) -> f64 {
        self.capacity
    }

    /// Departures per hour on average, for load checks.
    pub fn departures_per_hour(&self) -> f64 {
        self.offsets.len() as f64 / self.period_h
    }

    /// Empties the line (reuse between replications).
    pub fn clear(&mut self) {
        self.waiting.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_departure_wraps_to_the_next_period() {
        let t = Timetable::new(24.0, vec![14.0, 2.0], 10.0, 3.0);
        assert_eq!(t.next_departure(0.0), 2.0);
        assert_eq!(t.next_departure(2.0), 2.0);
        assert_eq!(t.next_departure(2.5), 14.0);
        assert_eq!(t.next_departure(20.0), 26.0);
    }

    #[test]
    fn boarding_respects_cut_off_capacity_and_arrival_order() {
        let mut t = Timetable::new(24.0, vec![12.0], 2.0, 3.0);
        t.push(1.0, 10, 1.0);
        t.push(2.0, 11, 1.0);
        t.push(3.0, 12, 1.0);
        t.push(10.0, 13, 1.0);
        let mut out = Vec::new();
        assert_eq!(t.board(12.0, &mut out), 2.0);
        assert_eq!(out, vec![10, 11], "capacity 2: the third waits");
        out.clear();
        assert_eq!(t.board(36.0, &mut out), 2.0);
        assert_eq!(out, vec![12, 13]);
        assert_eq!(t.waiting(), 0);
    }

    #[test]
    fn an_entity_larger_than_a_departure_flies_alone_instead_of_blocking_the_line() {
        let mut t = Timetable::new(24.0, vec![12.0], 100.0, 0.0);
        t.push(1.0, 1, 150.0);
        t.push(2.0, 2, 10.0);
        let mut out = Vec::new();
        assert_eq!(t.board(12.0, &mut out), 150.0);
        assert_eq!(out, vec![1]);
        out.clear();
        assert_eq!(t.board(36.0, &mut out), 10.0);
        assert_eq!(out, vec![2]);
    }

    #[test]
    fn an_entity_after_the_cut_off_waits_for_the_next_departure() {
        let mut t = Timetable::new(24.0, vec![12.0], 5.0, 3.0);
        t.push(9.5, 1, 1.0);
        let mut out = Vec::new();
        assert_eq!(t.board(12.0, &mut out), 0.0);
        assert_eq!(t.board(36.0, &mut out), 1.0);
    }
}
