//! Capacity stress: the largest demand multiplier at which a headline figure stays within a
//! limit and the system stays stable, with a 95% interval across replications.
//!
//! The search works replication by replication, with common random numbers: replication `r` is
//! run on a grid of multipliers (which also draws the curve of the figure against demand), then
//! its own largest acceptable multiplier is found by bisection inside the grid cell where it
//! first fails. The replications' answers are independent, so their mean has a Student-t
//! interval, kept inside the range searched and below the stability bound, and widened by the
//! bisection's resolution (a replication's true maximum lies up to one resolution above the
//! last multiplier it passed). A multiplier is acceptable when the figure meets the limit, every
//! stage's offered load is below 1 (from the traffic equations), and, in a parcel world, the
//! backlog is not still growing at the end of the horizon. An offered load of 0.99 or more is
//! not sustainable in practice (queues of that load take longer than any horizon to settle), so
//! there a multiplier is acceptable only if the horizon shows the backlog draining back to its
//! usual level; a plain network has no backlog series, so there it never is.

pub use crate::results::stress::{AtMaximum, CurvePoint, Outcome, StressResult};

use serde::Serialize;

use super::seam::{self, demand_per_day, headline_catalogue, station_names_of};
use super::summary::{Level, ScenarioId, level, level_within};
use super::{ExperimentError, UnitResult, Workers, in_parallel_range, output_of};
use crate::scenario::Scenario;
use crate::scenario::bounds::MAX_DEMAND_MULTIPLIER;
use crate::stats::Bounds;

/// Offered load from which demand counts as sustainable only if the backlog is seen to drain.
const NEAR_SATURATION: f64 = 0.99;

/// A comparison in a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Op {
    /// `<=`
    #[serde(rename = "<=")]
    AtMost,
    /// `<`
    #[serde(rename = "<")]
    Below,
    /// `>=`
    #[serde(rename = ">=")]
    AtLeast,
    /// `>`
    #[serde(rename = ">")]
    Above,
}

/// A limit on a figure, e.g. `clearance_hours.p95<=24`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Limit {
    /// The figure: a headline figure (`clearance_hours.p95`, `time_in_system_hours.mean`, …) or
    /// a stage's wait, `stages.NAME.wait_hours.mean` (or `.p50`, `.p95`).
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The bound.
    pub value: f64,
}

impl Limit {
    /// True when `x` meets the limit.
    pub fn met(&self, x: f64) -> bool {
        match self.op {
            Op::AtMost => x <= self.value,
            Op::Below => x < self.value,
            Op::AtLeast => x >= self.value,
            Op::Above => x > self.value,
        }
    }
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            Op::AtMost => "<=",
            Op::Below => "<",
            Op::AtLeast => ">=",
            Op::Above => ">",
        };
        write!(f, "{}{op}{}", self.metric, self.value)
    }
}

impl std::str::FromStr for Limit {
    type Err = String;

    /// Parses `METRIC<=VALUE` (or `<`, `>=`, `>`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            format!(
                "--limit '{s}': {why}; write METRIC<=VALUE, e.g. --limit 'clearance_hours.p95<=24'"
            )
        };
        let (at, op, len) = ["<=", ">=", "<", ">"]
            .iter()
            .filter_map(|o| s.find(o).map(|i| (i, *o, o.len())))
            .min_by_key(|&(i, o, _)| (i, std::cmp::Reverse(o.len())))
            .ok_or_else(|| bad("no comparison (<=, <, >=, >)"))?;
        let metric = s[..at].trim();
        if metric.is_empty() {
            return Err(bad("no metric before the comparison"));
        }
        let value: f64 = s[at + len..]
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| bad("the bound is not a number"))?;
        let op = match op {
            "<=" => Op::AtMost,
            "<" => Op::Below,
            ">=" => Op::AtLeast,
            _ => Op::Above,
        };
        Ok(Limit {
            metric: metric.to_string(),
            op,
            value,
        })
    }
}

/// Parses a multiplier range `a..b` with 0 < a < b.
pub fn parse_range(s: &str) -> Result<[f64; 2], String> {
    let bad = |why: &str| format!("--range {s}: {why}; write LOW..HIGH, e.g. --range 0.5..20");
    let (a, b) = s.split_once("..").ok_or_else(|| bad("no `..`"))?;
    let num = |x: &str| x.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let (a, b) = (
        num(a).ok_or_else(|| bad("LOW is not a number"))?,
        num(b).ok_or_else(|| bad("HIGH is not a number"))?,
    );
    if a <= 0.0 {
        return Err(bad("LOW must be > 0"));
    }
    if b <= a {
        return Err(bad("empty range: HIGH must be above LOW"));
    }
    // Each multiplier searched becomes `run.demand_multiplier`, so it has that key's bound.
    if b > MAX_DEMAND_MULTIPLIER {
        return Err(bad(&format!(
            "HIGH must be at most {}, the largest `run.demand_multiplier`",
            crate::scenario::error::num(MAX_DEMAND_MULTIPLIER)
        )));
    }
    Ok([a, b])
}

/// How the search is set up.
#[derive(Clone, Debug, PartialEq)]
pub struct StressSpec {
    /// The limit to hold.
    pub limit: Limit,
    /// Multipliers searched, relative to the demand written in the file.
    pub range: [f64; 2],
    /// Grid points of the curve (≥ 2).
    pub grid_points: usize,
    /// Bisection steps inside the failing grid cell.
    pub bisection_steps: u32,
}

/// Why a stress search cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StressError {
    /// The limit names no figure of this kind of scenario.
    #[error("--limit: no figure `{metric}` in this scenario; the figures are: {known}")]
    UnknownMetric {
        /// Asked.
        metric: String,
        /// Available, comma-separated.
        known: String,
    },
    /// Running failed.
    #[error(transparent)]
    Run(#[from] ExperimentError),
}

/// The figures a limit may name in `scenario`.
pub fn known_metrics(scenario: &Scenario) -> Vec<String> {
    let mut names: Vec<String> = headline_catalogue(scenario)
        .iter()
        .map(|h| h.metric.to_string())
        .collect();
    for s in station_names_of(scenario) {
        for q in ["mean", "p50", "p95"] {
            names.push(format!("stages.{s}.wait_hours.{q}"));
        }
    }
    names
}

/// The value of `metric` in one replication (`None` if the scenario has no such figure).
pub fn metric_value(scenario: &Scenario, unit: &UnitResult, metric: &str) -> Option<f64> {
    if let Some(rest) = metric.strip_prefix("stages.") {
        let (name, q) = rest.rsplit_once(".wait_hours.")?;
        let wait = unit.station_wait(scenario, name)?;
        return match q {
            "mean" => Some(if wait.tally.count() > 0 {
                wait.tally.mean()
            } else {
                0.0
            }),
            "p50" => Some(super::headline::quantile(&wait.hist, 0.5)),
            "p95" => Some(super::headline::quantile(&wait.hist, 0.95)),
            _ => None,
        };
    }
    unit.headlines(scenario)
        .into_iter()
        .find(|h| h.metric == metric)
        .map(|h| h.values[0])
}

fn unit_of(scenario: &Scenario, metric: &str) -> String {
    if metric.starts_with("stages.") {
        return "h".to_string();
    }
    headline_catalogue(scenario)
        .into_iter()
        .find(|h| h.metric == metric)
        .map_or_else(String::new, |h| h.unit)
}

/// False when the backlog of a parcel world is still growing at the end: the mean over the last
/// quarter of the hours exceeds 1.25 × the mean over the third quarter, plus a slack of 1% of
/// an hour's demand (at least 10 parcels).
fn backlog_stable(unit: &UnitResult, demand_per_hour: f64) -> bool {
    let t = unit.backlog_totals();
    if t.len() < 8 {
        return true;
    }
    let q = t.len() / 4;
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let third = mean(&t[2 * q..3 * q]);
    let last = mean(&t[3 * q..]);
    last <= 1.25 * third + (0.01 * demand_per_hour).max(10.0)
}

/// True when a parcel world's backlog is seen to drain: its peak is not in the last quarter of
/// the hours and it is back at the run's usual level (median + 10%) by the horizon. A plain
/// network keeps no backlog series, so it never shows this.
fn backlog_drains(unit: &UnitResult) -> bool {
    let t = unit.backlog_totals();
    if t.len() < 8 {
        return false;
    }
    let peak = t
        .iter()
        .enumerate()
        .fold((0, f64::MIN), |b, (i, &v)| if v > b.1 { (i, v) } else { b })
        .0;
    let mut sorted = t.clone();
    sorted.sort_by(f64::total_cmp);
    let usual = sorted[sorted.len() / 2] * 1.1;
    peak < t.len() * 3 / 4 && t[t.len() - 1] <= usual
}

/// Hours from the largest backlog to the first hour after it at or below the run's median
/// backlog + 10% (`None` if it never gets there before the horizon).
fn drain_hours(unit: &UnitResult) -> Option<f64> {
    let t = unit.backlog_totals();
    if t.is_empty() {
        return None;
    }
    let (peak, _) = t
        .iter()
        .enumerate()
        .fold((0, f64::MIN), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
    let mut sorted = t.clone();
    sorted.sort_by(f64::total_cmp);
    let usual = sorted[sorted.len() / 2] * 1.1;
    t[peak..].iter().position(|&v| v <= usual).map(|i| i as f64)
}

/// Demand per day at multiplier 1.
fn demand_per_day_at_1(scenario: &Scenario) -> f64 {
    demand_per_day(&scenario.with_demand_multiplier(1.0))
}

/// Searches the largest acceptable demand multiplier of `scenario` (see the module docs).
pub fn stress(
    scenario: &Scenario,
    spec: &StressSpec,
    workers: Workers<'_>,
) -> Result<StressResult, StressError> {
    let metric = spec.limit.metric.as_str();
    let known = known_metrics(scenario);
    if !known.iter().any(|k| k == metric) {
        return Err(StressError::UnknownMetric {
            metric: metric.to_string(),
            known: known.join(", "),
        });
    }
    let per_day_1 = demand_per_day_at_1(scenario);
    let load_1 = scenario.with_demand_multiplier(1.0).max_offered_load();
    let bound = if load_1 > 0.0 {
        1.0 / load_1
    } else {
        f64::INFINITY
    };
    let [lo, hi] = spec.range;
    // Just below the stability bound: at it, the backlog grows without end.
    let top = hi.min(bound * (1.0 - 1e-3));
    let reps = scenario.run.replications as u64;
    let at = |m: f64| scenario.with_demand_multiplier(m);
    // (value, acceptable, limit met) of replication r at multiplier m: acceptable is the limit
    // met and the system sustainable.
    let evaluate = |s: &Scenario, m: f64, r: u64| -> (f64, bool, bool) {
        if m >= bound {
            return (f64::NAN, false, true);
        }
        let u = seam::simulate(s, r);
        let v = metric_value(s, &u, metric).unwrap_or(f64::NAN);
        let near_saturation = m * load_1 >= NEAR_SATURATION;
        let sustainable =
            backlog_stable(&u, per_day_1 * m / 24.0) && (!near_saturation || backlog_drains(&u));
        let met = v.is_finite() && spec.limit.met(v);
        (v, met && sustainable, met)
    };

    // 1. The grid, every replication at every point (common random numbers).
    let k = spec.grid_points.max(2);
    let grid: Vec<f64> = if top > lo {
        (0..k)
            .map(|i| lo + (top - lo) * i as f64 / (k - 1) as f64)
            .collect()
    } else {
        vec![lo]
    };
    let scenarios: Vec<Scenario> = grid.iter().map(|&m| at(m)).collect();
    let n_grid = grid.len() as u64;
    if let Some(pb) = workers.progress {
        // The grid, then one tick per replication's bisection and per final run.
        pb.set_length(n_grid * reps + 2 * reps);
    }
    let cells = in_parallel_range(0, n_grid * reps, workers, |u| {
        let (g, r) = ((u / reps) as usize, u % reps);
        evaluate(&scenarios[g], grid[g], r)
    })?;
    let cell = |g: usize, r: u64| cells[g * reps as usize + r as usize];
    let curve: Vec<CurvePoint> = grid
        .iter()
        .enumerate()
        .map(|(g, &m)| {
            let values: Vec<f64> = (0..reps)
                .map(|r| cell(g, r).0)
                .filter(|v| v.is_finite())
                .collect();
            CurvePoint {
                multiplier: m,
                demand_per_day: m * per_day_1,
                value: level(&values),
                acceptable_share: (0..reps).filter(|&r| cell(g, r).1).count() as f64 / reps as f64,
                max_offered_load: scenarios[g].max_offered_load(),
            }
        })
        .collect();

    // 2. Each replication's own maximum: bisection in its first failing cell. A replication
    // whose last failure was stability alone (the limit still met) is capped by stability.
    let capped = top < hi;
    let maxima: Vec<(f64, Outcome)> = in_parallel_range(0, reps, workers, |r| {
        let first_bad = (0..grid.len()).find(|&g| !cell(g, r).1);
        match first_bad {
            None if capped => (*grid.last().unwrap_or(&lo), Outcome::CappedByStability),
            None => (*grid.last().unwrap_or(&lo), Outcome::AtUpperEnd),
            Some(0) => (lo, Outcome::NoneAcceptable),
            Some(g) => {
                let (mut good, mut bad) = (grid[g - 1], grid[g]);
                let mut bad_met_limit = cell(g, r).2;
                for _ in 0..spec.bisection_steps {
                    let mid = 0.5 * (good + bad);
                    let (_, ok, met) = evaluate(&at(mid), mid, r);
                    if ok {
                        good = mid;
                    } else {
                        bad = mid;
                        bad_met_limit = met;
                    }
                }
                let why = if bad_met_limit {
                    Outcome::CappedByStability
                } else {
                    Outcome::Found
                };
                (good, why)
            }
        }
    })?;
    let outcome = if maxima.iter().any(|m| m.1 == Outcome::NoneAcceptable) {
        Outcome::NoneAcceptable
    } else if maxima.iter().all(|m| m.1 == Outcome::AtUpperEnd) {
        Outcome::AtUpperEnd
    } else if maxima.iter().all(|m| m.1 != Outcome::Found) {
        Outcome::CappedByStability
    } else {
        Outcome::Found
    };
    let per_replication: Vec<f64> = maxima.iter().map(|m| m.0).collect();
    let resolution = if grid.len() > 1 {
        (grid[1] - grid[0]) / 2f64.powi(spec.bisection_steps.min(1_000) as i32)
    } else {
        0.0
    };
    let max_multiplier = maximum_level(&per_replication, resolution, [lo, top.max(lo)]);
    let max_demand_per_day = Level {
        mean: max_multiplier.mean * per_day_1,
        ci95: max_multiplier
            .ci95
            .map(|[a, b]| [a * per_day_1, b * per_day_1]),
    };

    // 3. The system at the maximum found.
    let m_star = max_multiplier.mean;
    let s_star = at(m_star);
    let units = in_parallel_range(0, reps, workers, |r| seam::simulate(&s_star, r))?;
    let values: Vec<f64> = units
        .iter()
        .filter_map(|u| metric_value(&s_star, u, metric))
        .collect();
    let drains: Vec<f64> = units.iter().filter_map(drain_hours).collect();
    let drained = drains.len() as u32;
    let summary = output_of(&s_star, units).summary;
    let bottleneck = summary.bottleneck.clone();
    Ok(StressResult {
        clearsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioId::of(scenario),
        seed: scenario.run.seed,
        replications: reps as u32,
        limit: spec.limit.to_string(),
        unit: unit_of(scenario, metric),
        range: spec.range,
        stability_bound: bound,
        demand_per_day_at_1: per_day_1,
        outcome,
        capped_by_stability: (outcome == Outcome::CappedByStability).then_some(m_star),
        resolution,
        max_multiplier,
        max_demand_per_day,
        per_replication,
        curve,
        at_maximum: AtMaximum {
            multiplier: m_star,
            value: level(&values),
            bottleneck,
            drain_hours: (drained > 0).then(|| level_within(&drains, Bounds::NonNegative)),
            drained_replications: drained,
            summary,
        },
    })
}

/// Mean and 95% interval of the replications' maxima: the Student-t interval widened upwards by
/// the bisection `resolution` (each true maximum lies in [reported, reported + resolution)), so
/// it has a width whenever the answer is known only to that resolution, and kept inside
/// `[low, top]`, the multipliers searched (`top` lies below the stability bound).
fn maximum_level(per_replication: &[f64], resolution: f64, [low, top]: [f64; 2]) -> Level {
    let l = level(per_replication);
    Level {
        mean: l.mean,
        ci95: l.ci95.map(|[a, b]| {
            [
                a.clamp(low, top),
                (b + resolution).clamp(low, top).max(l.mean),
            ]
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maximum_interval_stays_below_the_stability_cap_and_has_a_width() {
        // Replications that all stopped at the same bisection step: the t-interval is a point.
        let same = [2.5; 5];
        assert_eq!(level(&same).ci95, Some([2.5, 2.5]));
        let l = maximum_level(&same, 0.01, [0.5, 3.0]);
        assert_eq!(l.ci95, Some([2.5, 2.51]));
        // Spread replications near the top: the t-interval reaches past it.
        let spread = [2.9, 2.99, 2.6, 2.98, 2.95];
        assert!(level(&spread).ci95.unwrap()[1] > 2.99);
        let [lo, hi] = maximum_level(&spread, 0.01, [0.5, 2.99]).ci95.unwrap();
        assert!(lo < hi && hi <= 2.99, "[{lo}, {hi}]");
    }

    #[test]
    fn limits_parse_and_apply() {
        let l: Limit = "clearance_hours.p95<=24".parse().unwrap();
        assert_eq!(l.metric, "clearance_hours.p95");
        assert_eq!(l.op, Op::AtMost);
        assert_eq!(l.value, 24.0);
        assert!(l.met(24.0) && !l.met(24.1));
        let g: Limit = "released_within.24h >= 0.9".parse().unwrap();
        assert_eq!(g.op, Op::AtLeast);
        assert!(g.met(0.95) && !g.met(0.8));
        assert_eq!(g.to_string(), "released_within.24h>=0.9");
        let b: Limit = "x<3".parse().unwrap();
        assert_eq!(b.op, Op::Below);
        for bad in ["clearance_hours.p95", "<=24", "x<=abc", "x<=inf", ""] {
            assert!(bad.parse::<Limit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_parse() {
        assert_eq!(parse_range("0.5..20").unwrap(), [0.5, 20.0]);
        for bad in [
            "2..1",
            "0..1",
            "1..1",
            "a..2",
            "1-2",
            "1e307..1e308",
            "1..1001",
        ] {
            assert!(parse_range(bad).is_err(), "{bad}");
        }
    }
}
