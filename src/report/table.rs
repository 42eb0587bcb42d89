//! The readable tables of a run, a comparison, a sweep and a stress test, for a terminal.

use std::fmt::Write;

use super::words;
use crate::results::compare::{StationFigure, StationRow};
use crate::results::figures::{Level, Stat};
use crate::results::run::{Bottleneck, RunSummary, Warning};

fn ci(ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) => format!("[{lo:.4}, {hi:.4}]"),
        None => "(1 rep: no CI)".to_string(),
    }
}

/// Widest line the `run` and `compare` tables print: they fit a 100-column terminal.
pub const MAX_WIDTH: usize = 100;

/// Hours for a table: digits suited to the magnitude, thousands grouped.
fn h(x: f64) -> String {
    if x.abs() >= 1000.0 {
        words::plain(x)
    } else {
        words::hours(x)
    }
}

/// An interval cell `lo to hi`, each end formatted by `f`; `no CI` with one replication.
fn range(ci: Option<[f64; 2]>, f: impl Fn(f64) -> String) -> String {
    match ci {
        Some([lo, hi]) => format!("{} to {}", f(lo), f(hi)),
        None => "no CI".to_string(),
    }
}

fn stat_row(out: &mut String, label: &str, s: &Stat) {
    let _ = writeln!(
        out,
        "  {label:<24} {:>8}  {:<19} {:>8} {:>8} {:>8} {:>8}",
        h(s.mean),
        range(s.ci95, |x| words::hours_like(x, s.mean)),
        h(s.p50),
        h(s.p95),
        h(s.p99),
        h(s.max)
    );
}

fn level_row(out: &mut String, label: &str, l: &Level, f: impl Fn(f64) -> String) {
    let _ = writeln!(out, "  {label:<24} {:>8}  {}", f(l.mean), range(l.ci95, &f));
}

/// `text` wrapped to lines of at most `MAX_WIDTH` columns, each after `indent`.
fn wrapped(out: &mut String, first: &str, indent: &str, text: &str) {
    let mut line = first.to_string();
    for word in text.split_whitespace() {
        if line.chars().count() + 1 + word.chars().count() > MAX_WIDTH
            && line.trim().chars().count() > 0
        {
            let _ = writeln!(out, "{}", line.trim_end());
            line = indent.to_string();
        }
        if !line.ends_with(' ') && !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    let _ = writeln!(out, "{}", line.trim_end());
}

/// The warnings of a run or a comparison, before any figure, so numbers that are not final
/// are not read as if they were.
fn warnings(out: &mut String, list: &[Warning]) {
    for w in list {
        wrapped(out, &format!("WARNING [{}]:", w.code), "  ", &w.message);
    }
    if !list.is_empty() {
        let _ = writeln!(
            out,
            "  (the figures below are not final: see docs/output.md, warnings)"
        );
    }
}

/// The bottleneck in one sentence: the delay it adds, the wait of the parcels it holds, its
/// utilisation, and the station where parcels wait longest if that is another.
pub fn bottleneck_sentence(b: &Bottleneck) -> String {
    // A live run's bottleneck has every figure; a document of an older version may lack them.
    let delay = b.delay_per_parcel_hours.clone().unwrap_or_default();
    let wait = b.mean_wait_hours.clone().unwrap_or_default();
    let mut text = format!(
        "{} adds the most delay: {} h per parcel on average {}; the {} of parcels it holds wait {} h on average (p95 {} h); utilization {}.",
        b.station,
        words::hours(delay.mean),
        match delay.ci95 {
            Some([lo, hi]) => format!(
                "(95% CI {})",
                words::interval(lo, hi, |x| words::hours_like(x, delay.mean))
            ),
            None => "(no CI)".to_string(),
        },
        words::percent(b.share_of_parcels.unwrap_or(0.0)),
        words::hours(wait.mean),
        words::hours(b.p95_wait_hours.unwrap_or(0.0)),
        words::percent(b.utilization.mean)
    );
    if let Some(l) = &b.longest_wait {
        text.push_str(&format!(
            " Longest wait: {}, where the {} of parcels it holds wait {} h on average (p95 {} h).",
            l.station,
            words::percent(l.share_of_parcels),
            words::hours(l.mean_wait_hours.mean),
            words::hours(l.p95_wait_hours)
        ));
    }
    text
}

/// A plain-text table of the summary: what `clearsim run` prints without `--json`. Every
/// line fits in [`MAX_WIDTH`] columns.
pub fn render(s: &RunSummary) -> String {
    let mut out = String::new();
    let stop = match (s.horizon_hours, s.arrivals_limit) {
        (Some(h), Some(n)) => format!(
            "horizon {} h or {} arrivals",
            words::short(h),
            words::count(n)
        ),
        (Some(h), None) => format!("horizon {} h", words::short(h)),
        (None, Some(n)) => format!("{} arrivals, then until empty", words::count(n)),
        (None, None) => String::new(),
    };
    wrapped(
        &mut out,
        "",
        "  ",
        &format!(
            "{} — {} replication(s), seed {}, {stop}, warm-up {} h (statistics ignore it)",
            s.scenario.name,
            s.replications,
            s.seed,
            words::short(s.warmup_hours)
        ),
    );
    if let Some(pr) = &s.precision {
        let verdict = if pr.met {
            "met"
        } else {
            "NOT met: replication cap reached"
        };
        wrapped(
            &mut out,
            "",
            "  ",
            &format!(
                "precision: 95% CI half-width {:.2}% of the headline mean after {} replications (target {:.2}%: {verdict})",
                pr.achieved_relative_half_width * 100.0,
                pr.replications,
                pr.target_relative_half_width * 100.0
            ),
        );
    }
    let p = &s.parcels;
    wrapped(
        &mut out,
        "",
        "  ",
        &format!(
            "parcels: created {} = delivered {} + in system {} + seized/blocked {}{}",
            words::count(p.created),
            words::count(p.delivered),
            words::count(p.in_system),
            words::count(p.seized),
            if p.oversize_refused > 0 {
                format!(
                    " + refused as oversize {}",
                    words::count(p.oversize_refused)
                )
            } else {
                String::new()
            }
        ),
    );
    warnings(&mut out, &s.warnings);
    let _ = writeln!(
        out,
        "\nhours; mean with 95% CI across replications, quantiles pooled"
    );
    let _ = writeln!(
        out,
        "  {:<24} {:>8}  {:<19} {:>8} {:>8} {:>8} {:>8}",
        "", "mean", "95% CI", "p50", "p95", "p99", "max"
    );
    if let Some(c) = &s.metrics.clearance_hours {
        stat_row(&mut out, "clearance (arr→rel)", c);
    }
    stat_row(&mut out, "time in system", &s.metrics.time_in_system_hours);
    for st in s.stages.iter().filter(|st| st.kind == "trs_segment") {
        stat_row(
            &mut out,
            &format!("  TRS {}", st.name),
            &st.time_in_stage_hours,
        );
    }
    if let Some(r) = &s.metrics.released_within {
        let _ = writeln!(out, "\nshares; mean with 95% CI across replications");
        level_row(&mut out, "released within 1 h", &r.h1, words::percent);
        level_row(&mut out, "released within 24 h", &r.h24, words::percent);
        level_row(&mut out, "released within 48 h", &r.h48, words::percent);
    }
    let stages: Vec<&crate::experiment::summary::StageSummary> = s
        .stages
        .iter()
        .filter(|st| st.kind != "trs_segment")
        .collect();
    if !stages.is_empty() {
        let _ = writeln!(
            out,
            "\nstages; waits in hours, mean with 95% CI across replications"
        );
        let _ = writeln!(
            out,
            "  {:<24} {:>8}  {:<19} {:>8} {:>8} {:>8}  utilization",
            "", "wait", "95% CI", "p95", "in stage", "queue"
        );
        for st in stages {
            let label = format!("{} ({})", st.name, st.kind);
            let w = &st.wait_hours;
            let util = st
                .utilization
                .as_ref()
                .map_or("—".to_string(), |u| words::percent(u.mean));
            let text = format!(
                "  {label:<24} {:>8}  {:<19} {:>8} {:>8} {:>8}  {util}",
                h(w.mean),
                range(w.ci95, |x| words::hours_like(x, w.mean)),
                h(w.p95),
                h(st.time_in_stage_hours.mean),
                words::plain(st.queue_length.mean),
            );
            let _ = writeln!(out, "{}", text.trim_end());
            if st.blocked > 0 {
                level_row(
                    &mut out,
                    "  blocked share",
                    &st.blocking_probability,
                    words::percent,
                );
            }
        }
    }
    let _ = writeln!(out, "\nwhole network; mean with 95% CI across replications");
    level_row(
        &mut out,
        "throughput [per hour]",
        &s.metrics.throughput_per_hour,
        words::plain,
    );
    if let Some(t) = &s.throughput_per_day {
        level_row(&mut out, "delivered per day", t, words::plain);
    }
    if let Some(b) = &s.bottleneck {
        wrapped(&mut out, "  bottleneck:", "    ", &bottleneck_sentence(b));
    }
    let cur = s.currency.as_deref().unwrap_or("");
    if let Some(c) = &s.cost_per_parcel {
        let _ = writeln!(out, "\ncost per delivered parcel [{cur}]");
        level_row(&mut out, "total", &c.total, words::money);
        for (k, v) in &c.breakdown {
            level_row(&mut out, k, v, words::money);
        }
    }
    if let Some(r) = &s.revenue_per_parcel {
        let _ = writeln!(out, "revenue per delivered parcel [{cur}]");
        level_row(&mut out, "duty", &r.duty, words::money);
        level_row(&mut out, "VAT", &r.vat, words::money);
    }
    if let Some(net) = &s.network {
        network_block(&mut out, net);
    }
    if let Some(u) = &s.uncertainty {
        uncertainty_block(&mut out, u);
    }
    out
}

/// Name cut to `n` characters, so that a long gateway or lane name keeps the table's width.
fn cut(name: &str, n: usize) -> String {
    name.chars().take(n).collect()
}

/// The `network` section in the `run` table: clearance per gateway, load per lane, returns
/// and the network's bottleneck.
fn network_block(out: &mut String, net: &crate::experiment::network_summary::NetworkSummary) {
    let _ = writeln!(
        out,
        "\nclearance by gateway [h]; mean with 95% CI across replications, quantiles pooled"
    );
    let _ = writeln!(
        out,
        "  {:<24} {:>8}  {:<19} {:>8} {:>8} {:>8} {:>8}",
        "", "mean", "95% CI", "p50", "p95", "p99", "max"
    );
    for g in &net.gateways {
        stat_row(out, &cut(&g.name, 24), &g.clearance_hours);
    }
    let _ = writeln!(
        out,
        "lanes: parcels per day, mean fill of the fullest limit"
    );
    for l in &net.lanes {
        let fill = l
            .load_factor
            .fullest()
            .map_or("—".to_string(), |(_, f)| words::percent(f.mean.mean));
        let label = format!("{} ({})", cut(&l.name, 14), l.mode);
        let text = format!(
            "  {label:<24} {:>8}  {:<19} fill {fill}, overflowed {}",
            words::plain(l.parcels_per_day.mean),
            range(l.parcels_per_day.ci95, words::plain),
            words::count(l.overflowed)
        );
        let _ = writeln!(out, "{}", text.trim_end());
    }
    if let Some(r) = &net.returns {
        let _ = writeln!(out, "returns per delivered parcel [{}]", net.currency);
        level_row(
            out,
            "refunded duty",
            &r.duty_refunded_per_parcel,
            words::money,
        );
        level_row(
            out,
            "refunded VAT",
            &r.vat_refunded_per_parcel,
            words::money,
        );
        level_row(out, "net duty+VAT", &r.net_revenue_per_parcel, words::money);
    }
    if let Some(b) = &net.bottleneck {
        wrapped(
            out,
            "  network bottleneck:",
            "    ",
            &format!(
                "{} {} adds {} h to the average parcel; the parcels it holds wait {} h on average (p95 {} h).",
                b.kind,
                b.name,
                words::hours(b.delay_per_parcel_hours.mean),
                words::hours(b.mean_wait_hours.mean),
                words::hours(b.p95_wait_hours)
            ),
        );
    }
}

/// A value of `unit` for the compare table: hours, shares as %, money, rates.
fn cell(x: f64, unit: &str) -> String {
    match unit {
        "h" => h(x),
        "share" => words::percent(x),
        "1/h" | "" => words::plain(x),
        _ => words::money(x),
    }
}

/// A relative change as a signed percentage; blank for a share, whose change in points says it.
fn relative_change_cell(relative_change: f64, unit: &str) -> String {
    if unit == "share" {
        String::new()
    } else {
        format!("{:+.1}%", relative_change * 100.0)
    }
}

/// A difference of `unit`: shares in percentage points (`pp`), signed.
fn diff_cell(x: f64, unit: &str, reference: f64) -> String {
    let s = match unit {
        "h" if reference.abs() < 1000.0 => words::hours_like(x, reference),
        "share" => format!("{} pp", words::bare(x, "share")),
        _ => cell(x, unit),
    };
    if x > 0.0 && !s.starts_with('-') && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{s}")
    } else {
        s
    }
}

/// The interval of a difference, in the difference's format.
fn diff_range(ci: Option<[f64; 2]>, unit: &str, reference: f64) -> String {
    range(ci, |x| {
        let s = diff_cell(x, unit, reference);
        s.strip_suffix(" pp").map_or(s.clone(), str::to_string)
    })
}

/// A plain-text table of a comparison: what `clearsim compare` prints. Paired differences
/// when A and B share their demand, independent ones otherwise (said in the header); money in
/// two currencies is shown, not differenced; stations by name. Fits in [`MAX_WIDTH`] columns.
pub fn render_comparison(c: &crate::experiment::Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "A = {}", c.a.name);
    let _ = writeln!(out, "B = {}", c.b.name);
    let how = if c.paired {
        format!(
            "{} paired replications, seed {}: {}.",
            c.replications, c.seed, c.pairing
        )
    } else {
        format!(
            "{} replications each, seed {}. NOT PAIRED: {}.",
            c.replications, c.seed, c.pairing
        )
    };
    wrapped(&mut out, "", "", &how);
    warnings(&mut out, &c.warnings);
    let ci_head = if c.paired {
        "95% CI (paired)"
    } else {
        "95% CI (Welch)"
    };
    let line = compare_line;
    let _ = writeln!(out);
    line(
        &mut out,
        ["figure", "A", "B", "B − A", ci_head, "", "change"],
    );
    for r in &c.rows {
        let u = r.unit.as_str();
        let label = format!(
            "{} [{}]",
            r.metric.short_label(),
            if u == "share" { "%" } else { u }
        );
        let change = relative_change_cell(r.relative_change, u);
        line(
            &mut out,
            [
                &label,
                &cell(r.a.mean, u),
                &cell(r.b.mean, u),
                &diff_cell(r.difference.mean, u, r.difference.mean),
                &diff_range(r.difference.ci95, u, r.difference.mean),
                words::difference_mark(r.significant, r.difference.ci95),
                &change,
            ],
        );
    }
    for r in &c.not_differenced {
        line(
            &mut out,
            [
                r.metric.short_label(),
                &format!("{} {}", words::money(r.a.mean), r.unit_a),
                &format!("{} {}", words::money(r.b.mean), r.unit_b),
                "—",
                "not differenced (†)",
                "",
                "",
            ],
        );
    }
    if !c.stations.is_empty() {
        let _ = writeln!(out);
        station_block(
            &mut out,
            ["station: utilization", ci_head],
            &c.stations,
            |st| &st.utilization,
            "share",
            words::percent,
        );
        station_block(
            &mut out,
            ["station: mean wait [h]", ci_head],
            &c.stations,
            |st| &st.mean_wait_hours,
            "h",
            h,
        );
    }
    if !c.gateways.is_empty() {
        // A gateway's clearance reads like a station's wait: the same block, by gateway.
        let rows: Vec<StationRow> = c
            .gateways
            .iter()
            .map(|g| StationRow {
                station: g.gateway.clone(),
                utilization: g.clearance_hours.clone(),
                mean_wait_hours: g.clearance_hours.clone(),
            })
            .collect();
        let _ = writeln!(out);
        station_block(
            &mut out,
            ["gateway: clearance [h]", ci_head],
            &rows,
            |st| &st.mean_wait_hours,
            "h",
            h,
        );
    }
    let _ = writeln!(out);
    wrapped(
        &mut out,
        "",
        "  ",
        "* the 95% interval of B − A excludes 0: the difference is real at that level. pp: percentage points. Intervals cover simulation noise across replications for these inputs, not uncertainty about the inputs.",
    );
    below_precision_note(&mut out);
    if c.paired {
        wrapped(
            &mut out,
            "",
            "  ",
            "--json also gives, per figure, the interval independent seeds would have given (independent_ci95): the price of not pairing.",
        );
    }
    for r in c.not_differenced.iter().take(1) {
        wrapped(&mut out, "†", "  ", &format!("{}.", r.reason));
    }
    if let Some(u) = &c.uncertainty {
        compare_uncertainty_block(&mut out, u);
    }
    out
}

/// A plain-text table of a base against several alternatives: every option's headline figures
/// side by side, each alternative's difference from the base with its Bonferroni-adjusted
/// interval, and the ranking in words.
pub fn render_many(m: &crate::experiment::many::MultiComparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "A = {} (the base)", m.base.name);
    for (k, alt) in m.alternatives.iter().enumerate() {
        let _ = writeln!(out, "{} = {}", k + 1, alt.scenario.name);
    }
    let unpaired: Vec<String> = m
        .comparisons
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.paired)
        .map(|(k, _)| (k + 1).to_string())
        .collect();
    let how = if unpaired.is_empty() {
        format!(
            "{} paired replications of every option, seed {}: every option draws the same parcels, so each difference is taken replication by replication (common random numbers).",
            m.replications, m.seed
        )
    } else {
        format!(
            "{} replications of every option, seed {}. NOT PAIRED for {} (their demand differs from A's): those differences are of independent samples (Welch).",
            m.replications,
            m.seed,
            unpaired.join(", ")
        )
    };
    wrapped(&mut out, "", "", &how);
    let all_warnings: Vec<Warning> = m
        .comparisons
        .iter()
        .enumerate()
        .flat_map(|(k, c)| {
            c.warnings.iter().filter_map(move |w| {
                // A's warnings appear in every comparison: keep them from the first only.
                let from_a = w.message.starts_with("A (");
                (k == 0 || !from_a).then(|| Warning {
                    code: w.code.clone(),
                    message: if from_a {
                        w.message.clone()
                    } else {
                        w.message.replacen("B (", &format!("{} (", k + 1), 1)
                    },
                })
            })
        })
        .collect();
    warnings(&mut out, &all_warnings);
    let Some(first) = m.comparisons.first() else {
        return out;
    };
    let _ = writeln!(out);
    let mut head = format!("  {:<26} {:>9}", "figure", "A");
    for k in 0..m.alternatives.len() {
        head.push_str(&format!(" {:>9}", k + 1));
    }
    let _ = writeln!(out, "{head}");
    for (r, row) in first.rows.iter().enumerate() {
        let u = row.unit.as_str();
        let label = format!(
            "{} [{}]",
            row.metric.short_label(),
            if u == "share" { "%" } else { u }
        );
        let mut line = format!("  {label:<26} {:>9}", cell(row.a.mean, u));
        for c in &m.comparisons {
            let v = c
                .rows
                .get(r)
                .filter(|x| x.metric == row.metric)
                .map_or("—".to_string(), |x| cell(x.b.mean, u));
            line.push_str(&format!(" {v:>9}"));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out);
    wrapped(
        &mut out,
        "",
        "",
        &format!(
            "Differences from A, each with its 95% CI adjusted for {} comparisons ({}, each interval at level {:.4}):",
            m.adjustment.comparisons, m.adjustment.method, m.adjustment.per_comparison_level
        ),
    );
    compare_line(
        &mut out,
        [
            "figure",
            "option",
            "",
            "B − A",
            "adjusted 95% CI",
            "",
            "change",
        ],
    );
    for (r, row) in first.rows.iter().enumerate() {
        for (k, c) in m.comparisons.iter().enumerate() {
            let Some(x) = c.rows.get(r).filter(|x| x.metric == row.metric) else {
                continue;
            };
            let u = x.unit.as_str();
            let label = if k == 0 {
                x.metric.short_label().to_string()
            } else {
                String::new()
            };
            let adjusted = x.adjusted.as_ref();
            let change = relative_change_cell(x.relative_change, u);
            compare_line(
                &mut out,
                [
                    &label,
                    &(k + 1).to_string(),
                    "",
                    &diff_cell(x.difference.mean, u, x.difference.mean),
                    &diff_range(
                        adjusted.map_or(x.difference.ci95, |a| a.ci95),
                        u,
                        x.difference.mean,
                    ),
                    adjusted.map_or("", |a| words::difference_mark(a.significant, a.ci95)),
                    &change,
                ],
            );
        }
    }
    let _ = writeln!(out);
    wrapped(&mut out, "Ranking:", "  ", &m.ranking.statement);
    let _ = writeln!(out);
    wrapped(
        &mut out,
        "",
        "  ",
        &format!(
            "* the adjusted interval excludes 0: the difference is real even counting all {} comparisons. pp: percentage points. {} Stations and each comparison in full: --json.",
            m.adjustment.comparisons, m.adjustment.covers
        ),
    );
    below_precision_note(&mut out);
    out
}

/// A plain-text table of a sweep: one block per point, one line per headline figure.
pub fn render_sweep(s: &crate::experiment::sweep::SweepSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — sweep of {} point(s) × {} replication(s), seed {} (the same seeds at every point)",
        s.scenario.name,
        s.points.len(),
        s.replications,
        s.seed
    );
    for p in &s.points {
        let at: Vec<String> = s
            .parameters
            .iter()
            .zip(&p.values)
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        let _ = writeln!(out, "\npoint {}: {}", p.index, at.join(", "));
        for m in &p.metrics {
            let label = format!("{} [{}]", m.metric, m.unit);
            let vs = match (&m.vs_baseline, s.baseline) {
                (Some(d), Some(b)) => format!(
                    " vs point {b}: {:+.4} {}{}",
                    d.mean,
                    ci(d.ci95),
                    match words::difference_mark(d.significant, d.ci95) {
                        "" => String::new(),
                        mark => format!(" {mark}"),
                    }
                ),
                _ => String::new(),
            };
            let line = format!(
                "  {label:<34} {:>12.4} {:<26}{vs}",
                m.level.mean,
                ci(m.level.ci95)
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    sweep_baseline_note(&mut out, s);
    out
}

/// The footnote of the `≈` mark ([`words::difference_mark`]) when a line of the table has it.
fn below_precision_note(out: &mut String) {
    if out.lines().any(|l| l.contains(" ≈")) {
        wrapped(out, "", "  ", words::BELOW_PRECISION_NOTE);
    }
}

/// The closing line of a sweep's table when it has a baseline.
fn sweep_baseline_note(out: &mut String, s: &crate::experiment::sweep::SweepSummary) {
    if let Some(b) = s.baseline {
        let _ = writeln!(out);
        wrapped(
            out,
            "",
            "  ",
            &format!(
                "vs point {b}: the point minus the baseline point {b}, paired replication by replication (the same seeds at every point), with its 95% CI; * it excludes 0. 95% CI: simulation noise only."
            ),
        );
        below_precision_note(out);
    }
}

/// A plain-text table of a sensitivity analysis: the tornado as rows, largest swing first,
/// each end's effect on the first headline figure with its 95% CI.
pub fn render_sensitivity(r: &crate::experiment::sensitivity::Sensitivity) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — sensitivity of {} [{}]: {} uncertain input(s) at their low and high ends, {} runs × {} paired replications, seed {}",
        r.scenario.name,
        r.metric.short_label(),
        r.unit,
        r.inputs.len(),
        r.runs,
        r.replications,
        r.seed
    );
    warnings(&mut out, &r.warnings);
    if let Some(b) = r.base.first() {
        let _ = writeln!(
            out,
            "base: {} = {} {}",
            b.metric.short_label(),
            cell(b.level.mean, &b.unit),
            range(b.level.ci95, |x| cell(x, &b.unit))
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<44} {:>15}  {:>9} {:<19} {:>9} {:<19}",
        "input", "low → high", "at low", "95% CI", "at high", "95% CI"
    );
    for bar in &r.inputs {
        let Some(e) = bar.effects.first() else {
            continue;
        };
        let u = e.unit.as_str();
        let d = |l: &Level| diff_cell(l.mean, u, l.mean);
        let c = |l: &Level| diff_range(l.ci95, u, l.mean);
        let ends = format!("{} → {}", words::plain(bar.low), words::plain(bar.high));
        let line = format!(
            "  {:<44} {:>15}  {:>9} {:<19} {:>9} {:<19}",
            bar.key,
            ends,
            d(&e.at_low),
            c(&e.at_low),
            d(&e.at_high),
            c(&e.at_high)
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out);
    wrapped(&mut out, "", "  ", &r.covers);
    out
}

/// A plain-text account of a stress search.
pub fn render_stress(r: &crate::experiment::stress::StressResult) -> String {
    use crate::experiment::stress::Outcome;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — stress: largest demand with {} and a stable system; {} replication(s), seed {}, multipliers {}..{} (stability bound {:.4})",
        r.scenario.name, r.limit, r.replications, r.seed, r.range[0], r.range[1], r.stability_bound
    );
    let verdict = match r.outcome {
        Outcome::Found => "the limit binds inside the range".to_string(),
        Outcome::AtUpperEnd => {
            "acceptable up to the top of the range: the maximum is at least this".to_string()
        }
        Outcome::CappedByStability => format!(
            "capped by stability at {:.4}: the limit is still met there, but more demand is not sustainable (offered load ≥ 0.99 without a draining backlog)",
            r.capped_by_stability.unwrap_or(r.max_multiplier.mean)
        ),
        Outcome::NoneAcceptable => {
            "NOT acceptable even at the bottom of the range in some replication".to_string()
        }
    };
    let _ = writeln!(out, "  outcome: {verdict}");
    let _ = writeln!(
        out,
        "  max demand multiplier  {:>12.4} {:<26}",
        r.max_multiplier.mean,
        ci(r.max_multiplier.ci95)
    );
    let _ = writeln!(
        out,
        "  max demand per day     {:>12.0} {:<26}",
        r.max_demand_per_day.mean,
        match r.max_demand_per_day.ci95 {
            Some([lo, hi]) => format!("[{lo:.0}, {hi:.0}]"),
            None => "(1 rep: no CI)".to_string(),
        }
    );
    let m = &r.at_maximum;
    let _ = writeln!(out, "  at multiplier {:.4}:", m.multiplier);
    let _ = writeln!(
        out,
        "    {:<30} {:>12.4} {:<26}",
        format!("{} [{}]", r.limit, r.unit),
        m.value.mean,
        ci(m.value.ci95)
    );
    if let Some(b) = &m.bottleneck {
        let _ = writeln!(
            out,
            "    bottleneck {:<19} {:>12.4} {:<26}",
            b.station,
            b.utilization.mean,
            ci(b.utilization.ci95)
        );
    }
    match &m.drain_hours {
        Some(d) => {
            let _ = writeln!(
                out,
                "    backlog drains in [h]          {:>12.1} {:<26} ({} of {} replications drained before the horizon)",
                d.mean,
                ci(d.ci95),
                m.drained_replications,
                r.replications
            );
        }
        None if m.summary.currency.is_some() => {
            let _ = writeln!(out, "    the backlog did not drain before the horizon");
        }
        None => {}
    }
    let _ = writeln!(
        out,
        "\n  {:>10} {:>14} {:>12} {:<26} {:>10} {:>8}",
        "multiplier", "demand/day", "value", "95% CI", "acceptable", "max ρ"
    );
    for p in &r.curve {
        let _ = writeln!(
            out,
            "  {:>10.4} {:>14.0} {:>12.4} {:<26} {:>9.0}% {:>8.3}",
            p.multiplier,
            p.demand_per_day,
            p.value.mean,
            ci(p.value.ci95),
            p.acceptable_share * 100.0,
            p.max_offered_load
        );
    }
    out
}

/// One row of the compare table, in its columns.
fn compare_line(out: &mut String, cols: [&str; 7]) {
    let text = format!(
        "  {:<26} {:>9} {:>9} {:>10}  {:<20} {:>2} {:>8}",
        cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6]
    );
    let _ = writeln!(out, "{}", text.trim_end());
}

/// One block of the compare table's station rows: a heading, then each station's figure on
/// both sides ("absent" where a side lacks the station) and the difference in `unit`.
fn station_block(
    out: &mut String,
    [title, ci_head]: [&str; 2],
    stations: &[StationRow],
    figure: impl Fn(&StationRow) -> &StationFigure,
    unit: &str,
    value: impl Fn(f64) -> String,
) {
    compare_line(out, [title, "A", "B", "B − A", ci_head, "", ""]);
    for st in stations {
        let f = figure(st);
        let side = |l: &Option<Level>| l.as_ref().map_or("absent".to_string(), |l| value(l.mean));
        let (d, r) = match &f.difference {
            Some(d) => (
                diff_cell(d.mean, unit, d.mean),
                diff_range(d.ci95, unit, d.mean),
            ),
            None => ("—".to_string(), "station on one side only".to_string()),
        };
        compare_line(
            out,
            [
                &st.station,
                &side(&f.a),
                &side(&f.b),
                &d,
                &r,
                words::difference_mark(f.significant, f.difference.as_ref().and_then(|d| d.ci95)),
                "",
            ],
        );
    }
}

/// The band of every headline figure over plausible inputs (`run --uncertainty N`).
fn uncertainty_block(out: &mut String, u: &crate::experiment::uncertainty::Uncertainty) {
    let _ = writeln!(out);
    wrapped(
        out,
        "",
        "",
        &format!(
            "Over plausible inputs: {} {} draws of {} uncertain input(s), each with all its replications.",
            u.draws,
            u.method,
            u.inputs.len()
        ),
    );
    let _ = writeln!(
        out,
        "  {:<34} {:>12} {:>12} {:>12}",
        "figure", "5%", "median", "95%"
    );
    for b in &u.bands {
        let _ = writeln!(
            out,
            "  {:<34} {:>12} {:>12} {:>12}",
            format!("{} [{}]", b.metric.short_label(), b.unit),
            cell(b.p5, &b.unit),
            cell(b.p50, &b.unit),
            cell(b.p95, &b.unit)
        );
    }
    wrapped(out, "", "  ", &u.covers);
}

/// The band of every difference over plausible inputs and how often its sign holds.
fn compare_uncertainty_block(
    out: &mut String,
    u: &crate::experiment::uncertainty::CompareUncertainty,
) {
    let _ = writeln!(out);
    wrapped(
        out,
        "",
        "",
        &format!(
            "Over plausible inputs: {} {} draws of {} uncertain input(s), A and B at the same draw each time.",
            u.draws,
            u.method,
            u.inputs.len()
        ),
    );
    let _ = writeln!(
        out,
        "  {:<26} {:>10} {:>10} {:>10}  sign of B − A holds",
        "figure", "B − A 5%", "median", "95%"
    );
    for (b, d) in u.bands.iter().zip(&u.decisions) {
        let _ = writeln!(
            out,
            "  {:<26} {:>10} {:>10} {:>10}  {} of {} draws ({})",
            b.metric.short_label(),
            diff_cell(b.p5, &b.unit, b.p50),
            diff_cell(b.p50, &b.unit, b.p50),
            diff_cell(b.p95, &b.unit, b.p50),
            d.same_sign,
            d.draws,
            words::percent(d.share)
        );
    }
    wrapped(out, "", "  ", &u.covers);
}
