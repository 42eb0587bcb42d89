//! `clearsim sweep`: one scenario over a grid of values, its units kept in `--out`.

use clearsim::experiment::sweep::{
    SetArg, baseline_point, grid, parse_lists, parse_set, summarize_sweep,
};
use clearsim::experiment::units::{JobKind, JobSpec};
use clearsim::report;

use super::args::{SweepCmd, absolute};
use super::output::{check_out, emit, to_json, write_sweep};
use super::{Failure, finish, no_auto_warmup, progress_bar, read_scenario, run_job, workers};

/// Runs `sweep`.
pub fn sweep(cmd: SweepCmd) -> Result<(), Failure> {
    let SweepCmd {
        file,
        set,
        list,
        zip,
        baseline,
        how,
        out,
        split,
        files,
    } = cmd;
    files.check()?;
    check_out(Some(&out))?;
    no_auto_warmup(&how, "sweep")?;
    split.check()?;
    let placement = split.resolve(&out)?;
    let mut task_args = vec!["sweep".to_string(), absolute(&file)];
    for s in &set {
        task_args.extend(["--set".to_string(), s.clone()]);
    }
    if zip {
        task_args.push("--zip".to_string());
    }
    let mut fixed = Vec::new();
    let mut axes = Vec::new();
    for arg in &set {
        match parse_set(arg).map_err(|e| Failure::Input(e.to_string()))? {
            SetArg::Fixed(f) => fixed.push(f),
            SetArg::Axis(a) => axes.push(a),
        }
    }
    axes.extend(parse_lists(&list).map_err(|e| Failure::Input(e.to_string()))?);
    let grid = grid(&axes, zip).map_err(|e| Failure::Input(e.to_string()))?;
    let mut base = fixed;
    base.extend(how.overrides());
    let bytes = read_scenario(&file)?;
    let baseline = match &baseline {
        None => None,
        Some(spec) => {
            let doc = own_values(&bytes, &file, &base)?;
            let point =
                baseline_point(&grid, spec, |k| clearsim::scenario::overrides::get(&doc, k))
                    .map_err(|e| Failure::Input(e.to_string()))?;
            Some(point)
        }
    };
    let mut job = JobSpec {
        kind: JobKind::Sweep,
        origin: file.display().to_string(),
        scenario_sha256: String::new(),
        base,
        parameters: grid.parameters.clone(),
        points: grid.points.clone(),
        replications: 0,
        seed: 0,
        baseline,
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
        .map(|sc| clearsim::experiment::budget::estimate(sc, &shape))
        .reduce(|a, b| a.followed_by(b));
    if let Some(estimate) = estimate {
        let estimate = estimate.with_sweep_tables(scenarios.len() as u64, job.replications as u64);
        super::within_budget(
            &how,
            &first.origin,
            super::for_shard(estimate, &placement, job.units()),
        )?;
    }
    if !split.emit.is_empty() {
        return super::plan_job(&job, &file, task_args, &how, &out, &split, &files, &bytes);
    }
    let pb = progress_bar(how.quiet);
    let workers = workers(how.threads, &pb);
    let Some(store) = run_job(&job, &scenarios, &bytes, &out, &split, placement, workers)? else {
        return Ok(());
    };
    finish(&pb);
    let result = summarize_sweep(&scenarios, &grid, &job.base, job.baseline, |p| {
        store.load_point(p, job.replications)
    })?;
    write_sweep(&out, &result)?;
    if how.json {
        emit(&to_json(&result.summary)?)?;
    } else {
        emit(&report::table::render_sweep(&result.summary))?;
    }
    files.write(
        files
            .wanted()
            .then(|| report::ReportInput::of_sweep(&result.summary)),
    )
}

/// The file's document with the overrides of every point applied: where `--baseline file`
/// reads the file's own values of the swept keys.
fn own_values(
    bytes: &[u8],
    file: &std::path::Path,
    base: &[String],
) -> Result<toml_edit::DocumentMut, Failure> {
    let origin = file.display().to_string();
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Failure::Input(format!("{origin}: the file is not valid UTF-8 text")))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| Failure::Input(format!("{origin}: not valid TOML: {e}")))?;
    let overrides = base
        .iter()
        .map(|a| {
            a.parse()
                .map_err(|e: clearsim::scenario::ScenarioError| e.in_file(&origin))
        })
        .collect::<Result<Vec<_>, _>>()?;
    clearsim::scenario::overrides::apply(&mut doc, &overrides, &origin)?;
    Ok(doc)
}
