//! The command line as clap parses it: every flag's value checked (range and form) at parse
//! time, so an error names the flag and what it accepts before anything runs.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use clearsim::experiment::budget::{Budget, JobShape};
use clearsim::experiment::units::{MAX_REPLICATIONS, MAX_UNITS, Shard};

/// Discrete-event simulation of cross-border e-commerce parcels: clearance times and costs,
/// with 95% confidence intervals across replications.
#[derive(Parser, Debug)]
#[command(name = "clearsim", version, about)]
pub struct Cli {
    /// The verb.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs, each with its options.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and print its summary.
    Run(RunCmd),
    /// Compare scenarios with common random numbers: A, B, the paired difference B − A with
    /// its 95% CI, the relative change, and the CI independent seeds would have given. With
    /// several alternatives (files, or `--alt KEY=VALUE` changes to A), each against A with
    /// Bonferroni-adjusted CIs, and all ranked on the headline figure.
    Compare(CompareCmd),
    /// Run a scenario over a grid of values: `--set key=v1,v2,…` or `--set key=a..b:step`
    /// (repeatable; one value applies at every point). Writes `runs.csv`, `summary.csv` and
    /// `summary.json` into `--out`.
    Sweep(SweepCmd),
    /// Find the most demand a scenario can take: the largest demand multiplier at which a figure
    /// meets `--limit` and the system stays stable, with its 95% CI across replications, the
    /// bottleneck there and the time to drain the backlog after the peak.
    Stress(StressCmd),
    /// One-at-a-time sensitivity: every value given with a plausible range (`{ value, low,
    /// high }`) at its low and high end, the others at their values, each paired with the base
    /// run (common random numbers); a tornado of the effects, largest first, with 95% CIs.
    Sensitivity(SensitivityCmd),
    /// Put the folders of the shards of one run or sweep together: checks that they belong to
    /// the same job and that every unit is there once, then writes what one process would have.
    Merge(MergeCmd),
    /// Validate a scenario and report every problem, without running it. Exits with 1 when a
    /// station or the line-haul is overloaded (offered load ≥ 1).
    Check(CheckCmd),
    /// Draw the HTML report and/or Markdown memo of a saved result: the JSON of `run`
    /// (`summary.json`, with `backlog.csv` beside it if present), `compare` (two or more
    /// options), `sweep` (its `summary.json`), `stress` or `sensitivity`.
    Report(ReportCmd),
    /// Print the JSON Schema of the scenario file format (docs/scenario.schema.json).
    Schema,
    /// Serve a what-if web app over the scenarios of a folder: pick one, move its levers, and
    /// get the paired comparison `compare` gives (docs/guide.md, "Using clearsim in a meeting").
    Serve(ServeCmd),
    /// Fit a Time Release Study sample (CSV of milestones, docs/output.md): per TRS segment and
    /// group, exponential, lognormal, gamma and Weibull by maximum likelihood (and the
    /// empirical one), chosen by AIC or BIC, with KS/AD fit and parameter CIs; channel and risk
    /// shares and the arrival profile; writes the scenario keys as TOML.
    Fit(FitCmd),
    /// Run a scenario and set its arrival → release and TRS segments against an observed
    /// sample: quantiles with 95% CIs, shares released within thresholds, a verdict per figure,
    /// Q–Q charts in the HTML report.
    Validate(ValidateCmd),
}

/// `clearsim fit`.
#[derive(clap::Args, Debug)]
pub struct FitCmd {
    /// The observed sample: CSV, one row per item (docs/output.md, milestones CSV).
    pub observed: PathBuf,
    /// Rows that break a rule: `refuse` the file (each named with its line) or `skip` them
    /// (counted and named on stderr).
    #[arg(long, default_value = "refuse", value_name = "refuse|skip")]
    pub bad_rows: clearsim::scenario::observed::BadRows,
    /// The information criterion that ranks the families.
    #[arg(long, default_value = "aic", value_name = "aic|bic")]
    pub criterion: clearsim::calibrate::Criterion,
    /// Write the TOML here (atomically) instead of printing it after the report.
    #[arg(long, value_name = "FILE.toml")]
    pub out: Option<PathBuf>,
    /// Set the fitted keys into this scenario and write the whole scenario (checked before it
    /// is written).
    #[arg(long, value_name = "SCENARIO.toml")]
    pub base: Option<PathBuf>,
    /// Print the calibration as one JSON document instead of the report.
    #[arg(long)]
    pub json: bool,
}

/// `clearsim validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateCmd {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The observed sample: CSV, one row per item (docs/output.md, milestones CSV).
    pub observed: PathBuf,
    #[command(flatten)]
    pub how: RunArgs,
    /// Rows that break a rule: `refuse` the file or `skip` them (counted and named).
    #[arg(long, default_value = "refuse", value_name = "refuse|skip")]
    pub bad_rows: clearsim::scenario::observed::BadRows,
    /// A release-time threshold of the study [h]: the share released within it is compared.
    /// Repeatable; default 1, 3, 6, 24, 48.
    #[arg(long = "threshold", value_name = "HOURS", value_parser = positive)]
    pub thresholds: Vec<f64>,
    #[command(flatten)]
    pub files: ReportArgs,
}

/// Options shared by the commands that read a scenario.
#[derive(clap::Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// Override any value of the file: `--set run.horizon_h=500`, `--set hub.sort.servers=14`
    /// (a parcel world), `--set stage.officers.servers=5` (a network with a stage `officers`;
    /// arrays of tables by name or index). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// A warm-up given on the command line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Warmup {
    /// Chosen from a pilot run by MSER on daily means pooled over replications.
    Auto,
    /// Fixed hours (≥ 0, finite).
    Hours(f64),
}

/// How to run: replications, seed, threads, output form (shared by `run` and `compare`).
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Replications (overrides `run.replications`).
    #[arg(long, allow_negative_numbers = true, value_parser = replications)]
    pub reps: Option<u32>,
    /// Master seed (overrides `run.seed`).
    #[arg(long, allow_negative_numbers = true, value_parser = seed)]
    pub seed: Option<u64>,
    /// Worker threads for replications (default: all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = threads)]
    pub threads: usize,
    /// Print exactly one JSON document (docs/output.md) instead of the table.
    #[arg(long)]
    pub json: bool,
    /// No progress bar (it is drawn only when stderr is a terminal, for runs over a second).
    #[arg(long)]
    pub quiet: bool,
    /// Warm-up deleted from every statistic: hours, or `auto` to choose it by MSER on the
    /// headline figure's daily means, pooled over the replications of a pilot run (overrides `run.warmup_h`).
    #[arg(long, value_name = "HOURS|auto", allow_negative_numbers = true, value_parser = warmup)]
    pub warmup: Option<Warmup>,
    /// Refuse a job estimated to process more simulation events (default 5e10, about an hour).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = positive)]
    pub max_events: Option<f64>,
    /// Refuse a job estimated to hold more memory than this many GiB (default 8).
    #[arg(long, value_name = "GIB", allow_negative_numbers = true, value_parser = positive)]
    pub max_memory: Option<f64>,
}

impl ScenarioArgs {
    /// The arguments that give these options again: the file by its absolute path (for a task
    /// started in another folder), then each `--set`.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = vec![absolute(&self.file)];
        for s in &self.set {
            args.extend(["--set".to_string(), s.clone()]);
        }
        args
    }
}

/// `path` made absolute against the current folder (as given if that fails).
pub fn absolute(path: &std::path::Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

impl RunArgs {
    /// The arguments that give these options again to an array task, which runs on `threads`
    /// threads, quietly (no `--json`: a shard prints no summary).
    pub fn to_args(&self, threads: usize) -> Vec<String> {
        let mut args = Vec::new();
        let mut flag = |name: &str, value: String| args.extend([name.to_string(), value]);
        if let Some(n) = self.reps {
            flag("--reps", n.to_string());
        }
        if let Some(s) = self.seed {
            flag("--seed", s.to_string());
        }
        flag("--threads", threads.to_string());
        match self.warmup {
            Some(Warmup::Hours(h)) => flag("--warmup", h.to_string()),
            Some(Warmup::Auto) => flag("--warmup", "auto".to_string()),
            None => {}
        }
        if let Some(n) = self.max_events {
            flag("--max-events", n.to_string());
        }
        if let Some(g) = self.max_memory {
            flag("--max-memory", g.to_string());
        }
        args.push("--quiet".to_string());
        args
    }

    /// The work budget: the defaults, raised or lowered by `--max-events` and `--max-memory`.
    pub fn budget(&self) -> Budget {
        let mut budget = Budget::default();
        if let Some(n) = self.max_events {
            budget.max_events = n;
        }
        if let Some(gib) = self.max_memory {
            budget.max_memory_bytes = gib * 1024f64.powi(3);
        }
        budget
    }

    /// The shape of a job of `replications` × `runs` on this command's threads.
    pub fn shape(&self, replications: u32, runs: u64) -> JobShape {
        JobShape {
            replications: replications as u64,
            runs,
            threads: self.threads,
        }
    }

    /// `--reps`, `--seed` and a fixed `--warmup` as overrides of the scenario file.
    pub fn overrides(&self) -> Vec<String> {
        let mut extra = Vec::new();
        if let Some(n) = self.reps {
            extra.push(format!("run.replications={n}"));
        }
        if let Some(s) = self.seed {
            extra.push(format!("run.seed={s}"));
        }
        if let Some(Warmup::Hours(h)) = self.warmup {
            extra.push(format!("run.warmup_h={h:?}"));
        }
        extra
    }

    /// True with `--warmup auto`.
    pub fn auto_warmup(&self) -> bool {
        self.warmup == Some(Warmup::Auto)
    }
}

/// Report files (shared by `run`, `compare`, `sweep` and `stress`).
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Also write a self-contained HTML report with charts (opens offline), atomically.
    #[arg(long = "report", value_name = "FILE.html")]
    pub html: Option<PathBuf>,
    /// Also write the findings as a Markdown memo with tables, atomically.
    #[arg(long, value_name = "FILE.md")]
    pub md: Option<PathBuf>,
}

/// Adding replications until a precision is met.
#[derive(clap::Args, Debug)]
pub struct PrecisionArgs {
    /// Add replications until the 95% CI half-width of the headline figure (mean clearance,
    /// or mean time in system; with `compare`, of A and of B) is at most this share of its
    /// mean, e.g. 0.02.
    #[arg(long, value_name = "SHARE", allow_negative_numbers = true, value_parser = share)]
    pub precision: Option<f64>,
    /// With `--precision`: the most replications to run.
    #[arg(long, default_value_t = 200, allow_negative_numbers = true, value_parser = max_replications)]
    pub max_reps: u32,
}

/// Propagating the uncertain inputs (`run`, `compare`).
#[derive(clap::Args, Debug)]
pub struct UncertaintyArgs {
    /// Also run N Latin hypercube draws of the values given with a plausible range (`{ value,
    /// low, high }`), each with all its replications, and report the 5–95% band of every
    /// headline figure over them (with `compare`: of every difference, and how often its sign
    /// holds), next to the 95% CI of simulation noise.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = draws)]
    pub uncertainty: Option<usize>,
}

/// The most draws `--uncertainty` accepts.
pub const MAX_DRAWS: u64 = 10_000;

fn draws(s: &str) -> Result<usize, String> {
    whole(s, 1, MAX_DRAWS, " (draws of the uncertain inputs)").map(|v| v as usize)
}

/// Splitting a job across processes and finishing interrupted ones.
#[derive(clap::Args, Debug)]
pub struct SplitArgs {
    /// Do only the work units (point × replication) with index ≡ K mod N and write them, with a
    /// manifest, into `--out`; put the shards together with `clearsim merge`. `auto`: K and N
    /// from the scheduler's array task (Slurm, a Kubernetes Indexed Job with `--shards N`, AWS
    /// Batch), written into `--out`/shard-K, so every task can share one `--out`.
    #[arg(long, value_name = "K/N|auto", allow_hyphen_values = true, value_parser = shard)]
    pub shard: Option<ShardArg>,
    /// Reuse the units already finished in `--out` and do only the rest.
    #[arg(long)]
    pub resume: bool,
    /// The job's shard count: with `--shard auto`, required on Kubernetes (which names no task
    /// count) and checked against the scheduler's elsewhere; with `--emit`, the array's tasks.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = shard_count)]
    pub shards: Option<u64>,
    /// Run nothing: write into `--out` the files that submit the job as `--shards N` array tasks
    /// and a merge after them: `slurm` (sbatch scripts), `k8s` (an Indexed Job manifest).
    /// Repeatable.
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub emit: Vec<Engine>,
    /// With `--emit`: the most tasks running at once (Slurm's `%LIMIT`, Kubernetes'
    /// `parallelism`; default: all).
    #[arg(long, value_name = "TASKS", allow_negative_numbers = true, value_parser = shard_count)]
    pub parallel: Option<u64>,
    /// With `--emit k8s`: the container image, with `clearsim` on its PATH.
    #[arg(long, value_name = "IMAGE", value_parser = image)]
    pub image: Option<String>,
}

/// `--shard`: a fixed K/N, or `auto` from the scheduler's environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardArg {
    /// `--shard K/N`.
    Fixed(Shard),
    /// `--shard auto`.
    Auto,
}

/// A scheduler `--emit` writes files for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// Slurm: an sbatch array script, a merge script and a script that submits both.
    Slurm,
    /// Kubernetes: an Indexed Job manifest (with the scenario in a ConfigMap) and a merge Job.
    K8s,
}

/// `clearsim run`.
#[derive(clap::Args, Debug)]
pub struct RunCmd {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub how: RunArgs,
    /// Also write `summary.json` and (parcel worlds) a tidy `backlog.csv` into this folder,
    /// as one unit. With `--shard`: the shard's folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub precision: PrecisionArgs,
    #[command(flatten)]
    pub split: SplitArgs,
    #[command(flatten)]
    pub uncertainty: UncertaintyArgs,
    #[command(flatten)]
    pub files: ReportArgs,
    /// Also write replication 0's parcels, one row each (released after the warm-up), in the
    /// milestones CSV that `clearsim fit` reads (docs/output.md), atomically.
    #[arg(long, value_name = "FILE.csv")]
    pub milestones: Option<PathBuf>,
}

/// `clearsim compare`.
#[derive(clap::Args, Debug)]
pub struct CompareCmd {
    /// Scenario A (the baseline).
    pub a: PathBuf,
    /// The alternatives: one file B gives the two-way comparison B − A; several give each
    /// against A with Bonferroni-adjusted CIs and a ranking of all options.
    pub alternatives: Vec<PathBuf>,
    /// Overrides applied to every file (see `run --help`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Start a new alternative: A with this change (add more with `--alt-set`). Repeatable:
    /// each `--alt` is one more alternative, named by its changes.
    #[arg(long = "alt", value_name = "KEY=VALUE")]
    pub alt: Vec<String>,
    /// Add a change to the latest `--alt` (or, before any `--alt`, to a first alternative):
    /// one side only, where `--set` changes every side. Repeatable.
    #[arg(long = "alt-set", value_name = "KEY=VALUE")]
    pub alt_set: Vec<String>,
    /// The `--alt` / `--alt-set` changes grouped into alternatives, in command-line order
    /// (filled by [`parse`], which sees where each flag stood).
    #[arg(skip)]
    pub alt_groups: Vec<Vec<String>>,
    /// Replications and seed come from A (or `--reps`, `--seed`); B always runs with A's.
    #[command(flatten)]
    pub how: RunArgs,
    #[command(flatten)]
    pub precision: PrecisionArgs,
    #[command(flatten)]
    pub uncertainty: UncertaintyArgs,
    #[command(flatten)]
    pub files: ReportArgs,
}

/// `clearsim sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepCmd {
    /// The scenario file (TOML).
    pub file: PathBuf,
    /// `key=v1,v2,…`, `key=a..b:step` (both ends included) or `key=value`; arrays as
    /// `'key=[3,15],[3,11,19]'` (quoted) or with `--list`. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUES")]
    pub set: Vec<String>,
    /// One array value of a key, its items a bare comma list: `--list
    /// linehaul.departures_h=3,15 --list linehaul.departures_h=3,11,19` sweeps that key over
    /// [3, 15] and [3, 11, 19] (no brackets, so no quoting for the shell). Repeatable.
    #[arg(long = "list", value_name = "KEY=ITEMS")]
    pub list: Vec<String>,
    /// Pair the i-th values of every list instead of taking the full grid.
    #[arg(long)]
    pub zip: bool,
    /// Difference every point from this one (paired, with its 95% CI) in summary.csv,
    /// summary.json and the report: a point index (the `point` column), or `file` for the
    /// point with the file's own values.
    #[arg(long, value_name = "POINT|file")]
    pub baseline: Option<String>,
    #[command(flatten)]
    pub how: RunArgs,
    /// The results folder (also keeps every finished unit, for `--resume` and `merge`).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub split: SplitArgs,
    #[command(flatten)]
    pub files: ReportArgs,
}

/// `clearsim stress`.
#[derive(clap::Args, Debug)]
pub struct StressCmd {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The limit to hold, e.g. 'clearance_hours.p95<=24' or
    /// 'stages.officers.wait_hours.mean<=1' (a headline figure or a stage's wait).
    #[arg(long)]
    pub limit: String,
    /// Demand multipliers to search, relative to the file's demand.
    #[arg(long, default_value = "0.5..20", value_name = "LOW..HIGH")]
    pub range: String,
    /// Multipliers on the grid that draws the curve (the search then bisects).
    #[arg(long, default_value_t = 8, allow_negative_numbers = true, value_parser = grid_points)]
    pub points: usize,
    /// Bisection steps inside the grid cell where the limit starts to fail.
    #[arg(long, default_value_t = 8, allow_negative_numbers = true, value_parser = bisection_steps)]
    pub steps: u32,
    #[command(flatten)]
    pub how: RunArgs,
    /// Also write `stress.json` into this folder, atomically.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub files: ReportArgs,
}

/// `clearsim sensitivity`.
#[derive(clap::Args, Debug)]
pub struct SensitivityCmd {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub how: RunArgs,
    #[command(flatten)]
    pub files: ReportArgs,
    /// The headline figure that ranks the tornado, e.g. `cost_per_parcel.total` (default: the
    /// first, mean clearance or time in system); every figure's effects are shown either way
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
}

/// `clearsim merge`.
#[derive(clap::Args, Debug)]
pub struct MergeCmd {
    /// The shards' folders.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged results.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Print the JSON summary instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// `clearsim check`.
#[derive(clap::Args, Debug)]
pub struct CheckCmd {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

/// `clearsim report`.
#[derive(clap::Args, Debug)]
pub struct ReportCmd {
    /// The result document (JSON).
    pub input: PathBuf,
    /// The HTML report to write.
    #[arg(short = 'o', long = "output", value_name = "FILE.html")]
    pub html: Option<PathBuf>,
    /// The Markdown memo to write.
    #[arg(long, value_name = "FILE.md")]
    pub md: Option<PathBuf>,
}

/// `clearsim serve`.
#[derive(clap::Args, Debug)]
pub struct ServeCmd {
    /// The folder of scenario files to serve (each `NAME.toml` directly in it).
    #[arg(default_value = "scenarios")]
    pub dir: PathBuf,
    /// The address to listen on; loopback by default, so only this machine can connect (port 0:
    /// any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Worker threads of one comparison (0: all cores).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = threads)]
    pub threads: usize,
    /// Most comparisons running at once; more are refused with a message until one finishes.
    #[arg(long, default_value_t = 2, allow_negative_numbers = true, value_parser = at_least_one)]
    pub max_runs: usize,
    /// Most replications one comparison may ask for.
    #[arg(long, default_value_t = 100, allow_negative_numbers = true, value_parser = replications)]
    pub max_replications: u32,
    /// Longest horizon one comparison may ask for [h].
    #[arg(long, default_value_t = 8760.0, allow_negative_numbers = true, value_parser = positive)]
    pub max_horizon_h: f64,
    /// Most parcels one replication may create (parcels per day × horizon).
    #[arg(long, default_value_t = 20e6, allow_negative_numbers = true, value_parser = positive)]
    pub max_parcels: f64,
    /// Largest request body [bytes].
    #[arg(long, default_value_t = 16384, allow_negative_numbers = true, value_parser = at_least_one)]
    pub max_body_bytes: usize,
    /// Most connections open at once; further ones wait until one closes.
    #[arg(long, default_value_t = 512, allow_negative_numbers = true, value_parser = at_least_one)]
    pub max_connections: usize,
    /// Most connections open at once from one address; further ones are refused.
    #[arg(long, default_value_t = 128, allow_negative_numbers = true, value_parser = at_least_one)]
    pub max_connections_per_client: usize,
    /// A host name the server also answers to, e.g. this machine's name on the network when
    /// listening on another address than loopback (repeat for more). Requests naming any other
    /// host are refused, so that no other site's page can reach the server (DNS rebinding).
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
}

/// Parses the command line: clap's derive, plus the grouping of `compare --alt/--alt-set` into
/// alternatives, which needs the position of each flag.
pub fn parse() -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let matches = command().try_get_matches()?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    if let (Command::Compare(c), Some(("compare", sub))) = (&mut cli.command, matches.subcommand())
    {
        c.alt_groups = alt_groups(sub);
    }
    Ok(cli)
}

/// The command line's grammar: clap's derive, with every option that takes a value taking a
/// negative number as its value (`--threshold -1`, `--seed -3`), and every option whose value
/// is a range (`LOW..HIGH`) any value starting with a hyphen (`--range -1..2`), so that the
/// flag's own check answers with what it accepts instead of clap's "unexpected argument".
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    negative_values(Cli::command())
}

fn negative_values(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        if a.is_positional() || !a.get_action().takes_values() {
            return a;
        }
        let range = a
            .get_value_names()
            .is_some_and(|names| names.iter().any(|n| n.as_str().contains("..")));
        if range {
            a.allow_hyphen_values(true)
        } else {
            a.allow_negative_numbers(true)
        }
    })
    .mut_subcommands(negative_values)
}

/// `--alt` starts a group and `--alt-set` adds to the latest (or starts the first).
fn alt_groups(m: &clap::ArgMatches) -> Vec<Vec<String>> {
    let mut flags: Vec<(usize, bool, String)> = Vec::new();
    for (id, starts) in [("alt", true), ("alt_set", false)] {
        if let (Some(idx), Some(vals)) = (m.indices_of(id), m.get_many::<String>(id)) {
            flags.extend(idx.zip(vals).map(|(i, v)| (i, starts, v.clone())));
        }
    }
    flags.sort_by_key(|f| f.0);
    let mut groups: Vec<Vec<String>> = Vec::new();
    for (_, starts, value) in flags {
        match groups.last_mut() {
            Some(g) if !starts => g.push(value),
            _ => groups.push(vec![value]),
        }
    }
    groups
}

/// The most worker threads `--threads` accepts.
pub const MAX_THREADS: u64 = 4096;
/// The most multipliers `stress --points` accepts.
pub const MAX_GRID_POINTS: u64 = 1000;
/// The most bisection steps `stress --steps` accepts (beyond ~50 halvings a multiplier no
/// longer changes in double precision).
pub const MAX_BISECTION_STEPS: u64 = 50;

/// A whole number from `min` to `max`, with the range (and why, if `why` is given) in the message.
fn whole(s: &str, min: u64, max: u64, why: &str) -> Result<u64, String> {
    let range = format!("a whole number from {min} to {max}{why}");
    match s.trim().parse::<i128>() {
        Ok(v) if v >= min as i128 && v <= max as i128 => Ok(v as u64),
        Ok(_) => Err(format!("out of range: give {range}")),
        Err(_) => Err(format!("not a whole number: give {range}")),
    }
}

fn replications(s: &str) -> Result<u32, String> {
    whole(s, 1, MAX_REPLICATIONS as u64, "").map(|v| v as u32)
}

fn max_replications(s: &str) -> Result<u32, String> {
    whole(
        s,
        2,
        MAX_REPLICATIONS as u64,
        " (an interval needs two replications)",
    )
    .map(|v| v as u32)
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("give a number > 0, got `{s}`")),
    }
}

fn seed(s: &str) -> Result<u64, String> {
    whole(
        s,
        0,
        i64::MAX as u64,
        " (the range of `run.seed` in a scenario file)",
    )
}

fn at_least_one(s: &str) -> Result<usize, String> {
    whole(s, 1, u32::MAX as u64, "").map(|v| v as usize)
}

fn threads(s: &str) -> Result<usize, String> {
    whole(s, 0, MAX_THREADS, " (0: all cores)").map(|v| v as usize)
}

fn grid_points(s: &str) -> Result<usize, String> {
    whole(s, 2, MAX_GRID_POINTS, "").map(|v| v as usize)
}

fn bisection_steps(s: &str) -> Result<u32, String> {
    whole(s, 0, MAX_BISECTION_STEPS, "").map(|v| v as u32)
}

fn share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if p.is_finite() && p > 0.0 && p < 1.0 => Ok(p),
        _ => Err(
            "give the target half-width as a share of the mean, above 0 and below 1 (e.g. 0.02 for ±2%)"
                .to_string(),
        ),
    }
}

fn warmup(s: &str) -> Result<Warmup, String> {
    if s == "auto" {
        return Ok(Warmup::Auto);
    }
    match s.trim().parse::<f64>() {
        Ok(h) if h.is_finite() && h >= 0.0 => Ok(Warmup::Hours(h)),
        _ => Err(format!(
            "--warmup {s}: give hours ≥ 0 (e.g. --warmup 48) or `auto` (daily pooled MSER)"
        )),
    }
}

fn shard(s: &str) -> Result<ShardArg, String> {
    if s == "auto" {
        return Ok(ShardArg::Auto);
    }
    s.parse()
        .map(ShardArg::Fixed)
        .map_err(|e: String| format!("{e}, or --shard auto in a scheduler's array task"))
}

/// A container image reference: not empty, with no space, quote or control character (it is
/// written into a YAML manifest as is).
fn image(s: &str) -> Result<String, String> {
    let bad = s
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '#' | '\\'));
    match (s.is_empty(), bad) {
        (true, _) => Err(
            "empty: give an image with clearsim on its PATH, e.g. registry.example/clearsim:0.1.0"
                .into(),
        ),
        (false, Some(c)) => Err(format!(
            "{c:?} cannot stand in an image reference: give one such as registry.example/clearsim:0.1.0"
        )),
        (false, None) => Ok(s.to_string()),
    }
}

fn shard_count(s: &str) -> Result<u64, String> {
    whole(s, 1, MAX_UNITS, " (at most the job's work units)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_gets_the_options_it_was_planned_with() {
        let parse = |args: &[&str]| -> Cli {
            Cli::try_parse_from(["clearsim"].iter().chain(args)).unwrap()
        };
        let given = [
            "sweep",
            "/s.toml",
            "--set",
            "a=1,2",
            "--set",
            "b=3",
            "--zip",
            "--reps",
            "4",
            "--seed",
            "9",
            "--threads",
            "3",
            "--warmup",
            "12.5",
            "--max-events",
            "1000000000000",
            "--max-memory",
            "2.5",
            "--quiet",
            "--out",
            "/o",
        ];
        let Command::Sweep(cmd) = parse(&given).command else {
            panic!("a sweep")
        };
        let mut again = vec!["sweep".to_string(), absolute(&cmd.file)];
        for s in &cmd.set {
            again.extend(["--set".to_string(), s.clone()]);
        }
        again.push("--zip".to_string());
        again.extend(cmd.how.to_args(3));
        again.extend(["--out".to_string(), "/o".to_string()]);
        let again: Vec<&str> = again.iter().map(String::as_str).collect();
        assert_eq!(again, given, "the same words, in the same order");
        let Command::Run(run) = parse(&["run", "/s.toml", "--set", "x=1"]).command else {
            panic!("a run")
        };
        assert_eq!(run.scenario.to_args(), ["/s.toml", "--set", "x=1"]);
        assert_eq!(
            run.how.to_args(1),
            ["--threads", "1", "--quiet"],
            "defaults stay defaults"
        );
    }

    #[test]
    fn numbers_are_checked_against_their_range() {
        assert_eq!(seed("9223372036854775807"), Ok(i64::MAX as u64));
        assert!(
            seed("18446744073709551615")
                .unwrap_err()
                .contains("0 to 9223372036854775807")
        );
        assert!(threads("-2").unwrap_err().contains("(0: all cores)"));
        assert!(replications("0").is_err());
        assert!(grid_points("1").is_err());
        assert!(share("-0.1").is_err() && share("1").is_err());
        assert_eq!(warmup("auto"), Ok(Warmup::Auto));
        assert!(warmup("-1").is_err());
    }

    /// Every option that takes a value, given a negative number (and, for a range, a range
    /// starting below zero), reaches the option's own check: clap never answers "unexpected
    /// argument '-1'" for a value.
    #[test]
    fn a_negative_value_is_a_value_for_every_option() {
        let root = command();
        for sub in root.get_subcommands() {
            let positionals: Vec<String> = sub
                .get_positionals()
                .filter(|a| a.is_required_set())
                .map(|_| "/s.toml".to_string())
                .collect();
            for opt in sub.get_opts().filter(|o| o.get_action().takes_values()) {
                let Some(long) = opt.get_long() else { continue };
                let range = opt
                    .get_value_names()
                    .is_some_and(|n| n.iter().any(|n| n.as_str().contains("..")));
                for value in ["-1", "-0.5"].into_iter().chain(range.then_some("-1..2")) {
                    let mut args = vec!["clearsim".to_string(), sub.get_name().to_string()];
                    args.extend(positionals.iter().cloned());
                    args.extend([format!("--{long}"), value.to_string()]);
                    if let Err(e) = command().try_get_matches_from(&args) {
                        assert!(
                            e.kind() != clap::error::ErrorKind::UnknownArgument,
                            "{}: `--{long} {value}` taken for a flag: {e}",
                            sub.get_name()
                        );
                    }
                }
            }
        }
    }
}
