//! The validated parcel world: what [`crate::model::parcel`] simulates. Built from
//! [`super::parcel_raw`] (one-chain form) or with [`super::network_check`] (network form).

use std::collections::BTreeMap;

use super::bounds::{
    MAX_BATCH, MAX_CAPACITY_KG, MAX_DAY, MAX_DEPARTURE_CAPACITY, MAX_DEPARTURES, MAX_DOCUMENTS,
    MAX_HOURS, MAX_MONEY, MAX_PARCEL_KG, MAX_PARCELS_PER_DAY, MAX_PEAK_MULTIPLIER, MAX_PERIOD_H,
    MAX_PROFILE_WEIGHT,
};
use super::error::{KeyPath, nearest, num};
use super::network::{Capacity, Gateway, Hub, Lane, Node, Returns, Routing};
use super::parcel_raw::{RawLastMile, RawPlatform, RawRules, RawStation};
use crate::engine::{CapacitySchedule, Dist, DistSpec};

/// Customs mode of a parcel (China's codes, usable as labels elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// 9610 retail B2C.
    B2c9610,
    /// 9710 B2B direct.
    B2b9710,
    /// 9810 to an overseas warehouse.
    Warehouse9810,
    /// 1210 bonded stock, already in the destination's bonded zone.
    Bonded1210,
}

/// How the import declaration is lodged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Paper documents, handled by officers.
    Paper,
    /// Electronic, lodged and assessed on arrival.
    Electronic,
    /// Electronic, lodged at departure and assessed in transit.
    PreArrival,
}

/// A resource with servers and a service time.
#[derive(Clone, Debug)]
pub struct StationSpec {
    /// Servers over time.
    pub schedule: CapacitySchedule,
    /// Service time [h].
    pub service: Dist,
    /// Cost of a server-hour on duty.
    pub labour_per_hour: f64,
}

/// Where parcels are ordered.
#[derive(Clone, Debug, PartialEq)]
pub struct Platform {
    /// Unique name.
    pub name: String,
    /// Parcels on an ordinary day.
    pub parcels_per_day: f64,
    /// 24 hourly weights normalised to mean 1.
    pub hourly: [f64; 24],
    /// 7 daily weights (Monday first) normalised to mean 1.
    pub weekly: [f64; 7],
    /// Day number → multiplier.
    pub peak_days: BTreeMap<u32, f64>,
    /// Declared value, in the scenario's currency.
    pub declared_value: Dist,
    /// Weight [kg].
    pub weight_kg: Dist,
    /// Cumulative shares of 9610, 9710, 9810, 1210.
    pub mode_cum: [f64; 4],
    /// Share of trusted sellers.
    pub trusted_share: f64,
    /// The highest hourly rate of the profile and peaks, for thinning (computed once).
    pub peak_rate: f64,
    /// Volume of a parcel [m³]; `None`: its weight over 167 kg/m³ (IATA's 6,000 cm³ per kg).
    pub volume_m3: Option<Dist>,
    /// Hubs it ships from: (hub, cumulative share), the last share 1.
    pub hub_cum: Vec<(usize, f64)>,
    /// Markets it sells into: (market, cumulative share), the last share 1.
    pub market_cum: Vec<(usize, f64)>,
    /// Its own declaration channel shares (cumulative paper, electronic, pre-arrival) at every
    /// gateway, instead of the gateway's.
    pub channel_cum: Option<[f64; 3]>,
    /// Its own risk shares (cumulative green, yellow, red), instead of the gateway's.
    pub risk: Option<[f64; 3]>,
    /// Where its VAT is collected, instead of the gateway regime's rule (an IOSS-registered
    /// platform collects at sale; one that is not leaves it to the border).
    pub collection: Option<VatCollection>,
    /// Returns of its delivered parcels.
    pub returns: Option<Returns>,
}

impl Platform {
    /// Orders per hour at time `t` [h].
    pub fn rate_at(&self, t: f64) -> f64 {
        let day = (t / 24.0).floor().max(0.0) as u32;
        let hour = (t.rem_euclid(24.0)) as usize;
        let peak = self.peak_days.get(&day).copied().unwrap_or(1.0);
        self.parcels_per_day / 24.0
            * self.hourly[hour.min(23)]
            * self.weekly[(day % 7) as usize]
            * peak
    }

    /// An upper bound of [`Platform::rate_at`], for thinning (cached in `peak_rate`).
    pub fn max_rate(&self) -> f64 {
        let h = self.hourly.iter().copied().fold(0.0, f64::max);
        let w = self.weekly.iter().copied().fold(0.0, f64::max);
        let p = self.peak_days.values().copied().fold(1.0, f64::max);
        self.parcels_per_day / 24.0 * h * w * p
    }

    /// Mean orders per day over a normal week.
    pub fn mean_per_day(&self) -> f64 {
        self.parcels_per_day
    }
}

/// Import customs.
#[derive(Clone, Debug)]
pub struct Import {
    /// Cumulative shares: paper, electronic, pre-arrival.
    pub channel_cum: [f64; 3],
    /// Arrival → lodgement, paper [h].
    pub paper_lodgement: Dist,
    /// Arrival → lodgement, electronic [h].
    pub electronic_lodgement: Dist,
    /// Departure → lodgement, pre-arrival [h].
    pub pre_arrival_lodgement: Dist,
    /// Automated assessment [h].
    pub assessment: Dist,
    /// Paper desk (assessment of paper declarations).
    pub paper_desk: Option<StationSpec>,
    /// Rework share per handling.
    pub paper_error_rate: f64,
    /// Rework time [h].
    pub paper_rework: Dist,
    /// Risk shares green, yellow, red.
    pub risk: [f64; 3],
    /// Share of red also physically inspected.
    pub physical_share_of_red: f64,
    /// Share of physically inspected seized.
    pub seizure_rate: f64,
    /// Documentary check.
    pub doc_check: Option<StationSpec>,
    /// X-ray / NII.
    pub xray: Option<StationSpec>,
    /// Physical inspection.
    pub physical: Option<StationSpec>,
    /// Payment of duty/VAT due at the border [h].
    pub payment: Dist,
    /// Release → gate-out [h].
    pub exit: Dist,
}

/// When VAT is collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VatCollection {
    /// At sale by the seller or platform (IOSS-style): VAT, and any duty, are collected with
    /// the order, so nothing is paid at the border.
    Sale,
    /// At the border, before release.
    Border,
}

/// The destination's tax regime, in the scenario's currency.
#[derive(Clone, Debug)]
pub struct Regime {
    /// "EUR", "USD" or "CNY".
    pub currency: String,
    /// Ad-valorem duty rate.
    pub duty_rate: f64,
    /// Flat duty per item instead of the rate, if set.
    pub flat_duty_per_item: Option<f64>,
    /// Duty relief at or below this value (`None`: no de minimis).
    pub de_minimis_duty: Option<f64>,
    /// VAT relief at or below this value (`None`: no relief).
    pub de_minimis_vat: Option<f64>,
    /// VAT rate.
    pub vat_rate: f64,
    /// Where VAT is collected.
    pub vat_collection: VatCollection,
    /// China's retail import rules, if on.
    pub china_retail: Option<ChinaRetail>,
    /// With collection at sale, only parcels of at most this value are collected at sale;
    /// above it, duty and VAT are due at the border (the EU's IOSS: €150).
    pub ioss_ceiling: Option<f64>,
    /// Duty and VAT of returned parcels are refunded.
    pub refund_on_return: bool,
}

/// China's cross-border retail import rules.
#[derive(Clone, Debug)]
pub struct ChinaRetail {
    /// Per-order limit (5,000 CNY).
    pub order_limit: f64,
    /// Share of orders whose buyer has passed the annual limit (26,000 CNY); they go to
    /// general trade like over-limit orders.
    pub annual_limit_exceeded_share: f64,
    /// Consumption tax rate (0 for most goods).
    pub consumption_tax_rate: f64,
    /// Share of the statutory VAT and consumption tax paid (0.7).
    pub tax_share: f64,
}

/// Pilot-zone rule packs.
#[derive(Clone, Debug)]
pub struct Rules {
    /// List release with consolidated declaration.
    pub list_release: bool,
    /// Three-document match, if on.
    pub three_document_match: bool,
    /// Mismatch share.
    pub document_mismatch_rate: f64,
    /// Manual handling of a mismatch [h].
    pub manual_match: Dist,
    /// 1210 per-order release [h].
    pub bonded_release: Dist,
    /// Customs around the clock.
    pub customs_24_7: bool,
    /// Trusted sellers' inspection factor.
    pub trusted_inspection_factor: f64,
}

/// Costs, in the scenario's currency.
#[derive(Clone, Debug, Default)]
pub struct Costs {
    /// Per declaration.
    pub declaration_fee: f64,
    /// Per declaration, broker.
    pub brokerage_fee: f64,
    /// Per paper document handled.
    pub paper_per_document: f64,
    /// Documents in a paper declaration.
    pub documents_per_paper_declaration: f64,
    /// Per documentary check.
    pub doc_check: f64,
    /// Per X-ray.
    pub xray: f64,
    /// Per physical inspection.
    pub physical: f64,
    /// Storage per parcel-day after the free days.
    pub storage_per_day: f64,
    /// Free storage days.
    pub free_storage_days: f64,
}

/// The whole parcel world of a scenario: platforms and the network they ship through.
#[derive(Clone, Debug)]
pub struct ParcelWorld {
    /// Platforms.
    pub platforms: Vec<Platform>,
    /// Origin hubs.
    pub hubs: Vec<Hub>,
    /// Lanes, outbound and return.
    pub lanes: Vec<Lane>,
    /// Import gateways.
    pub gateways: Vec<Gateway>,
    /// Markets (destinations) that gateways clear into.
    pub markets: Vec<String>,
    /// The routing rules that `route_table` points into.
    pub routing: Vec<Routing>,
    /// Rule for (platform, hub, market): index `(p * hubs + h) * markets + m` into `routing`,
    /// `u32::MAX` where that platform never ships from that hub to that market.
    pub route_table: Vec<u32>,
    /// Every money figure of the network is reported in this currency ("EUR", "USD", "CNY").
    pub reporting_currency: String,
}

impl ParcelWorld {
    /// The routing rule of a parcel of platform `p` at hub `h` bound for market `m`.
    pub fn route(&self, p: usize, h: usize, m: usize) -> Option<&Routing> {
        let i = (p * self.hubs.len() + h) * self.markets.len() + m;
        self.route_table
            .get(i)
            .and_then(|&r| self.routing.get(r as usize))
    }

    /// A node's stage or station named for reports: bare (`sort`) when the network has one
    /// node of that kind, as in a one-chain file, else `node/stage` (`Zhengzhou/sort`).
    pub fn qualified(&self, node: Node, stage: &str) -> String {
        let (count, name) = match node {
            Node::Hub(h) => (self.hubs.len(), &self.hubs[h].name),
            Node::Gateway(g) => (self.gateways.len(), &self.gateways[g].name),
        };
        if count == 1 {
            stage.to_string()
        } else {
            format!("{name}/{stage}")
        }
    }

    /// Lanes that leave a hub for a gateway (outbound), in file order.
    pub fn outbound_lanes(&self) -> impl Iterator<Item = (usize, &Lane)> {
        self.lanes
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l.from, Node::Hub(_)))
    }
}

pub(super) use validate_world as validate;

/// Everything needed to validate a world and collect located problems.
pub(super) trait Check {
    fn fail(&mut self, path: &KeyPath, reason: String);
    fn dist(&mut self, path: &KeyPath, spec: &DistSpec) -> Option<Dist>;
    fn duration(&mut self, path: &KeyPath, spec: &DistSpec) -> Option<Dist>;
    fn schedule(
        &mut self,
        path: &KeyPath,
        servers: Option<i64>,
        cal: Option<&super::raw::RawCalendar>,
    ) -> Option<CapacitySchedule>;
}

pub(super) fn share(c: &mut dyn Check, path: &KeyPath, v: f64) -> Option<f64> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Some(v)
    } else {
        c.fail(path, format!("must be a share from 0 to 1, got {}", num(v)));
        None
    }
}

/// A number from 0 to `max`; `what` names the kind of number in the message.
pub(super) fn bounded(
    c: &mut dyn Check,
    path: &KeyPath,
    v: f64,
    max: f64,
    what: &str,
) -> Option<f64> {
    if v.is_finite() && (0.0..=max).contains(&v) {
        Some(v)
    } else {
        c.fail(
            path,
            format!("must be {what} from 0 to {}, got {}", num(max), num(v)),
        );
        None
    }
}

/// An amount of money from 0 to [`MAX_MONEY`].
pub(super) fn amount(c: &mut dyn Check, path: &KeyPath, v: f64) -> Option<f64> {
    bounded(c, path, v, MAX_MONEY, "an amount")
}

pub(super) fn cumulative(
    c: &mut dyn Check,
    path: &KeyPath,
    named: &[(&str, f64)],
) -> Option<Vec<f64>> {
    let mut cum = Vec::new();
    let mut total = 0.0;
    let mut ok = true;
    for (k, v) in named {
        ok &= share(c, &path.key(k), *v).is_some();
        total += v;
        cum.push(total);
    }
    if !ok {
        return None;
    }
    if (total - 1.0).abs() > 1e-9 {
        let keys: Vec<&str> = named.iter().map(|(k, _)| *k).collect();
        c.fail(
            path,
            format!(
                "shares of {} must sum to 1, they sum to {}",
                keys.join(", "),
                num(total)
            ),
        );
        return None;
    }
    if let Some(last) = cum.last_mut() {
        *last = 1.0;
    }
    Some(cum)
}

pub(super) fn station(c: &mut dyn Check, path: &KeyPath, s: &RawStation) -> Option<StationSpec> {
    let schedule = c.schedule(path, s.servers, s.calendar.as_ref());
    let service = match &s.service_h {
        Some(spec) => c.duration(&path.key("service_h"), spec),
        None => {
            c.fail(
                &path.key("service_h"),
                "a station needs `service_h`, a distribution of the service time [h]".into(),
            );
            None
        }
    };
    let labour = amount(
        c,
        &path.key("labour_per_hour"),
        s.labour_per_hour.unwrap_or(0.0),
    );
    Some(StationSpec {
        schedule: schedule?,
        service: service?,
        labour_per_hour: labour?,
    })
}

fn profile<const N: usize>(
    c: &mut dyn Check,
    path: &KeyPath,
    v: Option<&Vec<f64>>,
) -> Option<[f64; N]> {
    let Some(v) = v else { return Some([1.0; N]) };
    if v.len() != N {
        c.fail(path, format!("needs exactly {N} weights, got {}", v.len()));
        return None;
    }
    let mut out = [0.0; N];
    for (i, &w) in v.iter().enumerate() {
        out[i] = bounded(c, &path.index(i), w, MAX_PROFILE_WEIGHT, "a weight")?;
    }
    let mean = out.iter().sum::<f64>() / N as f64;
    if mean <= 0.0 {
        c.fail(
            path,
            "the weights are all 0: no parcel would ever be ordered".into(),
        );
        return None;
    }
    for w in &mut out {
        *w /= mean;
    }
    Some(out)
}

/// The declared value spec in the scenario currency, refusing the other currencies' keys.
fn money_dist<'a>(
    c: &mut dyn Check,
    path: &KeyPath,
    p: &'a RawPlatform,
    currency: &str,
    note: &str,
) -> Option<&'a DistSpec> {
    let all = [
        ("eur", &p.declared_value_eur),
        ("usd", &p.declared_value_usd),
        ("cny", &p.declared_value_cny),
    ];
    let mut found = None;
    for (cur, spec) in all {
        if let Some(spec) = spec {
            if cur == currency {
                found = Some(spec);
            } else {
                c.fail(
                    &path.key(&format!("declared_value_{cur}")),
                    format!("{note}; write `declared_value_{currency}`"),
                );
            }
        }
    }
    if found.is_none() {
        c.fail(&path.key(&format!("declared_value_{currency}")), format!("a platform needs `declared_value_{currency}`, the distribution of a parcel's declared value"));
    }
    found
}

pub(super) fn platform(
    c: &mut dyn Check,
    path: &KeyPath,
    p: &RawPlatform,
    currency: &str,
    note: &str,
) -> Option<Platform> {
    let ppd = p.parcels_per_day;
    if !(ppd.is_finite() && ppd > 0.0 && ppd <= MAX_PARCELS_PER_DAY) {
        c.fail(
            &path.key("parcels_per_day"),
            format!(
                "must be a number > 0 and at most {}, got {}",
                num(MAX_PARCELS_PER_DAY),
                num(ppd)
            ),
        );
    }
    let hourly = profile::<24>(c, &path.key("hourly_profile"), p.hourly_profile.as_ref());
    let weekly = profile::<7>(c, &path.key("weekly_profile"), p.weekly_profile.as_ref());
    let mut peak_days = BTreeMap::new();
    for (i, pd) in p.peak_days.iter().enumerate() {
        let pp = path.key("peak_days").index(i);
        if pd.day < 0 || pd.day > MAX_DAY {
            c.fail(
                &pp.key("day"),
                format!(
                    "must be a day number from 0 to {MAX_DAY} (100 years), got {}",
                    pd.day
                ),
            );
        } else if let Some(m) = bounded(
            c,
            &pp.key("multiplier"),
            pd.multiplier,
            MAX_PEAK_MULTIPLIER,
            "a multiplier",
        ) && peak_days.insert(pd.day as u32, m).is_some()
        {
            c.fail(&pp.key("day"), format!("day {} is listed twice", pd.day));
        }
    }
    let value_spec = money_dist(c, path, p, currency, note);
    let value =
        value_spec.and_then(|s| c.dist(&path.key(&format!("declared_value_{currency}")), s));
    if value.as_ref().is_some_and(|d| !d.is_nonnegative()) {
        c.fail(
            &path.key(&format!("declared_value_{currency}")),
            "a declared value cannot be negative".into(),
        );
    }
    if let Some(d) = &value
        && !(d.mean().is_finite() && d.mean() <= MAX_MONEY)
    {
        c.fail(
            &path.key(&format!("declared_value_{currency}")),
            format!(
                "the mean declared value is {}; it must be at most {}",
                num(d.mean()),
                num(MAX_MONEY)
            ),
        );
    }
    let weight = c.duration(&path.key("weight_kg"), &p.weight_kg);
    if let Some(d) = &weight
        && d.mean() > MAX_PARCEL_KG
    {
        c.fail(
            &path.key("weight_kg"),
            format!(
                "the mean weight is {} kg; a parcel's mean weight must be at most {} kg",
                num(d.mean()),
                num(MAX_PARCEL_KG)
            ),
        );
    }
    let m = p.modes.clone().unwrap_or_default();
    let any_mode = m.b2c_9610.is_some()
        || m.b2b_9710.is_some()
        || m.warehouse_9810.is_some()
        || m.bonded_1210.is_some();
    let modes = cumulative(
        c,
        &path.key("modes"),
        &[
            (
                "b2c_9610",
                m.b2c_9610.unwrap_or(if any_mode { 0.0 } else { 1.0 }),
            ),
            ("b2b_9710", m.b2b_9710.unwrap_or(0.0)),
            ("warehouse_9810", m.warehouse_9810.unwrap_or(0.0)),
            ("bonded_1210", m.bonded_1210.unwrap_or(0.0)),
        ],
    );
    let trusted = share(
        c,
        &path.key("trusted_seller_share"),
        p.trusted_seller_share.unwrap_or(0.0),
    );
    let modes = modes?;
    let mut platform = Platform {
        name: p.name.clone(),
        parcels_per_day: ppd,
        hourly: hourly?,
        weekly: weekly?,
        peak_days,
        declared_value: value?,
        weight_kg: weight?,
        mode_cum: [modes[0], modes[1], modes[2], modes[3]],
        trusted_share: trusted?,
        peak_rate: 0.0,
        volume_m3: None,
        hub_cum: vec![(0, 1.0)],
        market_cum: vec![(0, 1.0)],
        channel_cum: None,
        risk: None,
        collection: None,
        returns: None,
    };
    platform.peak_rate = platform.max_rate();
    Some(platform)
}

/// The raw sections of a parcel world, borrowed from the file.
pub(super) struct RawWorld<'a> {
    pub platforms: &'a [RawPlatform],
    pub first_mile: Option<&'a super::parcel_raw::RawDelay>,
    pub hub: Option<&'a super::network_raw::RawHubs>,
    pub export: Option<&'a super::parcel_raw::RawExport>,
    pub linehaul: Option<&'a super::parcel_raw::RawLinehaul>,
    pub import: Option<&'a super::parcel_raw::RawImport>,
    pub regime: Option<&'a toml::Table>,
    pub rules: Option<&'a super::parcel_raw::RawRules>,
    pub last_mile: Option<&'a super::parcel_raw::RawLastMile>,
    pub costs: Option<&'a toml::Table>,
    pub exchange: Option<&'a super::network_raw::RawExchange>,
    pub lanes: &'a [super::network_raw::RawLane],
    pub gateways: &'a [super::network_raw::RawGateway],
    pub routes: &'a [super::network_raw::RawHubRoute],
}

pub(super) const CURRENCIES: [&str; 3] = ["eur", "usd", "cny"];

/// A TOML value's kind, as a user would say it, with the value itself.
pub(super) fn toml_words(v: &toml::Value) -> String {
    let kind = match v {
        toml::Value::String(_) => "the text",
        toml::Value::Integer(_) | toml::Value::Float(_) => "the number",
        toml::Value::Boolean(_) => "",
        toml::Value::Datetime(_) => "the date",
        toml::Value::Array(_) => "the list",
        toml::Value::Table(_) => "the table",
    };
    format!("{kind} {v}").trim().to_string()
}

/// Reads a table of plain and money keys: `plain` are unit-free numbers, `money` get the
/// currency suffix; a money key in another currency, or an unknown key, is a problem.
#[allow(clippy::too_many_arguments)]
pub(super) fn money_table(
    c: &mut dyn Check,
    path: &KeyPath,
    t: &toml::Table,
    currency: &str,
    note: &str,
    plain: &[&str],
    money: &[&str],
    other: &[&str],
) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (k, v) in t {
        if other.contains(&k.as_str()) {
            continue;
        }
        let (base, cur) = match k.rsplit_once('_') {
            Some((b, s)) if CURRENCIES.contains(&s) => (b, Some(s)),
            _ => (k.as_str(), None),
        };
        let known_money = money.contains(&base) && cur.is_some();
        if !(plain.contains(&k.as_str()) || known_money) {
            let mut allowed: Vec<String> = other.iter().map(|s| s.to_string()).collect();
            allowed.extend(plain.iter().map(|s| s.to_string()));
            allowed.extend(money.iter().map(|m| format!("{m}_{currency}")));
            let hint = nearest(k, allowed.iter().map(String::as_str))
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            c.fail(
                &path.key(k),
                format!("unknown key `{k}`; {hint}allowed: {}", allowed.join(", ")),
            );
            continue;
        }
        if let Some(cur) = cur.filter(|_| known_money)
            && cur != currency
        {
            c.fail(
                &path.key(k),
                format!(
                    "{note}; write `{base}_{currency}` — amounts in other currencies are not converted"
                ),
            );
            continue;
        }
        let x = match v {
            toml::Value::Float(f) => *f,
            toml::Value::Integer(i) => *i as f64,
            other => {
                c.fail(
                    &path.key(k),
                    format!("must be a number, got {}", toml_words(other)),
                );
                continue;
            }
        };
        let x = if known_money {
            amount(c, &path.key(k), x)
        } else if k == "documents_per_paper_declaration" {
            bounded(c, &path.key(k), x, MAX_DOCUMENTS, "a number of documents")
        } else if k == "free_storage_days" {
            bounded(c, &path.key(k), x, MAX_DAY as f64, "a number of days")
        } else {
            // Rates and shares: checked as shares by the caller.
            bounded(c, &path.key(k), x, 1.0, "a share")
        };
        if let Some(x) = x {
            out.insert(base.to_string(), x);
        }
    }
    out
}

/// The note on which currency money keys must carry, for messages.
pub(super) fn currency_note(whose: &str, currency: &str, key: &KeyPath) -> String {
    format!("{whose} currency is {} ({key})", currency.to_uppercase())
}

pub(super) fn regime(
    c: &mut dyn Check,
    path: &KeyPath,
    t: Option<&toml::Table>,
    whose: &str,
) -> Option<Regime> {
    let path = path.clone();
    let empty = toml::Table::new();
    let t = t.unwrap_or(&empty);
    let currency = match t.get("currency") {
        None => "eur".to_string(),
        Some(toml::Value::String(s)) if CURRENCIES.contains(&s.to_ascii_lowercase().as_str()) => {
            s.to_ascii_lowercase()
        }
        Some(v) => {
            c.fail(
                &path.key("currency"),
                format!("must be one of EUR, USD, CNY, got {v}"),
            );
            return None;
        }
    };
    let vat_collection = match t.get("vat_collection") {
        None => VatCollection::Border,
        Some(toml::Value::String(s)) if s == "sale" => VatCollection::Sale,
        Some(toml::Value::String(s)) if s == "border" => VatCollection::Border,
        Some(v) => {
            c.fail(&path.key("vat_collection"), format!("must be \"sale\" (IOSS-style, nothing due at the border) or \"border\", got {v}"));
            return None;
        }
    };
    let china = match t.get("china_retail") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(v) => {
            c.fail(
                &path.key("china_retail"),
                format!("must be true or false, got {v}"),
            );
            return None;
        }
    };
    let refund_on_return = match t.get("refund_on_return") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(v) => {
            c.fail(
                &path.key("refund_on_return"),
                format!("must be true or false, got {v}"),
            );
            return None;
        }
    };
    let note = currency_note(whose, &currency, &path.key("currency"));
    let m = money_table(
        c,
        &path,
        t,
        &currency,
        &note,
        &[
            "duty_rate",
            "vat_rate",
            "annual_limit_exceeded_share",
            "consumption_tax_rate",
            "tax_share",
        ],
        &[
            "flat_duty_per_item",
            "de_minimis_duty",
            "de_minimis_vat",
            "order_limit",
            "ioss_ceiling",
        ],
        &[
            "currency",
            "vat_collection",
            "china_retail",
            "refund_on_return",
        ],
    );
    if m.contains_key("ioss_ceiling") && vat_collection != VatCollection::Sale {
        c.fail(
            &path.key(&format!("ioss_ceiling_{currency}")),
            "an IOSS ceiling applies to VAT collected at sale: set `vat_collection = \"sale\"` or drop the ceiling".into(),
        );
    }
    for k in [
        "duty_rate",
        "vat_rate",
        "annual_limit_exceeded_share",
        "consumption_tax_rate",
        "tax_share",
    ] {
        if let Some(&v) = m.get(k) {
            share(c, &path.key(k), v);
        }
    }
    // The retail rate divides by 1 − CT (a tax included in its own base): at 1 it is infinite.
    if let Some(&ct) = m.get("consumption_tax_rate")
        && ct.is_finite()
        && ct == 1.0
    {
        c.fail(
            &path.key("consumption_tax_rate"),
            format!(
                "must be a share from 0 to below 1 (the retail rate divides by 1 − the consumption tax), got {}",
                num(ct)
            ),
        );
    }
    let china_retail = china.then(|| ChinaRetail {
        order_limit: m.get("order_limit").copied().unwrap_or(5000.0),
        annual_limit_exceeded_share: m.get("annual_limit_exceeded_share").copied().unwrap_or(0.0),
        consumption_tax_rate: m.get("consumption_tax_rate").copied().unwrap_or(0.0),
        tax_share: m.get("tax_share").copied().unwrap_or(0.7),
    });
    if china && currency != "cny" {
        c.fail(
            &path.key("china_retail"),
            format!(
                "China's retail import rules are set in yuan: set {} = \"CNY\" (it is {})",
                path.key("currency"),
                currency.to_uppercase()
            ),
        );
    }
    Some(Regime {
        currency: currency.to_uppercase(),
        duty_rate: m.get("duty_rate").copied().unwrap_or(0.0),
        flat_duty_per_item: m.get("flat_duty_per_item").copied(),
        de_minimis_duty: m.get("de_minimis_duty").copied(),
        de_minimis_vat: m.get("de_minimis_vat").copied(),
        vat_rate: m.get("vat_rate").copied().unwrap_or(0.0),
        vat_collection,
        china_retail,
        ioss_ceiling: m.get("ioss_ceiling").copied(),
        refund_on_return,
    })
}

pub(super) fn costs(
    c: &mut dyn Check,
    path: &KeyPath,
    t: Option<&toml::Table>,
    currency: &str,
    note: &str,
) -> Costs {
    let empty = toml::Table::new();
    let m = money_table(
        c,
        path,
        t.unwrap_or(&empty),
        currency,
        note,
        &["documents_per_paper_declaration", "free_storage_days"],
        &[
            "declaration_fee",
            "brokerage_fee",
            "paper_per_document",
            "doc_check",
            "xray",
            "physical",
            "storage_per_day",
        ],
        &[],
    );
    let g = |k: &str| m.get(k).copied().unwrap_or(0.0);
    Costs {
        declaration_fee: g("declaration_fee"),
        brokerage_fee: g("brokerage_fee"),
        paper_per_document: g("paper_per_document"),
        documents_per_paper_declaration: m
            .get("documents_per_paper_declaration")
            .copied()
            .unwrap_or(1.0),
        doc_check: g("doc_check"),
        xray: g("xray"),
        physical: g("physical"),
        storage_per_day: g("storage_per_day"),
        free_storage_days: g("free_storage_days"),
    }
}

pub(super) fn opt_duration(
    c: &mut dyn Check,
    path: &KeyPath,
    spec: Option<&DistSpec>,
) -> Option<Dist> {
    match spec {
        Some(s) => c.duration(path, s),
        None => Some(Dist::deterministic(0.0)),
    }
}

pub(super) fn opt_station(
    c: &mut dyn Check,
    path: &KeyPath,
    s: Option<&RawStation>,
    needed: bool,
    why: &str,
) -> Option<Option<StationSpec>> {
    match s {
        Some(s) => Some(Some(station(c, path, s)?)),
        None if needed => {
            c.fail(path, format!("missing: {why}"));
            None
        }
        None => Some(None),
    }
}

/// Validates the parcel world, in its one-chain or its network form; problems go to `c`.
pub(super) fn validate_world(c: &mut dyn Check, w: RawWorld<'_>) -> Option<ParcelWorld> {
    let network = super::network_check::is_network(&w);
    let (net, note) = if network {
        super::network_check::network(c, &w)
    } else {
        super::network_check::refuse_network_keys(c, &w);
        singular(c, &w)
    };
    let currency = note.0;
    let mut names = std::collections::HashSet::new();
    let mut platforms = Vec::new();
    for (i, p) in w.platforms.iter().enumerate() {
        let path = KeyPath::root("platform").index(i);
        if !names.insert(p.name.as_str()) {
            c.fail(
                &path.key("name"),
                format!("platform name `{}` is used twice", p.name),
            );
        }
        platforms.push(platform(c, &path, p, &currency, &note.1));
    }
    super::network_check::resolve(c, &w, net?, platforms, &currency)
}

/// The rule packs of `[rules]` (or a gateway's), with their defaults.
pub(super) fn rules(c: &mut dyn Check, rp: &KeyPath, r: Option<&RawRules>) -> Rules {
    let r = r.cloned().unwrap_or_default();
    Rules {
        list_release: r.list_release.unwrap_or(false),
        three_document_match: r.three_document_match.unwrap_or(false),
        document_mismatch_rate: share(
            c,
            &rp.key("document_mismatch_rate"),
            r.document_mismatch_rate.unwrap_or(0.0),
        )
        .unwrap_or(0.0),
        manual_match: opt_duration(c, &rp.key("manual_match_h"), r.manual_match_h.as_ref())
            .unwrap_or(Dist::deterministic(0.0)),
        bonded_release: opt_duration(c, &rp.key("bonded_release_h"), r.bonded_release_h.as_ref())
            .unwrap_or(Dist::deterministic(0.0)),
        customs_24_7: r.customs_24_7.unwrap_or(false),
        trusted_inspection_factor: share(
            c,
            &rp.key("trusted_inspection_factor"),
            r.trusted_inspection_factor.unwrap_or(1.0),
        )
        .unwrap_or(1.0),
    }
}

/// The last mile of `[last_mile]` (or a gateway's): (delivery, bonded delivery).
pub(super) fn last_mile(
    c: &mut dyn Check,
    p: &KeyPath,
    l: Option<&RawLastMile>,
) -> (Option<Dist>, Option<Dist>) {
    match l {
        Some(l) => {
            let d = c.duration(&p.key("delay_h"), &l.delay_h);
            let b = match &l.bonded_delay_h {
                Some(s) => c.duration(&p.key("bonded_delay_h"), s),
                None => d.clone(),
            };
            (d, b)
        }
        None => (
            Some(Dist::deterministic(0.0)),
            Some(Dist::deterministic(0.0)),
        ),
    }
}

/// With `customs_24_7`, every customs station is staffed at its busiest, always.
pub(super) fn round_the_clock(import: &mut Import) {
    for st in [
        &mut import.paper_desk,
        &mut import.doc_check,
        &mut import.xray,
        &mut import.physical,
    ]
    .into_iter()
    .flatten()
    {
        st.schedule = CapacitySchedule::constant(st.schedule.max_servers());
    }
}

/// The reporting currency (lower case) and the note on it for messages.
pub(super) type CurrencyNote = (String, String);

/// The one-chain form: `[hub]`, `[export]`, `[linehaul]`, `[import]`, `[regime]`, … as one
/// hub, one lane `linehaul`, one gateway `import` and one market `destination`.
fn singular(
    c: &mut dyn Check,
    w: &RawWorld<'_>,
) -> (Option<super::network_check::Net>, CurrencyNote) {
    let regime_path = KeyPath::root("regime");
    let regime = regime(c, &regime_path, w.regime, "this scenario's");
    let currency = regime
        .as_ref()
        .map_or("eur".to_string(), |r| r.currency.to_ascii_lowercase());
    let note = currency_note("this scenario's", &currency, &regime_path.key("currency"));
    let first_mile = match w.first_mile {
        Some(f) => c.duration(&KeyPath::root("first_mile").key("delay_h"), &f.delay_h),
        None => Some(Dist::deterministic(0.0)),
    };
    let hub = match w.hub {
        Some(super::network_raw::RawHubs::One(h)) => {
            let path = KeyPath::root("hub");
            let sort = station(c, &path.key("sort"), &h.sort);
            let size = if (1..=MAX_BATCH).contains(&h.bag_size) {
                Some(h.bag_size as u32)
            } else {
                c.fail(
                    &path.key("bag_size"),
                    format!(
                        "must be a whole number from 1 to {MAX_BATCH}, got {}",
                        h.bag_size
                    ),
                );
                None
            };
            let timeout = match h.bag_timeout_h {
                Some(t) if t.is_finite() && t > 0.0 && t <= MAX_HOURS => Some(Some(t)),
                Some(t) => {
                    c.fail(
                        &path.key("bag_timeout_h"),
                        format!(
                            "must be a number of hours above 0 and at most {} (100 years), got {}",
                            num(MAX_HOURS),
                            num(t)
                        ),
                    );
                    None
                }
                None => Some(None),
            };
            match (sort, size, timeout) {
                (Some(sort), Some(bag_size), Some(bag_timeout_h)) => {
                    Some(Some((h.name.clone(), sort, bag_size, bag_timeout_h)))
                }
                _ => None,
            }
        }
        _ => Some(None),
    };
    let export_clearance = match w.export {
        Some(e) => c.duration(&KeyPath::root("export").key("clearance_h"), &e.clearance_h),
        None => Some(Dist::deterministic(0.0)),
    };
    let linehaul = match w.linehaul {
        Some(l) => linehaul(c, l),
        None => {
            c.fail(&KeyPath::root("linehaul"), "a parcel world needs a [linehaul] with departures_h, capacity_parcels or capacity_kg, and transit_h (or, for a network, [[hub]], [[lane]] and [[gateway]])".into());
            None
        }
    };
    let import = match w.import {
        Some(i) => import(c, &KeyPath::root("import"), i),
        None => {
            c.fail(
                &KeyPath::root("import"),
                "a parcel world needs an [import] section (channels, risk)".into(),
            );
            None
        }
    };
    let rules = rules(c, &KeyPath::root("rules"), w.rules);
    let (last_mile, bonded_last_mile) = last_mile(c, &KeyPath::root("last_mile"), w.last_mile);
    let costs = costs(c, &KeyPath::root("costs"), w.costs, &currency, &note);
    let net = (|| {
        let mut import = import?;
        if rules.customs_24_7 {
            round_the_clock(&mut import);
        }
        let (name, sort, bag_size, bag_timeout_h) = match hub? {
            Some((name, sort, size, timeout)) => (name, Some(sort), size, timeout),
            None => (None, None, 1, None),
        };
        let hub = Hub {
            name: name.unwrap_or_else(|| "origin hub".into()),
            first_mile: first_mile?,
            sort,
            bag_size,
            bag_timeout_h,
            export_clearance: export_clearance?,
        };
        let regime = regime?;
        let reporting_currency = regime.currency.clone();
        let gateway = Gateway {
            name: "import".into(),
            market: 0,
            import,
            regime,
            rules,
            costs,
            last_mile: last_mile?,
            bonded_last_mile: bonded_last_mile?,
            depot_per_day: None,
            fx: 1.0,
        };
        Some(super::network_check::Net {
            hubs: vec![hub],
            lanes: vec![linehaul?],
            gateways: vec![gateway],
            markets: vec!["destination".into()],
            reporting_currency,
        })
    })();
    (net, (currency, note))
}

/// A timetable's period [h] at `path.period_h` (default 24): above 0 and at most a year.
pub(super) fn timetable_period(c: &mut dyn Check, path: &KeyPath, v: Option<f64>) -> Option<f64> {
    let period_h = v.unwrap_or(24.0);
    if period_h.is_finite() && period_h > 0.0 && period_h <= MAX_PERIOD_H {
        return Some(period_h);
    }
    c.fail(
        &path.key("period_h"),
        format!(
            "must be a number of hours above 0 and at most {} (a year), got {}",
            num(MAX_PERIOD_H),
            num(period_h)
        ),
    );
    None
}

/// Every time of `path.departures_h` lies in the period, from 0 h to below `period_h`; names
/// each one that does not.
pub(super) fn departures_within_period(
    c: &mut dyn Check,
    path: &KeyPath,
    departures_h: &[f64],
    period_h: f64,
) -> bool {
    let mut ok = true;
    for (i, &t) in departures_h.iter().enumerate() {
        if !(t.is_finite() && (0.0..period_h).contains(&t)) {
            c.fail(
                &path.key("departures_h").index(i),
                format!(
                    "a departure time must be from 0 to below the period ({} h), got {}",
                    num(period_h),
                    num(t)
                ),
            );
            ok = false;
        }
    }
    ok
}

fn linehaul(c: &mut dyn Check, l: &super::parcel_raw::RawLinehaul) -> Option<Lane> {
    let path = KeyPath::root("linehaul");
    let period_h = timetable_period(c, &path, l.period_h)?;
    if l.departures_h.len() > MAX_DEPARTURES {
        c.fail(
            &path.key("departures_h"),
            format!(
                "lists {} departures; a period may have at most {MAX_DEPARTURES}",
                l.departures_h.len()
            ),
        );
        return None;
    }
    if l.departures_h.is_empty() {
        c.fail(
            &path.key("departures_h"),
            "needs at least one departure time within the period [h]".into(),
        );
    }
    let ok = departures_within_period(c, &path, &l.departures_h, period_h);
    let (capacity, in_kg) = match (l.capacity_parcels, l.capacity_kg) {
        (Some(_), Some(_)) => {
            c.fail(
                &path.key("capacity_kg"),
                "give either `capacity_parcels` or `capacity_kg`, not both".into(),
            );
            return None;
        }
        (Some(n), None) if (1..=MAX_DEPARTURE_CAPACITY).contains(&n) => (n as f64, false),
        (Some(n), None) => {
            c.fail(
                &path.key("capacity_parcels"),
                format!("a departure must carry at least 1 parcel and at most {MAX_DEPARTURE_CAPACITY}, got {n}"),
            );
            return None;
        }
        (None, Some(kg)) if kg.is_finite() && kg > 0.0 && kg <= MAX_CAPACITY_KG => (kg, true),
        (None, Some(kg)) => {
            c.fail(
                &path.key("capacity_kg"),
                format!(
                    "a departure carries more than 0 and at most {} kg, got {}",
                    num(MAX_CAPACITY_KG),
                    num(kg)
                ),
            );
            return None;
        }
        (None, None) => {
            c.fail(
                &path.key("capacity_parcels"),
                "a line-haul needs `capacity_parcels` or `capacity_kg` per departure".into(),
            );
            return None;
        }
    };
    let cutoff_h = bounded(
        c,
        &path.key("cutoff_h"),
        l.cutoff_h.unwrap_or(0.0),
        MAX_PERIOD_H,
        "a number of hours",
    );
    let transit = c.duration(&path.key("transit_h"), &l.transit_h);
    let cost = amount(c, &path.key("cost_per_kg"), l.cost_per_kg.unwrap_or(0.0));
    if !ok || l.departures_h.is_empty() {
        return None;
    }
    let capacity = if in_kg {
        Capacity {
            kg: Some(capacity),
            ..Capacity::default()
        }
    } else {
        Capacity {
            parcels: Some(capacity),
            ..Capacity::default()
        }
    };
    Some(Lane {
        name: "linehaul".into(),
        from: Node::Hub(0),
        to: Node::Gateway(0),
        mode: l.mode.clone().unwrap_or_else(|| "air".into()),
        period_h,
        offsets: l.departures_h.clone(),
        extra: Vec::new(),
        cancelled: Vec::new(),
        capacity,
        cutoff_h: cutoff_h?,
        transit: transit?,
        cost_per_kg: cost?,
        cost_per_departure: 0.0,
    })
}

pub(super) fn import(
    c: &mut dyn Check,
    path: &KeyPath,
    i: &super::parcel_raw::RawImport,
) -> Option<Import> {
    let path = path.clone();
    let ch = &i.channels;
    let channels = cumulative(
        c,
        &path.key("channels"),
        &[
            ("paper", ch.paper.unwrap_or(0.0)),
            ("electronic", ch.electronic.unwrap_or(0.0)),
            ("pre_arrival", ch.pre_arrival.unwrap_or(0.0)),
        ],
    );
    let risk = cumulative(
        c,
        &path.key("risk"),
        &[
            ("green", i.risk.green),
            ("yellow", i.risk.yellow),
            ("red", i.risk.red),
        ],
    );
    let uses_paper = ch.paper.unwrap_or(0.0) > 0.0;
    let paper_desk = opt_station(
        c,
        &path.key("paper_desk"),
        i.paper_desk.as_ref(),
        uses_paper,
        &format!(
            "paper declarations need [{}], the officers who handle them",
            path.key("paper_desk")
        ),
    );
    let doc_check = opt_station(
        c,
        &path.key("doc_check"),
        i.doc_check.as_ref(),
        i.risk.yellow > 0.0,
        &format!(
            "yellow-channel parcels need [{}] officers",
            path.key("doc_check")
        ),
    );
    let xray = opt_station(
        c,
        &path.key("xray"),
        i.xray.as_ref(),
        i.risk.red > 0.0,
        &format!("red-channel parcels need [{}] lanes", path.key("xray")),
    );
    let phys_share = share(
        c,
        &path.key("physical_share_of_red"),
        i.physical_share_of_red.unwrap_or(0.0),
    );
    let physical = opt_station(
        c,
        &path.key("physical"),
        i.physical.as_ref(),
        phys_share.unwrap_or(0.0) > 0.0 && i.risk.red > 0.0,
        &format!(
            "physically inspected parcels need [{}] bays",
            path.key("physical")
        ),
    );
    Some(Import {
        channel_cum: {
            let v = channels?;
            [v[0], v[1], v[2]]
        },
        paper_lodgement: opt_duration(
            c,
            &path.key("paper_lodgement_h"),
            i.paper_lodgement_h.as_ref(),
        )?,
        electronic_lodgement: opt_duration(
            c,
            &path.key("electronic_lodgement_h"),
            i.electronic_lodgement_h.as_ref(),
        )?,
        pre_arrival_lodgement: match &i.pre_arrival_lodgement_h {
            Some(spec) => c.duration(&path.key("pre_arrival_lodgement_h"), spec)?,
            None => opt_duration(
                c,
                &path.key("electronic_lodgement_h"),
                i.electronic_lodgement_h.as_ref(),
            )?,
        },
        assessment: opt_duration(c, &path.key("assessment_h"), i.assessment_h.as_ref())?,
        paper_desk: paper_desk?,
        paper_error_rate: {
            let r = share(
                c,
                &path.key("paper_error_rate"),
                i.paper_error_rate.unwrap_or(0.0),
            )?;
            if r >= 1.0 {
                c.fail(
                    &path.key("paper_error_rate"),
                    "must be below 1, or no paper declaration would ever be accepted".into(),
                );
                return None;
            }
            r
        },
        paper_rework: opt_duration(c, &path.key("paper_rework_h"), i.paper_rework_h.as_ref())?,
        risk: {
            let v = risk?;
            [v[0], v[1], v[2]]
        },
        physical_share_of_red: phys_share?,
        seizure_rate: share(c, &path.key("seizure_rate"), i.seizure_rate.unwrap_or(0.0))?,
        doc_check: doc_check?,
        xray: xray?,
        physical: physical?,
        payment: opt_duration(c, &path.key("payment_h"), i.payment_h.as_ref())?,
        exit: opt_duration(c, &path.key("exit_h"), i.exit_h.as_ref())?,
    })
}

/// Offered load of one resource of the parcel world, from mean demand.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldLoad {
    /// Resource name: a station as [`ParcelWorld::qualified`] names it, or a lane's name.
    pub name: String,
    /// Mean arrivals per hour (parcels; for a lane, in the unit of its tightest limit).
    pub arrival_rate_per_h: f64,
    /// Offered load over mean capacity (ρ).
    pub load: f64,
}

/// Mean demand through the network: parcels per hour by hub, lane and gateway, and the kg,
/// m³ and trusted parcels per hour by lane.
#[derive(Clone, Debug, Default)]
pub struct Flows {
    /// Parcels per hour sorted at each hub.
    pub hub: Vec<f64>,
    /// (parcels, kg, m³) per hour on each lane (bags routed by overflow, fastest or cheapest
    /// counted on their first lane).
    pub lane: Vec<[f64; 3]>,
    /// Parcels per hour reaching each gateway, bonded stock included.
    pub gateway: Vec<f64>,
    /// Of those, trusted sellers' parcels per hour.
    pub gateway_trusted: Vec<f64>,
    /// Of those, per channel (paper, electronic, pre-arrival) and risk (green, yellow, red):
    /// parcels per hour.
    pub gateway_channels: Vec<[f64; 3]>,
    /// Yellow and red parcels per hour before the trusted-seller factor.
    pub gateway_risk: Vec<[f64; 3]>,
}

impl ParcelWorld {
    /// Mean demand through the network over a normal week.
    pub fn flows(&self) -> Flows {
        self.flows_with(Some(&self.rule_splits()))
    }

    /// The demand (parcels, kg, m³ per hour) that each routing rule receives, over all the
    /// platforms it routes.
    fn rule_demand(&self) -> Vec<[f64; 3]> {
        let mut demand = vec![[0.0; 3]; self.routing.len()];
        let (nh, nm) = (self.hubs.len(), self.markets.len());
        for (pi, p) in self.platforms.iter().enumerate() {
            let direct = 1.0 - (p.mode_cum[3] - p.mode_cum[2]);
            let kg = p.weight_kg.mean();
            let m3 = p.volume_m3.as_ref().map_or(kg / KG_PER_M3, |d| d.mean());
            for (m, share_m) in shares_of(&p.market_cum) {
                for (h, share_h) in shares_of(&p.hub_cum) {
                    let i = (pi * nh + h) * nm + m;
                    if let Some(&r) = self.route_table.get(i)
                        && let Some(d) = demand.get_mut(r as usize)
                    {
                        let x = p.parcels_per_day / 24.0 * share_m * share_h * direct;
                        d[0] += x;
                        d[1] += x * kg;
                        d[2] += x * m3;
                    }
                }
            }
        }
        demand
    }

    /// How each routing rule splits its demand over its lanes, for mean loads: shares as
    /// given; the other rules fill their lanes in their order of choice (the preference list;
    /// by mean headway plus transit for fastest; cheapest first among the lanes whose mean
    /// headway plus transit meets the deadline, for cheapest) up to 95% of each lane's mean
    /// capacity, the last lane taking the rest. A planning estimate, not what the simulation
    /// decides bag by bag.
    fn rule_splits(&self) -> Vec<Vec<(usize, f64)>> {
        let demand = self.rule_demand();
        let speed = |l: usize| {
            let lane = &self.lanes[l];
            let headway = lane.period_h / lane.offsets.len().max(1) as f64;
            lane.cutoff_h + headway / 2.0 + lane.transit.mean()
        };
        self.routing
            .iter()
            .zip(&demand)
            .map(|(rule, d)| {
                let order: Vec<usize> = match rule {
                    Routing::Shares(s) => return shares_of(s),
                    Routing::Overflow { lanes, .. } => lanes.clone(),
                    Routing::Fastest { lanes } => {
                        let mut v = lanes.clone();
                        v.sort_by(|&a, &b| speed(a).total_cmp(&speed(b)));
                        v
                    }
                    Routing::Cheapest { lanes, deadline_h } => {
                        let (mut ok, mut late): (Vec<usize>, Vec<usize>) =
                            lanes.iter().partition(|&&l| speed(l) <= *deadline_h);
                        ok.sort_by(|&a, &b| {
                            self.lanes[a]
                                .cost_per_kg
                                .total_cmp(&self.lanes[b].cost_per_kg)
                        });
                        late.sort_by(|&a, &b| speed(a).total_cmp(&speed(b)));
                        ok.extend(late);
                        ok
                    }
                };
                let mut left: f64 = 1.0;
                let mut out = Vec::new();
                for (i, &l) in order.iter().enumerate() {
                    let lane = &self.lanes[l];
                    let per_h = lane.offsets.len() as f64 / lane.period_h;
                    // The share of the rule's demand that 95% of the lane's capacity holds.
                    let room = lane
                        .capacity
                        .limits()
                        .iter()
                        .zip(d)
                        .filter_map(|(c, x)| c.map(|c| 0.95 * c * per_h / x.max(f64::MIN_POSITIVE)))
                        .fold(f64::INFINITY, f64::min);
                    let take = if i + 1 == order.len() {
                        left
                    } else {
                        left.min(room)
                    };
                    out.push((l, take));
                    left -= take;
                    if left <= 0.0 {
                        break;
                    }
                }
                out
            })
            .collect()
    }

    fn flows_with(&self, splits: Option<&[Vec<(usize, f64)>]>) -> Flows {
        let (nh, nl, ng) = (self.hubs.len(), self.lanes.len(), self.gateways.len());
        let mut f = Flows {
            hub: vec![0.0; nh],
            lane: vec![[0.0; 3]; nl],
            gateway: vec![0.0; ng],
            gateway_trusted: vec![0.0; ng],
            gateway_channels: vec![[0.0; 3]; ng],
            gateway_risk: vec![[0.0; 3]; ng],
        };
        let diff = |cum: &[f64; 3]| [cum[0], cum[1] - cum[0], cum[2] - cum[1]];
        let nm = self.markets.len();
        for (pi, p) in self.platforms.iter().enumerate() {
            let bonded = p.mode_cum[3] - p.mode_cum[2];
            let rate = p.parcels_per_day / 24.0;
            let kg = p.weight_kg.mean();
            let m3 = p.volume_m3.as_ref().map_or(kg / KG_PER_M3, |d| d.mean());
            let at_gateway = |g: usize, r: f64, f: &mut Flows| {
                let gw = &self.gateways[g];
                f.gateway[g] += r;
                f.gateway_trusted[g] += r * p.trusted_share;
                let ch = diff(p.channel_cum.as_ref().unwrap_or(&gw.import.channel_cum));
                let rk = diff(p.risk.as_ref().unwrap_or(&gw.import.risk));
                for k in 0..3 {
                    f.gateway_channels[g][k] += r * ch[k];
                    f.gateway_risk[g][k] += r * rk[k];
                }
            };
            for (m, share_m) in shares_of(&p.market_cum) {
                if bonded > 0.0
                    && let Some(g) = self.gateways.iter().position(|g| g.market == m)
                {
                    at_gateway(g, rate * share_m * bonded, &mut f);
                }
                for (h, share_h) in shares_of(&p.hub_cum) {
                    let r = rate * share_m * share_h * (1.0 - bonded);
                    f.hub[h] += r;
                    let Some(&rule) = self.route_table.get((pi * nh + h) * nm + m) else {
                        continue;
                    };
                    let Some(split) = splits.and_then(|s| s.get(rule as usize)) else {
                        continue;
                    };
                    for &(l, share) in split {
                        let x = r * share;
                        f.lane[l][0] += x;
                        f.lane[l][1] += x * kg;
                        f.lane[l][2] += x * m3;
                        if let Node::Gateway(g) = self.lanes[l].to {
                            at_gateway(g, x, &mut f);
                        }
                    }
                }
            }
        }
        f
    }

    /// Mean offered load of every resource, over a normal week (peak days and hourly profiles
    /// make some hours busier: ρ < 1 here is necessary, not sufficient, for a backlog to drain).
    pub fn offered_loads(&self) -> Vec<WorldLoad> {
        let f = self.flows();
        let mut out = Vec::new();
        let mut station = |name: String, rate: f64, st: Option<&StationSpec>| {
            if let Some(st) = st {
                let load =
                    rate * st.service.mean() / st.schedule.mean_servers().max(f64::MIN_POSITIVE);
                out.push(WorldLoad {
                    name,
                    arrival_rate_per_h: rate,
                    load,
                });
            }
        };
        for (h, hub) in self.hubs.iter().enumerate() {
            station(
                self.qualified(Node::Hub(h), "sort"),
                f.hub[h],
                hub.sort.as_ref(),
            );
        }
        for (g, gw) in self.gateways.iter().enumerate() {
            let i = &gw.import;
            let total = f.gateway[g];
            let trusted_share = if total > 0.0 {
                f.gateway_trusted[g] / total
            } else {
                0.0
            };
            let factor = 1.0 - trusted_share + trusted_share * gw.rules.trusted_inspection_factor;
            let [paper, _, _] = f.gateway_channels[g];
            let [_, yellow, red] = f.gateway_risk[g];
            let q = |s: &str| self.qualified(Node::Gateway(g), s);
            station(
                q("paper_desk"),
                paper / (1.0 - i.paper_error_rate),
                i.paper_desk.as_ref(),
            );
            station(q("doc_check"), yellow * factor, i.doc_check.as_ref());
            station(q("xray"), red * factor, i.xray.as_ref());
            station(
                q("physical"),
                red * factor * i.physical_share_of_red,
                i.physical.as_ref(),
            );
        }
        for (l, lane) in self.lanes.iter().enumerate() {
            if !matches!(lane.from, Node::Hub(_)) {
                continue;
            }
            let per_h = (lane.offsets.len() as f64 / lane.period_h).max(f64::MIN_POSITIVE);
            // The tightest of the limits given sets the load.
            let (rate, load) = lane
                .capacity
                .limits()
                .iter()
                .zip(f.lane[l])
                .filter_map(|(cap, x)| cap.map(|c| (x, x / (per_h * c))))
                .fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
            out.push(WorldLoad {
                name: lane.name.clone(),
                arrival_rate_per_h: rate,
                load,
            });
        }
        out
    }
}

/// (entry, share) from cumulative shares.
fn shares_of(cum: &[(usize, f64)]) -> Vec<(usize, f64)> {
    let mut prev = 0.0;
    cum.iter()
        .map(|&(i, c)| {
            let share = c - prev;
            prev = c;
            (i, share)
        })
        .collect()
}

/// Kilograms per cubic metre of a parcel whose volume is not given: IATA's volumetric
/// divisor of 6,000 cm³ per kg.
pub const KG_PER_M3: f64 = 1e6 / 6000.0;
