//! Hangs, stack overflows and runaway work: refused before the run, or ended with a clear error.

use std::process::Output;
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
        // A budget refusal names the scenario file it refuses.
        if flag == "--max-events" {
            assert!(
                stderr(&out).starts_with(&format!("error: {}: ", args[1])),
                "{args:?}: {}",
                stderr(&out)
            );
        }
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

/// Runs `clearsim`, killing it after `limit` seconds, and asserts it answered in time without
/// a panic: a hang fails the test instead of holding it.
fn within(limit: u64, args: &[&str]) -> Output {
    use std::process::{Command, Stdio};
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_clearsim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the clearsim binary runs");
    // Drain the pipes while waiting, so a long message cannot block the child.
    let mut pipes = (child.stdout.take(), child.stderr.take());
    let read = |p: Option<std::process::ChildStdout>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            if let Some(mut p) = p {
                let _ = std::io::Read::read_to_end(&mut p, &mut v);
            }
            v
        })
    };
    let out_reader = read(pipes.0.take());
    let err = pipes.1.take();
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(mut p) = err {
            let _ = std::io::Read::read_to_end(&mut p, &mut v);
        }
        v
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(limit) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "`clearsim {}` still running after {limit} s",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    };
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    out
}

/// A rate turned into a time (24 / `depot_per_day` hours a parcel) is checked where it is
/// derived: `check` refuses a rate whose time overflows, instead of the run panicking.
#[test]
fn a_rate_whose_derived_time_overflows_is_refused_by_check() {
    let file = repo("scenarios/network-eu.toml")
        .to_string_lossy()
        .into_owned();
    for rate in ["1e-310", "1e-9"] {
        let set = format!("gateway.duisburg.depot_per_day={rate}");
        for verb in ["check", "run"] {
            let args = [verb, &file, "--set", &set, "--reps", "1", "--quiet"];
            let out = within(60, &args[..if verb == "check" { 4 } else { 7 }]);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{verb} {rate}: {}",
                stderr(&out)
            );
            assert!(stderr(&out).contains("depot_per_day"), "{}", stderr(&out));
        }
    }
}

/// `fit` counts the weekdays a sample covers in constant time, however far apart its arrivals.
#[test]
fn fit_on_a_sample_spanning_a_trillion_hours_returns_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for far in ["1e12", "1e300"] {
        let csv = dir.path().join(format!("far-{far}.csv"));
        std::fs::write(&csv, format!("arrival,release\n0,1\n1,2.5\n{far},{far}1\n")).unwrap();
        let out = within(30, &["fit", csv.to_str().unwrap()]);
        assert_ne!(out.status.code(), Some(101), "{}", stderr(&out));
    }
}

/// The duplicate-column check of the milestone CSV is linear in the columns.
#[test]
fn a_milestone_csv_with_a_hundred_thousand_columns_is_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("wide.csv");
    let mut header: Vec<String> = (0..200_000).map(|i| format!("extra{i}")).collect();
    header.extend(["arrival".into(), "release".into(), "extra7".into()]);
    std::fs::write(&csv, format!("{}\n", header.join(","))).unwrap();
    let out = within(20, &["fit", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`extra7` appears twice"),
        "{}",
        stderr(&out)
    );
}

/// Ten thousand problems in one file are located from one parse of it, not one each.
#[test]
fn a_prefer_list_of_ten_thousand_lanes_is_refused_at_once() {
    let text = std::fs::read_to_string(repo("scenarios/network-eu.toml")).unwrap();
    let long: Vec<&str> = std::iter::repeat_n("\"zz-lgg\"", 10_000).collect();
    let text = text.replace(
        "prefer = [\"zz-lgg\", \"zz-bud\"]",
        &format!("prefer = [{}]", long.join(", ")),
    );
    let (_dir, file) = scenario_file(&text);
    let out = within(30, &["check", &file]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("lane `zz-lgg` is listed twice"));
}

/// A normal whose mean is far below zero (truncated at 0) is drawn at the cost of any other.
#[test]
fn a_normal_far_below_zero_does_not_stall_a_run() {
    let text = format!(
        "{HEAD}\n[[stage]]\nname = \"a\"\nkind = \"delay\"\ndelay_h = {{ dist = \"normal\", mean = -4.75, sd = 1.0 }}\n"
    );
    let (_dir, file) = scenario_file(&text);
    let out = within(60, &["run", &file, "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A run without a horizon ends when the network is empty: a stage no route leaves is refused
/// by `check`, whatever kind of stage it is.
#[test]
fn a_loop_no_route_leaves_is_refused_when_the_run_ends_empty() {
    let text = "[run]\nseed = 1\nreplications = 2\narrivals = 10\n\n[[source]]\nname = \"in\"\ninterarrival_h = { dist = \"exponential\", mean = 1.0 }\nto = \"a\"\n\n[[stage]]\nname = \"a\"\nkind = \"delay\"\ndelay_h = { dist = \"exponential\", mean = 1.0 }\nto = \"b\"\n\n[[stage]]\nname = \"b\"\nkind = \"delay\"\ndelay_h = { dist = \"exponential\", mean = 0.1 }\nto = \"a\"\n";
    let (_dir, file) = scenario_file(text);
    for verb in ["check", "run"] {
        let out = within(30, &[verb, &file]);
        assert_eq!(out.status.code(), Some(2), "{verb}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("leads out of the network"),
            "{}",
            stderr(&out)
        );
    }
    // With a way out, however unlikely, it runs.
    let (before, _) = text.rsplit_once("to = \"a\"").unwrap();
    let leaving =
        format!("{before}routes = [{{ to = \"a\", p = 0.9 }}, {{ to = \"exit\", p = 0.1 }}]\n");
    let (_dir, file) = scenario_file(&leaving);
    let out = within(60, &["check", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `check` of a long chain of stages is quick.
#[test]
fn check_of_a_chain_of_three_thousand_stages_is_quick() {
    let mut text = HEAD.replace("horizon_h = 100.0", "horizon_h = 10.0");
    for i in 0..3000 {
        let to = if i + 1 < 3000 {
            format!("to = \"s{}\"\n", i + 1)
        } else {
            String::new()
        };
        let name = if i == 0 {
            "a".to_string()
        } else {
            format!("s{i}")
        };
        text.push_str(&format!(
            "\n[[stage]]\nname = \"{name}\"\nkind = \"delay\"\ndelay_h = {{ dist = \"exponential\", mean = 0.001 }}\n{to}"
        ));
    }
    let (_dir, file) = scenario_file(&text);
    let out = within(20, &["check", &file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// Every multiplier `stress` searches becomes `run.demand_multiplier`, so it has that key's
/// bound: a range beyond it is refused before anything is allocated.
#[test]
fn a_stress_range_beyond_the_demand_multipliers_bound_is_refused() {
    let (_dir, file) = scenario_file(&format!(
        "{HEAD}\n[[stage]]\nname = \"a\"\nservers = 1\nservice_h = {{ dist = \"exponential\", mean = 0.5 }}\n"
    ));
    let out = within(
        30,
        &[
            "stress",
            &file,
            "--limit",
            "time_in_system_hours.mean<=10",
            "--range",
            "1e307..1e308",
            "--reps",
            "2",
            "--quiet",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("run.demand_multiplier"),
        "{}",
        stderr(&out)
    );
}
