//! Fixed-memory quantile histogram of non-negative durations in hours.

use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};

/// Recording units per hour: values are stored as integer multiples of 1e-7 h (0.36 ms).
const UNITS_PER_HOUR: f64 = 1e7;
/// Lowest value distinguished from zero, in units.
const LOWEST_UNITS: u64 = 1;
/// Highest trackable value, in units (2^53, about 9e8 h); larger values saturate here.
const HIGHEST_UNITS: u64 = 1 << 53;
/// Two significant figures give 128 sub-buckets per power of two: a bucket is at most
/// 1/128 (0.78%) of the values it holds wide, within the promised 1%.
const SIGNIFICANT_FIGURES: u8 = 2;

/// Quantiles of a stream of durations in hours, in memory that does not grow with the number of
/// values recorded (about 48 KiB whatever the count).
///
/// Values are kept in logarithmic buckets, so a reported quantile is within 1% of the true
/// sample quantile for values of at least 1.28e-5 h (128 units of 1e-7 h); below that the
/// error is at most one unit, 1e-7 h, absolute. Negative and NaN values are recorded as 0 (a
/// duration cannot be negative, and a NaN must not poison the shard); values above about 9e8 h,
/// including infinity, are recorded at that ceiling.
#[derive(Clone, Debug)]
pub struct Histogram {
    inner: hdrhistogram::Histogram<u64>,
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self {
            inner: empty_inner(),
        }
    }

    /// Records one value in hours (clamped as described on [`Histogram`]).
    pub fn record(&mut self, x: f64) {
        self.inner.saturating_record(to_units(x));
    }

    /// Records `n` occurrences of the value `x` in hours, as `n` calls to [`Histogram::record`]
    /// would.
    pub fn record_n(&mut self, x: f64, n: u64) {
        self.inner.saturating_record_n(to_units(x), n);
    }

    /// Number of values recorded.
    pub fn len(&self) -> u64 {
        self.inner.len()
    }

    /// Whether no value has been recorded.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The `q`-quantile in hours (`q` in [0, 1], clamped): the smallest recorded value such that
    /// at least a fraction `q` of the values are at or below it, reported as the top of its
    /// bucket so it never understates the sample quantile. 0.0 when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.inner.is_empty() {
            return 0.0;
        }
        // NaN would otherwise ask for rank 0, silently the minimum.
        let q = if q.is_nan() { 1.0 } else { q.clamp(0.0, 1.0) };
        to_hours(self.inner.value_at_quantile(q))
    }

    /// Largest value recorded in hours (top of its bucket), 0.0 when empty.
    pub fn max(&self) -> f64 {
        if self.inner.is_empty() {
            return 0.0;
        }
        to_hours(self.inner.max())
    }

    /// Fraction of the recorded values at or below `x` hours, to bucket resolution: values in
    /// the same bucket as `x` count as at or below it. Answers "share released within 24 h".
    /// 0.0 when empty; values clamped like [`Histogram::record`] (so a negative `x` asks about
    /// zero).
    pub fn share_at_most(&self, x: f64) -> f64 {
        if self.inner.is_empty() {
            return 0.0;
        }
        self.inner.quantile_below(to_units(x))
    }

    /// Adds every value recorded in `other` to `self`, as if they had been recorded here.
    pub fn merge(&mut self, other: &Histogram) {
        // Both sides are built with the same bounds (`new` and `from_bytes` enforce it), so the
        // bucket layouts match and adding cannot run out of range.
        self.inner
            .add(&other.inner)
            .expect("histograms with identical bounds always add");
    }

    /// Forgets every recorded value, keeping the allocated buckets.
    pub fn reset(&mut self) {
        self.inner.reset();
    }

    /// Encodes the histogram in `HdrHistogram`'s V2 binary format, so shards recorded in separate
    /// processes can be stored and merged later with [`Histogram::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        V2Serializer::new()
            .serialize(&self.inner, &mut bytes)
            .expect("V2 encoding into a Vec cannot fail for a bounded histogram");
        bytes
    }

    /// Decodes bytes written by [`Histogram::to_bytes`].
    ///
    /// # Errors
    ///
    /// Fails if the bytes are not a V2 histogram, or were written with other bounds or precision
    /// than this type uses (merging such a histogram would silently change the error guarantee).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut reader = bytes;
        let inner: hdrhistogram::Histogram<u64> = Deserializer::new()
            .deserialize(&mut reader)
            .map_err(|e| format!("not a serialised clearsim histogram: {e:?}"))?;
        let expected = empty_inner();
        if inner.low() != expected.low()
            || inner.high() != expected.high()
            || inner.sigfig() != expected.sigfig()
        {
            return Err(format!(
                "histogram bounds low={}, high={}, sigfig={} differ from clearsim's \
                 low={}, high={}, sigfig={}; re-record it with this version of clearsim",
                inner.low(),
                inner.high(),
                inner.sigfig(),
                expected.low(),
                expected.high(),
                expected.sigfig()
            ));
        }
        Ok(Self { inner })
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

fn empty_inner() -> hdrhistogram::Histogram<u64> {
    hdrhistogram::Histogram::new_with_bounds(LOWEST_UNITS, HIGHEST_UNITS, SIGNIFICANT_FIGURES)
        .expect("constant histogram bounds are valid")
}

fn to_units(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    // `as` saturates on overflow (infinity becomes u64::MAX); the histogram then clamps to its
    // ceiling.
    (x * UNITS_PER_HOUR).round() as u64
}

fn to_hours(units: u64) -> f64 {
    units as f64 / UNITS_PER_HOUR
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_distr::{Distribution, Exp};
    use rand_pcg::Pcg64Mcg;

    const QUANTILES: [f64; 9] = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999];

    /// The sample quantile with the histogram's definition: the value of rank ceil(q n).
    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
        sorted[rank - 1]
    }

    fn assert_quantiles_within_one_percent(mut samples: Vec<f64>) {
        let mut h = Histogram::new();
        for &x in &samples {
            h.record(x);
        }
        assert_eq!(h.len(), samples.len() as u64);
        samples.sort_by(f64::total_cmp);
        for q in QUANTILES {
            let exact = exact_quantile(&samples, q);
            let approx = h.quantile(q);
            let rel = (approx - exact).abs() / exact;
            assert!(
                rel <= 0.01,
                "q={q}: exact {exact}, histogram {approx}, rel {rel}"
            );
        }
        let max = samples[samples.len() - 1];
        assert!((h.max() - max).abs() / max <= 0.01);
    }

    #[test]
    fn quantiles_of_a_million_uniform_values_are_within_one_percent() {
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        let samples = (0..1_000_000)
            .map(|_| rng.random_range(0.01..100.0))
            .collect();
        assert_quantiles_within_one_percent(samples);
    }

    #[test]
    fn quantiles_of_a_million_exponential_values_are_within_one_percent() {
        let mut rng = Pcg64Mcg::seed_from_u64(2);
        let exp = Exp::new(1.0 / 6.0).unwrap();
        let samples = (0..1_000_000).map(|_| exp.sample(&mut rng)).collect();
        assert_quantiles_within_one_percent(samples);
    }

    #[test]
    fn quantile_never_understates_the_sample_quantile() {
        let mut h = Histogram::new();
        for x in [0.5, 1.0, 2.0, 3.0, 48.0] {
            h.record(x);
        }
        assert!(h.quantile(0.5) >= 2.0 && h.quantile(0.5) <= 2.0 * 1.01);
        assert!(h.quantile(1.0) >= 48.0 && h.quantile(1.0) <= 48.0 * 1.01);
        assert_eq!(h.quantile(1.0), h.max());
    }

    #[test]
    fn memory_does_not_grow_with_the_values_recorded() {
        let mut h = Histogram::new();
        let buckets = h.inner.distinct_values();
        // About 48 KiB of u64 counters, as the type's documentation promises.
        assert!(buckets * 8 <= 48 * 1024, "{buckets} buckets");
        for i in 0..100_000 {
            h.record(f64::from(i) * 1e3);
        }
        h.record(f64::MAX);
        h.record_n(1e-9, u64::MAX);
        assert_eq!(h.inner.distinct_values(), buckets);
    }

    #[test]
    fn empty_histogram_reports_zero() {
        let h = Histogram::new();
        assert!(h.is_empty());
        assert_eq!(h.len(), 0);
        assert_eq!(h.quantile(0.5), 0.0);
        assert_eq!(h.max(), 0.0);
        assert_eq!(h.share_at_most(24.0), 0.0);
    }

    #[test]
    fn negative_and_nan_values_count_as_zero_and_huge_values_saturate() {
        let mut h = Histogram::new();
        h.record(-3.0);
        h.record(f64::NAN);
        h.record(f64::INFINITY);
        assert_eq!(h.len(), 3);
        assert_eq!(h.quantile(0.0), 0.0);
        assert_eq!(h.quantile(0.5), 0.0);
        let ceiling = HIGHEST_UNITS as f64 / UNITS_PER_HOUR;
        assert!(h.max() >= ceiling && h.max() <= ceiling * 1.01);
    }

    #[test]
    fn record_n_equals_repeated_record() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        a.record_n(5.0, 7);
        a.record_n(1.0, 3);
        for _ in 0..7 {
            b.record(5.0);
        }
        for _ in 0..3 {
            b.record(1.0);
        }
        assert_eq!(a.len(), 10);
        assert_eq!(a.to_bytes(), b.to_bytes());
    }

    #[test]
    fn share_at_most_counts_values_at_or_below() {
        let mut h = Histogram::new();
        for x in [1.0, 10.0, 23.0, 24.0, 30.0, 72.0, 100.0, 200.0] {
            h.record(x);
        }
        assert_eq!(h.share_at_most(24.0), 0.5);
        assert_eq!(h.share_at_most(0.5), 0.0);
        assert_eq!(h.share_at_most(1000.0), 1.0);
    }

    #[test]
    fn merge_equals_recording_everything_in_one() {
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let mut left = Histogram::new();
        let mut right = Histogram::new();
        let mut all = Histogram::new();
        for i in 0..10_000 {
            let x: f64 = rng.random_range(0.0..500.0);
            let shard = if i % 3 == 0 { &mut left } else { &mut right };
            shard.record(x);
            all.record(x);
        }
        left.merge(&right);
        assert_eq!(left.len(), all.len());
        assert_eq!(left.to_bytes(), all.to_bytes());
        for q in QUANTILES {
            assert_eq!(left.quantile(q), all.quantile(q));
        }
    }

    #[test]
    fn reset_empties_the_histogram() {
        let mut h = Histogram::new();
        h.record(4.0);
        h.reset();
        assert!(h.is_empty());
        assert_eq!(h.quantile(0.9), 0.0);
    }

    #[test]
    fn bytes_round_trip_preserves_every_statistic() {
        let mut rng = Pcg64Mcg::seed_from_u64(4);
        let mut h = Histogram::new();
        h.record(0.0);
        for _ in 0..5_000 {
            h.record(rng.random_range(0.0..1_000.0));
        }
        let back = Histogram::from_bytes(&h.to_bytes()).unwrap();
        assert_eq!(back.len(), h.len());
        assert_eq!(back.max(), h.max());
        for q in QUANTILES {
            assert_eq!(back.quantile(q), h.quantile(q));
        }
        assert_eq!(back.share_at_most(24.0), h.share_at_most(24.0));
        assert_eq!(back.to_bytes(), h.to_bytes());

        let empty = Histogram::from_bytes(&Histogram::new().to_bytes()).unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn deserialised_shards_merge() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        a.record(1.0);
        b.record(2.0);
        let mut merged = Histogram::from_bytes(&a.to_bytes()).unwrap();
        merged.merge(&Histogram::from_bytes(&b.to_bytes()).unwrap());
        assert_eq!(merged.len(), 2);
        assert!((merged.max() - 2.0).abs() <= 0.02);
    }

    #[test]
    fn from_bytes_rejects_garbage_and_foreign_bounds() {
        assert!(Histogram::from_bytes(b"not a histogram").is_err());
        assert!(Histogram::from_bytes(&[]).is_err());
        let foreign = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 1000, 3).unwrap();
        let mut bytes = Vec::new();
        V2Serializer::new().serialize(&foreign, &mut bytes).unwrap();
        let err = Histogram::from_bytes(&bytes).unwrap_err();
        assert!(err.contains("sigfig=3"), "{err}");
    }
}
