//! Confidence intervals across independent replications, and the warm-up cut that precedes them.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Two-sided 95% normal quantile, the limit of Student's t as the degrees of freedom grow.
const Z_975: f64 = 1.959_963_984_540_054;
/// From this many degrees of freedom on, the t quantile comes from its asymptotic expansion:
/// statrs's incomplete-beta inversion loses accuracy past about 3e4 (it returns 1.83 at 1e7),
/// while four terms of the expansion are already within 1e-12 here.
const EXPANSION_FROM_DF: f64 = 1000.0;
/// Mean and Student-t 95% confidence interval of per-replication values.
///
/// Built from one summary value per independent replication (say each replication's mean
/// clearance time), so the values are i.i.d. and the t interval is honest. With no values the
/// mean is NaN; with one value there is a mean but no interval (`half_width` and `sd` are NaN),
/// because a single replication says nothing about run-to-run spread.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Mean of the per-replication values, in their unit.
    pub mean: f64,
    /// Half the width of the 95% interval, in the values' unit; NaN when `n < 2`.
    pub half_width: f64,
    /// Number of replications.
    pub n: usize,
    /// Sample standard deviation across replications (divisor n − 1); NaN when `n < 2`.
    pub sd: f64,
}

impl Estimate {
    /// Mean, standard deviation and 95% half width `t(0.975, n−1) · sd / √n` of the values.
    pub fn from_values(values: &[f64]) -> Estimate {
        let n = values.len();
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                half_width: f64::NAN,
                n,
                sd: f64::NAN,
            };
        }
        // Two passes: the slice is at hand and this is more accurate than one.
        let mean = values.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Estimate {
                mean,
                half_width: f64::NAN,
                n,
                sd: f64::NAN,
            };
        }
        let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
        let sd = (ss / (n - 1) as f64).sqrt();
        let half_width = t_quantile_975(n - 1) * sd / (n as f64).sqrt();
        Estimate {
            mean,
            half_width,
            n,
            sd,
        }
    }

    /// The interval `[mean − half_width, mean + half_width]`; `None` when there is no interval
    /// (fewer than two replications, or a NaN among the values).
    pub fn ci95(&self) -> Option<[f64; 2]> {
        if self.n < 2 || self.half_width.is_nan() {
            return None;
        }
        Some([self.mean - self.half_width, self.mean + self.half_width])
    }

    /// Whether `x` lies in the 95% interval (ends included); false when there is no interval.
    pub fn contains(&self, x: f64) -> bool {
        self.ci95().is_some_and(|[lo, hi]| lo <= x && x <= hi)
    }

    /// Half width as a fraction of |mean|, the usual stopping rule for adding replications
    /// ("until within 5%"). 0 when the half width is 0, infinite when only the mean is 0, NaN
    /// when there is no interval.
    pub fn relative_half_width(&self) -> f64 {
        if self.half_width == 0.0 {
            0.0
        } else {
            self.half_width / self.mean.abs()
        }
    }
}

/// The values a figure can take, so that its interval never leaves them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bounds {
    /// Any real number (a difference between two scenarios): the plain Student-t interval.
    Real,
    /// At least 0 (a duration, a rate, a queue length, an amount): the Student-t interval with
    /// its lower end clipped at 0. The mean of non-negative values is at least 0, so the part
    /// below 0 held no possible value; the upper end is the t-interval's.
    NonNegative,
    /// A share in [0, 1] (released within 24 h, a utilisation): the Wilson score interval with
    /// the effective sample size `p̂(1 − p̂) / (s² / R)` read off the replications' spread and
    /// Student's t(R − 1) as its multiplier. Far from 0 and 1 it is the t-interval; near them it
    /// bends inside [0, 1] and always contains the mean. The effective size is at most the
    /// `observations` behind the share (parcels counted, summed over replications): a share is
    /// not known better than a binomial proportion of that many, and when every replication
    /// gives the same share (all 1.0, say) the spread says nothing and this count alone sets the
    /// width. 0 means no such count (no cap; identical replications then give the point).
    Share {
        /// Observations behind the share, summed over replications; 0 when not a count.
        observations: u64,
    },
}

/// The 95% interval of the mean of per-replication `values` that stays within `bounds` (see
/// [`Bounds`]); `None` with fewer than two values or a NaN among them.
pub fn interval95(values: &[f64], bounds: Bounds) -> Option<[f64; 2]> {
    let e = Estimate::from_values(values);
    let [lo, hi] = e.ci95()?;
    match bounds {
        Bounds::Real => Some([lo, hi]),
        Bounds::NonNegative => Some([lo.max(0.0), hi.max(0.0)]),
        Bounds::Share { observations } => {
            let p = e.mean.clamp(0.0, 1.0);
            let var_of_mean = e.sd * e.sd / e.n as f64;
            let cap = if observations > 0 {
                observations as f64
            } else {
                f64::INFINITY
            };
            let n_eff = if var_of_mean > 0.0 {
                (p * (1.0 - p) / var_of_mean).min(cap)
            } else {
                cap
            };
            Some(wilson(p, n_eff, t_quantile_975(e.n - 1)))
        }
    }
}

/// Wilson score interval of a proportion `p` from `n` observations with multiplier `z`: the
/// proportions `π` with `(p − π)² ≤ z² π(1 − π) / n`. Lies in [0, 1] and contains `p`; the
/// point `[p, p]` when `n` is infinite.
pub fn wilson(p: f64, n: f64, z: f64) -> [f64; 2] {
    if !n.is_finite() || n <= 0.0 {
        return if n > 0.0 { [p, p] } else { [0.0, 1.0] };
    }
    let z2n = z * z / n;
    let centre = (p + z2n / 2.0) / (1.0 + z2n);
    let half = z / (1.0 + z2n) * (p * (1.0 - p) / n + z2n / (4.0 * n)).sqrt();
    [(centre - half).clamp(0.0, p), (centre + half).clamp(p, 1.0)]
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom, the multiplier of a two-sided
/// 95% interval (12.706 for df = 1, tending to 1.960). NaN for `df = 0`.
pub fn t_quantile_975(df: usize) -> f64 {
    t_975(df as f64)
}

/// As [`t_quantile_975`] for fractional degrees of freedom (Welch–Satterthwaite).
fn t_975(df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df >= EXPANSION_FROM_DF {
        return t_975_expansion(df);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(0.975),
        Err(_) => f64::NAN,
    }
}

/// The `p` quantile of Student's t with `df` (possibly fractional) degrees of freedom, for a
/// level other than 95% (a Bonferroni interval's `1 − α/(2m)`). NaN for `df ≤ 0` or `p`
/// outside (0, 1).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 || !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    if p == 0.975 {
        return t_975(df);
    }
    if df >= EXPANSION_FROM_DF {
        return match statrs::distribution::Normal::new(0.0, 1.0) {
            Ok(n) => t_expansion(n.inverse_cdf(p), df),
            Err(_) => f64::NAN,
        };
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Two-sided p-value of a t statistic with `df` degrees of freedom: 1 when `t` is 0 (or NaN:
/// no evidence), 0 when it is infinite.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || t == 0.0 {
        return 1.0;
    }
    if t.is_infinite() {
        return 0.0;
    }
    if df.is_nan() || df <= 0.0 {
        return 1.0;
    }
    match StudentsT::new(0.0, 1.0, df.min(1e7)) {
        Ok(d) => (2.0 * d.cdf(-t.abs())).clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

/// Cornish–Fisher expansion of the t quantile in powers of 1/df about the normal quantile
/// (Abramowitz & Stegun 26.7.5), for large df.
fn t_975_expansion(df: f64) -> f64 {
    t_expansion(Z_975, df)
}

/// [`t_975_expansion`] about any normal quantile `z`.
fn t_expansion(z: f64, df: f64) -> f64 {
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    let g1 = (z3 + z) / 4.0;
    let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
    let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
    let g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92_160.0;
    z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
}

/// Paired comparison of two scenarios run with common random numbers.
///
/// Replication `i` of both scenarios used the same seed, so `b_i − a_i` cancels the noise the
/// two share, and the interval on the difference is usually much narrower than treating the
/// scenarios as independent would give. `independent_half_width` is that wider interval, kept
/// so a report can show what common random numbers bought.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct PairedDifference {
    /// Estimate of scenario A alone.
    pub a: Estimate,
    /// Estimate of scenario B alone.
    pub b: Estimate,
    /// Estimate of the per-replication differences `b_i − a_i`.
    pub diff: Estimate,
    /// Welch 95% half width of `mean(b) − mean(a)` as if A and B had independent seeds; NaN when
    /// fewer than two pairs.
    pub independent_half_width: f64,
}

/// Compares per-replication values of scenario A and B, paired by replication index.
///
/// The slices should have equal length; if not, only the first `min(a.len(), b.len())` pairs
/// are used (a replication missing from one side has no partner to cancel its noise).
pub fn paired(a: &[f64], b: &[f64]) -> PairedDifference {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let a = Estimate::from_values(a);
    let b = Estimate::from_values(b);
    PairedDifference {
        a,
        b,
        diff: Estimate::from_values(&diffs),
        independent_half_width: welch_half_width(&a, &b),
    }
}

impl PairedDifference {
    /// The half widths (paired, Welch) of the difference at two-sided level `1 − alpha`
    /// instead of 95%: what a Bonferroni interval over several comparisons needs.
    pub fn half_widths_at(&self, alpha: f64) -> (f64, f64) {
        let p = 1.0 - alpha / 2.0;
        let d = &self.diff;
        let paired = if d.n < 2 {
            f64::NAN
        } else {
            t_quantile(p, (d.n - 1) as f64) * d.sd / (d.n as f64).sqrt()
        };
        let welch = match welch_se_df(&self.a, &self.b) {
            Some((0.0, _)) => 0.0,
            Some((se, df)) => t_quantile(p, df) * se,
            None => f64::NAN,
        };
        (paired, welch)
    }

    /// Two-sided p-value of "no difference": the paired t-test when `paired_ok`, else Welch's.
    pub fn p_value(&self, paired_ok: bool) -> f64 {
        if paired_ok {
            let d = &self.diff;
            if d.n < 2 {
                return 1.0;
            }
            let se = d.sd / (d.n as f64).sqrt();
            let t = if se == 0.0 {
                if d.mean == 0.0 { 0.0 } else { f64::INFINITY }
            } else {
                d.mean / se
            };
            t_two_sided_p(t, (d.n - 1) as f64)
        } else {
            let delta = self.b.mean - self.a.mean;
            match welch_se_df(&self.a, &self.b) {
                Some((0.0, _)) => {
                    if delta == 0.0 {
                        1.0
                    } else {
                        0.0
                    }
                }
                Some((se, df)) => t_two_sided_p(delta / se, df),
                None => 1.0,
            }
        }
    }
}

/// The 95% interval of the ratio `mean(b) / mean(a)` of two non-negative figures, by the delta
/// method on the log of the ratio: `ln(b̄/ā) ± t · se`, with
/// `se² = s_b²/(n b̄²) + s_a²/(n ā²) − 2 s_ab/(n ā b̄)` when `paired` (replication `i` of A and B
/// share their seed, `s_ab` the covariance; t with n − 1 degrees of freedom) and without the
/// covariance term, t with Welch–Satterthwaite's degrees of freedom, otherwise.
///
/// Taken back by `exp`, the interval is of a ratio and so stays above 0: a relative change
/// `ratio − 1` never falls below −100%, as a difference's interval divided by `ā` can. The
/// point `[0, 0]` when every value of B is 0 (the ratio is exactly 0); `None` with fewer than two
/// values on a side, a mean of A that is not positive, a mean of B below 0, or a NaN.
pub fn ratio_interval95(a: &[f64], b: &[f64], paired: bool) -> Option<[f64; 2]> {
    let (a, b) = if paired {
        let n = a.len().min(b.len());
        (&a[..n], &b[..n])
    } else {
        (a, b)
    };
    let (ea, eb) = (Estimate::from_values(a), Estimate::from_values(b));
    if ea.n < 2 || eb.n < 2 || !(ea.mean > 0.0 && eb.mean >= 0.0) {
        return None;
    }
    if !(ea.sd.is_finite() && eb.sd.is_finite()) {
        return None;
    }
    if eb.mean == 0.0 {
        return (eb.sd == 0.0).then_some([0.0, 0.0]);
    }
    // Variances of the log of each mean (relative variances).
    let va = ea.sd * ea.sd / (ea.n as f64 * ea.mean * ea.mean);
    let vb = eb.sd * eb.sd / (eb.n as f64 * eb.mean * eb.mean);
    let (var, df) = if paired {
        let n = ea.n as f64;
        let cov = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - ea.mean) * (y - eb.mean))
            .sum::<f64>()
            / (n - 1.0);
        let vab = cov / (n * ea.mean * eb.mean);
        ((va + vb - 2.0 * vab).max(0.0), n - 1.0)
    } else {
        let df =
            (va + vb) * (va + vb) / (va * va / (ea.n - 1) as f64 + vb * vb / (eb.n - 1) as f64);
        (va + vb, df)
    };
    let ratio = eb.mean / ea.mean;
    if var == 0.0 {
        return Some([ratio, ratio]);
    }
    let half = t_975(df) * var.sqrt();
    half.is_finite()
        .then(|| [ratio * (-half).exp(), ratio * half.exp()])
}

/// Standard error and Welch–Satterthwaite degrees of freedom of `mean(b) − mean(a)` for
/// independent samples; `None` with fewer than two values on a side.
fn welch_se_df(a: &Estimate, b: &Estimate) -> Option<(f64, f64)> {
    if a.n < 2 || b.n < 2 {
        return None;
    }
    let va = a.sd * a.sd / a.n as f64;
    let vb = b.sd * b.sd / b.n as f64;
    let se2 = va + vb;
    if se2 == 0.0 {
        return Some((0.0, f64::INFINITY));
    }
    let df = se2 * se2 / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    Some((se2.sqrt(), df))
}

/// Welch 95% half width for the difference of two independent means.
fn welch_half_width(a: &Estimate, b: &Estimate) -> f64 {
    if a.n < 2 || b.n < 2 {
        return f64::NAN;
    }
    let va = a.sd * a.sd / a.n as f64;
    let vb = b.sd * b.sd / b.n as f64;
    let se2 = va + vb;
    if se2 == 0.0 {
        return 0.0;
    }
    // Welch–Satterthwaite degrees of freedom.
    let df = se2 * se2 / (va * va / (a.n - 1) as f64 + vb * vb / (b.n - 1) as f64);
    t_975(df) * se2.sqrt()
}

/// MSER-5 warm-up truncation: how many leading observations of an output series to delete
/// before averaging, so an initial transient (an empty system filling up) does not bias the
/// mean.
///
/// The series is cut into batches of 5 and averaged (a trailing partial batch is ignored). For
/// each candidate cut `d` of at most half the batches, the statistic
/// `Σ_{j≥d} (Z_j − Z̄_d)² / (k − d)²` trades the variance of what is kept against how much is
/// kept; the smallest minimiser wins, and `5·d` observations are returned. Cuts that would keep
/// fewer than two batches are not considered, so series shorter than 15 observations give 0.
pub fn mser5(series: &[f64]) -> usize {
    const BATCH: usize = 5;
    let batches = series.len() / BATCH;
    let max_cut = batches / 2;
    let batch_mean =
        |j: usize| series[j * BATCH..(j + 1) * BATCH].iter().sum::<f64>() / BATCH as f64;

    // Welford over the suffix, extended one batch at a time from the end, so every candidate
    // cut costs O(1) and nothing is allocated.
    let (mut kept, mut mean, mut m2) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut best = (0, f64::INFINITY);
    for d in (0..batches).rev() {
        let z = batch_mean(d);
        kept += 1.0;
        let delta = z - mean;
        mean += delta / kept;
        m2 += delta * (z - mean);
        if d <= max_cut && kept >= 2.0 {
            let stat = m2 / (kept * kept);
            // `<=` while d decreases keeps the smallest minimiser.
            if stat <= best.1 {
                best = (d, stat);
            }
        }
    }
    best.0 * BATCH
}

/// MSER-5 on several replications' series at once (pooled): the cut `d` (in batches of 5
/// points, the same for every replication) minimises
/// `Σ_r Σ_{j≥d} (Z_rj − Z̄_d)² / (R·(k − d))²`, where `Z_rj` are the replications' batch means
/// and `Z̄_d` the mean of all batches kept. This is the squared standard error of the pooled
/// mean of what is kept, plus the squared bias a transient leaves: with one series it is
/// [`mser5`]. Pooling keeps each replication's own noise in the statistic, so one replication's
/// late excursion (or a weekly swing that the cross-replication average smooths into a trend)
/// does not pull the cut, which is what made the cut jump between horizons. Series are read up
/// to the shortest one's length; cuts keep at least half of it. Returns points cut per series.
pub fn mser5_pooled(series: &[Vec<f64>]) -> usize {
    mser_pooled(series, 5)
}

/// [`mser_daily_pooled`] with batches of `batch` observations (MSER-1 when 1: each observation is
/// already a batch mean, such as a day's mean).
pub fn mser_pooled(series: &[Vec<f64>], batch: usize) -> usize {
    let size = batch.max(1);
    let len = series.iter().map(Vec::len).min().unwrap_or(0);
    let batches = len / size;
    if series.is_empty() || batches < 2 {
        return 0;
    }
    let max_cut = batches / 2;
    let reps = series.len() as f64;
    let batch_mean =
        |s: &[f64], j: usize| s[j * size..(j + 1) * size].iter().sum::<f64>() / size as f64;
    let (mut kept, mut mean, mut m2) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut best = (0, f64::INFINITY);
    for d in (0..batches).rev() {
        for s in series {
            let z = batch_mean(s, d);
            kept += 1.0;
            let delta = z - mean;
            mean += delta / kept;
            m2 += delta * (z - mean);
        }
        if d <= max_cut && kept >= 2.0 * reps {
            let stat = m2 / (kept * kept);
            if stat <= best.1 {
                best = (d, stat);
            }
        }
    }
    best.0 * size
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    use rand_pcg::Pcg64Mcg;

    #[test]
    fn t_quantiles_match_printed_tables() {
        for (df, table) in [(1, 12.706), (2, 4.303), (10, 2.228), (30, 2.042)] {
            let t = t_quantile_975(df);
            assert!((t - table).abs() < 5e-4, "df {df}: {t} vs {table}");
        }
        assert!(t_quantile_975(0).is_nan());
    }

    #[test]
    fn t_quantile_falls_smoothly_to_the_normal_quantile() {
        // Across the switch from statrs to the expansion the two agree closely, and the
        // quantile keeps decreasing towards 1.959964 however large df gets.
        let below = t_975(EXPANSION_FROM_DF - 1e-9);
        assert!((below - t_975_expansion(EXPANSION_FROM_DF)).abs() < 1e-10);
        let mut previous = f64::INFINITY;
        for df in [1, 5, 50, 999, 1000, 1001, 10_000, 10_000_000, usize::MAX] {
            let t = t_quantile_975(df);
            assert!(t <= previous && t >= Z_975, "df {df}: {t}");
            previous = t;
        }
        assert!(t_quantile_975(1000) < t_quantile_975(999));
        assert!(t_quantile_975(10_000_000) > Z_975);
        assert!((t_quantile_975(usize::MAX) - Z_975).abs() < 1e-12);
    }

    #[test]
    fn interval_covers_the_true_mean_95_percent_of_the_time() {
        // 2,000 intervals: the coverage count is Binomial(2000, 0.95), sd 9.75, so
        // [1870, 1930] (93.5%..96.5%) is the mean ± 3 sd.
        let mut rng = Pcg64Mcg::seed_from_u64(20_240_601);
        let normal = Normal::new(3.0, 2.0).unwrap();
        let mut covered = 0;
        for _ in 0..2_000 {
            let draws: Vec<f64> = (0..10).map(|_| normal.sample(&mut rng)).collect();
            if Estimate::from_values(&draws).contains(3.0) {
                covered += 1;
            }
        }
        assert!(
            (1870..=1930).contains(&covered),
            "covered {covered} of 2000"
        );
    }

    #[test]
    fn hand_computed_estimate() {
        // mean 5, sd sqrt(10/4), half width 2.776445 * sd / sqrt(5).
        let e = Estimate::from_values(&[3.0, 4.0, 5.0, 6.0, 7.0]);
        assert_eq!(e.n, 5);
        assert_eq!(e.mean, 5.0);
        assert!((e.sd - 2.5_f64.sqrt()).abs() < 1e-12);
        let hw = 2.776_445_105 * 2.5_f64.sqrt() / 5.0_f64.sqrt();
        assert!((e.half_width - hw).abs() < 1e-6);
        let [lo, hi] = e.ci95().unwrap();
        assert!((lo - (5.0 - hw)).abs() < 1e-6 && (hi - (5.0 + hw)).abs() < 1e-6);
        assert!(e.contains(5.0) && !e.contains(10.0));
        assert!((e.relative_half_width() - hw / 5.0).abs() < 1e-6);
    }

    #[test]
    fn no_interval_from_zero_or_one_replication() {
        let none = Estimate::from_values(&[]);
        assert_eq!(none.n, 0);
        assert!(none.mean.is_nan() && none.half_width.is_nan() && none.sd.is_nan());
        assert_eq!(none.ci95(), None);
        assert!(!none.contains(0.0));

        let one = Estimate::from_values(&[4.2]);
        assert_eq!((one.n, one.mean), (1, 4.2));
        assert!(one.half_width.is_nan() && one.sd.is_nan());
        assert_eq!(one.ci95(), None);
        assert!(!one.contains(4.2));
        assert!(one.relative_half_width().is_nan());
    }

    #[test]
    fn paired_difference_of_identical_vectors_is_exactly_zero() {
        let a = [1.5, 2.0, 7.25, 3.0, 0.5];
        let p = paired(&a, &a);
        assert_eq!(p.diff.mean, 0.0);
        assert_eq!(p.diff.half_width, 0.0);
        assert_eq!(p.diff.sd, 0.0);
        assert_eq!(p.diff.ci95(), Some([0.0, 0.0]));
        assert_eq!(p.diff.relative_half_width(), 0.0);
        assert_eq!(p.a, p.b);
        assert!(p.independent_half_width > 0.0);
    }

    #[test]
    fn common_random_numbers_narrow_the_interval() {
        // B is A shifted by 1 plus small noise: the shared noise cancels in the pairing.
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let shared = Normal::new(10.0, 3.0).unwrap();
        let own = Normal::new(0.0, 0.1).unwrap();
        let a: Vec<f64> = (0..20).map(|_| shared.sample(&mut rng)).collect();
        let b: Vec<f64> = a.iter().map(|x| x + 1.0 + own.sample(&mut rng)).collect();
        let p = paired(&a, &b);
        assert!(p.diff.contains(1.0));
        assert!(p.diff.half_width * 10.0 < p.independent_half_width);
        assert!((p.diff.mean - (p.b.mean - p.a.mean)).abs() < 1e-9);
    }

    #[test]
    fn welch_half_width_matches_hand_computation() {
        // Equal n and sd: df = 2(n-1) = 8, se = sqrt(2 sd^2 / n).
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [11.0, 12.0, 13.0, 14.0, 15.0];
        let p = paired(&a, &b);
        let se = (2.0 * 2.5 / 5.0_f64).sqrt();
        assert!((p.independent_half_width - t_quantile_975(8) * se).abs() < 1e-9);
    }

    #[test]
    fn paired_uses_the_shorter_prefix() {
        let p = paired(&[1.0, 2.0, 3.0], &[2.0, 4.0]);
        assert_eq!((p.a.n, p.b.n, p.diff.n), (2, 2, 2));
        assert_eq!(p.diff.mean, 1.5);
        let empty = paired(&[], &[1.0]);
        assert_eq!(empty.diff.n, 0);
        assert!(empty.independent_half_width.is_nan());
    }

    #[test]
    fn mser5_cuts_an_obvious_initial_transient() {
        // Steady state N(10, 1) with a decaying start-up bias of 40·e^(−i/20): the bias is
        // below 0.3 sd after 100 observations and below 0.01 sd after 170.
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let noise = Normal::new(0.0, 1.0).unwrap();
        let series: Vec<f64> = (0..2_000)
            .map(|i| 10.0 + 40.0 * (-(i as f64) / 20.0).exp() + noise.sample(&mut rng))
            .collect();
        let cut = mser5(&series);
        assert_eq!(cut % 5, 0);
        assert!((60..=250).contains(&cut), "cut {cut}");
        let kept = Estimate::from_values(&series[cut..]);
        assert!(kept.contains(10.0), "{kept:?}");
    }

    #[test]
    fn mser5_keeps_a_series_without_transient_or_too_short_to_judge() {
        assert_eq!(mser5(&[]), 0);
        assert_eq!(mser5(&[1.0; 14]), 0);
        // Constant data: every cut scores 0, and the smallest is taken.
        assert_eq!(mser5(&[3.0; 100]), 0);
        // A single high start-up batch is cut, nothing more.
        let mut s = vec![50.0; 5];
        s.extend((0..95).map(|i| f64::from(i % 2)));
        assert_eq!(mser5(&s), 5);
    }

    #[test]
    fn pooled_mser5_of_one_series_is_mser5() {
        let mut rng = Pcg64Mcg::seed_from_u64(9);
        let noise = Normal::new(0.0, 1.0).unwrap();
        let series: Vec<f64> = (0..1_000)
            .map(|i| 5.0 + 20.0 * (-(i as f64) / 30.0).exp() + noise.sample(&mut rng))
            .collect();
        assert_eq!(mser5_pooled(std::slice::from_ref(&series)), mser5(&series));
        assert_eq!(mser5_pooled(&[]), 0);
        assert_eq!(mser5_pooled(&[vec![1.0; 9]]), 0);
    }

    #[test]
    fn pooled_mser5_cuts_a_shared_transient_alike_at_two_lengths() {
        // Ten replications with the same start-up transient (below 0.3 sd after 120
        // observations): the cut must not depend on how long the series runs.
        let mut rng = Pcg64Mcg::seed_from_u64(10);
        let noise = Normal::new(0.0, 1.0).unwrap();
        let series: Vec<Vec<f64>> = (0..10)
            .map(|_| {
                (0..3_000)
                    .map(|i| 10.0 + 30.0 * (-(i as f64) / 25.0).exp() + noise.sample(&mut rng))
                    .collect()
            })
            .collect();
        let short: Vec<Vec<f64>> = series.iter().map(|s| s[..1_000].to_vec()).collect();
        let (a, b) = (mser5_pooled(&short), mser5_pooled(&series));
        assert!(
            (50..=300).contains(&a) && (50..=300).contains(&b),
            "{a} {b}"
        );
        assert!(a.abs_diff(b) <= 50, "{a} vs {b}");
    }

    #[test]
    fn share_intervals_stay_within_zero_and_one() {
        // The t-interval of these shares reaches past 1 (the 0.9951 [0.9891, 1.0010]).
        let shares = [1.0, 1.0, 0.97, 1.0, 1.0, 0.98, 1.0, 1.0, 0.999, 1.0];
        let [_, t_hi] = Estimate::from_values(&shares).ci95().unwrap();
        assert!(t_hi > 1.0, "the example must reach past 1: {t_hi}");
        let mean = Estimate::from_values(&shares).mean;
        let [lo, hi] = interval95(
            &shares,
            Bounds::Share {
                observations: 100_000,
            },
        )
        .unwrap();
        assert!(
            0.0 <= lo && lo < mean && mean < hi && hi <= 1.0,
            "[{lo}, {hi}] {mean}"
        );
        // Far from the bounds it is the t-interval, up to the Wilson correction.
        let mid = [0.48, 0.52, 0.5, 0.47, 0.53, 0.51, 0.49, 0.5];
        let [tl, th] = Estimate::from_values(&mid).ci95().unwrap();
        let [wl, wh] = interval95(&mid, Bounds::Share { observations: 0 }).unwrap();
        assert!(
            (tl - wl).abs() < 1e-3 && (th - wh).abs() < 1e-3,
            "[{wl}, {wh}] vs [{tl}, {th}]"
        );
    }

    #[test]
    fn a_share_every_replication_puts_at_one_gets_a_binomial_width() {
        let ones = [1.0; 10];
        let [lo, hi] = interval95(
            &ones,
            Bounds::Share {
                observations: 1_000,
            },
        )
        .unwrap();
        assert_eq!(hi, 1.0);
        assert!(lo < 1.0 && lo > 0.99, "{lo}");
        let zeros = [0.0; 10];
        let [lo, hi] = interval95(
            &zeros,
            Bounds::Share {
                observations: 1_000,
            },
        )
        .unwrap();
        assert!(lo == 0.0 && hi > 0.0 && hi < 0.01, "{hi}");
    }

    #[test]
    fn non_negative_intervals_do_not_go_below_zero() {
        // Drain times from two replications: the t-interval reaches far below zero.
        let drains = [0.0, 4.0];
        let [t_lo, _] = Estimate::from_values(&drains).ci95().unwrap();
        assert!(t_lo < 0.0);
        let [lo, hi] = interval95(&drains, Bounds::NonNegative).unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi > 4.0);
        assert_eq!(interval95(&[1.0], Bounds::NonNegative), None);
        assert_eq!(
            interval95(&[3.0, 4.0, 5.0], Bounds::Real),
            Estimate::from_values(&[3.0, 4.0, 5.0]).ci95()
        );
    }
}
