//! A client's question (a scenario name and lever values) made into the paired comparison
//! `clearsim compare` would run: baseline A, changed B, and the command line that gives it.

use std::collections::BTreeMap;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::experiment::compare::{alternative_name, paired_changes};
use crate::scenario::lever::Lever;
use crate::scenario::overrides::same_value;
use crate::scenario::{Override, Scenario};

use super::Refusal;
use super::folder::{Folder, shorten};
use super::limits::Limits;

/// What a client asks: "this scenario, with these levers at these values".
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The scenario's name in the served folder (its file name without `.toml`).
    pub scenario: String,
    /// Lever key → value (a number, or its text); levers left out keep the file's value.
    #[serde(default)]
    pub values: BTreeMap<String, serde_json::Value>,
}

/// The keys that set how a comparison runs rather than what is compared: applied to both
/// sides (`--set`), where every other lever changes B only (`--alt-set`).
const SHARED: [&str; 2] = ["run.replications", "run.seed"];

/// A question ready to run: both sides validated, the cache key, and the command.
#[derive(Clone, Debug)]
pub struct WhatIf {
    /// The baseline: the file with the shared settings.
    pub a: Scenario,
    /// The file with the shared settings and the changes.
    pub b: Scenario,
    /// What identifies the answer: the file's hash and name and every override, in order.
    pub key: String,
    /// `clearsim compare` arguments that give the same numbers.
    pub args: Vec<String>,
}

impl WhatIf {
    /// The `clearsim compare` command, quoted for a POSIX shell.
    pub fn command(&self) -> String {
        std::iter::once("clearsim".to_string())
            .chain(self.args.iter().map(|a| shell_quote(a)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `text` quoted for a POSIX shell where it needs it.
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// The longest text of one lever value.
const MAX_VALUE: usize = 40;

/// Makes `q` into the comparison to run, checking every lever value as `--set` checks it (the
/// same message) and against the lever's range, then both sides against `limits`.
pub fn prepare(folder: &Folder, q: &Question, limits: &Limits) -> Result<WhatIf, Refusal> {
    let path = folder.resolve(&q.scenario)?;
    let origin = path.display().to_string();
    let bytes = std::fs::read(&path)
        .map_err(|e| Refusal::not_found(format!("{origin}: cannot read the scenario file: {e}")))?;
    let file = Scenario::from_bytes(&bytes, &origin, &[])
        .map_err(|e| Refusal::invalid_file(e.to_string()))?;
    let (mut shared, mut changes) = (Vec::new(), Vec::new());
    for (key, given) in &q.values {
        let lever = file.levers.iter().find(|l| &l.key == key).ok_or_else(|| {
            let keys: Vec<&str> = file.levers.iter().map(|l| l.key.as_str()).collect();
            Refusal::field(
                key,
                format!(
                    "`{}` is not a lever of {}; its levers are: {}",
                    shorten(key),
                    q.scenario,
                    keys.join(", ")
                ),
            )
        })?;
        let text = match given {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.trim().to_string(),
            other => {
                return Err(Refusal::field(
                    key,
                    format!("`{key}`: give a number, got {other}"),
                ));
            }
        };
        if text.is_empty() || text.len() > MAX_VALUE {
            return Err(Refusal::field(
                key,
                format!(
                    "`{key}`: give a number between {} and {}",
                    lever.min, lever.max
                ),
            ));
        }
        // A lever with a complement sets two shares; any other sets its key.
        let settings = lever
            .settings(&text)
            .unwrap_or_else(|| vec![format!("{key}={text}")]);
        check_value(&bytes, &origin, &settings, lever)?;
        let unchanged = toml_edit::Value::from_str(&text)
            .is_ok_and(|v| same_value(&v, &toml_edit::Value::from(lever.value)));
        if unchanged {
            continue;
        }
        if SHARED.contains(&key.as_str()) {
            shared.extend(settings);
        } else {
            changes.extend(settings);
        }
    }
    let load = |overrides: &[String]| {
        let parsed = overrides
            .iter()
            .map(|a| a.parse::<Override>().map_err(|e| e.in_file(&origin)))
            .collect::<Result<Vec<_>, _>>()?;
        Scenario::from_bytes(&bytes, &origin, &parsed)
    };
    let a = load(&shared).map_err(|e| Refusal::bad_request(e.to_string()))?;
    if changes.is_empty() {
        return Err(Refusal::bad_request(
            "no lever differs from the file's value, so there is nothing to compare: move a lever (other than replications or seed) and press Run".to_string(),
        ));
    }
    let mut b_overrides = shared.clone();
    b_overrides.extend(paired_changes(&a, &changes));
    let mut b = load(&b_overrides).map_err(|e| Refusal::bad_request(e.to_string()))?;
    b.name = alternative_name(&a, &changes);
    limits.check(&a)?;
    limits.check(&b)?;
    let mut hash = Sha256::new();
    for part in [origin.as_str(), file.sha256.as_str()]
        .into_iter()
        .chain(b_overrides.iter().map(String::as_str))
    {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let key = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let mut args = vec!["compare".to_string(), origin];
    for s in &shared {
        args.extend(["--set".to_string(), s.clone()]);
    }
    for c in &changes {
        args.extend(["--alt-set".to_string(), c.clone()]);
    }
    Ok(WhatIf { a, b, key, args })
}

/// Checks one lever value: first as `--set KEY=VALUE` on the file (with its complement's, if
/// any; the same message), then against the lever's range.
fn check_value(
    bytes: &[u8],
    origin: &str,
    settings: &[String],
    lever: &Lever,
) -> Result<(), Refusal> {
    let key = &lever.key;
    let parsed = settings
        .iter()
        .map(|a| a.parse::<Override>().map_err(|e| e.in_file(origin)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Refusal::field(key, e.to_string()))?;
    let given = &parsed[0].value;
    // A number outside the range is told so first (its complement would be out of range too);
    // anything else the file's validation judges.
    let x = match toml_edit::Value::from_str(given) {
        Ok(toml_edit::Value::Integer(i)) => Some(*i.value() as f64),
        Ok(toml_edit::Value::Float(f)) => Some(*f.value()),
        _ => None,
    };
    if let Some(x) = x
        && !(x >= lever.min && x <= lever.max)
    {
        return Err(Refusal::field(
            key,
            format!(
                "`{key}` = {given}: outside this lever's range, {} to {}{}",
                lever.min,
                lever.max,
                if lever.unit.is_empty() {
                    String::new()
                } else {
                    format!(" {}", lever.unit)
                }
            ),
        ));
    }
    Scenario::from_bytes(bytes, origin, &parsed).map_err(|e| Refusal::field(key, e.to_string()))?;
    Ok(())
}
