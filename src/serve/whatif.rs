//! A client's question (a scenario name and lever values) made into the paired comparison
//! `clearsim compare` would run: baseline A, changed B, and the command line that gives it.

use std::collections::BTreeMap;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::experiment::compare::{alternative_name, paired_changes};
use crate::scenario::error::num;
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
    /// Lever key → value, a JSON number on the lever's steps within its range (anything else is
    /// refused with the range); levers left out keep the file's value.
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

/// Makes `q` into the comparison to run: every key must be a declared lever and every value a
/// number on its steps within its range, then checked as `--set` checks it (the same message);
/// then both sides against `limits`.
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
        let text = lever_value(lever, given)?;
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

/// How near a multiple of the step a value must be to count as on it (in steps): decimal
/// values such as 0.3 are not exact multiples of 0.05 in binary.
const ON_STEP: f64 = 1e-6;

/// The `--set` text of the value `given` for `lever`: a JSON number within the lever's range and
/// on its steps (counted from its minimum), or the file's own value. Text, a range table, true
/// or an object is refused, whatever it holds, so that no value reaches the file that the
/// lever does not offer.
fn lever_value(lever: &Lever, given: &serde_json::Value) -> Result<String, Refusal> {
    let key = &lever.key;
    let unit = if lever.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", lever.unit)
    };
    let offered = format!(
        "{} to {}{unit} in steps of {}",
        num(lever.min),
        num(lever.max),
        num(lever.step)
    );
    let Some(x) = given.as_f64() else {
        let got = shorten(&given.to_string());
        return Err(Refusal::field(
            key,
            format!("`{key}`: give a number from {offered} (a JSON number, not text), got {got}"),
        ));
    };
    if x == lever.value {
        return Ok(number_text(lever, x, given));
    }
    if !(x >= lever.min && x <= lever.max) {
        return Err(Refusal::field(
            key,
            format!(
                "`{key}` = {}: outside this lever's range, {offered}",
                num(x)
            ),
        ));
    }
    let steps = (x - lever.min) / lever.step;
    if (steps - steps.round()).abs() > ON_STEP {
        return Err(Refusal::field(
            key,
            format!(
                "`{key}` = {}: between two of this lever's steps; it takes {offered}",
                num(x)
            ),
        ));
    }
    Ok(number_text(lever, x, given))
}

/// A checked number as `--set` takes it: a whole number for a lever of whole numbers (so 50.0
/// sets 50 officers), else as the client wrote it.
fn number_text(lever: &Lever, x: f64, given: &serde_json::Value) -> String {
    if lever.whole && x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        given.to_string()
    }
}

/// Checks one lever value (already a number within its range, see `lever_value`) as `--set
/// KEY=VALUE` on the file, with its complement's if any: the same message.
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
    Scenario::from_bytes(bytes, origin, &parsed).map_err(|e| Refusal::field(key, e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn officers() -> Lever {
        Lever {
            key: "stage.desk.servers".into(),
            label: "officers".into(),
            unit: "officers".into(),
            min: 20.0,
            max: 80.0,
            step: 2.0,
            value: 41.0,
            whole: true,
            complement: None,
            position: None,
        }
    }

    #[test]
    fn a_lever_takes_only_a_json_number_on_its_steps_within_its_range_or_its_baseline() {
        let l = officers();
        assert_eq!(lever_value(&l, &json!(50)).unwrap(), "50");
        assert_eq!(lever_value(&l, &json!(50.0)).unwrap(), "50");
        assert_eq!(
            lever_value(&l, &json!(41)).unwrap(),
            "41",
            "the file's own value"
        );
        for (bad, says) in [
            (json!("50"), "a JSON number, not text"),
            (json!("{value=1,low=1,high=1}"), "not text"),
            (json!(true), "not text"),
            (json!({"value": 50}), "not text"),
            (json!([50]), "not text"),
            (json!(null), "not text"),
            (json!(1), "outside this lever's range"),
            (json!(1e7), "outside this lever's range"),
            (json!(-40), "outside this lever's range"),
            (json!(43), "between two of this lever's steps"),
            (json!(50.5), "between two of this lever's steps"),
        ] {
            let r = lever_value(&l, &bad).unwrap_err();
            assert_eq!(r.field.as_deref(), Some("stage.desk.servers"));
            assert!(r.message.contains(says), "{bad}: {}", r.message);
            assert!(
                r.message.contains("20 to 80 officers in steps of 2"),
                "{bad}: {}",
                r.message
            );
        }
    }

    #[test]
    fn decimal_steps_count_from_the_minimum_without_binary_rounding_refusing_them() {
        let share = Lever {
            key: "import.channels.pre_arrival".into(),
            unit: String::new(),
            min: 0.5,
            max: 1.2,
            step: 0.05,
            value: 1.0,
            whole: false,
            ..officers()
        };
        for ok in [0.5, 0.55, 0.65, 0.9, 1.15, 1.2, 0.55 + 0.1] {
            assert!(lever_value(&share, &json!(ok)).is_ok(), "{ok}");
        }
        assert_eq!(lever_value(&share, &json!(0.9)).unwrap(), "0.9");
        assert!(lever_value(&share, &json!(0.52)).is_err());
        assert!(lever_value(&share, &json!(0.4)).is_err());
    }
}
