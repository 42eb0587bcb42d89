//! Propagating the uncertain inputs: a Latin hypercube of N draws over their ranges, every draw
//! run with the scenario's replications, and the range the answer takes over plausible inputs.
//!
//! The draws are seeded from the run's seed (one named stream), and every draw runs on the same
//! seeds as the plain run, so a draw differs from it only by its inputs. The band reported is
//! the 5–95% range of the per-draw means: it says how far the answer moves over plausible
//! inputs, next to the 95% CI, which covers simulation noise only.

pub use crate::results::uncertainty::{Band, CompareUncertainty, Decision, Uncertainty};

use rand::RngExt;

use super::seam;
use super::{ExperimentError, Workers, in_parallel_range};
use crate::engine::StreamSeeder;
use crate::results::Metric;
use crate::scenario::uncertain::UncertainInput;
use crate::scenario::{Scenario, ScenarioError};

/// What a band of plausible inputs covers.
pub const COVERS: &str = "5–95% band: range over plausible inputs (Latin hypercube draws of every uncertain input within its range, each draw's mean over its replications); the 95% CI beside it covers simulation noise only, for the file's values.";

/// Builds the file's scenario with extra overrides (an input's end, a draw).
pub type Variant<'a> = &'a dyn Fn(&[String]) -> Result<Scenario, ScenarioError>;

/// Per headline figure of one run: its name, unit and value.
pub type Figures = Vec<(Metric, String, f64)>;

/// The `draws` × `k` quantiles of a Latin hypercube: for each input, one draw in each of the
/// `draws` equal strata of [0, 1], the strata shuffled independently per input.
pub fn latin_hypercube(k: usize, draws: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = StreamSeeder::new(seed, u64::MAX).stream("uncertainty:latin-hypercube");
    let mut u = vec![vec![0.0; k]; draws];
    for j in 0..k {
        let mut strata: Vec<usize> = (0..draws).collect();
        for i in (1..draws).rev() {
            let r = rng.random_range(0..=i);
            strata.swap(i, r);
        }
        for (row, &s) in u.iter_mut().zip(&strata) {
            let x: f64 = rng.random();
            row[j] = (s as f64 + x) / draws as f64;
        }
    }
    u
}

/// The interpolated `q`-quantile of sorted `values`.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos.fract());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] + f * (next - sorted[i])
}

/// The band of `values` (one per draw).
pub(crate) fn band(metric: &Metric, unit: &str, values: &[f64]) -> Band {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    Band {
        metric: metric.clone(),
        unit: unit.to_string(),
        p5: quantile(&v, 0.05),
        p50: quantile(&v, 0.5),
        p95: quantile(&v, 0.95),
    }
}

/// The overrides of draw `u` (one quantile per input of `inputs`).
pub fn settings(inputs: &[UncertainInput], u: &[f64]) -> Vec<String> {
    inputs
        .iter()
        .zip(u)
        .map(|(input, &q)| input.setting(input.quantile(q)))
        .collect()
}

/// The scenario of each draw: `variant(extra)` builds the file with extra overrides.
pub fn draw_scenarios(
    inputs: &[UncertainInput],
    u: &[Vec<f64>],
    variant: &dyn Fn(&[String]) -> Result<Scenario, ScenarioError>,
) -> Result<Vec<Scenario>, ScenarioError> {
    u.iter().map(|d| variant(&settings(inputs, d))).collect()
}

/// Per scenario, per headline figure (name, unit), the mean over its replications; all
/// scenarios' replications run in parallel.
pub fn draw_means(
    scenarios: &[&Scenario],
    workers: Workers<'_>,
) -> Result<Vec<Figures>, ExperimentError> {
    let Some(first) = scenarios.first() else {
        return Ok(Vec::new());
    };
    let n = first.run.replications as u64;
    let per_rep: Vec<Figures> = in_parallel_range(0, scenarios.len() as u64 * n, workers, |u| {
        let s = scenarios[(u / n) as usize];
        seam::simulate(s, u % n)
            .headlines(s)
            .into_iter()
            .map(|h| (h.metric.clone(), h.unit, h.values[0]))
            .collect()
    })?;
    Ok(per_rep
        .chunks(n as usize)
        .map(|reps| {
            (0..reps[0].len())
                .map(|m| {
                    let (metric, unit, _) = &reps[0][m];
                    let mean = reps.iter().map(|r| r[m].2).sum::<f64>() / reps.len() as f64;
                    (metric.clone(), unit.clone(), mean)
                })
                .collect()
        })
        .collect())
}

/// The uncertainty of one scenario over `draws` Latin hypercube draws of its uncertain inputs.
pub fn propagate(
    base: &Scenario,
    draws: usize,
    variant: &dyn Fn(&[String]) -> Result<Scenario, ScenarioError>,
    workers: Workers<'_>,
) -> Result<Uncertainty, UncertaintyError> {
    let u = latin_hypercube(base.uncertain.len(), draws, base.run.seed);
    let scenarios = draw_scenarios(&base.uncertain, &u, variant)?;
    let refs: Vec<&Scenario> = scenarios.iter().collect();
    let means = draw_means(&refs, workers)?;
    let bands = (0..means.first().map_or(0, Vec::len))
        .map(|m| {
            let (metric, unit, _) = &means[0][m];
            let v: Vec<f64> = means.iter().map(|d| d[m].2).collect();
            band(metric, unit, &v)
        })
        .collect();
    Ok(Uncertainty {
        method: "Latin hypercube".to_string(),
        draws,
        inputs: base.uncertain.iter().map(|i| i.key.clone()).collect(),
        samples: u
            .iter()
            .map(|d| {
                base.uncertain
                    .iter()
                    .zip(d)
                    .map(|(i, &q)| i.quantile(q))
                    .collect()
            })
            .collect(),
        bands,
        covers: COVERS.to_string(),
    })
}

/// The uncertainty of a comparison: draws over the inputs of A and B (joined by key), A and B
/// run at each draw on the same seeds; `plain` gives B − A of the plain comparison per figure.
pub fn propagate_comparison(
    a: &Scenario,
    b: &Scenario,
    draws: usize,
    variants: [Variant<'_>; 2],
    plain: &[(Metric, f64)],
    workers: Workers<'_>,
) -> Result<CompareUncertainty, UncertaintyError> {
    let mut keys: Vec<String> = a.uncertain.iter().map(|i| i.key.clone()).collect();
    for i in &b.uncertain {
        if !keys.contains(&i.key) {
            keys.push(i.key.clone());
        }
    }
    let u = latin_hypercube(keys.len(), draws, a.run.seed);
    let side = |s: &Scenario, variant: &dyn Fn(&[String]) -> Result<Scenario, ScenarioError>| {
        let cols: Vec<usize> = s
            .uncertain
            .iter()
            .map(|i| keys.iter().position(|k| *k == i.key).unwrap_or(0))
            .collect();
        let mine: Vec<Vec<f64>> = u
            .iter()
            .map(|d| cols.iter().map(|&c| d[c]).collect())
            .collect();
        draw_scenarios(&s.uncertain, &mine, variant)
    };
    let sa = side(a, variants[0])?;
    let sb = side(b, variants[1])?;
    let refs: Vec<&Scenario> = sa.iter().chain(&sb).collect();
    let means = draw_means(&refs, workers)?;
    let (ma, mb) = means.split_at(draws);
    let mut bands = Vec::new();
    let mut decisions = Vec::new();
    for (metric, difference) in plain {
        let difference = *difference;
        let Some(m) = ma
            .first()
            .and_then(|d| d.iter().position(|x| x.0 == *metric))
        else {
            continue;
        };
        let diffs: Vec<f64> = ma.iter().zip(mb).map(|(x, y)| y[m].2 - x[m].2).collect();
        bands.push(band(metric, &ma[0][m].1, &diffs));
        let sign = |x: f64| (x > 0.0) as i8 - (x < 0.0) as i8;
        let same_sign = diffs
            .iter()
            .filter(|&&d| sign(d) == sign(difference))
            .count();
        decisions.push(Decision {
            metric: metric.clone(),
            difference,
            same_sign,
            draws,
            share: same_sign as f64 / draws.max(1) as f64,
        });
    }
    Ok(CompareUncertainty {
        method: "Latin hypercube".to_string(),
        draws,
        inputs: keys,
        bands,
        decisions,
        covers: COVERS.to_string(),
    })
}

/// Why inputs could not be propagated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UncertaintyError {
    /// A draw's scenario is invalid.
    #[error(transparent)]
    Draw(#[from] ScenarioError),
    /// The runs failed.
    #[error(transparent)]
    Run(#[from] ExperimentError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stratum_is_drawn_once_per_input() {
        let u = latin_hypercube(3, 10, 7);
        assert_eq!(u.len(), 10);
        for j in 0..3 {
            let mut strata: Vec<usize> = u.iter().map(|d| (d[j] * 10.0) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        assert_eq!(u, latin_hypercube(3, 10, 7), "seeded");
        assert_ne!(u, latin_hypercube(3, 10, 8));
    }

    #[test]
    fn the_band_interpolates_between_draws() {
        let b = band(&Metric::from_name("m"), "h", &[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!((b.p5, b.p50, b.p95), (1.2, 3.0, 4.8));
    }
}
