//! Every parcel-world figure counts the parcels whose own event lies in the observation window,
//! and the line-haul keeps its documented rules: backlog, oversize pieces, bags.

use std::collections::HashMap;
use std::io::Write;

use clearsim::model::parcel::{BACKLOG_STAGES, ParcelObserver, simulate_world_observed};
use clearsim::scenario::Scenario;

use crate::support::{load, repo};

/// Counts the parcels whose release, gate-out and delivery fall in [warm-up, horizon].
struct WindowCounts {
    warmup: f64,
    horizon: f64,
    released: u64,
    gated_out: u64,
    delivered: u64,
}

impl ParcelObserver for WindowCounts {
    fn released(&mut self, _: f64, _: [f64; 5], released: f64) {
        self.released += u64::from(released >= self.warmup && released <= self.horizon);
    }

    fn left(&mut self, gate_out: f64, delivered: f64) {
        let within = |t: f64| t >= self.warmup && t <= self.horizon;
        self.gated_out += u64::from(within(gate_out));
        self.delivered += u64::from(within(delivered));
    }
}

#[test]
fn every_figure_counts_the_parcels_whose_own_event_lies_after_the_warm_up() {
    // Releases, gate-outs and deliveries are computed up to days ahead of the clock (last mile
    // 12–72 h): with a warm-up at 100 h many are computed before it and happen after it.
    let (warmup, horizon) = (100.0, 240.0);
    let sc = load(
        "tests/fixtures/world-small.toml",
        &["run.horizon_h=240", "run.warmup_h=100"],
    );
    let world = sc.world.clone().unwrap();
    let mut counts = WindowCounts {
        warmup,
        horizon,
        released: 0,
        gated_out: 0,
        delivered: 0,
    };
    let r = simulate_world_observed(&sc, &world, 0, &mut counts);
    assert!(counts.delivered > 100_000, "{}", counts.delivered);
    assert_eq!(r.delivered_after_warmup, counts.delivered);
    assert_eq!(
        r.end_to_end.tally.count(),
        counts.delivered,
        "end to end: every parcel delivered after the warm-up"
    );
    assert_eq!(
        r.clearance.tally.count(),
        counts.released,
        "clearance: every parcel released after the warm-up"
    );
    for (k, s) in r.segments.iter().enumerate() {
        assert_eq!(s.tally.count(), counts.released, "TRS segment {k}");
    }
    assert_eq!(
        r.exit.tally.count(),
        counts.gated_out,
        "exit: every gate-out after the warm-up"
    );
    for st in r.stations.iter().flatten() {
        assert_eq!(st.wait.tally.count(), st.services, "one wait per service");
    }
}

#[test]
fn the_linehaul_backlog_counts_every_cleared_parcel_waiting_for_a_departure() {
    // One departure a day at 12:00, room for all, 1,000 parcels an hour.
    let mut sc = load(
        "tests/fixtures/world-small.toml",
        &[
            "run.horizon_h=168",
            "run.warmup_h=0",
            "platform.0.parcels_per_day=24000",
            "linehaul.capacity_parcels=1000000",
            "linehaul.cutoff_h=0",
        ],
    );
    let world = sc.world.as_mut().unwrap();
    world.lanes[0].offsets = vec![12.0];
    let world = world.clone();
    let r = simulate_world_observed(&sc, &world, 0, &mut ());
    let linehaul = BACKLOG_STAGES
        .iter()
        .position(|&s| s == "linehaul")
        .unwrap() as u16;
    let at = |hour: u32| {
        r.backlog
            .iter()
            .find(|&&(h, k, _)| h == hour && k == linehaul)
            .map(|&(_, _, n)| n)
            .unwrap()
    };
    for day in 3..6 {
        let before = at(24 * day + 11);
        let after = at(24 * day + 13);
        // By 11:00 about 23 h of parcels have cleared export since the last departure.
        assert!(
            before > 15_000,
            "day {day} 11:00: {before} parcels at the gateway"
        );
        assert!(
            after < before / 4,
            "day {day}: {before} at 11:00, {after} at 13:00, after the departure"
        );
    }
}

/// Loads the small world edited by `edit`, with `sets`.
fn edited_world(edit: impl Fn(String) -> String, sets: &[&str]) -> Scenario {
    let text = std::fs::read_to_string(repo("tests/fixtures/world-small.toml")).unwrap();
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(edit(text).as_bytes()).unwrap();
    let sets: Vec<_> = sets.iter().map(|s| s.parse().unwrap()).collect();
    Scenario::load(f.path(), &sets).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_piece_heavier_than_a_whole_departure_is_refused_and_no_departure_carries_more_than_its_capacity()
 {
    // Parcels of 0–100 kg, each its own bag, on departures of 90 kg every quarter hour: a tenth
    // can never board; the rest fit (about 70% of the line-haul's kilograms are used).
    let departures: Vec<String> = (0..96).map(|i| format!("{:.2}", i as f64 * 0.25)).collect();
    let sc = edited_world(
        |t| {
            t.replace(
                "weight_kg = { dist = \"lognormal\", mean = 0.5, sd = 0.4 }",
                "weight_kg = { dist = \"uniform\", min = 0.0, max = 100.0 }",
            )
            .replace("capacity_parcels = 15000", "capacity_kg = 90.0")
            .replace(
                "departures_h = [2.0, 14.0]",
                &format!("departures_h = [{}]", departures.join(", ")),
            )
            .replace("cutoff_h = 3.0", "cutoff_h = 0.0")
            .replace("bag_size = 100", "bag_size = 1")
            .replace("parcels_per_day = 20000.0", "parcels_per_day = 150.0")
        },
        &["run.horizon_h=336", "run.warmup_h=48"],
    );
    let world = sc.world.clone().unwrap();
    let r = simulate_world_observed(&sc, &world, 0, &mut ());
    assert!(
        r.max_departure_fill <= 1.0,
        "a departure carried {} of its capacity",
        r.max_departure_fill
    );
    assert!(r.max_departure_fill > 0.9, "{}", r.max_departure_fill);
    let share = r.oversize_refused as f64 / r.created as f64;
    assert!(
        (0.06..0.14).contains(&share),
        "refused {} of {} parcels",
        r.oversize_refused,
        r.created
    );
    assert_eq!(
        r.created,
        r.delivered + r.in_system + r.seized + r.oversize_refused
    );
    // The others are not held up: nearly all ordered before the last 4 days are delivered.
    assert!(
        r.delivered as f64 > 0.6 * r.created as f64,
        "{} of {} delivered",
        r.delivered,
        r.created
    );
}

/// Per bag: its parcels' export-clearance times and departures.
#[derive(Default)]
struct Bags(HashMap<u64, (Vec<f64>, Vec<f64>)>);

impl ParcelObserver for Bags {
    fn released(&mut self, _: f64, _: [f64; 5], _: f64) {}

    fn boarded(&mut self, bag: u64, export_done: f64, departure: f64) {
        let (exports, departures) = self.0.entry(bag).or_default();
        exports.push(export_done);
        departures.push(departure);
    }
}

#[test]
fn a_bag_clears_export_once_and_flies_on_one_departure() {
    // Departures of 10,500 parcels twice a day for 20,000 a day: most leave (nearly) full, so a bag
    // that could split would.
    let sc = load(
        "tests/fixtures/world-small.toml",
        &[
            "run.horizon_h=240",
            "run.warmup_h=0",
            "linehaul.capacity_parcels=10500",
        ],
    );
    let world = sc.world.clone().unwrap();
    let mut bags = Bags::default();
    let r = simulate_world_observed(&sc, &world, 0, &mut bags);
    assert!(r.max_departure_fill > 0.95, "{}", r.max_departure_fill);
    assert!(bags.0.len() > 1000, "{} bags", bags.0.len());
    for (bag, (exports, departures)) in &bags.0 {
        assert!(
            exports.len() <= 100,
            "bag {bag} has {} parcels",
            exports.len()
        );
        assert!(
            exports.iter().all(|&t| t == exports[0]),
            "bag {bag}: export clearance done at {exports:?}"
        );
        assert!(
            departures.iter().all(|&t| t == departures[0]),
            "bag {bag} flew on departures {departures:?}"
        );
    }
}
