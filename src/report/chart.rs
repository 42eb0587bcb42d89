//! Charts as self-contained SVG strings, drawn with plotters' SVG backend: lines with 95% CI
//! bands, bars with CI whiskers, stacked bars and histograms. The helpers know nothing of
//! clearsim's results, so any page (run, compare, sweep, stress) can reuse them.
//!
//! Every helper returns an `<svg>` element with the chart's id, a `<title>`, the title drawn
//! on top, axis descriptions and, with more than one series, a legend. Text is left to the
//! viewer's sans-serif font (no font files are read). Bad numbers (NaN, infinities, empty
//! data) never panic: they are left out, and a chart with nothing to draw says so.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

/// Width of a chart [px].
pub const WIDTH: u32 = 860;
/// Height of a chart [px].
pub const HEIGHT: u32 = 420;

/// Colours for series, in order (Okabe–Ito: distinguishable with colour-blindness).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(120, 120, 120),
    RGBColor(240, 228, 66),
];

const FONT: &str = "sans-serif";
const GRID: RGBColor = RGBColor(225, 225, 225);
const INK: RGBColor = RGBColor(40, 40, 40);

/// The words of a chart: an id for the page (`id` of the `<svg>`), a title, and axis labels
/// that carry their units, e.g. `"clearance time [h]"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Labels {
    /// Element id, unique in the page: letters, digits and `-`.
    pub id: String,
    /// Drawn above the chart.
    pub title: String,
    /// Horizontal axis, with its unit.
    pub x: String,
    /// Vertical axis, with its unit.
    pub y: String,
    /// The top of the vertical axis when it has a natural end (100 for shares in %), so an
    /// axis of shares never runs past 100%; `None` fits the data.
    pub y_max: Option<f64>,
}

impl Labels {
    /// Labels from string slices.
    pub fn new(id: &str, title: &str, x: &str, y: &str) -> Self {
        Labels {
            id: id.to_string(),
            title: title.to_string(),
            x: x.to_string(),
            y: y.to_string(),
            y_max: None,
        }
    }

    /// The same labels, the vertical axis ending at `top` (e.g. 100 for a share in %).
    pub fn up_to(mut self, top: f64) -> Self {
        self.y_max = Some(top);
        self
    }
}

/// `y1` capped at the axis' natural top, if it has one (never below `y0`).
fn capped(labels: &Labels, y0: f64, y1: f64) -> f64 {
    match labels.y_max {
        Some(top) if top > y0 => y1.min(top),
        _ => y1,
    }
}

/// One observation of a line: `y` at `x`, with its 95% interval if there is one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal position.
    pub x: f64,
    /// Value.
    pub y: f64,
    /// 95% interval of `y`; `None` draws no band (one replication gives no interval).
    pub ci95: Option<[f64; 2]>,
}

/// A named line.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend entry; empty for a lone line that needs no legend.
    pub label: String,
    /// Points, drawn in increasing `x`.
    pub points: Vec<Point>,
}

/// A value with its 95% interval: a bar and its whisker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Value {
    /// Height of the bar.
    pub value: f64,
    /// 95% interval; `None` draws no whisker.
    pub ci95: Option<[f64; 2]>,
}

/// One group member of a bar chart: a value per category.
#[derive(Clone, Debug, PartialEq)]
pub struct BarSeries {
    /// Legend entry; empty for a lone series.
    pub label: String,
    /// One value per category, in the categories' order.
    pub values: Vec<Value>,
}

/// A reference line: a horizontal limit (at a `y`) or a vertical marker (at an `x`).
#[derive(Clone, Debug, PartialEq)]
pub struct Guide {
    /// Where it is drawn, in data units.
    pub at: f64,
    /// Its label, drawn beside it.
    pub label: String,
}

/// Reference lines and a shaded span of a line chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Guides {
    /// Horizontal lines (limits, targets).
    pub horizontal: Vec<Guide>,
    /// Vertical lines (markers).
    pub vertical: Vec<Guide>,
    /// Shade everything left of this `x` (e.g. a warm-up), with a label.
    pub shade_before: Option<Guide>,
}

/// One small multiple: a titled panel of lines.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Drawn above the panel.
    pub title: String,
    /// Its lines; a label keeps its colour across panels.
    pub series: Vec<Series>,
}

/// One bin of a histogram: the share of observations in [`lower`, `upper`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistBin {
    /// Lower edge.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Height: a share or a count.
    pub value: f64,
}

/// A named histogram, for overlaying two distributions.
#[derive(Clone, Debug, PartialEq)]
pub struct HistSeries {
    /// Legend entry; empty for a lone histogram.
    pub label: String,
    /// Its bins.
    pub bins: Vec<HistBin>,
}

type DrawResult<T> = Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            _ => s.push(c),
        }
    }
    s
}

/// A tick label: as few decimals as the axis span needs, no `-0`.
pub fn tick(v: f64, span: f64) -> String {
    let decimals = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.2 {
        2
    } else {
        3
    };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".to_string() } else { s }
}

/// The range spanned by `values` (finite ones), padded so it is never empty; `from_zero`
/// stretches it to include 0. Returns (0, 1) for no finite value.
fn span(values: impl Iterator<Item = f64>, from_zero: bool, headroom: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    if from_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi - lo < 1e-12 {
        let pad = if hi.abs() > 1e-12 {
            hi.abs() * 0.1
        } else {
            1.0
        };
        return (
            lo - if from_zero && lo >= 0.0 { 0.0 } else { pad },
            hi + pad,
        );
    }
    let room = (hi - lo) * headroom;
    let lo = if from_zero && lo >= 0.0 {
        lo
    } else {
        lo - room
    };
    (lo, hi + room)
}

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn finite(p: &Point) -> bool {
    p.x.is_finite() && p.y.is_finite()
}

fn finite_ci(ci: Option<[f64; 2]>) -> Option<[f64; 2]> {
    ci.filter(|[lo, hi]| lo.is_finite() && hi.is_finite())
}

/// The grid and axes every chart shares: grid lines in `GRID`, the axis descriptions from
/// `labels`, and the fonts; callers add tick labels and which grid to leave out.
fn mesh<'a, 'b, XT, YT, X, Y>(
    chart: &'b mut ChartContext<'a, SVGBackend<'a>, Cartesian2d<X, Y>>,
    labels: &Labels,
) -> MeshStyle<'a, 'b, X, Y, SVGBackend<'a>>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
{
    let mut style = chart.configure_mesh();
    style
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_desc(labels.x.as_str())
        .y_desc(labels.y.as_str())
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 16));
    style
}

/// The legend of the series drawn with labels, top right on a translucent white box.
fn legend<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
) -> DrawResult<()> {
    legend_at(chart, SeriesLabelPosition::UpperRight)
}

/// [`legend`] at `position`.
fn legend_at<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
    position: SeriesLabelPosition,
) -> DrawResult<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .label_font((FONT, 14))
        .draw()
        .map_err(err)
}

/// Draws with `draw` on a fresh SVG canvas and returns the finished `<svg>`, with the chart's
/// id and a `<title>`; a drawing error becomes a small SVG that says what went wrong.
fn svg(
    labels: &Labels,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> DrawResult<()>,
) -> String {
    let mut out = String::new();
    let result = {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        let r = root
            .fill(&WHITE)
            .map_err(err)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(err));
        drop(root);
        r
    };
    if let Err(e) = result {
        out = format!(
            "<svg width=\"{w}\" height=\"60\" viewBox=\"0 0 {w} 60\" xmlns=\"http://www.w3.org/2000/svg\"><text x=\"10\" y=\"30\" font-family=\"{FONT}\" font-size=\"14\">{}: chart not drawn ({})</text></svg>\n",
            escape(&labels.title),
            escape(&e),
            w = size.0
        );
    }
    let head = format!(
        "<svg id=\"{}\" role=\"img\" aria-label=\"{}\" ",
        escape(&labels.id),
        escape(&labels.title)
    );
    let out = out.replacen("<svg ", &head, 1);
    // The accessible name, as the first child.
    match out.find('>') {
        Some(i) => format!(
            "{}<title>{}</title>{}",
            &out[..=i],
            escape(&labels.title),
            &out[i + 1..]
        ),
        None => out,
    }
}

/// Draws the title and returns the area below it.
fn titled<'a>(
    root: &DrawingArea<SVGBackend<'a>, Shift>,
    title: &str,
) -> DrawResult<DrawingArea<SVGBackend<'a>, Shift>> {
    root.titled(title, (FONT, 23).into_font().color(&INK))
        .map_err(err)
}

/// "Nothing to draw" in the middle of an area.
fn nothing(area: &DrawingArea<SVGBackend<'_>, Shift>, why: &str) -> DrawResult<()> {
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        why.to_string(),
        ((w as i32) / 2 - (why.len() as i32) * 3, (h as i32) / 2),
        (FONT, 17).into_font().color(&INK),
    ))
    .map_err(err)
}

/// Lines with 95% CI bands, one per series: e.g. a headline figure against a swept parameter,
/// one line per value of a second parameter. A series of one point draws a dot with a
/// whisker; points without an interval draw no band.
pub fn line_chart_with_band(labels: &Labels, series: &[Series]) -> String {
    line_chart(labels, series, &Guides::default())
}

/// Lines with CI bands, a horizontal limit line and, if given, a vertical marker: e.g. p95
/// clearance against the demand multiplier, the limit on p95 and the largest multiplier that
/// meets it.
pub fn line_chart_with_limit(
    labels: &Labels,
    series: &[Series],
    limit: &Guide,
    marker: Option<&Guide>,
) -> String {
    let guides = Guides {
        horizontal: vec![limit.clone()],
        vertical: marker.into_iter().cloned().collect(),
        shade_before: None,
    };
    line_chart(labels, series, &guides)
}

/// Lines with CI bands and reference lines, on one pair of axes.
pub fn line_chart(labels: &Labels, series: &[Series], guides: &Guides) -> String {
    let panel = Panel {
        title: String::new(),
        series: series.to_vec(),
    };
    line_panels(labels, std::slice::from_ref(&panel), guides)
}

/// Small multiples: panels side by side on shared axes, each with its lines and the same
/// reference lines (e.g. the backlog of scenario A beside scenario B's).
pub fn line_panels(labels: &Labels, panels: &[Panel], guides: &Guides) -> String {
    let all = || panels.iter().flat_map(|p| &p.series);
    let xs = all()
        .flat_map(|s| s.points.iter().filter(|p| finite(p)).map(|p| p.x))
        .chain(guides.vertical.iter().map(|g| g.at))
        .chain(guides.shade_before.iter().map(|g| g.at));
    let (x0, x1) = span(xs, false, 0.0);
    let ys = all()
        .flat_map(|s| s.points.iter().filter(|p| finite(p)))
        .flat_map(|p| {
            let ci = finite_ci(p.ci95).unwrap_or([p.y, p.y]);
            [p.y, ci[0], ci[1]]
        })
        .chain(guides.horizontal.iter().map(|g| g.at));
    let (y0, mut y1) = span(ys, true, 0.08);
    // Room above the data for the legend box (about 16 px per entry of a 330 px plot), so
    // the legend does not hide the lines.
    let entries = panels
        .iter()
        .map(|p| p.series.iter().filter(|s| !s.label.is_empty()).count())
        .max()
        .unwrap_or(0);
    // An axis with a natural top (shares up to 100%) ends there; its legend then goes lower
    // right, where a rising curve leaves room.
    let top_fixed = labels.y_max.is_some_and(|t| t > y0);
    if top_fixed {
        y1 = labels.y_max.unwrap_or(y1);
    } else if entries > 0 {
        y1 += (y1 - y0) * (entries as f64 * 16.0 + 12.0) / 330.0;
    }
    // A label keeps its colour in every panel.
    let mut names: Vec<&str> = Vec::new();
    for s in all() {
        if !names.contains(&s.label.as_str()) {
            names.push(&s.label);
        }
    }
    let colour_of = |label: &str| color(names.iter().position(|n| *n == label).unwrap_or(0));
    let any_point = all().any(|s| s.points.iter().any(finite));
    let width = if panels.len() > 1 {
        WIDTH.max(440 * panels.len() as u32)
    } else {
        WIDTH
    };
    svg(labels, (width, HEIGHT), |root| {
        let area = titled(root, &labels.title)?;
        if !any_point {
            return nothing(&area, "no data to draw");
        }
        let areas = area.split_evenly((1, panels.len().max(1)));
        for (panel, area) in panels.iter().zip(&areas) {
            let mut builder = ChartBuilder::on(area);
            builder
                .margin(8)
                .margin_right(18)
                .x_label_area_size(52)
                .y_label_area_size(76);
            if !panel.title.is_empty() {
                builder.caption(&panel.title, (FONT, 18).into_font().color(&INK));
            }
            let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?;
            let (xs, ys) = (x1 - x0, y1 - y0);
            mesh(&mut chart, labels)
                .x_label_formatter(&|v| tick(*v, xs))
                .y_label_formatter(&|v| tick(*v, ys))
                .draw()
                .map_err(err)?;
            if let Some(g) = &guides.shade_before
                && g.at > x0
            {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, y0), (g.at.min(x1), y1)],
                        RGBColor(238, 238, 238).filled(),
                    )))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        g.label.clone(),
                        (x0, y1),
                        (FONT, 14).into_font().color(&INK),
                    )))
                    .map_err(err)?;
            }
            for s in &panel.series {
                let c = colour_of(&s.label);
                let mut pts: Vec<Point> = s.points.iter().copied().filter(finite).collect();
                pts.sort_by(|a, b| a.x.total_cmp(&b.x));
                let with_ci: Vec<(f64, [f64; 2])> = pts
                    .iter()
                    .filter_map(|p| finite_ci(p.ci95).map(|ci| (p.x, ci)))
                    .collect();
                if with_ci.len() >= 2 {
                    let band: Vec<(f64, f64)> = with_ci
                        .iter()
                        .map(|(x, ci)| (*x, ci[0]))
                        .chain(with_ci.iter().rev().map(|(x, ci)| (*x, ci[1])))
                        .collect();
                    chart
                        .draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled())))
                        .map_err(err)?;
                } else {
                    // One interval: a whisker, since a band needs two points.
                    let whisk = (x1 - x0) * 0.01;
                    for (x, [lo, hi]) in &with_ci {
                        let lines = [
                            vec![(*x, *lo), (*x, *hi)],
                            vec![(*x - whisk, *lo), (*x + whisk, *lo)],
                            vec![(*x - whisk, *hi), (*x + whisk, *hi)],
                        ];
                        chart
                            .draw_series(
                                lines
                                    .into_iter()
                                    .map(|l| PathElement::new(l, c.stroke_width(1))),
                            )
                            .map_err(err)?;
                    }
                }
                let xy: Vec<(f64, f64)> = pts.iter().map(|p| (p.x, p.y)).collect();
                let drawn = chart
                    .draw_series(LineSeries::new(xy.clone(), c.stroke_width(2)))
                    .map_err(err)?;
                if !s.label.is_empty() {
                    drawn.label(s.label.clone()).legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3))
                    });
                }
                // Dots where there are few points, so a single value is visible.
                if xy.len() <= 40 {
                    chart
                        .draw_series(xy.iter().map(|&p| Circle::new(p, 3, c.filled())))
                        .map_err(err)?;
                }
            }
            for g in &guides.horizontal {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(x0, g.at), (x1, g.at)],
                        8,
                        5,
                        RGBColor(200, 0, 0).stroke_width(2),
                    ))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        g.label.clone(),
                        (x0 + (x1 - x0) * 0.01, g.at + (y1 - y0) * 0.045),
                        (FONT, 14).into_font().color(&RGBColor(200, 0, 0)),
                    )))
                    .map_err(err)?;
            }
            for g in &guides.vertical {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(g.at, y0), (g.at, y1)],
                        6,
                        4,
                        INK.stroke_width(1),
                    ))
                    .map_err(err)?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        g.label.clone(),
                        (g.at + (x1 - x0) * 0.008, y1 - (y1 - y0) * 0.02),
                        (FONT, 14).into_font().color(&INK),
                    )))
                    .map_err(err)?;
            }
            if panel.series.iter().any(|s| !s.label.is_empty()) {
                let at = if top_fixed {
                    SeriesLabelPosition::LowerRight
                } else {
                    SeriesLabelPosition::UpperRight
                };
                legend_at(&mut chart, at)?;
            }
        }
        Ok(())
    })
}

/// Category labels on an axis of `n` categories centred at 0, 1, …, n − 1.
fn category_label(categories: &[String], v: f64) -> String {
    let i = v.round();
    if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < categories.len() {
        categories[i as usize].clone()
    } else {
        String::new()
    }
}

/// Grouped vertical bars with 95% CI whiskers: one group per category, one bar per series
/// (e.g. utilisation per station, scenario A beside scenario B).
pub fn bar_chart_with_ci(labels: &Labels, categories: &[String], series: &[BarSeries]) -> String {
    let n = categories.len();
    let ys = series.iter().flat_map(|s| {
        s.values.iter().flat_map(|v| {
            let ci = finite_ci(v.ci95).unwrap_or([v.value, v.value]);
            [v.value, ci[0], ci[1]]
        })
    });
    let (y0, y1) = span(ys, true, 0.1);
    let y1 = capped(labels, y0, y1);
    svg(labels, (WIDTH, HEIGHT), |root| {
        let area = titled(root, &labels.title)?;
        if n == 0 || series.is_empty() {
            return nothing(&area, "no data to draw");
        }
        let mut chart = ChartBuilder::on(&area)
            .margin(8)
            .margin_right(18)
            .x_label_area_size(52)
            .y_label_area_size(76)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, y0..y1)
            .map_err(err)?;
        let ys = y1 - y0;
        mesh(&mut chart, labels)
            .disable_x_mesh()
            // n labels at most: plotters then puts them at the integers, one per category.
            .x_labels(n)
            .x_label_formatter(&|v| category_label(categories, *v))
            .y_label_formatter(&|v| tick(*v, ys))
            .draw()
            .map_err(err)?;
        let m = series.len() as f64;
        let width = 0.8 / m;
        for (k, s) in series.iter().enumerate() {
            let c = color(k);
            let left = |i: usize| i as f64 - 0.4 + width * k as f64;
            let bars: Vec<(usize, Value)> = s
                .values
                .iter()
                .copied()
                .enumerate()
                .take(n)
                .filter(|(_, v)| v.value.is_finite())
                .collect();
            let drawn = chart
                .draw_series(bars.iter().map(|&(i, v)| {
                    Rectangle::new(
                        [
                            (left(i) + width * 0.06, 0.0),
                            (left(i) + width * 0.94, v.value),
                        ],
                        c.filled(),
                    )
                }))
                .map_err(err)?;
            if !s.label.is_empty() {
                drawn.label(s.label.clone()).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], c.filled())
                });
            }
            for &(i, v) in &bars {
                if let Some([lo, hi]) = finite_ci(v.ci95) {
                    let mid = left(i) + width / 2.0;
                    let w = width * 0.18;
                    let lines = [
                        vec![(mid, lo), (mid, hi)],
                        vec![(mid - w, lo), (mid + w, lo)],
                        vec![(mid - w, hi), (mid + w, hi)],
                    ];
                    chart
                        .draw_series(
                            lines
                                .into_iter()
                                .map(|l| PathElement::new(l, INK.stroke_width(1))),
                        )
                        .map_err(err)?;
                }
            }
        }
        if series.iter().any(|s| !s.label.is_empty()) {
            legend(&mut chart)?;
        }
        Ok(())
    })
}

/// Horizontal bars from zero with 95% CI whiskers, one per category, and a line at zero:
/// e.g. paired differences B − A, where a whisker that crosses zero means "no real
/// difference at the 95% level". Bars whose interval excludes zero are drawn solid, the
/// others pale.
pub fn difference_chart(labels: &Labels, categories: &[String], values: &[Value]) -> String {
    let n = categories.len().min(values.len());
    let xs = values.iter().take(n).flat_map(|v| {
        let ci = finite_ci(v.ci95).unwrap_or([v.value, v.value]);
        [v.value, ci[0], ci[1]]
    });
    let (x0, x1) = span(xs, true, 0.08);
    let longest = categories
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(4);
    let height = (HEIGHT).max(90 + 44 * n as u32);
    svg(labels, (WIDTH, height), |root| {
        let area = titled(root, &labels.title)?;
        if n == 0 {
            return nothing(&area, "no data to draw");
        }
        // Top category first: categories run down the axis.
        let mut chart = ChartBuilder::on(&area)
            .margin(8)
            .margin_right(24)
            .x_label_area_size(52)
            .y_label_area_size((longest as u32 * 8 + 20).clamp(60, 300))
            .build_cartesian_2d(x0..x1, -0.5..n as f64 - 0.5)
            .map_err(err)?;
        let reversed: Vec<String> = categories[..n].iter().rev().cloned().collect();
        let xs = x1 - x0;
        mesh(&mut chart, labels)
            .disable_y_mesh()
            .x_label_formatter(&|v| tick(*v, xs))
            .y_labels(n)
            .y_label_formatter(&|v| category_label(&reversed, *v))
            .draw()
            .map_err(err)?;
        let c = color(0);
        for (i, v) in values.iter().take(n).enumerate() {
            if !v.value.is_finite() {
                continue;
            }
            let y = (n - 1 - i) as f64;
            let ci = finite_ci(v.ci95);
            let real = ci.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0);
            let style = if real {
                c.filled()
            } else {
                c.mix(0.35).filled()
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - 0.28), (v.value, y + 0.28)],
                    style,
                )))
                .map_err(err)?;
            if let Some([lo, hi]) = ci {
                let lines = [
                    vec![(lo, y), (hi, y)],
                    vec![(lo, y - 0.12), (lo, y + 0.12)],
                    vec![(hi, y - 0.12), (hi, y + 0.12)],
                ];
                chart
                    .draw_series(
                        lines
                            .into_iter()
                            .map(|l| PathElement::new(l, INK.stroke_width(2))),
                    )
                    .map_err(err)?;
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                INK.stroke_width(1),
            )))
            .map_err(err)?;
        Ok(())
    })
}

/// Stacked vertical bars: one bar per entry of `bars`, split into `parts` (e.g. the mean hours
/// of each TRS segment, or the cost categories). `values[bar][part]`; negative and missing
/// values count as 0. The total is written above each bar. The legend has its own column on
/// the right (no empty category slot on the axis), and lists only the parts that are above
/// zero in some bar.
pub fn stacked_bar_chart(
    labels: &Labels,
    bars: &[String],
    parts: &[String],
    values: &[Vec<f64>],
) -> String {
    let n = bars.len().min(values.len());
    let clean = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
    let totals: Vec<f64> = values
        .iter()
        .take(n)
        .map(|row| row.iter().take(parts.len()).map(|&v| clean(v)).sum())
        .collect();
    let (y0, y1) = span(totals.iter().copied(), true, 0.12);
    let shown: Vec<usize> = (0..parts.len())
        .filter(|&k| (0..n).any(|i| clean(values[i].get(k).copied().unwrap_or(0.0)) > 0.0))
        .collect();
    svg(labels, (WIDTH, HEIGHT), |root| {
        let area = titled(root, &labels.title)?;
        if n == 0 || parts.is_empty() {
            return nothing(&area, "no data to draw");
        }
        let (w, _) = area.dim_in_pixel();
        let (plot, key) = area.split_horizontally(w.saturating_sub(190));
        let mut chart = ChartBuilder::on(&plot)
            .margin(8)
            .margin_right(8)
            .x_label_area_size(52)
            .y_label_area_size(76)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, y0..y1)
            .map_err(err)?;
        let ys = y1 - y0;
        mesh(&mut chart, labels)
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|v| category_label(bars, *v))
            .y_label_formatter(&|v| tick(*v, ys))
            .draw()
            .map_err(err)?;
        let half = if n == 1 { 0.25 } else { 0.32 };
        for (k, _) in parts.iter().enumerate() {
            let c = color(k);
            let rects: Vec<Rectangle<(f64, f64)>> = (0..n)
                .filter_map(|i| {
                    let below: f64 = values[i].iter().take(k).map(|&v| clean(v)).sum();
                    let v = clean(values[i].get(k).copied().unwrap_or(0.0));
                    (v > 0.0).then(|| {
                        Rectangle::new(
                            [(i as f64 - half, below), (i as f64 + half, below + v)],
                            c.filled(),
                        )
                    })
                })
                .collect();
            chart.draw_series(rects).map_err(err)?;
        }
        for (i, t) in totals.iter().enumerate() {
            chart
                .draw_series(std::iter::once(Text::new(
                    tick(*t, ys / 10.0),
                    (i as f64 - 0.08, t + ys * 0.05),
                    (FONT, 15).into_font().color(&INK),
                )))
                .map_err(err)?;
        }
        // The key, top of its column, in stacking order from the top of the bars down.
        for (row, &k) in shown.iter().rev().enumerate() {
            let y = 24 + 22 * row as i32;
            key.draw(&Rectangle::new(
                [(8, y - 6), (22, y + 6)],
                color(k).filled(),
            ))
            .map_err(err)?;
            key.draw(&Text::new(
                parts[k].clone(),
                (28, y - 8),
                (FONT, 14).into_font().color(&INK),
            ))
            .map_err(err)?;
        }
        Ok(())
    })
}

/// Histograms, overlaid when there are several (translucent fills with outlines): e.g. the
/// clearance-time distribution of one scenario, or of A and B.
pub fn histogram(labels: &Labels, series: &[HistSeries]) -> String {
    let ok = |b: &&HistBin| {
        b.lower.is_finite() && b.upper.is_finite() && b.value.is_finite() && b.upper >= b.lower
    };
    let xs = series
        .iter()
        .flat_map(|s| s.bins.iter().filter(ok).flat_map(|b| [b.lower, b.upper]));
    let (x0, x1) = span(xs, true, 0.0);
    let ys = series
        .iter()
        .flat_map(|s| s.bins.iter().filter(ok).map(|b| b.value));
    let (y0, y1) = span(ys, true, 0.08);
    let y1 = capped(labels, y0, y1);
    let overlay = series.len() > 1;
    svg(labels, (WIDTH, HEIGHT), |root| {
        let area = titled(root, &labels.title)?;
        if !series.iter().any(|s| s.bins.iter().any(|b| ok(&b))) {
            return nothing(&area, "no data to draw");
        }
        let mut chart = ChartBuilder::on(&area)
            .margin(8)
            .margin_right(18)
            .x_label_area_size(52)
            .y_label_area_size(76)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        let (xs, ys) = (x1 - x0, y1 - y0);
        mesh(&mut chart, labels)
            .disable_x_mesh()
            .x_label_formatter(&|v| tick(*v, xs))
            .y_label_formatter(&|v| tick(*v, ys))
            .draw()
            .map_err(err)?;
        for (k, s) in series.iter().enumerate() {
            let c = color(k);
            let fill = if overlay {
                c.mix(0.35).filled()
            } else {
                c.mix(0.85).filled()
            };
            let drawn = chart
                .draw_series(
                    s.bins
                        .iter()
                        .filter(ok)
                        .map(|b| Rectangle::new([(b.lower, 0.0), (b.upper, b.value)], fill)),
                )
                .map_err(err)?;
            if !s.label.is_empty() {
                drawn
                    .label(s.label.clone())
                    .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], fill));
            }
            // The outline as a step line, so overlaid histograms stay readable.
            let mut step = Vec::new();
            for b in s.bins.iter().filter(ok) {
                step.push((b.lower, 0.0_f64.max(y0)));
                step.push((b.lower, b.value));
                step.push((b.upper, b.value));
                step.push((b.upper, 0.0_f64.max(y0)));
            }
            chart
                .draw_series(std::iter::once(PathElement::new(step, c.stroke_width(1))))
                .map_err(err)?;
        }
        if series.iter().any(|s| !s.label.is_empty()) {
            legend(&mut chart)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(x: f64, y: f64, ci: Option<[f64; 2]>) -> Point {
        Point { x, y, ci95: ci }
    }

    fn labels() -> Labels {
        Labels::new("test-chart", "A & B <test>", "x [h]", "y [h]")
    }

    #[test]
    fn svg_carries_id_title_and_escaped_text() {
        let s = line_chart_with_band(
            &labels(),
            &[Series {
                label: "one".into(),
                points: vec![pt(0.0, 1.0, Some([0.5, 1.5])), pt(1.0, 2.0, None)],
            }],
        );
        assert!(s.starts_with("<svg id=\"test-chart\""), "{}", &s[..80]);
        assert!(s.contains("<title>A &amp; B &lt;test&gt;</title>"));
        assert!(!s.contains("chart not drawn"));
    }

    #[test]
    fn degenerate_data_draws_without_panicking() {
        let l = labels();
        let nan = f64::NAN;
        let bad = Series {
            label: String::new(),
            points: vec![pt(nan, 1.0, None), pt(1.0, f64::INFINITY, Some([nan, 1.0]))],
        };
        for s in [
            line_chart_with_band(&l, &[]),
            line_chart_with_band(&l, std::slice::from_ref(&bad)),
            line_chart_with_band(
                &l,
                &[Series {
                    label: "lone".into(),
                    points: vec![pt(3.0, 3.0, Some([2.0, 4.0]))],
                }],
            ),
            line_chart_with_limit(
                &l,
                &[bad],
                &Guide {
                    at: 24.0,
                    label: "limit".into(),
                },
                None,
            ),
            bar_chart_with_ci(&l, &[], &[]),
            bar_chart_with_ci(
                &l,
                &["a".into()],
                &[BarSeries {
                    label: String::new(),
                    values: vec![Value {
                        value: nan,
                        ci95: None,
                    }],
                }],
            ),
            difference_chart(&l, &[], &[]),
            difference_chart(
                &l,
                &["zero".into()],
                &[Value {
                    value: 0.0,
                    ci95: Some([0.0, 0.0]),
                }],
            ),
            stacked_bar_chart(&l, &["a".into()], &["p".into()], &[vec![0.0]]),
            stacked_bar_chart(&l, &[], &[], &[]),
            histogram(&l, &[]),
            histogram(
                &l,
                &[HistSeries {
                    label: String::new(),
                    bins: vec![HistBin {
                        lower: 0.0,
                        upper: 0.0,
                        value: 1.0,
                    }],
                }],
            ),
        ] {
            assert!(s.starts_with("<svg id=\"test-chart\""));
            assert!(s.trim_end().ends_with("</svg>"));
        }
    }

    #[test]
    fn ticks_use_the_decimals_the_span_needs() {
        assert_eq!(tick(12.0, 100.0), "12");
        assert_eq!(tick(2.5, 10.0), "2.5");
        assert_eq!(tick(0.126, 1.0), "0.13");
        assert_eq!(tick(-0.0001, 1.0), "0");
    }
}
