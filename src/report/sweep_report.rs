//! The report of a sweep (each headline figure against the swept parameter, with its 95% CI
//! band, one line per value of the other parameters) and of a stress test (the limited figure
//! against the demand multiplier, the limit and the maximum found), built from their JSON.

use super::chart::{self, Guide, Labels, Point, Series};
use super::page::{Block, Figure, Report, Section, Table};
use super::words::{ci_cell, interval, metric_words, short, value};
use crate::results::stress::{Outcome, StressResult};
use crate::results::sweep::{PointMetric, SweepPoint, SweepSummary};

/// The section of a sweep with a baseline: every point's difference from it on the first
/// headline figures, and a chart of the first.
fn baseline_section(doc: &SweepSummary) -> Option<Section> {
    let b = doc.baseline?;
    let base = doc.points.get(b)?;
    let label = |p: &SweepPoint| {
        let at: Vec<String> = doc
            .parameters
            .iter()
            .zip(&p.values)
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        format!("{}: {}", p.index, at.join(", "))
    };
    let shown: Vec<&PointMetric> = base.metrics.iter().take(4).collect();
    let mut header: Vec<String> = vec!["point".into()];
    for m in &shown {
        header.push(format!("{} − baseline [{}]", m.metric, m.unit));
        header.push("95% CI".into());
    }
    let rows = doc
        .points
        .iter()
        .map(|p| {
            let mut row = vec![label(p)];
            for m in p.metrics.iter().take(4) {
                match &m.vs_baseline {
                    Some(d) => {
                        row.push(format!(
                            "{}{}",
                            short(d.mean),
                            if d.significant { " *" } else { "" }
                        ));
                        row.push(ci_cell(d.ci95, short));
                    }
                    None => {
                        row.push("—".into());
                        row.push("—".into());
                    }
                }
            }
            row
        })
        .collect();
    let first = base.metrics.first()?;
    let cats: Vec<String> = doc.points.iter().map(label).collect();
    let vals: Vec<chart::Value> = doc
        .points
        .iter()
        .map(|p| {
            let d = p.metrics.first().and_then(|m| m.vs_baseline.as_ref());
            chart::Value {
                value: d.map_or(f64::NAN, |d| d.mean),
                ci95: d.and_then(|d| d.ci95),
            }
        })
        .collect();
    let title = format!("{}: every point minus point {b}", first.metric.words());
    let labels = Labels::new(
        "chart-sweep-baseline",
        &title,
        &format!("point − baseline [{}] (whisker: 95% CI)", first.unit),
        "",
    );
    let real = doc
        .points
        .iter()
        .filter(|p| {
            p.metrics
                .first()
                .and_then(|m| m.vs_baseline.as_ref())
                .is_some_and(|d| d.significant)
        })
        .count();
    let reading = format!(
        "{real} of {} points differ from the baseline point {b} ({}) on the {} at the 95% level.",
        doc.points.len(),
        label(base),
        first.metric.words()
    );
    Some(Section {
        heading: format!("Against the baseline (point {b})"),
        blocks: vec![
            Block::Text(format!(
                "Every point minus the baseline point {}, replication by replication (every point runs with the same seeds: common random numbers); * the 95% CI excludes 0. 95% CI: simulation noise only, not uncertainty about the inputs.",
                label(base)
            )),
            Block::Figure(Figure {
                title,
                svg: chart::difference_chart(&labels, &cats, &vals),
                reading,
            }),
            Block::Table(Table { header, rows }),
        ],
    })
}

fn facts(version: &str, sha: &str, reps: u32, seed: u64) -> String {
    format!(
        "{reps} replication(s) per point, seed {seed} (the same seeds at every point: common random numbers); clearsim {version}; scenario file SHA-256 {}",
        sha.get(..12).unwrap_or(sha)
    )
}

/// The lines of one metric's chart: x from the first parameter (its values as numbers, or their
/// order when they are not numbers), one line per combination of the other parameters.
fn sweep_series(doc: &SweepSummary, metric: usize) -> (Vec<Series>, bool) {
    let xs: Vec<&str> = {
        let mut seen: Vec<&str> = Vec::new();
        for p in &doc.points {
            let v = p.values.first().map_or("", String::as_str);
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        seen
    };
    let numeric = xs
        .iter()
        .all(|v| v.parse::<f64>().is_ok_and(f64::is_finite));
    let x_of = |v: &str| -> f64 {
        if numeric {
            v.parse().unwrap_or(0.0)
        } else {
            xs.iter().position(|x| *x == v).unwrap_or(0) as f64 + 1.0
        }
    };
    let mut series: Vec<Series> = Vec::new();
    for p in &doc.points {
        let label = doc
            .parameters
            .iter()
            .zip(&p.values)
            .skip(1)
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        let Some(m) = p.metrics.get(metric) else {
            continue;
        };
        let point = Point {
            x: x_of(p.values.first().map_or("", String::as_str)),
            y: m.level.mean,
            ci95: m.level.ci95,
        };
        match series.iter_mut().find(|s| s.label == label) {
            Some(s) => s.points.push(point),
            None => series.push(Series {
                label,
                points: vec![point],
            }),
        }
    }
    for s in &mut series {
        s.points.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    (series, numeric)
}

fn at_point(doc: &SweepSummary, p: &SweepPoint) -> String {
    if doc.parameters.is_empty() {
        return "the only point".to_string();
    }
    doc.parameters
        .iter()
        .zip(&p.values)
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The reading of one metric across the sweep: its lowest and highest point.
fn sweep_reading(doc: &SweepSummary, metric: usize) -> String {
    let with: Vec<(&SweepPoint, &PointMetric)> = doc
        .points
        .iter()
        .filter_map(|p| p.metrics.get(metric).map(|m| (p, m)))
        .collect();
    let Some(first) = with.first() else {
        return "Nothing was measured.".to_string();
    };
    let name = first.1.metric.words();
    if with.len() == 1 {
        return format!(
            "{} is {} {} at {}.",
            super::words::capitalised(&name),
            value(first.1.level.mean, &first.1.unit),
            ci_text(first.1.level.ci95, &first.1.unit),
            at_point(doc, first.0)
        );
    }
    let lo = with
        .iter()
        .min_by(|a, b| a.1.level.mean.total_cmp(&b.1.level.mean))
        .expect("not empty");
    let hi = with
        .iter()
        .max_by(|a, b| a.1.level.mean.total_cmp(&b.1.level.mean))
        .expect("not empty");
    format!(
        "{} ranges from {} {} at {} to {} {} at {}.",
        super::words::capitalised(&name),
        value(lo.1.level.mean, &lo.1.unit),
        ci_text(lo.1.level.ci95, &lo.1.unit),
        at_point(doc, lo.0),
        value(hi.1.level.mean, &hi.1.unit),
        ci_text(hi.1.level.ci95, &hi.1.unit),
        at_point(doc, hi.0)
    )
}

fn ci_text(ci: Option<[f64; 2]>, unit: &str) -> String {
    match ci {
        Some([lo, hi]) => format!("(95% CI {})", interval(lo, hi, |x| value(x, unit))),
        None => "(one replication: no confidence interval)".to_string(),
    }
}

/// Chart ids of a sweep report with `metrics` headline figures.
pub fn sweep_chart_ids(metrics: usize) -> Vec<String> {
    (0..metrics).map(|i| format!("chart-sweep-{i}")).collect()
}

/// The report of a sweep.
pub fn build_sweep(doc: &SweepSummary) -> Report {
    let metrics = doc.points.first().map_or(0, |p| p.metrics.len());
    let x_key = doc.parameters.first().cloned().unwrap_or_default();
    let mut figures = Vec::new();
    let mut non_numeric = false;
    for (i, id) in sweep_chart_ids(metrics).into_iter().enumerate() {
        let (series, numeric) = sweep_series(doc, i);
        non_numeric |= !numeric;
        let m = &doc.points[0].metrics[i];
        let unit = if m.unit.is_empty() { "-" } else { &m.unit };
        let title = format!("{} against {}", m.metric.words(), name_or(&x_key));
        let labels = Labels::new(
            &id,
            &title,
            &if numeric {
                name_or(&x_key)
            } else {
                format!("{} (order of the values)", name_or(&x_key))
            },
            &format!("{} [{unit}]", m.metric),
        );
        figures.push(Block::Figure(Figure {
            title,
            svg: chart::line_chart_with_band(&labels, &series),
            reading: sweep_reading(doc, i),
        }));
    }
    if non_numeric {
        figures.push(Block::Note(format!(
            "{x_key} takes values that are not numbers: they are drawn in the order given."
        )));
    }
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(doc.parameters.iter().cloned());
    let shown: Vec<&PointMetric> = doc
        .points
        .first()
        .map(|p| p.metrics.iter().take(4).collect())
        .unwrap_or_default();
    for m in &shown {
        header.push(format!("{} [{}]", m.metric, m.unit));
        header.push("95% CI".into());
    }
    let rows = doc
        .points
        .iter()
        .map(|p| {
            let mut row = vec![p.index.to_string()];
            row.extend(p.values.iter().cloned());
            for m in p.metrics.iter().take(4) {
                row.push(short(m.level.mean));
                row.push(ci_cell(m.level.ci95, short));
            }
            row
        })
        .collect();
    let findings = (0..metrics.min(3)).map(|i| sweep_reading(doc, i)).collect();
    let mut sections = vec![
        Section {
            heading: "Findings".into(),
            blocks: vec![Block::Findings(findings)],
        },
        Section {
            heading: "Headline figures against the swept parameter".into(),
            blocks: figures,
        },
        Section {
            heading: "Every point".into(),
            blocks: vec![Block::Table(Table { header, rows })],
        },
    ];
    if let Some(section) = baseline_section(doc) {
        sections.insert(2, section);
    }
    if !doc.fixed.is_empty() {
        sections.push(Section {
            heading: "Settings at every point".into(),
            blocks: vec![Block::Text(format!("--set {}", doc.fixed.join(", --set ")))],
        });
    }
    Report {
        title: format!("Sweep of {}", doc.scenario.name),
        subtitle: facts(
            &doc.clearsim_version,
            &doc.scenario.sha256,
            doc.replications,
            doc.seed,
        ),
        sections,
    }
}

fn name_or(key: &str) -> String {
    if key.is_empty() {
        "point".to_string()
    } else {
        key.to_string()
    }
}

/// Chart id of a stress report.
pub const STRESS_CHART: &str = "chart-stress";

/// The report of a stress test.
pub fn build_stress(doc: &StressResult) -> Report {
    let limit: Option<crate::experiment::stress::Limit> = doc.limit.parse().ok();
    let metric = limit
        .as_ref()
        .map_or(doc.limit.clone(), |l| l.metric.clone());
    let metric_words = |m: &str| -> String {
        match m
            .strip_prefix("stages.")
            .and_then(|r| r.rsplit_once(".wait_hours."))
        {
            Some((stage, "mean")) => format!("mean wait at {stage}"),
            Some((stage, q)) => format!("{q} wait at {stage}"),
            None => metric_words(m),
        }
    };
    let unit = &doc.unit;
    let m = &doc.max_multiplier;
    let per_day = &doc.max_demand_per_day;
    let day = |x: f64| format!("{x:.0}");
    let headline = match doc.outcome {
        Outcome::Found => format!(
            "The largest demand that keeps {} and a stable system is {} × today's ({} per day), 95% CI {}.",
            doc.limit,
            short(m.mean),
            day(per_day.mean),
            match per_day.ci95 {
                Some([lo, hi]) => format!("{}–{} per day", day(lo), day(hi)),
                None => "not available with one replication".into(),
            }
        ),
        Outcome::AtUpperEnd => format!(
            "Demand up to {} × today's ({} per day) keeps {} in every replication: the top of what was searched{}; the true maximum is at least that.",
            short(m.mean),
            day(per_day.mean),
            doc.limit,
            if m.mean >= doc.stability_bound * 0.99 {
                " (just below the stability bound, where the busiest station's load reaches 1)"
            } else {
                ""
            }
        ),
        Outcome::CappedByStability => format!(
            "Capped by stability at {} × today's demand ({} per day): {} still holds there, but more demand is not sustainable (the busiest station's offered load reaches 0.99 without its backlog draining).",
            short(m.mean),
            day(per_day.mean),
            doc.limit
        ),
        Outcome::NoneAcceptable => format!(
            "Even {} × today's demand fails {} in some replication: lower the bottom of --range.",
            short(doc.range[0]),
            doc.limit
        ),
    };
    let mut findings = vec![headline];
    let at = &doc.at_maximum;
    if let Some(b) = &at.bottleneck {
        findings.push(format!(
            "There, {} is the bottleneck: utilisation {} {}.",
            b.station,
            super::words::percent(b.utilization.mean),
            match b.utilization.ci95 {
                Some([lo, hi]) => format!(
                    "(95% CI {}–{})",
                    super::words::percent(lo),
                    super::words::percent(hi)
                ),
                None => String::new(),
            }
        ));
    }
    if let Some(d) = &at.drain_hours {
        findings.push(format!(
            "After the peak, the backlog drains in {} h {} ({} of {} replications drained before the horizon).",
            short(d.mean),
            ci_text(d.ci95, "h"),
            at.drained_replications,
            doc.replications
        ));
    }
    // Near the stability bound the figure explodes; the chart stops at the first point beyond
    // three times the limit, so the limit stays readable (the table lists every point).
    let bound = limit
        .as_ref()
        .map_or(f64::INFINITY, |l| 3.0 * l.value.abs());
    let shown = doc
        .curve
        .iter()
        .position(|p| p.value.mean > bound)
        .map_or(doc.curve.len(), |i| i + 1);
    let series = vec![Series {
        label: String::new(),
        points: doc.curve[..shown]
            .iter()
            .filter(|p| p.value.mean.is_finite())
            .map(|p| Point {
                x: p.multiplier,
                y: p.value.mean,
                ci95: p.value.ci95,
            })
            .collect(),
    }];
    let labels = Labels::new(
        STRESS_CHART,
        &format!("{} against demand", metric_words(&metric)),
        "demand multiplier (× the scenario's demand)",
        &format!("{metric} [{}]", if unit.is_empty() { "-" } else { unit }),
    );
    let limit_guide = Guide {
        at: limit.as_ref().map_or(f64::NAN, |l| l.value),
        label: format!("limit {}", doc.limit),
    };
    let marker = Guide {
        at: m.mean,
        label: format!("maximum {}", short(m.mean)),
    };
    let svg = chart::line_chart_with_limit(&labels, &series, &limit_guide, Some(&marker));
    let reading = format!(
        "{} rises from {} at {} × demand to {} at {} ×; the limit is {}, met up to {} × (95% CI {}).",
        super::words::capitalised(&metric_words(&metric)),
        doc.curve
            .first()
            .map_or("-".into(), |p| value(p.value.mean, unit)),
        doc.curve
            .first()
            .map_or("-".into(), |p| short(p.multiplier)),
        doc.curve
            .last()
            .map_or("-".into(), |p| value(p.value.mean, unit)),
        doc.curve.last().map_or("-".into(), |p| short(p.multiplier)),
        doc.limit,
        short(m.mean),
        match m.ci95 {
            Some([lo, hi]) => interval(lo, hi, short),
            None => "not available".into(),
        }
    );
    let rows = doc
        .curve
        .iter()
        .map(|p| {
            vec![
                short(p.multiplier),
                day(p.demand_per_day),
                short(p.value.mean),
                ci_cell(p.value.ci95, short),
                super::words::percent(p.acceptable_share),
                format!("{:.3}", p.max_offered_load),
            ]
        })
        .collect();
    Report {
        title: format!("Stress test of {}", doc.scenario.name),
        subtitle: format!(
            "{} replication(s), seed {}; multipliers {}–{} searched (stability bound {}); clearsim {}; scenario file SHA-256 {}",
            doc.replications,
            doc.seed,
            short(doc.range[0]),
            short(doc.range[1]),
            short(doc.stability_bound),
            doc.clearsim_version,
            doc.scenario.sha256.get(..12).unwrap_or(&doc.scenario.sha256)
        ),
        sections: vec![
            Section {
                heading: "Findings".into(),
                blocks: vec![Block::Findings(findings)],
            },
            Section {
                heading: "The limited figure against demand".into(),
                blocks: vec![
                    Block::Figure(Figure {
                        title: format!("{} against demand", metric_words(&metric)),
                        svg,
                        reading,
                    }),
                    Block::Table(Table {
                        header: vec![
                            "multiplier".into(),
                            "demand per day".into(),
                            format!("{metric} [{unit}]"),
                            "95% CI".into(),
                            "acceptable".into(),
                            "highest load ρ".into(),
                        ],
                        rows,
                    }),
                    Block::Note(
                        "Acceptable: the limit is met and the system is stable (every offered load below 1; in a parcel world, the backlog not still growing at the end of the horizon). Each replication's maximum is found by bisection; their mean gets a Student-t interval.".into(),
                    ),
                ],
            },
        ],
    }
}
