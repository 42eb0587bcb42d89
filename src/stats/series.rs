//! A run's output series in fixed memory, for choosing a warm-up after the fact.

use serde::{Deserialize, Serialize};

/// Most batches kept; when full, neighbours are merged and batches become twice as long.
const MAX_BATCHES: usize = 4096;

/// Means of consecutive batches of observations, in the order they were recorded, with the time
/// each batch ended. Batches start with one observation each and double in length whenever
/// [`MAX_BATCHES`] are full, so memory stays fixed however long the run (what MSER-5 needs: a
/// series of batch means and where in time they lie).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchSeries {
    /// Observations per complete batch.
    size: u64,
    /// (sum of the batch's values, time the batch ended) of complete batches.
    batches: Vec<(f64, f64)>,
    /// The batch being filled: its sum and count.
    open_sum: f64,
    open_count: u64,
}

impl BatchSeries {
    /// An empty series.
    pub fn new() -> Self {
        BatchSeries {
            size: 1,
            batches: Vec::new(),
            open_sum: 0.0,
            open_count: 0,
        }
    }

    /// Records `value`, observed at time `t` [h].
    #[inline]
    pub fn record(&mut self, value: f64, t: f64) {
        self.open_sum += value;
        self.open_count += 1;
        if self.open_count == self.size {
            self.close(t);
        }
    }

    #[cold]
    fn close(&mut self, t: f64) {
        if self.size == 0 {
            self.size = 1;
        }
        self.batches.push((self.open_sum, t));
        self.open_sum = 0.0;
        self.open_count = 0;
        if self.batches.len() == MAX_BATCHES {
            let merged = self
                .batches
                .chunks_exact(2)
                .map(|p| (p[0].0 + p[1].0, p[1].1))
                .collect();
            self.batches = merged;
            self.size *= 2;
        }
    }

    /// Observations per complete batch.
    pub fn batch_size(&self) -> u64 {
        self.size.max(1)
    }

    /// Complete batches as (mean, time the batch ended [h]).
    pub fn batches(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let n = self.batch_size() as f64;
        self.batches.iter().map(move |&(sum, t)| (sum / n, t))
    }

    /// Complete batches.
    pub fn len(&self) -> usize {
        self.batches.len()
    }

    /// True with no complete batch.
    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_double_in_fixed_memory_and_keep_means() {
        let mut s = BatchSeries::new();
        for i in 0..100_000u64 {
            s.record(i as f64, i as f64 * 0.5);
        }
        assert!(
            s.len() < MAX_BATCHES && s.len() >= MAX_BATCHES / 4,
            "{}",
            s.len()
        );
        let k = s.batch_size();
        assert!(k.is_power_of_two() && k >= 16, "{k}");
        let (m0, t0) = s.batches().next().unwrap();
        // The first batch holds 0..k: mean (k−1)/2, ended at the k-th observation.
        assert_eq!(m0, (k - 1) as f64 / 2.0);
        assert_eq!(t0, (k - 1) as f64 * 0.5);
        let covered = s.len() as u64 * k;
        assert!(covered <= 100_000 && 100_000 - covered < k);
    }
}
