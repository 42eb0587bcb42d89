//! `clearsim compare`: two scenarios on common random numbers, and their paired differences.

use clearsim::experiment;
use clearsim::experiment::compare::CompareError;
use clearsim::report;
use clearsim::scenario::Scenario;

use super::args::{CompareCmd, ScenarioArgs};
use super::output::{emit, note, to_json};
use super::{Failure, finish, load, precision_target, progress_bar, restart, workers};

/// B's overrides: A's seed and replications, which is what pairs them.
fn paired(a: &Scenario, extra: &[String]) -> Vec<String> {
    let mut e = extra.to_vec();
    e.push(format!("run.seed={}", a.run.seed));
    e.push(format!("run.replications={}", a.run.replications));
    e
}

/// Runs `compare`.
pub fn compare(cmd: CompareCmd) -> Result<(), Failure> {
    let CompareCmd {
        a,
        b,
        set,
        how,
        precision,
        files,
    } = cmd;
    let target = precision_target(&precision);
    files.check()?;
    let mut extra = how.overrides();
    let args_a = ScenarioArgs {
        file: a,
        set: set.clone(),
    };
    let args_b = ScenarioArgs { file: b, set };
    let mut sa = load(&args_a, extra.clone())?;
    let mut sb = load(&args_b, paired(&sa, &extra))?;
    let reps = target.map_or(sa.run.replications, |t| t.max_replications);
    let shape = how.shape(reps, 1 + how.auto_warmup() as u64);
    let (ea, eb) = (
        experiment::budget::estimate(&sa, &shape),
        experiment::budget::estimate(&sb, &shape),
    );
    // Both sides' results are held at once, so their memory adds up too.
    let memory = ea.memory_bytes + eb.memory_bytes;
    let mut both = ea.followed_by(eb);
    both.memory_bytes = memory;
    super::within_budget(&how, both)?;
    let pb = progress_bar(how.quiet);
    let workers = workers(how.threads, &pb);
    let mut chosen = None;
    if how.auto_warmup() {
        let ca = experiment::warmup::choose(&sa, workers)?;
        let cb = experiment::warmup::choose(&sb, workers)?;
        let choice = if cb.hours > ca.hours { cb } else { ca };
        note(&format!(
            "A and B take the larger warm-up of the two: {choice}"
        ));
        super::warn_at_limit(&choice);
        extra.push(format!("run.warmup_h={:?}", choice.hours));
        sa = load(&args_a, extra.clone())?;
        sb = load(&args_b, paired(&sa, &extra))?;
        restart(&pb);
        chosen = Some(choice);
    }
    let mut runs =
        experiment::compare::compare_runs(&sa, &sb, workers, target).map_err(|e| match e {
            CompareError::Kinds { .. } => Failure::Input(e.to_string()),
            other => Failure::Run(other.to_string()),
        })?;
    finish(&pb);
    runs.comparison.warmup = chosen;
    if how.json {
        emit(&to_json(&runs.document())?)?;
    } else {
        emit(&report::table::render_comparison(&runs.comparison))?;
    }
    files.write(
        files
            .wanted()
            .then(|| report::ReportInput::of_comparison(&runs)),
    )
}
