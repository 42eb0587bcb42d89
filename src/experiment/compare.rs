//! Comparison of two scenarios: paired by common random numbers (the same seed, so the same
//! stream for every source of randomness, and differences taken replication by replication)
//! when both draw the same parcels, independent (Welch) otherwise; money compared only in one
//! currency; stations compared by name.

pub use crate::results::compare::{
    Adjusted, CompareRow, Comparison, GatewayRow, StationFigure, StationRow, SummaryPair,
    UndifferencedRow,
};

use super::network_summary::NetworkSummary;
use super::seam::{self, Replications, StationValues, same_model, shared_demand};
use super::summary::{Level, Precision, ScenarioId, level_within};
use super::{
    ExperimentError, PrecisionTarget, RunOutput, UnitResult, Workers, relative_half_width,
    until_precise,
};
use crate::results::Metric;
use crate::scenario::Scenario;
use crate::stats::Bounds;
use crate::stats::{paired, ratio_interval95};

/// Why two scenarios cannot be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// One is a parcel world, the other a plain network.
    #[error("{a} is a {} and {b} a {}: compare two scenarios of the same kind", kind(.a_world), kind(.b_world))]
    Kinds {
        /// File A.
        a: String,
        /// Whether A is a parcel world.
        a_world: bool,
        /// File B.
        b: String,
        /// Whether B is a parcel world.
        b_world: bool,
    },
    /// The runs failed.
    #[error(transparent)]
    Run(#[from] ExperimentError),
}

fn kind(world: &bool) -> &'static str {
    if *world {
        "parcel world"
    } else {
        "plain network"
    }
}

fn level_of(e: &crate::stats::Estimate) -> Level {
    Level {
        mean: e.mean,
        ci95: e.ci95(),
    }
}

/// Runs A and B with the same seed and replications and compares their headline figures:
/// replication by replication (common random numbers) when they share their demand.
pub fn compare(
    a: &Scenario,
    b: &Scenario,
    workers: Workers<'_>,
) -> Result<Comparison, CompareError> {
    compare_runs(a, b, workers, None).map(|c| c.comparison)
}

/// The overrides that make an alternative of `a` from `changes` (`KEY=VALUE` each): the
/// changes, then A's seed and replications, which is what pairs it with A.
pub fn paired_changes(a: &Scenario, changes: &[String]) -> Vec<String> {
    let mut all = changes.to_vec();
    all.push(format!("run.seed={}", a.run.seed));
    all.push(format!("run.replications={}", a.run.replications));
    all
}

/// The name of `a` with `changes`: `paper + import.channels.paper=0.5`.
pub fn alternative_name(a: &Scenario, changes: &[String]) -> String {
    format!("{} + {}", a.name, changes.join(", "))
}

/// A comparison with what each side's run produced: the summaries (and backlogs) that a
/// report draws side by side.
#[derive(Clone, Debug)]
pub struct ComparedRuns {
    /// The paired comparison.
    pub comparison: Comparison,
    /// Scenario A's run, summarised as `clearsim run` would.
    pub a: RunOutput,
    /// Scenario B's run.
    pub b: RunOutput,
}

impl ComparedRuns {
    /// The JSON document of the comparison with both summaries.
    pub fn document(&self) -> Comparison {
        Comparison {
            summaries: Some(SummaryPair {
                a: self.a.summary.clone(),
                b: self.b.summary.clone(),
            }),
            ..self.comparison.clone()
        }
    }
}

/// [`compare`], keeping each side's summary and backlog (every replication runs once), and
/// adding paired replications until the headline figure (mean clearance or mean time in system)
/// of A and of B each meets `target`, if given.
pub fn compare_runs(
    a: &Scenario,
    b: &Scenario,
    workers: Workers<'_>,
    target: Option<PrecisionTarget>,
) -> Result<ComparedRuns, CompareError> {
    same_kind(a, b)?;
    let (mut units, precision) = run_together(&[a, b], workers, target)?;
    let replications = units[0].len() as u32;
    let sb = side(b, units.pop().unwrap_or_default());
    let sa = side(a, units.pop().unwrap_or_default());
    let comparison = comparison_of(a, &sa, b, &sb, replications, precision);
    Ok(ComparedRuns {
        comparison,
        a: sa.run,
        b: sb.run,
    })
}

/// Refuses to compare a parcel world with a plain network.
pub(crate) fn same_kind(a: &Scenario, b: &Scenario) -> Result<(), CompareError> {
    if !same_model(a, b) {
        return Err(CompareError::Kinds {
            a: a.origin.clone(),
            a_world: a.world.is_some(),
            b: b.origin.clone(),
            b_world: b.world.is_some(),
        });
    }
    Ok(())
}

/// Runs replication `i` of every scenario together (common random numbers: the same seed and
/// index), adding replications until the headline figure of each meets `target`; returns each
/// scenario's replications in order.
pub(crate) fn run_together(
    scenarios: &[&Scenario],
    workers: Workers<'_>,
    target: Option<PrecisionTarget>,
) -> Result<(Vec<Vec<UnitResult>>, Option<Precision>), ExperimentError> {
    let n = scenarios
        .iter()
        .map(|s| s.run.replications)
        .min()
        .unwrap_or(0) as u64;
    let (reps, precision) = until_precise(
        n,
        workers,
        target,
        |i| {
            scenarios
                .iter()
                .map(|s| seam::simulate(s, i))
                .collect::<Vec<_>>()
        },
        |reps: &[Vec<UnitResult>]| {
            (0..scenarios.len())
                .map(|k| relative_half_width(reps.iter().map(|r| r[k].headline())))
                .fold(f64::NEG_INFINITY, f64::max)
        },
    )?;
    let mut units: Vec<Vec<UnitResult>> = scenarios.iter().map(|_| Vec::new()).collect();
    for rep in reps {
        for (k, u) in rep.into_iter().enumerate() {
            units[k].push(u);
        }
    }
    Ok((units, precision))
}

/// One scenario's replications digested for comparing: its headline figures, stations and
/// gateways per replication, and its run's summary.
pub(crate) struct Side {
    /// Headline figures per replication.
    pub headlines: Vec<super::headline::Headline>,
    stations: Vec<StationValues>,
    gateways: Vec<(String, Vec<f64>)>,
    /// The run, summarised as `clearsim run` would.
    pub run: RunOutput,
}

/// Digests the replications `units` of `s`.
pub(crate) fn side(s: &Scenario, units: Vec<UnitResult>) -> Side {
    let reps = Replications::from_units(units);
    Side {
        headlines: reps.headlines(s),
        stations: reps.stations(s),
        gateways: reps.gateway_clearance(),
        run: reps.output(s),
    }
}

/// The comparison of B with A from their digested replications.
pub(crate) fn comparison_of(
    a: &Scenario,
    sa: &Side,
    b: &Scenario,
    sb: &Side,
    replications: u32,
    precision: Option<Precision>,
) -> Comparison {
    let (ha, sta, ga, run_a) = (&sa.headlines, &sa.stations, &sa.gateways, &sa.run);
    let (hb, stb, gb, run_b) = (&sb.headlines, &sb.stations, &sb.gateways, &sb.run);
    let pairing = shared_demand(a, b);
    let paired_ok = pairing.is_ok();
    let mut rows = Vec::new();
    let mut not_differenced = Vec::new();
    // Per station by name below; one "busiest station" figure would difference two stations.
    for (x, y) in ha
        .iter()
        .zip(hb)
        .filter(|(x, _)| x.metric != Metric::BottleneckUtilization)
    {
        if x.unit != y.unit {
            not_differenced.push(UndifferencedRow {
                metric: x.metric.clone(),
                a: x.level(),
                unit_a: x.unit.clone(),
                b: y.level(),
                unit_b: y.unit.clone(),
                reason: format!(
                    "A counts in {} and B in {}: a difference across currencies needs an exchange rate, which clearsim does not assume",
                    x.unit, y.unit
                ),
            });
            continue;
        }
        let (d, significant, independent_ci95, pa, _) =
            difference(&x.values, &y.values, paired_ok, &x.unit);
        rows.push(CompareRow {
            metric: x.metric.clone(),
            unit: x.unit.clone(),
            a: x.level(),
            b: y.level(),
            relative_change: if pa.mean != 0.0 {
                d.mean / pa.mean
            } else {
                0.0
            },
            relative_change_ci95: ratio_interval95(&x.values, &y.values, paired_ok)
                .map(|[lo, hi]| [lo - 1.0, hi - 1.0]),
            difference: d,
            significant,
            independent_ci95,
            adjusted: None,
        });
    }
    let mut names: Vec<&str> = Vec::new();
    for (n, _, _) in sta.iter().chain(stb) {
        if !names.contains(&n.as_str()) {
            names.push(n);
        }
    }
    let stations = names
        .iter()
        .map(|&n| {
            let find = |v: &[StationValues]| v.iter().find(|s| s.0 == n).cloned();
            let (fa, fb) = (find(sta), find(stb));
            let figure = |k: usize| {
                let pick = |f: &Option<StationValues>| {
                    f.as_ref()
                        .map(|s| if k == 0 { s.1.clone() } else { s.2.clone() })
                };
                let bounds = if k == 0 {
                    Bounds::Share { observations: 0 }
                } else {
                    Bounds::NonNegative
                };
                station_figure(
                    pick(&fa).as_deref(),
                    pick(&fb).as_deref(),
                    paired_ok,
                    bounds,
                )
            };
            StationRow {
                station: n.to_string(),
                utilization: figure(0),
                mean_wait_hours: figure(1),
            }
        })
        .collect();
    let mut warnings = Vec::new();
    for (label, name, run) in [("A", &a.name, run_a), ("B", &b.name, run_b)] {
        for w in &run.summary.warnings {
            warnings.push(super::summary::Warning {
                code: w.code.clone(),
                message: format!("{label} ({name}): {}", w.message),
            });
        }
    }
    Comparison {
        clearsim_version: env!("CARGO_PKG_VERSION").to_string(),
        a: ScenarioId::of(a),
        b: ScenarioId::of(b),
        seed: a.run.seed,
        replications,
        paired: paired_ok,
        pairing: match pairing {
            Ok(()) => "A and B draw the same parcels (the same demand and seed): each difference is taken replication by replication (common random numbers)".to_string(),
            Err(why) => format!("A and B do not share their demand ({why}): pairing replications gives no benefit, so differences and their intervals are of independent samples (Welch)"),
        },
        warmup_hours: [a.run.warmup_h, b.run.warmup_h],
        horizon_hours: [a.run.horizon_h, b.run.horizon_h],
        rows,
        not_differenced,
        stations,
        gateways: gateway_rows(
            [run_a.summary.network.as_ref(), run_b.summary.network.as_ref()],
            [ga, gb],
            paired_ok,
        ),
        warnings,
        precision,
        warmup: None,
        uncertainty: None,
        summaries: None,
    }
}

/// Each gateway's mean clearance B − A, when A and B are both networks with the same gateway
/// and lane names (else none): `values` are each side's per-replication mean clearance by
/// gateway name.
pub fn gateway_rows(
    [na, nb]: [Option<&NetworkSummary>; 2],
    [va, vb]: [&[(String, Vec<f64>)]; 2],
    paired_ok: bool,
) -> Vec<GatewayRow> {
    let (Some(na), Some(nb)) = (na, nb) else {
        return Vec::new();
    };
    let gateways =
        |n: &NetworkSummary| -> Vec<String> { n.gateways.iter().map(|g| g.name.clone()).collect() };
    let lanes =
        |n: &NetworkSummary| -> Vec<String> { n.lanes.iter().map(|l| l.name.clone()).collect() };
    if gateways(na) != gateways(nb) || lanes(na) != lanes(nb) {
        return Vec::new();
    }
    let values = |v: &[(String, Vec<f64>)], name: &str| {
        v.iter().find(|(n, _)| n == name).map(|(_, x)| x.clone())
    };
    na.gateways
        .iter()
        .filter_map(|g| {
            let (a, b) = (values(va, &g.name)?, values(vb, &g.name)?);
            Some(GatewayRow {
                gateway: g.name.clone(),
                clearance_hours: station_figure(Some(&a), Some(&b), paired_ok, Bounds::NonNegative),
            })
        })
        .collect()
}

/// B − A of per-replication values: paired when `paired`, else of independent samples
/// (Welch). Returns the difference, whether its interval excludes 0, the Welch interval, and
/// A's and B's levels.
pub(crate) fn difference(
    a: &[f64],
    b: &[f64],
    paired_ok: bool,
    unit: &str,
) -> (Level, bool, Option<[f64; 2]>, Level, Level) {
    let p = paired(a, b);
    let hw = p.independent_half_width;
    let mean_diff = p.b.mean - p.a.mean;
    let independent_ci95 = hw.is_finite().then_some([mean_diff - hw, mean_diff + hw]);
    let d = if paired_ok {
        level_of(&p.diff)
    } else {
        Level {
            mean: mean_diff,
            ci95: independent_ci95,
        }
    };
    let significant = real_difference(d.mean, d.ci95, unit);
    let independent_ci95 = if paired_ok {
        hw.is_finite()
            .then_some([p.diff.mean - hw, p.diff.mean + hw])
    } else {
        independent_ci95
    };
    (
        d,
        significant,
        independent_ci95,
        level_of(&p.a),
        level_of(&p.b),
    )
}

/// The smallest difference the reports print as non-zero in `unit`: hours with two decimals
/// below 1 h (0.01 h), shares in percentage points with one decimal (0.1 point), money with
/// four decimals below half a cent, rates and counts with two. A difference smaller than half of
/// that is written as zero ("0.00 h", "0.0 pp"), and is no finding whatever its interval.
pub fn resolution(unit: &str) -> f64 {
    match unit {
        "h" | "1/h" | "" => 0.005,
        "share" => 0.0005,
        _ => 0.000_05,
    }
}

/// True when B − A (mean `mean`, interval `ci95`) is a real difference: its 95% interval
/// excludes 0 and the difference is not smaller than the precision it is printed at
/// ([`resolution`]); a smaller one reads "no difference at this precision".
pub fn real_difference(mean: f64, ci95: Option<[f64; 2]>, unit: &str) -> bool {
    ci95.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0) && mean.abs() >= resolution(unit)
}

/// One station figure of A and B, either side possibly absent; each side's interval kept
/// within `bounds` (a utilisation in [0, 1], a wait at least 0); the difference in `unit`.
fn station_figure(
    a: Option<&[f64]>,
    b: Option<&[f64]>,
    paired_ok: bool,
    bounds: Bounds,
) -> StationFigure {
    let unit = match bounds {
        Bounds::Share { .. } => "share",
        _ => "h",
    };
    match (a, b) {
        (Some(a), Some(b)) => {
            let (d, significant, _, _, _) = difference(a, b, paired_ok, unit);
            StationFigure {
                a: Some(level_within(a, bounds)),
                b: Some(level_within(b, bounds)),
                difference: Some(d),
                significant,
            }
        }
        (a, b) => StationFigure {
            a: a.map(|v| level_within(v, bounds)),
            b: b.map(|v| level_within(v, bounds)),
            difference: None,
            significant: false,
        },
    }
}

/// Whether A and B draw the same parcels, so that their differences are paired.
pub(crate) fn shared_demand_ok(a: &Scenario, b: &Scenario) -> bool {
    shared_demand(a, b).is_ok()
}
