//! The `clearsim` command: parse the command line, call the library, map failures to exit codes
//! (0 ok, 1 the run failed, 2 invalid input).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use clearsim::experiment;
use clearsim::report;
use clearsim::scenario::{Override, Scenario, ScenarioError};

/// Discrete-event simulation of cross-border e-commerce parcels: clearance times and costs,
/// with 95% confidence intervals across replications.
#[derive(Parser, Debug)]
#[command(name = "clearsim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options shared by the commands that read a scenario.
#[derive(clap::Args, Debug)]
struct ScenarioArgs {
    /// The scenario file (TOML).
    file: PathBuf,
    /// Override any value of the file: `--set run.horizon_h=500`, `--set stage.xray.servers=3`
    /// (arrays of tables by name or index). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
}

/// How to run: replications, seed, threads, output form (shared by `run` and `compare`).
#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Replications (overrides `run.replications`).
    #[arg(long)]
    reps: Option<u32>,
    /// Master seed (overrides `run.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads for replications (default: all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Print exactly one JSON document (docs/output.md) instead of the table.
    #[arg(long)]
    json: bool,
    /// No progress bar (it is drawn only when stderr is a terminal, for runs over a second).
    #[arg(long)]
    quiet: bool,
    /// Warm-up deleted from every statistic: hours, or `auto` to choose it by MSER-5 on the
    /// headline figure from a pilot run (overrides `run.warmup_h`).
    #[arg(long, value_name = "HOURS|auto")]
    warmup: Option<String>,
    /// Refuse a job estimated to process more simulation events (default 5e10, about an hour).
    #[arg(long, value_name = "N")]
    max_events: Option<f64>,
    /// Refuse a job estimated to hold more memory than this many GiB (default 8).
    #[arg(long, value_name = "GIB")]
    max_memory: Option<f64>,
}

impl RunArgs {
    /// A progress bar of replications on stderr, when stderr is a terminal and not `--quiet`.
    fn progress(&self) -> Option<indicatif::ProgressBar> {
        progress_bar(self.quiet)
    }

    /// `--reps`, `--seed` and a fixed `--warmup` as overrides of the scenario file.
    fn overrides(&self) -> Result<Vec<String>, Failure> {
        let mut extra = Vec::new();
        if let Some(n) = self.reps {
            extra.push(format!("run.replications={n}"));
        }
        if let Some(s) = self.seed {
            extra.push(format!("run.seed={s}"));
        }
        if let Some(w) = &self.warmup
            && w != "auto"
        {
            match w.parse::<f64>() {
                Ok(h) if h.is_finite() && h >= 0.0 => extra.push(format!("run.warmup_h={h:?}")),
                _ => {
                    return Err(Failure::Input(format!(
                        "--warmup {w}: give hours ≥ 0 (e.g. --warmup 48) or `auto` (MSER-5)"
                    )));
                }
            }
        }
        Ok(extra)
    }

    /// Refuses, before any work, a job whose estimate exceeds the budget (exit code 2).
    fn within_budget(&self, estimate: experiment::budget::WorkEstimate) -> Result<(), Failure> {
        let mut budget = experiment::budget::Budget::default();
        for (flag, value, slot, unit) in [
            ("--max-events", self.max_events, &mut budget.max_events, 1.0),
            (
                "--max-memory",
                self.max_memory,
                &mut budget.max_memory_bytes,
                1024f64.powi(3),
            ),
        ] {
            match value {
                Some(v) if v.is_finite() && v > 0.0 => *slot = v * unit,
                Some(v) => return Err(Failure::Input(format!("{flag} {v}: give a number > 0"))),
                None => {}
            }
        }
        experiment::budget::check(&estimate, &budget).map_err(|e| Failure::Input(e.to_string()))
    }

    /// The shape of a job of `replications` × `runs` on this command's threads.
    fn shape(&self, replications: u32, runs: u64) -> experiment::budget::JobShape {
        experiment::budget::JobShape {
            replications: replications as u64,
            runs,
            threads: self.threads,
        }
    }

    /// True with `--warmup auto`.
    fn auto_warmup(&self) -> bool {
        self.warmup.as_deref() == Some("auto")
    }
}

/// A progress bar on stderr that shows itself only once a job has run for a second, and only
/// when stderr is a terminal and not `quiet`.
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let pb =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {pos}/{len} replications, about {eta} left",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    let shown = pb.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(1));
        if !shown.is_finished() {
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    });
    Some(pb)
}

/// Report files (shared by `run`, `compare` and `report`).
#[derive(clap::Args, Debug)]
struct ReportArgs {
    /// Also write a self-contained HTML report with charts (opens offline), atomically.
    #[arg(long = "report", value_name = "FILE.html")]
    html: Option<PathBuf>,
    /// Also write the findings as a Markdown memo with tables, atomically.
    #[arg(long, value_name = "FILE.md")]
    md: Option<PathBuf>,
}

impl ReportArgs {
    /// Refuses, before any simulation, report paths that cannot be written (exit code 1).
    fn check(&self) -> Result<(), Failure> {
        for p in self.html.iter().chain(&self.md) {
            report::check_writable(p).map_err(Failure::Run)?;
        }
        Ok(())
    }

    /// Whether any report file was asked for.
    fn wanted(&self) -> bool {
        self.html.is_some() || self.md.is_some()
    }

    /// Writes the requested report files from `input` (`None`: nothing was asked for).
    fn write(
        &self,
        input: Option<Result<report::ReportInput, report::ReportError>>,
    ) -> Result<(), Failure> {
        let Some(input) = input else {
            return Ok(());
        };
        input
            .and_then(|i| i.write(self.html.as_deref(), self.md.as_deref()))
            .map_err(|e| match e {
                report::ReportError::Input(e) => Failure::Input(e.to_string()),
                other => Failure::Run(other.to_string()),
            })
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate a scenario and print its summary.
    Run {
        #[command(flatten)]
        scenario: ScenarioArgs,
        #[command(flatten)]
        how: RunArgs,
        /// Also write `summary.json` and (parcel worlds) a tidy `backlog.csv` into this folder,
        /// each atomically. With `--shard`: the shard's folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Add replications until the 95% CI half-width of the headline figure (mean clearance,
        /// or mean time in system) is at most this share of its mean, e.g. 0.02.
        #[arg(long, value_name = "SHARE")]
        precision: Option<f64>,
        /// With `--precision`: the most replications to run.
        #[arg(long, default_value_t = 200)]
        max_reps: u32,
        #[command(flatten)]
        split: SplitArgs,
        #[command(flatten)]
        files: ReportArgs,
    },
    /// Compare two scenarios with common random numbers: A, B, the paired difference B − A
    /// with its 95% CI, the relative change, and the CI independent seeds would have given.
    Compare {
        /// Scenario A (the baseline).
        a: PathBuf,
        /// Scenario B.
        b: PathBuf,
        /// Overrides applied to both files (see `run --help`). Repeatable.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// Replications and seed come from A (or `--reps`, `--seed`); B always runs with A's.
        #[command(flatten)]
        how: RunArgs,
        /// Add paired replications until the 95% CI half-width of the headline figure of A and
        /// of B is at most this share of its mean, e.g. 0.02.
        #[arg(long, value_name = "SHARE")]
        precision: Option<f64>,
        /// With `--precision`: the most replications to run.
        #[arg(long, default_value_t = 200)]
        max_reps: u32,
        #[command(flatten)]
        files: ReportArgs,
    },
    /// Run a scenario over a grid of values: `--set key=v1,v2,…` or `--set key=a..b:step`
    /// (repeatable; one value applies at every point). Writes `runs.csv`, `summary.csv` and
    /// `summary.json` into `--out`.
    Sweep {
        /// The scenario file (TOML).
        file: PathBuf,
        /// `key=v1,v2,…`, `key=a..b:step` (both ends included) or `key=value`. Repeatable.
        #[arg(long = "set", value_name = "KEY=VALUES")]
        set: Vec<String>,
        /// Pair the i-th values of every list instead of taking the full grid.
        #[arg(long)]
        zip: bool,
        #[command(flatten)]
        how: RunArgs,
        /// The results folder (also keeps every finished unit, for `--resume` and `merge`).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        split: SplitArgs,
        #[command(flatten)]
        files: ReportArgs,
    },
    /// Find the most demand a scenario can take: the largest demand multiplier at which a figure
    /// meets `--limit` and the system stays stable, with its 95% CI across replications, the
    /// bottleneck there and the time to drain the backlog after the peak.
    Stress {
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// The limit to hold, e.g. 'clearance_hours.p95<=24' or
        /// 'stages.officers.wait_hours.mean<=1' (a headline figure or a stage's wait).
        #[arg(long)]
        limit: String,
        /// Demand multipliers to search, relative to the file's demand.
        #[arg(long, default_value = "0.5..20", value_name = "LOW..HIGH")]
        range: String,
        /// Multipliers on the grid that draws the curve (the search then bisects).
        #[arg(long, default_value_t = 8)]
        points: usize,
        /// Bisection steps inside the grid cell where the limit starts to fail.
        #[arg(long, default_value_t = 8)]
        steps: u32,
        #[command(flatten)]
        how: RunArgs,
        /// Also write `stress.json` into this folder, atomically.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        files: ReportArgs,
    },
    /// Put the folders of the shards of one run or sweep together: checks that they belong to
    /// the same job and that every unit is there once, then writes what one process would have.
    Merge {
        /// The shards' folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write the merged results.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Print the JSON summary instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Validate a scenario and report every problem, without running it.
    Check {
        #[command(flatten)]
        scenario: ScenarioArgs,
    },
    /// Draw the HTML report and/or Markdown memo of a saved result: a `run --json` document
    /// (`summary.json`, with `backlog.csv` beside it if present) or a `compare --json` one.
    Report {
        /// The result document (JSON).
        input: PathBuf,
        /// The HTML report to write.
        #[arg(short = 'o', long = "output", value_name = "FILE.html")]
        html: Option<PathBuf>,
        /// The Markdown memo to write.
        #[arg(long, value_name = "FILE.md")]
        md: Option<PathBuf>,
    },
    /// Print the JSON Schema of the scenario file format (docs/scenario.schema.json).
    Schema,
}

/// Splitting a job across processes and finishing interrupted ones.
#[derive(clap::Args, Debug)]
struct SplitArgs {
    /// Do only the work units (point × replication) with index ≡ K mod N and write them, with a
    /// manifest, into `--out`; put the shards together with `clearsim merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
    /// Reuse the units already finished in `--out` and do only the rest.
    #[arg(long)]
    resume: bool,
}

impl SplitArgs {
    fn shard(&self) -> Result<Option<experiment::Shard>, Failure> {
        self.shard
            .as_deref()
            .map(|s| s.parse().map_err(Failure::Input))
            .transpose()
    }
}

/// `println!` through [`emit`].
macro_rules! emitln {
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        emit(&line);
    }};
}

/// Writes to stdout; a reader that went away (`clearsim … | head`) ends the output quietly
/// instead of a panic.
fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: cannot write to standard output: {e}");
    }
}

/// What went wrong, and so which exit code.
enum Failure {
    /// The input was invalid: exit code 2.
    Input(String),
    /// The run itself failed: exit code 1.
    Run(String),
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure::Input(e.to_string())
    }
}

fn load(args: &ScenarioArgs, extra: Vec<String>) -> Result<Scenario, Failure> {
    let overrides = args
        .set
        .iter()
        .cloned()
        .chain(extra)
        .map(|a| {
            a.parse::<Override>()
                .map_err(|e| e.in_file(&args.file.display().to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Scenario::load(&args.file, &overrides)?)
}

/// Says so when MSER-5 cut all it may: the run never settled.
fn warn_at_limit(choice: &experiment::warmup::WarmupChoice) {
    if choice.at_limit {
        eprintln!(
            "warning: MSER-5 cut half the run: the headline figure was still drifting at mid-run, so no steady state was seen; lengthen run.horizon_h"
        );
    }
}

/// Empties the progress bar after a pilot run, for the real one.
fn restart(pb: &Option<indicatif::ProgressBar>) {
    if let Some(pb) = pb {
        pb.set_position(0);
        pb.set_length(0);
    }
}

/// `--precision` as a target, checked.
fn precision_target(
    precision: Option<f64>,
    max_reps: u32,
) -> Result<Option<experiment::PrecisionTarget>, Failure> {
    match precision {
        Some(p) if p.is_finite() && p > 0.0 && p < 1.0 => Ok(Some(experiment::PrecisionTarget {
            relative: p,
            max_replications: max_reps.max(2),
        })),
        Some(p) => Err(Failure::Input(format!(
            "--precision {p}: give the target half-width as a share of the mean, above 0 and below 1 (e.g. 0.02 for ±2%)"
        ))),
        None => Ok(None),
    }
}

/// Writes `bytes` to `dir/name` atomically, creating `dir`.
fn write_out(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Failure> {
    let fail =
        |e: std::io::Error| Failure::Run(format!("{}: cannot write results: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(fail)?;
    report::write_atomic(&dir.join(name), bytes).map_err(fail)
}

/// `summary.json` and, for a parcel world, `backlog.csv`.
fn write_run(dir: &Path, output: &experiment::RunOutput) -> Result<(), Failure> {
    write_out(
        dir,
        "summary.json",
        report::json(&output.summary).as_bytes(),
    )?;
    if output.summary.currency.is_some() {
        write_out(
            dir,
            "backlog.csv",
            report::backlog_csv(&output.backlog).as_bytes(),
        )?;
    }
    Ok(())
}

/// `runs.csv`, `summary.csv` and `summary.json` of a sweep.
fn write_sweep(dir: &Path, result: &experiment::sweep::SweepResult) -> Result<(), Failure> {
    use experiment::sweep::{runs_csv, summary_csv};
    write_out(dir, "runs.csv", runs_csv(result).as_bytes())?;
    write_out(dir, "summary.csv", summary_csv(&result.summary).as_bytes())?;
    write_out(dir, "summary.json", to_json(&result.summary)?.as_bytes())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Failure::Run(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

impl From<experiment::units::JobError> for Failure {
    fn from(e: experiment::units::JobError) -> Self {
        use experiment::units::{JobError, StoreError};
        match e {
            JobError::Store(StoreError::Mismatch { .. }) => Failure::Input(e.to_string()),
            other => Failure::Run(other.to_string()),
        }
    }
}

impl From<experiment::units::StoreError> for Failure {
    fn from(e: experiment::units::StoreError) -> Self {
        experiment::units::JobError::from(e).into()
    }
}

impl From<experiment::ExperimentError> for Failure {
    fn from(e: experiment::ExperimentError) -> Self {
        Failure::Run(e.to_string())
    }
}

/// Reads the scenario file's bytes.
fn read_scenario(file: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(file).map_err(|e| Failure::Input(format!("{}: cannot read: {e}", file.display())))
}

/// Runs the units of `job` that fall to `shard` into the folder `out`; returns the folder to
/// read them from when the job is whole (no `--shard`), or `None` after telling how to merge.
fn run_job(
    job: &experiment::units::JobSpec,
    scenarios: &[clearsim::scenario::Scenario],
    bytes: &[u8],
    out: &Path,
    shard: Option<experiment::Shard>,
    resume: bool,
    workers: experiment::Workers<'_>,
) -> Result<Option<experiment::units::Store>, Failure> {
    use experiment::units::{Store, execute};
    let whole = shard.unwrap_or(experiment::Shard::WHOLE);
    let store = Store::create(out, job, whole, bytes)?;
    let units = store.manifest.units.clone();
    if resume {
        eprintln!(
            "resuming: {} of {} work units already done in {}",
            store.finished(),
            units.len(),
            out.display()
        );
    }
    execute(scenarios, job.replications, &units, workers, &store, resume)?;
    match shard {
        Some(s) => {
            eprintln!(
                "shard {}/{}: {} of {} work units written to {}; when every shard is done: clearsim merge DIR… --out DIR",
                s.index,
                s.count,
                units.len(),
                job.units(),
                out.display()
            );
            Ok(None)
        }
        None => Ok(Some(store)),
    }
}

fn execute(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run {
            scenario,
            how,
            out,
            precision,
            max_reps,
            split,
            files,
        } => {
            let (threads, json) = (how.threads, how.json);
            let target = precision_target(precision, max_reps)?;
            files.check()?;
            let shard = split.shard()?;
            if (shard.is_some() || split.resume) && out.is_none() {
                return Err(Failure::Input(
                    "--shard and --resume keep work units in a folder: give it with --out DIR"
                        .to_string(),
                ));
            }
            if (shard.is_some() || split.resume) && target.is_some() {
                return Err(Failure::Input("--precision decides the number of replications as it goes: it cannot be split with --shard or resumed".to_string()));
            }
            if shard.is_some() && how.auto_warmup() {
                return Err(Failure::Input("--warmup auto needs a pilot of every replication: choose the warm-up once (`clearsim run FILE --warmup auto`), then give the shards --warmup HOURS".to_string()));
            }
            let mut extra = how.overrides()?;
            let pb = how.progress();
            let workers = experiment::Workers {
                threads,
                progress: pb.as_ref(),
            };
            let mut sc = load(&scenario, extra.clone())?;
            let reps = target.map_or(sc.run.replications, |t| t.max_replications);
            how.within_budget(experiment::budget::estimate(
                &sc,
                &how.shape(reps, 1 + how.auto_warmup() as u64),
            ))?;
            let mut chosen = None;
            if how.auto_warmup() {
                let choice = experiment::warmup::choose(&sc, workers)?;
                eprintln!(
                    "warm-up: {} h, chosen by MSER-5 on the headline figure of a {}-replication pilot",
                    choice.hours, choice.pilot_replications
                );
                warn_at_limit(&choice);
                extra.push(format!("run.warmup_h={:?}", choice.hours));
                sc = load(&scenario, extra.clone())?;
                restart(&pb);
                chosen = Some(choice);
            }
            let output = if shard.is_some() || split.resume {
                let dir = out.as_deref().expect("checked above");
                let bytes = read_scenario(&scenario.file)?;
                let job = experiment::units::JobSpec {
                    kind: experiment::units::JobKind::Run,
                    origin: scenario.file.display().to_string(),
                    scenario_sha256: sc.sha256.clone(),
                    base: scenario.set.iter().cloned().chain(extra).collect(),
                    parameters: Vec::new(),
                    points: vec![Vec::new()],
                    replications: sc.run.replications,
                    seed: sc.run.seed,
                };
                let scenarios = [sc];
                match run_job(&job, &scenarios, &bytes, dir, shard, split.resume, workers)? {
                    Some(store) => experiment::output_of(
                        &scenarios[0],
                        store.load_point(0, scenarios[0].run.replications)?,
                    ),
                    None => return Ok(()),
                }
            } else {
                experiment::run_with(&sc, workers, target)?
            };
            if let Some(pb) = &pb {
                pb.finish_and_clear();
            }
            let mut output = output;
            output.summary.warmup = chosen;
            if let Some(dir) = out {
                write_run(&dir, &output)?;
            }
            if json {
                emit(&report::json(&output.summary));
            } else {
                emit(&report::table::render(&output.summary));
            }
            // Written last: the results are printed and saved even if a report file cannot be.
            files.write(files.wanted().then(|| report::ReportInput::of_run(&output)))
        }
        Command::Compare {
            a,
            b,
            set,
            how,
            precision,
            max_reps,
            files,
        } => {
            let (threads, json) = (how.threads, how.json);
            let target = precision_target(precision, max_reps)?;
            files.check()?;
            let mut extra = how.overrides()?;
            let args_a = ScenarioArgs {
                file: a,
                set: set.clone(),
            };
            let args_b = ScenarioArgs { file: b, set };
            let mut sa = load(&args_a, extra.clone())?;
            // B runs with A's seed and replications: that is what pairs them.
            let pair = |sa: &clearsim::scenario::Scenario, extra: &[String]| {
                let mut e = extra.to_vec();
                e.push(format!("run.seed={}", sa.run.seed));
                e.push(format!("run.replications={}", sa.run.replications));
                e
            };
            let mut sb = load(&args_b, pair(&sa, &extra))?;
            let reps = target.map_or(sa.run.replications, |t| t.max_replications);
            let shape = how.shape(reps, 1 + how.auto_warmup() as u64);
            let (ea, eb) = (
                experiment::budget::estimate(&sa, &shape),
                experiment::budget::estimate(&sb, &shape),
            );
            how.within_budget(ea.followed_by(eb))?;
            let pb = how.progress();
            let workers = experiment::Workers {
                threads,
                progress: pb.as_ref(),
            };
            let mut chosen = None;
            if how.auto_warmup() {
                let ca = experiment::warmup::choose(&sa, workers)?;
                let cb = experiment::warmup::choose(&sb, workers)?;
                let choice = if cb.hours > ca.hours { cb } else { ca };
                eprintln!(
                    "warm-up: {} h for A and B (the larger of the two chosen by MSER-5 on the headline figure)",
                    choice.hours
                );
                warn_at_limit(&choice);
                extra.push(format!("run.warmup_h={:?}", choice.hours));
                sa = load(&args_a, extra.clone())?;
                sb = load(&args_b, pair(&sa, &extra))?;
                restart(&pb);
                chosen = Some(choice);
            }
            let mut runs = experiment::compare::compare_runs(&sa, &sb, workers, target).map_err(
                |e| match e {
                    experiment::compare::CompareError::Kinds { .. } => {
                        Failure::Input(e.to_string())
                    }
                    other => Failure::Run(other.to_string()),
                },
            )?;
            if let Some(pb) = &pb {
                pb.finish_and_clear();
            }
            runs.comparison.warmup = chosen;
            if json {
                emit(&to_json(&runs.document())?);
            } else {
                emit(&report::table::render_comparison(&runs.comparison));
            }
            files.write(
                files
                    .wanted()
                    .then(|| report::ReportInput::of_comparison(&runs)),
            )
        }
        Command::Sweep {
            file,
            set,
            zip,
            how,
            out,
            split,
            files,
        } => {
            use experiment::sweep::{SetArg, grid, parse_set, summarize_sweep};
            let shard = split.shard()?;
            files.check()?;
            if how.auto_warmup() {
                return Err(Failure::Input("--warmup auto is for run and compare: choose the warm-up once (`clearsim run FILE --warmup auto`), then sweep with --warmup HOURS".to_string()));
            }
            let mut fixed = Vec::new();
            let mut axes = Vec::new();
            for arg in &set {
                match parse_set(arg).map_err(|e| Failure::Input(e.to_string()))? {
                    SetArg::Fixed(f) => fixed.push(f),
                    SetArg::Axis(a) => axes.push(a),
                }
            }
            let grid = grid(&axes, zip).map_err(|e| Failure::Input(e.to_string()))?;
            let mut base = fixed;
            base.extend(how.overrides()?);
            let bytes = read_scenario(&file)?;
            let mut job = experiment::units::JobSpec {
                kind: experiment::units::JobKind::Sweep,
                origin: file.display().to_string(),
                scenario_sha256: String::new(),
                base,
                parameters: grid.parameters.clone(),
                points: grid.points.clone(),
                replications: 0,
                seed: 0,
            };
            let scenarios = job
                .scenarios(&bytes)
                .map_err(|e| Failure::Input(e.to_string()))?;
            let first = &scenarios[0];
            job.scenario_sha256 = first.sha256.clone();
            job.replications = first.run.replications;
            job.seed = first.run.seed;
            let shape = how.shape(job.replications, 1);
            let estimate = scenarios
                .iter()
                .map(|sc| experiment::budget::estimate(sc, &shape))
                .reduce(|a, b| a.followed_by(b));
            how.within_budget(
                estimate
                    .expect("a grid has a point")
                    .with_sweep_tables(scenarios.len() as u64, job.replications as u64),
            )?;
            let pb = how.progress();
            let workers = experiment::Workers {
                threads: how.threads,
                progress: pb.as_ref(),
            };
            let Some(store) =
                run_job(&job, &scenarios, &bytes, &out, shard, split.resume, workers)?
            else {
                return Ok(());
            };
            if let Some(pb) = &pb {
                pb.finish_and_clear();
            }
            let result = summarize_sweep(&scenarios, &grid, &job.base, |p| {
                store.load_point(p, job.replications)
            })?;
            write_sweep(&out, &result)?;
            if how.json {
                emit(&to_json(&result.summary)?);
            } else {
                emit(&report::table::render_sweep(&result.summary));
            }
            files.write(
                files
                    .wanted()
                    .then(|| report::ReportInput::of_sweep(&result.summary)),
            )
        }
        Command::Stress {
            scenario,
            limit,
            range,
            points,
            steps,
            how,
            out,
            files,
        } => {
            use experiment::stress::{StressError, StressSpec, parse_range, stress};
            files.check()?;
            if how.auto_warmup() {
                return Err(Failure::Input("--warmup auto is for run and compare: choose the warm-up once (`clearsim run FILE --warmup auto`), then stress with --warmup HOURS".to_string()));
            }
            let limit = limit.parse().map_err(Failure::Input)?;
            let range = parse_range(&range).map_err(Failure::Input)?;
            if points < 2 {
                return Err(Failure::Input(format!(
                    "--points {points}: the grid needs at least 2 multipliers"
                )));
            }
            if points > 1000 || steps > 60 {
                return Err(Failure::Input(format!(
                    "--points {points} --steps {steps}: at most 1000 points and 60 bisection steps (60 halvings already resolve a multiplier to 1e-18)"
                )));
            }
            let sc = load(&scenario, how.overrides()?)?;
            // Every run at the highest multiplier searched (at most the stability bound): an upper bound.
            let load_1 = sc.with_demand_multiplier(1.0).max_offered_load();
            let top = if load_1 > 0.0 {
                range[1].min(1.0 / load_1)
            } else {
                range[1]
            };
            let shape = how.shape(sc.run.replications, points as u64 + steps as u64 + 2);
            how.within_budget(experiment::budget::estimate(
                &sc.with_demand_multiplier(top),
                &shape,
            ))?;
            let pb = how.progress();
            let workers = experiment::Workers {
                threads: how.threads,
                progress: pb.as_ref(),
            };
            let spec = StressSpec {
                limit,
                range,
                grid_points: points,
                bisection_steps: steps,
            };
            let result = stress(&sc, &spec, workers).map_err(|e| match e {
                StressError::UnknownMetric { .. } => Failure::Input(e.to_string()),
                other => Failure::Run(other.to_string()),
            })?;
            if let Some(pb) = &pb {
                pb.finish_and_clear();
            }
            if let Some(dir) = out {
                write_out(&dir, "stress.json", to_json(&result)?.as_bytes())?;
            }
            if how.json {
                emit(&to_json(&result)?);
            } else {
                emit(&report::table::render_stress(&result));
            }
            files.write(
                files
                    .wanted()
                    .then(|| report::ReportInput::of_stress(&result)),
            )
        }
        Command::Merge { dirs, out, json } => {
            let shards = experiment::units::gather(&dirs)?;
            let job = &shards.manifest.job;
            let scenarios = job
                .scenarios(&shards.scenario)
                .map_err(|e| Failure::Input(e.to_string()))?;
            match job.kind {
                experiment::units::JobKind::Run => {
                    let output = experiment::output_of(&scenarios[0], shards.load_point(0)?);
                    write_run(&out, &output)?;
                    if json {
                        emit(&report::json(&output.summary));
                    } else {
                        emit(&report::table::render(&output.summary));
                    }
                }
                experiment::units::JobKind::Sweep => {
                    let grid = experiment::sweep::Grid {
                        parameters: job.parameters.clone(),
                        points: job.points.clone(),
                    };
                    let result =
                        experiment::sweep::summarize_sweep(&scenarios, &grid, &job.base, |p| {
                            shards.load_point(p)
                        })?;
                    write_sweep(&out, &result)?;
                    if json {
                        emit(&to_json(&result.summary)?);
                    } else {
                        emit(&report::table::render_sweep(&result.summary));
                    }
                }
            }
            Ok(())
        }
        Command::Report { input, html, md } => {
            let files = ReportArgs { html, md };
            if !files.wanted() {
                return Err(Failure::Input(
                    "report: say what to write: `-o FILE.html`, `--md FILE.md`, or both".into(),
                ));
            }
            files.check()?;
            files.write(Some(report::ReportInput::from_file(&input)))
        }
        Command::Schema => {
            emit(&clearsim::scenario::schema_json());
            Ok(())
        }
        Command::Check { scenario } => {
            let sc = load(&scenario, Vec::new())?;
            emitln!(
                "{}: ok — scenario `{}`, {} source(s), {} stage(s), {} platform(s), {} replication(s)",
                sc.origin,
                sc.name,
                sc.sources.len(),
                sc.stages.len(),
                sc.world.as_ref().map_or(0, |w| w.platforms.len()),
                sc.run.replications
            );
            if let Some(world) = &sc.world {
                emitln!(
                    "  parcel world: {} platform(s), currency {}",
                    world.platforms.len(),
                    world.regime.currency
                );
                for l in world.offered_loads() {
                    let warn = if l.load >= 1.0 {
                        "  (≥ 1: backlog grows until the horizon)"
                    } else {
                        ""
                    };
                    emitln!(
                        "  {:<22} arrivals {:>12.2}/h  offered load {:.3}{warn}",
                        l.name,
                        l.arrival_rate_per_h,
                        l.load
                    );
                }
            }
            for l in sc.offered_loads() {
                let st = &sc.stages[l.stage];
                match l.load {
                    Some(rho) => {
                        let warn = if rho >= 1.0 {
                            "  (≥ 1: backlog grows until the horizon)"
                        } else {
                            ""
                        };
                        emitln!(
                            "  stage {:<20} arrivals {:>10.4}/h  offered load {rho:.3}{warn}",
                            st.name,
                            l.arrival_rate_per_h
                        );
                    }
                    None => emitln!(
                        "  stage {:<20} arrivals {:>10.4}/h",
                        st.name,
                        l.arrival_rate_per_h
                    ),
                }
            }
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
    }
}
