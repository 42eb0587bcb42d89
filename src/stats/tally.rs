//! Running count, mean, variance and extremes of observed values, in constant memory.

use super::histogram::Histogram;

/// Count, mean, sample variance, extremes and sum of a stream of values, updated one value at a
/// time with Welford's method, which stays accurate where the naive sum-of-squares formula
/// cancels catastrophically (large means, small spreads).
///
/// Statistics of no values are NaN rather than a made-up zero: `mean`, `min` and `max` are NaN
/// when empty, `variance` and `sd` are NaN with fewer than two values. `sum` of nothing is 0.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    count: u64,
    mean: f64,
    /// Sum of squared deviations from the running mean.
    m2: f64,
    min: f64,
    max: f64,
    sum: f64,
}

impl Tally {
    /// An empty tally.
    pub const fn new() -> Self {
        Self {
            count: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
        }
    }

    /// Adds one observation.
    #[inline]
    pub fn record(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        // Through i64, a single instruction: u64 to f64 takes several (counts stay below 2^63).
        self.mean += delta / self.count as i64 as f64;
        self.m2 += delta * (x - self.mean);
        // Plain comparisons: `f64::min` spends instructions on NaN rules this hot path needs not.
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
        self.sum += x;
    }

    /// Adds `n` observations of the same value `x`: what `n` calls to [`Tally::record`] would
    /// give, up to rounding (the block is folded in as by [`Tally::merge`]).
    pub fn record_n(&mut self, x: f64, n: u64) {
        if n == 0 {
            return;
        }
        self.merge(&Tally {
            count: n,
            mean: x,
            m2: 0.0,
            min: x,
            max: x,
            sum: x * n as f64,
        });
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Arithmetic mean; NaN when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.mean }
    }

    /// Sample variance (divisor n − 1); NaN with fewer than two observations.
    pub fn variance(&self) -> f64 {
        if self.count < 2 {
            f64::NAN
        } else {
            // Rounding can leave a hair below zero for constant data.
            (self.m2 / (self.count - 1) as f64).max(0.0)
        }
    }

    /// Sample standard deviation, the square root of [`Tally::variance`].
    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Smallest observation; NaN when empty.
    pub fn min(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.min }
    }

    /// Largest observation; NaN when empty.
    pub fn max(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.max }
    }

    /// Sum of the observations; 0 when empty.
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// Folds in another tally, as if its observations had been recorded here (Chan et al.'s
    /// pairwise update), so per-thread or per-shard tallies can be combined.
    pub fn merge(&mut self, other: &Tally) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let n_a = self.count as f64;
        let n_b = other.count as f64;
        let n = n_a + n_b;
        let delta = other.mean - self.mean;
        self.mean += delta * n_b / n;
        self.m2 += other.m2 + delta * delta * n_a * n_b / n;
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum += other.sum;
    }

    /// Forgets every observation (for warm-up deletion).
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}

impl Default for Tally {
    fn default() -> Self {
        Self::new()
    }
}

/// Moments and quantiles of one quantity (a wait, a clearance time) over one replication: the
/// tally gives mean and spread, the histogram the tail, both in constant memory.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct TallyHist {
    /// Count, mean, variance and extremes, exact.
    pub tally: Tally,
    /// Quantiles, within 1% (see [`Histogram`] for its clamping of negative values).
    pub hist: Histogram,
}

impl TallyHist {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one observation to both the tally and the histogram.
    // Always inlined: a parcel records half a dozen, and as a call the prologue was a fifth of it.
    #[inline(always)]
    pub fn record(&mut self, x: f64) {
        self.tally.record(x);
        self.hist.record(x);
    }

    /// Adds `n` observations of the same value `x` to both the tally and the histogram (see
    /// [`Tally::record_n`]).
    pub fn record_n(&mut self, x: f64, n: u64) {
        self.tally.record_n(x, n);
        self.hist.record_n(x, n);
    }

    /// Folds in another record, as if its observations had been recorded here.
    pub fn merge(&mut self, other: &TallyHist) {
        self.tally.merge(&other.tally);
        self.hist.merge(&other.hist);
    }

    /// Forgets every observation (for warm-up deletion).
    pub fn reset(&mut self) {
        self.tally.reset();
        self.hist.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    use rand_pcg::Pcg64Mcg;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
    }

    fn two_pass(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    fn samples(seed: u64, n: usize, mean: f64, sd: f64) -> Vec<f64> {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let normal = Normal::new(mean, sd).unwrap();
        (0..n).map(|_| normal.sample(&mut rng)).collect()
    }

    #[test]
    fn matches_two_pass_computation() {
        let xs = samples(10, 10_000, 5.0, 3.0);
        let mut t = Tally::new();
        xs.iter().for_each(|&x| t.record(x));
        let (mean, var) = two_pass(&xs);
        assert_eq!(t.count(), 10_000);
        assert!(close(t.mean(), mean, 1e-12));
        assert!(close(t.variance(), var, 1e-10));
        assert!(close(t.sd(), var.sqrt(), 1e-10));
        assert_eq!(t.min(), xs.iter().copied().fold(f64::INFINITY, f64::min));
        assert_eq!(
            t.max(),
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        );
        assert!(close(t.sum(), xs.iter().sum(), 1e-12));
    }

    #[test]
    fn stays_accurate_with_a_large_offset() {
        // Naive sum of squares loses every digit here; Welford keeps them.
        let xs: Vec<f64> = [4.0, 7.0, 13.0, 16.0].iter().map(|x| x + 1e9).collect();
        let mut t = Tally::new();
        xs.iter().for_each(|&x| t.record(x));
        assert!(close(t.variance(), 30.0, 1e-9));
    }

    #[test]
    fn merge_equals_sequential_recording() {
        let xs = samples(11, 5_000, -2.0, 10.0);
        for split in [0, 1, 2, 1_234, 4_999, 5_000] {
            let mut seq = Tally::new();
            xs.iter().for_each(|&x| seq.record(x));
            let (mut a, mut b) = (Tally::new(), Tally::new());
            xs[..split].iter().for_each(|&x| a.record(x));
            xs[split..].iter().for_each(|&x| b.record(x));
            a.merge(&b);
            assert_eq!(a.count(), seq.count());
            assert!(close(a.mean(), seq.mean(), 1e-12), "split {split}");
            assert!(close(a.variance(), seq.variance(), 1e-12), "split {split}");
            assert_eq!(a.min(), seq.min());
            assert_eq!(a.max(), seq.max());
            assert!(close(a.sum(), seq.sum(), 1e-12));
        }
    }

    #[test]
    fn empty_and_single_value_statistics_are_nan() {
        let mut t = Tally::new();
        assert_eq!(t.count(), 0);
        assert!(t.mean().is_nan() && t.variance().is_nan() && t.min().is_nan());
        assert!(t.max().is_nan());
        assert_eq!(t.sum(), 0.0);
        t.record(2.5);
        assert_eq!((t.mean(), t.min(), t.max(), t.sum()), (2.5, 2.5, 2.5, 2.5));
        assert!(t.variance().is_nan() && t.sd().is_nan());
    }

    #[test]
    fn constant_values_have_zero_variance() {
        let mut t = Tally::new();
        (0..1000).for_each(|_| t.record(0.1));
        assert_eq!(t.variance(), 0.0);
    }

    #[test]
    fn reset_forgets_everything() {
        let mut t = Tally::new();
        t.record(1.0);
        t.record(9.0);
        t.reset();
        assert_eq!(t, Tally::new());
    }

    #[test]
    fn record_n_equals_repeated_record() {
        let xs = samples(12, 1_000, 3.0, 2.0);
        for (x, n) in [(0.0, 700), (2.5, 1), (-4.0, 33)] {
            let (mut one_by_one, mut block) = (TallyHist::new(), TallyHist::new());
            for &y in &xs {
                one_by_one.record(y);
                block.record(y);
            }
            (0..n).for_each(|_| one_by_one.record(x));
            block.record_n(x, n);
            block.record_n(x, 0);
            let (a, b) = (one_by_one.tally, block.tally);
            assert_eq!(a.count(), b.count());
            assert!(close(a.mean(), b.mean(), 1e-12), "{x} x {n}");
            assert!(close(a.variance(), b.variance(), 1e-12), "{x} x {n}");
            assert_eq!((a.min(), a.max()), (b.min(), b.max()));
            assert!(close(a.sum(), b.sum(), 1e-12));
            assert_eq!(one_by_one.hist.to_bytes(), block.hist.to_bytes());
        }
    }

    #[test]
    fn tally_hist_records_merges_and_resets_both_parts() {
        let mut a = TallyHist::new();
        let mut b = TallyHist::new();
        for x in [1.0, 2.0, 3.0] {
            a.record(x);
        }
        b.record(10.0);
        a.merge(&b);
        assert_eq!(a.tally.count(), 4);
        assert_eq!(a.hist.len(), 4);
        assert_eq!(a.tally.mean(), 4.0);
        assert!(close(a.hist.max(), 10.0, 0.01));
        a.reset();
        assert_eq!(a.tally.count(), 0);
        assert!(a.hist.is_empty());
    }
}
