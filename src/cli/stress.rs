//! `clearsim stress`: the most demand a scenario takes while a figure holds its limit.

use clearsim::experiment::stress::{StressError, StressSpec, parse_range, stress as search};
use clearsim::report;

use super::args::StressCmd;
use super::output::{check_out, emit, to_json, write_stress};
use super::{Failure, finish, load, no_auto_warmup, progress_bar, workers};

/// Runs `stress`.
pub fn stress(cmd: StressCmd) -> Result<(), Failure> {
    let StressCmd {
        scenario,
        limit,
        range,
        points,
        steps,
        how,
        out,
        files,
    } = cmd;
    files.check()?;
    check_out(out.as_deref())?;
    no_auto_warmup(&how, "stress")?;
    let limit = limit.parse().map_err(Failure::Input)?;
    let range = parse_range(&range).map_err(Failure::Input)?;
    let sc = load(&scenario, how.overrides())?;
    // Every run at the highest multiplier searched (at most the stability bound): an upper bound.
    let load_1 = sc.with_demand_multiplier(1.0).max_offered_load();
    let top = if load_1 > 0.0 {
        range[1].min(1.0 / load_1)
    } else {
        range[1]
    };
    let shape = how.shape(sc.run.replications, points as u64 + steps as u64 + 2);
    super::within_budget(
        &how,
        &sc.origin,
        clearsim::experiment::budget::estimate(&sc.with_demand_multiplier(top), &shape),
    )?;
    let pb = progress_bar(how.quiet);
    let workers = workers(how.threads, &pb);
    let spec = StressSpec {
        limit,
        range,
        grid_points: points,
        bisection_steps: steps,
    };
    let result = search(&sc, &spec, workers).map_err(|e| match e {
        StressError::UnknownMetric { .. } => Failure::Input(e.to_string()),
        other => Failure::Run(other.to_string()),
    })?;
    finish(&pb);
    let json = to_json(&result)?;
    if let Some(dir) = out {
        write_stress(&dir, &json)?;
    }
    if how.json {
        emit(&json)?;
    } else {
        emit(&report::table::render_stress(&result))?;
    }
    files.write(
        files
            .wanted()
            .then(|| report::ReportInput::of_stress(&result)),
    )
}
