//! The experiment verbs: sweeps and their tables, shards and `merge`, `--resume`, `stress`,
//! `--warmup auto`, `compare --precision`, and their bad input.

use std::path::Path;
use std::process::Output;

use crate::support::{clearsim, clearsim_json};
use crate::support::{mmc_wq, repo};

fn file(p: &str) -> String {
    repo(p).to_string_lossy().into_owned()
}

fn dir(d: &Path) -> String {
    d.to_string_lossy().into_owned()
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn refused(out: &Output, says: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {err}");
    assert!(err.contains(says), "expected `{says}` in: {err}");
}

/// The arguments of a small, fast parcel-world sweep: 2 points × 3 replications = 6 units.
fn world_sweep_args(out: &Path, extra: &[&str]) -> Vec<String> {
    let f = file("tests/fixtures/world-small.toml");
    [
        "sweep",
        f.as_str(),
        "--set",
        "hub.sort.servers=4,6",
        "--set",
        "run.horizon_h=120",
        "--set",
        "run.warmup_h=24",
        "--reps",
        "3",
        "--seed",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]
    .iter()
    .chain(extra)
    .map(|s| s.to_string())
    .collect()
}

/// Runs the small parcel-world sweep of [`world_sweep_args`].
fn world_sweep(out: &Path, extra: &[&str]) -> Output {
    let args = world_sweep_args(out, extra);
    clearsim(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const SWEEP_FILES: [&str; 3] = ["runs.csv", "summary.csv", "summary.json"];

fn assert_same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert!(
            read(&a.join(f)) == read(&b.join(f)),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn a_sweep_has_one_row_per_point_replication_and_metric_and_matches_single_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let f = file("scenarios/validation/mmc.toml");
    let common = [
        "--set",
        "run.horizon_h=3000",
        "--set",
        "run.warmup_h=300",
        "--reps",
        "3",
        "--seed",
        "2",
    ];
    let o = dir(&out);
    let args = [
        &[
            "sweep",
            f.as_str(),
            "--set",
            "stage.officers.servers=3,4",
            "--set",
            "run.demand_multiplier=0.6..1.0:0.2",
            "--quiet",
            "--out",
            o.as_str(),
        ][..],
        &common,
    ]
    .concat();
    ok(clearsim(&args));
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&out.join("summary.json"))).unwrap();
    let points = summary["points"].as_array().unwrap();
    assert_eq!(points.len(), 2 * 3, "full grid 2 × 3");
    let metrics = points[0]["metrics"].as_array().unwrap().len();
    assert_eq!(metrics, 5, "plain-network headline figures");
    let runs = String::from_utf8(read(&out.join("runs.csv"))).unwrap();
    assert_eq!(runs.lines().count(), 1 + 6 * 3 * metrics);
    assert_eq!(
        runs.lines().next().unwrap(),
        "point,stage.officers.servers,run.demand_multiplier,replication,metric,unit,value"
    );
    let table = String::from_utf8(read(&out.join("summary.csv"))).unwrap();
    assert_eq!(table.lines().count(), 1 + 6 * metrics);

    // Point 5 is servers = 4, multiplier 1.0: the same as a single run with those settings.
    let p = &points[5];
    assert_eq!(p["values"], serde_json::json!(["4", "1.0"]));
    let single = clearsim_json(
        &[
            &[
                "run",
                f.as_str(),
                "--json",
                "--set",
                "stage.officers.servers=4",
                "--set",
                "run.demand_multiplier=1.0",
            ][..],
            &common,
        ]
        .concat(),
    );
    assert_eq!(
        p["summary"], single,
        "the point's summary is the single run's"
    );
    let mean = p["metrics"][0]["mean"].as_f64().unwrap();
    assert_eq!(p["metrics"][0]["metric"], "time_in_system_hours.mean");
    assert_eq!(
        mean,
        single["metrics"]["time_in_system_hours"]["mean"]
            .as_f64()
            .unwrap()
    );
    // runs.csv holds the per-replication values behind that mean.
    let values: Vec<f64> = runs
        .lines()
        .filter(|l| l.starts_with("5,") && l.contains(",time_in_system_hours.mean,"))
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(values.len(), 3);
    assert!((values.iter().sum::<f64>() / 3.0 - mean).abs() < 1e-12);
    // More officers, shorter waits; more demand, longer ones (same seeds at every point).
    let m = |i: usize| points[i]["metrics"][0]["mean"].as_f64().unwrap();
    assert!(m(5) < m(2) && m(0) < m(2));
}

#[test]
fn zipped_sweeps_pair_values_and_unequal_lists_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let f = file("scenarios/validation/mmc.toml");
    let o = dir(&tmp.path().join("zip"));
    let base = [
        "sweep",
        f.as_str(),
        "--zip",
        "--set",
        "stage.officers.servers=3,4,5",
        "--reps",
        "2",
        "--set",
        "run.horizon_h=500",
        "--set",
        "run.warmup_h=50",
        "--quiet",
        "--out",
        o.as_str(),
    ];
    let v = clearsim_json(
        &[
            &base[..],
            &["--set", "run.demand_multiplier=1,1.2,1.4", "--json"],
        ]
        .concat(),
    );
    let points = v["points"].as_array().unwrap();
    assert_eq!(points.len(), 3);
    assert_eq!(points[2]["values"], serde_json::json!(["5", "1.4"]));
    refused(
        &clearsim(&[&base[..], &["--set", "run.demand_multiplier=1,1.2"]].concat()),
        "--zip",
    );
}

#[test]
fn merging_one_two_or_three_shards_gives_the_same_bytes_as_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    ok(world_sweep(&whole, &[]));
    for n in 1..=3 {
        let mut dirs = Vec::new();
        for k in 0..n {
            let d = tmp.path().join(format!("n{n}-k{k}"));
            let out = ok(world_sweep(&d, &["--shard", &format!("{k}/{n}")]));
            assert!(String::from_utf8_lossy(&out.stderr).contains("clearsim merge"));
            assert!(
                !d.join("summary.json").exists(),
                "a shard writes no summary"
            );
            dirs.push(dir(&d));
        }
        let merged = tmp.path().join(format!("merged-{n}"));
        let args: Vec<&str> = ["merge"]
            .into_iter()
            .chain(dirs.iter().map(String::as_str))
            .chain(["--out", merged.to_str().unwrap()])
            .collect();
        ok(clearsim(&args));
        assert_same_files(&whole, &merged, &SWEEP_FILES);
    }
    // A missing shard, a shard given twice, and shards of different jobs are refused.
    let d = |s: &str| dir(&tmp.path().join(s));
    let out = dir(&tmp.path().join("bad"));
    refused(
        &clearsim(&["merge", &d("n3-k0"), &d("n3-k2"), "--out", &out]),
        "1/3 missing",
    );
    refused(
        &clearsim(&[
            "merge",
            &d("n2-k0"),
            &d("n2-k1"),
            &d("n2-k1"),
            "--out",
            &out,
        ]),
        "given twice",
    );
    refused(
        &clearsim(&["merge", &d("n2-k0"), &d("n3-k1"), "--out", &out]),
        "split the job the same way",
    );
    let other = tmp.path().join("other");
    ok(world_sweep(
        &other,
        &["--shard", "1/2", "--set", "import.seizure_rate=0.002"],
    ));
    refused(
        &clearsim(&["merge", &d("n2-k0"), &dir(&other), "--out", &out]),
        "another job",
    );
    assert!(!tmp.path().join("bad").join("summary.json").exists());
}

#[test]
fn a_sharded_run_merges_into_the_run_of_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    let f = file("tests/fixtures/world-small.toml");
    let args = |out: &Path, extra: &[&str]| -> Vec<String> {
        [
            "run",
            f.as_str(),
            "--set",
            "run.horizon_h=96",
            "--set",
            "run.warmup_h=24",
            "--reps",
            "3",
            "--seed",
            "2",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(extra.iter().map(|s| s.to_string()))
        .collect()
    };
    let run = |out: &Path, extra: &[&str]| {
        let a = args(out, extra);
        ok(clearsim(&a.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let whole = tmp.path().join("whole");
    let printed = run(&whole, &["--json"]);
    let (s0, s1) = (tmp.path().join("s0"), tmp.path().join("s1"));
    run(&s0, &["--shard", "0/2"]);
    run(&s1, &["--shard", "1/2"]);
    let merged = tmp.path().join("merged");
    let out = ok(clearsim(&[
        "merge",
        &dir(&s1),
        &dir(&s0),
        "--out",
        &dir(&merged),
        "--json",
    ]));
    assert_same_files(&whole, &merged, &["summary.json", "backlog.csv"]);
    assert_eq!(out.stdout, printed.stdout);
}

#[test]
fn a_killed_sweep_resumes_to_the_same_result() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    ok(world_sweep(&whole, &[]));

    // Interrupted after some units: remove half the units and every result, as a kill would
    // leave it (plus the temporary file of a write cut short).
    let cut = tmp.path().join("cut");
    ok(world_sweep(&cut, &[]));
    for f in SWEEP_FILES {
        std::fs::remove_file(cut.join(f)).unwrap();
    }
    for u in [1, 3, 4] {
        std::fs::remove_file(cut.join("units").join(format!("u{u:07}.bin"))).unwrap();
    }
    std::fs::write(cut.join("units").join(".u0000001.bin.999.tmp"), b"half").unwrap();
    let kept = read(&cut.join("units").join("u0000000.bin"));
    let out = ok(world_sweep(&cut, &["--resume"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("3 of 6 work units already done"), "{err}");
    assert_same_files(&whole, &cut, &SWEEP_FILES);
    assert_eq!(read(&cut.join("units").join("u0000000.bin")), kept);
    assert!(!cut.join("units").join(".u0000001.bin.999.tmp").exists());

    // A real kill, at whatever point the sweep has reached.
    let killed = tmp.path().join("killed");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clearsim"))
        .args(world_sweep_args(&killed, &["--threads", "1"]))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let units = killed.join("units");
    let start = std::time::Instant::now();
    while start.elapsed().as_secs() < 60 && std::fs::read_dir(&units).map_or(0, |d| d.count()) == 0
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    if !status.success() {
        // Killed before the end: no result file exists, only finished units.
        for f in SWEEP_FILES {
            assert!(!killed.join(f).exists(), "{f} written by a killed sweep");
        }
    }
    ok(world_sweep(&killed, &["--resume"]));
    assert_same_files(&whole, &killed, &SWEEP_FILES);

    // A folder of another job is not resumed into.
    refused(
        &world_sweep(&killed, &["--resume", "--set", "import.seizure_rate=0.002"]),
        "another job",
    );
}

#[test]
fn sweeps_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("t1"), tmp.path().join("t2"));
    ok(world_sweep(&a, &["--threads", "1"]));
    ok(world_sweep(&b, &["--threads", "2"]));
    assert_same_files(&a, &b, &SWEEP_FILES);
}

/// The arrival rate at which an M/M/c queue's mean wait is `w`, by bisection on Erlang C.
fn mmc_rate_for_wait(c: u32, mu: f64, w: f64) -> f64 {
    let (mut lo, mut hi) = (1e-9, c as f64 * mu * (1.0 - 1e-12));
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mmc_wq(c, mid, mu) <= w {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[test]
fn stress_finds_the_erlang_c_capacity_of_an_mmc_queue() {
    // M/M/3, μ = 1/h, λ = 2.4/h at multiplier 1: the largest λ with Wq ≤ 1 h, from Erlang C.
    let f = file("scenarios/validation/mmc.toml");
    let v = clearsim_json(&[
        "stress",
        f.as_str(),
        "--limit",
        "stages.officers.wait_hours.mean<=1",
        "--reps",
        "10",
        "--seed",
        "2",
        "--json",
    ]);
    let analytic = mmc_rate_for_wait(3, 1.0, 1.0) / 2.4;
    let found = v["max_multiplier"]["mean"].as_f64().unwrap();
    assert!(
        (found / analytic - 1.0).abs() < 0.05,
        "stress found {found:.4}, Erlang C says {analytic:.4}"
    );
    assert_eq!(v["outcome"], "found");
    let [lo, hi] = [0, 1].map(|i| v["max_multiplier"]["ci95"][i].as_f64().unwrap());
    assert!(lo < found && found < hi);
    // Demand per day is the multiplier times 2.4/h × 24 h.
    let per_day = v["max_demand_per_day"]["mean"].as_f64().unwrap();
    assert!((per_day - found * 2.4 * 24.0).abs() < 1e-9);
    assert!((v["stability_bound"].as_f64().unwrap() - 1.25).abs() < 1e-9);
    assert_eq!(v["at_maximum"]["bottleneck"]["station"], "officers");
    // The curve rises with demand.
    let curve: Vec<f64> = v["curve"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"]["mean"].as_f64().unwrap())
        .collect();
    assert!(curve.windows(2).all(|w| w[0] < w[1]), "{curve:?}");
}

#[test]
fn stress_of_a_parcel_world_reports_bottleneck_and_drain_time() {
    let f = file("tests/fixtures/world-small.toml");
    let v = clearsim_json(&[
        "stress",
        f.as_str(),
        "--limit",
        "clearance_hours.p95<=30",
        "--range",
        "0.2..3",
        "--points",
        "4",
        "--steps",
        "3",
        "--set",
        "run.horizon_h=168",
        "--reps",
        "3",
        "--seed",
        "2",
        "--json",
    ]);
    assert_eq!(v["curve"].as_array().unwrap().len(), 4);
    assert!(v["at_maximum"]["bottleneck"]["station"].is_string());
    assert!(v["max_demand_per_day"]["mean"].as_f64().unwrap() > 0.0);
    assert!(v["at_maximum"]["drained_replications"].as_u64().is_some());
    let found = v["max_multiplier"]["mean"].as_f64().unwrap();
    assert!((0.2..=3.0).contains(&found), "{found}");
}

#[test]
fn warmup_auto_is_chosen_printed_and_stored() {
    // M/M/1 at ρ = 0.95 from empty: waits take hundreds of hours to settle.
    let f = file("scenarios/validation/mm1.toml");
    let out = ok(clearsim(&[
        "run",
        f.as_str(),
        "--warmup",
        "auto",
        "--reps",
        "5",
        "--seed",
        "2",
        "--set",
        "run.horizon_h=3000",
        "--set",
        "source.arrivals.interarrival_h.mean=1.0526",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = &v["warmup"];
    assert_eq!(w["method"], "mser_daily_pooled");
    let hours = w["hours"].as_f64().unwrap();
    assert_eq!(v["warmup_hours"].as_f64().unwrap(), hours);
    assert!(hours > 0.0 && hours < 1500.0, "{w}");
    assert_eq!(w["at_limit"], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warm-up:") && err.contains("MSER"), "{err}");
    refused(
        &clearsim(&["run", f.as_str(), "--warmup", "soon"]),
        "--warmup soon",
    );
}

#[test]
fn compare_precision_adds_paired_replications_until_the_target_is_met() {
    let f = file("scenarios/validation/mmc.toml");
    let v = clearsim_json(&[
        "compare",
        f.as_str(),
        f.as_str(),
        "--set",
        "run.horizon_h=2000",
        "--set",
        "run.warmup_h=200",
        "--reps",
        "2",
        "--seed",
        "2",
        "--precision",
        "0.05",
        "--max-reps",
        "60",
        "--json",
    ]);
    let p = &v["precision"];
    assert_eq!(p["met"], true, "{p}");
    assert!(p["achieved_relative_half_width"].as_f64().unwrap() <= 0.05);
    let n = p["replications"].as_u64().unwrap();
    assert!(n > 2, "{p}");
    assert_eq!(v["replications"].as_u64(), Some(n));
}

#[test]
fn bad_experiment_input_is_refused_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let o = dir(&tmp.path().join("o"));
    let mmc = file("scenarios/validation/mmc.toml");
    let m = mmc.as_str();
    let cases: [(Vec<&str>, &str); 9] = [
        (
            vec!["sweep", m, "--set", "stage.nope.servers=1,2", "--out", &o],
            "nope",
        ),
        (
            vec![
                "sweep",
                m,
                "--set",
                "stage.officers.servers=5..1:1",
                "--out",
                &o,
            ],
            "empty range",
        ),
        (
            vec!["sweep", m, "--set", "run.seed=1,2", "--out", &o],
            "--seed",
        ),
        (
            vec!["stress", m, "--limit", "time_in_system_hours.mean=3"],
            "--limit",
        ),
        (
            vec!["stress", m, "--limit", "queue_vibes.p95<=3"],
            "no figure `queue_vibes.p95`",
        ),
        (
            vec![
                "stress",
                m,
                "--limit",
                "time_in_system_hours.mean<=3",
                "--range",
                "5..1",
            ],
            "empty range",
        ),
        (
            vec!["run", m, "--shard", "3/2", "--out", &o],
            "K = 3 is not below N = 2",
        ),
        (
            vec![
                "sweep",
                m,
                "--set",
                "stage.officers.servers=3,4",
                "--shard",
                "3/2",
                "--out",
                &o,
            ],
            "--shard 3/2",
        ),
        (vec!["run", m, "--shard", "0/2"], "--out"),
    ];
    for (args, says) in cases {
        refused(&clearsim(&args), says);
    }
    refused(
        &clearsim(&["merge", &dir(tmp.path()), "--out", &o]),
        "manifest.json",
    );
}
