//! Holm's step-down adjustment of p-values, for statements about many differences at once.

/// Holm-adjusted p-values, in the order given: the i-th smallest of m p-values is multiplied
/// by `m − i + 1`, kept from decreasing along that order and capped at 1. Declaring "real"
/// every difference whose adjusted p-value is below α keeps the chance of any false claim in
/// the whole family below α (Holm 1979), and is never less powerful than Bonferroni.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]).then(i.cmp(&j)));
    let mut adjusted = vec![1.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        let scaled = ((m - rank) as f64 * p[i]).min(1.0);
        running = running.max(scaled);
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::holm;

    #[test]
    fn holm_scales_the_smallest_most_and_never_decreases() {
        // Sorted 0.01, 0.03, 0.04: times 3, 2, 1 gives 0.03, 0.06, 0.04, kept rising: 0.06.
        let a = holm(&[0.04, 0.01, 0.03]);
        assert!((a[1] - 0.03).abs() < 1e-12);
        assert!((a[2] - 0.06).abs() < 1e-12, "{a:?}");
        assert!((a[0] - 0.06).abs() < 1e-12, "{a:?}");
        assert_eq!(holm(&[0.9, 0.8]), vec![1.0, 1.0]);
        assert_eq!(holm(&[0.3, 0.4]), vec![0.6, 0.6]);
        assert_eq!(holm(&[0.02]), vec![0.02]);
        assert!(holm(&[]).is_empty());
    }
}
