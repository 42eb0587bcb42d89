//! Properties over randomly drawn networks: parcels are conserved, no entity spends less time
//! in a stage than its shortest possible service, and the same seed gives identical results.

use clearsim::experiment::{replicate, summarize};
use clearsim::scenario::Scenario;
use proptest::prelude::*;

/// A two-stage network with the drawn parameters: a queue with `servers` and a finite or
/// unlimited waiting room, then a delay of at least `min_delay_h`, with feedback `p_back`.
fn network(
    lambda: f64,
    servers: u32,
    service_h: f64,
    room: Option<u32>,
    min_delay_h: f64,
    p_back: f64,
) -> String {
    let room = room.map_or(String::new(), |k| format!("queue_capacity = {k}\n"));
    format!(
        r#"[run]
seed = 7
replications = 3
horizon_h = 300.0
warmup_h = 30.0

[[source]]
name = "arrivals"
interarrival_h = {{ dist = "exponential", mean = {ia} }}
to = "desk"

[[stage]]
name = "desk"
servers = {servers}
{room}service_h = {{ dist = "exponential", mean = {service_h} }}
to = "transfer"

[[stage]]
name = "transfer"
kind = "delay"
delay_h = {{ dist = "uniform", min = {min_delay_h}, max = {max} }}
routes = [ {{ to = "desk", p = {p_back} }}, {{ to = "exit", p = {p_out} }} ]
"#,
        ia = 1.0 / lambda,
        max = min_delay_h + 1.0,
        p_out = 1.0 - p_back,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn parcels_are_conserved_and_stages_take_at_least_their_minimum_time(
        lambda in 0.2f64..3.0,
        servers in 1u32..5,
        service_h in 0.05f64..2.0,
        room in proptest::option::of(0u32..6),
        min_delay_h in 0.0f64..2.0,
        p_back in 0.0f64..0.5,
    ) {
        let text = network(lambda, servers, service_h, room, min_delay_h, p_back);
        let sc = Scenario::from_bytes(text.as_bytes(), "drawn.toml", &[]).unwrap();
        let reps = replicate(&sc, 2).unwrap();
        let s = summarize(&sc, &reps);
        let p = &s.parcels;
        prop_assert_eq!(
            p.created,
            p.delivered + p.in_system + p.seized + p.oversize_refused
        );
        let transfer = &s.stages[1];
        if transfer.time_in_stage_hours.count > 0 {
            // A delay never ends before its minimum (quantile reporting never understates).
            prop_assert!(transfer.time_in_stage_hours.p50 >= min_delay_h);
            prop_assert!(transfer.time_in_stage_hours.mean >= min_delay_h - 1e-9);
        }
        let again = summarize(&sc, &replicate(&sc, 1).unwrap());
        prop_assert_eq!(serde_json::to_string(&s).unwrap(), serde_json::to_string(&again).unwrap());
    }
}
