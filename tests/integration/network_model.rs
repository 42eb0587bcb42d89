//! The network model on networks built in code from a one-chain fixture: conservation,
//! capacity, cut-off and overflow rules (overflow only from a full lane, whatever the rule),
//! extra departures beside timetabled ones, routing shares, returns, and drawn networks.

use clearsim::model::parcel::{ParcelObserver, ParcelReplication, simulate_world_observed};
use clearsim::scenario::Scenario;
use clearsim::scenario::network::{Capacity, Node, ReturnPath, Returns, Routing};
use clearsim::scenario::parcel::ParcelWorld;
use rand::{RngExt, SeedableRng};

use crate::support::load;

/// The fixture's world, with `hubs` hubs and `gateways` gateways copied from its own (named
/// `h0…`, `g0…`), all gateways in one market, and no lanes or routes yet.
fn base(hubs: usize, gateways: usize, horizon_h: f64) -> (Scenario, ParcelWorld) {
    let mut sc = load("tests/fixtures/world-small.toml", &[]);
    sc.run.horizon_h = Some(horizon_h);
    let mut w = sc.world.clone().unwrap();
    let (hub, gateway) = (w.hubs[0].clone(), w.gateways[0].clone());
    w.hubs = (0..hubs)
        .map(|i| {
            let mut h = hub.clone();
            h.name = format!("h{i}");
            h
        })
        .collect();
    w.gateways = (0..gateways)
        .map(|i| {
            let mut g = gateway.clone();
            g.name = format!("g{i}");
            g
        })
        .collect();
    w.lanes.clear();
    w.routing.clear();
    (sc, w)
}

/// A lane from hub `h` to gateway `g` like the fixture's, with `capacity` parcels a departure.
fn lane(name: &str, h: usize, g: usize, capacity: f64) -> clearsim::scenario::network::Lane {
    let sc = load("tests/fixtures/world-small.toml", &[]);
    let mut l = sc.world.unwrap().lanes[0].clone();
    l.name = name.into();
    l.from = Node::Hub(h);
    l.to = Node::Gateway(g);
    l.capacity = Capacity {
        parcels: Some(capacity),
        ..Capacity::default()
    };
    l
}

/// Points every (platform, hub, market) at rule `rule_of(hub, market)`.
fn route_all(w: &mut ParcelWorld, rule_of: impl Fn(usize, usize) -> usize) {
    let (np, nh, nm) = (w.platforms.len(), w.hubs.len(), w.markets.len());
    w.route_table = vec![u32::MAX; np * nh * nm];
    for p in 0..np {
        for h in 0..nh {
            for m in 0..nm {
                w.route_table[(p * nh + h) * nm + m] = rule_of(h, m) as u32;
            }
        }
    }
}

/// Checks every departure against its capacity and remembers what the lanes carried.
#[derive(Default)]
struct Watch {
    departures: Vec<(usize, f64, [f64; 3])>,
    over_capacity: u64,
    routed: Vec<(f64, u32, usize, usize)>,
}

impl ParcelObserver for Watch {
    fn released(&mut self, _: f64, _: [f64; 5], _: f64) {}

    fn departed(&mut self, lane: usize, at: f64, load: [f64; 3], capacity: [f64; 3]) {
        if (0..3).any(|k| load[k] > capacity[k]) {
            self.over_capacity += 1;
        }
        self.departures.push((lane, at, load));
    }

    fn routed(&mut self, at: f64, parcels: u32, preferred: usize, chosen: usize) {
        self.routed.push((at, parcels, preferred, chosen));
    }
}

fn simulate(sc: &Scenario, w: &ParcelWorld, index: u64) -> (ParcelReplication, Watch) {
    let mut watch = Watch::default();
    let r = simulate_world_observed(sc, w, index, &mut watch);
    (r, watch)
}

/// created = kept + returned + seized + refused + held, each counted on its own.
fn assert_conserved(what: &str, r: &ParcelReplication) {
    let kept = r.delivered - r.returned - r.returning;
    assert_eq!(
        r.created,
        kept + r.returned + r.seized + r.oversize_refused + r.held,
        "{what}: created {} delivered {} returned {} returning {} seized {} refused {} held {}",
        r.created,
        r.delivered,
        r.returned,
        r.returning,
        r.seized,
        r.oversize_refused,
        r.held
    );
    assert_eq!(
        r.in_system + r.returning,
        r.held,
        "{what}: held = in system + returning"
    );
}

#[test]
fn two_identical_gateways_split_as_the_shares_say_and_clear_alike() {
    for first in [0.3, 0.5] {
        let (sc, mut w) = base(1, 2, 400.0);
        w.lanes = vec![lane("a", 0, 0, 1e6), lane("b", 0, 1, 1e6)];
        w.routing = vec![Routing::Shares(vec![(0, first), (1, 1.0)])];
        route_all(&mut w, |_, _| 0);
        let mut share = Vec::new();
        let mut diffs = Vec::new();
        for rep in 0..4 {
            let (r, watch) = simulate(&sc, &w, rep);
            assert_conserved("two gateways", &r);
            assert_eq!(watch.over_capacity, 0);
            let (a, b) = (r.gateways[0].arrived as f64, r.gateways[1].arrived as f64);
            share.push(a / (a + b));
            diffs.push(r.gateways[0].clearance.tally.mean() - r.gateways[1].clearance.tally.mean());
        }
        let n = share.len() as f64;
        let mean = share.iter().sum::<f64>() / n;
        // About 20,000 × 14 days of parcels drawn one by one: the share is within 0.01.
        assert!(
            (mean - first).abs() < 0.01,
            "share to gateway a {mean}, asked {first}"
        );
        if first == 0.5 {
            // Equal shares, equal gateways: equal clearance within the 95% CI of the paired
            // difference (t with 3 degrees of freedom).
            let d = diffs.iter().sum::<f64>() / n;
            let sd = (diffs.iter().map(|x| (x - d).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let half = 3.182 * sd / n.sqrt();
            assert!(d.abs() <= half, "clearance a − b = {d} ± {half}");
        }
    }
}

#[test]
fn overflow_takes_the_next_lane_only_when_the_first_is_full() {
    let run = |first_capacity: f64| {
        let (sc, mut w) = base(1, 2, 400.0);
        w.lanes = vec![
            lane("first", 0, 0, first_capacity),
            lane("second", 0, 1, 1e6),
        ];
        w.routing = vec![Routing::Overflow {
            lanes: vec![0, 1],
            max_wait_h: 12.0,
        }];
        route_all(&mut w, |_, _| 0);
        simulate(&sc, &w, 0)
    };
    // Room for everything on the first lane: nothing overflows, the second lane carries nothing.
    let (r, watch) = run(1e6);
    assert_conserved("ample", &r);
    assert_eq!(r.lanes[0].overflowed, 0);
    assert_eq!(r.lanes[1].parcels, 0);
    assert!(watch.routed.iter().all(|&(_, _, p, c)| p == c));
    // 20,000 parcels a day against 2 × 6,000: the first lane fills and the rest overflows.
    let (r, watch) = run(6000.0);
    assert_conserved("tight", &r);
    assert_eq!(watch.over_capacity, 0);
    assert!(r.lanes[0].overflowed > 0 && r.lanes[1].overflow_received == r.lanes[0].overflowed);
    // Every bag that overflowed did so while the first lane's departures within its wait were
    // full: each of them left with less room than one bag (100 parcels).
    let first: Vec<(f64, f64)> = watch
        .departures
        .iter()
        .filter(|d| d.0 == 0)
        .map(|d| (d.1, d.2[0]))
        .collect();
    let mut checked = 0;
    for &(at, _, p, c) in &watch.routed {
        if p == c || at > 300.0 {
            continue;
        }
        for &(t, load) in first
            .iter()
            .filter(|&&(t, _)| t >= at + 3.0 && t <= at + 12.0)
        {
            assert!(
                load > 6000.0 - 100.0 - 1e-9,
                "bag at {at} overflowed while the departure at {t} left with {load}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0);
}

/// A slow, cheap lane (`slow`, listed first, to gateway 0) and a fast, dearer one (`fast`, to
/// gateway 1) from one hub, the fast one with `fast_capacity` parcels a departure, routed by
/// `rule`.
fn slow_and_fast(rule: Routing, fast_capacity: f64) -> (ParcelReplication, Watch) {
    let (sc, mut w) = base(1, 2, 400.0);
    let mut slow = lane("slow", 0, 0, 1e6);
    slow.transit = clearsim::engine::Dist::deterministic(100.0);
    slow.cost_per_kg = 0.5;
    let mut fast = lane("fast", 0, 1, fast_capacity);
    fast.cost_per_kg = 3.0;
    w.lanes = vec![slow, fast];
    w.routing = vec![rule];
    route_all(&mut w, |_, _| 0);
    simulate(&sc, &w, 0)
}

#[test]
fn fastest_and_cheapest_count_no_overflow_while_no_lane_is_full() {
    // The first lane of each list is nearly empty and never full: a bag that takes the second
    // one does so for its transit or its deadline, not for want of room.
    for rule in [
        Routing::Fastest { lanes: vec![0, 1] },
        Routing::Cheapest {
            lanes: vec![0, 1],
            deadline_h: 48.0,
        },
    ] {
        let (r, watch) = slow_and_fast(rule.clone(), 1e6);
        assert_conserved("no lane full", &r);
        assert!(r.lanes[1].parcels > 0, "{rule:?}: the fast lane carries");
        for l in &r.lanes {
            assert_eq!(l.overflowed, 0, "{rule:?}: {} overflowed", l.name);
            assert_eq!(l.overflow_received, 0, "{rule:?}: {} received", l.name);
        }
        assert!(watch.routed.iter().all(|&(_, _, p, c)| p == c));
    }
}

#[test]
fn fastest_counts_overflow_from_the_full_lane_it_would_have_taken() {
    // 20,000 parcels a day against two departures of 3,000 on the fast lane: it fills, and the
    // bags it has no room for go by the slow lane. They overflowed from the fast lane.
    let (r, watch) = slow_and_fast(Routing::Fastest { lanes: vec![0, 1] }, 3000.0);
    assert_conserved("fast lane full", &r);
    assert_eq!(watch.over_capacity, 0);
    assert!(r.lanes[0].parcels > 0, "the slow lane takes the rest");
    assert!(
        r.lanes[1].overflowed > 0,
        "the fast lane overflowed {}",
        r.lanes[1].overflowed
    );
    assert_eq!(r.lanes[0].overflowed, 0, "the slow lane was never full");
    assert_eq!(r.lanes[0].overflow_received, r.lanes[1].overflowed);
}

#[test]
fn an_extra_departure_at_a_timetabled_time_flies_beside_it() {
    // One lane leaving daily at 12:00 with room for 10 parcels, far more parcels than room, and
    // an extra departure at the timetabled 84 h: after the 48 h warm-up, departures at 60, 84,
    // 84, 108 and 132 h carry 10 parcels each.
    let (mut sc, mut w) = base(1, 1, 144.0);
    sc.run.warmup_h = 48.0;
    w.platforms[0].parcels_per_day = 2000.0;
    w.hubs[0].bag_size = 1;
    let mut l = lane("one", 0, 0, 10.0);
    l.period_h = 24.0;
    l.offsets = vec![12.0];
    l.cutoff_h = 0.0;
    l.extra = vec![84.0];
    w.lanes = vec![l];
    w.routing = vec![Routing::Shares(vec![(0, 1.0)])];
    route_all(&mut w, |_, _| 0);
    let (r, watch) = simulate(&sc, &w, 0);
    assert_conserved("extra departure", &r);
    let lane = &r.lanes[0];
    assert_eq!(lane.departures, 5, "four timetabled and the extra one");
    assert_eq!(lane.extra_departures, 1);
    assert_eq!(lane.parcels, 50, "each departure carries its 10 parcels");
    let observed: Vec<(f64, f64)> = watch
        .departures
        .iter()
        .filter(|d| d.1 >= 48.0)
        .map(|d| (d.1, d.2[0]))
        .collect();
    assert_eq!(
        observed,
        [
            (60.0, 10.0),
            (84.0, 10.0),
            (84.0, 10.0),
            (108.0, 10.0),
            (132.0, 10.0)
        ]
    );
}

#[test]
fn returns_follow_their_share_and_refund_the_duty_of_returned_parcels() {
    let with_returns = |share: f64, path: ReturnPath| {
        let (sc, mut w) = base(1, 1, 500.0);
        w.lanes = vec![lane("out", 0, 0, 1e6)];
        let mut back = lane("back", 0, 0, 1e6);
        back.from = Node::Gateway(0);
        back.to = Node::Hub(0);
        w.lanes.push(back);
        w.routing = vec![Routing::Shares(vec![(0, 1.0)])];
        route_all(&mut w, |_, _| 0);
        w.gateways[0].regime.refund_on_return = true;
        w.gateways[0].regime.de_minimis_duty = None;
        w.gateways[0].regime.duty_rate = 0.1;
        for p in &mut w.platforms {
            p.returns = Some(Returns {
                share,
                delay: clearsim::engine::Dist::deterministic(24.0),
                path: path.clone(),
            });
        }
        (sc, w)
    };
    let local = ReturnPath::Local {
        handling: clearsim::engine::Dist::deterministic(12.0),
        cost: 1.5,
    };
    // A share of 0 changes nothing but the bookkeeping.
    let (sc, w) = with_returns(0.0, local.clone());
    let (mut none_w, _) = (w.clone(), ());
    for p in &mut none_w.platforms {
        p.returns = None;
    }
    let (r0, _) = simulate(&sc, &w, 1);
    let (r1, _) = simulate(&sc, &none_w, 1);
    assert_eq!(r0.returns.started, 0);
    assert_eq!(
        serde_json::to_string(&r0).unwrap(),
        serde_json::to_string(&r1).unwrap(),
        "return share 0 is no returns"
    );
    for path in [
        local,
        ReturnPath::Origin {
            lanes: vec![Some(1)],
        },
    ] {
        let (sc, w) = with_returns(0.1, path.clone());
        let (r, watch) = simulate(&sc, &w, 2);
        assert_conserved("returns", &r);
        assert_eq!(watch.over_capacity, 0);
        let delivered = r.delivered_after_warmup as f64;
        let started = r.returns.started as f64;
        let sd = (delivered * 0.1 * 0.9).sqrt();
        assert!(
            (started - 0.1 * delivered).abs() < 4.0 * sd,
            "{path:?}: {started} returns of {delivered} delivered"
        );
        assert!(r.returns.closed > 0);
        // Refunds are the duty and VAT of the returned parcels: per return, the mean duty of a
        // delivered parcel within sampling error.
        let per_return = r.returns.duty_refunded / r.returns.closed as f64;
        let mean_duty = r.duty.mean();
        assert!(
            (per_return - mean_duty).abs() < 0.15 * mean_duty,
            "{path:?}: duty refunded per return {per_return} against duty per parcel {mean_duty}"
        );
        if matches!(path, ReturnPath::Origin { .. }) {
            assert!(r.lanes[1].parcels > 0, "returns went back on the lane");
        }
    }
}

/// A network drawn from `seed`: 1–3 hubs, 1–3 gateways in 1–2 markets, 1–2 lanes per hub and
/// market with tight capacities, weekly or daily timetables, added and cancelled departures,
/// every routing rule, two platforms and returns.
fn drawn(seed: u64) -> (Scenario, ParcelWorld) {
    let mut rng = clearsim::engine::Stream::seed_from_u64(seed);
    let nh = rng.random_range(1..=3);
    let ng = rng.random_range(1..=3);
    let (mut sc, mut w) = base(nh, ng, 300.0);
    sc.run.seed = seed;
    let nm = rng.random_range(1..=ng.min(2));
    w.markets = (0..nm).map(|m| format!("m{m}")).collect();
    for (g, gw) in w.gateways.iter_mut().enumerate() {
        gw.market = g % nm;
        gw.fx = [1.0, 0.9, 1.1][g % 3];
    }
    let mut second = w.platforms[0].clone();
    second.name = "other".into();
    second.parcels_per_day = 8000.0;
    w.platforms.push(second);
    for h in &mut w.hubs {
        h.bag_size = rng.random_range(20..=200);
    }
    let mut rules = Vec::new();
    for h in 0..nh {
        for m in 0..nm {
            let gateways: Vec<usize> = (0..ng).filter(|&g| g % nm == m).collect();
            let n = rng.random_range(1..=2);
            let mut lanes = Vec::new();
            for k in 0..n {
                let g = gateways[rng.random_range(0..gateways.len())];
                let mut l = lane(
                    &format!("l{h}{m}{k}"),
                    h,
                    g,
                    rng.random_range(3000.0..15000.0),
                );
                if rng.random_bool(0.3) {
                    l.period_h = 168.0;
                    l.offsets = vec![10.0, 58.0, 106.0, 130.0];
                    l.transit = clearsim::engine::Dist::deterministic(rng.random_range(30.0..90.0));
                }
                if rng.random_bool(0.3) {
                    l.capacity.kg = Some(rng.random_range(1500.0..6000.0));
                }
                if rng.random_bool(0.3) {
                    l.extra = vec![100.0, 101.5];
                    l.cancelled = vec![l.offsets[0] + 48.0];
                }
                l.cutoff_h = rng.random_range(0.0..4.0);
                lanes.push(w.lanes.len());
                w.lanes.push(l);
            }
            let rule = match (lanes.len(), rng.random_range(0..4)) {
                (1, _) => Routing::Shares(vec![(lanes[0], 1.0)]),
                (_, 0) => Routing::Shares(vec![(lanes[0], 0.6), (lanes[1], 1.0)]),
                (_, 1) => Routing::Overflow {
                    lanes: lanes.clone(),
                    max_wait_h: rng.random_range(2.0..30.0),
                },
                (_, 2) => Routing::Fastest {
                    lanes: lanes.clone(),
                },
                _ => Routing::Cheapest {
                    lanes: lanes.clone(),
                    deadline_h: rng.random_range(10.0..80.0),
                },
            };
            rules.push(((h, m), w.routing.len()));
            w.routing.push(rule);
        }
    }
    route_all(&mut w, |h, m| {
        rules.iter().find(|r| r.0 == (h, m)).unwrap().1
    });
    let shares = |rng: &mut clearsim::engine::Stream, n: usize| {
        let x: Vec<f64> = (0..n).map(|_| rng.random_range(0.2..1.0)).collect();
        let total: f64 = x.iter().sum();
        let mut cum = 0.0;
        let mut out: Vec<(usize, f64)> = x
            .iter()
            .enumerate()
            .map(|(i, v)| {
                cum += v / total;
                (i, cum)
            })
            .collect();
        out.last_mut().unwrap().1 = 1.0;
        out
    };
    for p in &mut w.platforms {
        p.hub_cum = shares(&mut rng, nh);
        p.market_cum = shares(&mut rng, nm);
        p.returns = Some(Returns {
            share: rng.random_range(0.0..0.2),
            delay: clearsim::engine::Dist::deterministic(rng.random_range(10.0..60.0)),
            path: ReturnPath::Local {
                handling: clearsim::engine::Dist::deterministic(5.0),
                cost: 1.0,
            },
        });
    }
    (sc, w)
}

#[test]
fn drawn_networks_conserve_parcels_keep_capacity_and_cut_off_and_repeat_exactly() {
    let cases: u64 = std::env::var("CLEARSIM_NETWORK_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    for seed in 0..cases {
        let (sc, w) = drawn(seed);
        let (r, watch) = simulate(&sc, &w, 0);
        let what = format!(
            "seed {seed}: {} hubs, {} lanes, {} gateways, rules {:?}",
            w.hubs.len(),
            w.lanes.len(),
            w.gateways.len(),
            w.routing
        );
        assert!(r.created > 50_000, "{what}");
        assert_conserved(&what, &r);
        assert_eq!(watch.over_capacity, 0, "{what}");
        assert!(r.max_departure_fill <= 1.0, "{what}");
        assert_eq!(r.cutoff_violations, 0, "{what}");
        for l in &r.lanes {
            assert_eq!(l.cutoff_violations, 0, "{what}: {}", l.name);
        }
        // Departures run only on the timetable: at an offset, or an added time.
        for &(l, at, _) in &watch.departures {
            let lane = &w.lanes[l];
            let offset = at.rem_euclid(lane.period_h);
            let timetabled = lane.offsets.iter().any(|o| (o - offset).abs() < 1e-6)
                && !lane.cancelled.iter().any(|c| (c - at).abs() < 1e-6);
            let added = lane.extra.iter().any(|e| (e - at).abs() < 1e-6);
            assert!(
                timetabled || added,
                "{what}: lane {} left at {at}",
                lane.name
            );
        }
        let (again, _) = simulate(&sc, &w, 0);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            serde_json::to_string(&again).unwrap(),
            "{what}: same seed, same output"
        );
    }
}
