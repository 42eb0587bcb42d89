//! Shift calendars: no service starts while a station is closed, the queue carries over, and a
//! server kept past its shift by the service it started stays on duty (utilisation ≤ 1).

use clearsim::model::parcel::{ParcelReplication, simulate_world};
use clearsim::model::{Step, simulate_observed};

use crate::support::load;

#[test]
fn no_service_starts_while_the_station_is_closed_and_the_queue_carries_over() {
    let sc = load("scenarios/validation/night-closed.toml", &[]);
    let mut starts = 0u64;
    let mut at_opening = 0u64;
    let mut entered: Vec<f64> = Vec::new();
    let mut waited_overnight = 0u64;
    let mut check = |t: f64, entity: u32, _stage: Option<usize>, step: Step| {
        let e = entity as usize;
        if entered.len() <= e {
            entered.resize(e + 1, 0.0);
        }
        match step {
            Step::Entered => entered[e] = t,
            Step::Started => {
                starts += 1;
                let hour = t.rem_euclid(24.0);
                assert!(
                    (8.0 - 1e-9..18.0).contains(&hour),
                    "service started at {t:.4} h (clock {hour:.3}) while the desk is closed"
                );
                if (hour - 8.0).abs() < 1e-9 {
                    at_opening += 1;
                }
                let arrival_hour = entered[e].rem_euclid(24.0);
                if !(8.0..18.0).contains(&arrival_hour) {
                    waited_overnight += 1;
                }
            }
            _ => {}
        }
    };
    let r = simulate_observed(&sc, 0, &mut check);
    assert!(starts > 1000, "{starts} services started");
    assert!(
        at_opening >= 2 * 29,
        "the night's queue starts at 08:00 on both desks every morning ({at_opening})"
    );
    assert!(
        waited_overnight > 1000,
        "arrivals outside office hours were served later ({waited_overnight})"
    );
    let util = r.stages[0].utilization.unwrap();
    assert!(
        util > 0.7,
        "the desk is busy in office hours: utilisation {util}"
    );
}

/// Every station of a parcel-world replication has a utilisation in [0, 1].
fn assert_utilisation_within_one(what: &str, r: &ParcelReplication) {
    for (k, st) in r.stations.iter().enumerate() {
        if let Some(st) = st {
            assert!(
                (0.0..=1.0).contains(&st.utilization),
                "{what}: station {k} has a utilisation of {}",
                st.utilization
            );
        }
    }
}

#[test]
fn utilisation_stays_within_one_when_a_shift_ends_with_work_in_service() {
    // The pilot zone on its shift calendars: at 20:00 every station drops from its day crew to
    // its night crew while the day crew is still serving. Those servers finish their parcels
    // on duty, so busy server-hours never exceed server-hours on duty.
    let sc = load(
        "scenarios/pilot-zone-9610.toml",
        &[
            "rules.customs_24_7=false",
            "run.horizon_h=240",
            "run.replications=2",
        ],
    );
    let w = sc.world.clone().unwrap();
    for rep in 0..2 {
        let r = simulate_world(&sc, &w, rep);
        assert_utilisation_within_one("pilot zone, calendars", &r);
    }
    // The small world's paper desk closes at 18:00 from 40 servers to none.
    let sc = load("tests/fixtures/world-small.toml", &["run.horizon_h=200"]);
    let r = simulate_world(&sc, sc.world.as_ref().unwrap(), 0);
    assert_utilisation_within_one("small world", &r);
}
