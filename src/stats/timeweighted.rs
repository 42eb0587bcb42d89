//! Time average of a piecewise-constant level such as a queue length or busy-server count.

/// Integral, time average and maximum of a level that changes only at events (queue length,
/// servers busy), in constant memory.
///
/// Times are simulation times in any one unit (clearsim uses hours); the mean is in the level's
/// own unit. Times passed to `set`, `add`, `mean` and `area` must not go back before the last
/// update: an earlier time integrates nothing (and panics in debug builds, where it is a bug in
/// the caller's event order).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeWeighted {
    /// Start of the observation window (creation or last reset).
    start: f64,
    /// Time of the last level change.
    last_t: f64,
    level: f64,
    /// Integral of the level over [start, last_t].
    area: f64,
    max: f64,
}

impl TimeWeighted {
    /// Starts observing at time `t0` with the given level.
    pub fn new(t0: f64, level: f64) -> Self {
        Self {
            start: t0,
            last_t: t0,
            level,
            area: 0.0,
            max: level,
        }
    }

    /// Changes the level at time `t`, integrating the previous level over [last update, t].
    #[inline]
    pub fn set(&mut self, t: f64, level: f64) {
        debug_assert!(
            t >= self.last_t,
            "time {t} before last update {}",
            self.last_t
        );
        // Plain comparisons: this runs on every event, and `f64::max`'s NaN rules cost.
        let dt = t - self.last_t;
        if dt > 0.0 {
            self.area += self.level * dt;
            self.last_t = t;
        }
        self.level = level;
        if level > self.max {
            self.max = level;
        }
    }

    /// Changes the level by `delta` at time `t` (+1 on arrival, −1 on departure).
    #[inline]
    pub fn add(&mut self, t: f64, delta: f64) {
        self.set(t, self.level + delta);
    }

    /// The current level.
    pub fn level(&self) -> f64 {
        self.level
    }

    /// Discards everything observed before `t` and starts integrating afresh from there,
    /// keeping the current level (warm-up deletion). The maximum restarts at the current level.
    pub fn reset(&mut self, t: f64) {
        debug_assert!(
            t >= self.last_t,
            "reset at {t} before last update {}",
            self.last_t
        );
        let t = t.max(self.last_t);
        self.start = t;
        self.last_t = t;
        self.area = 0.0;
        self.max = self.level;
    }

    /// Integral of the level over [start, `t_end`], counting the current level up to `t_end`
    /// without changing the record.
    pub fn area(&self, t_end: f64) -> f64 {
        self.area + self.level * self.elapsed_to(t_end)
    }

    /// Time-average level over [start, `t_end`]; 0.0 if that window has zero length.
    pub fn mean(&self, t_end: f64) -> f64 {
        let span = t_end - self.start;
        if span > 0.0 {
            self.area(t_end) / span
        } else {
            0.0
        }
    }

    /// Highest level held since creation or the last reset.
    pub fn max(&self) -> f64 {
        self.max
    }

    fn elapsed_to(&self, t: f64) -> f64 {
        debug_assert!(
            t >= self.last_t,
            "time {t} before last update {}",
            self.last_t
        );
        (t - self.last_t).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn hand_computed_queue_length() {
        // Level 0 on [0,2), 1 on [2,3), 3 on [3,7), 2 on [7,10]:
        // area = 0 + 1 + 12 + 6 = 19 over 10 time units.
        let mut q = TimeWeighted::new(0.0, 0.0);
        q.add(2.0, 1.0);
        q.add(3.0, 2.0);
        q.set(7.0, 2.0);
        assert_eq!(q.level(), 2.0);
        assert!(close(q.area(10.0), 19.0));
        assert!(close(q.mean(10.0), 1.9));
        assert_eq!(q.max(), 3.0);
        // mean does not mutate: asking again, or at an earlier end, is consistent.
        assert!(close(q.mean(10.0), 1.9));
        assert!(close(q.mean(8.0), 15.0 / 8.0));
    }

    #[test]
    fn nonzero_start_time_and_initial_level() {
        // Two servers busy from t=5, one from t=6, to t=9: area 2 + 3 = 5 over 4.
        let mut busy = TimeWeighted::new(5.0, 2.0);
        busy.add(6.0, -1.0);
        assert!(close(busy.mean(9.0), 1.25));
        assert_eq!(busy.max(), 2.0);
    }

    #[test]
    fn several_changes_at_the_same_instant_integrate_only_the_last() {
        let mut q = TimeWeighted::new(0.0, 0.0);
        q.set(1.0, 100.0);
        q.set(1.0, 1.0);
        assert!(close(q.area(3.0), 2.0));
        assert_eq!(q.max(), 100.0);
    }

    #[test]
    fn warm_up_reset_discards_the_transient() {
        // Level 10 over the warm-up [0,4), then reset at 4 with level 10 carried over;
        // 10 on [4,5), 2 on [5,8]: area 10 + 6 = 16 over 4.
        let mut q = TimeWeighted::new(0.0, 0.0);
        q.set(0.0, 10.0);
        q.set(3.0, 12.0);
        q.set(3.5, 10.0);
        q.reset(4.0);
        assert_eq!(q.level(), 10.0);
        assert_eq!(q.max(), 10.0);
        q.set(5.0, 2.0);
        assert!(close(q.area(8.0), 16.0));
        assert!(close(q.mean(8.0), 4.0));
        assert_eq!(q.max(), 10.0);
    }

    #[test]
    fn zero_length_window_has_zero_mean() {
        let q = TimeWeighted::new(3.0, 7.0);
        assert_eq!(q.mean(3.0), 0.0);
        let mut r = TimeWeighted::new(0.0, 7.0);
        r.reset(2.0);
        assert_eq!(r.mean(2.0), 0.0);
        assert_eq!(r.area(2.0), 0.0);
    }
}
