//! `clearsim merge`: the shards of one job, checked and put together into what one process
//! would have written.

use clearsim::experiment;
use clearsim::experiment::units::{JobKind, gather};
use clearsim::report;

use super::Failure;
use super::args::MergeCmd;
use super::output::{check_out, emit, to_json, write_run, write_sweep};

/// Runs `merge`.
pub fn merge(cmd: MergeCmd) -> Result<(), Failure> {
    let MergeCmd { dirs, out, json } = cmd;
    check_out(Some(&out))?;
    let shards = gather(&dirs)?;
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
