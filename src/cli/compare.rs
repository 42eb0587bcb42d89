//! `clearsim compare`: a base and its alternatives on common random numbers, and their paired
//! differences.

use clearsim::experiment;
use clearsim::experiment::compare::CompareError;
use clearsim::report;
use clearsim::scenario::Scenario;

use super::args::{CompareCmd, ScenarioArgs};
use super::output::{emit, note, to_json};
use super::{Failure, finish, load, precision_target, progress_bar, restart, workers};

/// An alternative's overrides: its own changes, then the base's seed and replications, which
/// is what pairs them.
fn paired(a: &Scenario, changes: &[String], extra: &[String]) -> Vec<String> {
    let mut e = extra.to_vec();
    e.extend(experiment::compare::paired_changes(a, changes));
    e
}

/// One alternative as given: a file of its own, or the base's file with changes.
struct Given {
    args: ScenarioArgs,
    changes: Vec<String>,
}

impl Given {
    /// The alternative's scenario, paired with the base `a`; named by its changes if any.
    fn load(&self, a: &Scenario, extra: &[String]) -> Result<Scenario, Failure> {
        let mut s = load(&self.args, paired(a, &self.changes, extra))?;
        if !self.changes.is_empty() {
            s.name = experiment::compare::alternative_name(a, &self.changes);
        }
        Ok(s)
    }
}

fn kinds(e: CompareError) -> Failure {
    match e {
        CompareError::Kinds { .. } => Failure::Input(e.to_string()),
        other => Failure::Run(other.to_string()),
    }
}

/// Runs `compare`.
pub fn compare(cmd: CompareCmd) -> Result<(), Failure> {
    let CompareCmd {
        a,
        alternatives,
        set,
        alt_groups,
        how,
        precision,
        uncertainty,
        files,
        ..
    } = cmd;
    let target = precision_target(&precision);
    files.check()?;
    let options: Vec<Given> = alternatives
        .iter()
        .map(|f| Given {
            args: ScenarioArgs {
                file: f.clone(),
                set: set.clone(),
            },
            changes: Vec::new(),
        })
        .chain(alt_groups.iter().map(|changes| Given {
            args: ScenarioArgs {
                file: a.clone(),
                set: set.clone(),
            },
            changes: changes.clone(),
        }))
        .collect();
    if options.is_empty() {
        return Err(Failure::Input(
            "compare needs at least one alternative to the base: a second scenario file (compare A.toml B.toml), or a change to A (compare A.toml --alt-set KEY=VALUE)".to_string(),
        ));
    }
    let mut extra = how.overrides();
    let args_a = ScenarioArgs {
        file: a.clone(),
        set: set.clone(),
    };
    let load_all = |extra: &[String]| -> Result<(Scenario, Vec<Scenario>), Failure> {
        let sa = load(&args_a, extra.to_vec())?;
        let alts = options
            .iter()
            .map(|o| o.load(&sa, extra))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((sa, alts))
    };
    let draws = uncertainty.uncertainty.unwrap_or(0);
    if draws > 0 && (options.len() > 1 || target.is_some()) {
        return Err(Failure::Input(
            "--uncertainty compares two scenarios with the file's replications: give one alternative, and no --precision".to_string(),
        ));
    }
    let (mut sa, mut alts) = load_all(&extra)?;
    if draws > 0 && sa.uncertain.is_empty() && alts.iter().all(|s| s.uncertain.is_empty()) {
        super::has_ranges(&sa)?;
    }
    let reps = target.map_or(sa.run.replications, |t| t.max_replications);
    let shape = how.shape(reps, 1 + how.auto_warmup() as u64 + draws as u64);
    let estimates: Vec<_> = std::iter::once(&sa)
        .chain(&alts)
        .map(|s| experiment::budget::estimate(s, &shape))
        .collect();
    if let Some(all) = experiment::budget::WorkEstimate::side_by_side(estimates) {
        super::within_budget(&how, &sa.origin, all)?;
    }
    let pb = progress_bar(how.quiet);
    let workers = workers(how.threads, &pb);
    let mut chosen = None;
    if how.auto_warmup() {
        let mut choice = experiment::warmup::choose(&sa, workers)?;
        for s in &alts {
            let c = experiment::warmup::choose(s, workers)?;
            if c.hours > choice.hours {
                choice = c;
            }
        }
        let who = if alts.len() == 1 {
            "A and B take the larger warm-up of the two"
        } else {
            "every option takes the largest warm-up of all"
        };
        note(&format!("{who}: {choice}"));
        super::warn_at_limit(&choice);
        extra.push(format!("run.warmup_h={:?}", choice.hours));
        (sa, alts) = load_all(&extra)?;
        restart(&pb);
        chosen = Some(choice);
    }
    if alts.len() == 1 {
        let sb = alts.pop().expect("one alternative");
        let mut runs =
            experiment::compare::compare_runs(&sa, &sb, workers, target).map_err(kinds)?;
        if draws > 0 {
            let pair = super::pairing(&sa);
            let va = super::variant_loader(&args_a, extra.clone(), pair.clone());
            let vb = super::variant_loader(&options[0].args, extra.clone(), {
                let mut p = options[0].changes.clone();
                p.extend(pair);
                p
            });
            let plain: Vec<(experiment::Metric, f64)> = runs
                .comparison
                .rows
                .iter()
                .map(|r| (r.metric.clone(), r.difference.mean))
                .collect();
            let u = experiment::uncertainty::propagate_comparison(
                &sa,
                &sb,
                draws,
                [&va, &vb],
                &plain,
                workers,
            )
            .map_err(|e| match e {
                experiment::uncertainty::UncertaintyError::Draw(d) => Failure::Input(d.to_string()),
                other => Failure::Run(other.to_string()),
            })?;
            runs.comparison.uncertainty = Some(u);
        }
        finish(&pb);
        runs.comparison.warmup = chosen;
        if how.json {
            emit(&to_json(&runs.document())?)?;
        } else {
            emit(&report::table::render_comparison(&runs.comparison))?;
        }
        return files.write(
            files
                .wanted()
                .then(|| report::ReportInput::of_comparison(&runs)),
        );
    }
    let named: Vec<(Scenario, Vec<String>)> = alts
        .into_iter()
        .zip(&options)
        .map(|(s, o)| (s, o.changes.clone()))
        .collect();
    let mut runs = experiment::many::compare_many(&sa, &named, workers, target).map_err(kinds)?;
    finish(&pb);
    runs.multi.warmup = chosen;
    if how.json {
        emit(&to_json(&runs.multi)?)?;
    } else {
        emit(&report::table::render_many(&runs.multi))?;
    }
    files.write(files.wanted().then(|| report::ReportInput::of_many(&runs)))
}
