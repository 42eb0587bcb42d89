//! `compare`: paired differences with common random numbers.

use crate::support::repo;
use crate::support::{clearsim, clearsim_json};

fn compare(a: &str, b: &str, extra: &[&str]) -> serde_json::Value {
    let (a, b) = (repo(a), repo(b));
    let base = [
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--json",
    ];
    clearsim_json(&[&base[..], extra].concat())
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
fn paper_versus_paperless_is_detected() {
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

#[test]
fn pairing_narrows_the_interval_of_a_difference() {
    // Three officers against four, the same arrivals and service draws in both (common random
    // numbers): the paired interval of the difference in time in system is narrower than
    // the one independent seeds would give.
    let text = std::fs::read_to_string(repo("scenarios/validation/mmc.toml"))
        .unwrap()
        .replace("servers = 3", "servers = 4");
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("mm4.toml");
    std::fs::write(&b, text).unwrap();
    let a = repo("scenarios/validation/mmc.toml");
    let c = clearsim_json(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--json",
        "--reps",
        "10",
        "--set",
        "run.horizon_h=5000",
        "--set",
        "run.warmup_h=500",
    ]);
    let row = c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "time_in_system_hours.mean")
        .unwrap()
        .clone();
    let width = |ci: &serde_json::Value| ci[1].as_f64().unwrap() - ci[0].as_f64().unwrap();
    assert_eq!(row["significant"], true, "{row}");
    assert!(
        width(&row["difference"]["ci95"]) < width(&row["independent_ci95"]),
        "{row}"
    );
}

#[test]
fn precision_adds_replications_until_the_half_width_target_is_met() {
    let file = repo("scenarios/validation/mm1.toml");
    let base = ["run", file.to_str().unwrap(), "--json", "--reps", "4"];
    let run = |extra: &[&str]| clearsim_json(&[&base[..], extra].concat());
    let v = run(&["--precision", "0.03"]);
    let p = &v["precision"];
    assert_eq!(p["met"], true, "{p}");
    let achieved = p["achieved_relative_half_width"].as_f64().unwrap();
    assert!(achieved <= 0.03, "{p}");
    let n = p["replications"].as_u64().unwrap();
    assert!(
        n > 4,
        "4 replications were not enough, so more were added: {p}"
    );
    assert_eq!(v["replications"].as_u64(), Some(n));
    // The interval the summary reports is the one the target was checked on.
    let m = &v["metrics"]["time_in_system_hours"];
    let (lo, hi, mean) = (
        m["ci95"][0].as_f64().unwrap(),
        m["ci95"][1].as_f64().unwrap(),
        m["mean"].as_f64().unwrap(),
    );
    assert!(((hi - lo) / 2.0 / mean - achieved).abs() < 1e-12);
    // A cap below what is needed is reported as not met.
    let capped = run(&["--precision", "0.001", "--max-reps", "6"]);
    assert_eq!(capped["precision"]["met"], false);
    assert_eq!(capped["precision"]["replications"].as_u64(), Some(6));
}

/// A short comparison: 2 replications, 3 days, warm-up 1 day.
const SHORT: [&str; 6] = [
    "--reps",
    "2",
    "--set",
    "run.horizon_h=72",
    "--set",
    "run.warmup_h=24",
];

#[test]
fn unrelated_files_are_not_paired_and_money_is_not_differenced_across_currencies() {
    let c = compare(
        "scenarios/eu-2026-flat-duty.toml",
        "scenarios/us-no-de-minimis.toml",
        &SHORT,
    );
    assert_eq!(c["paired"], false, "{}", c["pairing"]);
    let why = c["pairing"].as_str().unwrap();
    assert!(why.contains("do not share their demand"), "{why}");
    assert!(!why.contains("common random numbers"), "{why}");
    let rows = c["rows"].as_array().unwrap();
    assert!(
        rows.iter()
            .all(|r| r["unit"] != "EUR" && r["unit"] != "USD"),
        "no money difference across currencies: {rows:?}"
    );
    let money = c["not_differenced"].as_array().unwrap();
    let cost = money
        .iter()
        .find(|r| r["metric"] == "cost_per_parcel.total")
        .unwrap();
    assert_eq!(
        (cost["unit_a"].as_str(), cost["unit_b"].as_str()),
        (Some("EUR"), Some("USD"))
    );
    // Unpaired: the interval of a difference is the independent-samples (Welch) one.
    for r in rows {
        assert_eq!(r["difference"]["ci95"], r["independent_ci95"], "{r}");
    }
    // The table says it too, and claims no common random numbers.
    let (a, b) = (
        repo("scenarios/eu-2026-flat-duty.toml"),
        repo("scenarios/us-no-de-minimis.toml"),
    );
    let out = clearsim(
        &[
            &["compare", a.to_str().unwrap(), b.to_str().unwrap()][..],
            &SHORT,
        ]
        .concat(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("NOT PAIRED"), "{text}");
    assert!(!text.contains("common random numbers"), "{text}");
    assert!(
        text.contains("EUR") && text.contains("USD") && text.contains("not differenced"),
        "{text}"
    );
}

#[test]
fn stations_are_compared_by_name_and_a_missing_one_is_absent() {
    let c = compare("scenarios/paper.toml", "scenarios/paperless.toml", &SHORT);
    assert_eq!(c["paired"], true);
    assert!(
        c["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["metric"] != "bottleneck.utilization"),
        "no busiest-station row differencing two different stations"
    );
    let stations = c["stations"].as_array().unwrap();
    let st = |n: &str| stations.iter().find(|s| s["station"] == n).unwrap().clone();
    let desk = st("paper_desk");
    assert!(
        desk["utilization"]["a"]["mean"].as_f64().unwrap() > 0.0,
        "{desk}"
    );
    assert!(desk["utilization"]["b"].is_null(), "{desk}");
    assert!(desk["utilization"]["difference"].is_null(), "{desk}");
    let doc = st("doc_check");
    let (a, b, d) = (
        doc["utilization"]["a"]["mean"].as_f64().unwrap(),
        doc["utilization"]["b"]["mean"].as_f64().unwrap(),
        doc["utilization"]["difference"]["mean"].as_f64().unwrap(),
    );
    assert!((b - a - d).abs() < 1e-12, "{doc}");
}

#[test]
fn compare_table_of_the_readme_fits_in_100_columns() {
    let (a, b) = (
        repo("scenarios/paper.toml"),
        repo("scenarios/paperless.toml"),
    );
    let out = clearsim(
        &[
            &["compare", a.to_str().unwrap(), b.to_str().unwrap()][..],
            &SHORT,
        ]
        .concat(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert!(
        text.contains("paper_desk") && text.contains("absent"),
        "{text}"
    );
}
