//! The scenario TOML a calibration gives: fitted values as `[import]` keys, each commented with its data file, sample size and fit, alone or set into a base scenario.

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use super::select::{Chosen, Selection};
use super::{Calibration, Group};
use crate::scenario::parcel::Channel;

/// One key the calibration sets.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The dotted path, e.g. `["import", "doc_check", "service_h"]`.
    pub path: Vec<&'static str>,
    /// The value.
    pub value: Value,
    /// Where it comes from: file, figure, n, fit.
    pub comment: String,
}

/// `x` rounded to 6 significant digits (what a fit can say, and short to read).
fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 5 - x.abs().log10().floor() as i32;
    let m = 10f64.powi(digits.clamp(-300, 300));
    (x * m).round() / m
}

/// The distribution table of a selection, in the scenario format.
pub fn distribution(s: &Selection) -> Value {
    let mut t = InlineTable::new();
    match s.chosen_fit() {
        Some(c) => {
            t.insert("dist", c.fit.family.name().into());
            for p in &c.fit.params {
                t.insert(p.name, round(p.value).into());
            }
        }
        None => {
            t.insert("dist", "empirical".into());
            let mut a = Array::new();
            for &p in &s.points {
                a.push(round(p));
            }
            t.insert("points", Value::Array(a));
            t.insert("interpolate", true.into());
        }
    }
    Value::InlineTable(t)
}

/// The comment of a selection: file, figure, group, n, choice, fit statistics.
pub fn describe(file: &str, figure: &str, group: Group, s: &Selection) -> String {
    let zeros = if s.zeros > 0 {
        format!(" (+{} at 0 h, not fitted)", s.zeros)
    } else {
        String::new()
    };
    let base = format!("{file}: {figure} ({group}), n = {}{zeros}", s.n);
    let runner_up = s
        .candidates
        .iter()
        .filter(|c| c.delta > 0.0)
        .min_by(|a, b| a.delta.total_cmp(&b.delta))
        .map(|c| format!(", next {} +{:.1}", c.fit.family.name(), c.delta))
        .unwrap_or_default();
    match (s.chosen_fit(), &s.chosen) {
        (Some(c), _) => {
            let g = c
                .gof
                .map(|g| {
                    let ad =
                        g.ad.map(|a| format!(", AD A² = {a:.3}"))
                            .unwrap_or_default();
                    format!(", KS D = {:.4} (p = {:.3}){ad}", g.ks_d, g.ks_p)
                })
                .unwrap_or_default();
            format!(
                "{base}; {} by {}{runner_up}{g}",
                c.fit.family.name(),
                s.criterion.name()
            )
        }
        (None, Chosen::Empirical) | (None, Chosen::Family(_)) => {
            let why = s
                .best()
                .and_then(|b| b.gof.map(|g| (b.fit.family.name(), g)))
                .map(|(f, g)| {
                    format!(
                        "best family {f} rejected, KS D = {:.4} (p = {:.2e})",
                        g.ks_d, g.ks_p
                    )
                })
                .unwrap_or_else(|| "no family could be fitted".to_string());
            format!("{base}; empirical percentiles: {why}")
        }
    }
}

/// The keys a calibration sets, in the order they are written.
pub fn entries(cal: &Calibration) -> Vec<Entry> {
    let file = short_name(&cal.file);
    let mut out = Vec::new();
    let has_channel = cal.channels.is_some();
    let has_risk_column = cal
        .risk
        .as_ref()
        .is_some_and(|r| r.source == "the `risk` column");
    if let Some(ch) = &cal.channels {
        out.push(Entry {
            path: vec!["import", "channels"],
            value: shares_table(ch),
            comment: format!("{file}: {} items with a channel", ch.n),
        });
    }
    if let Some(r) = &cal.risk {
        out.push(Entry {
            path: vec!["import", "risk"],
            value: shares_table(r),
            comment: format!("{file}: {} items, {}", r.n, r.source),
        });
    }
    let mut fitted = |path: Vec<&'static str>, figure: &'static str, group: Group| {
        if let Some(f) = cal.get(figure, group) {
            out.push(Entry {
                path,
                value: distribution(&f.selection),
                comment: describe(&file, figure, group, &f.selection),
            });
            true
        } else {
            false
        }
    };
    let by_channel = |c| {
        if has_channel {
            Group::Channel(c)
        } else {
            Group::All
        }
    };
    // The electronic step of a segment, and its paper step where the data has channels.
    for (electronic, paper, figure) in [
        (
            vec!["import", "electronic_lodgement_h"],
            vec!["import", "paper_lodgement_h"],
            "lodgement",
        ),
        (
            vec!["import", "assessment_h"],
            vec!["import", "paper_desk", "service_h"],
            "assessment",
        ),
    ] {
        fitted(electronic, figure, by_channel(Channel::Electronic));
        if has_channel {
            fitted(paper, figure, Group::Channel(Channel::Paper));
        }
    }
    fitted(vec!["import", "payment_h"], "payment", Group::All);
    fitted(vec!["import", "exit_h"], "exit", Group::All);
    fitted(
        vec!["import", "doc_check", "service_h"],
        "documentary_check",
        if has_risk_column {
            Group::Risk(1)
        } else {
            Group::All
        },
    );
    let inspection = fitted(
        vec!["import", "xray", "service_h"],
        "inspection",
        if has_risk_column {
            Group::Risk(2)
        } else {
            Group::All
        },
    );
    if inspection {
        out.push(Entry {
            path: vec!["import", "physical_share_of_red"],
            value: 0.0.into(),
            comment: "the data's whole inspection segment is fitted as [import.xray] service_h, so no separate physical step".to_string(),
        });
    }
    // Keys before tables: a table's plain keys must come before its sub-tables in the text.
    out.sort_by_key(|e| e.path.len());
    out
}

/// The file's name without its folders (comments stay the same wherever it is read from).
fn short_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

fn shares_table(s: &super::Shares) -> Value {
    let mut t = InlineTable::new();
    // Rounded to 4 decimals, the last share taking the rest so that they sum to 1.
    let mut rest = 1.0;
    let last = s.shares.len() - 1;
    for (i, sh) in s.shares.iter().enumerate() {
        let v = if i == last {
            ((rest * 1e4_f64).round() / 1e4).max(0.0)
        } else {
            (sh.share * 1e4).round() / 1e4
        };
        rest -= v;
        t.insert(sh.key, v.into());
    }
    Value::InlineTable(t)
}

/// The table at `path` under `root`, created when `create` (else `None` when absent).
fn table_at<'a>(root: &'a mut Table, path: &[&str], create: bool) -> Option<&'a mut Table> {
    let mut t = root;
    for k in path {
        if !t.contains_key(k) {
            if !create {
                return None;
            }
            t.insert(k, Item::Table(Table::new()));
        }
        t = t.get_mut(k)?.as_table_mut()?;
    }
    Some(t)
}

fn set(doc: &mut DocumentMut, e: &Entry, create: bool) -> bool {
    let (key, tables) = e.path.split_last().expect("a key path is never empty");
    let Some(t) = table_at(doc.as_table_mut(), tables, create) else {
        return false;
    };
    let mut v = e.value.clone();
    v.decor_mut().set_prefix(" ");
    v.decor_mut().set_suffix(format!("   # {}", e.comment));
    t.insert(key, Item::Value(v));
    true
}

/// The heading comment of what `fit` writes.
fn heading(cal: &Calibration) -> String {
    let p = &cal.profile;
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{:.2}", x))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "# Fitted by `clearsim fit` from {} ({} released items, {} bad rows skipped, {} without a release);\n\
         # families chosen by {} among exponential, lognormal, gamma, Weibull (empirical percentiles when the\n\
         # best one fails Kolmogorov–Smirnov at p < 0.01). Segment times are as observed, queueing included:\n\
         # as a station's service_h they fit a station with spare servers; where officers are the constraint,\n\
         # lower them and calibrate servers instead (docs/guide.md).\n\
         # Arrivals at import in the data (not set as keys: a scenario's profiles are the platforms' orders,\n\
         # which reach import through the line-haul): {:.1} items/day over {} day(s);\n\
         #   hourly (mean 1) = [{}]\n\
         #   weekly (mean 1, Monday first) = [{}]\n",
        short_name(&cal.file),
        cal.items,
        cal.skipped,
        cal.unreleased,
        cal.criterion.name(),
        p.per_day,
        p.days,
        list(&p.hourly),
        list(&p.weekly),
    )
}

/// The fragment alone: the fitted keys under `[import]` and its sub-tables.
pub fn fragment(cal: &Calibration) -> String {
    let mut doc = DocumentMut::new();
    for e in entries(cal) {
        set(&mut doc, &e, true);
    }
    format!("{}\n{}", heading(cal), doc)
}

/// `base` (a scenario's text) with the fitted keys set, and the keys it could not take: a
/// station's `service_h` is set only where the base has the station (a station needs servers).
pub fn merge(cal: &Calibration, base: &str) -> Result<(String, Vec<String>), toml_edit::TomlError> {
    let mut doc: DocumentMut = base.parse()?;
    // A calibrated scenario is another scenario: its reports should not pass for the base's.
    if let Some(name) = doc.get("name").and_then(|n| n.as_str()).map(str::to_string) {
        let mut v = Value::from(format!("{name}-calibrated"));
        if let Some(old) = doc.get("name").and_then(Item::as_value) {
            *v.decor_mut() = old.decor().clone();
        }
        doc["name"] = Item::Value(v);
    }
    let mut left_out = Vec::new();
    for e in entries(cal) {
        let station = e.path.len() > 2;
        if !set(&mut doc, &e, !station) {
            left_out.push(format!(
                "{} (the base has no [{}]; add the station with its servers to use it)",
                e.path.join("."),
                e.path[..e.path.len() - 1].join(".")
            ));
        }
    }
    Ok((format!("{}{}", heading(cal), doc), left_out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::{Criterion, calibrate};
    use crate::scenario::observed::{BadRows, parse};

    /// 300 items: lodgement 0.5–3.5 h after arrival, assessment, release about 1 h later, three
    /// channels.
    fn sample() -> crate::scenario::observed::ObservedSample {
        let mut text = String::from("arrival,lodgement,assessment,release,channel,risk\n");
        for i in 0..300 {
            let a = i as f64 * 0.7;
            let l = a + 0.5 + (i * 37 % 101) as f64 / 33.0;
            let s = l + 0.05 + (i * 17 % 23) as f64 / 50.0;
            let ch = ["paper", "electronic", "pre_arrival"][i % 3];
            let risk = ["green", "green", "yellow"][i % 3];
            let r = s + 1.0 + (i * 13 % 7) as f64 / 10.0;
            text += &format!("{a},{l},{s},{r},{ch},{risk}\n");
        }
        parse("s.csv", text.as_bytes(), BadRows::Refuse).unwrap()
    }

    #[test]
    fn fragment_is_toml_with_shares_summing_to_one_and_commented_keys() {
        let cal = calibrate(&sample(), Criterion::Aic);
        let text = fragment(&cal);
        let doc: DocumentMut = text.parse().expect("TOML");
        let ch = doc["import"]["channels"].as_inline_table().unwrap();
        let sum: f64 = ch.iter().map(|(_, v)| v.as_float().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-9, "{sum}");
        assert!(
            text.contains("electronic_lodgement_h = { dist = "),
            "{text}"
        );
        assert!(
            text.contains("# s.csv: lodgement (channel = electronic), n = 100"),
            "{text}"
        );
    }

    #[test]
    fn merge_keeps_the_base_and_leaves_out_stations_it_lacks() {
        let cal = calibrate(&sample(), Criterion::Aic);
        let base = "name = \"b\"\n[import]\nrisk = { green = 1.0, yellow = 0.0, red = 0.0 }\n";
        let (text, left_out) = merge(&cal, base).unwrap();
        assert!(text.contains("name = \"b-calibrated\""), "{text}");
        assert!(
            left_out
                .iter()
                .any(|l| l.starts_with("import.paper_desk.service_h")),
            "{left_out:?}"
        );
        assert!(!text.contains("[import.paper_desk]"));
    }
}
