//! `clearsim merge`: the shards of one job, checked and put together into what one process
//! would have written.

use clearsim::experiment;
use clearsim::experiment::units::{JobKind, StoreError, gather, index_ranges};
use clearsim::report;

use super::Failure;
use super::args::MergeCmd;
use super::output::{check_out, emit, to_json, write_run, write_sweep};
use super::plan::Plan;

/// Runs `merge`.
pub fn merge(cmd: MergeCmd) -> Result<(), Failure> {
    let MergeCmd { dirs, out, json } = cmd;
    check_out(Some(&out))?;
    let shards = gather(&dirs).map_err(|e| with_rerun_help(e, &dirs))?;
    let job = &shards.manifest.job;
    let scenarios = job
        .scenarios(&shards.scenario)
        .map_err(|e| Failure::Input(e.to_string()))?;
    match job.kind {
        JobKind::Run => {
            let output = experiment::output_of(&scenarios[0], shards.load_point(0)?);
            write_run(&out, &output)?;
            if json {
                emit(&report::json(&output.summary))
            } else {
                emit(&report::table::render(&output.summary))
            }
        }
        JobKind::Sweep => {
            let grid = experiment::sweep::Grid {
                parameters: job.parameters.clone(),
                points: job.points.clone(),
            };
            let result = experiment::sweep::summarize_sweep(
                &scenarios,
                &grid,
                &job.base,
                job.baseline,
                |p| shards.load_point(p),
            )?;
            write_sweep(&out, &result)?;
            if json {
                emit(&to_json(&result.summary)?)
            } else {
                emit(&report::table::render_sweep(&result.summary))
            }
        }
    }
}

/// The refusal of a merge: when shards are missing or unfinished, followed by the commands
/// that re-run their tasks (from the `plan.json` of `--emit`, when the folder has one).
fn with_rerun_help(e: StoreError, dirs: &[std::path::PathBuf]) -> Failure {
    let Some(indices) = e.rerun_indices() else {
        return e.into();
    };
    let plan = dirs.first().and_then(|d| Plan::load(d));
    let help = match plan {
        Some(plan) => format!("\nre-run them:\n{}", plan.rerun_help(&indices)),
        None => format!(
            "\nre-run tasks {} of the array with the same command line (a task resumes the units it finished), or each shard K anywhere with the job's options and --shard K/N --out DIR --resume, DIR being its folder; then merge again",
            index_ranges(&indices)
        ),
    };
    Failure::Input(format!("{e}{help}"))
}
