//! A multi-server station: servers whose number follows a calendar, a waiting line in front of
//! them (FIFO or by priority, optionally of finite size) and the time-weighted books of both.
//!
//! The station only keeps the books; the model samples service times and schedules the end of
//! each service. When capacity drops below the number busy, work in service finishes and no new
//! service starts until a server is free under the new capacity. A server finishing such work
//! stays on duty until it is done, so the servers on duty are the calendar's or the busy ones,
//! whichever is more, and busy server-hours never exceed server-hours on duty: utilisation lies
//! in [0, 1] by construction.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::stats::TimeWeighted;

/// Order in which waiting entities are served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discipline {
    /// First come, first served.
    Fifo,
    /// Lowest priority number first; first come, first served within a priority.
    Priority,
}

/// What happened to an entity that arrived at a station.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// A server was free: service starts now (the caller schedules its end).
    Start,
    /// All servers busy: the entity waits in line.
    Queued,
    /// The waiting room was full: the entity was turned away.
    Blocked,
}

/// An entity in line and the time it joined it [h].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Waiting {
    /// The model's entity index.
    pub entity: u32,
    /// When it joined the line [h].
    pub since: f64,
}

/// Heap entry for the priority discipline: smallest (priority, sequence) on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Ranked {
    key: Reverse<(u8, u64)>,
    entity: u32,
    since_bits: u64,
}

/// A multi-server station with a waiting line and its time-weighted statistics.
#[derive(Clone, Debug)]
pub struct Station {
    discipline: Discipline,
    capacity: u32,
    busy: u32,
    queue_limit: Option<u32>,
    fifo: VecDeque<Waiting>,
    ranked: BinaryHeap<Ranked>,
    seq: u64,
    /// Entities waiting in line over time.
    pub queue_tw: TimeWeighted,
    /// Busy servers over time.
    pub busy_tw: TimeWeighted,
    /// Servers on duty over time: the calendar's capacity, or the busy servers while more are
    /// busy (work started before the capacity dropped finishes on duty, and is paid).
    pub capacity_tw: TimeWeighted,
}

impl Station {
    /// A station with `servers` on duty at time `t0`, and at most `queue_limit` waiting
    /// (`None`: unlimited).
    pub fn new(discipline: Discipline, servers: u32, queue_limit: Option<u32>, t0: f64) -> Self {
        Station {
            discipline,
            capacity: servers,
            busy: 0,
            queue_limit,
            fifo: VecDeque::new(),
            ranked: BinaryHeap::new(),
            seq: 0,
            queue_tw: TimeWeighted::new(t0, 0.0),
            busy_tw: TimeWeighted::new(t0, 0.0),
            capacity_tw: TimeWeighted::new(t0, servers as f64),
        }
    }

    /// An entity arrives at `now`: it starts service, waits, or is turned away.
    #[inline]
    pub fn arrive(&mut self, now: f64, entity: u32, priority: u8) -> Admission {
        if self.busy < self.capacity {
            self.busy += 1;
            self.busy_tw.set(now, self.busy as f64);
            return Admission::Start;
        }
        let waiting = self.queue_len();
        if self
            .queue_limit
            .is_some_and(|limit| waiting >= limit as usize)
        {
            return Admission::Blocked;
        }
        match self.discipline {
            Discipline::Fifo => self.fifo.push_back(Waiting { entity, since: now }),
            Discipline::Priority => {
                self.seq += 1;
                self.ranked.push(Ranked {
                    key: Reverse((priority, self.seq)),
                    entity,
                    since_bits: now.to_bits(),
                });
            }
        }
        self.queue_tw.set(now, (waiting + 1) as f64);
        Admission::Queued
    }

    /// A service ends at `now`. Returns the waiting entity whose service starts in its place, if
    /// a server may start under the current capacity.
    #[inline]
    pub fn finish(&mut self, now: f64) -> Option<Waiting> {
        debug_assert!(self.busy > 0, "finish without a busy server");
        let overrun = self.busy > self.capacity;
        self.busy -= 1;
        if overrun {
            // A server kept past its shift by this service goes off duty now.
            self.capacity_tw.set(now, self.on_duty() as f64);
        }
        let next = self.start_next(now);
        if next.is_none() {
            self.busy_tw.set(now, self.busy as f64);
        }
        next
    }

    /// Starts the next waiting entity if a server is free; the caller schedules its service end.
    #[inline]
    pub fn start_next(&mut self, now: f64) -> Option<Waiting> {
        if self.busy >= self.capacity {
            return None;
        }
        let next = match self.discipline {
            Discipline::Fifo => self.fifo.pop_front(),
            Discipline::Priority => self.ranked.pop().map(|r| Waiting {
                entity: r.entity,
                since: f64::from_bits(r.since_bits),
            }),
        }?;
        self.busy += 1;
        self.busy_tw.set(now, self.busy as f64);
        self.queue_tw.set(now, self.queue_len() as f64);
        Some(next)
    }

    /// Capacity changes to `servers` at `now`. Busy servers above the new capacity finish their
    /// work; call [`Station::start_next`] until it returns `None` to start what the new
    /// capacity allows.
    pub fn set_capacity(&mut self, now: f64, servers: u32) {
        self.capacity = servers;
        self.capacity_tw.set(now, self.on_duty() as f64);
    }

    /// Servers on duty now: the capacity, or the busy servers if more are busy.
    fn on_duty(&self) -> u32 {
        self.capacity.max(self.busy)
    }

    /// Entities waiting in line.
    #[inline]
    pub fn queue_len(&self) -> usize {
        self.fifo.len() + self.ranked.len()
    }

    /// Servers busy now.
    pub fn busy(&self) -> u32 {
        self.busy
    }

    /// Servers on duty now.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Forget the statistics gathered so far (warm-up deletion) and start afresh at `now`.
    pub fn reset_stats(&mut self, now: f64) {
        self.queue_tw.reset(now);
        self.busy_tw.reset(now);
        self.capacity_tw.reset(now);
    }

    /// Busy server-hours over on-duty server-hours since the last reset, up to `now`: in
    /// [0, 1], since no more servers are busy than on duty at any time.
    pub fn utilization(&self, now: f64) -> f64 {
        let available = self.capacity_tw.area(now);
        if available > 0.0 {
            // The two integrals are summed over different change points, so a station busy
            // all the time can come out a few ulps above 1 (1 + 7e-16): floating rounding
            // only, the exact ratio is at most 1.
            (self.busy_tw.area(now) / available).min(1.0)
        } else {
            0.0
        }
    }

    /// Empties the line and frees every server (reuse between replications).
    pub fn clear(&mut self, servers: u32, t0: f64) {
        self.fifo.clear();
        self.ranked.clear();
        self.busy = 0;
        self.seq = 0;
        self.capacity = servers;
        self.queue_tw = TimeWeighted::new(t0, 0.0);
        self.busy_tw = TimeWeighted::new(t0, 0.0);
        self.capacity_tw = TimeWeighted::new(t0, servers as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_serves_in_arrival_order_and_blocks_when_full() {
        let mut s = Station::new(Discipline::Fifo, 1, Some(2), 0.0);
        assert_eq!(s.arrive(0.0, 1, 0), Admission::Start);
        assert_eq!(s.arrive(1.0, 2, 0), Admission::Queued);
        assert_eq!(s.arrive(2.0, 3, 0), Admission::Queued);
        assert_eq!(s.arrive(3.0, 4, 0), Admission::Blocked);
        assert_eq!(s.finish(4.0).map(|w| w.entity), Some(2));
        assert_eq!(s.finish(5.0).map(|w| w.entity), Some(3));
        assert_eq!(s.finish(6.0), None);
        assert_eq!(s.busy(), 0);
    }

    #[test]
    fn priority_serves_lowest_number_first_then_fifo() {
        let mut s = Station::new(Discipline::Priority, 1, None, 0.0);
        s.arrive(0.0, 0, 0);
        s.arrive(1.0, 1, 2);
        s.arrive(2.0, 2, 1);
        s.arrive(3.0, 3, 1);
        let order: Vec<u32> = (0..3)
            .filter_map(|i| s.finish(4.0 + i as f64))
            .map(|w| w.entity)
            .collect();
        assert_eq!(order, vec![2, 3, 1]);
    }

    #[test]
    fn no_service_starts_while_capacity_is_zero_and_work_in_service_finishes() {
        let mut s = Station::new(Discipline::Fifo, 1, None, 0.0);
        assert_eq!(s.arrive(0.0, 1, 0), Admission::Start);
        s.set_capacity(1.0, 0);
        assert_eq!(s.arrive(1.5, 2, 0), Admission::Queued);
        assert_eq!(s.finish(2.0), None, "closed: the queue carries over");
        assert_eq!(s.queue_len(), 1);
        s.set_capacity(3.0, 1);
        assert_eq!(s.start_next(3.0).map(|w| w.entity), Some(2));
        // One server busy over [0, 2] and [3, 4]; on duty over the same hours, since the
        // server kept past its shift at 1 h stays on duty until its service ends at 2 h.
        s.finish(4.0);
        assert!((s.capacity_tw.area(4.0) - 3.0).abs() < 1e-12);
        assert!((s.utilization(4.0) - 1.0).abs() < 1e-12);
    }
}
