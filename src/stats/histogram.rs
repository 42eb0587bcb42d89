//! Fixed-memory quantile histogram of non-negative durations in hours.
//!
//! Buckets are read straight off the bits of an `f64`: the exponent picks a power of two and the
//! top 7 bits of the mantissa one of 128 sub-buckets, so recording is a handful of integer
//! operations (a general-purpose HdrHistogram cost ~95 instructions per value on the hot path).
//! A bucket holds the values in (lower, upper]: its edges, which include every whole hour below
//! 256 and every threshold of the output (1, 24, 48 h), are counted exactly by
//! [`Histogram::share_at_most`].

/// Sub-bucket bits per power of two: 2^7 = 128 sub-buckets, each at most 1/128 (0.78%) of its
/// values wide — within the promised 1%.
const SUB_BITS: u32 = 7;
/// Smallest power of two kept apart from zero: 2^-24 h ≈ 0.2 ms. Smaller values count as 0.
const MIN_EXP: i64 = -24;
/// Largest power of two: values of 2^31 h (about 245,000 years) and more saturate.
const MAX_EXP: i64 = 30;
/// Bucket 0 holds zeros; then 128 sub-buckets per power of two.
const BUCKETS: usize = 1 + (((MAX_EXP - MIN_EXP + 1) as usize) << SUB_BITS);
/// Header of the byte encoding (format version 2: buckets are (lower, upper]; version 1's were
/// [lower, upper), so its counts would be read into the wrong buckets).
const MAGIC: &[u8; 8] = b"CSHIST02";

/// Quantiles of a stream of durations in hours, in memory that does not grow with the number of
/// values recorded (about 55 KiB whatever the count).
///
/// A reported quantile is within 1% of the true sample quantile (it is the top of its bucket,
/// capped at the exact maximum, so it never understates); values below 2^-24 h (0.2 ms) count as
/// zero. Negative and NaN values are recorded as 0 (a duration cannot be negative, and a NaN must
/// not poison the result); values above 2^31 h, including infinity, saturate at the top bucket.
#[derive(Clone, Debug)]
pub struct Histogram {
    counts: Box<[u64]>,
    total: u64,
    max: f64,
}

/// Stored as its [`Histogram::to_bytes`] encoding (sparse, exact): what shards keep to merge.
impl serde::Serialize for Histogram {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.to_bytes())
    }
}

impl<'de> serde::Deserialize<'de> for Histogram {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bytes: Vec<u8> = serde::Deserialize::deserialize(deserializer)?;
        Histogram::from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}

#[inline]
fn bucket_of(x: f64) -> usize {
    // One ulp down, so a value on a bucket edge falls into the bucket it closes: buckets are
    // (lower, upper], and "at most 24 h" is a sum of whole buckets. (For a positive x, `bits − 1`
    // is the next float below it; zero becomes −1 and still lands in bucket 0.)
    let raw = x.to_bits() as i64;
    let bits = raw.wrapping_sub(1);
    // For a positive x the bits above the top SUB_BITS of the mantissa are the biased exponent,
    // so they count buckets directly: bucket 1 starts at 2^MIN_EXP.
    let i = (bits >> (52 - SUB_BITS)) - ((1023 + MIN_EXP) << SUB_BITS) + 1;
    // Zero, negative (sign bit set: `raw` < 0) and below 2^MIN_EXP: bucket 0.
    if raw <= 0 || i < 1 {
        return 0;
    }
    if i >= BUCKETS as i64 - 1 {
        // 2^(MAX_EXP + 1) and more, infinity and NaN.
        return if x.is_nan() { 0 } else { BUCKETS - 1 };
    }
    i as usize
}

/// The lower edge of bucket `i` [h] (bucket 0, the zeros, is the point 0).
fn bottom_of(i: usize) -> f64 {
    match i {
        0 => 0.0,
        1 => 2f64.powi(MIN_EXP as i32),
        _ => top_of(i - 1),
    }
}

/// The upper edge of bucket `i` [h].
fn top_of(i: usize) -> f64 {
    if i == 0 {
        return 0.0;
    }
    let k = i - 1;
    let exp = (k >> SUB_BITS) as i64 + MIN_EXP;
    let sub = (k & ((1 << SUB_BITS) - 1)) as f64;
    2f64.powi(exp as i32) * (1.0 + (sub + 1.0) / (1u32 << SUB_BITS) as f64)
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self {
            counts: vec![0; BUCKETS].into_boxed_slice(),
            total: 0,
            max: 0.0,
        }
    }

    /// Records one value in hours (clamped as described on [`Histogram`]).
    #[inline]
    pub fn record(&mut self, x: f64) {
        let i = bucket_of(x);
        if i == BUCKETS - 1 {
            self.record_n(x, 1);
            return;
        }
        self.counts[i] += 1;
        self.total += 1;
        if x > self.max {
            self.max = x;
        }
    }

    /// Records `n` occurrences of the value `x` in hours, as `n` calls to [`Histogram::record`]
    /// would.
    #[inline]
    pub fn record_n(&mut self, x: f64, n: u64) {
        let i = bucket_of(x);
        self.counts[i] = self.counts[i].saturating_add(n);
        self.total = self.total.saturating_add(n);
        let v = if i == 0 {
            0.0
        } else if i == BUCKETS - 1 {
            x.min(top_of(i))
        } else {
            x
        };
        if v > self.max {
            self.max = v;
        }
    }

    /// Number of values recorded.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether no value has been recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The `q`-quantile in hours (`q` in [0, 1], clamped): the smallest recorded value such that
    /// at least a fraction `q` of the values are at or below it, reported as the top of its
    /// bucket (capped at the maximum) so it never understates the sample quantile. 0.0 when
    /// empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        // NaN would otherwise ask for rank 0, silently the minimum.
        let q = if q.is_nan() { 1.0 } else { q.clamp(0.0, 1.0) };
        let rank = ((q * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return top_of(i).min(self.max);
            }
        }
        self.max
    }

    /// The `q`-quantile in hours interpolated within its bucket: the rank's position among the
    /// bucket's values is mapped linearly onto the bucket's width (capped at the maximum).
    /// Within the same 1% as [`Histogram::quantile`], but not stuck on a bucket edge, so two
    /// replications with different values give different quantiles and an interval across
    /// replications has a width. 0.0 when empty.
    pub fn quantile_interpolated(&self, q: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let q = if q.is_nan() { 1.0 } else { q.clamp(0.0, 1.0) };
        let rank = (q * self.total as f64).max(0.0);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            if c > 0 && (seen + c) as f64 >= rank {
                if i == 0 {
                    return 0.0;
                }
                let lower = bottom_of(i);
                let top = top_of(i).min(self.max);
                let within = ((rank - seen as f64) / c as f64).clamp(0.0, 1.0);
                return (lower + within * (top - lower)).min(self.max);
            }
            seen += c;
        }
        self.max
    }

    /// Largest value recorded in hours, 0.0 when empty.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// Fraction of the recorded values at or below `x` hours. Exact when `x` is a bucket edge
    /// (see [`Histogram::is_edge`]: every whole hour below 256, and 1, 24, 48 h); otherwise the
    /// bucket holding `x` is split in proportion to where `x` lies in it (linear interpolation,
    /// an error of at most that bucket's share). Answers "share released within 24 h". 0.0 when
    /// empty; a negative `x` asks about zero.
    pub fn share_at_most(&self, x: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let i = bucket_of(x);
        let mut below: u64 = self.counts[..i].iter().sum();
        let mut part = 0.0;
        if i == 0 || x >= top_of(i) || x >= self.max {
            below += self.counts[i];
        } else {
            let lower = bottom_of(i);
            part = self.counts[i] as f64 * ((x - lower) / (top_of(i) - lower)).clamp(0.0, 1.0);
        }
        (below as f64 + part) / self.total as f64
    }

    /// Whether `x` hours is the upper edge of a bucket, so that [`Histogram::share_at_most`]
    /// counts it exactly: `x` is 0 or has at most 8 significant bits (a whole number of hours
    /// below 256, a multiple of 1/4 h below 64, …) within the bucketed range.
    pub fn is_edge(x: f64) -> bool {
        x == 0.0 || (x > 0.0 && x.is_finite() && top_of(bucket_of(x)) == x)
    }

    /// Adds every value recorded in `other` to `self`, as if they had been recorded here.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
        self.total = self.total.saturating_add(other.total);
        self.max = self.max.max(other.max);
    }

    /// Forgets every recorded value, keeping the allocated buckets.
    pub fn reset(&mut self) {
        self.counts.fill(0);
        self.total = 0;
        self.max = 0.0;
    }

    /// Encodes the histogram (non-empty buckets only), so shards recorded in separate processes
    /// can be stored and merged later with [`Histogram::from_bytes`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&self.max.to_le_bytes());
        for (i, &c) in self.counts.iter().enumerate() {
            if c > 0 {
                bytes.extend_from_slice(&(i as u32).to_le_bytes());
                bytes.extend_from_slice(&c.to_le_bytes());
            }
        }
        bytes
    }

    /// Decodes bytes written by [`Histogram::to_bytes`].
    ///
    /// # Errors
    ///
    /// Fails if the bytes are not a histogram written by this format version.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let fail = |why: &str| format!("not a serialised clearsim histogram: {why}");
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| fail("wrong header or format version"))?;
        if rest.len() < 8 || (rest.len() - 8) % 12 != 0 {
            return Err(fail("truncated"));
        }
        let mut h = Histogram::new();
        let max = f64::from_le_bytes(rest[..8].try_into().map_err(|_| fail("truncated"))?);
        if max.is_nan() || max < 0.0 {
            return Err(fail("bad maximum"));
        }
        for chunk in rest[8..].chunks_exact(12) {
            let i =
                u32::from_le_bytes(chunk[..4].try_into().map_err(|_| fail("truncated"))?) as usize;
            let c = u64::from_le_bytes(chunk[4..].try_into().map_err(|_| fail("truncated"))?);
            if i >= BUCKETS {
                return Err(fail("bucket out of range"));
            }
            h.counts[i] = h.counts[i].saturating_add(c);
            h.total = h.total.saturating_add(c);
        }
        h.max = max;
        Ok(h)
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
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
        let buckets = h.counts.len();
        // About 55 KiB of u64 counters, as the type's documentation promises.
        assert!(buckets * 8 <= 56 * 1024, "{buckets} buckets");
        for i in 0..100_000 {
            h.record(f64::from(i) * 1e3);
        }
        h.record(f64::MAX);
        h.record_n(1e-9, u64::MAX);
        assert_eq!(h.counts.len(), buckets);
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
        let ceiling = 2f64.powi(MAX_EXP as i32 + 1);
        assert!(
            h.max() <= ceiling && h.max() >= ceiling * 0.99,
            "{}",
            h.max()
        );
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
    fn thresholds_are_counted_exactly_not_with_the_bucket_above_them() {
        // 24.1 h lies in the bucket that 24 h used to open ([24, 24.1875)): it was counted as
        // "released within 24 h". Buckets are now (lower, upper], 24 h closing one.
        let mut h = Histogram::new();
        for x in [0.5, 1.0, 1.005, 23.9, 24.0, 24.1, 48.0, 48.3] {
            h.record(x);
        }
        assert_eq!(h.share_at_most(1.0), 2.0 / 8.0);
        assert_eq!(h.share_at_most(24.0), 5.0 / 8.0);
        assert_eq!(h.share_at_most(48.0), 7.0 / 8.0);
        for t in [1.0, 24.0, 48.0, 3.0, 255.0, 0.25, 63.75] {
            assert!(Histogram::is_edge(t), "{t}");
        }
        assert!(!Histogram::is_edge(0.1) && !Histogram::is_edge(24.05));
        // A value on an edge still never has its quantile understated.
        assert_eq!(h.quantile(5.0 / 8.0), 24.0);
        // Zero and negative zero stay zeros.
        let mut z = Histogram::new();
        z.record(0.0);
        z.record(-0.0);
        assert_eq!(z.share_at_most(0.0), 1.0);
        assert_eq!(z.quantile(1.0), 0.0);
    }

    #[test]
    fn a_share_at_a_point_inside_a_bucket_is_interpolated() {
        let mut h = Histogram::new();
        // 100.0 lies inside bucket (99.5, 100]; 100.2 in (100, 100.5].
        for x in [50.0, 99.9, 100.2, 300.0] {
            h.record(x);
        }
        assert!(Histogram::is_edge(100.0) && !Histogram::is_edge(100.25));
        assert_eq!(h.share_at_most(100.0), 0.5);
        let s = h.share_at_most(100.25);
        assert!(s > 0.5 && s < 0.75, "{s}");
        assert_eq!(h.share_at_most(300.0), 1.0);
    }

    #[test]
    fn interpolated_quantiles_differ_where_bucket_tops_coincide() {
        // Two replications whose medians fall in the same bucket: the bucket's top is the same
        // for both (a zero-width interval across them); interpolated, they differ.
        let (mut a, mut b) = (Histogram::new(), Histogram::new());
        for i in 0..1_000 {
            a.record(10.001 + f64::from(i) * 1e-5);
            a.record(20.0 + f64::from(i) * 1e-3);
        }
        for i in 0..800 {
            b.record(10.001 + f64::from(i) * 2e-5);
        }
        for i in 0..1_200 {
            b.record(20.0 + f64::from(i) * 1e-3);
        }
        assert_eq!(a.quantile(0.25), b.quantile(0.25));
        let (qa, qb) = (a.quantile_interpolated(0.25), b.quantile_interpolated(0.25));
        assert!(qa != qb, "{qa} {qb}");
        for q in QUANTILES {
            let (top, mid) = (a.quantile(q), a.quantile_interpolated(q));
            assert!(mid <= top && mid >= top / 1.01, "q {q}: {mid} vs {top}");
        }
        assert_eq!(Histogram::new().quantile_interpolated(0.5), 0.0);
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
        let mut bytes = Histogram::new().to_bytes();
        bytes[7] = b'9';
        let err = Histogram::from_bytes(&bytes).unwrap_err();
        assert!(err.contains("format version"), "{err}");
        let mut h = Histogram::new();
        h.record(3.0);
        let bytes = h.to_bytes();
        assert!(Histogram::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    }
}
