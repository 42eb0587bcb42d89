//! The `clearsim` command: parse the command line, call the library, map failures to exit codes
//! (0 ok, 1 the run failed, 2 invalid input).

use std::path::PathBuf;
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
    /// No progress bar (it is drawn only when stderr is a terminal anyway).
    #[arg(long)]
    quiet: bool,
}

impl RunArgs {
    /// A progress bar of replications on stderr, when stderr is a terminal and not `--quiet`.
    fn progress(&self) -> Option<indicatif::ProgressBar> {
        use std::io::IsTerminal;
        if self.quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let pb = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} replications, about {eta} left",
        ) {
            pb.set_style(style.progress_chars("=> "));
        }
        Some(pb)
    }

    /// `--reps` and `--seed` as overrides of the scenario file.
    fn overrides(&self) -> Vec<String> {
        let mut extra = Vec::new();
        if let Some(n) = self.reps {
            extra.push(format!("run.replications={n}"));
        }
        if let Some(s) = self.seed {
            extra.push(format!("run.seed={s}"));
        }
        extra
    }
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
        /// each atomically.
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
        #[command(flatten)]
        files: ReportArgs,
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

fn execute(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run {
            scenario,
            how,
            out,
            precision,
            max_reps,
            files,
        } => {
            let (threads, json) = (how.threads, how.json);
            let target = match precision {
                Some(p) if p.is_finite() && p > 0.0 && p < 1.0 => {
                    Some(experiment::PrecisionTarget {
                        relative: p,
                        max_replications: max_reps.max(2),
                    })
                }
                Some(p) => {
                    return Err(Failure::Input(format!(
                        "--precision {p}: give the target half-width as a share of the mean, above 0 and below 1 (e.g. 0.02 for ±2%)"
                    )));
                }
                None => None,
            };
            let sc = load(&scenario, how.overrides())?;
            files.check()?;
            let pb = how.progress();
            let workers = experiment::Workers {
                threads,
                progress: pb.as_ref(),
            };
            let output = experiment::run_with(&sc, workers, target)
                .map_err(|e| Failure::Run(e.to_string()))?;
            if let Some(pb) = &pb {
                pb.finish_and_clear();
            }
            // Drawn now, written last: the results are printed and saved even if a report
            // file cannot be written.
            let input = files.wanted().then(|| report::ReportInput::of_run(&output));
            let summary = output.summary;
            if let Some(dir) = out {
                let fail = |e: std::io::Error| {
                    Failure::Run(format!("{}: cannot write results: {e}", dir.display()))
                };
                std::fs::create_dir_all(&dir).map_err(fail)?;
                report::write_atomic(&dir.join("summary.json"), report::json(&summary).as_bytes())
                    .map_err(fail)?;
                if sc.world.is_some() {
                    report::write_atomic(
                        &dir.join("backlog.csv"),
                        report::backlog_csv(&output.backlog).as_bytes(),
                    )
                    .map_err(fail)?;
                }
            }
            if json {
                emit(&report::json(&summary));
            } else {
                emit(&report::table::render(&summary));
            }
            files.write(input)
        }
        Command::Compare {
            a,
            b,
            set,
            how,
            files,
        } => {
            let (threads, json) = (how.threads, how.json);
            let mut extra = how.overrides();
            let args_a = ScenarioArgs {
                file: a,
                set: set.clone(),
            };
            let sa = load(&args_a, extra.clone())?;
            // B runs with A's seed and replications: that is what pairs them.
            extra.push(format!("run.seed={}", sa.run.seed));
            extra.push(format!("run.replications={}", sa.run.replications));
            let sb = load(&ScenarioArgs { file: b, set }, extra)?;
            files.check()?;
            let pb = how.progress();
            if let Some(pb) = &pb {
                // A and B: twice the replications.
                pb.set_length(2 * sa.run.replications as u64);
            }
            let workers = experiment::Workers {
                threads,
                progress: pb.as_ref(),
            };
            let runs = experiment::compare_runs(&sa, &sb, workers).map_err(|e| match e {
                experiment::compare::CompareError::Kinds { .. } => Failure::Input(e.to_string()),
                other => Failure::Run(other.to_string()),
            })?;
            if let Some(pb) = &pb {
                pb.finish_and_clear();
            }
            let c = &runs.comparison;
            if json {
                let mut s = serde_json::to_string_pretty(&runs.document())
                    .map_err(|e| Failure::Run(e.to_string()))?;
                s.push('\n');
                emit(&s);
            } else {
                emit(&report::table::render_comparison(c));
            }
            files.write(
                files
                    .wanted()
                    .then(|| report::ReportInput::of_comparison(&runs)),
            )
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
