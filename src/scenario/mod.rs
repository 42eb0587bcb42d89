//! The scenario file format: reading TOML, applying `--set` overrides, and validating it into a
//! [`Scenario`] with units resolved. Nothing downstream re-validates.
//!
//! ```text
//! file bytes ──▶ toml_edit document ──▶ --set overrides ──▶ serde (RawScenario)
//!            ──▶ validate (every problem, located by line:column) ──▶ Scenario
//! ```

pub mod bounds;
pub mod cycles;
pub mod error;
pub mod lever;
pub mod locate;
pub mod network;
mod network_check;
pub mod network_raw;
pub mod observed;
pub mod overrides;
pub mod parcel;
pub mod parcel_raw;
pub mod raw;
pub mod uncertain;
mod validate;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::engine::{CapacitySchedule, Discipline, Dist};
pub use error::{KeyPath, Problem, ScenarioError};
pub use overrides::Override;

/// Where an entity goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The stage with this index.
    Stage(usize),
    /// Out of the network (delivered).
    Exit,
}

/// Probabilistic routing: targets with cumulative probabilities.
#[derive(Clone, Debug, PartialEq)]
pub struct Routing {
    /// (target, cumulative probability), the last one 1.
    pub choices: Vec<(Target, f64)>,
}

impl Routing {
    /// Always `target`.
    pub fn single(target: Target) -> Self {
        Routing {
            choices: vec![(target, 1.0)],
        }
    }

    /// True when there is only one way on (no random draw needed).
    pub fn is_deterministic(&self) -> bool {
        self.choices.len() == 1
    }

    /// The target for a uniform draw `u` in [0, 1).
    #[inline]
    pub fn pick(&self, u: f64) -> Target {
        for &(t, cum) in &self.choices {
            if u < cum {
                return t;
            }
        }
        self.choices[self.choices.len() - 1].0
    }

    /// Probability of going to `target`.
    pub fn probability(&self, target: Target) -> f64 {
        let mut prev = 0.0;
        let mut p = 0.0;
        for &(t, cum) in &self.choices {
            if t == target {
                p += cum - prev;
            }
            prev = cum;
        }
        p
    }
}

/// How long to run, how often, from which seed.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSettings {
    /// Master seed.
    pub seed: u64,
    /// Independent replications.
    pub replications: u32,
    /// Stop the clock here [h], if set.
    pub horizon_h: Option<f64>,
    /// Stop creating entities after this many arrivals, if set.
    pub arrivals: Option<u64>,
    /// Statistics start here [h].
    pub warmup_h: f64,
    /// Every arrival rate is multiplied by this (already applied to platforms' parcels per day;
    /// the network model divides sources' times between arrivals by it).
    pub demand_multiplier: f64,
}

/// A stream of arrivals (`PartialEq`: two scenarios share their demand when their sources are
/// equal).
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// Unique name.
    pub name: String,
    /// Time between arrivals [h].
    pub interarrival: Dist,
    /// The stage arrivals enter.
    pub target: Target,
    /// Priority class (0 first).
    pub priority: u8,
}

/// What a stage does to the entities that reach it.
#[derive(Clone, Debug)]
pub enum StageKind {
    /// Servers (constant or by shift) with a waiting line.
    Queue {
        /// Servers over time.
        schedule: CapacitySchedule,
        /// Service order.
        discipline: Discipline,
        /// Most entities waiting, if limited.
        queue_limit: Option<u32>,
        /// Service time [h].
        service: Dist,
    },
    /// A pure delay: every entity is served at once (infinitely many servers).
    Delay {
        /// Time spent [h].
        delay: Dist,
    },
    /// Entities wait until a batch is full or its time-out expires, then move on together.
    Batch {
        /// Items per batch.
        size: u32,
        /// Time-out of an incomplete batch [h].
        timeout_h: Option<f64>,
    },
    /// Timetabled departures with a capacity and a cut-off, then a transit time.
    Departures {
        /// Pattern length [h].
        period_h: f64,
        /// Departure times within the period [h].
        offsets: Vec<f64>,
        /// Entities per departure.
        capacity: u32,
        /// Latest arrival before a departure to board it [h].
        cutoff_h: f64,
        /// Transit time of a departure [h].
        transit: Dist,
    },
}

/// One stage of the network.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Unique name.
    pub name: String,
    /// What it does.
    pub kind: StageKind,
    /// Where entities go after it.
    pub routing: Routing,
}

/// A validated scenario, ready to simulate.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// A short name.
    pub name: String,
    /// The file it came from, as given.
    pub origin: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Run settings.
    pub run: RunSettings,
    /// Arrival streams.
    pub sources: Vec<Source>,
    /// Stages, in file order (plain queueing network).
    pub stages: Vec<Stage>,
    /// The parcel world, when the file describes one instead of a plain network.
    pub world: Option<parcel::ParcelWorld>,
    /// The values given with a plausible range, in file order (their `value` is what the
    /// scenario above uses).
    pub uncertain: Vec<uncertain::UncertainInput>,
    /// The numbers `clearsim serve` lets a user move: the file's `[[lever]]` tables, or
    /// [`lever::defaults`] when it declares none. No run reads them.
    pub levers: Vec<lever::Lever>,
}

/// Offered load of one stage from the traffic equations.
#[derive(Clone, Debug, PartialEq)]
pub struct StageLoad {
    /// Stage index.
    pub stage: usize,
    /// Mean arrival rate [1/h].
    pub arrival_rate_per_h: f64,
    /// Offered load over capacity (ρ); `None` where a stage has no capacity to speak of.
    pub load: Option<f64>,
}

impl Scenario {
    /// Reads, overrides and validates the scenario file at `path`.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        let origin = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| ScenarioError::Io {
            path: origin.clone(),
            source,
        })?;
        Scenario::from_bytes(&bytes, &origin, overrides)
    }

    /// Validates a scenario from its file bytes; `origin` names it in messages.
    pub fn from_bytes(
        bytes: &[u8],
        origin: &str,
        overrides: &[Override],
    ) -> Result<Scenario, ScenarioError> {
        let sha256 = hex(&Sha256::digest(bytes));
        let invalid = |key: &str, position, reason: String| ScenarioError::Invalid {
            path: origin.to_string(),
            problems: vec![Problem {
                key: key.to_string(),
                position,
                reason,
                from_override: None,
            }],
        };
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let at = error::line_col(&String::from_utf8_lossy(bytes), e.valid_up_to());
            invalid("", Some(at), "the file is not valid UTF-8 text".to_string())
        })?;
        let base: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            let at = e.span().map(|s| error::line_col(text, s.start));
            let mut reason = e.message().trim().to_string();
            if reason.starts_with("duplicate key")
                && let Some(s) = e.span()
            {
                let key = key_text(text, s.start);
                reason = if key == "hub" {
                    "`[hub]` and `[[hub]]` cannot both be given: write the one origin hub of a one-chain file as [hub], or every hub of a network as [[hub]] with a `name`".to_string()
                } else {
                    format!(
                        "duplicate key `{key}`: it is already given earlier in the same table; give each key once"
                    )
                };
                return invalid(&key, at, reason);
            }
            invalid("", at, format!("not valid TOML: {reason}"))
        })?;
        // Each override applied on its own, so a problem can be traced to the one that caused it.
        let mut docs = vec![base];
        for (i, o) in overrides.iter().enumerate() {
            let mut doc = docs[i].clone();
            overrides::apply(&mut doc, std::slice::from_ref(o), origin)?;
            docs.push(doc);
        }
        // Values with a range become their value in every document, before serde reads them.
        let (mut ranged, mut base_ranged) = (Vec::new(), false);
        let last = docs.len() - 1;
        for (k, doc) in docs.iter_mut().enumerate() {
            match uncertain::extract(doc) {
                Ok(found) => {
                    base_ranged |= k == 0 && !found.is_empty();
                    if k == last {
                        ranged = found;
                    }
                }
                Err(problems) if k == 0 => {
                    let here = locate::Locator::new(text);
                    return Err(ScenarioError::Invalid {
                        path: origin.to_string(),
                        problems: problems
                            .into_iter()
                            .map(|p| Problem {
                                position: here.locate(&p.path),
                                key: p.key,
                                reason: p.reason,
                                from_override: None,
                            })
                            .collect(),
                    });
                }
                Err(problems) => {
                    return Err(ScenarioError::Override {
                        path: origin.to_string(),
                        arg: overrides[k - 1].arg.clone(),
                        reason: format!("`{}`: {}", problems[0].key, problems[0].reason),
                    });
                }
            }
        }
        let texts: Vec<String> = docs.iter().map(ToString::to_string).collect();
        // The file as serde reads it: with a range taken out, the document's own text.
        let read_text = if base_ranged { texts[0].as_str() } else { text };
        let full = texts.last().map_or(text, String::as_str);
        let mut raw: raw::RawScenario = match toml::from_str(full) {
            Ok(raw) => raw,
            Err(e) => return Err(type_error(read_text, &texts, overrides, origin, e)),
        };
        let raw_levers = std::mem::take(&mut raw.lever);
        let mut scenario = validate::validate(raw, origin, &sha256).map_err(|problems| {
            let here = locate::Locator::new(text);
            let versions: Vec<locate::Locator> =
                texts.iter().map(|t| locate::Locator::new(t)).collect();
            // A problem at a value no override wrote may still be caused by one (a lane renamed
            // to another's name is reported at the other lane): the first override after which
            // validation reports it is the cause, when the file alone has no such problem.
            let mut first_seen = FirstSeen::new(&texts, origin, &sha256);
            ScenarioError::Invalid {
                path: origin.to_string(),
                problems: problems
                    .into_iter()
                    .map(|p| {
                        let mut problem = p.problem;
                        if let Some(path) = p.key_path {
                            problem.position = here.locate(&path);
                            if let Some((arg, below)) = culprit(&versions, overrides, &path) {
                                if below {
                                    problem.position = None;
                                }
                                problem.from_override = Some(arg.to_string());
                            } else if let Some(k) = first_seen.of(&problem) {
                                problem.position = None;
                                problem.from_override = Some(overrides[k - 1].arg.clone());
                            }
                        }
                        problem
                    })
                    .collect(),
            }
        })?;
        let here = locate::Locator::new(text);
        let ends = range_end_problems(&docs[last], &ranged, origin, &sha256, &here);
        if !ends.is_empty() {
            return Err(ScenarioError::Invalid {
                path: origin.to_string(),
                problems: ends,
            });
        }
        scenario.uncertain = ranged
            .into_iter()
            .map(|(path, mut input)| {
                input.position = here.locate(&path);
                input
            })
            .collect();
        scenario.levers = if raw_levers.is_empty() {
            lever::defaults(&scenario)
        } else {
            lever::validate(&raw_levers, &docs[0], text, &scenario).map_err(|problems| {
                // The levers as the file gives them, checked alone: a problem they do not have
                // comes from an override of a lever, which is named instead of a file line.
                let file_levers = toml::from_str::<raw::RawScenario>(read_text)
                    .map(|r| lever::validate(&r.lever, &docs[0], text, &scenario).err())
                    .unwrap_or(None)
                    .unwrap_or_default();
                let lever_override = overrides
                    .iter()
                    .rev()
                    .find(|o| o.path.first().is_some_and(|p| p == "lever"));
                ScenarioError::Invalid {
                    path: origin.to_string(),
                    problems: problems
                        .into_iter()
                        .map(|mut p| {
                            if let Some(o) = lever_override
                                && !file_levers
                                    .iter()
                                    .any(|f| f.key == p.key && f.reason == p.reason)
                            {
                                p.position = None;
                                p.from_override = Some(o.arg.clone());
                            }
                            p
                        })
                        .collect(),
                }
            })?
        };
        let ends = lever_end_problems(&docs[0], &scenario.levers, origin, &sha256, &here);
        if !ends.is_empty() {
            return Err(ScenarioError::Invalid {
                path: origin.to_string(),
                problems: ends,
            });
        }
        Ok(scenario)
    }

    /// The index of the stage called `name`.
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }

    /// Mean arrival rates and offered loads of every stage, from the traffic equations
    /// λ_i = Σ sources into i + Σ_j λ_j p_ji. Used to refuse runs that would never end.
    pub fn offered_loads(&self) -> Vec<StageLoad> {
        validate::offered_loads(&self.sources, &self.stages, self.run.demand_multiplier)
    }

    /// The same scenario with every arrival rate at `multiplier` times the file's (replacing
    /// any `run.demand_multiplier` already applied). Loads are not re-checked: callers that
    /// raise demand must look at [`Scenario::max_offered_load`] first.
    pub fn with_demand_multiplier(&self, multiplier: f64) -> Scenario {
        let mut s = self.clone();
        let factor = multiplier / self.run.demand_multiplier;
        s.run.demand_multiplier = multiplier;
        if let Some(w) = &mut s.world {
            for p in &mut w.platforms {
                p.parcels_per_day *= factor;
            }
        }
        s
    }

    /// The highest offered load of any stage or station (ρ), or 0 where none has a capacity.
    pub fn max_offered_load(&self) -> f64 {
        match &self.world {
            Some(w) => w.offered_loads().iter().map(|l| l.load).fold(0.0, f64::max),
            None => self
                .offered_loads()
                .iter()
                .filter_map(|l| l.load)
                .fold(0.0, f64::max),
        }
    }
}

/// The error of reading the (overridden) document into the raw structures: blamed on the first
/// override after which reading fails, or else on the file, with its line and column.
fn type_error(
    text: &str,
    texts: &[String],
    overrides: &[Override],
    origin: &str,
    full_error: toml::de::Error,
) -> ScenarioError {
    let fails = |t: &str| toml::from_str::<raw::RawScenario>(t).err();
    let (k, e) = match fails(text) {
        Some(e) => (0, e),
        None => texts
            .iter()
            .enumerate()
            .skip(1)
            .find_map(|(k, t)| fails(t).map(|e| (k, e)))
            .unwrap_or((texts.len() - 1, full_error)),
    };
    if k == 0 {
        let at = e.span().map(|s| error::line_col(text, s.start));
        let key = e.span().map(|s| key_at(text, s.start)).unwrap_or_default();
        let reason = error::plain_words(e.message(), &|_, best| best.to_string());
        return ScenarioError::Invalid {
            path: origin.to_string(),
            problems: vec![Problem {
                key,
                position: at,
                reason,
                from_override: None,
            }],
        };
    }
    let o = &overrides[k - 1];
    // A misspelt part of the override's key is replaced by the nearest valid one, in place.
    let suggest = |unknown: &str, best: &str| match o.path.iter().position(|p| p == unknown) {
        Some(i) => {
            let mut path = o.path.clone();
            path[i] = best.to_string();
            path.join(".")
        }
        None => best.to_string(),
    };
    let mut reason = error::plain_words(e.message(), &suggest);
    let key = o.path.join(".");
    if !reason.contains(&format!("`{key}`")) {
        reason = format!("`{key}`: {reason}");
    }
    ScenarioError::Override {
        path: origin.to_string(),
        arg: o.arg.clone(),
        reason,
    }
}

/// Every end of every range checked as the key itself is: the document (ranges already replaced
/// by their values) with one input at one end, validated. A problem names the range's end
/// (`key.low`, `key.high`) and where it stands in the file, so that no verb (a plain `run`,
/// `--uncertainty`, `sensitivity`) can meet an end the file should not have allowed.
fn range_end_problems(
    doc: &toml_edit::DocumentMut,
    ranged: &[(KeyPath, uncertain::UncertainInput)],
    origin: &str,
    sha256: &str,
    here: &locate::Locator,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (path, input) in ranged {
        for (end, x) in [("low", input.low), ("high", input.high)] {
            if x == input.value {
                continue;
            }
            let Some(reasons) = refused_with(doc, &[input.setting(x)], origin, sha256) else {
                continue;
            };
            problems.push(Problem {
                key: format!("{}.{end}", input.key),
                position: here.locate(&path.key(end)),
                reason: format!(
                    "the range's {end} end {} is refused as a value of `{}` would be: {}; give a {end} end the key accepts",
                    error::num(x),
                    input.key,
                    reasons.join("; ")
                ),
                from_override: None,
            });
        }
    }
    problems
}

/// For each version of the document (the file, then after each override), the problems
/// validation reports, computed when first asked.
struct FirstSeen<'a> {
    texts: &'a [String],
    origin: &'a str,
    sha256: &'a str,
    found: Vec<Option<Vec<(String, String)>>>,
}

impl<'a> FirstSeen<'a> {
    fn new(texts: &'a [String], origin: &'a str, sha256: &'a str) -> FirstSeen<'a> {
        FirstSeen {
            texts,
            origin,
            sha256,
            found: vec![None; texts.len()],
        }
    }

    /// The problems (key, reason) of version `k`.
    fn at(&mut self, k: usize) -> &[(String, String)] {
        let (texts, origin, sha256) = (self.texts, self.origin, self.sha256);
        self.found[k].get_or_insert_with(|| match toml::from_str::<raw::RawScenario>(&texts[k]) {
            Err(e) => vec![(String::new(), e.message().to_string())],
            Ok(mut raw) => {
                raw.lever.clear();
                validate::validate(raw, origin, sha256)
                    .err()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| (p.problem.key, p.problem.reason))
                    .collect()
            }
        })
    }

    /// The first override (its version `k`, from 1) after which `problem` is reported, when the
    /// file itself does not report it.
    fn of(&mut self, problem: &Problem) -> Option<usize> {
        if self.texts.len() < 2 {
            return None;
        }
        let same = |f: &(String, String)| f.0 == problem.key && f.1 == problem.reason;
        if self.at(0).iter().any(same) {
            return None;
        }
        (1..self.texts.len()).find(|&k| self.at(k).iter().any(same))
    }
}

/// What validation says of `doc` with `settings` (`KEY=VALUE`) applied, or `None` when it
/// accepts it (or a setting cannot be applied, which the caller's own checks report).
fn refused_with(
    doc: &toml_edit::DocumentMut,
    settings: &[String],
    origin: &str,
    sha256: &str,
) -> Option<Vec<String>> {
    let parsed: Vec<Override> = settings.iter().filter_map(|s| s.parse().ok()).collect();
    let mut changed = doc.clone();
    overrides::apply(&mut changed, &parsed, origin).ok()?;
    match toml::from_str::<raw::RawScenario>(&changed.to_string()) {
        Err(e) => Some(vec![e.message().trim().to_string()]),
        Ok(mut raw) => {
            raw.lever.clear();
            validate::validate(raw, origin, sha256)
                .err()
                .map(|found| found.into_iter().map(|p| p.problem.reason).collect())
        }
    }
}

/// Every lever of the file at each end of its range (with its complement), validated: a lever
/// whose range reaches values the scenario refuses would have the page refuse those moves, so
/// `check` refuses the lever instead, naming its `min` or `max`.
fn lever_end_problems(
    doc: &toml_edit::DocumentMut,
    levers: &[lever::Lever],
    origin: &str,
    sha256: &str,
    here: &locate::Locator,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (i, l) in levers.iter().enumerate() {
        if l.position.is_none() {
            continue;
        }
        for (end, x) in [("min", l.min), ("max", l.max)] {
            let text = if l.whole {
                format!("{}", x.round() as i64)
            } else {
                format!("{x:?}")
            };
            let Some(settings) = l.settings(&text) else {
                continue;
            };
            let Some(reasons) = refused_with(doc, &settings, origin, sha256) else {
                continue;
            };
            let path = KeyPath::root("lever").index(i).key(end);
            problems.push(Problem {
                key: path.to_string(),
                position: here.locate(&path),
                reason: format!(
                    "the lever's {end}, {}, sets {}, which the scenario refuses: {}; give a {end} the file accepts",
                    error::num(x),
                    settings.join(" and "),
                    reasons.join("; ")
                ),
                from_override: None,
            });
        }
    }
    problems
}

/// The override that last changed the value at `path` (or a value inside it, or the table
/// around it), if one did; `true` when the problem lies in the value the override wrote.
fn culprit<'a>(
    texts: &[locate::Locator],
    overrides: &'a [Override],
    path: &KeyPath,
) -> Option<(&'a str, bool)> {
    let segs: Vec<String> = path
        .0
        .iter()
        .map(|s| match s {
            error::Seg::Key(k) => k.clone(),
            error::Seg::Index(i) => i.to_string(),
        })
        .collect();
    let is_index = |i: usize| matches!(path.0.get(i), Some(error::Seg::Index(_)));
    let related = |o: &Override| {
        // An array entry may be addressed by name in the override: any name matches its index.
        let same =
            |i: usize| o.path[i] == segs[i] || is_index(i) && o.path[i].parse::<usize>().is_err();
        let n = o.path.len().min(segs.len());
        (0..n).all(same).then_some(o.path.len() <= segs.len())
    };
    (1..texts.len()).rev().find_map(|k| {
        let o = &overrides[k - 1];
        let below = related(o)?;
        let changed = texts[k].value_text(path) != texts[k - 1].value_text(path);
        changed.then_some((o.arg.as_str(), below))
    })
}

/// The key that starts at byte `offset`: a bare key or a quoted one.
fn key_text(text: &str, offset: usize) -> String {
    let rest = &text[offset.min(text.len())..];
    if let Some(quoted) = rest.strip_prefix('"') {
        return quoted.split('"').next().unwrap_or("").to_string();
    }
    rest.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
        .collect()
}

/// The dotted key written at byte `offset` of a line (for type errors, which toml reports by
/// span only): the text before `=` on that line, or the table header.
fn key_at(text: &str, offset: usize) -> String {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    match line.split_once('=') {
        Some((k, _)) => k.trim().to_string(),
        None => line.trim().trim_matches(['[', ']']).to_string(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The JSON Schema (draft 2020-12) of the scenario file as written, from the raw serde
/// structures: keys, types, required keys, descriptions and the range of each number
/// ([`bounds`]); everything else about values is checked by [`Scenario::load`]. TOML has no
/// null, so an optional key is simply absent.
pub fn schema() -> schemars::Schema {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<raw::RawScenario>();
    schema.insert("title".into(), "clearsim scenario".into());
    if let Some(map) = schema.as_object_mut() {
        let mut value = serde_json::Value::Object(std::mem::take(map));
        drop_null(&mut value);
        allow_ranges(&mut value);
        if let serde_json::Value::Object(m) = value {
            *map = m;
        }
    }
    schema
}

/// Lets every number of the format be given with a plausible range instead
/// (`{ value, low, high, shape, source }`, see [`uncertain`]), each of the three numbers held
/// to the number's own type and range.
fn allow_ranges(v: &mut serde_json::Value) {
    use serde_json::{Value, json};
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                for prop in props.values_mut() {
                    let numeric = matches!(
                        prop.get("type").and_then(Value::as_str),
                        Some("number" | "integer")
                    );
                    if !numeric {
                        allow_ranges(prop);
                        continue;
                    }
                    let Value::Object(mut plain) = prop.take() else {
                        continue;
                    };
                    let description = plain.remove("description");
                    let default = plain.remove("default");
                    let number = Value::Object(plain);
                    let mut wrapped = serde_json::Map::new();
                    if let Some(d) = description {
                        wrapped.insert("description".into(), d);
                    }
                    if let Some(d) = default {
                        wrapped.insert("default".into(), d);
                    }
                    wrapped.insert(
                        "anyOf".into(),
                        json!([
                            number,
                            {
                                "description": "The value with its plausible range (clearsim sensitivity, --uncertainty).",
                                "type": "object",
                                "properties": {
                                    "value": number,
                                    "low": number,
                                    "high": number,
                                    "shape": { "enum": ["triangular", "uniform"] },
                                    "source": { "type": "string" }
                                },
                                "required": ["value", "low", "high"],
                                "additionalProperties": false
                            }
                        ]),
                    );
                    *prop = Value::Object(wrapped);
                }
            }
            // A lever's bounds are plain numbers (scenario::lever refuses ranges there).
            map.iter_mut()
                .filter(|(k, _)| k.as_str() != "properties" && k.as_str() != "RawLever")
                .for_each(|(_, x)| allow_ranges(x));
        }
        Value::Array(items) => items.iter_mut().for_each(allow_ranges),
        _ => {}
    }
}

/// Removes the `null` that serde's `Option` adds to a type: TOML has no null, a key is absent.
fn drop_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                any.retain(|s| s.get("type").and_then(Value::as_str) != Some("null"));
                if any.len() == 1 {
                    let only = any.remove(0);
                    map.remove("anyOf");
                    if let Value::Object(o) = only {
                        for (k, x) in o {
                            map.entry(k).or_insert(x);
                        }
                    }
                }
            }
            map.values_mut().for_each(drop_null);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null),
        _ => {}
    }
}

/// [`schema`] as pretty-printed JSON with a final newline: what `clearsim schema` prints and
/// docs/scenario.schema.json holds.
pub fn schema_json() -> String {
    let mut s = serde_json::to_string_pretty(&schema())
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
