//! The verbs of the `clearsim` command, one module each, over what they share: the failure
//! that decides the exit code, loading a scenario with its overrides, and the progress bar.

pub mod args;
mod check;
mod compare;
mod fit;
mod merge;
pub mod output;
mod plan;
mod report;
mod run;
mod schema;
mod sensitivity;
mod serve;
mod stress;
mod sweep;
mod validate;

use clearsim::experiment;
use clearsim::scenario::{Override, Scenario, ScenarioError};

use args::{Command, ScenarioArgs};

/// What went wrong, and so which exit code.
#[derive(Debug)]
pub enum Failure {
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

impl From<experiment::units::JobError> for Failure {
    fn from(e: experiment::units::JobError) -> Self {
        use experiment::units::{JobError, StoreError};
        match e {
            JobError::Store(StoreError::Mismatch { .. } | StoreError::Unfinished { .. }) => {
                Failure::Input(e.to_string())
            }
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

impl From<clearsim::io::PathProblem> for Failure {
    fn from(e: clearsim::io::PathProblem) -> Self {
        match e {
            clearsim::io::PathProblem::NotAFile(m) => Failure::Input(m),
            other => Failure::Run(other.to_string()),
        }
    }
}

/// Runs the verb the command line asked for.
pub fn execute(command: Command) -> Result<(), Failure> {
    match command {
        Command::Run(c) => run::run(c),
        Command::Compare(c) => compare::compare(c),
        Command::Sweep(c) => sweep::sweep(c),
        Command::Stress(c) => stress::stress(c),
        Command::Sensitivity(c) => sensitivity::sensitivity(c),
        Command::Merge(c) => merge::merge(c),
        Command::Check(c) => check::check(c),
        Command::Report(c) => report::report(c),
        Command::Schema => schema::schema(),
        Command::Fit(c) => fit::fit(c),
        Command::Validate(c) => validate::validate(c),
        Command::Serve(c) => serve::serve(c),
    }
}

/// Refuses, before any work, a job whose estimate exceeds `how`'s budget (exit code 2).
fn within_budget(
    how: &args::RunArgs,
    file: &str,
    estimate: experiment::budget::WorkEstimate,
) -> Result<(), Failure> {
    experiment::budget::check(&estimate, &how.budget())
        .map_err(|e| Failure::Input(format!("{file}: {e}")))
}

/// The scenario of `args` with its `--set` overrides, then `extra` ones.
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

/// The scenario of `args` with `extra` overrides, then those a caller adds (an input's end, a
/// draw), then `pair` (the seed and replications it must keep): what sensitivity and
/// uncertainty vary.
fn variant_loader(
    args: &ScenarioArgs,
    extra: Vec<String>,
    pair: Vec<String>,
) -> impl Fn(&[String]) -> Result<Scenario, ScenarioError> + '_ {
    move |more: &[String]| {
        let overrides = args
            .set
            .iter()
            .chain(&extra)
            .chain(more)
            .chain(&pair)
            .map(|a| a.parse::<Override>())
            .collect::<Result<Vec<_>, _>>()?;
        Scenario::load(&args.file, &overrides)
    }
}

/// The seed and replications of `s` as overrides: what pairs a variant with it.
fn pairing(s: &Scenario) -> Vec<String> {
    vec![
        format!("run.seed={}", s.run.seed),
        format!("run.replications={}", s.run.replications),
    ]
}

/// Refuses `--uncertainty` on a scenario without a value with a range.
fn has_ranges(s: &Scenario) -> Result<(), Failure> {
    if s.uncertain.is_empty() {
        return Err(Failure::Input(format!(
            "{}: --uncertainty: no value has a plausible range, so there is nothing to draw; give one as key = {{ value = 0.05, low = 0.02, high = 0.10 }} (docs/scenario.md, uncertain inputs)",
            s.origin
        )));
    }
    Ok(())
}

/// Reads the scenario file's bytes.
fn read_scenario(file: &std::path::Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(file).map_err(|e| Failure::Input(format!("{}: cannot read: {e}", file.display())))
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

/// Clears the progress bar once the work is done.
fn finish(pb: &Option<indicatif::ProgressBar>) {
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
}

/// Empties the progress bar after a pilot run, for the real one.
fn restart(pb: &Option<indicatif::ProgressBar>) {
    if let Some(pb) = pb {
        pb.set_position(0);
        pb.set_length(0);
    }
}

/// Says so when MSER cut all it may: the run never settled.
fn warn_at_limit(choice: &experiment::warmup::WarmupChoice) {
    if choice.at_limit {
        output::note(
            "warning: the warm-up choice (MSER) cut half the run: the headline figure was still drifting at mid-run, so no steady state was seen; lengthen run.horizon_h",
        );
    }
}

/// `--precision` as a target (already checked by the parser).
fn precision_target(p: &args::PrecisionArgs) -> Option<experiment::PrecisionTarget> {
    p.precision.map(|relative| experiment::PrecisionTarget {
        relative,
        max_replications: p.max_reps,
    })
}

/// The `--warmup auto` refusal of the verbs that run many points.
fn no_auto_warmup(how: &args::RunArgs, verb: &str) -> Result<(), Failure> {
    if how.auto_warmup() {
        return Err(Failure::Input(format!(
            "--warmup auto is for run and compare: choose the warm-up once (`clearsim run FILE --warmup auto`), then {verb} with --warmup HOURS"
        )));
    }
    Ok(())
}

impl args::SplitArgs {
    /// Refuses, before any work, flags that do not go together: `--shards` without `--shard
    /// auto` or `--emit`, `--emit` with `--shard`, and the options of `--emit` without it.
    fn check(&self) -> Result<(), Failure> {
        use args::ShardArg;
        let emit = !self.emit.is_empty();
        let refuse = |m: &str| Err(Failure::Input(m.to_string()));
        match (self.shard, emit) {
            (Some(_), true) => refuse(
                "--emit writes the tasks' command line with --shard auto itself: drop --shard",
            ),
            (Some(ShardArg::Fixed(_)), false) if self.shards.is_some() => {
                refuse("--shards N goes with --shard auto (or --emit); --shard K/N already names N")
            }
            (None, false) if self.shards.is_some() => {
                refuse("--shards N goes with --shard auto or --emit")
            }
            (_, true) if self.shards.is_none() => {
                refuse("--emit needs the number of array tasks: add --shards N")
            }
            (_, false) if self.parallel.is_some() || self.image.is_some() => {
                refuse("--parallel and --image go with --emit")
            }
            _ => Ok(()),
        }
    }

    /// The shard this process does, if any, and the folder it writes into: `out`, or for
    /// `--shard auto` `out/shard-K`, K and N read from the scheduler's environment (and said on
    /// stderr). With `--emit` nothing runs here: the shard is the largest task's, 0/N, whose
    /// share the budget is checked against.
    fn resolve(&self, out: &std::path::Path) -> Result<Placement, Failure> {
        if !self.emit.is_empty() {
            let count = self.shards.unwrap_or(1);
            return Ok((
                Some(experiment::Shard { index: 0, count }),
                out.to_path_buf(),
            ));
        }
        match self.shard {
            None => Ok((None, out.to_path_buf())),
            Some(args::ShardArg::Fixed(s)) => Ok((Some(s), out.to_path_buf())),
            Some(args::ShardArg::Auto) => {
                let found =
                    experiment::array_task::shard_from_env(|k| std::env::var(k).ok(), self.shards)
                        .map_err(Failure::Input)?;
                let dir = experiment::units::shard_folder(out, found.shard.index);
                output::note(&format!(
                    "--shard auto: shard {}/{} from {}; writing {}",
                    found.shard.index,
                    found.shard.count,
                    found.from,
                    dir.display()
                ));
                Ok((Some(found.shard), dir))
            }
        }
    }
}

/// Where a process's units go: its shard (`None`: the whole job) and the folder it writes.
type Placement = (Option<experiment::Shard>, std::path::PathBuf);

/// The budget's estimate of `estimate`'s job for the shard of `placement`: a shard is held to
/// its share of the events.
fn for_shard(
    estimate: experiment::budget::WorkEstimate,
    placement: &Placement,
    units: u64,
) -> experiment::budget::WorkEstimate {
    match placement.0 {
        Some(s) => estimate.share(s.share(units)),
        None => estimate,
    }
}

/// Runs the units of `job` that fall to the shard of `placement` into its folder (for `--shard
/// auto`, the `shard-K` folder of `out`); returns the folder to read them from when the job is
/// whole (no `--shard`), or `None` after telling how to merge.
#[allow(clippy::too_many_arguments)]
fn run_job(
    job: &experiment::units::JobSpec,
    scenarios: &[Scenario],
    bytes: &[u8],
    out: &std::path::Path,
    split: &args::SplitArgs,
    placement: Placement,
    workers: experiment::Workers<'_>,
) -> Result<Option<experiment::units::Store>, Failure> {
    use experiment::units::{Store, execute};
    let (shard, dir) = placement;
    let whole = shard.unwrap_or(experiment::Shard::WHOLE);
    if whole.count > job.units().max(1) {
        return Err(Failure::Input(format!(
            "--shard {}/{}: the job has only {} work unit(s), so N must be at most that",
            whole.index,
            whole.count,
            job.units()
        )));
    }
    let store = Store::create(&dir, job, whole, bytes)?;
    let units = store.manifest.units.clone();
    if split.resume {
        output::note(&format!(
            "resuming: {} of {} work units already done in {}",
            store.finished(),
            units.len(),
            dir.display()
        ));
    }
    execute(
        scenarios,
        job.replications,
        &units,
        workers,
        &store,
        split.resume,
    )?;
    let merge = match split.shard {
        Some(args::ShardArg::Auto) => format!(
            "when every task is done: clearsim merge {} --out DIR",
            out.display()
        ),
        _ => "when every shard is done: clearsim merge DIR… --out DIR".to_string(),
    };
    match shard {
        Some(s) => {
            output::note(&format!(
                "shard {}/{}: {} of {} work units written to {}; {merge}",
                s.index,
                s.count,
                units.len(),
                job.units(),
                dir.display()
            ));
            Ok(None)
        }
        None => Ok(Some(store)),
    }
}

/// `--emit`: plans `job` (whose verb and options are `args`) as `--shards N` array tasks
/// writing into the shared folder `out`, and writes the files that submit it.
#[allow(clippy::too_many_arguments)]
fn plan_job(
    job: &experiment::units::JobSpec,
    scenario: &std::path::Path,
    mut args: Vec<String>,
    how: &args::RunArgs,
    out: &std::path::Path,
    split: &args::SplitArgs,
    files: &args::ReportArgs,
    bytes: &[u8],
) -> Result<(), Failure> {
    if files.wanted() {
        return Err(Failure::Input(
            "--report and --md cannot be planned: the array tasks and the merge write no report"
                .to_string(),
        ));
    }
    let threads = if how.threads > 0 { how.threads } else { 1 };
    args.extend(how.to_args(threads));
    let shards = split.shards.unwrap_or(1);
    let plan = plan::plan(
        job,
        scenario,
        args,
        out,
        shards,
        split.parallel,
        threads,
        &split.emit,
    )?;
    let image = split
        .image
        .clone()
        .unwrap_or_else(|| format!("clearsim:{}", env!("CARGO_PKG_VERSION")));
    plan::emit(&plan, &image, bytes)
}

/// The workers of a verb: `threads` threads, advancing `pb`.
// Every other field keeps its default: `..Default::default()` lets the library add some.
#[allow(clippy::needless_update)]
fn workers(threads: usize, pb: &Option<indicatif::ProgressBar>) -> experiment::Workers<'_> {
    experiment::Workers {
        threads,
        progress: pb.as_ref(),
        ..Default::default()
    }
}
