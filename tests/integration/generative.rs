//! Generative test: shipped scenarios mutated at random (seeded), each checked and run in a bounded subprocess.
//!
//! Every case takes a shipped scenario (scenarios/, scenarios/validation/, tests/fixtures/),
//! applies one to three mutations — a key removed, renamed or added, a value replaced by an
//! extreme (0, -1, 1e308, "nan", a huge integer, a wrong type), a number given a plausible range
//! with an extreme end, a table turned into an array of tables or back, an element of an array of
//! tables duplicated — and runs `clearsim check` and,
//! when the file is valid, a short `clearsim run` (2 replications, one thread, a small work
//! budget) in a subprocess with a time limit and an address-space limit. Each must exit 0, 1
//! or 2, in time, without a panic. 150 cases by default (well under two minutes on two cores);
//! `CLEARSIM_GENERATIVE_CASES=5000` runs more and `CLEARSIM_GENERATIVE_SEED` another series
//! (docs/experiments.md). Failing cases are written to `target/tmp/generative-failures/`.
//! The network scenarios, their ranges and levers are among the shipped files; the milestone
//! CSV is mutated apart and read by `fit` and `validate` (30 cases, `CLEARSIM_GENERATIVE_CSV_CASES`
//! for more).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use toml_edit::{ArrayOfTables, DocumentMut, Item, Value};

use crate::support::repo;

/// Seconds a subprocess may take before it is killed and the case fails.
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// Address space a subprocess may map [bytes]: a job that tries to allocate more fails.
const MEMORY_LIMIT: u64 = 4 << 30;

/// SplitMix64: a small seeded generator, so that a case is reproduced from its seed alone.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The shipped scenario files, sorted (so a seed means the same case everywhere).
fn shipped() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/validation", "tests/fixtures"] {
        for entry in std::fs::read_dir(repo(dir)).expect("scenario folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// A step of the path to an item: a key of a table, or an element of an array of tables.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every item of the document, as paths from the root (tables, arrays, inline tables included).
fn paths(doc: &DocumentMut) -> Vec<Vec<Step>> {
    fn walk_table(t: &dyn toml_edit::TableLike, at: &[Step], out: &mut Vec<Vec<Step>>) {
        for (k, item) in t.iter() {
            let mut p = at.to_vec();
            p.push(Step::Key(k.to_string()));
            out.push(p.clone());
            walk_item(item, &p, out);
        }
    }
    fn walk_item(item: &Item, at: &[Step], out: &mut Vec<Vec<Step>>) {
        match item {
            Item::Table(t) => walk_table(t, at, out),
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    let mut p = at.to_vec();
                    p.push(Step::Index(i));
                    out.push(p.clone());
                    walk_table(t, &p, out);
                }
            }
            Item::Value(Value::InlineTable(t)) => walk_table(t, at, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk_table(doc.as_table(), &[], &mut out);
    out
}

/// The item at `path` below `item`, if it is still there (an element of an array of tables is
/// a table, not an item: a path ending there gives `None`).
fn at<'a>(item: &'a mut Item, path: &[Step]) -> Option<&'a mut Item> {
    match path.split_first() {
        None => Some(item),
        Some((Step::Key(k), rest)) => at(item.as_table_like_mut()?.get_mut(k)?, rest),
        Some((Step::Index(i), rest)) => {
            let table = item.as_array_of_tables_mut()?.get_mut(*i)?;
            match rest.split_first() {
                Some((Step::Key(k), rest)) => at(table.get_mut(k)?, rest),
                _ => None,
            }
        }
    }
}

fn item_mut<'a>(doc: &'a mut DocumentMut, path: &[Step]) -> Option<&'a mut Item> {
    at(doc.as_item_mut(), path)
}

/// The table-like parent of `path` and the last key, for removing or renaming.
fn parent_mut<'a>(
    doc: &'a mut DocumentMut,
    path: &[Step],
) -> Option<(&'a mut dyn toml_edit::TableLike, String)> {
    let (Step::Key(last), parent) = path.split_last()? else {
        return None;
    };
    let table: &mut dyn toml_edit::TableLike = match parent.split_last() {
        None => doc.as_table_mut(),
        Some((Step::Index(i), above)) => item_mut(doc, above)?
            .as_array_of_tables_mut()?
            .get_mut(*i)?,
        Some((Step::Key(_), _)) => item_mut(doc, parent)?.as_table_like_mut()?,
    };
    Some((table, last.clone()))
}

/// Extreme and ill-typed values a user might write.
fn extreme(rng: &mut Rng) -> Value {
    let choices: [fn() -> Value; 18] = [
        || Value::from(0),
        || Value::from(-1),
        || Value::from(0.0),
        || Value::from(-1.0),
        || Value::from(1e308),
        || Value::from(-1e308),
        || Value::from(1e-300),
        || Value::from(i64::MAX),
        || Value::from(i64::MIN),
        || Value::from(4_294_967_295i64),
        || Value::from(f64::NAN),
        || Value::from(f64::INFINITY),
        || Value::from("nan"),
        || Value::from(""),
        || Value::from(true),
        || Value::Array(toml_edit::Array::new()),
        || Value::InlineTable(toml_edit::InlineTable::new()),
        || {
            let mut a = toml_edit::Array::new();
            for _ in 0..3 {
                a.push(1e308);
            }
            Value::Array(a)
        },
    ];
    rng.pick(&choices)()
}

/// Applies one random mutation; returns what it did, for the failure report.
fn mutate(doc: &mut DocumentMut, rng: &mut Rng) -> String {
    let all = paths(doc);
    if all.is_empty() {
        return "nothing to mutate".into();
    }
    let path = rng.pick(&all).clone();
    let shown = format!("{path:?}");
    match rng.below(8) {
        // A number given a plausible range with one extreme end: every verb must hold each end
        // of a range to the key's own bounds.
        7 => match item_mut(doc, &path) {
            Some(Item::Value(v @ (Value::Integer(_) | Value::Float(_)))) => {
                let end = extreme(rng);
                let mut t = toml_edit::InlineTable::new();
                t.insert("value", v.clone());
                let (low, high) = if rng.below(2) == 0 {
                    (end, v.clone())
                } else {
                    (v.clone(), end)
                };
                t.insert("low", low);
                t.insert("high", high);
                *v = Value::InlineTable(t);
                format!("gave {shown} the range {v}")
            }
            _ => "no-op".into(),
        },
        0 => match parent_mut(doc, &path) {
            Some((t, k)) => {
                t.remove(&k);
                format!("removed {shown}")
            }
            None => "no-op".into(),
        },
        1 => match parent_mut(doc, &path) {
            Some((t, k)) => match t.remove(&k) {
                Some(item) => {
                    let new = format!("{k}_x");
                    t.insert(&new, item);
                    format!("renamed {shown} to {new}")
                }
                None => "no-op".into(),
            },
            None => "no-op".into(),
        },
        2 => match parent_mut(doc, &path) {
            Some((t, _)) => {
                let v = extreme(rng);
                t.insert("unexpected_key", Item::Value(v.clone()));
                format!("added unexpected_key = {v} beside {shown}")
            }
            None => "no-op".into(),
        },
        3 | 4 => match item_mut(doc, &path) {
            Some(item) => {
                let v = extreme(rng);
                let s = v.to_string();
                *item = Item::Value(v);
                format!("set {shown} = {s}")
            }
            None => "no-op".into(),
        },
        5 => match item_mut(doc, &path) {
            // A table made an array of one table, or an array of tables made its first table.
            Some(item) => match std::mem::take(item) {
                Item::Table(t) => {
                    let mut a = ArrayOfTables::new();
                    a.push(t);
                    *item = Item::ArrayOfTables(a);
                    format!("made {shown} an array of tables")
                }
                Item::ArrayOfTables(a) => {
                    let first = a.iter().next().cloned().unwrap_or_default();
                    *item = Item::Table(first);
                    format!("made {shown} a table")
                }
                other => {
                    *item = other;
                    "no-op".into()
                }
            },
            None => "no-op".into(),
        },
        _ => match item_mut(doc, &path) {
            Some(Item::ArrayOfTables(a)) => {
                let first = a.get(0).cloned();
                if let Some(first) = first {
                    a.push(first);
                }
                format!("duplicated the first element of {shown}")
            }
            Some(Item::Value(Value::Array(a))) => {
                let copy: Vec<Value> = a.iter().cloned().collect();
                for v in copy {
                    a.push_formatted(v);
                }
                format!("doubled the array {shown}")
            }
            _ => "no-op".into(),
        },
    }
}

/// How a subprocess ended.
struct Ended {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    timed_out: bool,
}

/// Runs `clearsim args` under the memory limit, killing it after the time limit.
fn bounded(args: &[&str]) -> Ended {
    let bin = env!("CARGO_BIN_EXE_clearsim");
    let mut cmd = if Path::new("/usr/bin/prlimit").exists() {
        let mut c = Command::new("/usr/bin/prlimit");
        c.arg(format!("--as={MEMORY_LIMIT}")).arg("--").arg(bin);
        c
    } else {
        Command::new(bin)
    };
    let started = Instant::now();
    let mut child = cmd
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("clearsim starts");
    let mut err = child.stderr.take().expect("stderr piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ended {
        code: status.code(),
        stderr: reader.join().unwrap_or_default(),
        elapsed: started.elapsed(),
        timed_out,
    }
}

/// What is wrong with how a subprocess ended, if anything.
fn verdict(e: &Ended) -> Option<String> {
    if e.timed_out {
        return Some(format!("killed after {:.1} s", e.elapsed.as_secs_f64()));
    }
    if e.stderr.contains("panicked") {
        return Some(format!("panicked: {}", first_lines(&e.stderr)));
    }
    match e.code {
        Some(0..=2) => None,
        code => Some(format!("exit {code:?}: {}", first_lines(&e.stderr))),
    }
}

fn first_lines(s: &str) -> String {
    s.lines().take(4).collect::<Vec<_>>().join(" | ")
}

/// Runs case `case` of series `seed`; returns a failure description.
fn one_case(files: &[PathBuf], seed: u64, case: u64, dir: &Path) -> Option<String> {
    let mut rng = Rng(seed.wrapping_mul(1_000_003).wrapping_add(case));
    let source = rng.pick(files).clone();
    let text = std::fs::read_to_string(&source).expect("shipped scenario");
    let mut doc: DocumentMut = text.parse().expect("shipped scenarios parse");
    let mut done = Vec::new();
    for _ in 0..1 + rng.below(3) {
        done.push(mutate(&mut doc, &mut rng));
    }
    let file = dir.join(format!("case-{seed}-{case}.toml"));
    std::fs::write(&file, doc.to_string()).expect("write the mutated scenario");
    let f = file.to_string_lossy().into_owned();
    let check = bounded(&["check", &f]);
    let mut problem = verdict(&check).map(|v| format!("check: {v}"));
    if problem.is_none() && matches!(check.code, Some(0 | 1)) {
        let mut args = vec!["run", &f, "--reps", "2", "--threads", "1", "--quiet"];
        args.extend(["--max-events", "5e6", "--max-memory", "1"]);
        // Half the runs keep the file's horizon, so that huge ones reach the budget.
        if rng.below(2) == 0 {
            args.extend(["--set", "run.horizon_h=48", "--set", "run.warmup_h=0"]);
        }
        problem = verdict(&bounded(&args)).map(|v| format!("run {}: {v}", args[2..].join(" ")));
    }
    match problem {
        Some(p) => Some(format!(
            "case {case} (seed {seed}) from {}: {}: {p}; kept as {}",
            source.file_name().unwrap_or_default().to_string_lossy(),
            done.join("; "),
            file.display()
        )),
        None => {
            let _ = std::fs::remove_file(&file);
            None
        }
    }
}

#[test]
fn mutated_scenarios_never_panic_hang_or_exhaust_memory() {
    let env = |k: &str, default: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let cases = env("CLEARSIM_GENERATIVE_CASES", 150);
    let seed = env("CLEARSIM_GENERATIVE_SEED", 1);
    let files = shipped();
    assert!(files.len() >= 15, "shipped scenarios: {}", files.len());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("generative-failures");
    std::fs::create_dir_all(&dir).expect("failures folder");
    let next = std::sync::atomic::AtomicU64::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let case = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if case >= cases {
                        break;
                    }
                    if let Some(f) = one_case(&files, seed, case, &dir) {
                        failures.lock().expect("lock").push(f);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().expect("lock");
    assert!(
        failures.is_empty(),
        "{} of {cases} mutated scenarios failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_mutator_changes_the_files_it_is_given() {
    let files = shipped();
    let mut changed = 0;
    for case in 0..200 {
        let mut rng = Rng(case);
        let text = std::fs::read_to_string(rng.pick(&files)).expect("shipped scenario");
        let mut doc: DocumentMut = text.parse().expect("parses");
        let before = doc.to_string();
        mutate(&mut doc, &mut rng);
        changed += usize::from(doc.to_string() != before);
    }
    assert!(
        changed >= 120,
        "only {changed} of 200 mutations changed the file"
    );
}

/// One mutation of a milestone CSV's text: a cell replaced by an extreme, a column duplicated,
/// a row repeated, a cell emptied, or a header renamed.
fn mutate_csv(rows: &mut Vec<Vec<String>>, rng: &mut Rng) -> String {
    const EXTREMES: [&str; 12] = [
        "0",
        "-1",
        "1e308",
        "-1e308",
        "1e12",
        "nan",
        "inf",
        "",
        "x",
        "1e-300",
        "2026-13-45T25:61",
        "18446744073709551616",
    ];
    let r = rng.below(rows.len());
    let width = rows[r].len();
    let c = rng.below(width);
    match rng.below(5) {
        0 | 1 => {
            let v = rng.pick(&EXTREMES).to_string();
            if let Some(cell) = rows[r].get_mut(c) {
                *cell = v.clone();
            }
            format!("row {r} column {c} = {v:?}")
        }
        2 => {
            for row in rows.iter_mut() {
                let v = row.get(c).cloned().unwrap_or_default();
                row.push(v);
            }
            format!("duplicated column {c}")
        }
        3 => {
            let row = rows[r].clone();
            for _ in 0..1 + rng.below(50) {
                rows.push(row.clone());
            }
            format!("repeated row {r}")
        }
        _ => {
            if let Some(cell) = rows[0].get_mut(c) {
                cell.push_str("_x");
            }
            format!("renamed column {c}")
        }
    }
}

/// The shipped milestone CSV mutated at random (seeded), read by `fit` and by `validate` with
/// its model in a bounded subprocess: each exits 0, 1 or 2, in time, without a panic. 30 cases
/// by default; `CLEARSIM_GENERATIVE_CSV_CASES` runs more.
#[test]
fn mutated_milestone_csvs_never_panic_or_hang() {
    let cases: u64 = std::env::var("CLEARSIM_GENERATIVE_CSV_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let text = std::fs::read_to_string(repo("scenarios/calibration/trs-synthetic.csv")).unwrap();
    let original: Vec<Vec<String>> = text
        .lines()
        .take(200)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let model = repo("scenarios/calibration/trs-synthetic-model.toml");
    let model = model.to_string_lossy();
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in 0..cases {
        let mut rng = Rng(case.wrapping_mul(7919));
        let mut rows = original.clone();
        let done: Vec<String> = (0..1 + rng.below(3))
            .map(|_| mutate_csv(&mut rows, &mut rng))
            .collect();
        let csv = dir.path().join(format!("case-{case}.csv"));
        let body: Vec<String> = rows.iter().map(|r| r.join(",")).collect();
        std::fs::write(&csv, body.join("\n") + "\n").unwrap();
        let f = csv.to_string_lossy();
        let runs: [Vec<&str>; 2] = [
            vec!["fit", &f, "--bad-rows", "skip"],
            vec![
                "validate",
                &model,
                &f,
                "--reps",
                "2",
                "--threads",
                "1",
                "--quiet",
                "--set",
                "run.horizon_h=200",
                "--bad-rows",
                "skip",
            ],
        ];
        for args in runs {
            if let Some(v) = verdict(&bounded(&args)) {
                failures.push(format!(
                    "case {case}: {}: {}: {v}",
                    done.join("; "),
                    args[0]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
