//! Output is whole or refused: a full disk fails the command, report paths that are not regular
//! files and `--out` paths that are not folders are refused before running, a run's results are
//! published as one unit, and `merge` refuses edited manifests and damaged units.

use std::fs::OpenOptions;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::clearsim;
use crate::support::{bin, path, stderr};

/// A small run of the M/M/1 queue (3 replications unless `extra` says otherwise).
fn mm1(extra: &[&str]) -> Vec<String> {
    let reps = if extra.contains(&"--reps") {
        &[][..]
    } else {
        &["--reps", "3"][..]
    };
    let mut args: Vec<String> = ["run", &path("scenarios/validation/mm1.toml")]
        .iter()
        .chain(reps)
        .chain(&["--warmup", "10", "--set", "run.horizon_h=500"])
        .map(|s| s.to_string())
        .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

#[test]
fn stdout_on_a_full_disk_fails_run_schema_and_check() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let mm1_file = path("scenarios/validation/mm1.toml");
    let cases: Vec<Vec<String>> = vec![
        mm1(&[]),
        mm1(&["--json"]),
        vec!["schema".into()],
        vec!["check".into(), mm1_file],
    ];
    for args in cases {
        let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = bin().args(&args).stdout(full).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("cannot write to standard output"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_full_stderr_never_panics() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    for args in [
        vec!["check", "no-such-scenario.toml"],
        vec!["run", "no-such-scenario.toml", "--seed", "-1"],
    ] {
        let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
        let out = bin().args(&args).stderr(full).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: invalid input, no panic"
        );
    }
}

#[test]
fn reports_onto_a_device_or_a_fifo_are_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("memo.md");
    let made = Command::new("mkfifo").arg(&fifo).status();
    let mut targets = vec![("--report", "/dev/null".to_string())];
    if made.is_ok_and(|s| s.success()) {
        targets.push(("--md", fifo.to_string_lossy().into_owned()));
        targets.push(("--report", fifo.to_string_lossy().into_owned()));
    }
    for (flag, target) in targets {
        let started = Instant::now();
        // paper.toml takes minutes: a refusal within seconds happened before the run.
        let out = clearsim(&["run", &path("scenarios/paper.toml"), flag, &target]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {target}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "nothing ran");
        assert!(started.elapsed() < Duration::from_secs(20));
        let meta = std::fs::metadata(&target).unwrap();
        assert!(!meta.is_file(), "{target} is still what it was");
    }
    // `report` refuses them too, and an existing regular file is replaced.
    let out = clearsim(&[
        "report",
        &path("tests/fixtures/world-small.toml"),
        "--md",
        "/dev/null",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn an_out_that_is_a_file_is_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results");
    std::fs::write(&file, b"keep me").unwrap();
    let f = file.to_str().unwrap();
    let paper = path("scenarios/paper.toml");
    let cases: Vec<Vec<&str>> = vec![
        vec!["run", &paper, "--out", f],
        vec!["run", &paper, "--shard", "0/2", "--out", f],
        vec![
            "sweep",
            &paper,
            "--set",
            "hub.sort.servers=12,14",
            "--out",
            f,
        ],
        vec![
            "stress",
            &paper,
            "--limit",
            "clearance_hours.p95<=24",
            "--out",
            f,
        ],
        vec!["merge", dir.path().to_str().unwrap(), "--out", f],
    ];
    for args in cases {
        let started = Instant::now();
        let out = clearsim(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("is not a folder"), "{}", stderr(&out));
        assert!(started.elapsed() < Duration::from_secs(20), "{args:?} ran");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
}

#[test]
fn results_are_published_as_one_unit_and_stale_temporaries_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    // What a kill mid-write, and an older run of another kind, left behind (process ids above
    // 2^22 do not exist on Linux).
    std::fs::write(out_dir.join(".summary.json.99999999.tmp"), b"{ half").unwrap();
    std::fs::create_dir(out_dir.join(".clearsim-staging.99999999.tmp")).unwrap();
    std::fs::write(
        out_dir.join(".clearsim-staging.99999999.tmp/backlog.csv"),
        b"x",
    )
    .unwrap();
    std::fs::write(out_dir.join("backlog.csv"), b"old parcel world\n").unwrap();
    std::fs::write(out_dir.join("runs.csv"), b"old sweep\n").unwrap();
    std::fs::write(out_dir.join("notes.txt"), b"mine").unwrap();
    let out = clearsim(
        &mm1(&["--out", out_dir.to_str().unwrap()])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // A network has no backlog.csv: the old one would have been read beside the new summary.
    assert_eq!(names, ["notes.txt", "summary.json"], "{names:?}");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["replications"].as_u64(), Some(3));
}

/// A run of 4 replications split into one shard, in `dir`.
fn shard_into(dir: &Path) {
    let args = mm1(&[
        "--reps",
        "4",
        "--shard",
        "0/1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let out = bin().args(&args).stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("units")).unwrap();
    for name in ["manifest.json", "scenario.toml"] {
        std::fs::copy(from.join(name), to.join(name)).unwrap();
    }
    for e in std::fs::read_dir(from.join("units")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join("units").join(e.file_name())).unwrap();
    }
}

#[test]
fn merge_refuses_edited_manifests_and_damaged_units() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good");
    shard_into(&good);
    let merged = tmp.path().join("merged");
    let m = merged.to_str().unwrap();
    let out = clearsim(&["merge", good.to_str().unwrap(), "--out", m]);
    assert!(out.status.success(), "{}", stderr(&out));

    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit, &str); 6] = [
        ("count0", |v| v["shard"]["count"] = 0.into(), "shard 0/0"),
        (
            "nopoints",
            |v| v["job"]["points"] = serde_json::json!([]),
            "no points",
        ),
        (
            "reps",
            |v| v["job"]["replications"] = 4_000_000_000u64.into(),
            "replications must be from 1 to 100000, got 4000000000",
        ),
        (
            "lengths",
            |v| v["job"]["points"] = serde_json::json!([["3"]]),
            "point 0 has 1 value(s) for 0 parameter(s)",
        ),
        (
            "units",
            |v| v["units"] = serde_json::json!([0, 1]),
            "unit list",
        ),
        ("seed", |v| v["job"]["seed"] = 7.into(), "edited"),
    ];
    for (name, edit, says) in edits {
        let d = tmp.path().join(name);
        copy_dir(&good, &d);
        let mpath = d.join("manifest.json");
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&mpath).unwrap()).unwrap();
        edit(&mut v);
        std::fs::write(&mpath, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
        let started = Instant::now();
        let out = clearsim(&["merge", d.to_str().unwrap(), "--out", m]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains("manifest.json") && err.contains(says),
            "{name}: {err}"
        );
        assert!(started.elapsed() < Duration::from_secs(10), "{name}");
    }

    // One flipped bit anywhere in a unit file is found, and the file named.
    let unit = Path::new("units").join("u0000001.bin");
    let len = std::fs::read(good.join(&unit)).unwrap().len();
    for at in [len / 2, len - 1, 100] {
        let d = tmp.path().join(format!("flip{at}"));
        copy_dir(&good, &d);
        let mut bytes = std::fs::read(d.join(&unit)).unwrap();
        bytes[at] ^= 0x10;
        std::fs::write(d.join(&unit), bytes).unwrap();
        let out = clearsim(&["merge", d.to_str().unwrap(), "--out", m]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "bit at {at}: {err}");
        assert!(err.contains("u0000001.bin"), "{err}");
        assert!(err.contains("damaged"), "{err}");
    }
}

/// A symbolic link given as a report or `fit --out` is written through: the link stays a link
/// and the file it points to gets the new content, replaced atomically beside it.
#[test]
fn a_symbolic_link_is_written_through_to_its_target() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("elsewhere");
    std::fs::create_dir(&target).unwrap();
    let real = target.join("target.html");
    std::fs::write(&real, "old").unwrap();
    let link = tmp.path().join("link.html");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let mut args = mm1(&["--report", link.to_str().unwrap()]);
    args.push("--quiet".into());
    let out = bin().args(&args).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(std::fs::read_to_string(&real).unwrap().contains("<html"));

    let csv = path("scenarios/calibration/trs-synthetic.csv");
    let toml_real = target.join("fit.toml");
    let toml_link = tmp.path().join("fit-link.toml");
    std::os::unix::fs::symlink("elsewhere/fit.toml", &toml_link).unwrap();
    let out = clearsim(&["fit", &csv, "--out", toml_link.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&toml_link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&toml_real)
            .unwrap()
            .contains("import")
    );
}

/// A temporary file left by a write killed part-way is removed by the next write of that file.
#[test]
fn a_rerun_of_fit_out_removes_the_temporary_a_killed_write_left() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = tmp.path().join("fit.toml");
    // As a killed write leaves it: `.NAME.NONCE.PID.tmp` of a process no longer running.
    let stale = tmp.path().join(".fit.toml.18d3a-0.4194303.tmp");
    std::fs::write(&stale, "half").unwrap();
    let csv = path("scenarios/calibration/trs-synthetic.csv");
    let out = clearsim(&["fit", &csv, "--out", toml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(toml.exists());
    assert!(!stale.exists(), "the stale temporary is still there");
}
