//! `--set dotted.key=value`: overrides of any value of a scenario file, applied to the TOML
//! document before it is read, so an override is checked exactly like the file itself.
//!
//! Arrays of tables are addressed by index or by the `name` of an entry:
//! `stage.xray.servers=3` and `stage.1.servers=3` both work.

use std::str::FromStr;

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

use super::error::{ScenarioError, nearest};

/// One `--set` override: a dotted key and a TOML value.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The argument as given, for messages.
    pub arg: String,
    /// The key path, split at dots.
    pub path: Vec<String>,
    /// The value as TOML text (a bare word that is not TOML is taken as a string).
    pub value: String,
}

impl FromStr for Override {
    type Err = ScenarioError;

    fn from_str(arg: &str) -> Result<Self, Self::Err> {
        let fail = |reason: &str| ScenarioError::Override {
            path: String::new(),
            arg: arg.to_string(),
            reason: reason.to_string(),
        };
        let (key, value) = arg
            .split_once('=')
            .ok_or_else(|| fail("expected KEY=VALUE, e.g. --set run.replications=50"))?;
        let path: Vec<String> = key
            .trim()
            .split('.')
            .map(|s| s.trim().to_string())
            .collect();
        if path.iter().any(String::is_empty) {
            return Err(fail(
                "the key has an empty part; write it like stage.xray.servers",
            ));
        }
        if value.trim().is_empty() {
            return Err(fail("the value is empty"));
        }
        Ok(Override {
            arg: arg.to_string(),
            path,
            value: value.trim().to_string(),
        })
    }
}

impl Override {
    /// The TOML value of this override.
    fn parsed_value(&self) -> Value {
        Value::from_str(&self.value).unwrap_or_else(|_| Value::from(self.value.as_str()))
    }
}

/// Applies the overrides in order to the document of the file `path`.
pub fn apply(
    doc: &mut DocumentMut,
    overrides: &[Override],
    path: &str,
) -> Result<(), ScenarioError> {
    for o in overrides {
        let segs: Vec<&str> = o.path.iter().map(String::as_str).collect();
        set_in_table(doc.as_table_mut(), &segs, o.parsed_value()).map_err(|reason| {
            ScenarioError::Override {
                path: path.to_string(),
                arg: o.arg.clone(),
                reason,
            }
        })?;
    }
    Ok(())
}

fn set_in_table(t: &mut Table, segs: &[&str], value: Value) -> Result<(), String> {
    let (first, rest) = segs.split_first().ok_or("empty key")?;
    if rest.is_empty() {
        match t.get_mut(first) {
            Some(item @ Item::Value(_)) | Some(item @ Item::None) => {
                *item = Item::Value(value);
                return Ok(());
            }
            Some(_) => return Err(format!("`{first}` is a table; set one of its keys")),
            None => {
                t.insert(first, Item::Value(value));
                return Ok(());
            }
        }
    }
    if !t.contains_key(first) {
        t.insert(first, Item::Table(Table::new()));
    }
    match t.get_mut(first).ok_or("unreachable")? {
        Item::Table(inner) => set_in_table(inner, rest, value),
        Item::ArrayOfTables(array) => {
            let (select, rest) = rest.split_first().ok_or("")?;
            let names: Vec<String> = array
                .iter()
                .filter_map(|e| e.get("name").and_then(Item::as_str).map(str::to_string))
                .collect();
            let index = match select.parse::<usize>() {
                Ok(i) if i < array.len() => i,
                Ok(i) => {
                    return Err(format!(
                        "`{first}` has {} entries; index {i} is out of range",
                        array.len()
                    ));
                }
                Err(_) => names.iter().position(|n| n == select).ok_or_else(|| {
                    let hint = nearest(select, names.iter().map(String::as_str))
                        .map(|n| format!("did you mean `{n}`? "))
                        .unwrap_or_default();
                    format!(
                        "no {first} named `{select}`; {hint}the {first} entries are: {}",
                        names.join(", ")
                    )
                })?,
            };
            if rest.is_empty() {
                return Err(format!(
                    "`{first}.{select}` is a table; set one of its keys"
                ));
            }
            let table = array.get_mut(index).ok_or("unreachable")?;
            set_in_table(table, rest, value)
        }
        Item::Value(Value::InlineTable(inner)) => set_in_inline(inner, rest, value),
        Item::Value(v) => Err(format!("`{first}` is a {}, not a table", v.type_name())),
        Item::None => Err(format!("`{first}` is empty")),
    }
}

fn set_in_inline(t: &mut InlineTable, segs: &[&str], value: Value) -> Result<(), String> {
    let (first, rest) = segs.split_first().ok_or("empty key")?;
    if rest.is_empty() {
        t.insert(*first, value);
        return Ok(());
    }
    match t.get_mut(first) {
        Some(Value::InlineTable(inner)) => set_in_inline(inner, rest, value),
        Some(v) => Err(format!("`{first}` is a {}, not a table", v.type_name())),
        None => {
            let mut inner = InlineTable::new();
            set_in_inline(&mut inner, rest, value)?;
            t.insert(*first, Value::InlineTable(inner));
            Ok(())
        }
    }
}

/// The value at the dotted key `key` of `doc`, addressed as `--set` addresses it (arrays of
/// tables by entry name or index); `None` where there is none. A value with a plausible range
/// (`{ value = …, low = …, high = … }`) gives its `value`.
pub fn get(doc: &DocumentMut, key: &str) -> Option<Value> {
    let segs: Vec<&str> = key.split('.').map(str::trim).collect();
    get_in_item(doc.as_item(), &segs).and_then(|v| plain(&v))
}

fn get_in_item(item: &Item, segs: &[&str]) -> Option<Value> {
    let Some((first, rest)) = segs.split_first() else {
        return item.as_value().cloned();
    };
    match item {
        Item::Table(t) => get_in_item(t.get(first)?, rest),
        Item::ArrayOfTables(a) => {
            let i = first.parse::<usize>().ok().or_else(|| {
                a.iter()
                    .position(|e| e.get("name").and_then(Item::as_str) == Some(*first))
            })?;
            let (next, after) = rest.split_first()?;
            get_in_item(a.get(i)?.get(next)?, after)
        }
        Item::Value(v) => get_in_value(v, segs),
        _ => None,
    }
}

fn get_in_value(v: &Value, segs: &[&str]) -> Option<Value> {
    match segs.split_first() {
        None => Some(v.clone()),
        Some((first, rest)) => get_in_value(v.as_inline_table()?.get(first)?, rest),
    }
}

/// A value, or the `value` of a value with a plausible range.
fn plain(v: &Value) -> Option<Value> {
    match v {
        Value::InlineTable(t)
            if t.contains_key("value") && (t.contains_key("low") || t.contains_key("high")) =>
        {
            t.get("value").cloned()
        }
        other => Some(other.clone()),
    }
}

/// Whether two TOML values are the same value: numbers by their value (3 is 3.0), arrays item
/// by item, anything else by its text.
pub fn same_value(a: &Value, b: &Value) -> bool {
    let num = |v: &Value| match v {
        Value::Integer(i) => Some(*i.value() as f64),
        Value::Float(f) => Some(*f.value()),
        _ => None,
    };
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same_value(p, q))
        }
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a.to_string().trim() == b.to_string().trim(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, args: &[&str]) -> Result<String, ScenarioError> {
        let mut doc: DocumentMut = text.parse().unwrap();
        let o: Vec<Override> = args.iter().map(|a| a.parse()).collect::<Result<_, _>>()?;
        apply(&mut doc, &o, "test.toml")?;
        Ok(doc.to_string())
    }

    #[test]
    fn sets_values_by_name_by_index_and_inside_inline_tables() {
        let text = "[run]\nseed = 1\n\n[[stage]]\nname = \"a\"\nservers = 1\nservice_h = { dist = \"exponential\", mean = 0.5 }\n";
        let out = run(
            text,
            &[
                "run.seed=9",
                "stage.a.servers=3",
                "stage.0.service_h.mean=0.7",
            ],
        )
        .unwrap();
        assert!(out.contains("seed = 9"));
        assert!(out.contains("servers = 3"));
        assert!(out.contains("mean = 0.7"));
        assert_eq!(
            out.lines().count(),
            text.lines().count(),
            "lines keep their numbers"
        );
    }

    #[test]
    fn unknown_entry_and_malformed_argument_are_explained() {
        let text = "[[stage]]\nname = \"a\"\n";
        let err = run(text, &["stage.b.servers=3"]).unwrap_err().to_string();
        assert!(err.contains("no stage named `b`"), "{err}");
        let err = run(text, &["stage.a.servers"]).unwrap_err().to_string();
        assert!(err.contains("KEY=VALUE"), "{err}");
    }
}
