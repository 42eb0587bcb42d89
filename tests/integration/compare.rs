//! `compare`: paired differences with common random numbers.

use crate::cli::clearsim;
use crate::support::repo;

fn compare(a: &str, b: &str, extra: &[&str]) -> serde_json::Value {
    let (a, b) = (repo(a), repo(b));
    let args = [
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--json",
        ][..],
        extra,
    ]
    .concat();
    let out = clearsim(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

#[test]
fn comparing_a_scenario_with_itself_gives_a_difference_of_exactly_zero() {
    let c = compare(
        "scenarios/validation/tandem.toml",
        "scenarios/validation/tandem.toml",
        &["--reps", "5", "--set", "run.horizon_h=3000"],
    );
    for row in c["rows"].as_array().unwrap() {
        assert_eq!(row["difference"]["mean"].as_f64(), Some(0.0), "{row}");
        assert_eq!(
            row["difference"]["ci95"],
            serde_json::json!([0.0, 0.0]),
            "{row}"
        );
        assert_eq!(row["significant"], false);
    }
}

#[test]
fn paper_versus_paperless_is_detected_and_pairing_narrows_the_interval() {
    let sets = [
        "--reps",
        "4",
        "--set",
        "run.horizon_h=168",
        "--set",
        "run.warmup_h=48",
    ];
    let c = compare("scenarios/paper.toml", "scenarios/paperless.toml", &sets);
    let rows = c["rows"].as_array().unwrap();
    let row = |m: &str| rows.iter().find(|r| r["metric"] == m).unwrap().clone();
    let clearance = row("clearance_hours.mean");
    assert_eq!(clearance["significant"], true, "{clearance}");
    assert!(clearance["difference"]["mean"].as_f64().unwrap() < 0.0);
    // Revenue depends only on the parcels, which pairing makes identical: the paired interval
    // is far narrower than the one independent seeds would give.
    let revenue = row("revenue_per_parcel.total");
    let width = |ci: &serde_json::Value| ci[1].as_f64().unwrap() - ci[0].as_f64().unwrap();
    assert!(
        width(&revenue["difference"]["ci95"]) < width(&revenue["independent_ci95"]),
        "{revenue}"
    );
}

#[test]
fn comparing_a_parcel_world_with_a_plain_network_is_refused() {
    let (a, b) = (
        repo("scenarios/paperless.toml"),
        repo("scenarios/validation/mm1.toml"),
    );
    let out = clearsim(&["compare", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("same kind"));
}
