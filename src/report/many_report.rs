//! The report of a base compared with several alternatives: every option side by side, each
//! difference from the base with its Bonferroni-adjusted CI, and the ranking in words.

use super::chart::{self, Labels, Value};
use super::compare_report::{row_sentence, warnings_section};
use super::page::{Block, Figure, Report, Section, Table};
use super::words::{bare, bare_like, ci_cell, percent};
use crate::results::compare::CompareRow;
use crate::results::figures::Level;
use crate::results::many::MultiComparison;
use crate::results::run::Warning;

/// A row read with its adjusted interval in place of the unadjusted one.
fn adjusted_row(r: &CompareRow) -> CompareRow {
    let mut x = r.clone();
    if let Some(a) = &r.adjusted {
        x.difference.ci95 = a.ci95;
        x.significant = a.significant;
    }
    x
}

/// A headline sentence, its interval named as adjusted.
fn adjusted_sentence(name: &str, r: &CompareRow) -> String {
    row_sentence(name, &adjusted_row(r))
        .replace("(95% CI", "(adjusted 95% CI")
        .replace("the 95% CI (", "the adjusted 95% CI (")
}

fn level_cell(l: &Level, unit: &str) -> String {
    let f = |x: f64| bare(x, unit);
    match l.ci95 {
        Some(_) => format!("{} ({})", f(l.mean), ci_cell(l.ci95, f)),
        None => f(l.mean),
    }
}

/// Every option's headline figures, side by side.
fn side_by_side(doc: &MultiComparison) -> Table {
    let mut header = vec!["figure".to_string(), format!("A: {}", doc.base.name)];
    header.extend(
        doc.alternatives
            .iter()
            .enumerate()
            .map(|(k, a)| format!("{}: {}", k + 1, a.scenario.name)),
    );
    let rows = doc.comparisons.first().map_or_else(Vec::new, |first| {
        first
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = vec![
                    format!("{} [{}]", r.metric.words(), r.unit),
                    level_cell(&r.a, &r.unit),
                ];
                row.extend(doc.comparisons.iter().map(|c| {
                    c.rows
                        .get(i)
                        .filter(|x| x.metric == r.metric)
                        .map_or("—".to_string(), |x| level_cell(&x.b, &x.unit))
                }));
                row
            })
            .collect()
    });
    Table { header, rows }
}

/// Each alternative's difference from the base on every figure.
fn differences(doc: &MultiComparison) -> Table {
    let header = [
        "figure",
        "option",
        "B − A",
        "adjusted 95% CI",
        "95% CI (unadjusted)",
        "change",
        "real?",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    if let Some(first) = doc.comparisons.first() {
        for (i, r) in first.rows.iter().enumerate() {
            for (k, c) in doc.comparisons.iter().enumerate() {
                let Some(x) = c.rows.get(i).filter(|x| x.metric == r.metric) else {
                    continue;
                };
                let u = x.unit.as_str();
                let d = |v: f64| bare_like(v, u, x.difference.mean);
                let adj = adjusted_row(x);
                rows.push(vec![
                    if k == 0 {
                        format!("{} [{}]", x.metric.words(), u)
                    } else {
                        String::new()
                    },
                    format!("{}: {}", k + 1, c.b.name),
                    d(x.difference.mean),
                    ci_cell(adj.difference.ci95, d),
                    ci_cell(x.difference.ci95, d),
                    if u == "share" {
                        format!("{} pp", d(x.difference.mean))
                    } else {
                        percent(x.relative_change)
                    },
                    if adj.significant { "yes" } else { "no" }.into(),
                ]);
            }
        }
    }
    Table { header, rows }
}

/// The headline figure's difference of each alternative from the base, adjusted CIs.
fn headline_figure(doc: &MultiComparison) -> Option<Figure> {
    let first = doc.comparisons.first()?.rows.first()?;
    let cats: Vec<String> = doc
        .comparisons
        .iter()
        .enumerate()
        .map(|(k, c)| format!("{}: {}", k + 1, c.b.name))
        .collect();
    let vals: Vec<Value> = doc
        .comparisons
        .iter()
        .filter_map(|c| c.rows.first())
        .map(|r| {
            let a = adjusted_row(r);
            Value {
                value: a.difference.mean,
                ci95: a.difference.ci95,
            }
        })
        .collect();
    let what = first.metric.words();
    let title = format!("{what}: each alternative minus {}", doc.base.name);
    let labels = Labels::new(
        "many-headline",
        &title,
        &format!(
            "B − A [{}] (whisker: adjusted 95% CI, {})",
            first.unit, doc.adjustment.method
        ),
        "",
    );
    let real = doc
        .comparisons
        .iter()
        .filter_map(|c| c.rows.first())
        .filter(|r| adjusted_row(r).significant)
        .count();
    let reading = format!(
        "{real} of {} alternatives differ from {} on the {what} even after adjusting for {} comparisons.",
        doc.comparisons.len(),
        doc.base.name,
        doc.adjustment.comparisons
    );
    Some(Figure {
        svg: chart::difference_chart(&labels, &cats, &vals),
        title,
        reading,
    })
}

/// The ranking and every pair's verdict.
fn ranking_tables(doc: &MultiComparison) -> [Table; 2] {
    let u = doc.ranking.unit.as_str();
    let ranks = Table {
        header: ["rank", "option", "mean", "95% CI"]
            .map(String::from)
            .to_vec(),
        rows: doc
            .ranking
            .options
            .iter()
            .map(|o| {
                vec![
                    o.rank.to_string(),
                    o.name.clone(),
                    bare(o.level.mean, u),
                    ci_cell(o.level.ci95, |x| bare(x, u)),
                ]
            })
            .collect(),
    };
    let pairs = Table {
        header: ["better", "worse", "difference", "Holm-adjusted p", "real?"]
            .map(String::from)
            .to_vec(),
        rows: doc
            .ranking
            .pairs
            .iter()
            .map(|p| {
                vec![
                    p.better.clone(),
                    p.worse.clone(),
                    bare(p.difference, u),
                    format!("{:.3}", p.holm_p),
                    if p.real { "yes" } else { "no" }.into(),
                ]
            })
            .collect(),
    };
    [ranks, pairs]
}

/// The report of a base and several alternatives.
pub fn build(doc: &MultiComparison) -> Report {
    let mut findings = vec![doc.ranking.statement.clone()];
    for c in &doc.comparisons {
        if let Some(r) = c.rows.first() {
            findings.push(adjusted_sentence(&c.b.name, r));
        }
    }
    let unpaired: Vec<&str> = doc
        .comparisons
        .iter()
        .filter(|c| !c.paired)
        .map(|c| c.b.name.as_str())
        .collect();
    let how = if unpaired.is_empty() {
        format!(
            "Every option ran the same {} replication(s) with seed {}: the same parcels in all (common random numbers), so each difference is taken replication by replication.",
            doc.replications, doc.seed
        )
    } else {
        format!(
            "Every option ran {} replication(s) with seed {}. Not paired with the base (their demand differs): {}; those differences are of independent samples (Welch).",
            doc.replications,
            doc.seed,
            unpaired.join(", ")
        )
    };
    let covers = format!(
        "What each interval covers: 95% CI: simulation noise only, across replications, for these inputs. Adjusted 95% CI: the same noise, each interval at level {:.4} ({} over {} comparisons) so that all hold together at 95%. Neither covers uncertainty about the inputs themselves.",
        doc.adjustment.per_comparison_level, doc.adjustment.method, doc.adjustment.comparisons
    );
    let mut diff_blocks = vec![
        Block::Text(format!(
            "{how} An adjusted interval that excludes zero means the difference is real even counting all {} comparisons.",
            doc.adjustment.comparisons
        )),
        Block::Table(differences(doc)),
    ];
    if let Some(f) = headline_figure(doc) {
        diff_blocks.push(Block::Figure(f));
    }
    diff_blocks.push(Block::Note(covers.clone()));
    let [ranks, pairs] = ranking_tables(doc);
    let mut sections = vec![
        Section {
            heading: "Key findings".into(),
            blocks: vec![Block::Findings(findings), Block::Note(covers)],
        },
        Section {
            heading: "All options side by side".into(),
            blocks: vec![
                Block::Text(
                    "Mean of every headline figure across replications, with its 95% CI (simulation noise only).".into(),
                ),
                Block::Table(side_by_side(doc)),
            ],
        },
        Section {
            heading: "Differences from the base".into(),
            blocks: diff_blocks,
        },
        Section {
            heading: "Ranking".into(),
            blocks: vec![
                Block::Text(doc.ranking.statement.clone()),
                Block::Table(ranks),
                Block::Table(pairs),
                Block::Note(
                    "Which differences are real: paired t-tests of every pair of options on the headline figure, Holm-adjusted so that the chance of any false claim among all pairs stays below 5%.".into(),
                ),
            ],
        },
    ];
    let mut warnings: Vec<Warning> = Vec::new();
    for (k, c) in doc.comparisons.iter().enumerate() {
        for w in &c.warnings {
            if k == 0 || !w.message.starts_with("A (") {
                warnings.push(w.clone());
            }
        }
    }
    if let Some(s) = warnings_section(&warnings) {
        sections.insert(0, s);
    }
    let changes: Vec<String> = doc
        .alternatives
        .iter()
        .enumerate()
        .map(|(k, a)| format!("{} = {}", k + 1, a.scenario.name))
        .collect();
    Report {
        title: format!(
            "{} against {} alternatives",
            doc.base.name,
            doc.alternatives.len()
        ),
        subtitle: format!(
            "A = {}; {}. {} paired replication(s), seed {}, clearsim {}.",
            doc.base.name,
            changes.join("; "),
            doc.replications,
            doc.seed,
            doc.clearsim_version,
        ),
        sections,
    }
}
