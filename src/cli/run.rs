//! `clearsim run`: simulate one scenario, print its summary, save its results and reports.

use clearsim::experiment;
use clearsim::report;

use super::args::RunCmd;
use super::output::{check_out, emit, note, write_run};
use super::{
    Failure, finish, load, precision_target, progress_bar, read_scenario, restart, workers,
};

/// Runs `run`.
pub fn run(cmd: RunCmd) -> Result<(), Failure> {
    let RunCmd {
        scenario,
        how,
        out,
        precision,
        split,
        uncertainty,
        files,
        milestones,
    } = cmd;
    let target = precision_target(&precision);
    files.check()?;
    check_out(out.as_deref())?;
    split.check()?;
    let planning = !split.emit.is_empty();
    let shard = split.shard.is_some() || planning;
    if (shard || split.resume) && out.is_none() {
        return Err(Failure::Input(
            "--shard, --resume and --emit keep work units in a folder: give it with --out DIR"
                .to_string(),
        ));
    }
    if (shard || split.resume) && target.is_some() {
        return Err(Failure::Input("--precision decides the number of replications as it goes: it cannot be split with --shard or --emit, or resumed".to_string()));
    }
    if shard && how.auto_warmup() {
        return Err(Failure::Input("--warmup auto needs a pilot of every replication: choose the warm-up once (`clearsim run FILE --warmup auto`), then give the shards --warmup HOURS".to_string()));
    }
    if let Some(path) = &milestones {
        if shard || split.resume {
            return Err(Failure::Input("--milestones writes replication 0 of one process: it cannot be combined with --shard, --emit or --resume".to_string()));
        }
        clearsim::io::check_writable(path)?;
    }
    if uncertainty.uncertainty.is_some() && (shard || split.resume || target.is_some()) {
        return Err(Failure::Input("--uncertainty runs its draws in one process with the file's replications: it cannot be combined with --shard, --emit, --resume or --precision".to_string()));
    }
    let placement = match &out {
        Some(dir) => split.resolve(dir)?,
        None => (None, std::path::PathBuf::new()),
    };
    let mut extra = how.overrides();
    let pb = progress_bar(how.quiet);
    let workers = workers(how.threads, &pb);
    let mut sc = load(&scenario, extra.clone())?;
    if milestones.is_some() && sc.world.is_none() {
        return Err(Failure::Input(format!(
            "{}: --milestones needs a parcel-world scenario (a plain network has no customs milestones)",
            sc.origin
        )));
    }
    let reps = target.map_or(sc.run.replications, |t| t.max_replications);
    let draws = uncertainty.uncertainty.unwrap_or(0);
    if draws > 0 {
        super::has_ranges(&sc)?;
    }
    let estimate = experiment::budget::estimate(
        &sc,
        &how.shape(reps, 1 + how.auto_warmup() as u64 + draws as u64),
    );
    super::within_budget(
        &how,
        &sc.origin,
        super::for_shard(estimate, &placement, reps as u64),
    )?;
    let mut chosen = None;
    if how.auto_warmup() {
        let choice = experiment::warmup::choose(&sc, workers)?;
        note(&choice.to_string());
        super::warn_at_limit(&choice);
        extra.push(format!("run.warmup_h={:?}", choice.hours));
        sc = load(&scenario, extra.clone())?;
        restart(&pb);
        chosen = Some(choice);
    }
    // Replication 0 again, observed: the run's own figures come from the unobserved path.
    let for_milestones = milestones.as_ref().map(|p| (p.clone(), sc.clone()));
    // Kept for the draws: the sharded path below takes the scenario and its overrides.
    let for_draws = (draws > 0).then(|| (sc.clone(), extra.clone()));
    let mut output = match (&out, shard || split.resume) {
        (Some(dir), true) => {
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
                baseline: None,
            };
            if planning {
                let mut args = vec!["run".to_string()];
                args.extend(scenario.to_args());
                return super::plan_job(
                    &job,
                    &scenario.file,
                    args,
                    &how,
                    dir,
                    &split,
                    &files,
                    &bytes,
                );
            }
            let scenarios = [sc];
            match super::run_job(&job, &scenarios, &bytes, dir, &split, placement, workers)? {
                Some(store) => experiment::output_of(
                    &scenarios[0],
                    store.load_point(0, scenarios[0].run.replications)?,
                ),
                None => return Ok(()),
            }
        }
        _ => experiment::run_with(&sc, workers, target)?,
    };
    if let Some((sc, extra)) = for_draws {
        let variant = super::variant_loader(&scenario, extra, super::pairing(&sc));
        let u =
            experiment::uncertainty::propagate(&sc, draws, &variant, workers).map_err(
                |e| match e {
                    experiment::uncertainty::UncertaintyError::Draw(d) => {
                        Failure::Input(d.to_string())
                    }
                    other => Failure::Run(other.to_string()),
                },
            )?;
        output.summary.uncertainty = Some(u);
    }
    finish(&pb);
    output.summary.warmup = chosen;
    if let Some(dir) = &out {
        write_run(dir, &output)?;
    }
    if how.json {
        emit(&report::json(&output.summary))?;
    } else {
        emit(&report::table::render(&output.summary))?;
    }
    if let Some((path, sc)) = for_milestones {
        let mut bytes = Vec::new();
        let rows = experiment::milestones::write(&sc, 0, &mut bytes).map_err(|e| match e {
            experiment::milestones::MilestonesError::NotAParcelWorld => {
                Failure::Input(format!("{}: {e}", sc.origin))
            }
            other => Failure::Run(other.to_string()),
        })?;
        clearsim::io::write_output(&path, &bytes)
            .map_err(|e| Failure::Run(format!("{}: cannot write: {e}", path.display())))?;
        note(&format!(
            "wrote {} ({rows} parcels of replication 0 released after the warm-up)",
            path.display()
        ));
    }
    // Written last: the results are printed and saved even if a report file cannot be.
    files.write(files.wanted().then(|| report::ReportInput::of_run(&output)))
}
