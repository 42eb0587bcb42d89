//! The network section: per-gateway, lane, hub and returns figures aggregate hand-built
//! replications into the right means and intervals, shares stay in [0, 1], net revenue is
//! duty and VAT less refunds, the bottleneck can be a lane, the report draws a well-formed
//! network diagram, and a one-chain run has no `network` key.

use clearsim::experiment::network_summary::{NetworkSummary, summarize_network};
use clearsim::experiment::{self, summarize_world};
use clearsim::model::parcel::{
    GatewayFigures, LaneFigures, ParcelReplication, StationReplication, simulate_world,
};
use clearsim::report::doc::{self, ResultDoc};
use clearsim::report::network_report;
use clearsim::scenario::Scenario;
use clearsim::scenario::network::Node;
use clearsim::scenario::parcel::ParcelWorld;
use clearsim::stats::{Bounds, Tally, TallyHist, interval95};

use crate::support::load;

fn short() -> Scenario {
    load(
        "tests/fixtures/world-small.toml",
        &["run.horizon_h=36", "run.warmup_h=24", "run.replications=2"],
    )
}

/// The small world made a network: two hubs, two gateways (Budapest in HUF), an air lane, a
/// rail lane and a road lane back from Liège.
fn network_world(sc: &Scenario) -> ParcelWorld {
    let mut w = sc.world.clone().unwrap();
    w.hubs[0].name = "Zhengzhou".into();
    let mut h2 = w.hubs[0].clone();
    h2.name = "Shenzhen".into();
    w.hubs.push(h2);
    w.gateways[0].name = "Liege".into();
    let mut g2 = w.gateways[0].clone();
    g2.name = "Budapest".into();
    g2.fx = 0.0025;
    g2.regime.currency = "HUF".into();
    w.gateways.push(g2);
    w.lanes[0].name = "ZZ-LGG".into();
    w.lanes[0].mode = "air".into();
    let mut rail = w.lanes[0].clone();
    rail.name = "SZ-BUD".into();
    rail.mode = "rail".into();
    rail.from = Node::Hub(1);
    rail.to = Node::Gateway(1);
    let mut back = w.lanes[0].clone();
    back.name = "LGG-ZZ".into();
    back.mode = "road".into();
    back.from = Node::Gateway(0);
    back.to = Node::Hub(0);
    w.lanes.push(rail);
    w.lanes.push(back);
    w
}

fn th(value: f64, n: u64) -> TallyHist {
    let mut t = TallyHist::new();
    for _ in 0..n {
        t.record(value);
    }
    t
}

fn tally(value: f64) -> Tally {
    let mut t = Tally::default();
    t.record(value);
    t
}

/// What one hand-built replication holds.
struct Hand {
    clearance: [f64; 2],
    lane_wait: f64,
    station_wait: f64,
    duty: f64,
    vat: f64,
    refunds: [f64; 2],
}

impl Default for Hand {
    fn default() -> Self {
        Hand {
            clearance: [10.0, 20.0],
            lane_wait: 1.0,
            station_wait: 0.1,
            duty: 5.0,
            vat: 3.0,
            refunds: [50.0, 30.0],
        }
    }
}

/// A replication of the network world: a real one-chain replication as the template, its
/// network figures set by hand (1,000 parcels cleared and delivered, 500 per gateway).
fn replication(template: &ParcelReplication, index: u64, h: &Hand) -> ParcelReplication {
    let mut r = template.clone();
    r.index = index;
    r.observed_h = 24.0;
    r.delivered_after_warmup = 1000;
    r.clearance = th(h.clearance[0], 1000);
    r.duty = tally(h.duty);
    r.vat = tally(h.vat);
    let station = |s: &Option<StationReplication>| {
        s.clone().map(|mut s| {
            s.wait = th(h.station_wait, 100);
            s.utilization = 0.5;
            s
        })
    };
    let t = &template.stations;
    r.stations = [0, 0, 1, 2, 3, 4, 1, 2, 3, 4]
        .iter()
        .map(|&i| station(&t[i]))
        .collect();
    r.gateways = ["Liege", "Budapest"]
        .iter()
        .enumerate()
        .map(|(g, name)| {
            let mut f = GatewayFigures {
                name: name.to_string(),
                arrived: 510,
                seized: 10,
                delivered: 500,
                clearance: th(h.clearance[g], 500),
                exit: th(0.5, 500),
                end_to_end: th(h.clearance[g] + 40.0, 500),
                duty: tally(h.duty),
                vat: tally(h.vat),
                ..Default::default()
            };
            f.segments = (0..5).map(|_| th(h.clearance[g] / 5.0, 500)).collect();
            for (k, c) in f.cost.iter_mut().enumerate() {
                c.record(k as f64);
            }
            f
        })
        .collect();
    r.lanes = [("ZZ-LGG", "air"), ("SZ-BUD", "rail"), ("LGG-ZZ", "road")]
        .iter()
        .map(|(name, mode)| {
            let mut f = LaneFigures {
                name: name.to_string(),
                mode: mode.to_string(),
                departures: 2,
                parcels: 500,
                kg: 800.0,
                max_fill: 0.9,
                wait: th(h.lane_wait, 500),
                overflowed: if *name == "ZZ-LGG" { 40 } else { 0 },
                fixed_cost: 1000.0,
                freight_cost: 1600.0,
                ..Default::default()
            };
            f.load_factor[0].record(0.8);
            f.load_factor[0].record(0.9);
            f
        })
        .collect();
    r.hubs = ["Zhengzhou", "Shenzhen"]
        .iter()
        .map(|name| clearsim::model::parcel::HubFigures {
            name: name.to_string(),
            bags: 20,
            parcels: 500,
            export: th(2.0, 20),
        })
        .collect();
    r.returns.started = 50;
    r.returns.closed = 40;
    r.returns.open = 10;
    r.returns.time = th(100.0, 40);
    r.returns.duty_refunded = h.refunds[0];
    r.returns.vat_refunded = h.refunds[1];
    r.returns.cost = 200.0;
    r
}

fn fixture() -> (Scenario, ParcelWorld, ParcelReplication) {
    let sc = short();
    let template = simulate_world(&sc, sc.world.as_ref().unwrap(), 0);
    let w = network_world(&sc);
    (sc, w, template)
}

fn network_of(w: &ParcelWorld, reps: &[ParcelReplication]) -> NetworkSummary {
    summarize_network(w, reps).expect("a network world has a network section")
}

#[test]
fn per_gateway_means_and_intervals_come_from_the_replication_values() {
    let (_, w, t) = fixture();
    let reps: Vec<_> = [10.0, 12.0, 14.0]
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let hand = Hand {
                clearance: [c, 2.0 * c],
                ..Default::default()
            };
            replication(&t, i as u64, &hand)
        })
        .collect();
    let net = network_of(&w, &reps);
    let names: Vec<&str> = net.gateways.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Liege", "Budapest"]);
    let (liege, budapest) = (&net.gateways[0], &net.gateways[1]);
    assert!((liege.clearance_hours.mean - 12.0).abs() < 1e-9);
    assert_eq!(
        liege.clearance_hours.ci95,
        interval95(&[10.0, 12.0, 14.0], Bounds::NonNegative)
    );
    assert!((budapest.clearance_hours.mean - 24.0).abs() < 1e-9);
    assert_eq!(
        budapest.clearance_hours.ci95,
        interval95(&[20.0, 24.0, 28.0], Bounds::NonNegative)
    );
    assert_eq!(liege.clearance_hours.count, 1500);
    assert_eq!(
        (liege.arrived, liege.seized, liege.delivered),
        (1530, 30, 1500)
    );
    // 500 delivered in a 24 h window: 500 a day, the same in every replication.
    assert!((liege.throughput_per_day.mean - 500.0).abs() < 1e-9);
    // Segments add up to clearance.
    let seg: f64 = liege.segments.iter().map(|s| s.hours.mean).sum();
    assert!((seg - 12.0).abs() < 1e-9);
    // Money in the gateway's own currency is the reporting amount over fx.
    assert_eq!(budapest.own.currency, "HUF");
    assert_eq!(budapest.reporting.currency, net.currency);
    let total = 0.0 + 1.0 + 2.0 + 3.0 + 4.0 + 5.0;
    assert!((budapest.reporting.cost_total.mean - total).abs() < 1e-9);
    assert!((budapest.own.cost_total.mean - total / 0.0025).abs() < 1e-6);
    assert!((budapest.own.duty.mean - 5.0 / 0.0025).abs() < 1e-6);
    assert!((liege.own.vat.mean - 3.0 / w.gateways[0].fx).abs() < 1e-9);
    // Lanes: departures and parcels summed, costs per day of the window.
    let air = &net.lanes[0];
    assert_eq!(
        (air.departures, air.parcels, air.overflowed),
        (6, 1500, 120)
    );
    assert!((air.fixed_cost_per_day.mean - 1000.0).abs() < 1e-9);
    let parcels_limit = air.load_factor.parcels.as_ref().expect("a parcel limit");
    assert!((parcels_limit.mean.mean - 0.85).abs() < 1e-9);
    assert!((parcels_limit.max - 0.9).abs() < 1e-12);
    assert!(net.lanes[2].return_lane && !air.return_lane);
    assert_eq!(
        (net.lanes[2].from.as_str(), net.lanes[2].to.as_str()),
        ("Liege", "Zhengzhou")
    );
    // Hubs: sort utilisation from the station named for the hub.
    let zz = &net.hubs[0];
    assert_eq!(zz.bags, 60);
    if let Some(u) = &zz.sort_utilization {
        assert!((u.mean - 0.5).abs() < 1e-12);
    }
}

#[test]
fn shares_released_within_stay_inside_zero_and_one() {
    let (_, w, t) = fixture();
    // Liège releases everything within 1 h in every replication, Budapest nothing within 48.
    let reps: Vec<_> = (0..2)
        .map(|i| {
            let hand = Hand {
                clearance: [0.5, 60.0 + i as f64],
                ..Default::default()
            };
            replication(&t, i, &hand)
        })
        .collect();
    let net = network_of(&w, &reps);
    for g in &net.gateways {
        let r = &g.released_within;
        for l in [&r.h1, &r.h24, &r.h48] {
            assert!((0.0..=1.0).contains(&l.mean), "{}: {l:?}", g.name);
            let [lo, hi] = l.ci95.expect("2 replications give an interval");
            assert!(
                0.0 <= lo && lo <= l.mean && l.mean <= hi && hi <= 1.0,
                "{l:?}"
            );
        }
    }
    assert_eq!(net.gateways[0].released_within.h1.mean, 1.0);
    assert!(net.gateways[0].released_within.h1.ci95.unwrap()[0] < 1.0);
    assert_eq!(net.gateways[1].released_within.h48.mean, 0.0);
    let share = &net.returns.as_ref().unwrap().return_share;
    let [lo, hi] = share.ci95.unwrap();
    assert!(0.0 <= lo && hi <= 1.0 && (share.mean - 0.05).abs() < 1e-12);
}

#[test]
fn net_revenue_after_refunds_is_duty_and_vat_less_refunds_per_parcel() {
    let (_, w, t) = fixture();
    let reps: Vec<_> = [[50.0, 30.0], [70.0, 50.0]]
        .iter()
        .enumerate()
        .map(|(i, &refunds)| {
            let hand = Hand {
                refunds,
                ..Default::default()
            };
            replication(&t, i as u64, &hand)
        })
        .collect();
    let r = network_of(&w, &reps).returns.expect("returns");
    assert_eq!((r.started, r.closed, r.open), (100, 80, 20));
    // (5 + 3) − (50 + 30) / 1000 = 7.92 and (5 + 3) − (70 + 50) / 1000 = 7.88.
    assert!((r.revenue_per_parcel.mean - 8.0).abs() < 1e-12);
    assert!((r.duty_refunded_per_parcel.mean - 0.06).abs() < 1e-12);
    assert!((r.vat_refunded_per_parcel.mean - 0.04).abs() < 1e-12);
    assert!((r.net_revenue_per_parcel.mean - 7.90).abs() < 1e-12);
    assert_eq!(
        r.net_revenue_per_parcel.ci95,
        interval95(&[7.92, 7.88], Bounds::Real)
    );
    let net = r.revenue_per_parcel.mean
        - r.duty_refunded_per_parcel.mean
        - r.vat_refunded_per_parcel.mean;
    assert!((r.net_revenue_per_parcel.mean - net).abs() < 1e-12);
    assert!((r.cost_per_parcel.mean - 0.2).abs() < 1e-12);
}

#[test]
fn the_bottleneck_is_a_lane_when_waiting_for_its_departures_delays_parcels_most() {
    let (_, w, t) = fixture();
    let slow_lane = Hand {
        lane_wait: 9.0,
        station_wait: 0.1,
        ..Default::default()
    };
    let reps: Vec<_> = (0..2).map(|i| replication(&t, i, &slow_lane)).collect();
    let b = network_of(&w, &reps).bottleneck.expect("a bottleneck");
    assert_eq!(b.kind, "lane");
    assert!(
        ["ZZ-LGG", "SZ-BUD"].contains(&b.name.as_str()),
        "{}",
        b.name
    );
    // 500 parcels wait 9 h each, per 1,000 cleared: 4.5 h per parcel.
    assert!((b.delay_per_parcel_hours.mean - 4.5).abs() < 1e-9);
    assert!((b.mean_wait_hours.mean - 9.0).abs() < 1e-9);
    assert!((b.p95_wait_hours - 9.0).abs() < 1.0);
    // The return lane holds returns, not parcels on their way in: never the bottleneck.
    assert_ne!(b.name, "LGG-ZZ");
    // With long station waits and short lane waits, a station is the bottleneck.
    let slow_station = Hand {
        lane_wait: 0.1,
        station_wait: 30.0,
        ..Default::default()
    };
    let reps: Vec<_> = (0..2).map(|i| replication(&t, i, &slow_station)).collect();
    let b = network_of(&w, &reps).bottleneck.expect("a bottleneck");
    assert_eq!(b.kind, "station");
    assert!(
        b.name.contains('/'),
        "a station of a network is named node/stage: {}",
        b.name
    );
}

#[test]
fn the_network_section_is_read_back_from_the_json() {
    let (sc, w, t) = fixture();
    let reps: Vec<_> = (0..2)
        .map(|i| replication(&t, i, &Hand::default()))
        .collect();
    let summary = summarize_world(&sc, &w, &reps);
    let json = clearsim::report::json(&summary);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value["network"]["gateways"][1]["own"]["cost_total"]["ci95"].is_array());
    assert!(value["network"]["returns"]["net_revenue_per_parcel"]["mean"].is_number());
    let ResultDoc::Run(run) = doc::parse(&json, "summary.json").unwrap() else {
        panic!("a run document");
    };
    assert_eq!(run.network, summary.network);
    // The stations of a network world are named node/stage.
    assert!(summary.stages.iter().any(|s| s.name == "Shenzhen/sort"));
}

#[test]
fn a_one_chain_run_has_no_network_key() {
    let sc = short();
    let out = experiment::run(&sc, 0).unwrap();
    assert!(out.summary.network.is_none());
    let json = clearsim::report::json(&out.summary);
    assert!(
        !json.contains("\"network\""),
        "one chain, no network section"
    );
    let ResultDoc::Run(run) = doc::parse(&json, "summary.json").unwrap() else {
        panic!("a run document");
    };
    assert!(run.network.is_none());
}

#[test]
fn the_network_diagram_has_a_node_per_hub_and_gateway_and_a_path_per_lane() {
    let (_, w, t) = fixture();
    let reps: Vec<_> = (0..2)
        .map(|i| replication(&t, i, &Hand::default()))
        .collect();
    let net = network_of(&w, &reps);
    let svg = network_report::diagram(&net);
    let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("not XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("id"), Some(network_report::DIAGRAM_ID));
    let class_of = |n: &roxmltree::Node| n.attribute("class").unwrap_or("").to_string();
    let nodes = |kind: &str| {
        doc.descendants()
            .filter(|n| n.tag_name().name() == "g" && class_of(n) == format!("node {kind}"))
            .count()
    };
    assert_eq!(nodes("hub"), 2);
    assert_eq!(nodes("gateway"), 2);
    let lanes: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "path" && class_of(n).starts_with("lane"))
        .collect();
    assert_eq!(lanes.len(), 3, "one path per lane");
    for l in &lanes {
        let dashed = l.attribute("stroke-dasharray").is_some();
        let back = l.attribute("data-lane") == Some("LGG-ZZ");
        assert_eq!(dashed, back, "only return lanes are dashed");
    }
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("rail") && t.contains("/day"))
    );
    assert!(
        texts.iter().any(|t| t.contains("[h]")),
        "a legend with its unit"
    );
    assert!(!svg.contains("url(") && !svg.contains("<script"));
}

#[test]
fn the_report_has_network_tables_and_findings_and_a_narrow_memo() {
    let (sc, w, t) = fixture();
    let reps: Vec<_> = (0..2)
        .map(|i| replication(&t, i, &Hand::default()))
        .collect();
    let output = experiment::RunOutput {
        summary: summarize_world(&sc, &w, &reps),
        backlog: Vec::new(),
    };
    let input = clearsim::report::ReportInput::of_run(&output).unwrap();
    let html = input.html();
    roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("the report is not well-formed: {e}"));
    assert!(html.contains("id=\"network\""));
    let md = input.markdown();
    for heading in [
        "## Network",
        "## Gateways",
        "## Lanes",
        "## Origin hubs",
        "## Returns",
    ] {
        assert!(md.contains(heading), "{heading}");
    }
    assert!(md.contains("Budapest clears slowest"), "{md}");
    assert!(md.contains("fullest lane"));
    assert!(md.contains("ZZ-LGG overflows most"));
    assert!(md.contains("bottleneck is the"));
    assert!(md.contains(network_report::NOISE_ONLY));
    let start = md.find("## Network").unwrap();
    for line in md[start..].lines().filter(|l| l.starts_with('|')) {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
}

#[test]
fn compare_differences_gateway_clearance_only_between_networks_of_the_same_names() {
    use clearsim::experiment::compare::gateway_rows;
    use clearsim::experiment::network_summary::gateway_clearance_values;
    let (_, w, t) = fixture();
    let side = |base: f64| -> Vec<ParcelReplication> {
        (0..3)
            .map(|i| {
                let c = base + i as f64;
                let hand = Hand {
                    clearance: [c, c * c],
                    ..Default::default()
                };
                replication(&t, i, &hand)
            })
            .collect()
    };
    let (ra, rb) = (side(10.0), side(12.0));
    let (na, nb) = (network_of(&w, &ra), network_of(&w, &rb));
    let (va, vb) = (gateway_clearance_values(&ra), gateway_clearance_values(&rb));
    let rows = gateway_rows([Some(&na), Some(&nb)], [&va, &vb], true);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].gateway, "Liege");
    // Liège: B − A is 2 h in every replication, so the paired interval is exactly [2, 2].
    let d = rows[0].clearance_hours.difference.clone().unwrap();
    assert!((d.mean - 2.0).abs() < 1e-9);
    let [lo, hi] = d.ci95.unwrap();
    assert!((lo - 2.0).abs() < 1e-9 && (hi - 2.0).abs() < 1e-9);
    assert!(rows[0].clearance_hours.significant);
    // Budapest: 100, 121, 144 against 144, 169, 196.
    let d = rows[1].clearance_hours.difference.clone().unwrap();
    assert!((d.mean - (509.0 - 365.0) / 3.0).abs() < 1e-9);
    // Not both networks, or other gateway names: no gateway rows.
    assert!(gateway_rows([Some(&na), None], [&va, &vb], true).is_empty());
    let mut renamed = nb.clone();
    renamed.gateways[1].name = "Vienna".into();
    assert!(gateway_rows([Some(&na), Some(&renamed)], [&va, &vb], true).is_empty());
}

#[test]
fn the_compare_report_shows_gateway_differences_only_when_the_comparison_has_them() {
    let lvl = |m: f64| serde_json::json!({ "mean": m, "ci95": [m - 0.5, m + 0.5] });
    let mut doc = serde_json::json!({
        "clearsim_version": "0", "a": { "name": "a", "sha256": "" },
        "b": { "name": "b", "sha256": "" }, "seed": 1, "replications": 3,
        "warmup_hours": [24.0, 24.0], "horizon_hours": [120.0, 120.0], "rows": [],
        "gateways": [
            { "gateway": "Liege", "clearance_hours":
                { "a": lvl(10.0), "b": lvl(12.0), "difference": lvl(2.0), "significant": true } },
            { "gateway": "Budapest", "clearance_hours":
                { "a": lvl(20.0), "b": lvl(20.1), "difference": lvl(0.1), "significant": false } }
        ]
    });
    let parsed: clearsim::results::Comparison = serde_json::from_value(doc.clone()).unwrap();
    let (section, finding) = network_report::compare_section(&parsed).expect("a section");
    assert_eq!(section.heading, "Gateways");
    assert!(
        finding.contains("Liege") && finding.contains("+2.00"),
        "{finding}"
    );
    let md = clearsim::report::page::markdown(&clearsim::report::page::Report {
        title: "t".into(),
        subtitle: String::new(),
        sections: vec![section],
    });
    assert!(md.contains("| Budapest | 20.0 | 20.1 | +0.10 |"), "{md}");
    assert!(md.contains(network_report::NOISE_ONLY));
    // Older documents, and comparisons of different networks, have no `gateways`.
    doc.as_object_mut().unwrap().remove("gateways");
    let parsed: clearsim::results::Comparison = serde_json::from_value(doc).unwrap();
    assert!(network_report::compare_section(&parsed).is_none());
}

#[test]
fn the_run_table_shows_the_network_within_100_columns() {
    let (sc, w, t) = fixture();
    let reps: Vec<_> = (0..2)
        .map(|i| replication(&t, i, &Hand::default()))
        .collect();
    let table = clearsim::report::table::render(&summarize_world(&sc, &w, &reps));
    assert!(table.contains("clearance by gateway"), "{table}");
    assert!(table.contains("Budapest") && table.contains("SZ-BUD (rail)"));
    assert!(table.contains("network bottleneck"));
    for line in table.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
}

/// The network world with routes from both hubs: half of every platform's parcels ship from
/// Shenzhen by rail to Budapest.
fn routed_network_world(sc: &Scenario) -> ParcelWorld {
    use clearsim::scenario::network::Routing;
    let mut w = network_world(sc);
    let markets = w.markets.len();
    let rail = w.routing.len() as u32;
    w.routing.push(Routing::Shares(vec![(1, 1.0)]));
    let mut table = Vec::new();
    for p in 0..w.platforms.len() {
        for h in 0..2 {
            for m in 0..markets {
                table.push(if h == 0 {
                    sc.world.as_ref().unwrap().route_table[p * markets + m]
                } else {
                    rail
                });
            }
        }
    }
    w.route_table = table;
    for p in &mut w.platforms {
        p.hub_cum = vec![(0, 0.5), (1, 1.0)];
    }
    w
}

#[test]
fn a_simulated_network_fills_the_network_section_and_its_report() {
    let sc = load(
        "tests/fixtures/world-small.toml",
        &["run.horizon_h=120", "run.warmup_h=24"],
    );
    let w = routed_network_world(&sc);
    let reps: Vec<_> = (0..2).map(|i| simulate_world(&sc, &w, i)).collect();
    let summary = summarize_world(&sc, &w, &reps);
    let net = summary.network.as_ref().expect("a network section");
    let (liege, budapest) = (&net.gateways[0], &net.gateways[1]);
    assert!(liege.arrived > 0 && budapest.arrived > 0, "{liege:?}");
    assert!(net.lanes[0].parcels > 0 && net.lanes[1].parcels > 0);
    for g in &net.gateways {
        for l in [&g.released_within.h1, &g.released_within.h24] {
            let [lo, hi] = l.ci95.unwrap();
            assert!(0.0 <= lo && hi <= 1.0);
        }
    }
    let output = experiment::RunOutput {
        summary,
        backlog: Vec::new(),
    };
    let md = clearsim::report::ReportInput::of_run(&output)
        .unwrap()
        .markdown();
    assert!(md.contains("## Gateways") && md.contains("Budapest"));
    // A lane that carried nothing has no interval to show, not "1 replication".
    let back = md
        .lines()
        .find(|l| l.starts_with("| LGG-ZZ | 0 |"))
        .unwrap();
    assert!(!back.contains("no CI"), "{back}");
}

#[test]
fn a_gateways_labour_is_converted_from_its_own_currency() {
    // The small network's Chicago gateway counts in US dollars (1 USD = 0.92 EUR, reported in
    // EUR). Give its documentary check's two officers 100 USD an hour and Liège's six 40 EUR:
    // Chicago's labour is 2 × 100 × 0.92 = 184 EUR an hour on duty, Liège's 240 EUR.
    let text = std::fs::read_to_string(crate::support::repo("tests/fixtures/network-small.toml"))
        .unwrap()
        .replacen(
            "servers = 2\nservice_h = { dist = \"exponential\", mean = 0.2 }",
            "servers = 2\nservice_h = { dist = \"exponential\", mean = 0.2 }\nlabour_per_hour = 100.0",
            1,
        )
        .replacen(
            "servers = 6\nservice_h = { dist = \"exponential\", mean = 0.2 }",
            "servers = 6\nservice_h = { dist = \"exponential\", mean = 0.2 }\nlabour_per_hour = 40.0",
            1,
        );
    assert!(text.contains("labour_per_hour = 100.0") && text.contains("labour_per_hour = 40.0"));
    let sets: Vec<clearsim::scenario::Override> = ["run.horizon_h=120", "run.warmup_h=48"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let sc = Scenario::from_bytes(text.as_bytes(), "labour-in-dollars.toml", &sets)
        .unwrap_or_else(|e| panic!("{e}"));
    let w = sc.world.as_ref().unwrap();
    assert_eq!(
        (w.gateways[1].regime.currency.as_str(), w.gateways[1].fx),
        ("USD", 0.92)
    );
    let r = simulate_world(&sc, w, 0);
    // Labour counts over the observation window, after the warm-up: 72 h.
    let hours = 120.0 - 48.0;
    let (liege, chicago) = (&r.gateways[0], &r.gateways[1]);
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y;
    assert!(
        close(chicago.labour_total, 2.0 * 100.0 * 0.92 * hours),
        "Chicago's labour {} EUR, expected {} EUR (2 officers × 100 USD/h × 0.92 EUR/USD × {hours} h)",
        chicago.labour_total,
        2.0 * 100.0 * 0.92 * hours
    );
    assert!(
        close(liege.labour_total, 6.0 * 40.0 * hours),
        "Liège's labour {} EUR",
        liege.labour_total
    );
    assert!(close(
        r.labour_total,
        liege.labour_total + chicago.labour_total
    ));
    // Per delivered parcel, in EUR like the gateway's fees.
    assert!(chicago.delivered > 0);
    let per_parcel = chicago.labour_total / chicago.delivered as f64;
    assert!(close(chicago.cost[4].mean(), per_parcel));
}
