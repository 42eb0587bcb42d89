//! Sweeps against a baseline point (paired differences with CIs) and sweeps of list values.

use std::path::Path;

use crate::support::clearsim;
use crate::support::repo;

fn file(p: &str) -> String {
    repo(p).to_string_lossy().into_owned()
}

/// The arguments of a small parcel-world sweep into `out`, then `extra`.
fn sweep_args(out: &Path, extra: &[&str]) -> Vec<String> {
    let f = file("tests/fixtures/world-small.toml");
    [
        "sweep",
        f.as_str(),
        "--set",
        "run.horizon_h=120",
        "--set",
        "run.warmup_h=24",
        "--reps",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]
    .iter()
    .chain(extra)
    .map(|a| a.to_string())
    .collect()
}

/// A small parcel-world sweep into `out` with `extra` arguments; asserts it succeeded.
fn sweep(out: &Path, extra: &[&str]) -> serde_json::Value {
    let args = sweep_args(out, extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = clearsim(&args);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

fn refused(args: &[&str], says: &str) {
    let out = clearsim(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(says), "expected `{says}` in: {err}");
}

#[test]
fn baseline_differences_are_exactly_zero_at_the_baseline_point() {
    let tmp = tempfile::tempdir().unwrap();
    let s = sweep(
        &tmp.path().join("a"),
        &["--set", "hub.sort.servers=3,4,6", "--baseline", "1"],
    );
    assert_eq!(s["baseline"], 1);
    let points = s["points"].as_array().unwrap();
    for m in points[1]["metrics"].as_array().unwrap() {
        let d = &m["vs_baseline"];
        assert_eq!(d["mean"].as_f64(), Some(0.0), "{m}");
        assert_eq!(d["ci95"], serde_json::json!([0.0, 0.0]), "{m}");
        assert_eq!(d["significant"], false);
    }
    // Elsewhere the difference is the difference of the paired replications' means.
    let mean = |p: usize, k: usize| points[p]["metrics"][k]["mean"].as_f64().unwrap();
    let d0 = points[0]["metrics"][0]["vs_baseline"]["mean"]
        .as_f64()
        .unwrap();
    assert!((d0 - (mean(0, 0) - mean(1, 0))).abs() < 1e-9);
    let csv = std::fs::read_to_string(tmp.path().join("a/summary.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(",diff_vs_baseline,diff_ci95_low,diff_ci95_high"),
        "{header}"
    );
    let at_base = csv
        .lines()
        .find(|l| l.starts_with("1,4,clearance_hours.mean"))
        .unwrap();
    assert!(at_base.ends_with(",0,0,0"), "{at_base}");
    // Without --baseline, summary.csv keeps its columns.
    let plain = sweep(&tmp.path().join("b"), &["--set", "hub.sort.servers=3,4"]);
    assert!(plain.get("baseline").is_none());
    let csv = std::fs::read_to_string(tmp.path().join("b/summary.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",replications"));
}

#[test]
fn list_values_sweep_with_either_syntax_and_the_file_point_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let by_list = sweep(
        &tmp.path().join("list"),
        &[
            "--list",
            "linehaul.departures_h=2,14",
            "--list",
            "linehaul.departures_h=2,10,18",
            "--baseline",
            "file",
        ],
    );
    let by_set = sweep(
        &tmp.path().join("set"),
        &[
            "--set",
            "linehaul.departures_h=[2,14],[2,10,18]",
            "--baseline",
            "0",
        ],
    );
    let values = |s: &serde_json::Value| -> Vec<String> {
        s["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["values"][0].as_str().unwrap().replace(' ', ""))
            .collect()
    };
    assert_eq!(values(&by_list), ["[2,14]", "[2,10,18]"]);
    assert_eq!(values(&by_set), values(&by_list));
    // The file has departures_h = [2.0, 14.0]: `--baseline file` is point 0.
    assert_eq!(by_list["baseline"], 0);
    for (x, y) in by_list["points"]
        .as_array()
        .unwrap()
        .iter()
        .zip(by_set["points"].as_array().unwrap())
    {
        assert_eq!(x["metrics"], y["metrics"]);
    }
    // A third departure changes the clearance: the two points differ.
    let d = &by_list["points"][1]["metrics"][3]["vs_baseline"];
    assert_eq!(
        by_list["points"][1]["metrics"][3]["metric"],
        "end_to_end_hours.mean"
    );
    assert_eq!(d["significant"], true, "{d}");
}

#[test]
fn a_sharded_sweep_with_a_baseline_merges_into_the_one_process_result() {
    let tmp = tempfile::tempdir().unwrap();
    let extra = ["--set", "hub.sort.servers=3,4", "--baseline", "1"];
    sweep(&tmp.path().join("whole"), &extra);
    let mut dirs = Vec::new();
    for k in 0..2 {
        let d = tmp.path().join(format!("k{k}"));
        let shard = format!("{k}/2");
        let args: Vec<&str> = extra.iter().copied().chain(["--shard", &shard]).collect();
        let all = sweep_args(&d, &args);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        assert!(clearsim(&all).status.success());
        dirs.push(d.to_string_lossy().into_owned());
    }
    let merged = tmp.path().join("merged");
    let out = clearsim(&[
        "merge",
        &dirs[0],
        &dirs[1],
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["summary.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(tmp.path().join("whole").join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn bad_baselines_and_lists_are_refused() {
    let f = file("tests/fixtures/world-small.toml");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o").to_string_lossy().into_owned();
    let base = [
        "sweep",
        f.as_str(),
        "--set",
        "hub.sort.servers=3,6",
        "--out",
        out.as_str(),
    ];
    refused(&[&base[..], &["--baseline", "2"]].concat(), "from 0 to 1");
    refused(
        &[&base[..], &["--baseline", "file"]].concat(),
        "hub.sort.servers = 4",
    );
    refused(
        &[&base[..], &["--list", "linehaul.departures_h=2,,14"]].concat(),
        "empty",
    );
    refused(
        &[&base[..], &["--set", "linehaul.departures_h=[2,14],5"]].concat(),
        "in brackets",
    );
    refused(
        &[
            &base[..],
            &[
                "--list",
                "linehaul.departures_h=2,14",
                "--set",
                "linehaul.departures_h=1,2",
            ],
        ]
        .concat(),
        "twice",
    );
}
