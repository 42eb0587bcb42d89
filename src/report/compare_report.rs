//! The report of a comparison: each headline difference in plain words with its 95% CI, the
//! paired differences as charts, and both runs side by side on every run chart.

use super::chart::{self, Labels, Value};
use super::doc::Backlog;
use super::figures::{self, Side};
use super::page::{Block, Figure, Report, Section, Table};
use super::words::{
    BELOW_PRECISION, amount, bare, bare_like, below_precision, capitalised, ci_cell, hours,
    interval, money, name_words, percent, plain, short, unit_again, unit_words, value,
};
use crate::results::Metric;
use crate::results::compare::{CompareRow, Comparison, StationFigure, StationRow, SummaryPair};
use crate::results::run::{Bottleneck, RunSummary};

/// One headline difference in a sentence, e.g. "Paperless cuts the median clearance time by
/// 9.4 h (95% CI 8.9–9.9 h), from 20.1 h to 10.7 h."
pub fn row_sentence(b_name: &str, row: &CompareRow) -> String {
    let b = capitalised(b_name);
    let what = row.metric.words();
    let d = row.difference.mean;
    let unit = row.unit.as_str();
    let from_to = format!(
        "from {} to {}",
        value(row.a.mean, unit),
        value(row.b.mean, unit)
    );
    let signed = |x: f64| {
        let s = bare(x, unit);
        if x > 0.0 && !s.chars().all(|c| c == '0' || c == '.') {
            format!("+{s}")
        } else {
            s
        }
    };
    match row.difference.ci95 {
        None => format!(
            "{b} changes the {what} by {} {} ({from_to}); one replication gives no confidence interval.",
            signed(d),
            unit_words(unit)
        ),
        Some([lo, hi]) if row.significant => {
            let (verb, lo, hi) = if d < 0.0 {
                ("cuts", -hi, -lo)
            } else {
                ("raises", lo, hi)
            };
            format!(
                "{b} {verb} the {what} by {} (95% CI {} {}), {from_to}.",
                amount(d, unit),
                interval(lo, hi, |x| bare_like(x, unit, d)),
                unit_again(unit)
            )
        }
        Some(ci) if below_precision(row.significant, Some(ci)) => format!(
            "{b} changes the {what} by less than the precision it is written at ({} {}): {BELOW_PRECISION}.",
            signed(d),
            unit_words(unit)
        ),
        Some([lo, hi]) => format!(
            "{b} changes the {what} by {} {}, but the 95% CI ({} {}) includes zero: no real difference at this level.",
            signed(d),
            unit_words(unit),
            interval(lo, hi, |x| bare_like(x, unit, d)),
            unit_again(unit)
        ),
    }
}

fn rows_table(doc: &Comparison) -> Table {
    let mut header: Vec<String> = vec![
        "figure".into(),
        "A".into(),
        "B".into(),
        "B − A".into(),
        if doc.paired {
            "95% CI (paired)"
        } else {
            "95% CI (independent, Welch)"
        }
        .into(),
        "change".into(),
    ];
    if doc.paired {
        header.push("95% CI if unpaired".into());
    }
    header.push("real?".into());
    let mut rows: Vec<Vec<String>> = doc
        .rows
        .iter()
        .map(|r| {
            let u = r.unit.as_str();
            let f = |x: f64| bare(x, u);
            let d = |x: f64| bare_like(x, u, r.difference.mean);
            let mut row = vec![
                format!("{} [{}]", r.metric.words(), short_unit(u)),
                f(r.a.mean),
                f(r.b.mean),
                d(r.difference.mean),
                ci_cell(r.difference.ci95, d),
                if u == "share" {
                    format!("{} pp", d(r.difference.mean))
                } else {
                    percent(r.relative_change)
                },
            ];
            if doc.paired {
                row.push(ci_cell(r.independent_ci95, d));
            }
            row.push(
                if r.significant {
                    "yes"
                } else if below_precision(r.significant, r.difference.ci95) {
                    BELOW_PRECISION
                } else {
                    "no"
                }
                .into(),
            );
            row
        })
        .collect();
    for r in &doc.not_differenced {
        let mut row = vec![
            r.metric.words(),
            format!("{} {}", money(r.a.mean), r.unit_a),
            format!("{} {}", money(r.b.mean), r.unit_b),
            "—".into(),
            "not differenced: two currencies".into(),
            "—".into(),
        ];
        if doc.paired {
            row.push("—".into());
        }
        row.push("—".into());
        rows.push(row);
    }
    Table { header, rows }
}

/// The sentence of a money figure given in two currencies.
fn undifferenced_sentence(
    doc: &Comparison,
    r: &crate::results::compare::UndifferencedRow,
) -> String {
    format!(
        "{}: {} {} under {}, {} {} under {}; no difference is given: {}.",
        capitalised(&r.metric.words()),
        money(r.a.mean),
        r.unit_a,
        doc.a.name,
        money(r.b.mean),
        r.unit_b,
        doc.b.name,
        r.reason
    )
}

/// The line that says what every interval of the report covers.
pub const INTERVALS_COVER: &str = "Every interval is a 95% confidence interval of simulation noise across replications for these inputs: it does not cover uncertainty about the inputs themselves (demand, service times, costs).";

/// [`INTERVALS_COVER`], and when the document has `--uncertainty` bands, what they cover.
pub fn intervals_cover(with_bands: bool) -> String {
    if with_bands {
        format!(
            "{INTERVALS_COVER} The 5–95% bands of “Over plausible inputs” are not confidence intervals: they are the range the answer takes over plausible inputs."
        )
    } else {
        INTERVALS_COVER.to_string()
    }
}

fn short_unit(unit: &str) -> &str {
    match unit {
        "share" => "%",
        other => other,
    }
}

/// The chart of the paired differences measured in hours.
fn hours_figure(doc: &Comparison) -> Option<Figure> {
    let rows: Vec<&CompareRow> = doc.rows.iter().filter(|r| r.unit == "h").collect();
    if rows.is_empty() {
        return None;
    }
    let cats: Vec<String> = rows.iter().map(|r| r.metric.words()).collect();
    let vals: Vec<Value> = rows
        .iter()
        .map(|r| Value {
            value: r.difference.mean,
            ci95: r.difference.ci95,
        })
        .collect();
    let title = format!(
        "Paired differences in time, {} − {}",
        doc.b.name, doc.a.name
    );
    let labels = Labels::new(
        figures::DIFFERENCES,
        &title,
        "difference B − A [h] (whisker: 95% CI)",
        "",
    );
    let real = rows.iter().filter(|r| r.significant).count();
    let reading = format!(
        "Negative bars mean {} is faster. {} of the {} time figures differ at the 95% level (solid bars); a pale bar's interval includes zero.",
        doc.b.name,
        real,
        rows.len()
    );
    Some(Figure {
        svg: chart::difference_chart(&labels, &cats, &vals),
        title,
        reading,
    })
}

/// The chart of every paired difference relative to A's mean, with the interval of the ratio
/// of the means (which never reaches below −100%).
fn relative_figure(doc: &Comparison) -> Option<Figure> {
    let rows: Vec<&CompareRow> = doc.rows.iter().filter(|r| r.a.mean != 0.0).collect();
    if rows.is_empty() {
        return None;
    }
    let cats: Vec<String> = rows.iter().map(|r| r.metric.words()).collect();
    let vals: Vec<Value> = rows
        .iter()
        .map(|r| {
            let s = 100.0 / r.a.mean.abs();
            Value {
                value: r.difference.mean * s,
                ci95: r
                    .relative_change_ci95
                    .map(|[lo, hi]| [lo * 100.0, hi * 100.0]),
            }
        })
        .collect();
    let title = format!(
        "Every headline figure: change from {} to {}",
        doc.a.name, doc.b.name
    );
    let labels = Labels::new(
        figures::RELATIVE,
        &title,
        "change B − A [% of A] (whisker: 95% CI)",
        "",
    );
    let (i, top) = vals
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.value.abs().total_cmp(&b.1.value.abs()))?;
    let real = rows.iter().filter(|r| r.significant).count();
    let reading = format!(
        "{} of {} figures differ at the 95% level; the largest relative change is in the {}: {}{:.1}% of {}'s value{}.",
        real,
        rows.len(),
        cats[i],
        if top.value > 0.0 { "+" } else { "" },
        top.value,
        doc.a.name,
        match top.ci95 {
            Some([lo, hi]) => format!(" (95% CI {})", interval(lo, hi, |x| format!("{x:.1}%"))),
            None => String::new(),
        }
    );
    Some(Figure {
        svg: chart::difference_chart(&labels, &cats, &vals),
        title,
        reading,
    })
}

fn sentence_of(doc: &Comparison, metrics: &[Metric]) -> String {
    metrics
        .iter()
        .find_map(|m| doc.row(m))
        .map(|r| row_sentence(&doc.b.name, r))
        .unwrap_or_default()
}

fn trs_reading(a: &Side<'_>, b: &Side<'_>) -> String {
    let seg = |d: &RunSummary| -> Vec<(String, f64)> {
        figures::trs_segments(d)
            .iter()
            .map(|s| (s.name.clone(), s.time_in_stage_hours.mean))
            .collect()
    };
    let (sa, sb) = (seg(a.doc), seg(b.doc));
    let total = |s: &[(String, f64)]| s.iter().map(|x| x.1).sum::<f64>();
    let mut text = format!(
        "Mean clearance time: {} h under {}, {} h under {}",
        hours(total(&sa)),
        a.label,
        hours(total(&sb)),
        b.label
    );
    let biggest = sa
        .iter()
        .filter_map(|(n, va)| sb.iter().find(|(m, _)| m == n).map(|(_, vb)| (n, *va, *vb)))
        .max_by(|x, y| (x.2 - x.1).abs().total_cmp(&(y.2 - y.1).abs()));
    if let Some((n, va, vb)) = biggest.filter(|(_, va, vb)| va != vb) {
        text.push_str(&format!(
            "; the segment that changes most is {}: {} h → {} h",
            name_words(n),
            hours(va),
            hours(vb)
        ));
    }
    text.push('.');
    text
}

fn backlog_reading(sides: &[Side<'_>]) -> String {
    let parts: Vec<String> = sides
        .iter()
        .map(|s| {
            match s
                .backlog
                .and_then(|b| figures::backlog_peak(b, s.doc.warmup_hours))
            {
                Some((stage, hour, v)) => format!(
                    "under {}, {} with {} parcels at hour {}",
                    s.label,
                    name_words(&stage),
                    plain(v),
                    hour
                ),
                None => format!("under {}, no queue", s.label),
            }
        })
        .collect();
    format!(
        "Longest queue after the warm-up (mean of replications): {}.",
        parts.join("; ")
    )
}

fn utilisation_reading(doc: &Comparison, sides: &[Side<'_>]) -> String {
    let mut parts: Vec<String> = sides
        .iter()
        .map(|s| match &s.doc.bottleneck {
            Some(b) => format!("under {}, {}", s.label, bottleneck_words(b)),
            None => format!("under {}, no station with servers", s.label),
        })
        .collect();
    let mut text = format!(
        "Bottleneck (the station adding the most delay per parcel): {}.",
        parts.join("; ")
    );
    parts.clear();
    // Each station against itself, by name: never one station of A against another of B.
    for st in &doc.stations {
        let f = &st.utilization;
        let name = name_words(&st.station);
        match (&f.a, &f.b, &f.difference) {
            (Some(a), Some(b), Some(d)) if f.significant => parts.push(format!(
                "{name} {} from {} to {} ({} {} points)",
                if d.mean < 0.0 { "falls" } else { "rises" },
                percent(a.mean),
                percent(b.mean),
                if d.mean < 0.0 { "−" } else { "+" },
                bare(d.mean.abs(), "share")
            )),
            (Some(a), Some(_), _) => parts.push(format!(
                "{name} stays at about {} (no real difference)",
                percent(a.mean)
            )),
            (Some(a), None, _) => parts.push(format!(
                "{name} ({} under {}) is absent under {}",
                percent(a.mean),
                doc.a.name,
                doc.b.name
            )),
            (None, Some(b), _) => parts.push(format!(
                "{name} is absent under {} and {} under {}",
                doc.a.name,
                percent(b.mean),
                doc.b.name
            )),
            (None, None, _) => {}
        }
    }
    if !parts.is_empty() {
        text.push_str(&format!(
            " Utilisation, station by station: {}.",
            parts.join("; ")
        ));
    }
    text
}

/// A bottleneck in words: the delay it adds, the wait of those held, its utilisation.
pub fn bottleneck_words(b: &Bottleneck) -> String {
    let mut text = name_words(&b.station);
    if let (Some(d), Some(w), Some(p95)) = (
        &b.delay_per_parcel_hours,
        &b.mean_wait_hours,
        b.p95_wait_hours,
    ) {
        text.push_str(&format!(
            " adds {} h to the average parcel; the {} of parcels it holds wait {} h on average (p95 {} h); utilisation {}",
            hours(d.mean),
            percent(b.share_of_parcels.unwrap_or(0.0)),
            hours(w.mean),
            hours(p95),
            percent(b.utilization.mean)
        ));
    } else {
        text.push_str(&format!(" (utilisation {})", percent(b.utilization.mean)));
    }
    if let Some(l) = &b.longest_wait {
        text.push_str(&format!(
            "; parcels wait longest at {}: {} h on average (p95 {} h) for the {} held there",
            name_words(&l.station),
            hours(l.mean_wait_hours.mean),
            hours(l.p95_wait_hours),
            percent(l.share_of_parcels)
        ));
    }
    text
}

/// The warnings of a run or a comparison as a report section, or `None` when there are none.
pub fn warnings_section(warnings: &[crate::results::run::Warning]) -> Option<Section> {
    (!warnings.is_empty()).then(|| Section {
        heading: "Warning: these figures are not final".into(),
        blocks: vec![Block::Findings(
            warnings
                .iter()
                .map(|w| format!("{} [{}]", capitalised(&w.message), w.code))
                .collect(),
        )],
    })
}

/// A table of one figure per row for A and B; a figure one side lacks is `absent`. Shares
/// (`f` = [`percent`]) are differenced in percentage points.
fn side_by_side(
    header: &str,
    names: [&str; 2],
    rows: Vec<(String, Option<f64>, Option<f64>)>,
    f: impl Fn(f64) -> String,
) -> Table {
    let share = f(0.5).ends_with('%');
    let side = |v: Option<f64>| v.map_or("absent".to_string(), &f);
    let cell = |v: Option<f64>| {
        v.map_or("—".to_string(), |x| {
            if share {
                format!("{} pp", bare(x, "share"))
            } else {
                f(x)
            }
        })
    };
    Table {
        header: vec![
            header.to_string(),
            names[0].to_string(),
            names[1].to_string(),
            "B − A".into(),
        ],
        rows: rows
            .into_iter()
            .map(|(n, a, b)| {
                let d = a.zip(b).map(|(a, b)| b - a);
                vec![n, side(a), side(b), cell(d)]
            })
            .collect(),
    }
}

/// The headline differences: how A and B were run, the table and charts of every difference.
fn headline_section(doc: &Comparison) -> Section {
    let how = if doc.paired {
        format!(
            "A = {}, B = {}. Both ran the same {} replication(s) with seed {}: the same parcels in both (common random numbers), so each difference is taken replication by replication.",
            doc.a.name, doc.b.name, doc.replications, doc.seed
        )
    } else {
        format!(
            "A = {}, B = {}, {} replication(s) each with seed {}. Not paired: {}. Each difference and its interval are therefore of independent samples (Welch).",
            doc.a.name,
            doc.b.name,
            doc.replications,
            doc.seed,
            if doc.pairing.is_empty() {
                "A and B do not share their demand"
            } else {
                doc.pairing.as_str()
            }
        )
    };
    let mut blocks = vec![
        Block::Text(format!(
            "{how} A 95% confidence interval that excludes zero means the difference is real at that level."
        )),
        Block::Table(rows_table(doc)),
    ];
    for f in [hours_figure(doc), relative_figure(doc)]
        .into_iter()
        .flatten()
    {
        blocks.push(Block::Figure(f));
    }
    if doc.paired {
        blocks.push(Block::Note(
            "“95% CI if unpaired” is the interval that independent seeds would have given: compare its width with the paired one to see what pairing gains.".into(),
        ));
    }
    if let Some(r) = doc.not_differenced.first() {
        blocks.push(Block::Note(format!(
            "Money figures are shown each in its own currency and not differenced: {}.",
            r.reason
        )));
    }
    Section {
        heading: "Headline differences".into(),
        blocks,
    }
}

/// The sections that draw A's and B's runs side by side (durations, TRS segments, backlog,
/// stations, network, cost), adding their readings to `findings`.
fn side_by_side_sections(
    doc: &Comparison,
    s: &SummaryPair,
    backlogs: [Option<&Backlog>; 2],
    findings: &mut Vec<String>,
) -> Vec<Section> {
    let mut sections = Vec::new();
    let sides = [
        Side {
            label: &doc.a.name,
            doc: &s.a,
            backlog: backlogs[0],
        },
        Side {
            label: &doc.b.name,
            doc: &s.b,
            backlog: backlogs[1],
        },
    ];
    let world = s.a.is_world() && s.b.is_world();
    let names = [doc.a.name.as_str(), doc.b.name.as_str()];
    let (noun, _) = figures::headline_words(&s.a);

    let mut blocks = Vec::new();
    let hist = figures::histogram(
        &sides,
        sentence_of(doc, &[Metric::ClearanceP50, Metric::TimeInSystemP50]),
    );
    let cdf = figures::cdf(
        &sides,
        sentence_of(doc, &[Metric::ReleasedWithin24h, Metric::TimeInSystemP95]),
    );
    blocks.extend(hist.into_iter().chain(cdf).map(Block::Figure));
    let stat_rows =
        |f: fn(&crate::results::figures::Stat) -> f64| (f(s.a.headline()), f(s.b.headline()));
    let mut rows = Vec::new();
    for (label, f) in [
        (
            "mean",
            (|x: &crate::results::figures::Stat| x.mean)
                as fn(&crate::results::figures::Stat) -> f64,
        ),
        ("median (p50)", |x| x.p50),
        ("p90", |x| x.p90),
        ("p95", |x| x.p95),
        ("p99", |x| x.p99),
    ] {
        let (a, b) = stat_rows(f);
        rows.push((label.to_string(), Some(a), Some(b)));
    }
    blocks.push(Block::Table(side_by_side(
        &format!("{noun} [h]"),
        names,
        rows,
        hours,
    )));
    blocks.push(Block::Note(
        "Quantiles here are of all observations pooled over replications; those of the headline table are means of each replication's own quantile, so the two can differ slightly.".into(),
    ));
    sections.push(Section {
        heading: format!("{} side by side", capitalised(noun)),
        blocks,
    });

    if world {
        let mut blocks = Vec::new();
        if let Some(f) = figures::trs(&sides, trs_reading(&sides[0], &sides[1])) {
            findings.push(f.reading.clone());
            blocks.push(Block::Figure(f));
        }
        let segs: Vec<(String, Option<f64>, Option<f64>)> = figures::trs_segments(&s.a)
            .iter()
            .map(|sa| {
                let b = figures::trs_segments(&s.b)
                    .iter()
                    .find(|sb| sb.name == sa.name)
                    .map(|sb| sb.time_in_stage_hours.mean);
                (name_words(&sa.name), Some(sa.time_in_stage_hours.mean), b)
            })
            .collect();
        blocks.push(Block::Table(side_by_side(
            "segment, mean [h]",
            names,
            segs,
            hours,
        )));
        sections.push(Section {
            heading: "Time Release Study segments".into(),
            blocks,
        });

        let mut blocks = Vec::new();
        match figures::backlog(&sides, backlog_reading(&sides)) {
            Some(f) => {
                findings.push(f.reading.clone());
                blocks.push(Block::Figure(f));
            }
            None => blocks.push(Block::Note(
                "No backlog: a saved comparison document does not hold it. Use `clearsim compare … --report FILE.html` to draw it.".into(),
            )),
        }
        sections.push(Section {
            heading: "Backlog over time".into(),
            blocks,
        });
    }

    sections.push(stations_section(doc, &sides, names, world, findings));
    if let Some((section, finding)) = super::network_report::compare_section(doc) {
        findings.push(finding);
        sections.push(section);
    }

    if world {
        sections.push(cost_section(doc, s, &sides, names));
    }
    sections
}

/// Every station's utilisation and mean wait in A and B, with the chart.
fn stations_section(
    doc: &Comparison,
    sides: &[Side; 2],
    names: [&str; 2],
    world: bool,
    findings: &mut Vec<String>,
) -> Section {
    let mut blocks = Vec::new();
    let reading = utilisation_reading(doc, sides);
    if let Some(f) = figures::utilisation(sides, reading.clone()) {
        blocks.push(Block::Figure(f));
        // One table per station figure: A's and B's means by station.
        let table =
            |header: &str, figure: fn(&StationRow) -> &StationFigure, f: fn(f64) -> String| {
                let rows = doc
                    .stations
                    .iter()
                    .map(|st| {
                        let x = figure(st);
                        (
                            name_words(&st.station),
                            x.a.as_ref().map(|l| l.mean),
                            x.b.as_ref().map(|l| l.mean),
                        )
                    })
                    .collect();
                Block::Table(side_by_side(header, names, rows, f))
            };
        blocks.push(table("utilisation", |st| &st.utilization, percent));
        blocks.push(table("mean wait [h]", |st| &st.mean_wait_hours, hours));
        findings.push(reading);
    }
    Section {
        heading: if world { "Stations" } else { "Queues" }.into(),
        blocks,
    }
}

/// Cost per parcel of A and B: the chart and the breakdown, each side in its own currency
/// when they differ.
fn cost_section(doc: &Comparison, s: &SummaryPair, sides: &[Side; 2], names: [&str; 2]) -> Section {
    let one_currency = s.a.currency == s.b.currency;
    let mut blocks = Vec::new();
    if !one_currency {
        blocks.push(Block::Note(format!(
            "A counts in {} and B in {}: each is shown in its own currency, with no difference and no common chart (that would need an exchange rate).",
            s.a.currency.clone().unwrap_or_default(),
            s.b.currency.clone().unwrap_or_default()
        )));
    } else if let Some(f) = figures::cost(sides, sentence_of(doc, &[Metric::CostPerParcel])) {
        blocks.push(Block::Figure(f));
    }
    if let (Some(ca), Some(cb)) = (&s.a.cost_per_parcel, &s.b.cost_per_parcel) {
        let mut rows: Vec<(String, Option<f64>, Option<f64>)> = ca
            .breakdown
            .iter()
            .map(|(k, l)| (k.clone(), Some(l.mean), cb.breakdown.get(k).map(|x| x.mean)))
            .collect();
        rows.push(("total".into(), Some(ca.total.mean), Some(cb.total.mean)));
        let cur = s.a.currency.clone().unwrap_or_default();
        if one_currency {
            blocks.push(Block::Table(side_by_side(
                &format!("per delivered parcel [{cur}]"),
                names,
                rows,
                money,
            )));
        } else {
            let unit = |c: &Option<String>| c.clone().unwrap_or_default();
            blocks.push(Block::Table(Table {
                header: vec![
                    "per delivered parcel".into(),
                    format!("{} [{}]", names[0], unit(&s.a.currency)),
                    format!("{} [{}]", names[1], unit(&s.b.currency)),
                ],
                rows: rows
                    .into_iter()
                    .map(|(k, a, b)| {
                        let c = |v: Option<f64>| v.map_or("absent".into(), money);
                        vec![k, c(a), c(b)]
                    })
                    .collect(),
            }));
        }
    }
    Section {
        heading: "Cost per parcel".into(),
        blocks,
    }
}

/// The line under the title: both files, how they were run and the version.
fn subtitle(doc: &Comparison) -> String {
    format!(
        "A = {} (SHA-256 {}), B = {} (SHA-256 {}); {} {} replication(s), seed {}, horizon {} h / {} h, warm-up {} h / {} h; clearsim {}",
        doc.a.name,
        doc.a.sha256.get(..12).unwrap_or(&doc.a.sha256),
        doc.b.name,
        doc.b.sha256.get(..12).unwrap_or(&doc.b.sha256),
        doc.replications,
        if doc.paired {
            "paired"
        } else {
            "independent (not paired)"
        },
        doc.seed,
        doc.horizon_hours[0].map_or("—".to_string(), short),
        doc.horizon_hours[1].map_or("—".to_string(), short),
        short(doc.warmup_hours[0]),
        short(doc.warmup_hours[1]),
        doc.clearsim_version
    )
}

/// The report of a comparison. `backlogs` are A's and B's mean backlogs, when known.
pub fn build(doc: &Comparison, backlogs: [Option<&Backlog>; 2]) -> Report {
    let mut findings: Vec<String> = doc
        .rows
        .iter()
        .map(|r| row_sentence(&doc.b.name, r))
        .collect();
    for r in &doc.not_differenced {
        findings.push(undifferenced_sentence(doc, r));
    }
    let mut sections = vec![headline_section(doc)];
    match &doc.summaries {
        None => sections.push(Section {
            heading: "Side by side".into(),
            blocks: vec![Block::Note(
                "This comparison document has no `summaries` (it was written by an older clearsim): run the comparison again to draw both runs side by side.".into(),
            )],
        }),
        Some(s) => sections.extend(side_by_side_sections(doc, s, backlogs, &mut findings)),
    }
    if let Some((section, finding)) = super::uncertainty_report::compare_section(doc) {
        findings.insert(doc.rows.len().min(findings.len()), finding);
        sections.insert(1.min(sections.len()), section);
    }
    let mut all: Vec<Section> = warnings_section(&doc.warnings).into_iter().collect();
    all.push(Section {
        heading: "Key findings".into(),
        blocks: vec![
            Block::Findings(findings),
            Block::Note(intervals_cover(doc.uncertainty.is_some())),
        ],
    });
    all.extend(sections);
    Report {
        title: format!("clearsim comparison: {} vs {}", doc.a.name, doc.b.name),
        subtitle: subtitle(doc),
        sections: all,
    }
}
