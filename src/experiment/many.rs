//! One base compared with several alternatives at once, on common random numbers.
//!
//! Each alternative's differences from the base are the two-way comparison's
//! ([`super::compare::comparison_of`]); with m alternatives their intervals are widened by
//! Bonferroni (each at level 1 − 0.05/m, so that all m hold together with 95% probability).
//! The options are ranked on the headline figure, and which of all their pairwise differences
//! are real is decided by paired t-tests with Holm's step-down adjustment (5% familywise).

pub use crate::results::many::{
    Adjustment, Alternative, MultiComparison, PairVerdict, RankedOption, Ranking,
};

use super::compare::{Adjusted, CompareError, Comparison, Side, comparison_of, same_kind, side};
use super::compare::{real_difference, run_together, shared_demand_ok};
use super::summary::{Level, ScenarioId, level_within};
use super::{PrecisionTarget, RunOutput, Workers};
use crate::results::Metric;
use crate::scenario::Scenario;
use crate::stats::{holm, paired};

/// Familywise error rate of the adjusted intervals and of the ranking's statements.
pub const FAMILYWISE_ALPHA: f64 = 0.05;

/// A multi-way comparison with each option's run.
#[derive(Clone, Debug)]
pub struct ManyRuns {
    /// The comparison.
    pub multi: MultiComparison,
    /// The base's run.
    pub base: RunOutput,
    /// Each alternative's run, in order.
    pub alternatives: Vec<RunOutput>,
}

/// Runs the base and every alternative with the same seed and replications and compares each
/// alternative with the base; `alternatives` pairs each scenario with its changes (empty for a
/// file of its own).
pub fn compare_many(
    base: &Scenario,
    alternatives: &[(Scenario, Vec<String>)],
    workers: Workers<'_>,
    target: Option<PrecisionTarget>,
) -> Result<ManyRuns, CompareError> {
    for (alt, _) in alternatives {
        same_kind(base, alt)?;
    }
    let all: Vec<&Scenario> = std::iter::once(base)
        .chain(alternatives.iter().map(|(s, _)| s))
        .collect();
    let (units, precision) = run_together(&all, workers, target)?;
    let replications = units[0].len() as u32;
    let sides: Vec<Side> = all.iter().zip(units).map(|(s, u)| side(s, u)).collect();
    let m = alternatives.len();
    let comparisons = alternatives
        .iter()
        .enumerate()
        .map(|(k, (alt, _))| {
            let mut c = comparison_of(base, &sides[0], alt, &sides[k + 1], replications, None);
            adjust(&mut c, &sides[0], &sides[k + 1], m);
            c
        })
        .collect();
    let ranking = rank(&all, &sides);
    let mut sides = sides.into_iter().map(|s| s.run);
    let base_run = sides.next().expect("the base ran");
    Ok(ManyRuns {
        multi: MultiComparison {
            clearsim_version: env!("CARGO_PKG_VERSION").to_string(),
            base: ScenarioId::of(base),
            alternatives: alternatives
                .iter()
                .map(|(s, changes)| Alternative {
                    scenario: ScenarioId::of(s),
                    changes: changes.clone(),
                })
                .collect(),
            seed: base.run.seed,
            replications,
            adjustment: Adjustment {
                method: "Bonferroni".to_string(),
                comparisons: m,
                familywise_level: 1.0 - FAMILYWISE_ALPHA,
                per_comparison_level: 1.0 - FAMILYWISE_ALPHA / m.max(1) as f64,
                covers: format!(
                    "Adjusted 95% CI: simulation noise only, widened (Bonferroni, each at {:.4}) so that all {m} intervals hold together; not uncertainty about the inputs.",
                    1.0 - FAMILYWISE_ALPHA / m.max(1) as f64
                ),
            },
            comparisons,
            ranking,
            precision,
            warmup: None,
        },
        base: base_run,
        alternatives: sides.collect(),
    })
}

/// Adds to every row of `c` its Bonferroni interval over `m` comparisons (the unadjusted one
/// when m = 1).
fn adjust(c: &mut Comparison, base: &Side, alt: &Side, m: usize) {
    let alpha = FAMILYWISE_ALPHA / m.max(1) as f64;
    for row in &mut c.rows {
        let (Some(x), Some(y)) = (
            base.headlines.iter().find(|h| h.metric == row.metric),
            alt.headlines.iter().find(|h| h.metric == row.metric),
        ) else {
            continue;
        };
        let ci95 = if m <= 1 {
            row.difference.ci95
        } else {
            let p = paired(&x.values, &y.values);
            let (hp, hw) = p.half_widths_at(alpha);
            let (mean, half) = if c.paired {
                (p.diff.mean, hp)
            } else {
                (p.b.mean - p.a.mean, hw)
            };
            half.is_finite().then_some([mean - half, mean + half])
        };
        row.adjusted = Some(Adjusted {
            ci95,
            significant: real_difference(row.difference.mean, ci95, &row.unit),
        });
    }
}

/// Ranks every option on the first headline figure (lower is better: hours) and decides which
/// pairwise differences are real (Holm over all pairs).
fn rank(all: &[&Scenario], sides: &[Side]) -> Ranking {
    let first = &sides[0].headlines[0];
    let values: Vec<&[f64]> = sides.iter().map(|s| &s.headlines[0].values[..]).collect();
    let levels: Vec<Level> = values
        .iter()
        .map(|v| level_within(v, first.bounds))
        .collect();
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&i, &j| levels[i].mean.total_cmp(&levels[j].mean).then(i.cmp(&j)));
    let mut pairs = Vec::new();
    let mut p_values = Vec::new();
    for (x, &i) in order.iter().enumerate() {
        for &j in &order[x + 1..] {
            let d = paired(values[i], values[j]);
            let paired_ok = shared_demand_ok(all[i], all[j]);
            p_values.push(d.p_value(paired_ok));
            pairs.push(PairVerdict {
                better: all[i].name.clone(),
                worse: all[j].name.clone(),
                difference: if paired_ok {
                    d.diff.mean
                } else {
                    d.b.mean - d.a.mean
                },
                holm_p: 0.0,
                real: false,
            });
        }
    }
    for (pair, p) in pairs.iter_mut().zip(holm(&p_values)) {
        pair.holm_p = p;
        pair.real = p < FAMILYWISE_ALPHA;
    }
    let options: Vec<RankedOption> = order
        .iter()
        .enumerate()
        .map(|(r, &i)| RankedOption {
            rank: r + 1,
            name: all[i].name.clone(),
            level: levels[i].clone(),
        })
        .collect();
    let statement = statement(&first.metric, &first.unit, &options, &pairs);
    Ranking {
        metric: first.metric.clone(),
        unit: first.unit.clone(),
        options,
        pairs,
        statement,
    }
}

/// The ranking in words: the order, then which differences are real and which are not.
fn statement(
    metric: &Metric,
    unit: &str,
    options: &[RankedOption],
    pairs: &[PairVerdict],
) -> String {
    let order: Vec<String> = options
        .iter()
        .map(|o| format!("{} ({:.2} {unit})", o.name, o.level.mean))
        .collect();
    let mut s = format!(
        "On {metric} (lower is better) the order is {}.",
        order.join(", then ")
    );
    let real: Vec<String> = pairs
        .iter()
        .filter(|p| p.real)
        .map(|p| format!("{} over {}", p.better, p.worse))
        .collect();
    let unreal: Vec<String> = pairs
        .iter()
        .filter(|p| !p.real)
        .map(|p| format!("{} vs {} (p = {:.2})", p.better, p.worse, p.holm_p))
        .collect();
    if !real.is_empty() {
        s.push_str(&format!(" Real differences: {}.", real.join("; ")));
    }
    if unreal.is_empty() {
        s.push_str(" Every difference in the order is real.");
    } else {
        s.push_str(&format!(
            " Not distinguishable from simulation noise: {}.",
            unreal.join("; ")
        ));
    }
    s.push_str(
        " (Paired t-tests over all pairs, Holm-adjusted, 5% familywise; simulation noise only.)",
    );
    s
}
