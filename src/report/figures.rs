//! The charts of a run report, for one run or for two side by side (a comparison): clearance
//! histogram and cumulative curve, TRS segments, backlog over time, utilisation per station,
//! cost per parcel. Each returns `None` when the document has nothing to draw it from.

use super::chart::{
    self, BarSeries, Guide, Guides, HistBin, HistSeries, Labels, Panel, Point, Series, Value,
};
use super::doc::Backlog;
use super::page::Figure;
use super::words::percent;
use crate::results::figures::Level;
use crate::results::run::{Bin, RunSummary, StageSummary};

/// Id of the clearance-time (or time-in-system) histogram.
pub const HISTOGRAM: &str = "chart-histogram";
/// Id of the cumulative share released within a time.
pub const CDF: &str = "chart-cdf";
/// Id of the stacked TRS segments.
pub const TRS: &str = "chart-trs";
/// Id of the backlog over time.
pub const BACKLOG: &str = "chart-backlog";
/// Id of utilisation per station.
pub const UTILISATION: &str = "chart-utilisation";
/// Id of the cost breakdown per parcel.
pub const COST: &str = "chart-cost";
/// Id of the paired differences in hours (comparisons).
pub const DIFFERENCES: &str = "chart-differences";
/// Id of the paired differences relative to A (comparisons).
pub const RELATIVE: &str = "chart-relative-differences";

/// The charts a parcel-world run report draws (the backlog one when the backlog is known).
pub const RUN_CHARTS: [&str; 6] = [HISTOGRAM, CDF, TRS, BACKLOG, UTILISATION, COST];
/// The charts a parcel-world comparison report draws.
pub const COMPARE_CHARTS: [&str; 8] = [
    DIFFERENCES,
    RELATIVE,
    HISTOGRAM,
    CDF,
    TRS,
    BACKLOG,
    UTILISATION,
    COST,
];

/// Backlog stages left out of the backlog chart: parcels on a departure are travelling, not
/// queueing.
pub const BACKLOG_LEFT_OUT: [&str; 1] = ["in_transit"];

/// One run to draw: its label (the scenario name), its document and its backlog if known.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// Legend entry.
    pub label: &'a str,
    /// The run's document.
    pub doc: &'a RunSummary,
    /// Mean backlog over replications, when the run (or a backlog.csv) gave it.
    pub backlog: Option<&'a Backlog>,
}

/// What the headline duration is called: (noun, axis label).
pub fn headline_words(doc: &RunSummary) -> (&'static str, &'static str) {
    if doc.is_world() {
        ("clearance time", "clearance time, arrival → release [h]")
    } else {
        ("time in system", "time in system [h]")
    }
}

/// The TRS segments of a parcel-world document, in order (`exit` is not part of clearance).
pub fn trs_segments(doc: &RunSummary) -> Vec<&StageSummary> {
    doc.stages
        .iter()
        .filter(|s| s.kind == "trs_segment" && s.name != "exit")
        .collect()
}

/// The stages with a utilisation (stations of a parcel world, queues of a network).
pub fn stations(doc: &RunSummary) -> Vec<&StageSummary> {
    doc.stages
        .iter()
        .filter(|s| s.utilization.is_some())
        .collect()
}

/// The distribution's bins of equal width, and the tail bin (wider, up to the maximum) if any.
pub fn split_tail(bins: &[Bin]) -> (&[Bin], Option<&Bin>) {
    match bins {
        [first, .., last] => {
            let w = first.upper_h - first.lower_h;
            let lw = last.upper_h - last.lower_h;
            if (lw - w).abs() > 1e-9 * w.abs().max(1.0) {
                (&bins[..bins.len() - 1], Some(last))
            } else {
                (bins, None)
            }
        }
        _ => (bins, None),
    }
}

fn value(l: &Level, scale: f64) -> Value {
    Value {
        value: l.mean * scale,
        ci95: l.ci95.map(|[lo, hi]| [lo * scale, hi * scale]),
    }
}

fn label_of(sides: &[Side<'_>], side: &Side<'_>) -> String {
    if sides.len() > 1 {
        side.label.to_string()
    } else {
        String::new()
    }
}

/// Shares of `bins` moved onto bins of width `step` from 0 to `top`: a source bin's share is
/// split in proportion to its overlap with each target bin (exact when its edges are on the
/// target grid, uniform within the bin otherwise). What lies above `top` is returned apart.
fn rebin(bins: &[Bin], step: f64, top: f64) -> (Vec<HistBin>, f64) {
    let n = (top / step).round().max(1.0) as usize;
    let mut out: Vec<HistBin> = (0..n)
        .map(|i| HistBin {
            lower: step * i as f64,
            upper: step * (i + 1) as f64,
            value: 0.0,
        })
        .collect();
    let mut above = 0.0;
    for b in bins.iter().filter(|b| b.share.is_finite() && b.share > 0.0) {
        let width = b.upper_h - b.lower_h;
        if width <= 0.0 {
            match out.iter_mut().find(|t| b.lower_h < t.upper) {
                Some(t) => t.value += b.share,
                None => above += b.share,
            }
            continue;
        }
        let mut placed = 0.0;
        for t in out.iter_mut() {
            let overlap = (b.upper_h.min(t.upper) - b.lower_h.max(t.lower)).max(0.0);
            if overlap > 0.0 {
                let part = b.share * overlap / width;
                t.value += part;
                placed += part;
            }
        }
        above += (b.share - placed).max(0.0);
    }
    (out, above)
}

/// Histogram of the headline duration, one overlaid per side. Sides are drawn on the same
/// bins (the widest bin width of any side, up to the furthest regular bin), and the reading
/// says what share of each side lies beyond the chart.
pub fn histogram(sides: &[Side<'_>], reading: String) -> Option<Figure> {
    let first = sides.first()?;
    let (noun, x) = headline_words(first.doc);
    let dists: Vec<(&Side<'_>, &[Bin])> = sides
        .iter()
        .filter_map(|s| Some((s, s.doc.distribution.as_ref()?.bins.as_slice())))
        .collect();
    if dists.is_empty() {
        return None;
    }
    let step = dists
        .iter()
        .filter_map(|(_, b)| b.first().map(|f| f.upper_h - f.lower_h))
        .fold(0.0, f64::max);
    let top = dists
        .iter()
        .filter_map(|(_, b)| split_tail(b).0.last().map(|l| l.upper_h))
        .fold(0.0, f64::max);
    let top = if step > 0.0 {
        (top / step).ceil() * step
    } else {
        top
    };
    let mut cut = Vec::new();
    let series: Vec<HistSeries> = dists
        .iter()
        .map(|(s, bins)| {
            let (bins, above) = if sides.len() > 1 && step > 0.0 && top > 0.0 {
                rebin(bins, step, top)
            } else {
                let (regular, tail) = split_tail(bins);
                (
                    regular
                        .iter()
                        .map(|b| HistBin {
                            lower: b.lower_h,
                            upper: b.upper_h,
                            value: b.share,
                        })
                        .collect(),
                    tail.map_or(0.0, |t| t.share),
                )
            };
            if above >= 0.0005 {
                cut.push(format!("{} of {}", percent(above), s.label));
            }
            HistSeries {
                label: label_of(sides, s),
                bins: bins
                    .into_iter()
                    .map(|b| HistBin {
                        value: b.value * 100.0,
                        ..b
                    })
                    .collect(),
            }
        })
        .collect();
    let mut reading = reading;
    if sides.len() > 1 {
        reading.push_str(&format!(
            " Both on the same {} h bins.",
            super::words::short(step)
        ));
        if !cut.is_empty() {
            reading.push_str(&format!(
                " Left off the chart, above {} h: {}.",
                super::words::short(top),
                cut.join(", ")
            ));
        }
    }
    let title = format!("Distribution of the {noun}");
    let labels = Labels::new(HISTOGRAM, &title, x, "share of parcels [%]").up_to(100.0);
    Some(Figure {
        svg: chart::histogram(&labels, &series),
        title,
        reading,
    })
}

/// Cumulative share of parcels released (or customers gone) within a time, one line per side,
/// with guides at 24 h and 48 h when they are in range.
pub fn cdf(sides: &[Side<'_>], reading: String) -> Option<Figure> {
    let first = sides.first()?;
    let (noun, _) = headline_words(first.doc);
    let mut top: f64 = 0.0;
    let series: Vec<Series> = sides
        .iter()
        .filter_map(|s| {
            let d = s.doc.distribution.as_ref()?;
            let mut cum = 0.0;
            let mut points = vec![Point {
                x: 0.0,
                y: 0.0,
                ci95: None,
            }];
            for b in &d.bins {
                cum += b.share;
                top = top.max(b.upper_h);
                points.push(Point {
                    x: b.upper_h,
                    y: (cum * 100.0).min(100.0),
                    ci95: None,
                });
            }
            Some(Series {
                label: label_of(sides, s),
                points,
            })
        })
        .collect();
    if series.is_empty() {
        return None;
    }
    let guides = Guides {
        vertical: [24.0, 48.0]
            .into_iter()
            .filter(|&h| h < top)
            .map(|h| Guide {
                at: h,
                label: format!("{h} h"),
            })
            .collect(),
        ..Guides::default()
    };
    let (title, y) = if first.doc.is_world() {
        (
            "Share of parcels released within a time of arrival".to_string(),
            "parcels released [%]",
        )
    } else {
        (
            format!("Share of customers whose {noun} is at most a time"),
            "customers [%]",
        )
    };
    let labels = Labels::new(CDF, &title, "hours since arrival [h]", y).up_to(100.0);
    Some(Figure {
        svg: chart::line_chart(&labels, &series, &guides),
        title,
        reading,
    })
}

/// Stacked bar of the mean hours of each TRS segment, one bar per side.
pub fn trs(sides: &[Side<'_>], reading: String) -> Option<Figure> {
    let parts: Vec<String> = trs_segments(sides.first()?.doc)
        .iter()
        .map(|s| s.name.clone())
        .collect();
    if parts.is_empty() {
        return None;
    }
    let values: Vec<Vec<f64>> = sides
        .iter()
        .map(|s| {
            parts
                .iter()
                .map(|p| {
                    trs_segments(s.doc)
                        .iter()
                        .find(|st| &st.name == p)
                        .map_or(0.0, |st| st.time_in_stage_hours.mean)
                })
                .collect()
        })
        .collect();
    let bars: Vec<String> = sides.iter().map(|s| s.label.to_string()).collect();
    let title = "Where the clearance time goes: Time Release Study segments".to_string();
    let labels = Labels::new(TRS, &title, "scenario", "mean hours per parcel [h]");
    Some(Figure {
        svg: chart::stacked_bar_chart(&labels, &bars, &parts, &values),
        title,
        reading,
    })
}

/// Backlog over time per stage (mean of replications), one panel per side, warm-up shaded.
pub fn backlog(sides: &[Side<'_>], reading: String) -> Option<Figure> {
    let mut panels = Vec::new();
    for s in sides {
        let b = s.backlog?;
        let series = b
            .nonzero()
            .filter(|(stage, _)| !BACKLOG_LEFT_OUT.contains(&stage.as_str()))
            .map(|(stage, pts)| Series {
                label: stage.clone(),
                points: pts
                    .iter()
                    .map(|&(h, v)| Point {
                        x: f64::from(h),
                        y: v,
                        ci95: None,
                    })
                    .collect(),
            })
            .collect();
        panels.push(Panel {
            title: if sides.len() > 1 {
                s.label.to_string()
            } else {
                String::new()
            },
            series,
        });
    }
    let warmup = sides.first()?.doc.warmup_hours;
    let guides = Guides {
        shade_before: (warmup > 0.0).then(|| Guide {
            at: warmup,
            label: " warm-up".to_string(),
        }),
        ..Guides::default()
    };
    let title = "Parcels waiting at each stage over time (mean of replications)".to_string();
    let labels = Labels::new(
        BACKLOG,
        &title,
        "simulated time [h]",
        "parcels waiting [parcels]",
    );
    Some(Figure {
        svg: chart::line_panels(&labels, &panels, &guides),
        title,
        reading,
    })
}

/// Utilisation per station with 95% CIs, sides grouped per station.
pub fn utilisation(sides: &[Side<'_>], reading: String) -> Option<Figure> {
    let mut names: Vec<String> = Vec::new();
    for s in sides {
        for st in stations(s.doc) {
            if !names.contains(&st.name) {
                names.push(st.name.clone());
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    let series: Vec<BarSeries> = sides
        .iter()
        .map(|s| BarSeries {
            label: label_of(sides, s),
            values: names
                .iter()
                .map(|n| {
                    stations(s.doc)
                        .iter()
                        .find(|st| &st.name == n)
                        .and_then(|st| st.utilization.as_ref())
                        .map_or(
                            Value {
                                value: f64::NAN,
                                ci95: None,
                            },
                            |u| value(u, 100.0),
                        )
                })
                .collect(),
        })
        .collect();
    let title = "Utilisation per station".to_string();
    let labels = Labels::new(
        UTILISATION,
        &title,
        "station",
        "busy share of on-duty hours [%]",
    )
    .up_to(100.0);
    Some(Figure {
        svg: chart::bar_chart_with_ci(&labels, &names, &series),
        title,
        reading,
    })
}

/// Stacked bar of cost per delivered parcel by category, one bar per side.
pub fn cost(sides: &[Side<'_>], reading: String) -> Option<Figure> {
    let first = sides.first()?;
    let parts: Vec<String> = first
        .doc
        .cost_per_parcel
        .as_ref()?
        .breakdown
        .keys()
        .cloned()
        .collect();
    let values: Vec<Vec<f64>> = sides
        .iter()
        .map(|s| {
            parts
                .iter()
                .map(|p| {
                    s.doc
                        .cost_per_parcel
                        .as_ref()
                        .and_then(|c| c.breakdown.get(p))
                        .map_or(0.0, |l| l.mean)
                })
                .collect()
        })
        .collect();
    let cur = first.doc.currency.clone().unwrap_or_default();
    let bars: Vec<String> = sides.iter().map(|s| s.label.to_string()).collect();
    let title = "Cost per delivered parcel, by category".to_string();
    let y = format!("cost per parcel [{cur}]");
    let labels = Labels::new(COST, &title, "scenario", &y);
    Some(Figure {
        svg: chart::stacked_bar_chart(&labels, &bars, &parts, &values),
        title,
        reading,
    })
}

/// The peak mean backlog after the warm-up over every charted stage: (stage, hour, parcels).
pub fn backlog_peak(b: &Backlog, warmup_h: f64) -> Option<(String, u32, f64)> {
    let mut best: Option<(String, u32, f64)> = None;
    for (stage, pts) in b
        .nonzero()
        .filter(|(s, _)| !BACKLOG_LEFT_OUT.contains(&s.as_str()))
    {
        for &(h, v) in pts.iter().filter(|(h, _)| f64::from(*h) >= warmup_h) {
            if best.as_ref().is_none_or(|(_, _, bv)| v > *bv) {
                best = Some((stage.clone(), h, v));
            }
        }
    }
    best.filter(|(_, _, v)| *v > 0.0)
}
