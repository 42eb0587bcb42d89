//! Timetabled departures: vehicles leave at fixed times with a capacity and a cut-off; what
//! misses a departure's cut-off or does not fit the room left waits for the next.

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

    /// True if a load of `load` units fits an empty departure: one that does not can never
    /// board, and must not be pushed.
    #[inline]
    pub fn fits(&self, load: f64) -> bool {
        load <= self.capacity
    }

    /// An entity of `load` units (1 for a parcel count) arrives at `now` to wait for a departure.
    /// `load` must fit an empty departure ([`Timetable::fits`]).
    #[inline]
    pub fn push(&mut self, now: f64, entity: u32, load: f64) {
        debug_assert!(self.fits(load), "a load of {load} can never board");
        self.waiting.push_back((entity, now, load));
    }

    /// Boards the departure leaving at `departure`: entities that arrived by its cut-off, in
    /// arrival order, each while it fits the room left; appends them to `out` and returns the
    /// load, never more than the capacity. An entity that does not fit the room left is
    /// offloaded and rebooked: it keeps its place at the head of the line for the next
    /// departure while smaller ones behind it board this one (no head-of-line blocking).
    pub fn board(&mut self, departure: f64, out: &mut Vec<u32>) -> f64 {
        let cutoff = departure - self.cutoff_h;
        let mut load = 0.0;
        // Entities offloaded so far are moved up to `kept`; [kept, i) boarded.
        let mut kept = 0;
        let mut i = 0;
        while i < self.waiting.len() && load < self.capacity {
            let (entity, arrived, units) = self.waiting[i];
            if arrived > cutoff {
                break;
            }
            // `load + units <= capacity` in floating point keeps `load / capacity <= 1`.
            if load + units <= self.capacity {
                load += units;
                out.push(entity);
            } else {
                self.waiting[kept] = self.waiting[i];
                kept += 1;
            }
            i += 1;
        }
        self.waiting.drain(kept..i);
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
    fn an_entity_that_does_not_fit_the_room_left_waits_while_smaller_ones_board() {
        let mut t = Timetable::new(24.0, vec![12.0], 100.0, 0.0);
        t.push(1.0, 1, 60.0);
        t.push(2.0, 2, 50.0);
        t.push(3.0, 3, 30.0);
        t.push(4.0, 4, 20.0);
        let mut out = Vec::new();
        assert_eq!(t.board(12.0, &mut out), 90.0);
        assert_eq!(
            out,
            vec![1, 3],
            "2 (50) does not fit the 40 left; 3 (30) does"
        );
        out.clear();
        assert_eq!(t.board(36.0, &mut out), 70.0);
        assert_eq!(
            out,
            vec![2, 4],
            "the offloaded entity is first for the next departure"
        );
        assert_eq!(t.waiting(), 0);
        assert!(t.fits(100.0) && !t.fits(100.5));
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
