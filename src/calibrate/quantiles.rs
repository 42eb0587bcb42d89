//! Quantiles of a sorted sample and their distribution-free 95% intervals (order statistics).

/// The quantiles every comparison reports.
pub const PROBS: [f64; 7] = [0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];

/// The `p` quantile of `sorted` (ascending, not empty), interpolated between order statistics
/// (Hyndman–Fan type 7, the default of R and numpy).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// 95% interval of the population's `p` quantile from `sorted`: the order statistics whose ranks
/// are n p ∓ 1.96 √(n p (1 − p)) (the normal approximation of the binomial count below the
/// quantile), so it needs no assumption on the distribution. `None` when n is too small for the
/// ranks to fall inside the sample.
pub fn quantile_ci(sorted: &[f64], p: f64) -> Option<[f64; 2]> {
    let n = sorted.len() as f64;
    let half = 1.959_963_984_540_054 * (n * p * (1.0 - p)).sqrt();
    let lo = (n * p - half).floor();
    let hi = (n * p + half).ceil();
    if lo < 1.0 || hi > n {
        return None;
    }
    Some([sorted[lo as usize - 1], sorted[hi as usize - 1]])
}

/// `values` sorted ascending (NaN last).
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_interval_brackets_the_median() {
        let v: Vec<f64> = (0..1000).map(f64::from).collect();
        let [lo, hi] = quantile_ci(&v, 0.5).unwrap();
        assert!(lo < 499.5 && 499.5 < hi && hi - lo < 80.0);
        assert!(quantile_ci(&v[..5], 0.99).is_none());
        assert_eq!(quantile(&v, 0.5), 499.5);
    }
}
