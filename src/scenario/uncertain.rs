//! Values given with a plausible range, `key = { value = 0.05, low = 0.02, high = 0.10 }`:
//! checked and listed, then replaced in the document by their `value`, so that everything
//! downstream reads a plain number and today's files read exactly as before.
//!
//! Optional keys: `shape` (`"triangular"`, the default: most weight near `value`; or
//! `"uniform"` over the range) for sampling with `--uncertainty`, and `source`, a word on where
//! the range comes from.

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use super::error::KeyPath;

/// How plausible values spread over a range, for sampling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// Triangular from `low` to `high` with its mode at `value`.
    Triangular,
    /// Uniform from `low` to `high`.
    Uniform,
}

/// A scenario value with a plausible range, validated.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct UncertainInput {
    /// The dotted key as `--set` takes it (array entries by their `name`).
    pub key: String,
    /// The value a plain run uses.
    pub value: f64,
    /// The low end of the plausible range (≤ `value`).
    pub low: f64,
    /// The high end (≥ `value`).
    pub high: f64,
    /// True when the key takes whole numbers (servers, a capacity): sampled values are rounded.
    pub whole: bool,
    /// How plausible values spread over the range.
    pub shape: Shape,
    /// Where the range comes from, as the file says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Line and column of the value in the file.
    #[serde(skip)]
    pub position: Option<(usize, usize)>,
}

impl UncertainInput {
    /// The `u`-quantile (u in [0, 1]) of the input's plausible values, rounded for a whole
    /// number: what a Latin hypercube draw `u` sets it to.
    pub fn quantile(&self, u: f64) -> f64 {
        let (a, c, b) = (self.low, self.value, self.high);
        let u = u.clamp(0.0, 1.0);
        let x = if b <= a {
            c
        } else {
            match self.shape {
                Shape::Uniform => a + u * (b - a),
                Shape::Triangular => {
                    let f = (c - a) / (b - a);
                    if u < f {
                        a + (u * (b - a) * (c - a)).sqrt()
                    } else {
                        b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                    }
                }
            }
        };
        if self.whole { x.round() } else { x }
    }

    /// The override that sets the input to `x`: `key=x`.
    pub fn setting(&self, x: f64) -> String {
        if self.whole {
            format!("{}={}", self.key, x.round() as i64)
        } else {
            format!("{}={x:?}", self.key)
        }
    }
}

/// A problem with a value's range: where it is (for its line and column), its dotted key, and
/// what is wrong.
pub(crate) struct RangeProblem {
    /// Its path, to locate it.
    pub path: KeyPath,
    /// Its dotted key.
    pub key: String,
    /// What is wrong and what is allowed.
    pub reason: String,
}

/// What a range's table may hold.
const KEYS: [&str; 5] = ["value", "low", "high", "shape", "source"];

/// Takes every value with a range out of `doc` (replacing it by its `value`) and returns them
/// in file order with their paths, or every problem found.
pub(crate) fn extract(
    doc: &mut DocumentMut,
) -> Result<Vec<(KeyPath, UncertainInput)>, Vec<RangeProblem>> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    walk_table(
        doc.as_table_mut(),
        "",
        &KeyPath::default(),
        &mut found,
        &mut problems,
    );
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

fn dotted(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn walk_table(
    t: &mut Table,
    prefix: &str,
    path: &KeyPath,
    found: &mut Vec<(KeyPath, UncertainInput)>,
    problems: &mut Vec<RangeProblem>,
) {
    for (k, item) in t.iter_mut() {
        let key = dotted(prefix, k.get());
        let here = if path.0.is_empty() {
            KeyPath::root(k.get())
        } else {
            path.key(k.get())
        };
        match item {
            Item::Table(inner) => walk_table(inner, &key, &here, found, problems),
            Item::ArrayOfTables(a) => {
                for (i, entry) in a.iter_mut().enumerate() {
                    let name = entry
                        .get("name")
                        .and_then(Item::as_str)
                        .map_or(i.to_string(), str::to_string);
                    walk_table(entry, &dotted(&key, &name), &here.index(i), found, problems);
                }
            }
            Item::Value(v) => walk_value(v, &key, &here, found, problems),
            Item::None => {}
        }
    }
}

fn walk_value(
    v: &mut Value,
    key: &str,
    path: &KeyPath,
    found: &mut Vec<(KeyPath, UncertainInput)>,
    problems: &mut Vec<RangeProblem>,
) {
    match v {
        Value::InlineTable(t) if is_range(t) => match read_range(t, key) {
            Ok(input) => {
                let mut plain = if input.whole {
                    Value::from(input.value as i64)
                } else {
                    Value::from(input.value)
                };
                *plain.decor_mut() = v.decor().clone();
                *v = plain;
                found.push((path.clone(), input));
            }
            Err((sub, reason)) => problems.push(RangeProblem {
                path: sub.map_or(path.clone(), |s| path.key(s)),
                key: key.to_string(),
                reason,
            }),
        },
        Value::InlineTable(t) => {
            for (k, inner) in t.iter_mut() {
                let (key, here) = (dotted(key, k.get()), path.key(k.get()));
                walk_value(inner, &key, &here, found, problems);
            }
        }
        Value::Array(a) => {
            for (i, inner) in a.iter_mut().enumerate() {
                if let Value::InlineTable(t) = inner
                    && is_range(t)
                {
                    problems.push(RangeProblem {
                        path: path.index(i),
                        key: format!("{key}[{i}]"),
                        reason: "a value with a range cannot stand inside an array (`--set` could not reach it to vary it); give the whole array as a plain value".to_string(),
                    });
                }
            }
        }
        _ => {}
    }
}

/// An inline table that means a value with a range: it has `low` or `high` and is not a
/// distribution (which has `dist`).
fn is_range(t: &InlineTable) -> bool {
    (t.contains_key("low") || t.contains_key("high")) && !t.contains_key("dist")
}

/// Reads and checks one range; on error, the sub-key at fault (if any) and the reason.
fn read_range(
    t: &InlineTable,
    key: &str,
) -> Result<UncertainInput, (Option<&'static str>, String)> {
    if let Some((k, _)) = t.iter().find(|(k, _)| !KEYS.contains(k)) {
        return Err((
            None,
            format!(
                "`{k}` is not a key of a value with a range; write {key} = {{ value = …, low = …, high = … }}, optionally with shape = \"triangular\" or \"uniform\" and source = \"…\""
            ),
        ));
    }
    let number = |name: &'static str| -> Result<(f64, bool), (Option<&'static str>, String)> {
        match t.get(name) {
            Some(Value::Integer(i)) => Ok((*i.value() as f64, true)),
            Some(Value::Float(f)) if f.value().is_finite() => Ok((*f.value(), false)),
            Some(Value::Float(f)) => Err((
                Some(name),
                format!("`{name}` must be a finite number, got {}", f.value()),
            )),
            Some(other) => Err((
                Some(name),
                format!(
                    "`{name}` must be a finite number, got {} {}",
                    other.type_name(),
                    other.to_string().trim()
                ),
            )),
            None => Err((
                None,
                format!(
                    "a value with a range needs `value`, `low` and `high`; `{name}` is missing"
                ),
            )),
        }
    };
    let (value, whole) = number("value")?;
    let (low, low_whole) = number("low")?;
    let (high, high_whole) = number("high")?;
    if whole && !(low_whole && high_whole) {
        return Err((
            Some(if low_whole { "high" } else { "low" }),
            format!(
                "`value` is a whole number ({value}), so `low` and `high` must be whole numbers too"
            ),
        ));
    }
    if low > high {
        return Err((
            Some("low"),
            format!("the range is empty: low {low} is above high {high}; give low ≤ value ≤ high"),
        ));
    }
    if value < low || value > high {
        return Err((
            Some("value"),
            format!(
                "value {value} lies outside its own range [{low}, {high}]; give low ≤ value ≤ high"
            ),
        ));
    }
    let shape = match t.get("shape") {
        None => Shape::Triangular,
        Some(v) => match v.as_str() {
            Some("triangular") => Shape::Triangular,
            Some("uniform") => Shape::Uniform,
            _ => {
                return Err((
                    Some("shape"),
                    format!(
                        "`shape` is {}: give \"triangular\" (most weight near the value) or \"uniform\"",
                        v.to_string().trim()
                    ),
                ));
            }
        },
    };
    let source = match t.get("source") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .ok_or((Some("source"), "`source` must be a string".to_string()))?
                .to_string(),
        ),
    };
    Ok(UncertainInput {
        key: key.to_string(),
        value,
        low,
        high,
        whole,
        shape,
        source,
        position: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(low: f64, value: f64, high: f64, shape: Shape) -> UncertainInput {
        UncertainInput {
            key: "k".into(),
            value,
            low,
            high,
            whole: false,
            shape,
            source: None,
            position: None,
        }
    }

    #[test]
    fn quantiles_stay_in_the_range_and_put_the_mode_at_the_value() {
        let t = input(0.02, 0.05, 0.10, Shape::Triangular);
        assert_eq!(t.quantile(0.0), 0.02);
        assert_eq!(t.quantile(1.0), 0.10);
        // P(X ≤ mode) = (c − a)/(b − a) = 3/8.
        assert!((t.quantile(3.0 / 8.0) - 0.05).abs() < 1e-12);
        let u = input(1.0, 2.0, 5.0, Shape::Uniform);
        assert_eq!(u.quantile(0.5), 3.0);
        assert_eq!(input(3.0, 3.0, 3.0, Shape::Triangular).quantile(0.7), 3.0);
    }

    #[test]
    fn ranges_are_taken_out_and_checked() {
        let mut doc: DocumentMut = "[import]\nrate = { value = 0.05, low = 0.02, high = 0.1 } # guess\n[[stage]]\nname = \"x\"\nservers = { value = 3, low = 2, high = 5, source = \"ops\" }\nservice_h = { dist = \"exponential\", mean = { value = 1.0, low = 0.5, high = 2.0 } }\n"
            .parse()
            .unwrap();
        let found = extract(&mut doc).unwrap_or_else(|_| panic!("valid"));
        let keys: Vec<&str> = found.iter().map(|(_, i)| i.key.as_str()).collect();
        assert_eq!(
            keys,
            ["import.rate", "stage.x.servers", "stage.x.service_h.mean"]
        );
        assert!(found[1].1.whole);
        assert_eq!(found[1].1.source.as_deref(), Some("ops"));
        let text = doc.to_string();
        assert!(text.contains("rate = 0.05 # guess"), "{text}");
        assert!(text.contains("servers = 3\n"), "{text}");
        for (bad, says) in [
            (
                "k = { value = 1.0, low = 2.0, high = 0.5 }",
                "low 2 is above high 0.5",
            ),
            (
                "k = { value = 3.0, low = 0.5, high = 2.0 }",
                "outside its own range",
            ),
            ("k = { value = 1.0, low = 0.5 }", "`high` is missing"),
            (
                "k = { value = 1.0, low = 0.5, high = 2.0, lo = 1 }",
                "`lo` is not a key",
            ),
            ("k = { value = 2, low = 1.5, high = 3 }", "whole numbers"),
            (
                "k = [1, { value = 1.0, low = 0.5, high = 2.0 }]",
                "inside an array",
            ),
        ] {
            let mut doc: DocumentMut = bad.parse().unwrap();
            let problems = extract(&mut doc).expect_err(bad);
            assert!(
                problems[0].reason.contains(says),
                "{bad}: {}",
                problems[0].reason
            );
        }
    }
}
