//! The command line: `run` prints a table or one JSON document; `check` validates.

use std::process::{Command, Output};

/// Runs the built `clearsim` binary.
pub fn clearsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearsim"))
        .args(args)
        .output()
        .expect("the clearsim binary runs")
}

/// Runs `clearsim` with `args`, asserts it succeeded, and parses the one JSON document it printed.
pub fn clearsim_json(args: &[&str]) -> serde_json::Value {
    let out = clearsim(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

fn path(p: &str) -> String {
    crate::support::repo(p).to_string_lossy().into_owned()
}

#[test]
fn run_json_prints_exactly_one_document_with_the_contract_keys() {
    let out = clearsim(&[
        "run",
        &path("scenarios/validation/mmck.toml"),
        "--reps",
        "3",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    for key in [
        "clearsim_version",
        "scenario",
        "seed",
        "replications",
        "warmup_hours",
        "horizon_hours",
        "parcels",
        "stages",
        "metrics",
    ] {
        assert!(v.get(key).is_some(), "missing `{key}`");
    }
    assert_eq!(v["scenario"]["sha256"].as_str().map(str::len), Some(64));
    let p = &v["parcels"];
    let n = |k: &str| p[k].as_u64().unwrap();
    assert_eq!(n("created"), n("delivered") + n("in_system") + n("seized"));
    let stage = &v["stages"][0];
    for key in [
        "name",
        "wait_hours",
        "time_in_stage_hours",
        "utilization",
        "queue_length",
    ] {
        assert!(stage.get(key).is_some(), "stage is missing `{key}`");
    }
    for key in ["mean", "ci95", "p50", "p90", "p95", "p99", "max"] {
        assert!(
            stage["wait_hours"].get(key).is_some(),
            "statistic is missing `{key}`"
        );
        assert!(v["metrics"]["time_in_system_hours"].get(key).is_some());
    }
    assert!(stage["utilization"]["ci95"].is_array());
}

#[test]
fn run_prints_a_readable_table() {
    let out = clearsim(&[
        "run",
        &path("scenarios/validation/mm1.toml"),
        "--reps",
        "2",
        "--set",
        "run.horizon_h=2500",
    ]);
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "no progress bar when stderr is not a terminal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("time in system") && text.contains("utilization") && text.contains("95% CI"),
        "{text}"
    );
}

#[test]
fn check_accepts_every_shipped_validation_scenario() {
    for entry in std::fs::read_dir(crate::support::repo("scenarios/validation")).unwrap() {
        let p = entry.unwrap().path();
        let out = clearsim(&["check", p.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}: {}",
            p.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
    }
}

#[test]
fn set_overrides_a_value_by_stage_name() {
    let file = path("scenarios/validation/mmc.toml");
    let out = clearsim(&[
        "run",
        &file,
        "--reps",
        "2",
        "--set",
        "stage.officers.servers=5",
        "--set",
        "run.horizon_h=3000",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let servers = v["stages"][0]["servers"]["mean"].as_f64().unwrap();
    assert_eq!(servers, 5.0);
}
