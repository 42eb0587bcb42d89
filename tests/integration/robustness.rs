//! Hangs, stack overflows and runaway work: refused before the run, or ended with a clear error.

use std::time::{Duration, Instant};

use clearsim::experiment::budget::{self, Budget, JobShape};
use clearsim::model::simulate;
use clearsim::scenario::{Routing, Scenario, StageKind, Target};

use crate::support::clearsim;
use crate::support::stderr;
use crate::support::{load, repo};

/// A scenario file written to a temporary folder (kept alive with the returned guard).
fn scenario_file(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).expect("write");
    (dir, path.to_string_lossy().into_owned())
}

const HEAD: &str = r#"
[run]
seed = 1
replications = 2
horizon_h = 100.0

[[source]]
name = "in"
interarrival_h = { dist = "exponential", mean = 1.0 }
to = "a"
"#;

#[test]
fn a_batch_of_one_routed_to_itself_is_refused_by_check_naming_the_stage() {
    let text =
        format!("{HEAD}\n[[stage]]\nname = \"a\"\nkind = \"batch\"\nbatch_size = 1\nto = \"a\"\n");
    let (_dir, file) = scenario_file(&text);
    for verb in ["check", "run"] {
        let out = clearsim(&[verb, &file, "--quiet"][..if verb == "check" { 2 } else { 3 }]);
        assert_eq!(out.status.code(), Some(2), "{verb}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("`a` → `a`"),
            "{verb}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_loop_of_zero_time_delays_is_refused_even_when_routing_may_leave_it() {
    let text = format!(
        "{HEAD}
[[stage]]
name = \"a\"
kind = \"delay\"
delay_h = {{ dist = \"deterministic\", value = 0.0 }}
to = \"b\"

[[stage]]
name = \"b\"
servers = 1
service_h = {{ dist = \"deterministic\", value = 0.0 }}
routes = [{{ to = \"a\", p = 0.5 }}, {{ to = \"exit\", p = 0.5 }}]
"
    );
    let (_dir, file) = scenario_file(&text);
    let out = clearsim(&["check", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("`a` → `b` → `a`"), "{}", stderr(&out));
}

#[test]
fn a_loop_whose_times_are_continuous_from_zero_is_allowed() {
    let text = format!(
        "{HEAD}
[[stage]]
name = \"a\"
kind = \"delay\"
delay_h = {{ dist = \"exponential\", mean = 0.01 }}
routes = [{{ to = \"a\", p = 0.5 }}, {{ to = \"exit\", p = 0.5 }}]
"
    );
    let (_dir, file) = scenario_file(&text);
    let out = clearsim(&["check", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// mm1.toml with its one stage made a batch of 1 routed to itself: what validation refuses,
/// built by hand to test the run-time guard behind it.
fn self_loop() -> Scenario {
    let mut sc = load(
        "scenarios/validation/mm1.toml",
        &["run.horizon_h=10", "run.warmup_h=0", "run.replications=1"],
    );
    sc.stages[0].kind = StageKind::Batch {
        size: 1,
        timeout_h: None,
    };
    sc.stages[0].routing = Routing::single(Target::Stage(0));
    sc
}

#[test]
fn a_zero_time_loop_past_validation_ends_with_a_stall_not_a_stack_overflow_or_a_hang() {
    let started = Instant::now();
    let r = simulate(&self_loop(), 0);
    assert!(r.stalled_at_h.is_some(), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(20));
    let err = clearsim::experiment::run(&self_loop(), 1).unwrap_err();
    assert!(err.to_string().contains("no longer advanced"), "{err}");
}

#[test]
fn a_demand_multiplier_of_1e308_is_refused_before_the_clock_can_stop() {
    let started = Instant::now();
    let out = clearsim(&[
        "run",
        &repo("scenarios/validation/mm1.toml").to_string_lossy(),
        "--set",
        "run.demand_multiplier=1e308",
        "--quiet",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // Refused by validation (at most 1,000) before anything runs.
    assert!(
        stderr(&out).contains("run.demand_multiplier") && stderr(&out).contains("at most"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn over_budget_jobs_are_refused_with_the_estimate_and_the_flag() {
    let world = repo("tests/fixtures/world-small.toml")
        .to_string_lossy()
        .into_owned();
    let mm1 = repo("scenarios/validation/mm1.toml")
        .to_string_lossy()
        .into_owned();
    let paperless = repo("scenarios/paperless.toml")
        .to_string_lossy()
        .into_owned();
    let cases: [(&[&str], &str); 5] = [
        // 1e12 h and a bag of 4,294,967,295 are refused by validation (at most 100 years, at
        // most 100,000 a bag); the longest horizon it allows is still over the budget.
        (
            &["run", &paperless, "--set", "run.horizon_h=876000"],
            "--max-events",
        ),
        (
            &["run", &world, "--set", "hub.bag_size=4294967295"],
            "to 100000",
        ),
        (
            &[
                "run",
                &mm1,
                "--set",
                "run.arrivals=1000000000",
                "--set",
                "run.horizon_h=876000",
                "--set",
                "run.replications=100",
                "--set",
                "source.arrivals.interarrival_h.mean=0.001",
            ],
            "--max-events",
        ),
        (
            &[
                "run",
                &mm1,
                "--set",
                "source.arrivals.interarrival_h.mean=1e-9",
                "--set",
                "stage.server.service_h.mean=1e-10",
            ],
            "--max-events",
        ),
        (
            &[
                "compare",
                &paperless,
                &paperless,
                "--set",
                "run.horizon_h=876000",
            ],
            "--max-events",
        ),
    ];
    for (args, flag) in cases {
        let mut args = args.to_vec();
        args.push("--quiet");
        let out = clearsim(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(flag)
                && (!flag.starts_with("--") || stderr(&out).contains("about")),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // The flag raises the budget: a small job refused under a tiny budget runs under the default.
    let tiny = clearsim(&["run", &mm1, "--reps", "2", "--quiet", "--max-events", "10"]);
    assert_eq!(tiny.status.code(), Some(2), "{}", stderr(&tiny));
    let ok = clearsim(&["run", &mm1, "--reps", "2", "--quiet", "--max-events", "1e9"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bad = clearsim(&["run", &mm1, "--quiet", "--max-memory", "0"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn sweeps_and_stress_searches_too_large_are_refused_with_the_count_and_the_limit() {
    let mm1 = repo("scenarios/validation/mm1.toml")
        .to_string_lossy()
        .into_owned();
    let out_dir = tempfile::tempdir().expect("temporary folder");
    let out = out_dir.path().to_string_lossy().into_owned();
    let cases: [&[&str]; 4] = [
        &[
            "sweep",
            &mm1,
            "--set",
            "stage.server.servers=1..2:1e-300",
            "--out",
            &out,
        ],
        &[
            "sweep",
            &mm1,
            "--set",
            "run.horizon_h=1..901:1",
            "--set",
            "run.warmup_h=0..999:1",
            "--out",
            &out,
        ],
        &[
            "stress",
            &mm1,
            "--limit",
            "time_in_system_hours.mean<=10",
            "--points",
            "18446744073709551615",
        ],
        &[
            "stress",
            &mm1,
            "--limit",
            "time_in_system_hours.mean<=10",
            "--steps",
            "4294967295",
        ],
    ];
    for args in cases {
        let started = Instant::now();
        let o = clearsim(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        // The limit is named: "at most N" (grids) or "from A to B" (flags checked by clap).
        assert!(
            e.contains("at most") || (e.contains("from") && e.contains(" to ")),
            "{args:?}: {e}"
        );
        assert!(started.elapsed() < Duration::from_secs(10), "{args:?}");
    }
}

#[test]
fn the_budget_estimate_counts_every_replication_and_point() {
    let sc = load("scenarios/validation/mm1.toml", &[]);
    let one = budget::estimate(
        &sc,
        &JobShape {
            replications: 1,
            runs: 1,
            threads: 1,
        },
    );
    let many = budget::estimate(
        &sc,
        &JobShape {
            replications: 10,
            runs: 3,
            threads: 1,
        },
    );
    assert!(
        (many.events / one.events - 30.0).abs() < 1e-9,
        "{one:?} {many:?}"
    );
    // mm1: 0.8 arrivals an hour for 20,000 h, two events each (arrival, service end).
    assert!(
        (one.events / (0.8 * 20_000.0 * 2.0) - 1.0).abs() < 0.01,
        "{one:?}"
    );
    assert!(budget::check(&many, &Budget::default()).is_ok());
}
