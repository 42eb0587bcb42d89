//! Levers: the numbers of a scenario a user may move in `clearsim serve`, declared as
//! `[[lever]]` tables and checked against the file's own values. The model never reads them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, Value};

use super::error::{KeyPath, Problem, num};
use super::{Scenario, overrides};

/// `[[lever]]`: a number of the file that `clearsim serve` shows as a slider.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawLever {
    /// The dotted key it moves, written as `--set` takes it (array entries by `name` or
    /// index), e.g. `import.channels.pre_arrival` or `linehaul.capacity_parcels`.
    pub key: String,
    /// What the page calls it, e.g. "pre-arrival share".
    pub label: String,
    /// The unit shown next to the value, e.g. "officers" or "share of parcels".
    pub unit: Option<String>,
    /// The smallest value the slider offers.
    pub min: f64,
    /// The largest value the slider offers.
    pub max: f64,
    /// The slider's step (default 1 for a whole number, else a hundredth of the range).
    pub step: Option<f64>,
    /// A share that takes up the rest when this one moves, so that shares still sum to what
    /// they summed to (e.g. `import.channels.electronic` for a pre-arrival share lever).
    pub complement: Option<String>,
}

/// A validated lever: a number of the file, its range and its baseline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lever {
    /// The dotted key, as `--set` takes it.
    pub key: String,
    /// What the page calls it.
    pub label: String,
    /// The unit shown next to the value (may be empty).
    pub unit: String,
    /// Smallest value offered.
    pub min: f64,
    /// Largest value offered.
    pub max: f64,
    /// Slider step (> 0).
    pub step: f64,
    /// The file's value: the baseline of a what-if.
    pub value: f64,
    /// Whether the key takes whole numbers only (servers, a capacity, replications).
    pub whole: bool,
    /// The key that takes up the rest, and what the two sum to in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complement: Option<Complement>,
    /// Line and column of the `[[lever]]` table in the file (`None` for a default lever).
    #[serde(skip)]
    pub position: Option<(usize, usize)>,
}

/// The share that moves the other way when a lever moves: `key = total − lever`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Complement {
    /// Its dotted key.
    pub key: String,
    /// The file's value of the lever plus its complement.
    pub total: f64,
}

impl Lever {
    /// The `KEY=VALUE` overrides that set this lever to `text`: its own, then its complement's
    /// (`None` when `text` is not a number).
    pub fn settings(&self, text: &str) -> Option<Vec<String>> {
        let mut all = vec![format!("{}={text}", self.key)];
        if let Some(c) = &self.complement {
            let x: f64 = match text.parse::<toml_edit::Value>().ok()? {
                Value::Integer(i) => *i.value() as f64,
                Value::Float(f) => *f.value(),
                _ => return None,
            };
            // Rounded to 1e-9 so that 1 − 0.9 reads 0.1, not 0.09999999999999998.
            let rest = ((c.total - x) * 1e9).round() / 1e9;
            all.push(format!("{}={rest:?}", c.key));
        }
        Some(all)
    }
}

/// The keys a file may leave out whose value the validated scenario still knows: what a lever
/// on them moves from.
fn known_default(s: &Scenario, key: &str) -> Option<(f64, bool)> {
    match key {
        "run.demand_multiplier" => Some((s.run.demand_multiplier, false)),
        "run.replications" => Some((s.run.replications as f64, true)),
        "run.seed" => Some((s.run.seed as f64, true)),
        _ => None,
    }
}

/// The levers every file without `[[lever]]` tables gets: the demand multiplier and the
/// replications, each range holding the file's value.
pub fn defaults(s: &Scenario) -> Vec<Lever> {
    let demand = s.run.demand_multiplier;
    let reps = s.run.replications as f64;
    vec![
        Lever {
            key: "run.demand_multiplier".into(),
            label: "demand multiplier".into(),
            unit: "× the file's demand".into(),
            min: demand.min(0.5),
            max: demand.max(2.0),
            step: 0.05,
            value: demand,
            whole: false,
            complement: None,
            position: None,
        },
        Lever {
            key: "run.replications".into(),
            label: "replications".into(),
            unit: "paired runs".into(),
            min: reps.min(2.0),
            max: reps.max(50.0),
            step: 1.0,
            value: reps,
            whole: true,
            complement: None,
            position: None,
        },
    ]
}

/// Checks the file's `[[lever]]` tables against `doc` (the file's document, ranges already
/// replaced by their values) and the scenario validated from it; every problem is returned,
/// located in `text`.
pub(crate) fn validate(
    raw: &[RawLever],
    doc: &DocumentMut,
    text: &str,
    s: &Scenario,
) -> Result<Vec<Lever>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut levers: Vec<Lever> = Vec::new();
    let here = super::locate::Locator::new(text);
    let ranged = s.uncertain.iter().any(|u| u.key.starts_with("lever."));
    if ranged {
        problems.push(Problem {
            key: "lever".into(),
            position: here.locate(&KeyPath::root("lever")),
            reason: "a lever's numbers are plain numbers, not ranges: write min = 0.2, not min = { value = …, low = …, high = … }".into(),
            from_override: None,
        });
    }
    for (i, l) in raw.iter().enumerate() {
        let at = KeyPath::root("lever").index(i);
        let mut fail = |field: &str, reason: String| {
            let path = if field.is_empty() {
                at.clone()
            } else {
                at.key(field)
            };
            problems.push(Problem {
                key: path.to_string(),
                position: here.locate(&path),
                reason,
                from_override: None,
            });
        };
        let key = l.key.trim();
        if key.is_empty() || key.split('.').any(|p| p.trim().is_empty()) || key.contains('=') {
            fail(
                "key",
                format!(
                    "`{key}` is not a dotted key; write it as --set takes it, e.g. import.channels.pre_arrival"
                ),
            );
            continue;
        }
        if key == "lever" || key.starts_with("lever.") {
            fail("key", "a lever cannot move another lever".into());
            continue;
        }
        if levers.iter().any(|o| o.key == key) {
            fail(
                "key",
                format!("`{key}` already has a lever; give each key one"),
            );
            continue;
        }
        if l.label.trim().is_empty() {
            fail(
                "label",
                "the label is empty; say what the lever moves, e.g. \"pre-arrival share\"".into(),
            );
        }
        let found = match overrides::get(doc, key) {
            Some(Value::Integer(v)) => Some((*v.value() as f64, true)),
            Some(Value::Float(v)) => Some((*v.value(), false)),
            Some(other) => {
                fail(
                    "key",
                    format!(
                        "`{key}` is a {} in this file, not a number: a lever moves a number",
                        other.type_name()
                    ),
                );
                continue;
            }
            None => known_default(s, key),
        };
        // A run setting the file leaves out takes its value from the scenario, `--set` and
        // `--reps` included: the range grows to hold it, as a default lever's does, so that an
        // override the command line allows is never refused because of a slider.
        let from_file = overrides::get(doc, key).is_some();
        let Some((value, whole)) = found else {
            fail(
                "key",
                format!(
                    "`{key}` is not a value of this file: a lever moves a number the file gives (run.demand_multiplier, run.replications and run.seed may be left out)"
                ),
            );
            continue;
        };
        let step = l.step.unwrap_or(if whole {
            1.0
        } else {
            ((l.max - l.min) / 100.0).max(f64::MIN_POSITIVE)
        });
        let mut ok = true;
        for (field, x) in [("min", l.min), ("max", l.max), ("step", step)] {
            if !x.is_finite() {
                fail(field, format!("must be a finite number, got {}", num(x)));
                ok = false;
            } else if whole && x.fract() != 0.0 {
                fail(
                    field,
                    format!(
                        "`{key}` takes whole numbers, so the lever's {field} must be one too, got {}",
                        num(x)
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            continue;
        }
        if l.min > l.max {
            fail(
                "max",
                format!(
                    "max ({}) is below min ({}); the range runs from min up to max",
                    num(l.max),
                    num(l.min)
                ),
            );
            continue;
        }
        if step <= 0.0 {
            fail("step", format!("must be above 0, got {}", num(step)));
            continue;
        }
        let (min, max) = if from_file {
            (l.min, l.max)
        } else {
            (l.min.min(value), l.max.max(value))
        };
        if value < min || value > max {
            fail(
                "",
                format!(
                    "the file's `{key}` is {}, outside the lever's range {} to {}; the range must hold the baseline",
                    num(value),
                    num(min),
                    num(max)
                ),
            );
            continue;
        }
        let complement = match &l.complement {
            None => None,
            Some(other) => {
                let other = other.trim();
                // Both are shares (from 0 to 1): a lever and its complement split one whole.
                let share = |x: f64| (0.0..=1.0).contains(&x);
                let rest = match overrides::get(doc, other) {
                    Some(Value::Float(v)) if share(*v.value()) && share(value) => Some(*v.value()),
                    _ => None,
                };
                match rest {
                    Some(rest)
                        if other != key
                            && !whole
                            && l.max <= value + rest + 1e-9
                            && l.min >= 0.0 =>
                    {
                        Some(Complement {
                            key: other.to_string(),
                            total: value + rest,
                        })
                    }
                    Some(rest) if other != key && !whole => {
                        fail(
                            "max",
                            format!(
                                "with `{other}` taking up the rest, the lever runs from 0 to at most {} (the two sum to that in the file)",
                                num(value + rest)
                            ),
                        );
                        continue;
                    }
                    _ => {
                        fail(
                            "complement",
                            format!(
                                "`{other}` must be another share of the file (a number with a decimal point, from 0 to 1), and `{key}` a share too, so that the two split one whole: `{other}` takes up the rest of `{key}`"
                            ),
                        );
                        continue;
                    }
                }
            }
        };
        levers.push(Lever {
            key: key.to_string(),
            label: l.label.trim().to_string(),
            unit: l.unit.clone().unwrap_or_default(),
            min,
            max,
            step,
            value,
            whole,
            complement,
            position: here.locate(&at),
        });
    }
    if problems.is_empty() {
        Ok(levers)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Scenario, ScenarioError};

    const QUEUE: &str = "[run]\nseed = 1\nreplications = 3\nhorizon_h = 200.0\n\n[[source]]\nname = \"in\"\ninterarrival_h = { dist = \"exponential\", mean = 1.0 }\nto = \"desk\"\n\n[[stage]]\nname = \"desk\"\nservers = 2\nservice_h = { dist = \"exponential\", mean = 1.5 }\n";

    fn load(levers: &str) -> Result<Scenario, ScenarioError> {
        Scenario::from_bytes(format!("{QUEUE}{levers}").as_bytes(), "q.toml", &[])
    }

    fn refused(levers: &str) -> String {
        load(levers).expect_err("refused").to_string()
    }

    #[test]
    fn declared_levers_take_the_files_value_as_baseline_and_a_default_step() {
        let s = load(
            "[[lever]]\nkey = \"stage.desk.servers\"\nlabel = \"officers\"\nunit = \"officers\"\nmin = 1\nmax = 6\n\n[[lever]]\nkey = \"stage.desk.service_h.mean\"\nlabel = \"minutes\"\nmin = 1.0\nmax = 2.0\n\n[[lever]]\nkey = \"run.demand_multiplier\"\nlabel = \"demand\"\nmin = 0.5\nmax = 1.2\nstep = 0.1\n",
        )
        .unwrap();
        let l = &s.levers;
        assert_eq!(l.len(), 3);
        assert_eq!((l[0].value, l[0].whole, l[0].step), (2.0, true, 1.0));
        assert_eq!((l[1].value, l[1].whole), (1.5, false));
        assert!((l[1].step - 0.01).abs() < 1e-12);
        assert_eq!((l[2].value, l[2].step), (1.0, 0.1));
        assert_eq!(l[0].position, Some((15, 1)));
    }

    #[test]
    fn a_run_setting_moved_by_set_outside_its_lever_widens_the_range_instead_of_refusing() {
        let levers = "[[lever]]\nkey = \"run.demand_multiplier\"\nlabel = \"demand\"\nmin = 0.5\nmax = 1.5\nstep = 0.05\n\n[[lever]]\nkey = \"run.replications\"\nlabel = \"replications\"\nmin = 2\nmax = 20\nstep = 1\n\n[[lever]]\nkey = \"stage.desk.servers\"\nlabel = \"servers\"\nmin = 1\nmax = 4\n";
        let sets: Vec<super::super::Override> =
            ["run.demand_multiplier=0.05", "run.replications=30"]
                .iter()
                .map(|s| s.parse().unwrap())
                .collect();
        let s = Scenario::from_bytes(format!("{QUEUE}{levers}").as_bytes(), "q.toml", &sets)
            .expect("an override the command line allows is not refused by a lever");
        let demand = &s.levers[0];
        assert_eq!((demand.min, demand.value, demand.max), (0.05, 0.05, 1.5));
        // A key the file gives (here `run.replications = 3`) keeps the file's value as the
        // baseline, whatever `--set` says.
        let reps = &s.levers[1];
        assert_eq!((reps.min, reps.value, reps.max), (2.0, 3.0, 20.0));
        let sets: Vec<super::super::Override> = vec!["stage.desk.servers=9".parse().unwrap()];
        let s =
            Scenario::from_bytes(format!("{QUEUE}{levers}").as_bytes(), "q.toml", &sets).unwrap();
        assert_eq!(
            (s.levers[2].min, s.levers[2].value, s.levers[2].max),
            (1.0, 2.0, 4.0)
        );
    }

    #[test]
    fn a_file_without_levers_gets_demand_and_replications_holding_its_values() {
        let s = load("").unwrap();
        let keys: Vec<&str> = s.levers.iter().map(|l| l.key.as_str()).collect();
        assert_eq!(keys, ["run.demand_multiplier", "run.replications"]);
        assert_eq!((s.levers[1].value, s.levers[1].min), (3.0, 2.0));
    }

    #[test]
    fn levers_change_no_figure() {
        let plain = load("").unwrap();
        let with = load(
            "[[lever]]\nkey = \"stage.desk.servers\"\nlabel = \"officers\"\nmin = 1\nmax = 6\n",
        )
        .unwrap();
        let figures = |s: &Scenario| {
            let mut v =
                serde_json::to_value(crate::experiment::run(s, 1).unwrap().summary).unwrap();
            v.as_object_mut().unwrap().remove("scenario");
            v
        };
        assert_eq!(figures(&plain), figures(&with));
    }

    #[test]
    fn bad_levers_are_refused_with_file_line_and_key() {
        let lever = |body: &str| format!("[[lever]]\nlabel = \"x\"\n{body}\n");
        let cases = [
            (
                lever("key = \"stage.desk.waiters\"\nmin = 1\nmax = 2"),
                "q.toml:17:7: `lever[0].key`: `stage.desk.waiters` is not a value of this file",
            ),
            (
                lever("key = \"stage.desk.name\"\nmin = 1\nmax = 2"),
                "`stage.desk.name` is a string in this file, not a number",
            ),
            (
                lever("key = \"stage.desk.servers\"\nmin = 4\nmax = 1"),
                "q.toml:19:7: `lever[0].max`: max (1) is below min (4)",
            ),
            (
                lever("key = \"stage.desk.servers\"\nmin = 1\nmax = 4\nstep = 0"),
                "`lever[0].step`: must be above 0, got 0",
            ),
            (
                lever("key = \"stage.desk.servers\"\nmin = 1\nmax = 4\nstep = 0.5"),
                "takes whole numbers, so the lever's step must be one too",
            ),
            (
                lever("key = \"stage.desk.servers\"\nmin = 3\nmax = 4"),
                "the file's `stage.desk.servers` is 2, outside the lever's range 3 to 4",
            ),
            (
                lever("key = \"lever.0.min\"\nmin = 3\nmax = 4"),
                "a lever cannot move another lever",
            ),
            (
                lever(
                    "key = \"stage.desk.service_h.mean\"\nmin = 0.0\nmax = 2.0\ncomplement = \"stage.desk.servers\"",
                ),
                "`lever[0].complement`: `stage.desk.servers` must be another share",
            ),
            (
                format!(
                    "{}{}",
                    lever("key = \"stage.desk.servers\"\nmin = 1\nmax = 4"),
                    lever("key = \"stage.desk.servers\"\nmin = 1\nmax = 4")
                ),
                "`stage.desk.servers` already has a lever",
            ),
            (
                lever(
                    "key = \"stage.desk.servers\"\nmin = { value = 1, low = 0, high = 2 }\nmax = 4",
                ),
                "a lever's numbers are plain numbers",
            ),
            (
                lever("key = \"stage.desk.servers\"\nmin = 1"),
                "missing key `max`",
            ),
        ];
        for (text, expected) in cases {
            let e = refused(&text);
            assert!(e.contains(expected), "{text}\n→ {e}");
        }
    }
}
