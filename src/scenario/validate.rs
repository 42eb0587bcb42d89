//! Turns a [`RawScenario`] into a [`Scenario`]: every rule of the format, every problem
//! collected (not only the first), each tied to the key path it concerns.

use std::collections::HashMap;

use super::bounds::{
    MAX_ARRIVALS, MAX_BATCH, MAX_DAY, MAX_DEMAND_MULTIPLIER, MAX_DEPARTURE_CAPACITY,
    MAX_DEPARTURES, MAX_HOURS, MAX_PERIOD_H, MAX_QUEUE_CAPACITY, MAX_REPLICATIONS, MAX_SERVERS,
};
use super::error::{KeyPath, Problem, nearest, num};
use super::network::Node;
use super::parcel::ParcelWorld;
use super::raw::{RawCalendar, RawRoute, RawScenario, RawStage};
use super::{Routing, RunSettings, Scenario, Source, Stage, StageKind, StageLoad, Target};
use crate::engine::schedule::WEEKDAYS;
use crate::engine::{CapacitySchedule, Discipline, Dist, DistSpec, ScheduleError, Shift};

/// A problem and the key path to locate in the file.
pub(super) struct Found {
    pub problem: Problem,
    pub key_path: Option<KeyPath>,
}

/// Collects problems while validating.
#[derive(Default)]
struct Checker {
    found: Vec<Found>,
}

impl Checker {
    fn fail(&mut self, path: &KeyPath, reason: impl Into<String>) {
        self.found.push(Found {
            problem: Problem {
                key: path.to_string(),
                position: None,
                reason: reason.into(),
                from_override: None,
            },
            key_path: Some(path.clone()),
        });
    }

    fn dist(&mut self, path: &KeyPath, spec: &DistSpec) -> Option<Dist> {
        match Dist::from_spec(spec) {
            Ok(d) => Some(d),
            Err(e) => {
                let p = path.join(&e.key);
                self.fail(&p, e.reason);
                None
            }
        }
    }

    /// A distribution of a duration: it must never draw a negative time.
    fn duration(&mut self, path: &KeyPath, spec: &DistSpec) -> Option<Dist> {
        let d = self.dist(path, spec)?;
        if !d.is_nonnegative() {
            self.fail(
                path,
                "a duration cannot be negative; use a distribution whose values are ≥ 0",
            );
            return None;
        }
        let mean = d.mean();
        if !(mean.is_finite() && mean <= MAX_HOURS) {
            self.fail(
                path,
                format!(
                    "the mean of this distribution is {}; it must be a finite number of at most {} (100 years in hours)",
                    num(mean),
                    num(MAX_HOURS)
                ),
            );
            return None;
        }
        Some(d)
    }

    /// A number of hours ≥ 0 (or > 0) and at most `max`.
    fn hours(&mut self, path: &KeyPath, v: f64, allow_zero: bool, max: f64) -> Option<f64> {
        let ok = v.is_finite() && (v > 0.0 || allow_zero && v == 0.0) && v <= max;
        if !ok {
            let bound = if allow_zero { "from 0" } else { "above 0" };
            self.fail(
                path,
                format!(
                    "must be a number of hours {bound} to {} ({}), got {}",
                    num(max),
                    if max == MAX_HOURS {
                        "100 years"
                    } else {
                        "a year"
                    },
                    num(v)
                ),
            );
            return None;
        }
        Some(v)
    }

    fn count(&mut self, path: &KeyPath, v: i64, min: i64, max: i64) -> Option<i64> {
        if v < min || v > max {
            self.fail(
                path,
                format!("must be a whole number from {min} to {max}, got {v}"),
            );
            return None;
        }
        Some(v)
    }
}

impl super::parcel::Check for Checker {
    fn fail(&mut self, path: &KeyPath, reason: String) {
        Checker::fail(self, path, reason);
    }

    fn dist(&mut self, path: &KeyPath, spec: &DistSpec) -> Option<Dist> {
        Checker::dist(self, path, spec)
    }

    fn duration(&mut self, path: &KeyPath, spec: &DistSpec) -> Option<Dist> {
        Checker::duration(self, path, spec)
    }

    fn schedule(
        &mut self,
        path: &KeyPath,
        servers: Option<i64>,
        cal: Option<&RawCalendar>,
    ) -> Option<CapacitySchedule> {
        match (cal, servers) {
            (Some(_), Some(_)) => {
                Checker::fail(
                    self,
                    &path.key("servers"),
                    "give either `servers` (constant) or `calendar` (by shift), not both",
                );
                None
            }
            (None, None) => {
                Checker::fail(
                    self,
                    &path.key("servers"),
                    "needs `servers` (a whole number ≥ 1) or a `calendar` of shifts",
                );
                None
            }
            (None, Some(n)) => self
                .count(&path.key("servers"), n, 1, MAX_SERVERS)
                .map(|n| CapacitySchedule::constant(n as u32)),
            (Some(cal), None) => calendar(self, &path.key("calendar"), cal),
        }
    }
}

const KINDS: &str = "queue, delay, batch, departures";

/// Keys that belong to each stage kind, for "this key does not apply" messages.
fn kind_keys(stage: &RawStage) -> [(&'static str, bool); 12] {
    [
        ("servers", stage.servers.is_some()),
        ("calendar", stage.calendar.is_some()),
        ("discipline", stage.discipline.is_some()),
        ("queue_capacity", stage.queue_capacity.is_some()),
        ("service_h", stage.service_h.is_some()),
        ("delay_h", stage.delay_h.is_some()),
        ("batch_size", stage.batch_size.is_some()),
        ("batch_timeout_h", stage.batch_timeout_h.is_some()),
        ("departures_h", stage.departures_h.is_some()),
        ("capacity", stage.capacity.is_some()),
        ("cutoff_h", stage.cutoff_h.is_some()),
        ("transit_h", stage.transit_h.is_some()),
    ]
}

fn allowed_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "queue" => &[
            "servers",
            "calendar",
            "discipline",
            "queue_capacity",
            "service_h",
        ],
        "delay" => &["delay_h"],
        "batch" => &["batch_size", "batch_timeout_h"],
        "departures" => &[
            "departures_h",
            "period_h",
            "capacity",
            "cutoff_h",
            "transit_h",
        ],
        _ => &[],
    }
}

pub(super) fn validate(
    raw: RawScenario,
    origin: &str,
    sha256: &str,
) -> Result<Scenario, Vec<Found>> {
    let mut c = Checker::default();
    let run = validate_run(&mut c, &raw);

    // Names first, so routes can point forwards.
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, s) in raw.stage.iter().enumerate() {
        let path = KeyPath::root("stage").index(i).key("name");
        if s.name.trim().is_empty() || s.name == "exit" {
            c.fail(&path, "a stage needs a non-empty name other than `exit` (which means leaving the network)");
        } else if index.insert(s.name.as_str(), i).is_some() {
            c.fail(
                &path,
                format!(
                    "stage name `{}` is used twice; names must be unique",
                    s.name
                ),
            );
        }
    }
    let names: Vec<&str> = raw.stage.iter().map(|s| s.name.as_str()).collect();
    let target = |c: &mut Checker, path: &KeyPath, to: &str| -> Option<Target> {
        if to == "exit" {
            return Some(Target::Exit);
        }
        match index.get(to) {
            Some(&i) => Some(Target::Stage(i)),
            None => {
                let hint = nearest(to, names.iter().copied().chain(["exit"]))
                    .map(|n| format!("did you mean `{n}`? "))
                    .unwrap_or_default();
                c.fail(
                    path,
                    format!(
                        "no stage named `{to}`; {hint}the stages are: {}; or `exit` to leave the network",
                        names.join(", ")
                    ),
                );
                None
            }
        }
    };

    let is_world = !raw.platform.is_empty();
    // The network form names its stations `hub[i].sort`, `gateway[i].import.xray`, `lane[i]`.
    let network = matches!(raw.hub, Some(super::network_raw::RawHubs::Many(_)))
        || !raw.lane.is_empty()
        || !raw.gateway.is_empty();
    if is_world && !(raw.source.is_empty() && raw.stage.is_empty()) {
        c.fail(&KeyPath::root("source"), "a scenario is either a parcel world ([[platform]], [import], …) or a plain network ([[source]], [[stage]]), not both");
    }
    if !is_world && raw.source.is_empty() {
        c.fail(&KeyPath::root("source"), "a scenario needs at least one [[source]] of arrivals (plain network) or [[platform]] (parcel world)");
    }
    if is_world && raw.run.arrivals.is_some() {
        c.fail(
            &KeyPath::root("run").key("arrivals"),
            "a parcel world stops at `run.horizon_h`; `arrivals` applies to plain networks only",
        );
    }
    if is_world && raw.run.horizon_h.is_none() {
        c.fail(&KeyPath::root("run").key("horizon_h"), "a parcel world runs for a horizon: set `run.horizon_h` (hours; platforms keep ordering until then)");
    }
    let world = if is_world {
        super::parcel::validate(
            &mut c,
            super::parcel::RawWorld {
                platforms: &raw.platform,
                first_mile: raw.first_mile.as_ref(),
                hub: raw.hub.as_ref(),
                export: raw.export.as_ref(),
                linehaul: raw.linehaul.as_ref(),
                import: raw.import.as_ref(),
                regime: raw.regime.as_ref(),
                rules: raw.rules.as_ref(),
                last_mile: raw.last_mile.as_ref(),
                costs: raw.costs.as_ref(),
                exchange: raw.exchange.as_ref(),
                lanes: &raw.lane,
                gateways: &raw.gateway,
                routes: &raw.route,
            },
        )
    } else {
        let parcel_sections = [
            ("first_mile", raw.first_mile.is_some()),
            ("hub", raw.hub.is_some()),
            ("export", raw.export.is_some()),
            ("linehaul", raw.linehaul.is_some()),
            ("import", raw.import.is_some()),
            ("regime", raw.regime.is_some()),
            ("rules", raw.rules.is_some()),
            ("last_mile", raw.last_mile.is_some()),
            ("costs", raw.costs.is_some()),
            ("exchange", raw.exchange.is_some()),
            ("lane", !raw.lane.is_empty()),
            ("gateway", !raw.gateway.is_empty()),
            ("route", !raw.route.is_empty()),
        ];
        for (key, present) in parcel_sections {
            if present {
                c.fail(
                    &KeyPath::root(key),
                    format!(
                        "[{key}] belongs to a parcel world, which needs at least one [[platform]]"
                    ),
                );
            }
        }
        None
    };
    let mut sources = Vec::new();
    let mut source_names = HashMap::new();
    for (i, s) in raw.source.iter().enumerate() {
        let path = KeyPath::root("source").index(i);
        if source_names.insert(s.name.as_str(), i).is_some() {
            c.fail(
                &path.key("name"),
                format!(
                    "source name `{}` is used twice; names must be unique",
                    s.name
                ),
            );
        }
        let interarrival = c.duration(&path.key("interarrival_h"), &s.interarrival_h);
        if let Some(d) = &interarrival
            && d.mean() <= 0.0
        {
            c.fail(
                &path.key("interarrival_h"),
                "the mean time between arrivals must be > 0",
            );
        }
        let to = target(&mut c, &path.key("to"), &s.to);
        let priority = c.count(&path.key("priority"), s.priority.unwrap_or(0), 0, 255);
        if let (Some(interarrival), Some(target), Some(priority)) = (interarrival, to, priority) {
            sources.push(Source {
                name: s.name.clone(),
                interarrival,
                target,
                priority: priority as u8,
            });
        }
    }

    let mut stages = Vec::new();
    for (i, s) in raw.stage.iter().enumerate() {
        let path = KeyPath::root("stage").index(i);
        let kind_name = s.kind.as_deref().unwrap_or("queue");
        let allowed = allowed_keys(kind_name);
        if allowed.is_empty() {
            c.fail(
                &path.key("kind"),
                format!("unknown stage kind `{kind_name}`; allowed: {KINDS}"),
            );
            continue;
        }
        for (key, present) in kind_keys(s) {
            if present && !allowed.contains(&key) {
                c.fail(
                    &path.key(key),
                    format!(
                        "`{key}` does not apply to a {kind_name} stage; it takes: {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
        let kind = match kind_name {
            "queue" => queue_kind(&mut c, &path, s),
            "delay" => match &s.delay_h {
                Some(spec) => c
                    .duration(&path.key("delay_h"), spec)
                    .map(|delay| StageKind::Delay { delay }),
                None => {
                    c.fail(
                        &path.key("delay_h"),
                        "a delay stage needs `delay_h`, a distribution of the time spent [h]",
                    );
                    None
                }
            },
            "batch" => batch_kind(&mut c, &path, s),
            _ => departures_kind(&mut c, &path, s),
        };
        let routing = routing(&mut c, &path, s.to.as_deref(), s.routes.as_deref(), &target);
        if let (Some(kind), Some(routing)) = (kind, routing) {
            stages.push(Stage {
                name: s.name.clone(),
                kind,
                routing,
            });
        }
    }

    if !c.found.is_empty() {
        return Err(c.found);
    }
    let run = run.expect("run settings are valid when no problem was found");
    let mut world = world;
    if let Some(w) = &mut world {
        for p in &mut w.platforms {
            p.parcels_per_day *= run.demand_multiplier;
        }
    }
    let scenario = Scenario {
        name: raw.name.clone().unwrap_or_else(|| default_name(origin)),
        origin: origin.to_string(),
        sha256: sha256.to_string(),
        run,
        sources,
        stages,
        world,
        uncertain: Vec::new(),
        levers: Vec::new(),
    };
    check_loads(&mut c, &scenario, network);
    if c.found.is_empty() {
        Ok(scenario)
    } else {
        Err(c.found)
    }
}

fn default_name(origin: &str) -> String {
    std::path::Path::new(origin).file_stem().map_or_else(
        || "scenario".to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

fn validate_run(c: &mut Checker, raw: &RawScenario) -> Option<RunSettings> {
    let path = KeyPath::root("run");
    let r = &raw.run;
    let before = c.found.len();
    let seed = r.seed.unwrap_or(1);
    if seed < 0 {
        c.fail(
            &path.key("seed"),
            format!("must be a whole number ≥ 0, got {seed}"),
        );
    }
    let replications = c.count(
        &path.key("replications"),
        r.replications.unwrap_or(10),
        1,
        MAX_REPLICATIONS,
    );
    let horizon_h = r
        .horizon_h
        .and_then(|h| c.hours(&path.key("horizon_h"), h, false, MAX_HOURS));
    let arrivals = r
        .arrivals
        .and_then(|n| c.count(&path.key("arrivals"), n, 1, MAX_ARRIVALS));
    if r.horizon_h.is_none() && r.arrivals.is_none() {
        c.fail(&path, "say when a replication stops: `horizon_h` (hours of simulated time) and/or `arrivals` (entities created)");
    }
    let warmup_h = c
        .hours(
            &path.key("warmup_h"),
            r.warmup_h.unwrap_or(0.0),
            true,
            MAX_HOURS,
        )
        .unwrap_or(0.0);
    if let Some(h) = horizon_h
        && warmup_h >= h
    {
        c.fail(
            &path.key("warmup_h"),
            format!(
                "the warm-up ({} h) must end before the horizon ({} h)",
                num(warmup_h),
                num(h)
            ),
        );
    }
    let demand_multiplier = r.demand_multiplier.unwrap_or(1.0);
    if !(demand_multiplier.is_finite()
        && demand_multiplier > 0.0
        && demand_multiplier <= MAX_DEMAND_MULTIPLIER)
    {
        c.fail(
            &path.key("demand_multiplier"),
            format!(
                "must be a number > 0 and at most {} (1 = demand as written), got {}",
                num(MAX_DEMAND_MULTIPLIER),
                num(demand_multiplier)
            ),
        );
    }
    if c.found.len() > before {
        return None;
    }
    Some(RunSettings {
        demand_multiplier,
        seed: seed as u64,
        replications: replications? as u32,
        horizon_h,
        arrivals: arrivals.map(|n| n as u64),
        warmup_h,
    })
}

fn queue_kind(c: &mut Checker, path: &KeyPath, s: &RawStage) -> Option<StageKind> {
    let schedule = match (&s.calendar, s.servers) {
        (Some(_), Some(_)) => {
            c.fail(
                &path.key("servers"),
                "give either `servers` (constant) or `calendar` (by shift), not both",
            );
            None
        }
        (None, None) => {
            c.fail(
                &path.key("servers"),
                "a queue stage needs `servers` (a whole number ≥ 1) or a `calendar` of shifts",
            );
            None
        }
        (None, Some(n)) => c
            .count(&path.key("servers"), n, 1, MAX_SERVERS)
            .map(|n| CapacitySchedule::constant(n as u32)),
        (Some(cal), None) => calendar(c, &path.key("calendar"), cal),
    };
    let discipline = match s.discipline.as_deref().unwrap_or("fifo") {
        "fifo" => Some(Discipline::Fifo),
        "priority" => Some(Discipline::Priority),
        other => {
            c.fail(
                &path.key("discipline"),
                format!("unknown discipline `{other}`; allowed: fifo, priority"),
            );
            None
        }
    };
    let queue_limit = match s.queue_capacity {
        Some(k) => Some(Some(
            c.count(&path.key("queue_capacity"), k, 0, MAX_QUEUE_CAPACITY)? as u32,
        )),
        None => Some(None),
    };
    let service = match &s.service_h {
        Some(spec) => c.duration(&path.key("service_h"), spec),
        None => {
            c.fail(
                &path.key("service_h"),
                "a queue stage needs `service_h`, a distribution of the service time [h]",
            );
            None
        }
    };
    Some(StageKind::Queue {
        schedule: schedule?,
        discipline: discipline?,
        queue_limit: queue_limit?,
        service: service?,
    })
}

fn calendar(c: &mut Checker, path: &KeyPath, cal: &RawCalendar) -> Option<CapacitySchedule> {
    let before = c.found.len();
    let limit = MAX_SERVERS;
    let default = c.count(
        &path.key("default_servers"),
        cal.default_servers.unwrap_or(0),
        0,
        limit,
    );
    let holiday = c.count(
        &path.key("holiday_servers"),
        cal.holiday_servers.unwrap_or(0),
        0,
        limit,
    );
    let mut holidays = Vec::new();
    for (i, &d) in cal.holidays.iter().enumerate() {
        if let Some(d) = c.count(&path.key("holidays").index(i), d, 0, MAX_DAY) {
            holidays.push(d as u32);
        }
    }
    let mut shifts = Vec::new();
    for (i, sh) in cal.shift.iter().enumerate() {
        let p = path.key("shift").index(i);
        let days = parse_days(&sh.days);
        if days.is_none() {
            c.fail(&p.key("days"), format!("cannot read days `{}`; write a range like \"mon-fri\", a list like \"sat,sun\", or \"daily\"", sh.days));
        }
        let servers = c.count(&p.key("servers"), sh.servers, 0, limit);
        for (key, v) in [("from_h", sh.from_h), ("to_h", sh.to_h)] {
            if !v.is_finite() {
                c.fail(
                    &p.key(key),
                    format!("must be a clock hour from 0 to 24, got {}", num(v)),
                );
            }
        }
        if let (Some(days), Some(servers)) = (days, servers) {
            shifts.push(Shift {
                days,
                from_h: sh.from_h,
                to_h: sh.to_h,
                servers: servers as u32,
            });
        }
    }
    if c.found.len() > before {
        return None;
    }
    let any_capacity = default.unwrap_or(0) > 0 || shifts.iter().any(|s| s.servers > 0);
    if !any_capacity {
        c.fail(
            path,
            "the calendar never has a server on duty; work would never be done",
        );
        return None;
    }
    match CapacitySchedule::weekly(default? as u32, &shifts, holidays, holiday? as u32) {
        Ok(s) => Some(s),
        Err(e) => {
            let at = match &e {
                ScheduleError::BadHour { index, key, .. } => {
                    path.key("shift").index(*index).key(key)
                }
                ScheduleError::Empty { index, .. } => path.key("shift").index(*index),
                ScheduleError::Overlap { second, .. } => path.key("shift").index(*second),
            };
            c.fail(&at, e.to_string());
            None
        }
    }
}

/// Weekdays from "mon-fri", "sat,sun", "daily", "weekdays", "weekends" (case-insensitive).
fn parse_days(text: &str) -> Option<[bool; 7]> {
    let text = text.trim().to_ascii_lowercase();
    let day = |d: &str| WEEKDAYS.iter().position(|w| *w == d.trim());
    let mut days = [false; 7];
    match text.as_str() {
        "daily" | "all" => return Some([true; 7]),
        "weekdays" => return Some([true, true, true, true, true, false, false]),
        "weekends" => return Some([false, false, false, false, false, true, true]),
        _ => {}
    }
    for part in text.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut d = a;
                loop {
                    days[d] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day(part)?] = true,
        }
    }
    Some(days)
}

fn batch_kind(c: &mut Checker, path: &KeyPath, s: &RawStage) -> Option<StageKind> {
    let size = match s.batch_size {
        Some(n) => c.count(&path.key("batch_size"), n, 1, MAX_BATCH),
        None => {
            c.fail(
                &path.key("batch_size"),
                "a batch stage needs `batch_size`, the items per batch (≥ 1)",
            );
            None
        }
    };
    let timeout_h = match s.batch_timeout_h {
        Some(t) => Some(Some(c.hours(
            &path.key("batch_timeout_h"),
            t,
            false,
            MAX_HOURS,
        )?)),
        None => Some(None),
    };
    Some(StageKind::Batch {
        size: size? as u32,
        timeout_h: timeout_h?,
    })
}

fn departures_kind(c: &mut Checker, path: &KeyPath, s: &RawStage) -> Option<StageKind> {
    let before = c.found.len();
    let period_h = c.hours(
        &path.key("period_h"),
        s.period_h.unwrap_or(24.0),
        false,
        MAX_PERIOD_H,
    );
    let mut offsets = Vec::new();
    match s.departures_h.as_deref() {
        None | Some([]) => {
            c.fail(&path.key("departures_h"), "a departures stage needs `departures_h`, a non-empty list of departure times within the period [h]");
        }
        Some(list) if list.len() > MAX_DEPARTURES => {
            c.fail(
                &path.key("departures_h"),
                format!(
                    "lists {} departures; a period may have at most {MAX_DEPARTURES}",
                    list.len()
                ),
            );
        }
        Some(list) => {
            for (i, &t) in list.iter().enumerate() {
                let p = path.key("departures_h").index(i);
                match period_h {
                    Some(period) if t.is_finite() && (0.0..period).contains(&t) => offsets.push(t),
                    Some(period) => c.fail(&p, format!("a departure time must be within the period, from 0 to below {} h, got {}", num(period), num(t))),
                    None => {}
                }
            }
        }
    }
    let capacity = match s.capacity {
        Some(n) => c.count(&path.key("capacity"), n, 1, MAX_DEPARTURE_CAPACITY),
        None => {
            c.fail(
                &path.key("capacity"),
                "a departures stage needs `capacity`, the entities one departure carries (≥ 1)",
            );
            None
        }
    };
    let cutoff_h = c.hours(
        &path.key("cutoff_h"),
        s.cutoff_h.unwrap_or(0.0),
        true,
        MAX_PERIOD_H,
    );
    let transit = match &s.transit_h {
        Some(spec) => c.duration(&path.key("transit_h"), spec),
        None => Some(Dist::deterministic(0.0)),
    };
    if c.found.len() > before {
        return None;
    }
    Some(StageKind::Departures {
        period_h: period_h?,
        offsets,
        capacity: capacity? as u32,
        cutoff_h: cutoff_h?,
        transit: transit?,
    })
}

fn routing(
    c: &mut Checker,
    path: &KeyPath,
    to: Option<&str>,
    routes: Option<&[RawRoute]>,
    target: &dyn Fn(&mut Checker, &KeyPath, &str) -> Option<Target>,
) -> Option<Routing> {
    match (to, routes) {
        (Some(_), Some(_)) => {
            c.fail(
                &path.key("routes"),
                "give either `to` (one next stage) or `routes` (shares), not both",
            );
            None
        }
        (to, None) => Some(Routing::single(target(
            c,
            &path.key("to"),
            to.unwrap_or("exit"),
        )?)),
        (None, Some(routes)) => {
            if routes.is_empty() {
                c.fail(
                    &path.key("routes"),
                    "`routes` is empty; list at least one { to = \"stage\", p = 1.0 }",
                );
                return None;
            }
            let mut choices = Vec::new();
            let mut cum = 0.0;
            let before = c.found.len();
            for (i, r) in routes.iter().enumerate() {
                let p = path.key("routes").index(i);
                if !(r.p.is_finite() && (0.0..=1.0).contains(&r.p)) {
                    c.fail(
                        &p.key("p"),
                        format!("a probability must be from 0 to 1, got {}", num(r.p)),
                    );
                }
                if let Some(t) = target(c, &p.key("to"), &r.to) {
                    cum += r.p;
                    choices.push((t, cum));
                }
            }
            if c.found.len() > before {
                return None;
            }
            if (cum - 1.0).abs() > 1e-9 {
                c.fail(
                    &path.key("routes"),
                    format!(
                        "route probabilities must sum to 1, they sum to {}",
                        num(cum)
                    ),
                );
                return None;
            }
            if let Some(last) = choices.last_mut() {
                last.1 = 1.0;
            }
            Some(Routing { choices })
        }
    }
}

/// Arrival rates from the traffic equations and the resulting offered loads.
pub(super) fn offered_loads(
    sources: &[Source],
    stages: &[Stage],
    demand_multiplier: f64,
) -> Vec<StageLoad> {
    let n = stages.len();
    let mut external = vec![0.0; n];
    for s in sources {
        if let Target::Stage(i) = s.target {
            external[i] += demand_multiplier / s.interarrival.mean();
        }
    }
    // Each stage's routes to stages, one probability per target (as `Routing::probability`
    // sums them): the iteration below then costs the routes, not stages², per step, so a chain
    // of thousands of stages is checked at once.
    let routes: Vec<Vec<(usize, f64)>> = stages
        .iter()
        .map(|st| {
            let mut out: Vec<(usize, f64)> = Vec::new();
            for &(t, _) in &st.routing.choices {
                if let Target::Stage(i) = t
                    && !out.iter().any(|&(k, _)| k == i)
                {
                    out.push((i, st.routing.probability(t)));
                }
            }
            out
        })
        .collect();
    // Fixed-point iteration λ = a + λ P; converges for an open network (every entity leaves).
    let mut rate = external.clone();
    for _ in 0..10_000 {
        let mut next = external.clone();
        for (j, out_routes) in routes.iter().enumerate() {
            // Every stage passes on as many entities as it receives.
            let out = rate[j];
            for &(i, p) in out_routes {
                next[i] += out * p;
            }
        }
        let change = next
            .iter()
            .zip(&rate)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        rate = next;
        if change <= 1e-12 * rate.iter().fold(1.0, |m: f64, r| m.max(*r)) {
            break;
        }
    }
    stages
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let lambda = rate[i];
            let load = match &st.kind {
                StageKind::Queue {
                    schedule,
                    queue_limit: None,
                    service,
                    ..
                } => Some(lambda * service.mean() / schedule.mean_servers()),
                StageKind::Departures {
                    period_h,
                    offsets,
                    capacity,
                    ..
                } => Some(lambda * period_h / (offsets.len() as f64 * *capacity as f64)),
                _ => None,
            };
            StageLoad {
                stage: i,
                arrival_rate_per_h: lambda,
                load,
            }
        })
        .collect()
}

/// The key of the resource an offered load is named for ([`ParcelWorld::qualified`] names
/// stations, lanes go by their name): `hub.sort`, `import.xray` and `linehaul` in a one-chain
/// file, `hub[i].sort`, `gateway[i].import.xray` and `lane[i]` in a network.
fn load_key(world: &ParcelWorld, network: bool, name: &str) -> KeyPath {
    for h in 0..world.hubs.len() {
        if world.qualified(Node::Hub(h), "sort") == name {
            return if network {
                KeyPath::root("hub").index(h).key("sort")
            } else {
                KeyPath::root("hub").key("sort")
            };
        }
    }
    for g in 0..world.gateways.len() {
        for st in ["paper_desk", "doc_check", "xray", "physical"] {
            if world.qualified(Node::Gateway(g), st) == name {
                return if network {
                    KeyPath::root("gateway").index(g).key("import").key(st)
                } else {
                    KeyPath::root("import").key(st)
                };
            }
        }
    }
    match world.lanes.iter().position(|l| l.name == name) {
        Some(l) if network => KeyPath::root("lane").index(l),
        _ => KeyPath::root("linehaul"),
    }
}

/// Parcels a backlog may hold before a run is refused as one that would exhaust memory.
const MAX_BACKLOG: f64 = 20e6;

/// A run with no horizon must be stable at every stage, or it would never end; a run with a
/// horizon must not pile up more parcels than memory holds.
fn check_loads(c: &mut Checker, scenario: &Scenario, network: bool) {
    for cycle in super::cycles::zero_time_cycles(scenario) {
        c.fail(
            &KeyPath::root("stage").index(cycle[0]),
            super::cycles::describe(scenario, &cycle),
        );
    }
    if let Some(world) = &scenario.world {
        for l in world.offered_loads() {
            if l.load < 1.0 {
                continue;
            }
            let section = load_key(world, network, &l.name);
            match scenario.run.horizon_h {
                None => c.fail(&section, format!("offered load at `{}` is {:.3} ≥ 1: its backlog grows without bound and the run would never end; set `run.horizon_h`, add capacity, or lower demand", l.name, l.load)),
                Some(h) => {
                    let backlog = l.arrival_rate_per_h * (1.0 - 1.0 / l.load) * h;
                    if backlog > MAX_BACKLOG {
                        c.fail(&section, format!("offered load at `{}` is {:.3} ≥ 1: over {h} h about {backlog:.3e} parcels would pile up there, more than memory holds ({MAX_BACKLOG:.0e}); shorten `run.horizon_h`, add capacity, or lower demand", l.name, l.load));
                    }
                }
            }
        }
        return;
    }
    if scenario.run.horizon_h.is_some() {
        return;
    }
    // A run with no horizon ends when the network is empty: an entity that can reach a stage
    // from which no route leads out would keep it running for ever.
    if let Some(&first) = super::cycles::trapped(scenario).first() {
        c.fail(
            &KeyPath::root("stage").index(first),
            super::cycles::describe_trap(scenario, first),
        );
    }
    for l in scenario.offered_loads() {
        if let Some(rho) = l.load
            && (rho >= 1.0 || rho.is_nan())
        {
            let st = &scenario.stages[l.stage];
            let what = match st.kind {
                StageKind::Departures { .. } => "arrivals over departure capacity",
                _ => "λ·E[S]/c",
            };
            c.fail(
                &KeyPath::root("stage").index(l.stage),
                format!(
                    "offered load at stage `{}` is {rho:.3} ({what}, with λ = {:.4}/h) ≥ 1: its queue grows without bound and the run would never end; set `run.horizon_h`, add capacity, or lower demand",
                    st.name, l.arrival_rate_per_h
                ),
            );
        }
    }
}
