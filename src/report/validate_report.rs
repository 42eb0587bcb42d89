//! The words, tables and Q–Q charts of a validation (model against an observed sample), for the terminal, the HTML page and the Markdown memo.

use std::fmt::Write;

use super::chart::{Guides, Labels, Point, Series, line_chart};
use super::page::{Block, Figure, Report, Section, Table};
use crate::experiment::validate::{FigureComparison, Row, Validation, Verdict};

fn num(x: f64) -> String {
    if !x.is_finite() {
        "-".to_string()
    } else if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

fn ci(c: Option<[f64; 2]>) -> String {
    c.map_or("-".to_string(), |[lo, hi]| {
        format!("[{}, {}]", num(lo), num(hi))
    })
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn pct_ci(c: Option<[f64; 2]>) -> String {
    c.map_or("-".to_string(), |[lo, hi]| {
        format!("[{}, {}]", pct(lo), pct(hi))
    })
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Within => "within",
        Verdict::Above => "model above",
        Verdict::Below => "model below",
        Verdict::NoInterval => "no CI",
    }
}

fn figure_title(f: &str) -> String {
    match f {
        "clearance" => "arrival → release".to_string(),
        other => format!("{} segment", other.replace('_', " ")),
    }
}

fn figure_table(f: &FigureComparison) -> Table {
    comparison_table("statistic [h]", &f.rows, num, ci)
}

fn shares_table(rows: &[Row]) -> Table {
    comparison_table("released", rows, pct, pct_ci)
}

/// Data against model, one statistic a row: its value and 95% CI on each side, and the
/// verdict; `value` and `interval` write the numbers in the figure's unit.
fn comparison_table(
    first: &str,
    rows: &[Row],
    value: fn(f64) -> String,
    interval: fn(Option<[f64; 2]>) -> String,
) -> Table {
    Table {
        header: [
            first,
            "data",
            "data 95% CI",
            "model",
            "model 95% CI",
            "verdict",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.statistic.clone(),
                    value(r.observed),
                    interval(r.observed_ci),
                    value(r.simulated),
                    interval(r.simulated_ci),
                    verdict_word(r.verdict).to_string(),
                ]
            })
            .collect(),
    }
}

fn text_table(out: &mut String, t: &Table) {
    let widths: Vec<usize> = (0..t.header.len())
        .map(|j| {
            std::iter::once(&t.header[j])
                .chain(t.rows.iter().map(|r| &r[j]))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let _ = writeln!(out, "  {}", line(&t.header));
    for r in &t.rows {
        let _ = writeln!(out, "  {}", line(r));
    }
}

/// One sentence per figure: how many of its statistics the model meets.
fn figure_sentence(f: &FigureComparison) -> String {
    let within = f
        .rows
        .iter()
        .filter(|r| r.verdict == Verdict::Within)
        .count();
    let median = f.rows.iter().find(|r| r.statistic == "p50");
    let median_words = median.map_or(String::new(), |m| {
        format!(
            "; {} ({} h against {} h)",
            m.verdict.words("median"),
            num(m.simulated),
            num(m.observed)
        )
    });
    format!(
        "{}: {within} of {} statistics within the data's 95% CI{median_words}.",
        figure_title(f.figure),
        f.rows.len()
    )
}

/// The validation for the terminal: per figure a table and its verdict, then the shares.
pub fn render(v: &Validation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "validate {} against {} ({} replications, seed {}): data 95% CIs are distribution-free (order statistics; t for the mean, Wilson for shares), model 95% CIs are across replications",
        v.scenario, v.file, v.replications, v.seed
    );
    for f in &v.figures {
        let _ = writeln!(
            out,
            "\n{} (data n = {}, model n = {}):",
            figure_title(f.figure),
            f.observed_n,
            f.simulated_n
        );
        text_table(&mut out, &figure_table(f));
        let _ = writeln!(out, "  verdict: {}", figure_sentence(f));
    }
    if !v.shares.is_empty() {
        let _ = writeln!(
            out,
            "\nshare released within the thresholds (arrival → release):"
        );
        text_table(&mut out, &shares_table(&v.shares));
    }
    for l in &v.left_out {
        let _ = writeln!(out, "not compared: {l}");
    }
    out
}

/// The Q–Q chart of one figure: model quantiles against data quantiles, with the line y = x.
fn qq_chart(f: &FigureComparison, k: usize) -> String {
    let points: Vec<Point> =
        f.qq.iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|&(x, y)| Point { x, y, ci95: None })
            .collect();
    let top = points.iter().map(|p| p.x.max(p.y)).fold(0.0, f64::max);
    let diagonal = Series {
        label: "y = x (model = data)".to_string(),
        points: vec![
            Point {
                x: 0.0,
                y: 0.0,
                ci95: None,
            },
            Point {
                x: top,
                y: top,
                ci95: None,
            },
        ],
    };
    let labels = Labels::new(
        &format!("qq-{k}"),
        &format!("Q–Q: {}", figure_title(f.figure)),
        "data quantile [h]",
        "model quantile [h]",
    );
    line_chart(
        &labels,
        &[
            Series {
                label: "percentiles 1–99".to_string(),
                points,
            },
            diagonal,
        ],
        &Guides::default(),
    )
}

/// The validation as a report: findings, then per figure its Q–Q chart and table.
pub fn report(v: &Validation) -> Report {
    let mut findings: Vec<String> = v.figures.iter().map(figure_sentence).collect();
    for s in &v.shares {
        findings.push(format!(
            "released {}: model {} against data {} — {}.",
            s.statistic,
            pct(s.simulated),
            pct(s.observed),
            s.verdict.words("share")
        ));
    }
    let mut sections = vec![Section {
        heading: "Verdicts".to_string(),
        blocks: vec![
            Block::Findings(findings),
            Block::Note("Data 95% CIs are distribution-free: order statistics for quantiles, the t-interval for the mean, Wilson for shares (items taken as independent). Model 95% CIs are across replications. A verdict says whether the model's value (mean over replications) lies inside the data's CI.".to_string()),
        ],
    }];
    if !v.shares.is_empty() {
        sections.push(Section {
            heading: "Released within the thresholds".to_string(),
            blocks: vec![Block::Table(shares_table(&v.shares))],
        });
    }
    for (k, f) in v.figures.iter().enumerate() {
        sections.push(Section {
            heading: figure_title(f.figure),
            blocks: vec![
                Block::Figure(Figure {
                    title: format!("Q–Q: {}", figure_title(f.figure)),
                    svg: qq_chart(f, k),
                    reading: format!(
                        "Points on the diagonal mean the model's distribution is the data's; above it the model is slower at that percentile. {}",
                        figure_sentence(f)
                    ),
                }),
                Block::Table(figure_table(f)),
            ],
        });
    }
    if !v.left_out.is_empty() {
        sections.push(Section {
            heading: "Not compared".to_string(),
            blocks: vec![Block::Findings(v.left_out.clone())],
        });
    }
    Report {
        title: format!("Validation of {} against {}", v.scenario, v.file),
        subtitle: format!(
            "{} replications, seed {}, clearsim {}",
            v.replications,
            v.seed,
            env!("CARGO_PKG_VERSION")
        ),
        sections,
    }
}
