//! Sweeps: a grid (or zipped lists) of values for scenario keys, every point run with the same
//! seeds (common random numbers across points), summarised as tidy tables.

pub use crate::results::sweep::{BaselineDifference, PointMetric, SweepPoint, SweepSummary};

use super::compare::{difference, shared_demand_ok};
use super::headline::Headline;
use super::summary::{ScenarioId, level};
use super::{Replications, UnitResult};
use crate::scenario::Scenario;

/// One swept key and its values, as TOML text.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Dotted key, as for `--set`.
    pub key: String,
    /// Its values, in order.
    pub values: Vec<String>,
}

/// A `--set` argument of `sweep`: one value for every point, or an axis of the grid.
#[derive(Clone, Debug, PartialEq)]
pub enum SetArg {
    /// `key=value`: applied at every point.
    Fixed(String),
    /// `key=v1,v2,…` or `key=a..b:step`.
    Axis(Axis),
}

/// Why a sweep cannot be set up.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("--set {arg}: {reason}")]
pub struct SweepError {
    /// The argument as given.
    pub arg: String,
    /// What is wrong and what is allowed.
    pub reason: String,
}

/// Keys a sweep must not vary: every point shares replications and seed (that is what makes
/// points comparable).
const FIXED_KEYS: [&str; 2] = ["run.replications", "run.seed"];

/// Parses a `sweep --set` argument: `key=v1,v2,…` (a list), `key=a..b:step` (an inclusive
/// numeric range), or `key=v` (one value for all points). Arrays, tables and quoted strings are
/// taken whole.
pub fn parse_set(arg: &str) -> Result<SetArg, SweepError> {
    let fail = |reason: String| SweepError {
        arg: arg.to_string(),
        reason,
    };
    let (key, value) = arg
        .split_once('=')
        .ok_or_else(|| fail("expected KEY=VALUES, e.g. --set stage.xray.servers=2,3,4".into()))?;
    let (key, value) = (key.trim(), value.trim());
    let whole = value.starts_with(['[', '{', '"', '\'']);
    let axis = |values: Vec<String>| -> Result<SetArg, SweepError> {
        if FIXED_KEYS.contains(&key) {
            return Err(fail(format!(
                "`{key}` is the same at every point of a sweep; set it with --reps / --seed"
            )));
        }
        Ok(SetArg::Axis(Axis {
            key: key.to_string(),
            values,
        }))
    };
    if value.starts_with('[') {
        let items = top_level_items(value);
        if items.len() > 1 {
            if items
                .iter()
                .any(|v| !(v.starts_with('[') && v.ends_with(']')))
            {
                return Err(fail(
                    "a list of arrays is written [a,b],[c,d] (quoted for the shell), every item in brackets; or give each array with --list KEY=a,b".into(),
                ));
            }
            return axis(items);
        }
    }
    if !whole
        && let Some((range, step)) = value.split_once(':')
        && let Some((a, b)) = range.split_once("..")
    {
        return axis(range_values(a, b, step).map_err(fail)?);
    }
    if !whole && value.contains(',') {
        let values: Vec<String> = value.split(',').map(|v| v.trim().to_string()).collect();
        if values.iter().any(String::is_empty) {
            return Err(fail(
                "a value in the list is empty; write v1,v2,v3 with no empty item".into(),
            ));
        }
        return axis(values);
    }
    Ok(SetArg::Fixed(arg.to_string()))
}

/// `text` split at the commas outside brackets, braces and quotes, each item trimmed.
fn top_level_items(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(text[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(text[start..].trim().to_string());
    items
}

/// The axes of `--list KEY=v1,v2,…` arguments: each argument is one array value of KEY (its
/// items a bare comma list, which no shell alters), and the arguments of one key, in order,
/// are that key's axis. Items are TOML values; a bare word is taken as a string.
pub fn parse_lists(args: &[String]) -> Result<Vec<Axis>, SweepError> {
    let mut axes: Vec<Axis> = Vec::new();
    for arg in args {
        let fail = |reason: &str| SweepError {
            arg: format!("{arg} (--list)"),
            reason: reason.to_string(),
        };
        let (key, items) = arg
            .split_once('=')
            .ok_or_else(|| fail("expected KEY=v1,v2,…, e.g. --list linehaul.departures_h=3,15"))?;
        let key = key.trim();
        if FIXED_KEYS.contains(&key) {
            return Err(fail(
                "this key is the same at every point; set it with --reps / --seed",
            ));
        }
        let items: Vec<String> = if items.trim().is_empty() {
            Vec::new()
        } else {
            items.split(',').map(|v| v.trim().to_string()).collect()
        };
        if items.iter().any(String::is_empty) {
            return Err(fail("an item is empty; write v1,v2,v3 with no empty item"));
        }
        let items: Vec<String> = items
            .into_iter()
            .map(|v| {
                if v.parse::<toml_edit::Value>().is_ok() {
                    v
                } else {
                    toml_edit::Value::from(v.as_str())
                        .to_string()
                        .trim()
                        .to_string()
                }
            })
            .collect();
        let value = format!("[{}]", items.join(", "));
        match axes.iter_mut().find(|a| a.key == key) {
            Some(a) => a.values.push(value),
            None => axes.push(Axis {
                key: key.to_string(),
                values: vec![value],
            }),
        }
    }
    Ok(axes)
}

/// The values of `a..b:step`, both ends included when the step lands on `b`.
fn range_values(a: &str, b: &str, step: &str) -> Result<Vec<String>, String> {
    let num = |s: &str, what: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                format!(
                    "{what} `{}` is not a number; write a..b:step, e.g. 2..10:2",
                    s.trim()
                )
            })
    };
    let (lo, hi, st) = (num(a, "start")?, num(b, "end")?, num(step, "step")?);
    if st <= 0.0 {
        return Err(format!("the step must be > 0, got {st}"));
    }
    if hi < lo {
        return Err(format!(
            "empty range: the end {hi} is below the start {lo}; write a..b:step with a ≤ b"
        ));
    }
    // Counted in floating point, before any conversion or allocation: a tiny step would
    // otherwise overflow the count.
    let count = ((hi - lo) / st + 1e-9).floor() + 1.0;
    if count.is_nan() || count > MAX_POINTS as f64 {
        return Err(format!(
            "{a}..{b}:{step} has {count:.3e} values, too many for one axis (at most {MAX_POINTS}); use a larger step",
            a = a.trim(),
            b = b.trim(),
            step = step.trim()
        ));
    }
    let n = count as u64;
    let integral = [lo, hi, st]
        .iter()
        .all(|v| v.fract() == 0.0 && v.abs() < 1e15);
    Ok((0..n)
        .map(|i| {
            let v = lo + i as f64 * st;
            if integral {
                format!("{}", v as i64)
            } else {
                // Twelve significant digits: 0.1 + 2·0.1 prints as 0.3, not 0.30000000000000004.
                let digits = 11 - v.abs().max(1e-300).log10().floor() as i32;
                let scale = 10f64.powi(digits.clamp(0, 300));
                let r = (v * scale).round() / scale;
                let s = format!("{r}");
                if s.contains(['.', 'e', 'E']) || s.contains("inf") {
                    s
                } else {
                    format!("{s}.0")
                }
            }
        })
        .collect())
}

/// The grid of a sweep: swept keys and, per point, one value per key.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// Swept keys.
    pub parameters: Vec<String>,
    /// Per point, the values of the parameters.
    pub points: Vec<Vec<String>>,
}

/// Most points of a sweep (and values of one axis): each point keeps its summary in memory and
/// its replications on disk, and 10,000 points is already days of work for most scenarios.
pub const MAX_POINTS: usize = 10_000;

/// The full grid of `axes` (the first axis varies slowest), or with `zip` the i-th value of
/// every axis together (all axes must then have the same length).
pub fn grid(axes: &[Axis], zip: bool) -> Result<Grid, SweepError> {
    let parameters: Vec<String> = axes.iter().map(|a| a.key.clone()).collect();
    if let Some(dup) = parameters
        .iter()
        .enumerate()
        .find(|(i, k)| parameters[..*i].contains(k))
    {
        return Err(SweepError {
            arg: dup.1.clone(),
            reason: "this key is swept twice; give all its values in one --set".into(),
        });
    }
    if axes.is_empty() {
        return Ok(Grid {
            parameters,
            points: vec![Vec::new()],
        });
    }
    if let Some(a) = axes.iter().find(|a| a.values.is_empty()) {
        return Err(SweepError {
            arg: format!("{}=…", a.key),
            reason: "this axis has no values; give at least one".into(),
        });
    }
    let points = if zip {
        let n = axes[0].values.len();
        if let Some(a) = axes.iter().find(|a| a.values.len() != n) {
            return Err(SweepError {
                arg: format!("{}=…", a.key),
                reason: format!(
                    "--zip pairs the i-th values of every list, but this one has {} values and `{}` has {n}",
                    a.values.len(),
                    axes[0].key
                ),
            });
        }
        if n > MAX_POINTS {
            return Err(SweepError {
                arg: parameters.join(", "),
                reason: format!(
                    "--zip gives {n} points, more than a sweep may have (at most {MAX_POINTS})"
                ),
            });
        }
        (0..n)
            .map(|i| axes.iter().map(|a| a.values[i].clone()).collect())
            .collect()
    } else {
        // In floating point: the product of a few long axes overflows an integer.
        let total: f64 = axes.iter().map(|a| a.values.len() as f64).product();
        if total > MAX_POINTS as f64 {
            let sizes: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
            return Err(SweepError {
                arg: parameters.join(", "),
                reason: format!(
                    "the grid has {} = {total} points, more than a sweep may have (at most {MAX_POINTS}); use fewer values or --zip",
                    sizes.join(" × ")
                ),
            });
        }
        let mut points = vec![Vec::new()];
        for a in axes {
            points = points
                .into_iter()
                .flat_map(|p: Vec<String>| {
                    a.values.iter().map(move |v| {
                        let mut q = p.clone();
                        q.push(v.clone());
                        q
                    })
                })
                .collect();
        }
        points
    };
    Ok(Grid { parameters, points })
}

/// A sweep's results: the summary, and every point's per-replication headline figures.
pub struct SweepResult {
    /// `summary.json`.
    pub summary: SweepSummary,
    /// Per point, its headline figures per replication (for `runs.csv`).
    pub runs: Vec<Vec<Headline>>,
}

/// Summarises a sweep point by point; `point_units(p)` gives point `p`'s replications in order
/// (read one point at a time, so memory holds one point's units, not the whole grid's).
/// With `baseline`, every figure of every point also gets its paired difference from that
/// point's.
pub fn summarize_sweep<E>(
    scenarios: &[Scenario],
    grid: &Grid,
    fixed: &[String],
    baseline: Option<usize>,
    mut point_units: impl FnMut(usize) -> Result<Vec<UnitResult>, E>,
) -> Result<SweepResult, E> {
    let reps = scenarios[0].run.replications as usize;
    let mut summary_points = Vec::new();
    let mut runs = Vec::new();
    for (p, sc) in scenarios.iter().enumerate() {
        let mine = Replications::from_units(point_units(p)?);
        let h = mine.headlines(sc);
        let out = mine.output(sc);
        summary_points.push(SweepPoint {
            index: p,
            values: grid.points[p].clone(),
            metrics: h
                .iter()
                .map(|x| PointMetric {
                    metric: x.metric.clone(),
                    unit: x.unit.clone(),
                    level: level(&x.values),
                    vs_baseline: None,
                })
                .collect(),
            summary: out.summary.clone(),
        });
        runs.push(h);
    }
    if let Some(b) = baseline.filter(|&b| b < runs.len()) {
        for (p, point) in summary_points.iter_mut().enumerate() {
            let paired_ok = shared_demand_ok(&scenarios[b], &scenarios[p]);
            for (m, (x, y)) in point.metrics.iter_mut().zip(runs[b].iter().zip(&runs[p])) {
                if x.unit != y.unit {
                    continue;
                }
                let (d, significant, _, _, _) =
                    difference(&x.values, &y.values, paired_ok, &x.unit);
                m.vs_baseline = Some(BaselineDifference {
                    mean: d.mean,
                    ci95: d.ci95,
                    significant,
                    paired: paired_ok,
                });
            }
        }
    }
    Ok(SweepResult {
        summary: SweepSummary {
            clearsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: ScenarioId::of(&scenarios[0]),
            seed: scenarios[0].run.seed,
            replications: reps as u32,
            parameters: grid.parameters.clone(),
            fixed: fixed.to_vec(),
            baseline,
            points: summary_points,
        },
        runs,
    })
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn header(parameters: &[String], rest: &str) -> String {
    let mut h = String::from("point");
    for p in parameters {
        h.push(',');
        h.push_str(&field(p));
    }
    h.push(',');
    h.push_str(rest);
    h.push('\n');
    h
}

fn point_prefix(p: &SweepPoint) -> String {
    let mut s = p.index.to_string();
    for v in &p.values {
        s.push(',');
        s.push_str(&field(v));
    }
    s
}

/// `runs.csv`: one row per point × replication × headline figure.
pub fn runs_csv(result: &SweepResult) -> String {
    let s = &result.summary;
    let mut out = header(&s.parameters, "replication,metric,unit,value");
    for (p, hs) in s.points.iter().zip(&result.runs) {
        let prefix = point_prefix(p);
        for r in 0..s.replications as usize {
            for h in hs {
                out.push_str(&format!(
                    "{prefix},{r},{},{},{}\n",
                    h.metric,
                    field(&h.unit),
                    h.values[r]
                ));
            }
        }
    }
    out
}

/// `summary.csv`: one row per point × headline figure, with mean and 95% interval; with a
/// baseline, also the difference from the baseline point and its 95% interval.
pub fn summary_csv(s: &SweepSummary) -> String {
    let ends = |ci: Option<[f64; 2]>| match ci {
        Some([lo, hi]) => (lo.to_string(), hi.to_string()),
        None => (String::new(), String::new()),
    };
    let mut columns = String::from("metric,unit,mean,ci95_low,ci95_high,replications");
    if s.baseline.is_some() {
        columns.push_str(",diff_vs_baseline,diff_ci95_low,diff_ci95_high");
    }
    let mut out = header(&s.parameters, &columns);
    for p in &s.points {
        let prefix = point_prefix(p);
        for m in &p.metrics {
            let (lo, hi) = ends(m.level.ci95);
            out.push_str(&format!(
                "{prefix},{},{},{},{lo},{hi},{}",
                m.metric,
                field(&m.unit),
                m.level.mean,
                s.replications
            ));
            if s.baseline.is_some() {
                match &m.vs_baseline {
                    Some(d) => {
                        let (lo, hi) = ends(d.ci95);
                        out.push_str(&format!(",{},{lo},{hi}", d.mean));
                    }
                    None => out.push_str(",,,"),
                }
            }
            out.push('\n');
        }
    }
    out
}

/// The point of `grid` named by `--baseline`: a point index, or `file` for the point whose
/// values are the file's own (`file_value(key)` reads the file's value of a swept key).
pub fn baseline_point(
    grid: &Grid,
    spec: &str,
    file_value: impl Fn(&str) -> Option<toml_edit::Value>,
) -> Result<usize, SweepError> {
    let fail = |reason: String| SweepError {
        arg: format!("--baseline {spec}"),
        reason,
    };
    let spec = spec.trim();
    if spec == "file" {
        let own: Vec<Option<toml_edit::Value>> =
            grid.parameters.iter().map(|k| file_value(k)).collect();
        let said: Vec<String> = grid
            .parameters
            .iter()
            .zip(&own)
            .map(|(k, v)| match v {
                Some(v) => format!("{k} = {}", v.to_string().trim()),
                None => format!("{k} (not in the file)"),
            })
            .collect();
        return grid
            .points
            .iter()
            .position(|p| {
                p.iter().zip(&own).all(|(v, o)| {
                    let v = v.parse::<toml_edit::Value>().ok();
                    matches!((v, o), (Some(v), Some(o)) if crate::scenario::overrides::same_value(&v, o))
                })
            })
            .ok_or_else(|| {
                fail(format!(
                    "the file's own values ({}) are not a point of the sweep: add them to the swept values, or give the baseline as a point index 0..{}",
                    said.join(", "),
                    grid.points.len() - 1
                ))
            });
    }
    match spec.parse::<usize>() {
        Ok(i) if i < grid.points.len() => Ok(i),
        _ => Err(fail(format!(
            "give a point index from 0 to {} (the `point` column of summary.csv), or `file` for the point with the file's own values",
            grid.points.len() - 1
        ))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tiny_step_is_refused_with_the_count_and_the_limit() {
        let err = parse_set("stage.server.servers=1..2:1e-300").unwrap_err();
        assert!(
            err.reason.contains("1.000e300") && err.reason.contains("10000"),
            "{err}"
        );
        assert!(parse_set("a=0..1e308:1e-308").is_err());
    }

    #[test]
    fn a_grid_over_the_limit_is_refused_before_it_is_built() {
        let axis = |key: &str, n: usize| Axis {
            key: key.into(),
            values: (0..n).map(|i| i.to_string()).collect(),
        };
        let err = grid(&[axis("a", 901), axis("b", 1000)], false).unwrap_err();
        assert!(
            err.reason.contains("901 × 1000 = 901000") && err.reason.contains("10000"),
            "{err}"
        );
        let many: Vec<Axis> = (0..8).map(|i| axis(&format!("k{i}"), 1000)).collect();
        assert!(
            grid(&many, false).is_err(),
            "a product that overflows usize is refused"
        );
        assert!(grid(&[axis("a", 20_000), axis("b", 20_000)], true).is_err());
        assert!(grid(&[axis("a", 0)], false).is_err());
    }

    use super::*;

    fn axis(arg: &str) -> Axis {
        match parse_set(arg).unwrap() {
            SetArg::Axis(a) => a,
            SetArg::Fixed(f) => panic!("{f} is not an axis"),
        }
    }

    #[test]
    fn lists_ranges_and_fixed_values_parse() {
        assert_eq!(axis("stage.x.servers=1, 2,3").values, ["1", "2", "3"]);
        assert_eq!(axis("a.b=2..10:4").values, ["2", "6", "10"]);
        assert_eq!(axis("a.b=2..11:4").values, ["2", "6", "10"]);
        assert_eq!(
            axis("a.b=0.1..0.5:0.1").values,
            ["0.1", "0.2", "0.3", "0.4", "0.5"]
        );
        assert_eq!(axis("a.b=1..2:0.5").values, ["1.0", "1.5", "2.0"]);
        assert_eq!(axis("a.b=3..3:1").values, ["3"]);
        assert_eq!(parse_set("a.b=7").unwrap(), SetArg::Fixed("a.b=7".into()));
        assert_eq!(
            parse_set("a.b=[1,2]").unwrap(),
            SetArg::Fixed("a.b=[1,2]".into())
        );
    }

    #[test]
    fn bad_sets_say_what_is_wrong() {
        for (arg, says) in [
            ("a.b=5..1:1", "empty range"),
            ("a.b=1..5:0", "step must be > 0"),
            ("a.b=1..x:1", "not a number"),
            ("a.b=1,,2", "empty"),
            ("run.seed=1,2", "--reps / --seed"),
            ("novalue", "KEY=VALUES"),
        ] {
            let e = parse_set(arg).unwrap_err();
            assert!(e.to_string().contains(says), "{arg}: {e}");
        }
    }

    #[test]
    fn grids_are_row_major_and_zips_pair() {
        let a = Axis {
            key: "a".into(),
            values: vec!["1".into(), "2".into()],
        };
        let b = Axis {
            key: "b".into(),
            values: vec!["x".into(), "y".into()],
        };
        let g = grid(&[a.clone(), b.clone()], false).unwrap();
        assert_eq!(
            g.points,
            [["1", "x"], ["1", "y"], ["2", "x"], ["2", "y"]].map(|p| p.map(String::from).to_vec())
        );
        let z = grid(&[a.clone(), b], true).unwrap();
        assert_eq!(
            z.points,
            [["1", "x"], ["2", "y"]].map(|p| p.map(String::from).to_vec())
        );
        let c = Axis {
            key: "c".into(),
            values: vec!["1".into()],
        };
        assert!(
            grid(&[a.clone(), c], true)
                .unwrap_err()
                .reason
                .contains("--zip")
        );
        assert!(
            grid(&[a.clone(), a], false)
                .unwrap_err()
                .reason
                .contains("twice")
        );
        assert_eq!(grid(&[], false).unwrap().points.len(), 1);
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
