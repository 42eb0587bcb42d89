//! The readable summary table of a run, for a terminal.

use std::fmt::Write;

use crate::experiment::RunSummary;
use crate::experiment::summary::{Level, Stat};

fn ci(ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) => format!("[{lo:.4}, {hi:.4}]"),
        None => "(1 rep: no CI)".to_string(),
    }
}

fn stat_row(out: &mut String, label: &str, s: &Stat) {
    let _ = writeln!(
        out,
        "  {label:<22} {:>10.4} {:<26} {:>9.4} {:>9.4} {:>9.4} {:>9.4}",
        s.mean,
        ci(s.ci95),
        s.p50,
        s.p95,
        s.p99,
        s.max
    );
}

fn level_row(out: &mut String, label: &str, l: &Level) {
    let _ = writeln!(out, "  {label:<22} {:>10.4} {:<26}", l.mean, ci(l.ci95));
}

/// A plain-text table of the summary: what `clearsim run` prints without `--json`.
pub fn render(s: &RunSummary) -> String {
    let mut out = String::new();
    let stop = match (s.horizon_hours, s.arrivals_limit) {
        (Some(h), Some(n)) => format!("horizon {h} h or {n} arrivals"),
        (Some(h), None) => format!("horizon {h} h"),
        (None, Some(n)) => format!("{n} arrivals, then until empty"),
        (None, None) => String::new(),
    };
    let _ = writeln!(
        out,
        "{} — {} replication(s), seed {}, {stop}, warm-up {} h (statistics ignore it)",
        s.scenario.name, s.replications, s.seed, s.warmup_hours
    );
    if let Some(pr) = &s.precision {
        let verdict = if pr.met {
            "met"
        } else {
            "NOT met: replication cap reached"
        };
        let _ = writeln!(
            out,
            "precision: 95% CI half-width {:.2}% of the headline mean after {} replications (target {:.2}%: {verdict})",
            pr.achieved_relative_half_width * 100.0,
            pr.replications,
            pr.target_relative_half_width * 100.0
        );
    }
    let p = &s.parcels;
    let _ = writeln!(
        out,
        "parcels: created {} = delivered {} + in system {} + seized/blocked {}",
        p.created, p.delivered, p.in_system, p.seized
    );
    let _ = writeln!(
        out,
        "\nhours; mean with 95% CI across replications, quantiles pooled"
    );
    let _ = writeln!(
        out,
        "  {:<22} {:>10} {:<26} {:>9} {:>9} {:>9} {:>9}",
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
        level_row(&mut out, "released within 1 h", &r.h1);
        level_row(&mut out, "released within 24 h", &r.h24);
        level_row(&mut out, "released within 48 h", &r.h48);
    }
    for st in s.stages.iter().filter(|st| st.kind != "trs_segment") {
        let _ = writeln!(out, "stage {} ({})", st.name, st.kind);
        stat_row(&mut out, "wait", &st.wait_hours);
        stat_row(&mut out, "time in stage", &st.time_in_stage_hours);
        if let Some(u) = &st.utilization {
            level_row(&mut out, "utilization", u);
        }
        level_row(&mut out, "queue length", &st.queue_length);
        if st.blocked > 0 {
            level_row(&mut out, "blocking probability", &st.blocking_probability);
        }
    }
    level_row(&mut out, "throughput [1/h]", &s.metrics.throughput_per_hour);
    if let Some(t) = &s.throughput_per_day {
        level_row(&mut out, "delivered per day", t);
    }
    if let Some(b) = &s.bottleneck {
        let _ = writeln!(
            out,
            "bottleneck: {} (utilisation {:.3})",
            b.station, b.utilization.mean
        );
    }
    let cur = s.currency.as_deref().unwrap_or("");
    if let Some(c) = &s.cost_per_parcel {
        let _ = writeln!(out, "\ncost per delivered parcel [{cur}]");
        level_row(&mut out, "total", &c.total);
        for (k, v) in &c.breakdown {
            level_row(&mut out, k, v);
        }
    }
    if let Some(r) = &s.revenue_per_parcel {
        let _ = writeln!(out, "revenue per delivered parcel [{cur}]");
        level_row(&mut out, "duty", &r.duty);
        level_row(&mut out, "VAT", &r.vat);
    }
    out
}

/// A plain-text table of a paired comparison: what `clearsim compare` prints.
pub fn render_comparison(c: &crate::experiment::Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "A = {}   B = {}\n{} paired replications, seed {} (common random numbers: the same parcels in both)",
        c.a.name, c.b.name, c.replications, c.seed
    );
    let _ = writeln!(
        out,
        "\n  {:<26} {:>11} {:>11} {:>11} {:<24} {:>8}  {:<24}",
        "metric", "A", "B", "B − A", "95% CI (paired)", "change", "95% CI if unpaired"
    );
    for r in &c.rows {
        let ci = |ci: Option<[f64; 2]>| match ci {
            Some([lo, hi]) => format!("[{lo:.4}, {hi:.4}]"),
            None => "(no CI)".to_string(),
        };
        let mark = if r.significant { " *" } else { "" };
        let _ = writeln!(
            out,
            "  {:<26} {:>11.4} {:>11.4} {:>11.4} {:<24} {:>7.1}%  {:<24}{mark}",
            format!("{} [{}]", r.metric, r.unit),
            r.a.mean,
            r.b.mean,
            r.difference.mean,
            ci(r.difference.ci95),
            r.relative_change * 100.0,
            ci(r.independent_ci95),
        );
    }
    let _ = writeln!(
        out,
        "\n* the 95% interval of B − A excludes 0: the difference is real at that level"
    );
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
            let _ = writeln!(
                out,
                "  {label:<34} {:>12.4} {:<26}",
                m.level.mean,
                ci(m.level.ci95)
            );
        }
    }
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
