//! Intervals stay within what a figure can be, stress answers say when stability capped them,
//! and `--warmup auto` chooses the same warm-up whatever the horizon.

use clearsim::experiment::{Workers, warmup};

use crate::support::{clearsim, clearsim_json};
use crate::support::{load, repo};

/// Every `ci95` in a JSON document, with its path.
fn intervals(v: &serde_json::Value, path: String, out: &mut Vec<(String, f64, f64)>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::Array(ci)) = m.get("ci95")
                && let [Some(lo), Some(hi)] = [ci[0].as_f64(), ci[1].as_f64()]
            {
                out.push((path.clone(), lo, hi));
            }
            for (k, x) in m {
                intervals(x, format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                intervals(x, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn a_stress_answer_capped_by_stability_says_so_and_its_interval_stays_below_the_cap() {
    // M/M/1 at ρ = 0.8 with a limit it always meets: only stability stops the search, at
    // ρ = 0.99 (a plain network shows no draining backlog), i.e. multiplier 0.99 / 0.8.
    let f = repo("scenarios/validation/mm1.toml");
    let f = f.to_str().unwrap();
    let args = [
        "stress",
        f,
        "--limit",
        "time_in_system_hours.mean<=1000000",
        "--range",
        "0.5..3",
        "--points",
        "5",
        "--steps",
        "4",
        "--reps",
        "4",
        "--seed",
        "2",
        "--set",
        "run.horizon_h=2000",
        "--set",
        "run.warmup_h=200",
    ];
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let v = clearsim_json(&json_args);
    assert_eq!(v["outcome"], "capped_by_stability", "{}", v["outcome"]);
    let bound = v["stability_bound"].as_f64().unwrap();
    let capped = v["capped_by_stability"].as_f64().unwrap();
    assert!(capped <= 0.99 * bound, "capped at {capped}, bound {bound}");
    let [lo, hi] = [0, 1].map(|i| v["max_multiplier"]["ci95"][i].as_f64().unwrap());
    // Within one bisection resolution of the cap, and below the stability bound.
    let resolution = v["resolution"].as_f64().unwrap();
    assert!(resolution > 0.0);
    assert!(
        hi < bound && hi <= capped + resolution + 1e-12,
        "CI [{lo}, {hi}], bound {bound}"
    );
    // All replications stopped on the same step: still an interval of one resolution.
    assert!(lo < hi, "zero-width CI [{lo}, {hi}]");
    let out = clearsim(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("capped by stability at"), "{text}");
    assert!(
        !text.contains("acceptable up to the top of the range"),
        "{text}"
    );
}

#[test]
fn every_interval_of_a_parcel_world_run_stays_within_its_figures_possible_values() {
    let f = repo("tests/fixtures/world-small.toml");
    let v = clearsim_json(&[
        "run",
        f.to_str().unwrap(),
        "--reps",
        "3",
        "--seed",
        "2",
        "--set",
        "run.horizon_h=240",
        "--set",
        "run.warmup_h=48",
        "--json",
    ]);
    let mut all = Vec::new();
    intervals(&v, String::new(), &mut all);
    assert!(all.len() > 20, "{} intervals", all.len());
    for (path, lo, hi) in all {
        assert!(lo <= hi, "{path}: [{lo}, {hi}]");
        assert!(lo >= 0.0, "{path}: [{lo}, {hi}] below 0");
        if path.contains("released_within") || path.contains("utilization") {
            assert!(hi <= 1.0, "{path}: [{lo}, {hi}] above 1");
        }
    }
}

#[test]
fn warmup_auto_chooses_the_same_warmup_at_two_horizons() {
    // The case: the same scenario at 336 h and 720 h gave 187 h and 0 h. Pooled MSER-5
    // with a one-day floor, rounded to whole days, must agree within one day.
    let choose = |horizon: &str| {
        let sc = load("scenarios/paperless.toml", &[horizon, "run.replications=4"]);
        warmup::choose(&sc, Workers::threads(0)).unwrap()
    };
    let short = choose("run.horizon_h=336");
    let long = choose("run.horizon_h=720");
    assert!(
        (short.hours - long.hours).abs() <= 24.0,
        "336 h: {short}\n720 h: {long}"
    );
    assert!(short.hours >= short.floor_hours && long.hours >= 24.0);
    assert_eq!(short.method, "mser_daily_pooled");
    assert!(short.to_string().starts_with("warm-up: "), "{short}");
}
