//! The report of a sensitivity analysis: the tornado chart (each uncertain input's effect at
//! its low and high end, largest first, with 95% CIs) and its table.

use super::chart::{self, Labels, Value};
use super::page::{Block, Figure, Report, Section, Table};
use super::words::{bare, bare_like, ci_cell, plain};
use crate::results::figures::Level;
use crate::results::sensitivity::Sensitivity;

/// The tornado: two bars per input (its low end, then its high end), largest swing on top.
fn tornado(doc: &Sensitivity) -> Figure {
    let mut cats = Vec::new();
    let mut vals = Vec::new();
    for i in &doc.inputs {
        let Some(e) = i.effects.first() else {
            continue;
        };
        for (end, x, l) in [("low", i.low, &e.at_low), ("high", i.high, &e.at_high)] {
            cats.push(format!("{} {end} ({})", i.key, plain(x)));
            vals.push(Value {
                value: l.mean,
                ci95: l.ci95,
            });
        }
    }
    let what = doc.metric.words();
    let title = format!("Tornado: change in the {what} when one input moves to an end");
    let labels = Labels::new(
        "chart-tornado",
        &title,
        &format!("change from the base [{}] (whisker: 95% CI)", doc.unit),
        "",
    );
    let reading = match doc.inputs.first() {
        Some(top) => {
            let e = top.effects.first();
            format!(
                "The {what} is most sensitive to {} ({} to {}): {} at its low end and {} at its high end; {} of {} inputs move it beyond simulation noise.",
                top.key,
                plain(top.low),
                plain(top.high),
                e.map_or("—".to_string(), |e| signed(e.at_low.mean, &doc.unit)),
                e.map_or("—".to_string(), |e| signed(e.at_high.mean, &doc.unit)),
                doc.inputs
                    .iter()
                    .filter(|i| i
                        .effects
                        .first()
                        .is_some_and(|e| e.low_significant || e.high_significant))
                    .count(),
                doc.inputs.len()
            )
        }
        None => "No input has a range.".to_string(),
    };
    Figure {
        svg: chart::difference_chart(&labels, &cats, &vals),
        title,
        reading,
    }
}

fn signed(x: f64, unit: &str) -> String {
    let s = bare(x, unit);
    let s = if x > 0.0 && !s.starts_with('-') {
        format!("+{s}")
    } else {
        s
    };
    format!("{s} {unit}")
}

/// Every input's ends and effects on the figure ordered by.
fn table(doc: &Sensitivity) -> Table {
    let header = [
        "input",
        "value",
        "low → high",
        "at low",
        "95% CI",
        "at high",
        "95% CI",
        "where the range comes from",
    ]
    .map(String::from)
    .to_vec();
    let rows = doc
        .inputs
        .iter()
        .filter_map(|i| {
            let e = i.effects.first()?;
            let d = |l: &Level| bare_like(l.mean, &e.unit, l.mean);
            let c = |l: &Level| ci_cell(l.ci95, |x| bare_like(x, &e.unit, l.mean));
            Some(vec![
                i.key.clone(),
                plain(i.value),
                format!("{} → {}", plain(i.low), plain(i.high)),
                d(&e.at_low),
                c(&e.at_low),
                d(&e.at_high),
                c(&e.at_high),
                i.source.clone().unwrap_or_else(|| "—".into()),
            ])
        })
        .collect();
    Table { header, rows }
}

/// The report of a sensitivity analysis.
pub fn build(doc: &Sensitivity) -> Report {
    let figure = tornado(doc);
    let base = doc
        .base
        .first()
        .map(|b| {
            format!(
                "Base: {} {} {} (95% CI {}).",
                b.metric.words(),
                bare(b.level.mean, &b.unit),
                b.unit,
                ci_cell(b.level.ci95, |x| bare(x, &b.unit))
            )
        })
        .unwrap_or_default();
    Report {
        title: format!("Sensitivity of {}", doc.scenario.name),
        subtitle: format!(
            "{} uncertain input(s), {} runs × {} paired replications, seed {}, clearsim {}.",
            doc.inputs.len(),
            doc.runs,
            doc.replications,
            doc.seed,
            doc.clearsim_version
        ),
        sections: super::compare_report::warnings_section(&doc.warnings)
            .into_iter()
            .chain([
            Section {
                heading: "Key findings".into(),
                blocks: vec![
                    Block::Findings(vec![figure.reading.clone(), base]),
                    Block::Note(doc.covers.clone()),
                ],
            },
            Section {
                heading: "Tornado".into(),
                blocks: vec![
                    Block::Figure(figure),
                    Block::Table(table(doc)),
                    Block::Note(
                        "One at a time: each input moves alone while the others keep their values, so the bars do not add up to what moving several inputs together gives (see --uncertainty for that).".into(),
                    ),
                ],
            },
            ])
            .collect(),
    }
}
