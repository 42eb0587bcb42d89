//! The network form of a scenario: hubs, lanes, gateways, routes, exchange rates and returns
//! resolve to the indices the model uses, a one-chain file is still one hub, one lane and one
//! gateway, and bad network input is refused with its file, key, line, column and reason.

use std::io::Write;

use clearsim::scenario::Scenario;
use clearsim::scenario::network::{Node, ReturnPath, Routing};

use crate::support::clearsim;
use crate::support::{load, repo};

const FIXTURE: &str = "tests/fixtures/network-small.toml";

fn fixture_text() -> String {
    std::fs::read_to_string(repo(FIXTURE)).unwrap()
}

#[test]
fn the_small_network_resolves_every_name_to_its_index() {
    let s = load(FIXTURE, &[]);
    let w = s.world.as_ref().expect("a parcel world");
    let hubs: Vec<&str> = w.hubs.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(hubs, ["zhengzhou", "shenzhen"]);
    assert_eq!(w.markets, ["eu", "us"]);
    let gw: Vec<(&str, usize)> = w
        .gateways
        .iter()
        .map(|g| (g.name.as_str(), g.market))
        .collect();
    assert_eq!(gw, [("liege", 0), ("chicago", 1)]);
    assert_eq!(w.reporting_currency, "EUR");
    assert_eq!(w.gateways[0].fx, 1.0);
    assert_eq!(w.gateways[1].fx, 0.92);
    assert_eq!(w.gateways[1].regime.currency, "USD");
    assert_eq!(w.gateways[1].regime.de_minimis_duty, Some(800.0));
    assert_eq!(w.gateways[0].regime.ioss_ceiling, Some(150.0));
    assert!(w.gateways[0].regime.refund_on_return);
    assert_eq!(w.gateways[0].depot_per_day, Some(150_000.0));

    // Lanes: ends, timetable, limits and costs.
    let ends: Vec<(&str, Node, Node)> = w
        .lanes
        .iter()
        .map(|l| (l.name.as_str(), l.from, l.to))
        .collect();
    assert_eq!(
        ends,
        [
            ("zz-lgg", Node::Hub(0), Node::Gateway(0)),
            ("zz-rail", Node::Hub(0), Node::Gateway(0)),
            ("sz-lgg", Node::Hub(1), Node::Gateway(0)),
            ("zz-ord", Node::Hub(0), Node::Gateway(1)),
            ("lgg-zz", Node::Gateway(0), Node::Hub(0)),
        ]
    );
    let air = &w.lanes[0];
    assert_eq!(air.offsets, [2.0, 10.0, 18.0]);
    assert_eq!(air.extra, [250.0]);
    assert_eq!(air.cancelled, [266.0]);
    assert_eq!(air.capacity.parcels, Some(6000.0));
    assert_eq!(air.capacity.kg, Some(4000.0));
    assert_eq!(air.capacity.m3, None);
    assert_eq!(air.cost_per_departure, 40_000.0);
    let rail = &w.lanes[1];
    assert_eq!(rail.mode, "rail");
    assert_eq!(rail.period_h, 168.0);
    assert!(
        (rail.transit.mean() - 384.0).abs() < 1e-9,
        "a 16-day transit"
    );
    assert_eq!(rail.capacity.m3, Some(400.0));
    assert_eq!(w.outbound_lanes().count(), 4);

    // Hubs: the second has no sort and takes its own first mile; the first the default.
    assert_eq!(w.hubs[0].bag_size, 100);
    assert!(w.hubs[0].sort.is_some());
    assert_eq!(w.hubs[1].bag_size, 1);
    assert!(w.hubs[1].sort.is_none());
    assert!((w.hubs[0].first_mile.mean() - 48.0).abs() < 1e-9);
    assert!((w.hubs[1].first_mile.mean() - 14.0).abs() < 1e-9);

    // Platforms: cumulative shares in the order of the hubs and markets.
    let a = &w.platforms[0];
    assert_eq!(a.hub_cum, [(0, 0.6), (1, 1.0)]);
    assert_eq!(a.market_cum, [(0, 1.0)]);
    assert_eq!(a.channel_cum, Some([0.0, 0.5, 1.0]));
    assert_eq!(a.risk.map(|r| r[0]), Some(0.97));
    assert_eq!(
        a.collection,
        Some(clearsim::scenario::parcel::VatCollection::Sale)
    );
    assert!(a.volume_m3.is_some());
    let b = &w.platforms[1];
    assert_eq!(b.hub_cum, [(0, 1.0)]);
    assert_eq!(b.market_cum, [(0, 0.7), (1, 1.0)]);
    assert!(b.volume_m3.is_none());

    // Routing: the two [[route]]s, then one implicit rule per hub and market with one lane.
    assert_eq!(w.routing[0], Routing::Shares(vec![(0, 0.7), (1, 1.0)]));
    assert_eq!(
        w.routing[1],
        Routing::Overflow {
            lanes: vec![1, 0],
            max_wait_h: 12.0
        }
    );
    assert_eq!(
        w.routing[2],
        Routing::Shares(vec![(2, 1.0)]),
        "shenzhen → eu"
    );
    assert_eq!(
        w.routing[3],
        Routing::Shares(vec![(3, 1.0)]),
        "zhengzhou → us"
    );
    let m = u32::MAX;
    // Index (p * hubs + h) * markets + m.
    assert_eq!(w.route_table, [0, m, 2, m, 1, 3, m, m]);
    assert_eq!(
        w.route(1, 0, 0),
        Some(&w.routing[1]),
        "platform beats market"
    );
    assert_eq!(w.route(0, 0, 1), None);

    // Returns: to the origin on the lane back from Liège; locally at a cost.
    let ra = a.returns.as_ref().unwrap();
    assert_eq!(ra.share, 0.08);
    assert_eq!(
        ra.path,
        ReturnPath::Origin {
            lanes: vec![Some(4), None]
        }
    );
    let rb = b.returns.as_ref().unwrap();
    assert!(matches!(rb.path, ReturnPath::Local { cost, .. } if cost == 1.5));

    // Report names qualify stations by node.
    assert_eq!(w.qualified(Node::Gateway(0), "xray"), "liege/xray");
}

#[test]
fn a_one_chain_file_is_one_hub_one_lane_one_gateway_as_before() {
    let s = load("scenarios/paperless.toml", &[]);
    let w = s.world.as_ref().unwrap();
    assert_eq!(w.hubs.len(), 1);
    assert_eq!(w.hubs[0].name, "Zhengzhou-like airport e-commerce hub");
    assert_eq!(w.hubs[0].bag_size, 100);
    assert_eq!(w.hubs[0].bag_timeout_h, Some(2.0));
    assert!((w.hubs[0].first_mile.mean() - 48.0).abs() < 1e-9);
    assert!((w.hubs[0].export_clearance.mean() - 1.03).abs() < 1e-9);
    assert_eq!(w.lanes.len(), 1);
    let l = &w.lanes[0];
    assert_eq!(l.name, "linehaul");
    assert_eq!((l.from, l.to), (Node::Hub(0), Node::Gateway(0)));
    assert_eq!(l.mode, "air");
    assert_eq!(l.offsets, [2.0, 10.0, 18.0]);
    assert_eq!(l.period_h, 24.0);
    assert_eq!(l.capacity.limits(), [Some(60_000.0), None, None]);
    assert_eq!(l.cutoff_h, 3.0);
    assert_eq!(l.cost_per_kg, 3.0);
    assert_eq!(l.cost_per_departure, 0.0);
    assert!(l.extra.is_empty() && l.cancelled.is_empty());
    assert_eq!(w.gateways.len(), 1);
    let g = &w.gateways[0];
    assert_eq!((g.name.as_str(), g.market, g.fx), ("import", 0, 1.0));
    assert!((g.import.risk[1] - 0.98).abs() < 1e-12 && g.import.risk[2] == 1.0);
    assert_eq!(g.import.channel_cum, [0.0, 1.0, 1.0]);
    assert_eq!(g.regime.ioss_ceiling, None);
    assert!(!g.regime.refund_on_return);
    assert_eq!(w.markets, ["destination"]);
    assert_eq!(w.reporting_currency, g.regime.currency);
    assert_eq!(w.routing, [Routing::Shares(vec![(0, 1.0)])]);
    assert_eq!(w.route_table, vec![0; w.platforms.len()]);
    for p in &w.platforms {
        assert_eq!(p.hub_cum, [(0, 1.0)]);
        assert_eq!(p.market_cum, [(0, 1.0)]);
        assert!(p.channel_cum.is_none() && p.risk.is_none() && p.returns.is_none());
        assert!(p.collection.is_none() && p.volume_m3.is_none());
    }
    assert_eq!(w.qualified(Node::Gateway(0), "xray"), "xray");
}

#[test]
fn overrides_address_lanes_and_gateways_by_name() {
    let s = load(
        FIXTURE,
        &[
            "lane.zz-lgg.capacity_parcels=7000",
            "gateway.liege.import.risk.red=0.02",
            "gateway.liege.import.risk.green=0.94",
            "hub.shenzhen.first_mile_h.max=48.0",
        ],
    );
    let w = s.world.unwrap();
    assert_eq!(w.lanes[0].capacity.parcels, Some(7000.0));
    assert_eq!(w.gateways[0].import.risk, [0.94, 0.98, 1.0]);
    assert!((w.hubs[1].first_mile.mean() - 26.0).abs() < 1e-9);
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("`{needle}` not in the text"))
        + 1
}

/// The fixture with `from` replaced by `to` (which must be there), written to a file that
/// `clearsim check` refuses with exit code 2; returns the file's text and the message.
fn refused(from: &str, to: &str) -> (String, String) {
    let text = fixture_text();
    assert!(text.contains(from), "`{from}` not in the fixture");
    let text = text.replacen(from, to, 1);
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    let p = f.path().to_str().unwrap().to_string();
    let out = clearsim(&["check", &p]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(&p), "the message names the file: {err}");
    // The scenario is valid but for this one change: the message speaks of it alone.
    (text, err)
}

/// Asserts that the message has `file:line:column: `key`: reason…` at `line` and says `parts`.
fn assert_located(err: &str, line: usize, key: &str, parts: &[&str]) {
    let at = format!(":{line}:");
    let row = err
        .lines()
        .find(|l| l.contains(&format!("`{key}`")))
        .unwrap_or_else(|| panic!("no line names `{key}`: {err}"));
    assert!(row.contains(&at), "expected line {line} in: {row}");
    let col = row
        .split(&at)
        .nth(1)
        .and_then(|r| r.split(':').next())
        .unwrap_or("");
    assert!(
        col.parse::<usize>().is_ok_and(|c| c >= 1),
        "a column: {row}"
    );
    for part in parts {
        assert!(row.contains(part), "expected `{part}` in: {row}");
    }
}

#[test]
fn a_lane_to_an_unknown_gateway_lists_the_gateways() {
    let (text, err) = refused("to = \"chicago\"", "to = \"chicgo\"");
    assert_located(
        &err,
        line_of(&text, "to = \"chicgo\""),
        "lane[3].to",
        &[
            "no gateway named `chicgo`",
            "did you mean `chicago`?",
            "`liege`, `chicago`",
        ],
    );
}

#[test]
fn a_platform_shipping_from_an_unknown_hub_lists_the_hubs() {
    let (text, err) = refused(
        "zhengzhou = 0.6, shenzhen = 0.4",
        "zhengzhou = 0.6, shenzen = 0.4",
    );
    assert_located(
        &err,
        line_of(&text, "shenzen = 0.4"),
        "platform[0].hubs.shenzen",
        &[
            "no hub named `shenzen`",
            "did you mean `shenzhen`?",
            "`zhengzhou`, `shenzhen`",
        ],
    );
}

#[test]
fn route_shares_must_sum_to_one() {
    let (text, err) = refused("zz-lgg = 0.7, zz-rail = 0.3", "zz-lgg = 0.7, zz-rail = 0.2");
    assert_located(
        &err,
        line_of(&text, "zz-rail = 0.2"),
        "route[0].shares",
        &["must sum to 1", "they sum to 0.9"],
    );
}

#[test]
fn a_preferred_lane_must_leave_the_routes_hub() {
    let (text, err) = refused(
        "prefer = [\"zz-rail\", \"zz-lgg\"]",
        "prefer = [\"zz-rail\", \"sz-lgg\"]",
    );
    assert_located(
        &err,
        line_of(&text, "prefer = "),
        "route[1].prefer[1]",
        &[
            "lane `sz-lgg` leaves hub `shenzhen`, not hub `zhengzhou`",
            "`zz-lgg`",
        ],
    );
}

#[test]
fn a_gateway_currency_needs_an_exchange_rate() {
    let (text, err) = refused("rates = { USD = 0.92 }", "rates = { CNY = 0.128 }");
    assert_located(
        &err,
        line_of(&text, "currency = \"USD\""),
        "gateway[1].regime.currency",
        &["gateway `chicago` is in USD", "[exchange] rates", "USD = "],
    );
}

#[test]
fn a_capacity_of_zero_is_refused() {
    let (text, err) = refused("capacity_parcels = 8000", "capacity_parcels = 0");
    assert_located(
        &err,
        line_of(&text, "capacity_parcels = 0"),
        "lane[2].capacity_parcels",
        &["at least 1 parcel", "got 0"],
    );
}

#[test]
fn linehaul_and_lanes_do_not_mix() {
    let extra = "\n[linehaul]\ndepartures_h = [2.0]\ncapacity_parcels = 100\ntransit_h = { dist = \"deterministic\", value = 1.0 }\n";
    let (text, err) = refused(
        "[[gateway]]\nname = \"liege\"",
        &format!("{extra}\n[[gateway]]\nname = \"liege\""),
    );
    assert_located(
        &err,
        line_of(&text, "[linehaul]"),
        "linehaul",
        &["[[lane]]", "not [linehaul]"],
    );
}

#[test]
fn a_cancelled_departure_must_be_on_the_timetable() {
    let (text, err) = refused(
        "cancelled_departures_h = [266.0]",
        "cancelled_departures_h = [267.0]",
    );
    assert_located(
        &err,
        line_of(&text, "cancelled_departures_h"),
        "lane[0].cancelled_departures_h[0]",
        &["267 h is not a timetabled departure", "266, 274, 282"],
    );
}

#[test]
fn several_lanes_to_a_market_need_a_route() {
    let route = "[[route]]\nhub = \"zhengzhou\"\nmarket = \"eu\"\nshares = { zz-lgg = 0.7, zz-rail = 0.3 }\n";
    let (text, err) = refused(route, "");
    assert_located(
        &err,
        line_of(&text, "hubs = { zhengzhou"),
        "platform[0].hubs.zhengzhou",
        &[
            "hub `zhengzhou` has 2 lanes to market `eu`",
            "add a [[route]]",
        ],
    );
}

#[test]
fn an_overloaded_lane_is_blamed_by_its_key() {
    let text = fixture_text()
        .replacen("capacity_parcels = 8000", "capacity_parcels = 10", 1)
        .replacen("horizon_h = 672.0", "horizon_h = 876000.0", 1);
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    let err = Scenario::load(f.path(), &[]).unwrap_err().to_string();
    let lane_header = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "[[lane]]")
        .nth(2)
        .map(|(i, _)| i + 1)
        .unwrap();
    assert_located(&err, lane_header, "lane[2]", &["offered load at `sz-lgg`"]);
}

#[test]
fn hub_is_a_table_or_an_array_of_tables_never_both() {
    let (_, err) = refused("[[hub]]\nname = \"shenzhen\"", "[hub]\nname = \"shenzhen\"");
    assert!(
        err.contains("`[hub]` and `[[hub]]` cannot both be given"),
        "{err}"
    );
    let (_, err) = refused("bag_size = 100", "bag_size = \"many\"");
    assert!(err.contains("`bag_size`: expected a whole number"), "{err}");
}

#[test]
fn origin_returns_take_no_local_keys() {
    let (text, err) = refused("path = \"origin\"", "path = \"origin\"\ncost_eur = 2.0");
    assert_located(
        &err,
        line_of(&text, "cost_eur = 2.0"),
        "platform[0].returns.cost_eur",
        &["applies to `path = \"local\"`"],
    );
}
