//! The network part of a run's report, drawn from the summary's `network` section: the
//! diagram, the per-gateway, per-lane, per-hub and returns tables, and their findings.

use std::fmt::Write;

use super::chart::escape;
use super::page::{Block, Figure, Section, Table};
use super::words::{
    BELOW_PRECISION, below_precision, ci_cell, count, hours, hours_like, interval, money, percent,
    plain,
};
use crate::results::compare::Comparison;
use crate::results::figures::Level;
use crate::results::network::{LaneSummary, NetworkSummary};

/// The id of the network diagram's `<svg>`.
pub const DIAGRAM_ID: &str = "network";

/// What every network table's interval covers, in one sentence.
pub const NOISE_ONLY: &str = "95% CI: simulation noise only (across replications, for these \
inputs), not uncertainty about the inputs.";

fn ci_h(l: &Level) -> String {
    ci_cell(l.ci95, |x| hours_like(x, l.mean))
}

/// The interval cell of a duration: `—` when nothing was observed.
fn stat_ci(s: &crate::experiment::summary::Stat) -> String {
    if s.count == 0 {
        "—".into()
    } else {
        ci_h(&level_of(s.mean, s.ci95))
    }
}

fn in_words(l: &Level, f: impl Fn(f64) -> String, unit: &str) -> String {
    match l.ci95 {
        Some([lo, hi]) => format!(
            "{}{unit} (95% CI {}{unit})",
            f(l.mean),
            interval(lo, hi, &f)
        ),
        None => format!("{}{unit}", f(l.mean)),
    }
}

fn level_of(mean: f64, ci95: Option<[f64; 2]>) -> Level {
    Level { mean, ci95 }
}

/// The fullest limit's mean load of a lane, 0 without limits.
fn fill(l: &LaneSummary) -> (f64, Option<[f64; 2]>, &'static str) {
    l.load_factor
        .fullest()
        .map_or((0.0, None, "—"), |(n, f)| (f.mean.mean, f.mean.ci95, n))
}

/// Key findings of the network, in words: the slowest gateway, the fullest lane and the lane
/// that overflows most, the bottleneck, and net revenue after refunds.
pub fn findings(net: &NetworkSummary) -> Vec<String> {
    let mut out = Vec::new();
    let cleared: Vec<_> = net
        .gateways
        .iter()
        .filter(|g| g.clearance_hours.count > 0)
        .collect();
    if let Some(slow) = cleared
        .iter()
        .max_by(|a, b| a.clearance_hours.mean.total_cmp(&b.clearance_hours.mean))
    {
        let c = &slow.clearance_hours;
        let mut s = format!(
            "{} clears slowest: mean clearance {}.",
            slow.name,
            in_words(&level_of(c.mean, c.ci95), hours, " h")
        );
        if let Some(fast) = cleared
            .iter()
            .min_by(|a, b| a.clearance_hours.mean.total_cmp(&b.clearance_hours.mean))
            .filter(|f| f.name != slow.name)
        {
            let _ = write!(
                s,
                " The fastest, {}, takes {} h.",
                fast.name,
                hours(fast.clearance_hours.mean)
            );
        }
        out.push(s);
    }
    let outbound: Vec<_> = net.lanes.iter().filter(|l| !l.return_lane).collect();
    if let Some(full) = outbound
        .iter()
        .filter(|l| l.load_factor.fullest().is_some())
        .max_by(|a, b| fill(a).0.total_cmp(&fill(b).0))
    {
        let (mean, ci, limit) = fill(full);
        out.push(format!(
            "{} ({}) is the fullest lane: its departures are on average {} full by {} (the \
             fullest departure {}).",
            full.name,
            full.mode,
            in_words(&level_of(mean, ci), percent, ""),
            if limit == "m3" { "m³" } else { limit },
            percent(full.max_fill)
        ));
    }
    if let Some(over) = outbound
        .iter()
        .filter(|l| l.overflowed > 0)
        .max_by_key(|l| l.overflowed)
    {
        out.push(format!(
            "{} overflows most: {} parcels (over all replications) found it full and went by \
             another lane.",
            over.name,
            count(over.overflowed)
        ));
    }
    if let Some(b) = &net.bottleneck {
        out.push(format!(
            "The network's bottleneck is the {} {}: it adds {} of waiting to the average \
             parcel; the parcels it holds wait {} on average (p95 {} h).",
            b.kind,
            b.name,
            in_words(&b.delay_per_parcel_hours, hours, " h"),
            in_words(&b.mean_wait_hours, hours, " h"),
            hours(b.p95_wait_hours)
        ));
    }
    if let Some(r) = &net.returns {
        out.push(format!(
            "After refunds on returns, duty and VAT bring {} {} per delivered parcel, against \
             {} before.",
            in_words(&r.net_revenue_per_parcel, money, ""),
            net.currency,
            money(r.revenue_per_parcel.mean)
        ));
    }
    out
}

fn gateway_tables(net: &NetworkSummary) -> [Table; 2] {
    let times = Table {
        header: vec![
            "gateway".into(),
            "clearance [h]".into(),
            "95% CI [h]".into(),
            "p95 [h]".into(),
            "≤ 24 h".into(),
            "95% CI".into(),
            "per day".into(),
        ],
        rows: net
            .gateways
            .iter()
            .map(|g| {
                let c = &g.clearance_hours;
                let s = &g.released_within.h24;
                vec![
                    g.name.clone(),
                    hours(c.mean),
                    stat_ci(c),
                    hours(c.p95),
                    percent(s.mean),
                    ci_cell(s.ci95, percent),
                    plain(g.throughput_per_day.mean),
                ]
            })
            .collect(),
    };
    let cur = &net.currency;
    let money_table = Table {
        header: vec![
            "gateway".into(),
            format!("cost [{cur}]"),
            "95% CI".into(),
            format!("duty+VAT [{cur}]"),
            "own currency: cost, duty+VAT".into(),
        ],
        rows: net
            .gateways
            .iter()
            .map(|g| {
                let r = &g.reporting;
                let o = &g.own;
                vec![
                    g.name.clone(),
                    money(r.cost_total.mean),
                    ci_cell(r.cost_total.ci95, money),
                    money(r.duty.mean + r.vat.mean),
                    format!(
                        "{}, {} {}",
                        money(o.cost_total.mean),
                        money(o.duty.mean + o.vat.mean),
                        o.currency
                    ),
                ]
            })
            .collect(),
    };
    [times, money_table]
}

fn lane_tables(net: &NetworkSummary) -> [Table; 2] {
    let load = Table {
        header: vec![
            "lane".into(),
            "mode".into(),
            "parcels/day".into(),
            "95% CI".into(),
            "mean fill".into(),
            "95% CI".into(),
            "max fill".into(),
        ],
        rows: net
            .lanes
            .iter()
            .map(|l| {
                let (mean, ci, limit) = fill(l);
                vec![
                    l.name.clone(),
                    if l.return_lane {
                        format!("{} (return)", l.mode)
                    } else {
                        l.mode.clone()
                    },
                    plain(l.parcels_per_day.mean),
                    ci_cell(l.parcels_per_day.ci95, plain),
                    if limit == "—" {
                        "—".into()
                    } else {
                        format!(
                            "{} ({})",
                            percent(mean),
                            if limit == "m3" { "m³" } else { limit }
                        )
                    },
                    ci_cell(ci, percent),
                    percent(l.max_fill),
                ]
            })
            .collect(),
    };
    let cur = &net.currency;
    let flow = Table {
        header: vec![
            "lane".into(),
            "overflowed".into(),
            "received".into(),
            "left behind".into(),
            "wait [h]".into(),
            "95% CI [h]".into(),
            format!("cost/day [{cur}]"),
        ],
        rows: net
            .lanes
            .iter()
            .map(|l| {
                let w = &l.wait_hours;
                vec![
                    l.name.clone(),
                    count(l.overflowed),
                    count(l.overflow_received),
                    count(l.left_behind),
                    hours(w.mean),
                    stat_ci(w),
                    money(l.fixed_cost_per_day.mean + l.freight_cost_per_day.mean),
                ]
            })
            .collect(),
    };
    [load, flow]
}

fn hub_table(net: &NetworkSummary) -> Table {
    Table {
        header: vec![
            "hub".into(),
            "sort util.".into(),
            "95% CI".into(),
            "sort wait [h]".into(),
            "export [h]".into(),
            "95% CI [h]".into(),
            "bags".into(),
        ],
        rows: net
            .hubs
            .iter()
            .map(|h| {
                let u = h.sort_utilization.as_ref();
                let e = &h.export_hours;
                vec![
                    h.name.clone(),
                    u.map_or("—".into(), |u| percent(u.mean)),
                    u.map_or("—".into(), |u| ci_cell(u.ci95, percent)),
                    h.sort_wait_hours
                        .as_ref()
                        .map_or("—".into(), |w| hours(w.mean)),
                    hours(e.mean),
                    stat_ci(e),
                    count(h.bags),
                ]
            })
            .collect(),
    }
}

fn returns_table(net: &NetworkSummary) -> Option<Table> {
    let r = net.returns.as_ref()?;
    let cur = &net.currency;
    let t = &r.time_hours;
    let m = |label: String, l: &Level| vec![label, money(l.mean), ci_cell(l.ci95, money)];
    Some(Table {
        header: vec!["returns".into(), "value".into(), "95% CI".into()],
        rows: vec![
            vec![
                "started, closed, open".into(),
                format!(
                    "{}, {}, {}",
                    count(r.started),
                    count(r.closed),
                    count(r.open)
                ),
                String::new(),
            ],
            vec![
                "share of delivered returned".into(),
                percent(r.return_share.mean),
                ci_cell(r.return_share.ci95, percent),
            ],
            vec!["return time [h]".into(), hours(t.mean), stat_ci(t)],
            m(
                format!("duty refunded per parcel [{cur}]"),
                &r.duty_refunded_per_parcel,
            ),
            m(
                format!("VAT refunded per parcel [{cur}]"),
                &r.vat_refunded_per_parcel,
            ),
            m(
                format!("return cost per parcel [{cur}]"),
                &r.cost_per_parcel,
            ),
            m(
                format!("duty+VAT per parcel [{cur}]"),
                &r.revenue_per_parcel,
            ),
            m(
                format!("net of refunds per parcel [{cur}]"),
                &r.net_revenue_per_parcel,
            ),
        ],
    })
}

/// The colour of a node whose mean time there is `x` of the scale's top `top` [h]: four steps
/// from green to red.
fn shade(x: f64, top: f64) -> (&'static str, usize) {
    const SHADES: [&str; 4] = ["#1a9850", "#a6d96a", "#fdae61", "#d73027"];
    let k = if top > 0.0 {
        ((x / top * 4.0).floor() as usize).min(3)
    } else {
        0
    };
    (SHADES[k], k)
}

/// The network diagram as one `<svg>`: hubs on the left, gateways on the right, each lane a
/// line with an arrowhead labelled with its mode and parcels per day (return lanes dashed),
/// each node coloured by the mean time parcels spend there (a hub: sort wait and export; a
/// gateway: clearance), with a legend. No script, no link, no external resource.
pub fn diagram(net: &NetworkSummary) -> String {
    let (w, row, top_margin) = (720.0, 90.0, 70.0);
    let n = net.hubs.len().max(net.gateways.len()).max(1) as f64;
    let h = top_margin + n * row + 70.0;
    let (hub_x, gw_x, node_w, node_h) = (40.0, 520.0, 160.0, 44.0);
    let y_of = |i: usize, of: usize| {
        let span = n * row;
        top_margin + span * (i as f64 + 0.5) / of.max(1) as f64 - node_h / 2.0
    };
    let hub_time: Vec<f64> = net
        .hubs
        .iter()
        .map(|x| x.sort_wait_hours.as_ref().map_or(0.0, |s| s.mean) + x.export_hours.mean)
        .collect();
    let gw_time: Vec<f64> = net
        .gateways
        .iter()
        .map(|g| g.clearance_hours.mean)
        .collect();
    let top = hub_time
        .iter()
        .chain(&gw_time)
        .copied()
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let title = "Network: lanes from origin hubs to import gateways";
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg id=\"{DIAGRAM_ID}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">\
         <title>{}</title>",
        escape(title)
    );
    let _ = write!(
        s,
        "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\
         <text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>\
         <text x=\"{}\" y=\"50\" text-anchor=\"middle\">origin hubs</text>\
         <text x=\"{}\" y=\"50\" text-anchor=\"middle\">import gateways</text>",
        w / 2.0,
        escape(title),
        hub_x + node_w / 2.0,
        gw_x + node_w / 2.0
    );
    let hub_index = |name: &str| net.hubs.iter().position(|x| x.name == name);
    let gw_index = |name: &str| net.gateways.iter().position(|x| x.name == name);
    // Lanes between the same two nodes fan out; return lanes bow the other way.
    let mut seen: Vec<(usize, usize, bool)> = Vec::new();
    for l in &net.lanes {
        let (hub, gw) = if l.return_lane {
            (hub_index(&l.to), gw_index(&l.from))
        } else {
            (hub_index(&l.from), gw_index(&l.to))
        };
        let (Some(hi), Some(gi)) = (hub, gw) else {
            continue;
        };
        let k = seen
            .iter()
            .filter(|&&p| p == (hi, gi, l.return_lane))
            .count();
        seen.push((hi, gi, l.return_lane));
        let hy = y_of(hi, net.hubs.len()) + node_h / 2.0;
        let gy = y_of(gi, net.gateways.len()) + node_h / 2.0;
        let (x0, x1) = (hub_x + node_w, gw_x);
        let sign = if l.return_lane { 1.0 } else { -1.0 };
        let bow = sign * (12.0 + 22.0 * k as f64) + if l.return_lane { 8.0 } else { 0.0 };
        let (start, end) = if l.return_lane {
            ((x1, gy + 6.0), (x0, hy + 6.0))
        } else {
            ((x0, hy), (x1, gy))
        };
        let (cx, cy) = ((x0 + x1) / 2.0, (start.1 + end.1) / 2.0 + bow * 2.0);
        let dash = if l.return_lane {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let class = if l.return_lane { "lane return" } else { "lane" };
        let _ = write!(
            s,
            "<path class=\"{class}\" data-lane=\"{}\" d=\"M {:.1} {:.1} Q {:.1} {:.1} {:.1} {:.1}\" \
             fill=\"none\" stroke=\"#555555\" stroke-width=\"2\"{dash}/>",
            escape(&l.name),
            start.0,
            start.1,
            cx,
            cy,
            end.0,
            end.1
        );
        // The arrowhead: a small triangle at the end, pointing along the last tangent.
        let (dx, dy) = (end.0 - cx, end.1 - cy);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        let (ux, uy) = (dx / len, dy / len);
        let (bx, by) = (end.0 - ux * 10.0, end.1 - uy * 10.0);
        let _ = write!(
            s,
            "<polygon class=\"arrow\" points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" \
             fill=\"#555555\"/>",
            end.0,
            end.1,
            bx - uy * 5.0,
            by + ux * 5.0,
            bx + uy * 5.0,
            by - ux * 5.0
        );
        // The label at the curve's midpoint (a quadratic Bézier's point at t = 1/2).
        let (mx, my) = (
            0.25 * start.0 + 0.5 * cx + 0.25 * end.0,
            0.25 * start.1 + 0.5 * cy + 0.25 * end.1,
        );
        let _ = write!(
            s,
            "<text x=\"{mx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            if l.return_lane { my + 14.0 } else { my - 4.0 },
            escape(&format!(
                "{}: {} · {}/day",
                l.name,
                l.mode,
                plain(l.parcels_per_day.mean)
            ))
        );
    }
    let mut node = |kind: &str, x: f64, y: f64, name: &str, t: f64, what: &str| {
        let (fill, _) = shade(t, top);
        let _ = write!(
            s,
            "<g class=\"node {kind}\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{node_w}\" \
             height=\"{node_h}\" rx=\"6\" fill=\"{fill}\" stroke=\"#333333\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">{}</text></g>",
            x + node_w / 2.0,
            y + 18.0,
            escape(name),
            x + node_w / 2.0,
            y + 34.0,
            escape(&format!("{what} {} h", hours(t)))
        );
    };
    for (i, hub) in net.hubs.iter().enumerate() {
        node(
            "hub",
            hub_x,
            y_of(i, net.hubs.len()),
            &hub.name,
            hub_time[i],
            "sort+export",
        );
    }
    for (i, gw) in net.gateways.iter().enumerate() {
        node(
            "gateway",
            gw_x,
            y_of(i, net.gateways.len()),
            &gw.name,
            gw_time[i],
            "clearance",
        );
    }
    let ly = h - 40.0;
    let _ = write!(
        s,
        "<text x=\"40\" y=\"{:.1}\">mean time at the node [h]:</text>",
        ly + 12.0
    );
    for k in 0..4 {
        let (lo, hi) = (top * k as f64 / 4.0, top * (k + 1) as f64 / 4.0);
        let (fill, _) = shade((lo + hi) / 2.0, top);
        let x = 210.0 + k as f64 * 110.0;
        let _ = write!(
            s,
            "<rect class=\"legend\" x=\"{x}\" y=\"{ly}\" width=\"16\" height=\"16\" \
             fill=\"{fill}\" stroke=\"#333333\"/><text x=\"{}\" y=\"{:.1}\">{}–{}</text>",
            x + 20.0,
            ly + 12.0,
            hours(lo),
            hours(hi)
        );
    }
    let _ = write!(
        s,
        "<text x=\"40\" y=\"{:.1}\" font-size=\"11\">solid: outbound lane; dashed: return \
         lane</text></svg>",
        h - 8.0
    );
    s
}

/// The report's sections for a network: the diagram, then gateways, lanes, hubs and returns.
pub fn sections(net: &NetworkSummary) -> Vec<Section> {
    let mut out = Vec::new();
    out.push(Section {
        heading: "Network".into(),
        blocks: vec![Block::Figure(Figure {
            title: "Network: lanes from origin hubs to import gateways".into(),
            svg: diagram(net),
            reading: format!(
                "{} hubs, {} lanes and {} gateways; each node is coloured by the mean time \
                 parcels spend there, each lane labelled with its mode and parcels per day \
                 (return lanes dashed).",
                net.hubs.len(),
                net.lanes.len(),
                net.gateways.len()
            ),
        })],
    });
    let [times, money_t] = gateway_tables(net);
    out.push(Section {
        heading: "Gateways".into(),
        blocks: vec![
            Block::Table(times),
            Block::Table(money_t),
            Block::Note(format!(
                "Money per delivered parcel; {} is the reporting currency, and each gateway's \
                 own currency is converted at its fx. {NOISE_ONLY}",
                net.currency
            )),
        ],
    });
    let [load, flow] = lane_tables(net);
    out.push(Section {
        heading: "Lanes".into(),
        blocks: vec![
            Block::Table(load),
            Block::Table(flow),
            Block::Note(format!(
                "Mean fill is over the lane's fullest limit; counts are summed over \
                 replications. {NOISE_ONLY}"
            )),
        ],
    });
    out.push(Section {
        heading: "Origin hubs".into(),
        blocks: vec![Block::Table(hub_table(net)), Block::Note(NOISE_ONLY.into())],
    });
    if let Some(t) = returns_table(net) {
        out.push(Section {
            heading: "Returns".into(),
            blocks: vec![Block::Table(t), Block::Note(NOISE_ONLY.into())],
        });
    }
    out
}

/// The compare report's per-gateway section, when the comparison has gateways: each
/// gateway's mean clearance in A and B and B − A with its interval, and the finding naming the
/// gateway whose clearance changed most.
pub fn compare_section(doc: &Comparison) -> Option<(Section, String)> {
    if doc.gateways.is_empty() {
        return None;
    }
    let rows = doc
        .gateways
        .iter()
        .map(|g| {
            let f = &g.clearance_hours;
            let side = |l: &Option<Level>| l.as_ref().map_or("—".to_string(), |l| hours(l.mean));
            let (d, ci) = f.difference.as_ref().map_or(("—".into(), "—".into()), |d| {
                (
                    format!("{:+.2}", d.mean),
                    ci_cell(d.ci95, |x| format!("{x:+.2}")),
                )
            });
            vec![
                g.gateway.clone(),
                side(&f.a),
                side(&f.b),
                d,
                ci,
                if f.significant {
                    "yes"
                } else if below_precision(f.significant, f.difference.as_ref().and_then(|d| d.ci95))
                {
                    "below precision"
                } else {
                    "no"
                }
                .to_string(),
            ]
        })
        .collect();
    let most = doc
        .gateways
        .iter()
        .filter_map(|g| g.clearance_hours.difference.as_ref().map(|d| (g, d)))
        .max_by(|a, b| a.1.mean.abs().total_cmp(&b.1.mean.abs()))?;
    let (g, d) = most;
    let finding = format!(
        "Clearance changes most at {}: B − A = {} h{}{}.",
        g.gateway,
        format_args!("{:+.2}", d.mean),
        d.ci95.map_or(String::new(), |[lo, hi]| format!(
            " (95% CI {lo:+.2} to {hi:+.2} h)"
        )),
        if g.clearance_hours.significant {
            ", a real difference at that level".to_string()
        } else if below_precision(false, d.ci95) {
            format!(", {BELOW_PRECISION}")
        } else {
            ", within simulation noise".to_string()
        }
    );
    let table = Table {
        header: vec![
            "gateway".into(),
            "A clearance [h]".into(),
            "B clearance [h]".into(),
            "B − A [h]".into(),
            "95% CI [h]".into(),
            "CI excludes 0".into(),
        ],
        rows,
    };
    Some((
        Section {
            heading: "Gateways".into(),
            blocks: vec![
                Block::Table(table),
                Block::Note(format!(
                    "B − A is paired replication by replication when A and B share their \
                     demand. {NOISE_ONLY}"
                )),
            ],
        },
        finding,
    ))
}
