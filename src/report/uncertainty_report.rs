//! The report's section on `--uncertainty`: the band of every figure over plausible inputs,
//! set beside the noise-only 95% CI, and for a comparison how often each decision holds.

use super::chart::{self, Labels, Value};
use super::page::{Block, Figure, Section, Table};
use super::words::{bare_like, capitalised, interval, unit_again, value};
use crate::results::Metric;
use crate::results::compare::Comparison;
use crate::results::run::RunSummary;
use crate::results::uncertainty::Band;

/// The figure the section's chart and sentence are about: mean clearance when there is one.
fn headline_band(bands: &[Band]) -> Option<&Band> {
    bands
        .iter()
        .find(|b| b.metric == Metric::ClearanceMean || b.metric == Metric::TimeInSystemMean)
        .or(bands.first())
}

fn short_unit(unit: &str) -> &str {
    if unit == "share" { "pp" } else { unit }
}

/// What the draws were, in a sentence.
fn draws_sentence(draws: usize, method: &str, inputs: &[String], paired: &str) -> String {
    format!(
        "{} {} draws of {} uncertain input(s){paired}, each draw run with all the replications on the same seeds: {}.",
        draws,
        method,
        inputs.len(),
        inputs.join(", ")
    )
}

/// Bars of the headline figure: its value with the noise CI, then the band's median with
/// the 5–95% band as whisker, so the two widths can be set side by side.
fn band_figure(
    id: &str,
    title: &str,
    axis: String,
    plain: Value,
    b: &Band,
    reading: String,
) -> Figure {
    let categories = vec![
        "file's values: 95% CI (noise)".to_string(),
        "plausible inputs: 5–95% band".to_string(),
    ];
    let band = Value {
        value: b.p50,
        ci95: Some([b.p5, b.p95]),
    };
    let labels = Labels::new(id, title, &axis, "");
    Figure {
        title: title.to_string(),
        svg: chart::difference_chart(&labels, &categories, &[plain, band]),
        reading,
    }
}

/// The section "Over plausible inputs" of `blocks`, closed by what the band covers, with its
/// key finding (no section without one).
fn finished(
    covers: &str,
    mut blocks: Vec<Block>,
    finding: Option<String>,
) -> Option<(Section, String)> {
    blocks.push(Block::Note(covers.to_string()));
    Some((
        Section {
            heading: "Over plausible inputs".into(),
            blocks,
        },
        finding?,
    ))
}

/// The section of a run with `--uncertainty`, and its key finding.
pub fn run_section(doc: &RunSummary) -> Option<(Section, String)> {
    let u = doc.uncertainty.as_ref()?;
    let rows = u
        .bands
        .iter()
        .map(|b| {
            let f = |x: f64| value(x, &b.unit);
            vec![b.metric.words(), f(b.p5), f(b.p50), f(b.p95)]
        })
        .collect();
    let mut blocks = vec![
        Block::Text(format!(
            "Over plausible inputs: {}",
            draws_sentence(u.draws, &u.method, &u.inputs, "")
        )),
        Block::Table(Table {
            header: vec!["figure".into(), "5%".into(), "median".into(), "95%".into()],
            rows,
        }),
    ];
    let s = doc.headline();
    let finding = headline_band(&u.bands).map(|b| {
        let f = |x: f64| bare_like(x, &b.unit, b.p50);
        let noise = match s.ci95 {
            Some([lo, hi]) if b.metric.is_mean() => format!(
                "; at the file's values it is {} with a 95% CI of {} {} (simulation noise only)",
                value(s.mean, &b.unit),
                interval(lo, hi, f),
                unit_again(&b.unit)
            ),
            _ => String::new(),
        };
        format!(
            "Over plausible inputs the {} ranges from {} to {} {} (5–95% band of {} draws){noise}.",
            b.metric.words(),
            f(b.p5),
            f(b.p95),
            unit_again(&b.unit),
            u.draws
        )
    });
    if let (Some(b), Some(reading)) = (headline_band(&u.bands), &finding)
        && b.metric.is_mean()
    {
        blocks.push(Block::Figure(band_figure(
            "uncertainty-band",
            &format!(
                "{}: noise and plausible inputs",
                capitalised(&b.metric.words())
            ),
            format!("{} [{}]", b.metric.words(), b.unit),
            Value {
                value: s.mean,
                ci95: s.ci95,
            },
            b,
            reading.clone(),
        )));
    }
    finished(&u.covers, blocks, finding)
}

/// The section of a comparison with `--uncertainty`, and its key finding.
pub fn compare_section(doc: &Comparison) -> Option<(Section, String)> {
    let u = doc.uncertainty.as_ref()?;
    let rows = u
        .bands
        .iter()
        .map(|b| {
            let f = |x: f64| bare_like(x, &b.unit, b.p50);
            let plain = doc
                .row(&b.metric)
                .map_or("—".into(), |r| f(r.difference.mean));
            let holds = u
                .decisions
                .iter()
                .find(|d| d.metric == b.metric)
                .map_or("—".into(), |d| format!("{} of {}", d.same_sign, d.draws));
            vec![
                format!("{} [{}]", b.metric.words(), short_unit(&b.unit)),
                plain,
                f(b.p5),
                f(b.p50),
                f(b.p95),
                holds,
            ]
        })
        .collect();
    let mut blocks = vec![
        Block::Text(format!(
            "Over plausible inputs: {}",
            draws_sentence(
                u.draws,
                &u.method,
                &u.inputs,
                ", A and B at the same draw each time"
            )
        )),
        Block::Table(Table {
            header: vec![
                "figure".into(),
                "B − A (file's values)".into(),
                "B − A 5%".into(),
                "median".into(),
                "95%".into(),
                "sign of B − A holds in".into(),
            ],
            rows,
        }),
    ];
    // A decision is the sign of a real difference: one whose noise CI excludes zero.
    let real: Vec<_> = u
        .decisions
        .iter()
        .filter(|d| doc.row(&d.metric).is_some_and(|r| r.significant))
        .collect();
    let held: Vec<String> = real
        .iter()
        .filter(|d| d.same_sign < d.draws)
        .map(|d| format!("the {} ({} of {})", d.metric.words(), d.same_sign, d.draws))
        .collect();
    let decisions = if real.is_empty() {
        String::new()
    } else if held.is_empty() {
        // No flip seen in n draws: the share of the inputs' space that flips it is below
        // 1 − 0.05^(1/n) with 95% confidence (about 3/n), not zero.
        let n = u.draws;
        let unseen = 1.0 - 0.05f64.powf(1.0 / n.max(1) as f64);
        format!(
            " Every real difference keeps its sign in {n} of {n} draws; {n} draws cannot rule out a flip over up to {:.0}% of the inputs' plausible combinations (95% upper bound), so more draws are needed for a stronger claim.",
            unseen * 100.0
        )
    } else {
        format!(
            " The sign of B − A changes in some draws for {}: that decision depends on inputs that are not known well enough.",
            held.join(", ")
        )
    };
    // A run that is not final says so before any claim about its inputs.
    let not_final = if doc.warnings.iter().any(|w| w.code == "not_filled") {
        "These runs have not filled the network (see the warnings), so the figures below are not final. "
    } else {
        ""
    };
    let finding = headline_band(&u.bands).map(|b| {
        let f = |x: f64| bare_like(x, &b.unit, b.p50);
        format!(
            "{not_final}Over plausible inputs, {} − {} in the {} runs from {} to {} {} (5–95% band of {} draws).{decisions}",
            doc.b.name,
            doc.a.name,
            b.metric.words(),
            f(b.p5),
            f(b.p95),
            unit_again(&b.unit),
            u.draws
        )
    });
    if let (Some(b), Some(reading)) = (headline_band(&u.bands), &finding)
        && let Some(r) = doc.row(&b.metric)
    {
        blocks.push(Block::Figure(band_figure(
            "uncertainty-band",
            &format!("B − A, {}: noise and plausible inputs", b.metric.words()),
            format!("B − A, {} [{}]", b.metric.words(), short_unit(&b.unit)),
            Value {
                value: r.difference.mean,
                ci95: r.difference.ci95,
            },
            b,
            reading.clone(),
        )));
    }
    finished(&u.covers, blocks, finding)
}
