//! The command line: `run` prints a table or one JSON document; `check` validates.

use crate::support::{clearsim, path};

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

#[test]
fn bad_numbers_name_the_flag_and_what_it_accepts() {
    let mmc = path("scenarios/validation/mmc.toml");
    let run = |flag: &str, value: &str| ["run", &mmc, flag, value].join("\u{0}");
    let stress = |flag: &str, value: &str| {
        [
            "stress",
            &mmc,
            "--limit",
            "time_in_system_hours.mean<=3",
            flag,
            value,
        ]
        .join("\u{0}")
    };
    let cases = [
        (run("--seed", "-1"), "--seed", "0 to 9223372036854775807"),
        (
            run("--seed", "18446744073709551615"),
            "--seed",
            "0 to 9223372036854775807",
        ),
        (run("--threads", "-2"), "--threads", "0 to 4096"),
        (run("--warmup", "-1"), "--warmup", "hours ≥ 0"),
        (
            run("--precision", "-0.1"),
            "--precision",
            "above 0 and below 1",
        ),
        (run("--reps", "0"), "--reps", "1 to 100000"),
        (run("--max-reps", "1"), "--max-reps", "2 to 100000"),
        (run("--shard", "-1/2"), "--shard", "K/N"),
        (stress("--points", "1"), "--points", "2 to 1000"),
        (stress("--steps", "-3"), "--steps", "0 to 50"),
        (stress("--steps", "100000"), "--steps", "0 to 50"),
    ];
    for (args, flag, range) in cases {
        let args: Vec<&str> = args.split('\u{0}').collect();
        let out = clearsim(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(flag) && err.contains(range) && !err.contains("unexpected argument"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn the_set_examples_of_run_help_work_on_shipped_scenarios() {
    let out = clearsim(&["run", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    let examples: Vec<&str> = help
        .split('`')
        .filter_map(|s| s.strip_prefix("--set "))
        .collect();
    assert!(examples.len() >= 3, "{help}");
    let shipped = [
        path("scenarios/paper.toml"),
        path("scenarios/validation/mmc.toml"),
    ];
    for set in examples {
        let works = shipped.iter().any(|file| {
            let o = clearsim(&["check", file, "--set", set]);
            o.status.success()
        });
        assert!(works, "`--set {set}` fails on every shipped scenario tried");
    }
}

#[test]
fn check_fails_with_exit_code_1_on_an_overloaded_station_naming_it() {
    let mmc = path("scenarios/validation/mmc.toml");
    // λ = 2.4/h against 2 servers of μ = 1/h: offered load 1.2.
    let out = clearsim(&["check", &mmc, "--set", "stage.officers.servers=2"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("overloaded: stage officers (offered load 1.200)"),
        "{err}"
    );
    let out = clearsim(&["check", &mmc]);
    assert_eq!(out.status.code(), Some(0));
    let out = clearsim(&["check", &mmc, "--set", "stage.officers.servers=0"]);
    assert_eq!(out.status.code(), Some(2), "invalid is still 2");
}

#[test]
fn every_report_written_is_named_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("compare.html");
    let md = dir.path().join("compare.md");
    let mm1 = path("scenarios/validation/mm1.toml");
    let out = clearsim(&[
        "compare",
        &mm1,
        &mm1,
        "--reps",
        "2",
        "--set",
        "run.horizon_h=3000",
        "--report",
        html.to_str().unwrap(),
        "--md",
        md.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let err = crate::support::stderr(&out);
    for f in [&html, &md] {
        assert!(f.exists());
        assert!(
            err.contains(&format!("wrote {}", f.display())),
            "{}: {err}",
            f.display()
        );
    }
}

/// A negative number after a flag is the flag's value, checked by the flag, never taken for a
/// flag of its own.
#[test]
fn negative_numbers_are_values_of_their_flag() {
    let mm1 = path("scenarios/validation/mm1.toml");
    let csv = path("scenarios/calibration/trs-synthetic.csv");
    let base = path("scenarios/calibration/trs-synthetic-model.toml");
    for (args, says) in [
        (
            vec![
                "stress",
                &mm1,
                "--limit",
                "time_in_system_hours.mean<=10",
                "--range",
                "-1..2",
            ],
            "LOW must be > 0",
        ),
        (
            vec!["validate", &base, &csv, "--threshold", "-1"],
            "--threshold",
        ),
        (vec!["run", &mm1, "--reps", "-3"], "--reps"),
    ] {
        let out = clearsim(&args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(!err.contains("unexpected argument"), "{err}");
        assert!(err.contains(says), "expected `{says}` in: {err}");
    }
}

/// `--reps` and `run.replications` have one limit, and a number past it blames the flag.
#[test]
fn reps_past_the_limit_blame_the_flag_with_the_documented_limit() {
    let out = clearsim(&[
        "run",
        &path("scenarios/validation/mm1.toml"),
        "--reps",
        "1000000",
    ]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--reps") && err.contains("1 to 100000"),
        "{err}"
    );
    assert!(!err.contains("--set run.replications"), "{err}");
    let docs = std::fs::read_to_string(crate::support::repo("docs/output.md")).unwrap();
    assert!(docs.contains("`--reps` 1 to 100,000"));
}
