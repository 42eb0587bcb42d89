//! Timetabled departures: vehicles leave at fixed times with a capacity and a cut-off; what
//! misses a departure's cut-off or does not fit the room left waits for the next.

use std::collections::VecDeque;

/// Units of a load: one number per limit (e.g. parcels, kg, m³).
pub type Load = [f64; 3];

/// A repeating timetable of departures, with departures added or cancelled on given dates,
/// and the line of entities waiting to board.
#[derive(Clone, Debug)]
pub struct Timetable {
    /// Length of the repeating pattern [h] (24 for daily, 168 for weekly).
    period_h: f64,
    /// Departure offsets within the period [h], sorted, each in [0, period_h).
    offsets: Vec<f64>,
    /// Extra departures at absolute times [h], sorted.
    extra: Vec<f64>,
    /// Timetabled departures that do not run, at absolute times [h], sorted.
    cancelled: Vec<f64>,
    /// What one departure may carry, per unit; `f64::INFINITY` where there is no limit.
    capacity: Load,
    /// An entity must be at the stage this long before a departure to board it [h].
    cutoff_h: f64,
    waiting: VecDeque<(u32, f64, Load)>,
}

/// Departure times closer than this are the same departure [h].
const SAME_TIME_H: f64 = 1e-6;

impl Timetable {
    /// A timetable repeating every `period_h` with departures at `offsets` (any order).
    /// `offsets` must be non-empty, each in [0, period_h); every capacity > 0; `cutoff_h` ≥ 0.
    pub fn new(period_h: f64, mut offsets: Vec<f64>, capacity: Load, cutoff_h: f64) -> Self {
        offsets.sort_by(f64::total_cmp);
        offsets.dedup();
        Timetable {
            period_h,
            offsets,
            extra: Vec::new(),
            cancelled: Vec::new(),
            capacity,
            cutoff_h,
            waiting: VecDeque::new(),
        }
    }

    /// The same timetable with departures added at `extra` and cancelled at `cancelled`
    /// (absolute times [h]).
    pub fn with_changes(mut self, mut extra: Vec<f64>, mut cancelled: Vec<f64>) -> Self {
        extra.sort_by(f64::total_cmp);
        cancelled.sort_by(f64::total_cmp);
        self.extra = extra;
        self.cancelled = cancelled;
        self
    }

    /// The first timetabled departure at or after `t` [h], cancelled ones included.
    fn next_regular(&self, t: f64) -> f64 {
        let cycle = (t / self.period_h).floor();
        let base = cycle * self.period_h;
        let offset = t - base;
        match self.offsets.iter().find(|&&o| o >= offset - 1e-9) {
            Some(o) => base + o,
            None => base + self.period_h + self.offsets[0],
        }
    }

    fn is_cancelled(&self, d: f64) -> bool {
        if self.cancelled.is_empty() {
            return false;
        }
        let i = self.cancelled.partition_point(|&c| c < d - SAME_TIME_H);
        self.cancelled
            .get(i)
            .is_some_and(|&c| (c - d).abs() <= SAME_TIME_H)
    }

    /// The first departure that runs at or after `t` [h].
    pub fn next_departure(&self, t: f64) -> f64 {
        let mut d = self.next_regular(t);
        while self.is_cancelled(d) {
            d = self.next_regular(d + SAME_TIME_H);
        }
        let i = self.extra.partition_point(|&e| e < t - 1e-9);
        match self.extra.get(i) {
            Some(&e) if e < d => e,
            _ => d,
        }
    }

    /// True if the departure at `d` is one of the extra ones.
    pub fn is_extra(&self, d: f64) -> bool {
        self.departures_at(d).1 > 0
    }

    /// The departures leaving at `d`: (timetabled, extra). An extra departure at the time of a
    /// timetabled one is another vehicle and leaves beside it, each with the full capacity;
    /// [`Timetable::next_departure`] gives each time once, and a departure event boards every
    /// vehicle leaving at it.
    pub fn departures_at(&self, d: f64) -> (u32, u32) {
        let regular = (self.next_regular(d) - d).abs() <= SAME_TIME_H && !self.is_cancelled(d);
        let from = self.extra.partition_point(|&e| e < d - SAME_TIME_H);
        let to = self.extra.partition_point(|&e| e <= d + SAME_TIME_H);
        (u32::from(regular), (to - from) as u32)
    }

    /// Vehicles leaving at `d`, timetabled and extra; at least 1 for a time
    /// [`Timetable::next_departure`] gave.
    #[inline]
    pub fn vehicles_at(&self, d: f64) -> u32 {
        if self.extra.is_empty() {
            return 1;
        }
        let (regular, extra) = self.departures_at(d);
        (regular + extra).max(1)
    }

    /// Timetabled departures cancelled in [from, to] [h].
    pub fn cancelled_between(&self, from: f64, to: f64) -> u64 {
        self.cancelled
            .iter()
            .filter(|&&c| c >= from && c <= to)
            .count() as u64
    }

    /// True if a load fits an empty departure: one that does not can never board, and must
    /// not be pushed.
    #[inline]
    pub fn fits(&self, load: Load) -> bool {
        (0..3).all(|k| load[k] <= self.capacity[k])
    }

    /// An entity of `load` arrives at `now` to wait for a departure. `load` must fit an empty
    /// departure ([`Timetable::fits`]).
    #[inline]
    pub fn push(&mut self, now: f64, entity: u32, load: Load) {
        debug_assert!(self.fits(load), "a load of {load:?} can never board");
        self.waiting.push_back((entity, now, load));
    }

    /// Boards the departure leaving at `departure`: entities that arrived by its cut-off, in
    /// arrival order, each while it fits the room left under every limit; appends them to
    /// `out` and returns the load, never more than the capacity. An entity that does not fit
    /// the room left is offloaded and rebooked: it keeps its place at the head of the line for
    /// the next departure while smaller ones behind it board this one (no head-of-line
    /// blocking).
    pub fn board(&mut self, departure: f64, out: &mut Vec<u32>) -> Load {
        let cutoff = departure - self.cutoff_h;
        let cap = self.capacity;
        let mut load = [0.0; 3];
        // Entities offloaded so far are moved up to `kept`; [kept, i) boarded.
        let mut kept = 0;
        let mut i = 0;
        while i < self.waiting.len() && (0..3).all(|k| load[k] < cap[k]) {
            let (entity, arrived, units) = self.waiting[i];
            if arrived > cutoff {
                break;
            }
            // `load + units <= capacity` in floating point keeps `load / capacity <= 1`.
            if (0..3).all(|k| load[k] + units[k] <= cap[k]) {
                for k in 0..3 {
                    load[k] += units[k];
                }
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

    /// The entities waiting for a departure, in line order: (entity, arrived, load).
    pub fn line(&self) -> impl Iterator<Item = &(u32, f64, Load)> {
        self.waiting.iter()
    }

    /// Entities waiting for a departure.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// The capacity of one departure, per unit (`f64::INFINITY`: no limit).
    pub fn capacity(&self) -> Load {
        self.capacity
    }

    /// The cut-off [h].
    pub fn cutoff_h(&self) -> f64 {
        self.cutoff_h
    }

    /// Timetabled departures per hour on average, for load checks.
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

    /// A capacity of `x` parcels, no other limit.
    fn one(x: f64) -> Load {
        [x, f64::INFINITY, f64::INFINITY]
    }

    /// A load of `x` parcels.
    fn load(x: f64) -> Load {
        [x, 0.0, 0.0]
    }

    #[test]
    fn next_departure_wraps_to_the_next_period() {
        let t = Timetable::new(24.0, vec![14.0, 2.0], one(10.0), 3.0);
        assert_eq!(t.next_departure(0.0), 2.0);
        assert_eq!(t.next_departure(2.0), 2.0);
        assert_eq!(t.next_departure(2.5), 14.0);
        assert_eq!(t.next_departure(20.0), 26.0);
    }

    #[test]
    fn boarding_respects_cut_off_capacity_and_arrival_order() {
        let mut t = Timetable::new(24.0, vec![12.0], one(2.0), 3.0);
        t.push(1.0, 10, load(1.0));
        t.push(2.0, 11, load(1.0));
        t.push(3.0, 12, load(1.0));
        t.push(10.0, 13, load(1.0));
        let mut out = Vec::new();
        assert_eq!(t.board(12.0, &mut out)[0], 2.0);
        assert_eq!(out, vec![10, 11], "capacity 2: the third waits");
        out.clear();
        assert_eq!(t.board(36.0, &mut out)[0], 2.0);
        assert_eq!(out, vec![12, 13]);
        assert_eq!(t.waiting(), 0);
    }

    #[test]
    fn an_entity_that_does_not_fit_the_room_left_waits_while_smaller_ones_board() {
        let mut t = Timetable::new(24.0, vec![12.0], one(100.0), 0.0);
        t.push(1.0, 1, load(60.0));
        t.push(2.0, 2, load(50.0));
        t.push(3.0, 3, load(30.0));
        t.push(4.0, 4, load(20.0));
        let mut out = Vec::new();
        assert_eq!(t.board(12.0, &mut out)[0], 90.0);
        assert_eq!(
            out,
            vec![1, 3],
            "2 (50) does not fit the 40 left; 3 (30) does"
        );
        out.clear();
        assert_eq!(t.board(36.0, &mut out)[0], 70.0);
        assert_eq!(
            out,
            vec![2, 4],
            "the offloaded entity is first for the next departure"
        );
        assert_eq!(t.waiting(), 0);
        assert!(t.fits(load(100.0)) && !t.fits(load(100.5)));
    }

    #[test]
    fn added_and_cancelled_departures_change_the_next_departure() {
        let t = Timetable::new(24.0, vec![2.0, 14.0], one(10.0), 0.0)
            .with_changes(vec![20.0], vec![14.0, 26.0]);
        assert_eq!(t.next_departure(3.0), 20.0, "14 is cancelled, 20 added");
        assert!(t.is_extra(20.0) && !t.is_extra(38.0));
        assert_eq!(t.next_departure(21.0), 38.0, "26 is cancelled too");
        assert_eq!(t.next_departure(0.0), 2.0);
        assert_eq!(t.cancelled_between(0.0, 30.0), 2);
    }

    #[test]
    fn an_extra_departure_at_a_timetabled_time_leaves_beside_it() {
        let t = Timetable::new(24.0, vec![2.0, 14.0], one(10.0), 0.0)
            .with_changes(vec![14.0, 20.0, 20.0], vec![26.0]);
        assert_eq!(
            t.departures_at(14.0),
            (1, 1),
            "timetabled and extra at 14 h"
        );
        assert_eq!(t.vehicles_at(14.0), 2);
        assert_eq!(t.departures_at(20.0), (0, 2), "two extras at 20 h");
        assert_eq!(t.departures_at(2.0), (1, 0));
        assert_eq!(t.vehicles_at(38.0), 1);
        assert_eq!(t.next_departure(14.0 + 1e-6), 20.0, "each time once");
    }

    #[test]
    fn every_limit_given_binds() {
        let mut t = Timetable::new(24.0, vec![12.0], [10.0, 5.0, f64::INFINITY], 0.0);
        for e in 0..4 {
            t.push(1.0, e, [1.0, 2.0, 0.1]);
        }
        let mut out = Vec::new();
        let load = t.board(12.0, &mut out);
        assert_eq!(out, vec![0, 1], "5 kg hold two parcels of 2 kg");
        assert_eq!(load, [2.0, 4.0, 0.2]);
        assert!(!t.fits([1.0, 6.0, 0.0]));
    }

    #[test]
    fn an_entity_after_the_cut_off_waits_for_the_next_departure() {
        let mut t = Timetable::new(24.0, vec![12.0], one(5.0), 3.0);
        t.push(9.5, 1, load(1.0));
        let mut out = Vec::new();
        assert_eq!(t.board(12.0, &mut out)[0], 0.0);
        assert_eq!(t.board(36.0, &mut out)[0], 1.0);
    }
}
