//! The report of one run: its findings in plain words, its charts and its tables, built from
//! the `run --json` document (and the backlog, when known).

use super::doc::Backlog;
use super::figures::{self, Side};
use super::page::{Block, Figure, Report, Section, Table};
use super::words::{
    ci_cell, count, hours, hours_like, interval, money, name_words, percent, plain, short,
};
use crate::results::run::RunSummary;

/// The facts line under a report's title.
pub fn subtitle(doc: &RunSummary) -> String {
    let horizon = doc
        .horizon_hours
        .map_or(String::new(), |h| format!(", horizon {} h", short(h)));
    format!(
        "{} replication(s), seed {}{horizon}, warm-up {} h (statistics ignore it); clearsim {}; scenario file SHA-256 {}",
        doc.replications,
        doc.seed,
        short(doc.warmup_hours),
        doc.clearsim_version,
        doc.scenario
            .sha256
            .get(..12)
            .unwrap_or(&doc.scenario.sha256)
    )
}

/// "(95% CI a–b h)" or "(one replication: no confidence interval)".
pub fn ci_phrase(ci: Option<[f64; 2]>, f: impl Fn(f64) -> String, unit: &str) -> String {
    match ci {
        Some([lo, hi]) => format!("(95% CI {}{unit})", interval(lo, hi, f)),
        None => "(one replication: no confidence interval)".to_string(),
    }
}

fn pct_number(share: f64) -> String {
    format!("{:.1}", share * 100.0)
}

/// The reading of the histogram of one run.
pub fn histogram_reading(doc: &RunSummary) -> String {
    let s = doc.headline();
    let mut text = if doc.is_world() {
        format!(
            "Half of the parcels were released within {} h of arrival, 95% within {} h and 99% within {} h; the slowest took {} h.",
            hours(s.p50),
            hours(s.p95),
            hours(s.p99),
            hours(s.max)
        )
    } else {
        format!(
            "Half of the customers spent at most {} h in the system, 95% at most {} h and 99% at most {} h; the longest stay was {} h.",
            hours(s.p50),
            hours(s.p95),
            hours(s.p99),
            hours(s.max)
        )
    };
    if let Some(d) = &doc.distribution
        && let (_, Some(tail)) = figures::split_tail(&d.bins)
        && tail.share >= 0.0005
    {
        text.push_str(&format!(
            " The {} that took longer than {} h are left off the chart.",
            percent(tail.share),
            hours(tail.lower_h)
        ));
    }
    text
}

/// The reading of the cumulative curve of one run.
pub fn cdf_reading(doc: &RunSummary) -> String {
    match &doc.metrics.released_within {
        Some(r) => format!(
            "{} of parcels were released within 24 h of arrival {} and {} within 48 h.",
            percent(r.h24.mean),
            ci_phrase(r.h24.ci95, pct_number, "%"),
            percent(r.h48.mean)
        ),
        None => format!(
            "90% of customers left the system within {} h of arriving.",
            hours(doc.metrics.time_in_system_hours.p90)
        ),
    }
}

/// The reading of the TRS segments of one run.
pub fn trs_reading(doc: &RunSummary) -> String {
    let mut segs: Vec<(&str, f64)> = figures::trs_segments(doc)
        .iter()
        .map(|s| (s.name.as_str(), s.time_in_stage_hours.mean))
        .collect();
    let total: f64 = segs.iter().map(|s| s.1).sum();
    if total <= 0.0 {
        return "Clearance takes no measurable time: every segment is 0 h.".to_string();
    }
    segs.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut text = format!(
        "Of a mean clearance time of {} h, {} takes the most: {} h ({} of it)",
        hours(total),
        name_words(segs[0].0),
        hours(segs[0].1),
        percent(segs[0].1 / total)
    );
    if let Some(second) = segs.get(1).filter(|s| s.1 > 0.0) {
        text.push_str(&format!(
            ", then {} with {} h",
            name_words(second.0),
            hours(second.1)
        ));
    }
    text.push('.');
    text
}

/// The reading of the backlog of one run.
pub fn backlog_reading(b: &Backlog, warmup_h: f64) -> String {
    match figures::backlog_peak(b, warmup_h) {
        Some((stage, hour, v)) => format!(
            "The longest queue after the warm-up is at {}: {} parcels waiting at hour {} (day {}), on average over replications.",
            name_words(&stage),
            plain(v),
            hour,
            hour / 24
        ),
        None => "No parcel waited at any charted stage after the warm-up.".to_string(),
    }
}

/// The reading of utilisation per station of one run: the bottleneck named by the delay it
/// adds, its utilisation beside it, and the busiest station when that is another.
pub fn utilisation_reading(doc: &RunSummary) -> String {
    let busiest = figures::stations(doc)
        .into_iter()
        .filter_map(|s| s.utilization.as_ref().map(|u| (s.name.as_str(), u)))
        .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean));
    let Some((name, u)) = busiest else {
        return "The scenario has no station with servers.".to_string();
    };
    let mut text = match &doc.bottleneck {
        Some(b) => format!(
            "The bottleneck, by the delay it causes: {}.",
            super::compare_report::bottleneck_words(b)
        ),
        None => String::new(),
    };
    if doc.bottleneck.as_ref().is_none_or(|b| b.station != name) {
        text.push_str(&format!(
            "{}The busiest station is {}: busy {} of its on-duty hours {}.",
            if text.is_empty() { "" } else { " " },
            name_words(name),
            percent(u.mean),
            ci_phrase(u.ci95, pct_number, "%")
        ));
    }
    if u.mean >= 0.9 {
        text.push_str(&format!(
            " At {} busy, {}'s queue grows quickly with any surge in arrivals.",
            percent(u.mean),
            name_words(name)
        ));
    }
    text
}

/// The reading of the cost breakdown of one run.
pub fn cost_reading(doc: &RunSummary) -> String {
    let cur = doc.currency.as_deref().unwrap_or("");
    let Some(c) = &doc.cost_per_parcel else {
        return String::new();
    };
    let mut text = format!(
        "A delivered parcel costs {} {cur} on average {}",
        money(c.total.mean),
        ci_phrase(c.total.ci95, money, &format!(" {cur}"))
    );
    if let Some((cat, l)) = c
        .breakdown
        .iter()
        .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
        .filter(|(_, l)| l.mean > 0.0)
    {
        let share = if c.total.mean > 0.0 {
            format!(" ({} of the total)", percent(l.mean / c.total.mean))
        } else {
            String::new()
        };
        text.push_str(&format!(
            "; the largest part is {cat}: {} {cur}{share}",
            money(l.mean)
        ));
    }
    text.push('.');
    if let Some(r) = &doc.revenue_per_parcel {
        text.push_str(&format!(
            " Duty and VAT collected: {} {cur} per parcel.",
            money(r.duty.mean + r.vat.mean)
        ));
    }
    text
}

/// The headline duration's table: mean with CI, quantiles, shares released.
pub fn headline_table(doc: &RunSummary) -> Table {
    let s = doc.headline();
    let h = |x: f64| format!("{} h", hours(x));
    let mut rows = vec![
        vec![
            "mean".to_string(),
            h(s.mean),
            ci_cell(s.ci95, |x| format!("{} h", hours_like(x, s.mean))),
        ],
        vec!["median (p50)".to_string(), h(s.p50), String::new()],
        vec!["p90".to_string(), h(s.p90), String::new()],
        vec!["p95".to_string(), h(s.p95), String::new()],
        vec!["p99".to_string(), h(s.p99), String::new()],
        vec!["max".to_string(), h(s.max), String::new()],
    ];
    if let Some(r) = &doc.metrics.released_within {
        for (label, l) in [
            ("released within 1 h", &r.h1),
            ("released within 24 h", &r.h24),
            ("released within 48 h", &r.h48),
        ] {
            rows.push(vec![
                label.to_string(),
                percent(l.mean),
                ci_cell(l.ci95, percent),
            ]);
        }
    }
    Table {
        header: vec!["statistic".into(), "value".into(), "95% CI".into()],
        rows,
    }
}

fn trs_table(doc: &RunSummary) -> Table {
    let segs = figures::trs_segments(doc);
    let total: f64 = segs.iter().map(|s| s.time_in_stage_hours.mean).sum();
    Table {
        header: vec![
            "segment".into(),
            "mean [h]".into(),
            "95% CI [h]".into(),
            "share of clearance".into(),
            "p95 [h]".into(),
        ],
        rows: segs
            .iter()
            .map(|s| {
                let t = &s.time_in_stage_hours;
                vec![
                    name_words(&s.name),
                    hours(t.mean),
                    ci_cell(t.ci95, |x| hours_like(x, t.mean)),
                    if total > 0.0 {
                        percent(t.mean / total)
                    } else {
                        "—".into()
                    },
                    hours(t.p95),
                ]
            })
            .collect(),
    }
}

fn stations_table(doc: &RunSummary) -> Table {
    Table {
        header: vec![
            "station".into(),
            "utilisation".into(),
            "95% CI".into(),
            "mean waiting".into(),
            "mean wait [h]".into(),
            "p95 wait [h]".into(),
        ],
        rows: figures::stations(doc)
            .iter()
            .map(|s| {
                let u = s.utilization.clone().unwrap_or_default();
                vec![
                    name_words(&s.name),
                    percent(u.mean),
                    ci_cell(u.ci95, percent),
                    plain(s.queue_length.mean),
                    hours(s.wait_hours.mean),
                    hours(s.wait_hours.p95),
                ]
            })
            .collect(),
    }
}

fn cost_table(doc: &RunSummary) -> Option<Table> {
    let c = doc.cost_per_parcel.as_ref()?;
    let cur = doc.currency.clone().unwrap_or_default();
    let mut rows: Vec<Vec<String>> = c
        .breakdown
        .iter()
        .map(|(k, l)| vec![k.clone(), money(l.mean), ci_cell(l.ci95, money)])
        .collect();
    rows.push(vec![
        "total".into(),
        money(c.total.mean),
        ci_cell(c.total.ci95, money),
    ]);
    if let Some(r) = &doc.revenue_per_parcel {
        rows.push(vec![
            "revenue: duty".into(),
            money(r.duty.mean),
            ci_cell(r.duty.ci95, money),
        ]);
        rows.push(vec![
            "revenue: VAT".into(),
            money(r.vat.mean),
            ci_cell(r.vat.ci95, money),
        ]);
    }
    Some(Table {
        header: vec![
            "per delivered parcel".into(),
            format!("mean [{cur}]"),
            format!("95% CI [{cur}]"),
        ],
        rows,
    })
}

fn backlog_table(b: &Backlog, warmup_h: f64) -> Table {
    Table {
        header: vec![
            "stage".into(),
            "mean waiting after warm-up".into(),
            "peak (mean of replications)".into(),
            "at hour".into(),
        ],
        rows: b
            .stages
            .iter()
            .filter_map(|(stage, pts)| {
                let after: Vec<(u32, f64)> = pts
                    .iter()
                    .copied()
                    .filter(|(h, _)| f64::from(*h) >= warmup_h)
                    .collect();
                if after.is_empty() {
                    return None;
                }
                let mean = after.iter().map(|p| p.1).sum::<f64>() / after.len() as f64;
                let peak = after
                    .iter()
                    .copied()
                    .fold((0, 0.0), |best, p| if p.1 > best.1 { p } else { best });
                Some(vec![
                    name_words(stage),
                    plain(mean),
                    plain(peak.1),
                    if peak.1 > 0.0 {
                        peak.0.to_string()
                    } else {
                        "—".into()
                    },
                ])
            })
            .collect(),
    }
}

fn push_figure(blocks: &mut Vec<Block>, findings: &mut Vec<String>, f: Option<Figure>) {
    if let Some(f) = f {
        findings.push(f.reading.clone());
        blocks.push(Block::Figure(f));
    }
}

/// The report of one run. `backlog` is the mean backlog, when the run or a `backlog.csv` gave
/// it; without it the backlog chart is replaced by a note.
pub fn build(doc: &RunSummary, backlog: Option<&Backlog>) -> Report {
    let side = [Side {
        label: &doc.scenario.name,
        doc,
        backlog,
    }];
    let world = doc.is_world();
    let (noun, _) = figures::headline_words(doc);
    let mut findings = Vec::new();
    let p = &doc.parcels;
    let conservation = if world {
        format!(
            "{} parcels were ordered over all replications: {} delivered, {} still on the way at the horizon, {} seized{}.",
            count(p.created),
            count(p.delivered),
            count(p.in_system),
            count(p.seized),
            if p.oversize_refused > 0 {
                format!(
                    ", {} refused at the gateway as larger than a whole departure",
                    count(p.oversize_refused)
                )
            } else {
                String::new()
            }
        )
    } else {
        format!(
            "{} customers arrived over all replications: {} left, {} were still in the network at the end, {} were turned away.",
            count(p.created),
            count(p.delivered),
            count(p.in_system),
            count(p.seized)
        )
    };
    let mut sections = Vec::new();

    let mut blocks = vec![Block::Table(headline_table(doc))];
    push_figure(
        &mut blocks,
        &mut findings,
        figures::histogram(&side, histogram_reading(doc)),
    );
    push_figure(
        &mut blocks,
        &mut findings,
        figures::cdf(&side, cdf_reading(doc)),
    );
    if doc.distribution.is_none() {
        blocks.push(Block::Note(
            "This document has no `distribution` (it was written by an older clearsim): run it again to draw the histogram and the cumulative curve.".into(),
        ));
    }
    sections.push(Section {
        heading: format!(
            "{} ({})",
            super::words::capitalised(noun),
            if world {
                "arrival at import → release"
            } else {
                "arrival → departure"
            }
        ),
        blocks,
    });

    if world {
        let mut blocks = Vec::new();
        push_figure(
            &mut blocks,
            &mut findings,
            figures::trs(&side, trs_reading(doc)),
        );
        blocks.push(Block::Table(trs_table(doc)));
        blocks.push(Block::Note(
            "The segments follow the WCO Time Release Study: lodgement (arrival → declaration lodged), assessment (→ risk assessed), documentary check (→ documents done), inspection (→ X-ray and physical inspection done) and payment (→ duty and VAT paid, the release). Segment means add up to the mean clearance time.".into(),
        ));
        sections.push(Section {
            heading: "Time Release Study segments".into(),
            blocks,
        });

        let mut blocks = Vec::new();
        match backlog {
            Some(b) => {
                push_figure(
                    &mut blocks,
                    &mut findings,
                    figures::backlog(&side, backlog_reading(b, doc.warmup_hours)),
                );
                blocks.push(Block::Table(backlog_table(b, doc.warmup_hours)));
                blocks.push(Block::Note(format!(
                    "Stages where nobody ever waited are left out of the chart, and so is {} (parcels on a departure are travelling, not queueing).",
                    figures::BACKLOG_LEFT_OUT.join(", ")
                )));
            }
            None => blocks.push(Block::Note(
                "No backlog for this run: a saved summary.json does not hold it. Run with `--out DIR` and report DIR/summary.json, which reads DIR/backlog.csv beside it.".into(),
            )),
        }
        sections.push(Section {
            heading: "Backlog over time".into(),
            blocks,
        });
    }

    let mut blocks = Vec::new();
    push_figure(
        &mut blocks,
        &mut findings,
        figures::utilisation(&side, utilisation_reading(doc)),
    );
    if !figures::stations(doc).is_empty() {
        blocks.push(Block::Table(stations_table(doc)));
    } else {
        blocks.push(Block::Note(
            "No station with servers: nothing to show.".into(),
        ));
    }
    sections.push(Section {
        heading: if world { "Stations" } else { "Queues" }.into(),
        blocks,
    });

    if world {
        let mut blocks = Vec::new();
        push_figure(
            &mut blocks,
            &mut findings,
            figures::cost(&side, cost_reading(doc)),
        );
        if let Some(t) = cost_table(doc) {
            blocks.push(Block::Table(t));
        }
        sections.push(Section {
            heading: "Cost and revenue per parcel".into(),
            blocks,
        });
    }

    if let Some(net) = &doc.network {
        findings.extend(super::network_report::findings(net));
        sections.extend(super::network_report::sections(net));
    }
    if let Some((section, finding)) = super::uncertainty_report::run_section(doc) {
        findings.insert(0, finding);
        sections.insert(1, section);
    }
    findings.insert(0, conservation);
    let mut all: Vec<Section> = super::compare_report::warnings_section(&doc.warnings)
        .into_iter()
        .collect();
    all.push(Section {
        heading: "Key findings".into(),
        blocks: vec![
            Block::Findings(findings),
            Block::Note(super::compare_report::intervals_cover(
                doc.uncertainty.is_some(),
            )),
        ],
    });
    all.extend(sections);
    Report {
        title: format!("clearsim report: {}", doc.scenario.name),
        subtitle: subtitle(doc),
        sections: all,
    }
}
