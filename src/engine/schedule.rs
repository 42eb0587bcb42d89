//! Capacity over time: a weekly shift pattern with holidays, as a piecewise-constant server count.
//!
//! Time 0 is Monday 00:00 of week 1. A shift gives a number of servers on some weekdays between
//! two clock hours; outside every shift the default applies; on a holiday (a day number counted
//! from time 0) the holiday count applies all day. When capacity drops, work in service finishes
//! and no new service starts until capacity returns; that rule lives in [`super::Station`].

use thiserror::Error;

/// Hours in a day and in a week.
const DAY_H: f64 = 24.0;
const WEEK_H: f64 = 168.0;
/// Tolerance when locating a time on a breakpoint, so that an event scheduled exactly at a
/// change sees the new level despite rounding.
const EPS_H: f64 = 1e-9;

/// One shift entry: `servers` on the marked weekdays from `from_h` to `to_h` (clock hours).
#[derive(Clone, Debug, PartialEq)]
pub struct Shift {
    /// Weekdays the shift starts on, Monday first.
    pub days: [bool; 7],
    /// Start clock hour, 0 ≤ from_h < 24.
    pub from_h: f64,
    /// End clock hour, 0 < to_h ≤ 24; a value ≤ `from_h` means the shift runs past midnight.
    pub to_h: f64,
    /// Servers on duty during the shift.
    pub servers: u32,
}

/// Why a shift pattern was refused.
#[derive(Clone, Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum ScheduleError {
    /// A clock hour outside 0–24.
    #[error(
        "shift {index}: `{key}` must be a clock hour from 0 to 24 (`from_h` below 24), got {value}"
    )]
    BadHour {
        /// Index of the shift entry.
        index: usize,
        /// `from_h` or `to_h`.
        key: &'static str,
        /// The value given.
        value: f64,
    },
    /// A shift of zero length.
    #[error(
        "shift {index}: `from_h` and `to_h` are equal ({hour}); a shift must last more than 0 h"
    )]
    Empty {
        /// Index of the shift entry.
        index: usize,
        /// The hour given for both ends.
        hour: f64,
    },
    /// Two shifts cover the same hour.
    #[error(
        "shifts {first} and {second} overlap on {day} around {hour:.2} h; each hour may be covered by one shift entry only"
    )]
    Overlap {
        /// Index of the earlier shift entry.
        first: usize,
        /// Index of the later shift entry.
        second: usize,
        /// Weekday name of the overlap.
        day: &'static str,
        /// Clock hour where the overlap starts.
        hour: f64,
    },
}

/// Weekday names, Monday first, as used in scenario files.
pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Servers available over time: constant, or a weekly pattern with holidays.
#[derive(Clone, Debug, PartialEq)]
pub struct CapacitySchedule {
    /// Weekly breakpoints (offset from Monday 00:00 [h], servers from then on), sorted, first at 0.
    breaks: Vec<(f64, u32)>,
    /// Day numbers (from time 0) that are holidays, sorted.
    holidays: Vec<u32>,
    /// Servers on a holiday.
    holiday_servers: u32,
}

impl CapacitySchedule {
    /// Always `servers` servers.
    pub fn constant(servers: u32) -> Self {
        CapacitySchedule {
            breaks: vec![(0.0, servers)],
            holidays: Vec::new(),
            holiday_servers: 0,
        }
    }

    /// A weekly pattern: `default_servers` outside the shifts, the shifts' counts inside them,
    /// `holiday_servers` all day on the listed holidays.
    pub fn weekly(
        default_servers: u32,
        shifts: &[Shift],
        mut holidays: Vec<u32>,
        holiday_servers: u32,
    ) -> Result<Self, ScheduleError> {
        // Each shift becomes intervals of the week [start, end), split at the week's end.
        let mut pieces: Vec<(f64, f64, u32, usize)> = Vec::new();
        for (index, s) in shifts.iter().enumerate() {
            if !(0.0..DAY_H).contains(&s.from_h) {
                return Err(ScheduleError::BadHour {
                    index,
                    key: "from_h",
                    value: s.from_h,
                });
            }
            if !(0.0..=DAY_H).contains(&s.to_h) {
                return Err(ScheduleError::BadHour {
                    index,
                    key: "to_h",
                    value: s.to_h,
                });
            }
            if s.from_h == s.to_h {
                return Err(ScheduleError::Empty {
                    index,
                    hour: s.from_h,
                });
            }
            let length = if s.to_h > s.from_h {
                s.to_h - s.from_h
            } else {
                s.to_h + DAY_H - s.from_h
            };
            for (day, on) in s.days.iter().enumerate() {
                if !on {
                    continue;
                }
                let start = day as f64 * DAY_H + s.from_h;
                let end = start + length;
                if end <= WEEK_H {
                    pieces.push((start, end, s.servers, index));
                } else {
                    pieces.push((start, WEEK_H, s.servers, index));
                    pieces.push((0.0, end - WEEK_H, s.servers, index));
                }
            }
        }
        pieces.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.3.cmp(&b.3)));
        for w in pieces.windows(2) {
            let (a, b) = (w[0], w[1]);
            if b.0 < a.1 - EPS_H {
                let (first, second) = if a.3 <= b.3 { (a.3, b.3) } else { (b.3, a.3) };
                let day = ((b.0 / DAY_H) as usize).min(6);
                return Err(ScheduleError::Overlap {
                    first,
                    second,
                    day: WEEKDAYS[day],
                    hour: b.0 - day as f64 * DAY_H,
                });
            }
        }
        let mut breaks: Vec<(f64, u32)> = Vec::new();
        let mut push = |at: f64, servers: u32| match breaks.last_mut() {
            Some(last) if (last.0 - at).abs() < EPS_H => last.1 = servers,
            Some(last) if last.1 == servers => {}
            _ => breaks.push((at, servers)),
        };
        let mut cursor = 0.0;
        for &(start, end, servers, _) in &pieces {
            if start > cursor + EPS_H {
                push(cursor, default_servers);
            }
            push(start, servers);
            cursor = end;
        }
        if cursor < WEEK_H - EPS_H {
            push(cursor, default_servers);
        }
        holidays.sort_unstable();
        holidays.dedup();
        Ok(CapacitySchedule {
            breaks,
            holidays,
            holiday_servers,
        })
    }

    /// True when the count never changes.
    pub fn is_constant(&self) -> bool {
        self.breaks.len() == 1 && self.holidays.is_empty()
    }

    /// Servers available at time `t` [h].
    pub fn servers_at(&self, t: f64) -> u32 {
        let t = t.max(0.0) + EPS_H;
        if !self.holidays.is_empty() {
            let day = (t / DAY_H).floor() as u64;
            if day <= u32::MAX as u64 && self.holidays.binary_search(&(day as u32)).is_ok() {
                return self.holiday_servers;
            }
        }
        let offset = t - (t / WEEK_H).floor() * WEEK_H;
        let i = self.breaks.partition_point(|b| b.0 <= offset);
        self.breaks[i.saturating_sub(1)].1
    }

    /// The first time after `t` at which the number of servers differs from the one at `t`,
    /// or `None` if it never changes again.
    pub fn next_change(&self, t: f64) -> Option<f64> {
        if self.is_constant() {
            return None;
        }
        let now = self.servers_at(t);
        let mut at = t;
        // A week of weekly breakpoints plus a day boundary per day covers every kind of change;
        // holidays can only be listed so far, so a bounded search is exact.
        let last_holiday = self
            .holidays
            .last()
            .map_or(0.0, |&d| (d as f64 + 1.0) * DAY_H);
        let limit = t.max(last_holiday) + 2.0 * WEEK_H;
        while at < limit {
            at = self.next_boundary(at);
            if self.servers_at(at) != now {
                return Some(at);
            }
        }
        None
    }

    /// The next weekly breakpoint or (with holidays) midnight strictly after `t`.
    fn next_boundary(&self, t: f64) -> f64 {
        let week_start = ((t + EPS_H) / WEEK_H).floor() * WEEK_H;
        let offset = t + EPS_H - week_start;
        let i = self.breaks.partition_point(|b| b.0 <= offset);
        let mut next = match self.breaks.get(i) {
            Some(b) => week_start + b.0,
            None => week_start + WEEK_H,
        };
        if !self.holidays.is_empty() {
            let midnight = ((t + EPS_H) / DAY_H).floor() * DAY_H + DAY_H;
            next = next.min(midnight);
        }
        next
    }

    /// Mean servers over a normal week (holidays excluded): the capacity used for load checks.
    pub fn mean_servers(&self) -> f64 {
        let mut area = 0.0;
        for (i, b) in self.breaks.iter().enumerate() {
            let end = self.breaks.get(i + 1).map_or(WEEK_H, |n| n.0);
            area += (end - b.0) * b.1 as f64;
        }
        area / WEEK_H
    }

    /// The largest number of servers ever on duty.
    pub fn max_servers(&self) -> u32 {
        let weekly = self.breaks.iter().map(|b| b.1).max().unwrap_or(0);
        if self.holidays.is_empty() {
            weekly
        } else {
            weekly.max(self.holiday_servers)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekdays() -> [bool; 7] {
        [true, true, true, true, true, false, false]
    }

    fn office() -> CapacitySchedule {
        let day = Shift {
            days: weekdays(),
            from_h: 8.0,
            to_h: 18.0,
            servers: 4,
        };
        CapacitySchedule::weekly(1, &[day], vec![2], 0).unwrap()
    }

    #[test]
    fn office_hours_on_weekdays_one_at_night_none_on_holidays() {
        let s = office();
        assert_eq!(s.servers_at(7.99), 1);
        assert_eq!(s.servers_at(8.0), 4);
        assert_eq!(s.servers_at(17.99), 4);
        assert_eq!(s.servers_at(18.0), 1);
        assert_eq!(s.servers_at(2.0 * 24.0 + 12.0), 0, "day 2 is a holiday");
        assert_eq!(s.servers_at(5.0 * 24.0 + 12.0), 1, "Saturday");
        assert_eq!(s.servers_at(7.0 * 24.0 + 9.0), 4, "next Monday");
    }

    #[test]
    fn next_change_walks_the_pattern() {
        let s = office();
        assert_eq!(s.next_change(0.0), Some(8.0));
        assert_eq!(s.next_change(8.0), Some(18.0));
        assert_eq!(s.next_change(18.0), Some(24.0 + 8.0));
        // Tuesday 18:00 → the holiday starts at midnight (1 → 0).
        assert_eq!(s.next_change(24.0 + 18.0), Some(48.0));
        assert_eq!(s.next_change(48.0), Some(72.0));
        assert_eq!(s.next_change(72.0), Some(80.0));
        assert_eq!(CapacitySchedule::constant(3).next_change(5.0), None);
    }

    #[test]
    fn night_shift_crosses_midnight_and_the_week_end() {
        let night = Shift {
            days: [false, false, false, false, false, false, true],
            from_h: 22.0,
            to_h: 6.0,
            servers: 2,
        };
        let s = CapacitySchedule::weekly(0, &[night], vec![], 0).unwrap();
        assert_eq!(s.servers_at(6.0 * 24.0 + 23.0), 2);
        assert_eq!(
            s.servers_at(7.0 * 24.0 + 5.0),
            2,
            "Monday 05:00 of the next week"
        );
        assert_eq!(
            s.servers_at(5.0),
            2,
            "Monday 05:00 of week 1 too: the pattern repeats"
        );
        assert_eq!(s.servers_at(7.0), 0);
        assert!((s.mean_servers() - 16.0 / 168.0).abs() < 1e-12);
    }

    #[test]
    fn overlapping_shifts_are_refused() {
        let a = Shift {
            days: weekdays(),
            from_h: 8.0,
            to_h: 18.0,
            servers: 4,
        };
        let b = Shift {
            days: [false, false, true, false, false, false, false],
            from_h: 17.0,
            to_h: 20.0,
            servers: 1,
        };
        let err = CapacitySchedule::weekly(1, &[a, b], vec![], 0).unwrap_err();
        assert!(matches!(
            err,
            ScheduleError::Overlap {
                first: 0,
                second: 1,
                day: "wed",
                ..
            }
        ));
    }

    #[test]
    fn bad_hours_are_refused() {
        let s = Shift {
            days: weekdays(),
            from_h: 8.0,
            to_h: 25.0,
            servers: 1,
        };
        assert!(matches!(
            CapacitySchedule::weekly(1, &[s], vec![], 0),
            Err(ScheduleError::BadHour { key: "to_h", .. })
        ));
    }
}
