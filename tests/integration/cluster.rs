//! Running on a cluster: `--shard auto` under each scheduler's variables (and its refusals),
//! the files of `--emit`, merging a shared folder with missing tasks, and re-run tasks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

use crate::support::repo;
use crate::support::stderr;

/// Every variable `--shard auto` reads, removed from each child so the tests do not depend on
/// the environment they run in (a CI job inside Slurm, say).
const SCHEDULER_VARS: [&str; 9] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
    "SLURM_JOB_ID",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "AWS_BATCH_JOB_ARRAY_SIZE",
];

/// Runs `program` (clearsim when `None`) with `args` and exactly the scheduler variables `env`.
fn run_with(program: Option<&str>, args: &[String], env: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(program.unwrap_or(env!("CARGO_BIN_EXE_clearsim")));
    cmd.args(args);
    for v in SCHEDULER_VARS {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the clearsim binary runs")
}

fn clearsim(args: &[String], env: &[(&str, String)]) -> Output {
    run_with(None, args, env)
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
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {err}");
    assert!(err.contains(says), "expected `{says}` in: {err}");
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// `clearsim COMMAND` on the small parcel world: `sets` after the file, then 96 h with 24 h
/// of warm-up, 3 replications of seed 2, writing into `out`, then `extra`.
fn small_job(command: &str, sets: &[&str], out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = strings(&[command, &s(&repo("tests/fixtures/world-small.toml"))]);
    args.extend(strings(sets));
    args.extend(strings(&[
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
        &s(out),
    ]));
    args.extend(strings(extra));
    args
}

/// A small parcel-world sweep, 2 points × 3 replications = 6 units, writing into `out`, then
/// `extra`.
fn sweep(out: &Path, extra: &[&str]) -> Vec<String> {
    small_job("sweep", &["--set", "hub.sort.servers=4,6"], out, extra)
}

const SWEEP_FILES: [&str; 3] = ["runs.csv", "summary.csv", "summary.json"];

fn assert_same_files(a: &Path, b: &Path) {
    for f in SWEEP_FILES {
        let read = |d: &Path| std::fs::read(d.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(
            read(a) == read(b),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// Scheduler variables given to a task.
type Env = Vec<(&'static str, String)>;

/// A scheduler's variables for one task, and the flags it needs besides `--shard auto`.
struct Convention {
    name: &'static str,
    env: Env,
    flags: Vec<&'static str>,
}

/// The variables of each scheduler for task `k` of `n`.
fn conventions(k: u64, n: u64) -> Vec<Convention> {
    vec![
        Convention {
            name: "Slurm",
            env: vec![
                ("SLURM_ARRAY_TASK_ID", k.to_string()),
                ("SLURM_ARRAY_TASK_COUNT", n.to_string()),
                ("SLURM_ARRAY_TASK_MIN", "0".to_string()),
                ("SLURM_ARRAY_TASK_MAX", (n - 1).to_string()),
                ("SLURM_ARRAY_TASK_STEP", "1".to_string()),
            ],
            flags: vec![],
        },
        Convention {
            name: "Kubernetes",
            env: vec![("JOB_COMPLETION_INDEX", k.to_string())],
            flags: vec!["--shards", "3"],
        },
        Convention {
            name: "AWS Batch",
            env: vec![
                ("AWS_BATCH_JOB_ARRAY_INDEX", k.to_string()),
                ("AWS_BATCH_JOB_ARRAY_SIZE", n.to_string()),
            ],
            flags: vec![],
        },
    ]
}

#[test]
fn shard_auto_under_slurm_kubernetes_and_aws_batch_merges_to_the_bytes_of_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    ok(clearsim(&sweep(&whole, &[]), &[]));
    for (i, name) in ["Slurm", "Kubernetes", "AWS Batch"].iter().enumerate() {
        let shared = tmp.path().join(format!("shared-{i}"));
        for k in 0..3 {
            let c = conventions(k, 3).swap_remove(i);
            assert_eq!(c.name, *name);
            let mut flags = vec!["--shard", "auto"];
            flags.extend(c.flags);
            let out = ok(clearsim(&sweep(&shared, &flags), &c.env));
            let err = stderr(&out);
            assert!(
                err.contains(&format!("--shard auto: shard {k}/3 from")) && err.contains(name),
                "{err}"
            );
            assert!(shared.join(format!("shard-{k}/manifest.json")).exists());
        }
        let merged = tmp.path().join(format!("merged-{i}"));
        ok(clearsim(
            &strings(&["merge", &s(&shared), "--out", &s(&merged)]),
            &[],
        ));
        assert_same_files(&whole, &merged);
    }
}

#[test]
fn shard_auto_refuses_a_missing_or_inconsistent_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let v = |pairs: &[(&'static str, &str)]| -> Env {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    };
    let cases: Vec<(Env, Vec<&str>, &str)> = vec![
        (v(&[]), vec![], "no scheduler's task index is set"),
        (
            v(&[("SLURM_JOB_ID", "41")]),
            vec![],
            "a Slurm job but not an array task",
        ),
        (
            v(&[
                ("SLURM_ARRAY_TASK_ID", "3"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ]),
            vec![],
            "index 3 is not below the task count 3",
        ),
        (
            v(&[
                ("SLURM_ARRAY_TASK_ID", "one"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ]),
            vec![],
            "SLURM_ARRAY_TASK_ID=\"one\" is not a whole number",
        ),
        (
            v(&[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "2"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "4"),
            ]),
            vec![],
            "2 tasks numbered up to 4",
        ),
        (
            v(&[("JOB_COMPLETION_INDEX", "1")]),
            vec![],
            "add --shards N",
        ),
        (
            v(&[("JOB_COMPLETION_INDEX", "5")]),
            vec!["--shards", "3"],
            "index 5 is not below the task count 3",
        ),
        (
            v(&[
                ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
                ("AWS_BATCH_JOB_ARRAY_SIZE", "2"),
            ]),
            vec!["--shards", "3"],
            "the array has 2 children but --shards says 3",
        ),
        (
            v(&[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
                ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
                ("AWS_BATCH_JOB_ARRAY_SIZE", "3"),
            ]),
            vec![],
            "two schedulers disagree",
        ),
        (
            v(&[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "7"),
            ]),
            vec![],
            "the job has only 6 work unit(s)",
        ),
    ];
    for (env, extra, says) in cases {
        let mut flags = vec!["--shard", "auto"];
        flags.extend(extra);
        refused(&clearsim(&sweep(&out, &flags), &env), says);
        assert!(
            !out.join("shard-0").join("units").exists(),
            "a refused task writes no units ({says})"
        );
    }
    // Flags that do not go together.
    let flags: [(&[&str], &str); 6] = [
        (
            &["--shard", "0/3", "--shards", "3"],
            "--shard K/N already names N",
        ),
        (
            &["--shards", "3"],
            "--shards N goes with --shard auto or --emit",
        ),
        (
            &["--parallel", "2"],
            "--parallel and --image go with --emit",
        ),
        (&["--emit", "slurm"], "add --shards N"),
        (
            &["--emit", "slurm", "--shards", "2", "--shard", "auto"],
            "drop --shard",
        ),
        (
            &["--emit", "k8s", "--shards", "7"],
            "at most that many tasks",
        ),
    ];
    for (extra, says) in flags {
        refused(&clearsim(&sweep(&out, extra), &[]), says);
    }
    refused(
        &clearsim(&sweep(&out, &["--shard", "bogus"]), &[]),
        "--shard auto in a scheduler's array task",
    );
}

#[test]
fn a_task_is_held_to_its_share_of_the_work_budget() {
    // The whole sweep is about 1.9e6 events; a third of it fits 1e6, the whole does not.
    let tmp = tempfile::tempdir().unwrap();
    let budget = ["--max-events", "1e6"];
    refused(
        &clearsim(&sweep(&tmp.path().join("whole"), &budget), &[]),
        "more than the budget of 1.00e6",
    );
    let mut flags = budget.to_vec();
    flags.extend(["--shard", "auto"]);
    let env = vec![
        ("SLURM_ARRAY_TASK_ID", "2".to_string()),
        ("SLURM_ARRAY_TASK_COUNT", "3".to_string()),
    ];
    ok(clearsim(&sweep(&tmp.path().join("job"), &flags), &env));
    assert!(tmp.path().join("job/shard-2/units/u0000005.bin").exists());
    // Planning checks the largest task's share.
    let plan = |n: &str| {
        let mut flags = budget.to_vec();
        flags.extend(["--emit", "slurm", "--shards", n]);
        clearsim(&sweep(&tmp.path().join(format!("plan-{n}")), &flags), &[])
    };
    refused(&plan("1"), "more than the budget");
    ok(plan("3"));
}

/// The plan `--emit` wrote into `dir`.
fn plan(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("plan.json")).unwrap()).unwrap()
}

fn list(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// The words of a shell line written by `--emit` in a folder without spaces (single quotes
/// are only needed for other characters).
fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

#[test]
fn emit_writes_slurm_scripts_and_a_kubernetes_manifest_with_the_same_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("job");
    let out = ok(clearsim(
        &sweep(
            &shared,
            &[
                "--emit",
                "slurm",
                "--emit",
                "k8s",
                "--shards",
                "3",
                "--parallel",
                "2",
                "--threads",
                "2",
                "--image",
                "registry.example/clearsim:0.1.0",
            ],
        ),
        &[],
    ));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("slurm-submit.sh") && printed.contains("kubectl apply -f"));
    assert!(!shared.join("shard-0").exists(), "--emit runs nothing");
    let plan = plan(&shared);
    let args = list(&plan["args"]);
    let job_id = plan["job_id"].as_str().unwrap().to_string();
    let shared_s = s(&std::path::absolute(&shared).unwrap());
    let mut task = args.clone();
    task.extend(strings(&[
        "--shards", "3", "--shard", "auto", "--out", &shared_s, "--resume",
    ]));
    assert_eq!(args[0], "sweep");
    assert!(args.contains(&"--threads".to_string()) && args.contains(&"2".to_string()));

    // Slurm: an array of 3 tasks, at most 2 at once, each exec-ing the task command line.
    let array = std::fs::read_to_string(shared.join("slurm-array.sbatch")).unwrap();
    assert!(array.contains("#SBATCH --array=0-2%2"), "{array}");
    assert!(array.contains("#SBATCH --cpus-per-task=2"));
    assert!(array.contains(plan["scenario_sha256"].as_str().unwrap()));
    assert!(array.contains(&job_id));
    let exec = array
        .lines()
        .find_map(|l| l.strip_prefix("exec "))
        .expect("an exec line");
    let exec = words(exec);
    assert_eq!(exec[0], plan["program"].as_str().unwrap());
    assert_eq!(exec[1..], task[..]);
    let submit = std::fs::read_to_string(shared.join("slurm-submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterok:"));
    let merge = std::fs::read_to_string(shared.join("slurm-merge.sbatch")).unwrap();
    assert!(merge.contains(&format!("merge {shared_s} --out {shared_s}/merged")));

    // Kubernetes: a ConfigMap with the scenario's bytes and an Indexed Job running the same
    // command line, then a merge Job.
    let text = std::fs::read_to_string(shared.join("k8s-job.yaml")).unwrap();
    let docs: Vec<serde_yaml_ng::Value> = serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).expect("valid YAML"))
        .collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["kind"].as_str(), Some("ConfigMap"));
    let scenario = std::fs::read_to_string(repo("tests/fixtures/world-small.toml")).unwrap();
    assert_eq!(
        docs[0]["data"]["scenario.toml"].as_str(),
        Some(scenario.as_str())
    );
    let job = &docs[1];
    assert_eq!(job["kind"].as_str(), Some("Job"));
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    assert_eq!(spec["completions"].as_u64(), Some(3));
    assert_eq!(spec["parallelism"].as_u64(), Some(2));
    assert_eq!(
        job["metadata"]["annotations"]["clearsim/job-id"].as_str(),
        Some(job_id.as_str())
    );
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["restartPolicy"].as_str(), Some("Never"));
    let container = &pod["containers"][0];
    assert_eq!(
        container["image"].as_str(),
        Some("registry.example/clearsim:0.1.0")
    );
    let command: Vec<String> = container["command"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(command[0], "clearsim");
    assert_eq!(
        command[1..],
        task[..],
        "the pods run the Slurm tasks' command line"
    );
    let mounts = container["volumeMounts"].as_sequence().unwrap();
    assert!(
        mounts
            .iter()
            .any(|m| m["mountPath"].as_str() == Some(shared_s.as_str()))
    );
    assert!(
        mounts
            .iter()
            .any(|m| m["mountPath"].as_str() == Some(args[1].as_str()))
    );
    let merge: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(shared.join("k8s-merge.yaml")).unwrap())
            .unwrap();
    let merge_cmd = &merge["spec"]["template"]["spec"]["containers"][0]["command"];
    assert_eq!(merge_cmd[1].as_str(), Some("merge"));
    assert_eq!(merge_cmd[2].as_str(), Some(shared_s.as_str()));

    // The pods' command line works: three indexed tasks, then the merge.
    for k in 0..3 {
        ok(clearsim(
            &command[1..],
            &[("JOB_COMPLETION_INDEX", k.to_string())],
        ));
    }
    let whole = tmp.path().join("whole");
    ok(clearsim(&sweep(&whole, &[]), &[]));
    let merge_cmd: Vec<String> = merge_cmd
        .as_sequence()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    ok(clearsim(&merge_cmd[1..], &[]));
    assert_same_files(&whole, &shared.join("merged"));

    // The folder now holds this job's shards: planning another job into it is refused, and so
    // is a folder that Slurm's #SBATCH lines cannot name.
    refused(
        &clearsim(
            &sweep(
                &shared,
                &[
                    "--emit",
                    "k8s",
                    "--shards",
                    "3",
                    "--set",
                    "run.horizon_h=97",
                ],
            ),
            &[],
        ),
        "holds the results of another job",
    );
    refused(
        &clearsim(
            &sweep(
                &tmp.path().join("a b"),
                &["--emit", "slurm", "--shards", "3"],
            ),
            &[],
        ),
        "cannot hold spaces",
    );
}

#[test]
fn merge_names_missing_and_unfinished_tasks_and_the_commands_that_rerun_them() {
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("job");
    ok(clearsim(
        &sweep(&shared, &["--emit", "slurm", "--shards", "3"]),
        &[],
    ));
    let plan = plan(&shared);
    let mut task = list(&plan["args"]);
    let shared_s = s(&std::path::absolute(&shared).unwrap());
    task.extend(strings(&[
        "--shards", "3", "--shard", "auto", "--out", &shared_s, "--resume",
    ]));
    for k in [0, 2] {
        ok(clearsim(&task, &[("SLURM_ARRAY_TASK_ID", k.to_string())]));
    }
    // Shard 2 (units 2 and 5) loses a unit; shard 1 never ran.
    std::fs::remove_file(shared.join("shard-2/units/u0000005.bin")).unwrap();
    let merged = shared.join("merged");
    let merge = strings(&["merge", &shared_s, "--out", &s(&merged)]);
    let out = clearsim(&merge, &[]);
    refused(&out, "shard(s) 1/3 missing");
    let err = stderr(&out);
    assert!(
        err.contains("2/3 (1 of 2 units not written) unfinished"),
        "{err}"
    );
    assert!(err.contains("task indices to re-run: 1-2"), "{err}");
    assert!(
        err.contains(&format!("bash {shared_s}/slurm-submit.sh 1-2")),
        "{err}"
    );
    assert!(!merged.join("summary.json").exists());
    // The commands it gives for any machine re-run the two shards.
    let reruns: Vec<Vec<String>> = err
        .lines()
        .filter_map(|l| l.split_once(" on any machine: ").map(|(_, c)| words(c)))
        .collect();
    assert_eq!(reruns.len(), 2, "{err}");
    for (k, cmd) in reruns.iter().enumerate() {
        assert!(cmd.contains(&format!("{}/3", k + 1)));
        let out = ok(run_with(Some(&cmd[0]), &cmd[1..], &[]));
        if k == 1 {
            assert!(stderr(&out).contains("resuming: 1 of 2 work units already done"));
        }
    }
    ok(clearsim(&merge, &[]));
    let whole = tmp.path().join("whole");
    ok(clearsim(&sweep(&whole, &[]), &[]));
    assert_same_files(&whole, &merged);

    // Without a plan the message still names the tasks, and says how to re-run them.
    std::fs::remove_file(shared.join("plan.json")).unwrap();
    std::fs::remove_dir_all(shared.join("shard-0")).unwrap();
    let out = clearsim(&merge, &[]);
    refused(&out, "task indices to re-run: 0");
    assert!(stderr(&out).contains("--shard K/N --out DIR --resume"));
    // A folder with neither a manifest nor shard folders is refused.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    refused(
        &clearsim(&strings(&["merge", &s(&empty), "--out", &s(&merged)]), &[]),
        "no shard-K folders",
    );
}

/// The unit file `u` of the results folder `dir`.
fn unit(dir: &Path, u: u64) -> PathBuf {
    dir.join("units").join(format!("u{u:07}.bin"))
}

#[test]
fn a_rerun_task_keeps_identical_units_and_refuses_different_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("s0");
    let shard = ["--shard", "0/2"];
    ok(clearsim(&sweep(&d, &shard), &[]));
    let before = std::fs::read(unit(&d, 0)).unwrap();
    // A second attempt of the same task (no --resume) writes the same bytes: accepted.
    ok(clearsim(&sweep(&d, &shard), &[]));
    assert_eq!(std::fs::read(unit(&d, 0)).unwrap(), before);
    // A sound unit 0 with other contents (replication 2's result under unit 0's header, with
    // its checksum) is what another build would write: refused.
    let other = std::fs::read(unit(&d, 2)).unwrap();
    let head = 8 + 64 + 8;
    let mut forged = before[..head].to_vec();
    forged.extend_from_slice(&other[head..other.len() - 32]);
    let sum = Sha256::digest(&forged);
    forged.extend_from_slice(&sum);
    std::fs::write(unit(&d, 0), &forged).unwrap();
    let out = clearsim(&sweep(&d, &shard), &[]);
    refused(
        &out,
        "unit 0 was already written by another attempt of this job with other contents",
    );
    assert_eq!(
        std::fs::read(unit(&d, 0)).unwrap(),
        forged,
        "the unit is left as it was"
    );
    // A damaged unit is no attempt's result: it is replaced.
    std::fs::write(unit(&d, 0), b"CSUNIT02 half a unit").unwrap();
    ok(clearsim(&sweep(&d, &shard), &[]));
    assert_eq!(std::fs::read(unit(&d, 0)).unwrap(), before);
}

#[test]
fn a_run_planned_with_emit_merges_to_the_run_of_one_process() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |out: &Path, extra: &[&str]| small_job("run", &[], out, extra);
    let whole = tmp.path().join("whole");
    ok(clearsim(&run(&whole, &[]), &[]));
    let shared = tmp.path().join("job");
    ok(clearsim(
        &run(&shared, &["--emit", "slurm", "--shards", "3"]),
        &[],
    ));
    let plan = plan(&shared);
    assert_eq!(plan["args"][0].as_str(), Some("run"));
    let mut task = list(&plan["args"]);
    task.extend(strings(&[
        "--shards",
        "3",
        "--shard",
        "auto",
        "--out",
        &s(&shared),
        "--resume",
    ]));
    for k in 0..3 {
        let out = ok(clearsim(
            &task,
            &[("AWS_BATCH_JOB_ARRAY_INDEX", k.to_string())],
        ));
        assert!(out.stdout.is_empty(), "a task prints no summary");
    }
    let merged = tmp.path().join("merged");
    ok(clearsim(
        &strings(&["merge", &s(&shared), "--out", &s(&merged)]),
        &[],
    ));
    for f in ["summary.json", "backlog.csv"] {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f} differs"
        );
    }
    refused(
        &clearsim(
            &run(
                &shared,
                &["--emit", "slurm", "--shards", "2", "--precision", "0.1"],
            ),
            &[],
        ),
        "--precision",
    );
}

/// Numbers from the environment are input too: the largest `SLURM_ARRAY_TASK_MAX` is refused
/// with the array's range, not wrapped round to a count of 0.
#[test]
fn a_slurm_task_max_at_the_end_of_the_integers_is_refused_without_wraparound() {
    let tmp = tempfile::tempdir().unwrap();
    let out = clearsim(
        &sweep(&tmp.path().join("o"), &["--shard", "auto"]),
        &[
            ("SLURM_ARRAY_TASK_ID", "0".to_string()),
            ("SLURM_ARRAY_TASK_MAX", u64::MAX.to_string()),
        ],
    );
    refused(&out, "cannot go up to task 18446744073709551615");
    assert!(!stderr(&out).contains("count of 0"), "{}", stderr(&out));
}

/// `--image` is written into a manifest as is: an empty or broken one is refused.
#[test]
fn an_empty_or_broken_image_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for image in ["", "a b", "x\"y"] {
        let out = clearsim(
            &sweep(
                &tmp.path().join("o"),
                &["--emit", "k8s", "--shards", "2", "--image", image],
            ),
            &[],
        );
        refused(&out, "--image");
    }
}

/// Every folder named `shard-…` in a shared folder is a shard or refused by name: one whose
/// index cannot be a shard's is not skipped silently.
#[test]
fn merge_refuses_a_stray_shard_folder_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("job");
    let shared_s = s(&shared);
    let task = sweep(&shared, &["--shards", "1", "--shard", "auto"]);
    ok(clearsim(&task, &[("SLURM_ARRAY_TASK_ID", "0".to_string())]));
    for stray in ["shard-18446744073709551616", "shard-00"] {
        std::fs::create_dir(shared.join(stray)).unwrap();
        let out = clearsim(
            &strings(&["merge", &shared_s, "--out", &s(&tmp.path().join("m"))]),
            &[],
        );
        refused(&out, &format!("`{stray}` is not a shard folder"));
        std::fs::remove_dir(shared.join(stray)).unwrap();
    }
}

/// `--resume` into a folder whose `units` is a file says so, not "File exists".
#[test]
fn resume_where_units_is_a_file_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("o");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("units"), "not a folder").unwrap();
    let out = clearsim(&sweep(&out_dir, &["--resume"]), &[]);
    let err = stderr(&out);
    assert!(err.contains("is a file, not a folder"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}
