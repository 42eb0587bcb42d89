//! Validates the network of a parcel world: hubs, lanes, gateways, exchange rates, platforms'
//! hubs and markets, routing and returns, every name resolved to an index.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::bounds::{
    MAX_BATCH, MAX_CAPACITY_KG, MAX_CAPACITY_M3, MAX_DEPARTURE_CAPACITY, MAX_DEPARTURES,
    MAX_FX_RATE, MAX_HOURS, MAX_PARCEL_M3, MAX_PARCELS_PER_DAY, MAX_PERIOD_H,
};
use super::error::{KeyPath, nearest, num};
use super::network::{Capacity, Gateway, Hub, Lane, Node, ReturnPath, Returns, Routing};
use super::network_raw::{RawHubRoute, RawHubs, RawLane};
use super::parcel::{
    CURRENCIES, Check, CurrencyNote, ParcelWorld, Platform, RawWorld, VatCollection, amount,
    bounded, costs, cumulative, currency_note, import, last_mile, opt_duration, regime,
    round_the_clock, rules, station,
};
use crate::engine::Dist;

/// The network of a world before its platforms are resolved against it.
pub(super) struct Net {
    pub hubs: Vec<Hub>,
    pub lanes: Vec<Lane>,
    pub gateways: Vec<Gateway>,
    pub markets: Vec<String>,
    pub reporting_currency: String,
}

/// True if the file is written in the network form (`[[hub]]`, `[[lane]]` or `[[gateway]]`).
pub(super) fn is_network(w: &RawWorld<'_>) -> bool {
    matches!(w.hub, Some(RawHubs::Many(_))) || !w.lanes.is_empty() || !w.gateways.is_empty()
}

/// In a one-chain file, the keys of the network form are errors.
pub(super) fn refuse_network_keys(c: &mut dyn Check, w: &RawWorld<'_>) {
    if w.exchange.is_some() {
        c.fail(&KeyPath::root("exchange"), "[exchange] belongs to the network form ([[hub]], [[lane]], [[gateway]]); a one-chain file has one currency, regime.currency".into());
    }
    if !w.routes.is_empty() {
        c.fail(&KeyPath::root("route").index(0), "[[route]] belongs to the network form ([[hub]], [[lane]], [[gateway]]); a one-chain file has one lane, [linehaul]".into());
    }
}

/// "did you mean `x`? " or nothing.
fn hint<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, names)
        .map(|n| format!("did you mean `{n}`? "))
        .unwrap_or_default()
}

/// A list of names for a message: `a`, `b`, `c`.
fn listed<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// A name that must be non-empty and unique among `seen`.
fn unique<'a>(
    c: &mut dyn Check,
    path: &KeyPath,
    name: &'a str,
    what: &str,
    seen: &mut HashSet<&'a str>,
) {
    if name.trim().is_empty() {
        c.fail(path, format!("a {what} needs a non-empty name"));
    } else if !seen.insert(name) {
        c.fail(
            path,
            format!("{what} name `{name}` is used twice; names must be unique"),
        );
    }
}

/// The network form: `[[hub]]`, `[[lane]]`, `[[gateway]]` and `[exchange]`.
pub(super) fn network(c: &mut dyn Check, w: &RawWorld<'_>) -> (Option<Net>, CurrencyNote) {
    let form = "this file is a network ([[hub]], [[lane]], [[gateway]])";
    if w.linehaul.is_some() {
        c.fail(&KeyPath::root("linehaul"), format!("{form}: write the line-haul as a [[lane]] with from = a hub and to = a gateway, not [linehaul] (or use the one-chain form throughout)"));
    }
    if w.import.is_some() {
        c.fail(&KeyPath::root("import"), format!("{form}: write import customs as [gateway.import] under a [[gateway]], not [import] (or use the one-chain form throughout)"));
    }
    if w.regime.is_some() {
        c.fail(
            &KeyPath::root("regime"),
            format!("{form}: each gateway has its own regime, [gateway.regime], not [regime]"),
        );
    }
    if w.costs.is_some() {
        c.fail(&KeyPath::root("costs"), format!("{form}: each gateway has its own costs in its own currency, [gateway.costs], not [costs]"));
    }
    let raw_hubs = match w.hub {
        Some(RawHubs::Many(v)) => v.as_slice(),
        Some(RawHubs::One(_)) => {
            c.fail(&KeyPath::root("hub"), format!("{form}: write each origin hub as [[hub]] with a `name` (and [hub.sort] under it), not a single [hub]"));
            &[]
        }
        None => {
            c.fail(
                &KeyPath::root("hub"),
                format!("{form} and needs at least one [[hub]] with a `name`"),
            );
            &[]
        }
    };
    if w.gateways.is_empty() {
        c.fail(
            &KeyPath::root("gateway"),
            format!("{form} and needs at least one [[gateway]] with [gateway.import]"),
        );
    }
    let hubs = hubs(c, w, raw_hubs);

    // Gateways and their markets.
    let default_rules = rules(c, &KeyPath::root("rules"), w.rules);
    let default_last = last_mile(c, &KeyPath::root("last_mile"), w.last_mile);
    let mut seen = HashSet::new();
    let hub_names: HashSet<&str> = raw_hubs.iter().map(|h| h.name.as_str()).collect();
    let mut markets: Vec<String> = Vec::new();
    let mut gateways = Vec::new();
    for (i, g) in w.gateways.iter().enumerate() {
        let path = KeyPath::root("gateway").index(i);
        unique(c, &path.key("name"), &g.name, "gateway", &mut seen);
        if hub_names.contains(g.name.as_str()) {
            c.fail(&path.key("name"), format!("`{}` is already a hub's name; lanes name their ends, so hubs and gateways need different names", g.name));
        }
        let market = g.market.clone().unwrap_or_else(|| g.name.clone());
        let m = markets
            .iter()
            .position(|x| *x == market)
            .unwrap_or_else(|| {
                markets.push(market);
                markets.len() - 1
            });
        // The depot's time per parcel is derived here, 24 / `depot_per_day` hours, so it is
        // checked here: a rate so small that its time is past the longest duration (or
        // infinite) is refused by `check`, not found by the model.
        let min_depot = 24.0 / MAX_HOURS;
        let depot = match g.depot_per_day {
            Some(d) if d.is_finite() && d >= min_depot && d <= MAX_PARCELS_PER_DAY => Some(Some(d)),
            Some(d) => {
                c.fail(
                    &path.key("depot_per_day"),
                    format!(
                        "must be a number of parcels a day from {} (one parcel in {} h, the longest duration) to {}, got {}",
                        num(min_depot),
                        num(MAX_HOURS),
                        num(MAX_PARCELS_PER_DAY),
                        num(d)
                    ),
                );
                None
            }
            None => Some(None),
        };
        let imp = import(c, &path.key("import"), &g.import);
        let reg = regime(c, &path.key("regime"), g.regime.as_ref(), "this gateway's");
        let rules = match &g.rules {
            Some(r) => rules(c, &path.key("rules"), Some(r)),
            None => default_rules.clone(),
        };
        let (lm, blm) = match &g.last_mile {
            Some(l) => last_mile(c, &path.key("last_mile"), Some(l)),
            None => default_last.clone(),
        };
        let Some(reg) = reg else { continue };
        let cur = reg.currency.to_ascii_lowercase();
        let note = currency_note("this gateway's", &cur, &path.key("regime").key("currency"));
        let costs = costs(c, &path.key("costs"), g.costs.as_ref(), &cur, &note);
        if let (Some(mut imp), Some(lm), Some(blm), Some(depot)) = (imp, lm, blm, depot) {
            if rules.customs_24_7 {
                round_the_clock(&mut imp);
            }
            gateways.push(Gateway {
                name: g.name.clone(),
                market: m,
                import: imp,
                regime: reg,
                rules,
                costs,
                last_mile: lm,
                bonded_last_mile: blm,
                depot_per_day: depot,
                fx: 1.0,
            });
        }
    }

    // The reporting currency and the rates into it.
    let ex = w.exchange.cloned().unwrap_or_default();
    let ep = KeyPath::root("exchange");
    let reporting = match &ex.reporting_currency {
        Some(r) if CURRENCIES.contains(&r.to_ascii_lowercase().as_str()) => r.to_ascii_lowercase(),
        Some(r) => {
            c.fail(
                &ep.key("reporting_currency"),
                format!("must be one of EUR, USD, CNY, got \"{r}\""),
            );
            "eur".into()
        }
        None => gateways
            .first()
            .map_or("eur".into(), |g| g.regime.currency.to_ascii_lowercase()),
    };
    let mut rates = HashMap::new();
    for (k, &v) in &ex.rates {
        let p = ep.key("rates").key(k);
        let cur = k.to_ascii_lowercase();
        if !CURRENCIES.contains(&cur.as_str()) {
            c.fail(
                &p,
                format!("unknown currency `{k}`; the currencies are EUR, USD, CNY"),
            );
        } else if !(v.is_finite() && (1.0 / MAX_FX_RATE..=MAX_FX_RATE).contains(&v)) {
            c.fail(
                &p,
                format!(
                    "an exchange rate is the value of one {} in {}: a number from {} to {}, got {}",
                    k.to_uppercase(),
                    reporting.to_uppercase(),
                    num(1.0 / MAX_FX_RATE),
                    num(MAX_FX_RATE),
                    num(v)
                ),
            );
        } else if cur == reporting && (v - 1.0).abs() > 1e-12 {
            c.fail(
                &p,
                format!(
                    "{} is the reporting currency: its rate is 1, got {}",
                    k.to_uppercase(),
                    num(v)
                ),
            );
        } else {
            rates.insert(cur, v);
        }
    }
    for (i, g) in gateways.iter_mut().enumerate() {
        let cur = g.regime.currency.to_ascii_lowercase();
        if cur == reporting {
            continue;
        }
        match rates.get(&cur) {
            Some(&r) => g.fx = r,
            None => {
                // The gateway's index among those validated may differ from the file's: find it.
                let fi = w
                    .gateways
                    .iter()
                    .position(|x| x.name == g.name)
                    .unwrap_or(i);
                c.fail(
                    &KeyPath::root("gateway").index(fi).key("regime").key("currency"),
                    format!(
                        "gateway `{}` is in {} but the reporting currency is {}: give its rate in `[exchange] rates`, e.g. rates = {{ {} = 0.9 }} (the value of one {} in {})",
                        g.name,
                        cur.to_uppercase(),
                        reporting.to_uppercase(),
                        cur.to_uppercase(),
                        cur.to_uppercase(),
                        reporting.to_uppercase()
                    ),
                );
            }
        }
    }
    let note = currency_note("the reporting", &reporting, &ep.key("reporting_currency"));

    // Lanes.
    let gw_names: Vec<&str> = w.gateways.iter().map(|g| g.name.as_str()).collect();
    let hub_list: Vec<&str> = raw_hubs.iter().map(|h| h.name.as_str()).collect();
    let mut seen = HashSet::new();
    let mut lanes = Vec::new();
    for (i, l) in w.lanes.iter().enumerate() {
        let path = KeyPath::root("lane").index(i);
        unique(c, &path.key("name"), &l.name, "lane", &mut seen);
        if let Some(lane) = lane(c, &path, l, &hub_list, &gw_names, &reporting, &note) {
            lanes.push(lane);
        }
    }
    let ok = hubs.len() == raw_hubs.len()
        && gateways.len() == w.gateways.len()
        && lanes.len() == w.lanes.len()
        && !raw_hubs.is_empty()
        && !gateways.is_empty();
    let net = ok.then(|| Net {
        hubs,
        lanes,
        gateways,
        markets,
        reporting_currency: reporting.to_uppercase(),
    });
    (net, (reporting, note))
}

fn hubs(c: &mut dyn Check, w: &RawWorld<'_>, raw: &[super::network_raw::RawNetHub]) -> Vec<Hub> {
    let default_first = match w.first_mile {
        Some(f) => c.duration(&KeyPath::root("first_mile").key("delay_h"), &f.delay_h),
        None => Some(Dist::deterministic(0.0)),
    };
    let default_export = match w.export {
        Some(e) => c.duration(&KeyPath::root("export").key("clearance_h"), &e.clearance_h),
        None => Some(Dist::deterministic(0.0)),
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, h) in raw.iter().enumerate() {
        let path = KeyPath::root("hub").index(i);
        unique(c, &path.key("name"), &h.name, "hub", &mut seen);
        let first = match &h.first_mile_h {
            Some(s) => c.duration(&path.key("first_mile_h"), s),
            None => default_first.clone(),
        };
        let export = match &h.export_clearance_h {
            Some(s) => c.duration(&path.key("export_clearance_h"), s),
            None => default_export.clone(),
        };
        let sort = h.sort.as_ref().map(|s| station(c, &path.key("sort"), s));
        let mut ok = true;
        let bag_size = match (h.sort.is_some(), h.bag_size) {
            (true, Some(n)) if (1..=MAX_BATCH).contains(&n) => n as u32,
            (true, Some(n)) => {
                c.fail(
                    &path.key("bag_size"),
                    format!("must be a whole number from 1 to {MAX_BATCH}, got {n}"),
                );
                ok = false;
                1
            }
            (true, None) => {
                c.fail(&path.key("bag_size"), "a hub with a sort station bags parcels: give `bag_size`, the parcels per bag (1 to 100000)".into());
                ok = false;
                1
            }
            (false, Some(_)) => {
                c.fail(&path.key("bag_size"), "bags are made at the sort station: add [hub.sort] under this [[hub]], or drop `bag_size` (without a sort each parcel travels as a bag of its own)".into());
                ok = false;
                1
            }
            (false, None) => 1,
        };
        let timeout = match h.bag_timeout_h {
            Some(_) if h.sort.is_none() => {
                c.fail(&path.key("bag_timeout_h"), "bags are made at the sort station: add [hub.sort] under this [[hub]], or drop `bag_timeout_h`".into());
                ok = false;
                None
            }
            Some(t) if t.is_finite() && t > 0.0 && t <= MAX_HOURS => Some(t),
            Some(t) => {
                c.fail(
                    &path.key("bag_timeout_h"),
                    format!(
                        "must be a number of hours above 0 and at most {} (100 years), got {}",
                        num(MAX_HOURS),
                        num(t)
                    ),
                );
                ok = false;
                None
            }
            None => None,
        };
        let sort = match sort {
            Some(Some(s)) => Some(s),
            Some(None) => {
                ok = false;
                None
            }
            None => None,
        };
        if let (true, Some(first_mile), Some(export_clearance)) = (ok, first, export) {
            out.push(Hub {
                name: h.name.clone(),
                first_mile,
                sort,
                bag_size,
                bag_timeout_h: timeout,
                export_clearance,
            });
        }
    }
    out
}

/// An amount written with a currency suffix: only the reporting currency's key is allowed.
fn suffixed(
    c: &mut dyn Check,
    path: &KeyPath,
    base: &str,
    given: [Option<f64>; 3],
    currency: &str,
    note: &str,
) -> Option<f64> {
    let mut out = Some(0.0);
    for (cur, v) in CURRENCIES.iter().zip(given) {
        let Some(v) = v else { continue };
        let key = path.key(&format!("{base}_{cur}"));
        if *cur == currency {
            out = amount(c, &key, v);
        } else {
            c.fail(&key, format!("{note}; write `{base}_{currency}` — amounts in other currencies are not converted"));
            out = None;
        }
    }
    out
}

fn lane(
    c: &mut dyn Check,
    path: &KeyPath,
    l: &RawLane,
    hubs: &[&str],
    gateways: &[&str],
    currency: &str,
    note: &str,
) -> Option<Lane> {
    let mut ok = true;
    let hub_at = |n: &str| hubs.iter().position(|h| *h == n);
    let gw_at = |n: &str| gateways.iter().position(|g| *g == n);
    let (from, to) = match (hub_at(&l.from), gw_at(&l.from)) {
        (Some(h), _) => {
            // Outbound: hub → gateway.
            let to = match (gw_at(&l.to), hub_at(&l.to)) {
                (Some(g), _) => Some(Node::Gateway(g)),
                (None, Some(_)) => {
                    c.fail(
                        &path.key("to"),
                        format!(
                            "`{}` is a hub; a lane from hub `{}` must go to a gateway: {}",
                            l.to,
                            l.from,
                            listed(gateways.iter().copied())
                        ),
                    );
                    None
                }
                (None, None) => {
                    c.fail(
                        &path.key("to"),
                        format!(
                            "no gateway named `{}`; {}the gateways are: {}",
                            l.to,
                            hint(&l.to, gateways.iter().copied()),
                            listed(gateways.iter().copied())
                        ),
                    );
                    None
                }
            };
            (Some(Node::Hub(h)), to)
        }
        (None, Some(g)) => {
            // A return lane: gateway → hub.
            let to = match (hub_at(&l.to), gw_at(&l.to)) {
                (Some(h), _) => Some(Node::Hub(h)),
                (None, Some(_)) => {
                    c.fail(&path.key("to"), format!("`{}` is a gateway; a return lane from gateway `{}` must go back to a hub: {}", l.to, l.from, listed(hubs.iter().copied())));
                    None
                }
                (None, None) => {
                    c.fail(
                        &path.key("to"),
                        format!(
                            "no hub named `{}`; {}a return lane goes back to a hub: {}",
                            l.to,
                            hint(&l.to, hubs.iter().copied()),
                            listed(hubs.iter().copied())
                        ),
                    );
                    None
                }
            };
            (Some(Node::Gateway(g)), to)
        }
        (None, None) => {
            let all: Vec<&str> = hubs.iter().chain(gateways).copied().collect();
            c.fail(&path.key("from"), format!("no hub or gateway named `{}`; {}a lane leaves a hub (outbound: {}) or a gateway (a return lane: {})", l.from, hint(&l.from, all.iter().copied()), listed(hubs.iter().copied()), listed(gateways.iter().copied())));
            (None, None)
        }
    };
    let mode = l.mode.clone().unwrap_or_else(|| "air".into());
    if !["air", "rail", "sea", "road"].contains(&mode.as_str()) {
        c.fail(
            &path.key("mode"),
            format!("unknown mode \"{mode}\"; allowed: air, rail, sea, road"),
        );
        ok = false;
    }
    let period_h = super::parcel::timetable_period(c, path, l.period_h)?;
    if l.departures_h.is_empty() || l.departures_h.len() > MAX_DEPARTURES {
        c.fail(
            &path.key("departures_h"),
            format!(
                "needs from 1 to {MAX_DEPARTURES} departure times within the period [h], got {}",
                l.departures_h.len()
            ),
        );
        return None;
    }
    ok &= super::parcel::departures_within_period(c, path, &l.departures_h, period_h);
    let absolute = |c: &mut dyn Check, key: &str, v: &[f64]| -> Option<Vec<f64>> {
        if v.len() > MAX_DEPARTURES {
            c.fail(
                &path.key(key),
                format!("lists {} times; at most {MAX_DEPARTURES}", v.len()),
            );
            return None;
        }
        let mut good = true;
        for (i, &t) in v.iter().enumerate() {
            if !(t.is_finite() && (0.0..=MAX_HOURS).contains(&t)) {
                c.fail(
                    &path.key(key).index(i),
                    format!(
                        "an absolute time must be from 0 to {} h (100 years), got {}",
                        num(MAX_HOURS),
                        num(t)
                    ),
                );
                good = false;
            }
        }
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        good.then_some(v)
    };
    let extra = absolute(c, "extra_departures_h", &l.extra_departures_h);
    let cancelled = absolute(c, "cancelled_departures_h", &l.cancelled_departures_h);
    if ok {
        for (i, &t) in l.cancelled_departures_h.iter().enumerate() {
            if !(t.is_finite() && t >= 0.0) {
                continue;
            }
            let k = (t / period_h).floor();
            let in_period = t - k * period_h;
            let on =
                l.departures_h.iter().any(|&o| {
                    (o - in_period).abs() < 1e-6 || (o + period_h - in_period).abs() < 1e-6
                }) || (in_period - period_h).abs() < 1e-6
                    && l.departures_h.iter().any(|&o| o.abs() < 1e-6);
            if !on {
                let mut near: Vec<f64> = l.departures_h.iter().map(|o| k * period_h + o).collect();
                near.sort_by(f64::total_cmp);
                let shown: Vec<String> = near.iter().map(|x| num(*x)).collect();
                c.fail(&path.key("cancelled_departures_h").index(i), format!("{} h is not a timetabled departure (the timetable repeats every {} h at offsets departures_h); that period's departures are at {} h — a cancelled time must be one of them", num(t), num(period_h), shown.join(", ")));
                ok = false;
            }
        }
    }
    let parcels = match l.capacity_parcels {
        Some(n) if (1..=MAX_DEPARTURE_CAPACITY).contains(&n) => Some(n as f64),
        Some(n) => {
            c.fail(&path.key("capacity_parcels"), format!("a departure must carry at least 1 parcel and at most {MAX_DEPARTURE_CAPACITY}, got {n}"));
            ok = false;
            None
        }
        None => None,
    };
    let mut positive = |c: &mut dyn Check, key: &str, v: Option<f64>, max: f64, unit: &str| match v
    {
        Some(x) if x.is_finite() && x > 0.0 && x <= max => Some(x),
        Some(x) => {
            c.fail(
                &path.key(key),
                format!(
                    "a departure carries more than 0 and at most {} {unit}, got {}",
                    num(max),
                    num(x)
                ),
            );
            ok = false;
            None
        }
        None => None,
    };
    let kg = positive(c, "capacity_kg", l.capacity_kg, MAX_CAPACITY_KG, "kg");
    let m3 = positive(c, "capacity_m3", l.capacity_m3, MAX_CAPACITY_M3, "m³");
    if l.capacity_parcels.is_none() && l.capacity_kg.is_none() && l.capacity_m3.is_none() {
        c.fail(&path.key("capacity_parcels"), "a lane needs at least one limit per departure: `capacity_parcels`, `capacity_kg` and/or `capacity_m3` (every one given binds)".into());
        ok = false;
    }
    let cutoff_h = bounded(
        c,
        &path.key("cutoff_h"),
        l.cutoff_h.unwrap_or(0.0),
        MAX_PERIOD_H,
        "a number of hours",
    );
    let transit = c.duration(&path.key("transit_h"), &l.transit_h);
    let per_kg = suffixed(
        c,
        path,
        "cost_per_kg",
        [l.cost_per_kg_eur, l.cost_per_kg_usd, l.cost_per_kg_cny],
        currency,
        note,
    );
    let per_departure = suffixed(
        c,
        path,
        "cost_per_departure",
        [
            l.cost_per_departure_eur,
            l.cost_per_departure_usd,
            l.cost_per_departure_cny,
        ],
        currency,
        note,
    );
    if !ok {
        return None;
    }
    Some(Lane {
        name: l.name.clone(),
        from: from?,
        to: to?,
        mode,
        period_h,
        offsets: l.departures_h.clone(),
        extra: extra?,
        cancelled: cancelled?,
        capacity: Capacity { parcels, kg, m3 },
        cutoff_h: cutoff_h?,
        transit: transit?,
        cost_per_kg: per_kg?,
        cost_per_departure: per_departure?,
    })
}

/// Named shares (`{ a = 0.6, b = 0.4 }`) or one name, resolved against `known`: (index,
/// cumulative share) in the order of `known`.
#[allow(clippy::too_many_arguments)]
fn pick_shares(
    c: &mut dyn Check,
    path: &KeyPath,
    one_key: &str,
    many_key: &str,
    one: Option<&String>,
    many: Option<&BTreeMap<String, f64>>,
    known: &[String],
    what: &str,
) -> Option<Vec<(usize, f64)>> {
    let names = || known.iter().map(String::as_str);
    let resolve = |c: &mut dyn Check, key: &KeyPath, n: &str| -> Option<usize> {
        let i = known.iter().position(|k| k == n);
        if i.is_none() {
            c.fail(
                key,
                format!(
                    "no {what} named `{n}`; {}the {what}s are: {}",
                    hint(n, names()),
                    listed(names())
                ),
            );
        }
        i
    };
    match (one, many) {
        (Some(_), Some(_)) => {
            c.fail(
                &path.key(many_key),
                format!("give either `{one_key}` (one {what}) or `{many_key}` (shares), not both"),
            );
            None
        }
        (Some(n), None) => Some(vec![(resolve(c, &path.key(one_key), n)?, 1.0)]),
        (None, Some(m)) => {
            let mut idx = Vec::new();
            for (n, &v) in m {
                idx.push((resolve(c, &path.key(many_key).key(n), n), n.as_str(), v));
            }
            if idx.iter().any(|x| x.0.is_none()) {
                return None;
            }
            if idx.is_empty() {
                c.fail(
                    &path.key(many_key),
                    format!("lists no {what}; give at least one {what} and its share"),
                );
                return None;
            }
            idx.sort_by_key(|x| x.0);
            let named: Vec<(&str, f64)> = idx.iter().map(|x| (x.1, x.2)).collect();
            let cum = cumulative(c, &path.key(many_key), &named)?;
            Some(
                idx.iter()
                    .zip(cum)
                    .map(|(x, s)| (x.0.unwrap_or(0), s))
                    .collect(),
            )
        }
        (None, None) if known.len() == 1 => Some(vec![(0, 1.0)]),
        (None, None) => {
            c.fail(
                &path.key(one_key),
                format!(
                    "there are {} {what}s ({}); say which this platform uses: `{one_key} = \"…\"` or `{many_key} = {{ … = share }}`",
                    known.len(),
                    listed(names())
                ),
            );
            None
        }
    }
}

/// A validated `[[route]]`: where it applies and what it does.
struct Rule {
    hub: usize,
    platform: Option<usize>,
    market: Option<usize>,
    routing: Routing,
}

fn route_rule(
    c: &mut dyn Check,
    path: &KeyPath,
    r: &RawHubRoute,
    net: &Net,
    platforms: &[String],
) -> Option<Rule> {
    let hub_names: Vec<&str> = net.hubs.iter().map(|h| h.name.as_str()).collect();
    let Some(hub) = hub_names.iter().position(|h| *h == r.hub) else {
        c.fail(
            &path.key("hub"),
            format!(
                "no hub named `{}`; {}the hubs are: {}",
                r.hub,
                hint(&r.hub, hub_names.iter().copied()),
                listed(hub_names.iter().copied())
            ),
        );
        return None;
    };
    let platform = match &r.platform {
        Some(p) => match platforms.iter().position(|x| x == p) {
            Some(i) => Some(i),
            None => {
                c.fail(
                    &path.key("platform"),
                    format!(
                        "no platform named `{p}`; {}the platforms are: {}",
                        hint(p, platforms.iter().map(String::as_str)),
                        listed(platforms.iter().map(String::as_str))
                    ),
                );
                return None;
            }
        },
        None => None,
    };
    let market = match &r.market {
        Some(m) => match net.markets.iter().position(|x| x == m) {
            Some(i) => Some(i),
            None => {
                c.fail(
                    &path.key("market"),
                    format!(
                        "no market named `{m}`; {}the markets are: {}",
                        hint(m, net.markets.iter().map(String::as_str)),
                        listed(net.markets.iter().map(String::as_str))
                    ),
                );
                return None;
            }
        },
        None => None,
    };
    let leaving: Vec<&str> = net
        .lanes
        .iter()
        .filter(|l| l.from == Node::Hub(hub))
        .map(|l| l.name.as_str())
        .collect();
    let lane_of = |c: &mut dyn Check, key: &KeyPath, n: &str| -> Option<usize> {
        let Some(i) = net.lanes.iter().position(|l| l.name == n) else {
            c.fail(
                key,
                format!(
                    "no lane named `{n}`; {}the lanes leaving hub `{}` are: {}",
                    hint(n, leaving.iter().copied()),
                    r.hub,
                    listed(leaving.iter().copied())
                ),
            );
            return None;
        };
        let l = &net.lanes[i];
        if l.from != Node::Hub(hub) {
            let from = match l.from {
                Node::Hub(h) => format!("hub `{}`", net.hubs[h].name),
                Node::Gateway(g) => format!("gateway `{}` (a return lane)", net.gateways[g].name),
            };
            c.fail(
                key,
                format!(
                    "lane `{n}` leaves {from}, not hub `{}`; the lanes leaving `{}` are: {}",
                    r.hub,
                    r.hub,
                    listed(leaving.iter().copied())
                ),
            );
            return None;
        }
        if let (Some(m), Node::Gateway(g)) = (market, l.to)
            && net.gateways[g].market != m
        {
            c.fail(
                key,
                format!(
                    "lane `{n}` goes to gateway `{}` of market `{}`; this route is for market `{}`",
                    net.gateways[g].name, net.markets[net.gateways[g].market], net.markets[m]
                ),
            );
            return None;
        }
        Some(i)
    };
    let list = |c: &mut dyn Check, key: &str, names: &[String]| -> Option<Vec<usize>> {
        if names.is_empty() {
            c.fail(&path.key(key), "lists no lane; give at least one".into());
            return None;
        }
        let mut out = Vec::new();
        let mut good = true;
        for (i, n) in names.iter().enumerate() {
            match lane_of(c, &path.key(key).index(i), n) {
                Some(l) if out.contains(&l) => {
                    c.fail(
                        &path.key(key).index(i),
                        format!("lane `{n}` is listed twice"),
                    );
                    good = false;
                }
                Some(l) => out.push(l),
                None => good = false,
            }
        }
        good.then_some(out)
    };
    let given = [
        ("shares", r.shares.is_some()),
        ("prefer", r.prefer.is_some()),
        ("pick", r.pick.is_some()),
    ];
    let n = given.iter().filter(|g| g.1).count();
    if n != 1 {
        c.fail(path, format!("a [[route]] needs exactly one of `shares` (per parcel), `prefer` (with `max_wait_h`) or `pick` (\"fastest\" or \"cheapest\", with `lanes`); it gives {n}"));
        return None;
    }
    let stray = |c: &mut dyn Check, key: &str, present: bool, with: &str| {
        if present {
            c.fail(&path.key(key), format!("`{key}` goes with {with} only"));
        }
        !present
    };
    let routing = if let Some(shares) = &r.shares {
        let ok = stray(c, "max_wait_h", r.max_wait_h.is_some(), "`prefer`")
            & stray(c, "lanes", r.lanes.is_some(), "`pick`")
            & stray(
                c,
                "deadline_h",
                r.deadline_h.is_some(),
                "`pick = \"cheapest\"`",
            );
        let mut idx = Vec::new();
        for (n, &v) in shares {
            idx.push((lane_of(c, &path.key("shares").key(n), n), n.as_str(), v));
        }
        if idx.iter().any(|x| x.0.is_none()) || !ok {
            return None;
        }
        if idx.is_empty() {
            c.fail(
                &path.key("shares"),
                "lists no lane; give lanes and their shares, e.g. { lane-a = 0.7, lane-b = 0.3 }"
                    .into(),
            );
            return None;
        }
        idx.sort_by_key(|x| x.0);
        let named: Vec<(&str, f64)> = idx.iter().map(|x| (x.1, x.2)).collect();
        let cum = cumulative(c, &path.key("shares"), &named)?;
        Routing::Shares(
            idx.iter()
                .zip(cum)
                .map(|(x, s)| (x.0.unwrap_or(0), s))
                .collect(),
        )
    } else if let Some(prefer) = &r.prefer {
        let ok = stray(c, "lanes", r.lanes.is_some(), "`pick`")
            & stray(
                c,
                "deadline_h",
                r.deadline_h.is_some(),
                "`pick = \"cheapest\"`",
            );
        let lanes = list(c, "prefer", prefer);
        let wait = match r.max_wait_h {
            Some(w) => bounded(
                c,
                &path.key("max_wait_h"),
                w,
                MAX_HOURS,
                "a number of hours",
            ),
            None => {
                c.fail(&path.key("max_wait_h"), "`prefer` needs `max_wait_h`, how long a bag may wait for a departure with room before it overflows to the next lane [h]".into());
                None
            }
        };
        if !ok {
            return None;
        }
        Routing::Overflow {
            lanes: lanes?,
            max_wait_h: wait?,
        }
    } else {
        let pick = r.pick.as_deref().unwrap_or("");
        let ok = stray(c, "max_wait_h", r.max_wait_h.is_some(), "`prefer`");
        let lanes = match &r.lanes {
            Some(l) => list(c, "lanes", l),
            None => {
                c.fail(
                    &path.key("lanes"),
                    format!("`pick = \"{pick}\"` needs `lanes`, the candidate lanes"),
                );
                None
            }
        };
        match pick {
            "fastest" => {
                let ok = ok
                    & stray(
                        c,
                        "deadline_h",
                        r.deadline_h.is_some(),
                        "`pick = \"cheapest\"`",
                    );
                if !ok {
                    return None;
                }
                Routing::Fastest { lanes: lanes? }
            }
            "cheapest" => {
                let deadline = match r.deadline_h {
                    Some(d) => bounded(
                        c,
                        &path.key("deadline_h"),
                        d,
                        MAX_HOURS,
                        "a number of hours",
                    ),
                    None => {
                        c.fail(&path.key("deadline_h"), "`pick = \"cheapest\"` needs `deadline_h`: bag ready → expected arrival at the gateway [h]".into());
                        None
                    }
                };
                if !ok {
                    return None;
                }
                Routing::Cheapest {
                    lanes: lanes?,
                    deadline_h: deadline?,
                }
            }
            other => {
                c.fail(
                    &path.key("pick"),
                    format!("unknown pick \"{other}\"; allowed: \"fastest\", \"cheapest\""),
                );
                return None;
            }
        }
    };
    Some(Rule {
        hub,
        platform,
        market,
        routing,
    })
}

/// Resolves platforms against the network (hubs, markets, overrides, returns) and fills the
/// route table.
pub(super) fn resolve(
    c: &mut dyn Check,
    w: &RawWorld<'_>,
    net: Net,
    platforms: Vec<Option<Platform>>,
    currency: &str,
) -> Option<ParcelWorld> {
    let hub_names: Vec<String> = net.hubs.iter().map(|h| h.name.clone()).collect();
    let platform_names: Vec<String> = w.platforms.iter().map(|p| p.name.clone()).collect();
    let (np, nh, nm) = (w.platforms.len(), net.hubs.len(), net.markets.len());

    // Routes.
    let mut rules_ = Vec::new();
    let mut keys = HashMap::new();
    for (j, r) in w.routes.iter().enumerate() {
        let path = KeyPath::root("route").index(j);
        if let Some(rule) = route_rule(c, &path, r, &net, &platform_names) {
            if let Some(k) = keys.insert((rule.hub, rule.platform, rule.market), j) {
                c.fail(&path, format!("route[{k}] already routes this hub, platform and market; give each (hub, platform, market) one [[route]]"));
            }
            rules_.push((j, rule));
        }
    }
    if rules_.len() != w.routes.len() {
        return None;
    }
    let mut routing: Vec<Routing> = rules_.iter().map(|(_, r)| r.routing.clone()).collect();
    let mut implicit: HashMap<(usize, usize), u32> = HashMap::new();
    let mut table = vec![u32::MAX; np * nh * nm];
    let mut reported = HashSet::new();
    let mut out = Vec::new();
    let mut ok = true;
    for (i, (raw, p)) in w.platforms.iter().zip(platforms).enumerate() {
        let path = KeyPath::root("platform").index(i);
        let hub_cum = pick_shares(
            c,
            &path,
            "hub",
            "hubs",
            raw.hub.as_ref(),
            raw.hubs.as_ref(),
            &hub_names,
            "hub",
        );
        let market_cum = pick_shares(
            c,
            &path,
            "market",
            "markets",
            raw.market.as_ref(),
            raw.markets.as_ref(),
            &net.markets,
            "market",
        );
        let channels = raw.channels.as_ref().and_then(|ch| {
            let v = cumulative(
                c,
                &path.key("channels"),
                &[
                    ("paper", ch.paper.unwrap_or(0.0)),
                    ("electronic", ch.electronic.unwrap_or(0.0)),
                    ("pre_arrival", ch.pre_arrival.unwrap_or(0.0)),
                ],
            );
            if v.is_none() {
                ok = false;
            }
            v.map(|v| [v[0], v[1], v[2]])
        });
        let risk = raw.risk.as_ref().and_then(|r| {
            let v = cumulative(
                c,
                &path.key("risk"),
                &[("green", r.green), ("yellow", r.yellow), ("red", r.red)],
            );
            if v.is_none() {
                ok = false;
            }
            v.map(|v| [v[0], v[1], v[2]])
        });
        let collection = match raw.collection.as_deref() {
            None => None,
            Some("sale") => Some(VatCollection::Sale),
            Some("border") => Some(VatCollection::Border),
            Some(other) => {
                c.fail(&path.key("collection"), format!("must be \"sale\" (IOSS-registered: VAT collected with the order) or \"border\", got \"{other}\""));
                ok = false;
                None
            }
        };
        let volume = match &raw.volume_m3 {
            Some(s) => match c.duration(&path.key("volume_m3"), s) {
                Some(d) if d.mean() <= MAX_PARCEL_M3 => Some(d),
                Some(d) => {
                    c.fail(&path.key("volume_m3"), format!("the mean volume is {} m³; a parcel's mean volume must be at most {} m³", num(d.mean()), num(MAX_PARCEL_M3)));
                    ok = false;
                    None
                }
                None => {
                    ok = false;
                    None
                }
            },
            None => None,
        };
        let (Some(hub_cum), Some(market_cum)) = (hub_cum, market_cum) else {
            ok = false;
            continue;
        };
        // The route table: the most specific matching rule, else the one lane to the market.
        let mut reached = vec![false; net.gateways.len()];
        for &(h, _) in &hub_cum {
            for &(m, _) in &market_cum {
                let best = rules_
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, r))| {
                        r.hub == h
                            && r.platform.is_none_or(|x| x == i)
                            && r.market.is_none_or(|x| x == m)
                    })
                    .max_by_key(|(_, (_, r))| {
                        2 * usize::from(r.platform.is_some()) + usize::from(r.market.is_some())
                    });
                let slot = (i * nh + h) * nm + m;
                if let Some((k, (j, r))) = best {
                    let wrong: Vec<&str> = r
                        .routing
                        .lanes()
                        .iter()
                        .filter(|&&l| {
                            !matches!(net.lanes[l].to, Node::Gateway(g) if net.gateways[g].market == m)
                        })
                        .map(|&l| net.lanes[l].name.as_str())
                        .collect();
                    if !wrong.is_empty() {
                        if reported.insert((*j, m)) {
                            c.fail(&KeyPath::root("route").index(*j), format!("this route applies to parcels for market `{}` (it names no market, or this one), but {} does not reach a gateway of `{}`; add `market = \"…\"` to the route, or give that market a [[route]] of its own", net.markets[m], listed(wrong.iter().copied()), net.markets[m]));
                        }
                        ok = false;
                    }
                    table[slot] = k as u32;
                } else {
                    let to_m: Vec<usize> = net
                        .lanes
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| {
                            l.from == Node::Hub(h)
                                && matches!(l.to, Node::Gateway(g) if net.gateways[g].market == m)
                        })
                        .map(|(l, _)| l)
                        .collect();
                    if to_m.len() == 1 {
                        let r = *implicit.entry((h, m)).or_insert_with(|| {
                            routing.push(Routing::Shares(vec![(to_m[0], 1.0)]));
                            (routing.len() - 1) as u32
                        });
                        table[slot] = r;
                    } else {
                        let at = if raw.hubs.is_some() {
                            path.key("hubs").key(&hub_names[h])
                        } else if raw.hub.is_some() {
                            path.key("hub")
                        } else {
                            path.clone()
                        };
                        let names: Vec<&str> =
                            to_m.iter().map(|&l| net.lanes[l].name.as_str()).collect();
                        let why = if to_m.is_empty() {
                            format!(
                                "platform `{}` ships from hub `{}` to market `{}`, but no [[lane]] leaves `{}` for a gateway of `{}`; add one",
                                raw.name,
                                hub_names[h],
                                net.markets[m],
                                hub_names[h],
                                net.markets[m]
                            )
                        } else {
                            format!(
                                "hub `{}` has {} lanes to market `{}` ({}); add a [[route]] with hub = \"{}\" (and market = \"{}\") saying how to choose: `shares`, `prefer` or `pick`",
                                hub_names[h],
                                to_m.len(),
                                net.markets[m],
                                listed(names.iter().copied()),
                                hub_names[h],
                                net.markets[m]
                            )
                        };
                        if reported.insert((usize::MAX - h, m)) || to_m.is_empty() {
                            c.fail(&at, why);
                        }
                        ok = false;
                        continue;
                    }
                }
                for l in routing[table[slot] as usize].lanes() {
                    if let Node::Gateway(g) = net.lanes[l].to {
                        reached[g] = true;
                    }
                }
            }
        }
        let bonded = p.as_ref().is_some_and(|p| p.mode_cum[3] > p.mode_cum[2]);
        if bonded {
            for &(m, _) in &market_cum {
                if let Some(g) = net.gateways.iter().position(|g| g.market == m) {
                    reached[g] = true;
                }
            }
        }
        // Stations a platform's own channel or risk shares need at every gateway it reaches.
        for (_, gw) in net.gateways.iter().enumerate().filter(|(g, _)| reached[*g]) {
            let imp = &gw.import;
            let needs = [
                (
                    channels.map(|c| c[0] > 0.0),
                    imp.paper_desk.is_some(),
                    "channels.paper",
                    "paper_desk",
                ),
                (
                    risk.map(|r| r[1] > r[0]),
                    imp.doc_check.is_some(),
                    "risk.yellow",
                    "doc_check",
                ),
                (
                    risk.map(|r| r[2] > r[1]),
                    imp.xray.is_some(),
                    "risk.red",
                    "xray",
                ),
                (
                    risk.map(|r| r[2] > r[1] && imp.physical_share_of_red > 0.0),
                    imp.physical.is_some(),
                    "risk.red",
                    "physical",
                ),
            ];
            for (uses, has, key, st) in needs {
                if uses == Some(true) && !has {
                    c.fail(&path.join(key), format!("parcels of platform `{}` reach gateway `{}`, which has no [gateway.import.{st}]; add it to that gateway or set this share to 0", raw.name, gw.name));
                    ok = false;
                }
            }
        }
        let returns = match &raw.returns {
            Some(r) => returns(
                c,
                &path.key("returns"),
                r,
                &net,
                &reached,
                &hub_cum,
                currency,
                w,
            ),
            None => Some(None),
        };
        match (p, returns) {
            (Some(mut p), Some(returns)) => {
                p.hub_cum = hub_cum;
                p.market_cum = market_cum;
                p.channel_cum = channels;
                p.risk = risk;
                p.collection = collection;
                p.volume_m3 = volume;
                p.returns = returns;
                out.push(p);
            }
            _ => ok = false,
        }
    }
    if !ok || out.len() != np {
        return None;
    }
    Some(ParcelWorld {
        platforms: out,
        hubs: net.hubs,
        lanes: net.lanes,
        gateways: net.gateways,
        markets: net.markets,
        routing,
        route_table: table,
        reporting_currency: net.reporting_currency,
    })
}

#[allow(clippy::too_many_arguments)]
fn returns(
    c: &mut dyn Check,
    path: &KeyPath,
    r: &super::network_raw::RawReturns,
    net: &Net,
    reached: &[bool],
    hub_cum: &[(usize, f64)],
    currency: &str,
    w: &RawWorld<'_>,
) -> Option<Option<Returns>> {
    let share = super::parcel::share(c, &path.key("share"), r.share);
    let delay = opt_duration(c, &path.key("delay_h"), r.delay_h.as_ref());
    let note = if super::network_check::is_network(w) {
        currency_note(
            "the reporting",
            currency,
            &KeyPath::root("exchange").key("reporting_currency"),
        )
    } else {
        currency_note(
            "this scenario's",
            currency,
            &KeyPath::root("regime").key("currency"),
        )
    };
    let cost_given = [r.cost_eur, r.cost_usd, r.cost_cny];
    let ret_path = match r.path.as_deref().unwrap_or("local") {
        "local" => {
            let handling = opt_duration(c, &path.key("handling_h"), r.handling_h.as_ref());
            let cost = suffixed(c, path, "cost", cost_given, currency, &note);
            Some(ReturnPath::Local {
                handling: handling?,
                cost: cost?,
            })
        }
        "origin" => {
            let mut good = true;
            let cost_keys = CURRENCIES
                .iter()
                .zip(cost_given)
                .filter(|(_, v)| v.is_some())
                .map(|(cur, _)| format!("cost_{cur}"));
            let given: Vec<String> = r
                .handling_h
                .iter()
                .map(|_| "handling_h".to_string())
                .chain(cost_keys)
                .collect();
            for key in given {
                c.fail(&path.key(&key), format!("`{key}` applies to `path = \"local\"` (a returns warehouse); a return to the origin travels on a return lane"));
                good = false;
            }
            let mut lanes = vec![None; net.gateways.len()];
            for (g, gw) in net.gateways.iter().enumerate().filter(|(g, _)| reached[*g]) {
                let back: Vec<(usize, &Lane)> = net
                    .lanes
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.from == Node::Gateway(g))
                    .collect();
                // Prefer a lane back to a hub the platform ships from.
                let pick = back
                    .iter()
                    .find(|(_, l)| matches!(l.to, Node::Hub(h) if hub_cum.iter().any(|x| x.0 == h)))
                    .or(back.first());
                match pick {
                    Some(&(l, _)) => lanes[g] = Some(l),
                    None => {
                        c.fail(&path.key("path"), format!("returns go back to the origin, but no [[lane]] leaves gateway `{}` (which this platform's parcels reach) for a hub; add a return lane with from = \"{}\" and to = a hub, or use path = \"local\"", gw.name, gw.name));
                        good = false;
                    }
                }
            }
            good.then_some(ReturnPath::Origin { lanes })
        }
        other => {
            c.fail(&path.key("path"), format!("unknown path \"{other}\"; allowed: \"local\" (a returns warehouse in the destination) or \"origin\" (back on a return lane)"));
            None
        }
    };
    Some(Some(Returns {
        share: share?,
        delay: delay?,
        path: ret_path?,
    }))
}
