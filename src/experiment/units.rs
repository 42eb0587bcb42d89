//! Work units — one replication of one point of a job — and the folders that keep them.
//!
//! A job (a run, or a sweep's grid) is cut into units numbered `point × replications +
//! replication`. Each unit's complete result is stored in its own file, written atomically as
//! soon as it is done, so a job killed halfway keeps what it finished and `--resume` does only the
//! rest; a shard (`--shard K/N`) does the units with index ≡ K mod N, and `merge` puts shards
//! together (each shard's folder, or the `shard-K` folders of one shared folder). Summaries are always computed from the units in index order, from results that
//! round-trip bit for bit, so a merged or resumed job prints exactly what one process would.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::seam::{UnitResult, simulate};
use super::{ExperimentError, Workers, in_parallel_range};
use crate::io::write_atomic;
use crate::scenario::{Override, Scenario, ScenarioError};

/// What kind of job produced a folder: it decides which files `merge` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobKind {
    /// `clearsim run`: one point; `summary.json` and (parcel worlds) `backlog.csv`.
    Run,
    /// `clearsim sweep`: a grid; `runs.csv`, `summary.csv` and `summary.json`.
    Sweep,
}

/// Everything that decides a job's results, apart from the scenario file's bytes (identified by
/// their hash): two folders can be merged only if their jobs are equal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    /// Run or sweep.
    pub kind: JobKind,
    /// The scenario file as named on the command line (the default scenario name comes from it).
    pub origin: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// Overrides applied at every point (`--set` with one value, `--reps`, `--seed`, `--warmup`).
    pub base: Vec<String>,
    /// Swept keys, in column order (empty for a run).
    pub parameters: Vec<String>,
    /// Per point, one value per parameter (one empty point for a run).
    pub points: Vec<Vec<String>>,
    /// Replications per point.
    pub replications: u32,
    /// Master seed.
    pub seed: u64,
    /// A sweep's `--baseline` point, if any (it changes the summary, not the units).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<usize>,
}

impl JobSpec {
    /// Units in the job.
    pub fn units(&self) -> u64 {
        self.points.len() as u64 * self.replications as u64
    }

    /// The overrides of point `p`: the base ones, then its parameter values.
    pub fn overrides(&self, p: usize) -> Vec<String> {
        let mut all = self.base.clone();
        all.extend(
            self.parameters
                .iter()
                .zip(&self.points[p])
                .map(|(k, v)| format!("{k}={v}")),
        );
        all
    }

    /// A fingerprint of the job and of the clearsim version that runs it.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        // Everything but `origin`: shards may name the same file by different paths.
        let canonical = serde_json::json!([
            self.kind,
            self.scenario_sha256,
            self.base,
            self.parameters,
            self.points,
            self.replications,
            self.seed
        ]);
        h.update(canonical.to_string().as_bytes());
        // Only when set, so that the folders of jobs without one keep their fingerprint.
        if let Some(b) = self.baseline {
            h.update(format!("baseline {b}").as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Validates every point's scenario from the file's bytes.
    pub fn scenarios(&self, bytes: &[u8]) -> Result<Vec<Scenario>, ScenarioError> {
        (0..self.points.len())
            .map(|p| {
                let overrides = self
                    .overrides(p)
                    .iter()
                    .map(|a| a.parse::<Override>().map_err(|e| e.in_file(&self.origin)))
                    .collect::<Result<Vec<_>, _>>()?;
                Scenario::from_bytes(bytes, &self.origin, &overrides)
            })
            .collect()
    }
}

/// Which units a process does: those with index ≡ `index` mod `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// K, from 0.
    pub index: u64,
    /// N ≥ 1.
    pub count: u64,
}

impl Shard {
    /// All the work in one process.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// The units of a job of `total` units that fall to this shard.
    pub fn units(&self, total: u64) -> Vec<u64> {
        (self.index..total).step_by(self.count as usize).collect()
    }

    /// The share (0 to 1) of a job of `total` units that falls to this shard.
    pub fn share(&self, total: u64) -> f64 {
        if total == 0 || self.index >= total {
            return 0.0;
        }
        (total - self.index).div_ceil(self.count) as f64 / total as f64
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// Parses `K/N` with 0 ≤ K < N.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            format!("--shard {s}: {why}; write K/N with 0 ≤ K < N, e.g. --shard 0/4 … --shard 3/4")
        };
        let (k, n) = s.split_once('/').ok_or_else(|| bad("no `/`"))?;
        let k: u64 = k
            .trim()
            .parse()
            .map_err(|_| bad("K is not a whole number"))?;
        let n: u64 = n
            .trim()
            .parse()
            .map_err(|_| bad("N is not a whole number"))?;
        if n == 0 {
            return Err(bad("N must be at least 1"));
        }
        if k >= n {
            return Err(bad(&format!("K = {k} is not below N = {n}")));
        }
        Ok(Shard { index: k, count: n })
    }
}

/// What a results folder holds (`manifest.json`): the job, the shard and its units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Version of clearsim that wrote it; merging needs the same version.
    pub clearsim_version: String,
    /// [`JobSpec::id`].
    pub job_id: String,
    /// The job.
    pub job: JobSpec,
    /// This folder's shard of the job.
    pub shard: Shard,
    /// The units this folder is responsible for, in order.
    pub units: Vec<u64>,
}

/// Why a results folder cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing failed.
    #[error("{path}: {reason}")]
    Io {
        /// The file or folder.
        path: String,
        /// What failed.
        reason: String,
    },
    /// The folder holds something other than what was asked for.
    #[error("{path}: {reason}")]
    Mismatch {
        /// The file or folder.
        path: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// Shards of the job are missing or unfinished, so it cannot be merged yet.
    #[error("{path}: {}", unfinished_message(*count, missing, unfinished))]
    Unfinished {
        /// The shared folder, or the first shard's folder.
        path: String,
        /// The job's shard count N.
        count: u64,
        /// Shards with no folder.
        missing: Vec<u64>,
        /// Shards with a folder but units not written: (index, units not written, units).
        unfinished: Vec<(u64, u64, u64)>,
    },
}

impl StoreError {
    /// The task indices to re-run when shards are missing or unfinished, in order.
    pub fn rerun_indices(&self) -> Option<Vec<u64>> {
        match self {
            StoreError::Unfinished {
                missing,
                unfinished,
                ..
            } => Some(to_rerun(missing, unfinished)),
            _ => None,
        }
    }
}

/// Indices as ranges, e.g. `1-3,7,9-12` (also the form of `sbatch --array`).
pub fn index_ranges(indices: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let start = indices[i];
        let mut end = start;
        while i + 1 < indices.len() && indices[i + 1] == end + 1 {
            i += 1;
            end = indices[i];
        }
        parts.push(if end == start {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(",")
}

/// The task indices to re-run: the missing shards and the unfinished ones, in order.
fn to_rerun(missing: &[u64], unfinished: &[(u64, u64, u64)]) -> Vec<u64> {
    let mut all: Vec<u64> = missing
        .iter()
        .copied()
        .chain(unfinished.iter().map(|u| u.0))
        .collect();
    all.sort_unstable();
    all
}

/// What [`StoreError::Unfinished`] says: which shards are missing, which unfinished, at most ten
/// of each by name, and every task index to re-run.
fn unfinished_message(count: u64, missing: &[u64], unfinished: &[(u64, u64, u64)]) -> String {
    const SHOWN: usize = 10;
    let more = |n: usize| {
        if n > SHOWN {
            format!(" and {} more", n - SHOWN)
        } else {
            String::new()
        }
    };
    let mut parts = Vec::new();
    if !missing.is_empty() {
        let named: Vec<String> = missing
            .iter()
            .take(SHOWN)
            .map(|k| format!("{k}/{count}"))
            .collect();
        parts.push(format!(
            "shard(s) {}{} missing (no folder)",
            named.join(", "),
            more(missing.len())
        ));
    }
    if !unfinished.is_empty() {
        let named: Vec<String> = unfinished
            .iter()
            .take(SHOWN)
            .map(|(k, left, all)| format!("{k}/{count} ({left} of {all} units not written)"))
            .collect();
        parts.push(format!(
            "shard(s) {}{} unfinished",
            named.join(", "),
            more(unfinished.len())
        ));
    }
    let all = to_rerun(missing, unfinished);
    format!(
        "{}; task indices to re-run: {}",
        parts.join("; "),
        index_ranges(&all)
    )
}

/// The first bytes of a unit file; the last 32 are the SHA-256 of all the others, so a flipped
/// bit anywhere is found when the unit is loaded.
const UNIT_MAGIC: &[u8; 8] = b"CSUNIT02";

/// Bytes of the checksum that ends every unit file.
const CHECKSUM_LEN: usize = 32;

/// The most replications a point may have: the bound of `run.replications` in the scenario format.
pub const MAX_REPLICATIONS: u32 = crate::scenario::bounds::MAX_REPLICATIONS as u32;

/// The most work units a job may have: `merge` keeps a few bytes per unit, so a manifest claiming
/// more is refused rather than allocated.
pub const MAX_UNITS: u64 = 50_000_000;

impl JobSpec {
    /// Checks every field a folder's manifest supplies before anything is sized by it: at least
    /// one point, each with one value per parameter, 1 to [`MAX_REPLICATIONS`] replications, at
    /// most [`MAX_UNITS`] units and a seed the scenario format can hold.
    pub fn check(&self) -> Result<(), String> {
        if self.points.is_empty() {
            return Err(
                "the job has no points (a run has one empty point, a sweep one per grid point)"
                    .to_string(),
            );
        }
        if let Some((p, v)) = self
            .points
            .iter()
            .enumerate()
            .find(|(_, v)| v.len() != self.parameters.len())
        {
            return Err(format!(
                "point {p} has {} value(s) for {} parameter(s)",
                v.len(),
                self.parameters.len()
            ));
        }
        if self.replications == 0 || self.replications > MAX_REPLICATIONS {
            return Err(format!(
                "replications must be from 1 to {MAX_REPLICATIONS}, got {}",
                self.replications
            ));
        }
        if self.units() > MAX_UNITS {
            return Err(format!(
                "{} points × {} replications = {} work units, more than the {MAX_UNITS} a job may have",
                self.points.len(),
                self.replications,
                self.units()
            ));
        }
        if self.seed > i64::MAX as u64 {
            return Err(format!(
                "seed must be from 0 to {}, got {}",
                i64::MAX,
                self.seed
            ));
        }
        Ok(())
    }
}

impl Manifest {
    /// Checks that the manifest is one clearsim wrote for its job and shard: every field is in
    /// range (see [`JobSpec::check`]), the shard is K/N with K < N ≤ [`MAX_UNITS`], the unit list
    /// is the shard's, and `job_id` is the fingerprint of `job` (an edited job is refused).
    pub fn check(&self) -> Result<(), String> {
        if self.clearsim_version != env!("CARGO_PKG_VERSION") {
            return Err(format!(
                "written by clearsim {}, this is {}: use the version that ran it",
                self.clearsim_version,
                env!("CARGO_PKG_VERSION")
            ));
        }
        self.job.check()?;
        let Shard { index, count } = self.shard;
        let total = self.job.units();
        if count == 0 || count > total.max(1) || index >= count {
            return Err(format!(
                "shard {index}/{count}: must be K/N with 0 ≤ K < N ≤ {} (the job's work units)",
                total.max(1)
            ));
        }
        let expected = if index < total {
            (total - index).div_ceil(count)
        } else {
            0
        };
        if self.units.len() as u64 != expected || self.units != self.shard.units(total) {
            return Err(format!(
                "its unit list ({} unit(s)) is not that of shard {index}/{count} of a job of {total} units",
                self.units.len()
            ));
        }
        if self.job_id != self.job.id() {
            return Err(
                "its job_id does not match its job: the manifest was edited or damaged".to_string(),
            );
        }
        Ok(())
    }
}

/// A results folder: `manifest.json`, the scenario file's bytes (`scenario.toml`) and one file
/// per finished unit under `units/`.
#[derive(Clone, Debug)]
pub struct Store {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

impl Store {
    /// Prepares `dir` for `job`'s `shard`: creates it, or checks that what it already holds
    /// belongs to the same job and shard (so `--resume` can reuse its units).
    pub fn create(
        dir: &Path,
        job: &JobSpec,
        shard: Shard,
        scenario_bytes: &[u8],
    ) -> Result<Store, StoreError> {
        job.check().map_err(|reason| StoreError::Mismatch {
            path: dir.display().to_string(),
            reason,
        })?;
        let manifest = Manifest {
            clearsim_version: env!("CARGO_PKG_VERSION").to_string(),
            job_id: job.id(),
            job: job.clone(),
            shard,
            units: shard.units(job.units()),
        };
        let path = dir.join("manifest.json");
        if path.exists() {
            let old = Store::open(dir)?;
            if old.manifest.job_id != manifest.job_id || old.manifest.shard != shard {
                return Err(StoreError::Mismatch {
                    path: dir.display().to_string(),
                    reason: "holds the results of another job or shard (its manifest.json differs); choose another --out folder or delete this one".to_string(),
                });
            }
        }
        // A file where a folder of results belongs is named, not met as "File exists".
        for folder in [dir.to_path_buf(), dir.join("units")] {
            if folder.exists() && !folder.is_dir() {
                return Err(StoreError::Mismatch {
                    path: folder.display().to_string(),
                    reason: "is a file, not a folder: a results folder holds a `units` folder of results; move the file away or choose another --out folder".to_string(),
                });
            }
        }
        std::fs::create_dir_all(dir.join("units")).map_err(|e| io_err(dir, e))?;
        // A process killed while writing leaves a hidden temporary file: never a result.
        if let Ok(entries) = std::fs::read_dir(dir.join("units")) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && name.ends_with(".tmp") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        write_atomic(&dir.join("scenario.toml"), scenario_bytes)
            .map_err(|e| io_err(&dir.join("scenario.toml"), e))?;
        let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| io_err(&path, e))?;
        text.push('\n');
        write_atomic(&path, text.as_bytes()).map_err(|e| io_err(&path, e))?;
        Ok(Store {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// Opens a results folder written by [`Store::create`].
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|e| StoreError::Mismatch {
            path: path.display().to_string(),
            reason: format!("{e}: not a results folder written by run/sweep --out or --shard"),
        })?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| StoreError::Mismatch {
            path: path.display().to_string(),
            reason: format!("not a clearsim manifest: {e}"),
        })?;
        manifest.check().map_err(|reason| StoreError::Mismatch {
            path: path.display().to_string(),
            reason,
        })?;
        Ok(Store {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// The scenario file's bytes kept in the folder, checked against the job's hash.
    pub fn scenario_bytes(&self) -> Result<Vec<u8>, StoreError> {
        let path = self.dir.join("scenario.toml");
        let bytes = std::fs::read(&path).map_err(|e| io_err(&path, e))?;
        let sha: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if sha != self.manifest.job.scenario_sha256 {
            return Err(StoreError::Mismatch {
                path: path.display().to_string(),
                reason: "does not match the scenario hash in manifest.json".to_string(),
            });
        }
        Ok(bytes)
    }

    fn unit_path(&self, unit: u64) -> PathBuf {
        unit_path(&self.dir, unit)
    }

    /// Stores a finished unit, atomically. A unit already stored by an earlier attempt (a
    /// re-run task, a retried pod) is kept if its bytes are the same, and refused if it is a
    /// sound unit with other contents: the same job must give the same bytes wherever it runs.
    /// A damaged file is replaced.
    pub fn save(&self, unit: u64, result: &UnitResult) -> Result<(), StoreError> {
        let path = self.unit_path(unit);
        let mut bytes = UNIT_MAGIC.to_vec();
        bytes.extend_from_slice(self.manifest.job_id.as_bytes());
        bytes.extend_from_slice(&unit.to_le_bytes());
        let body = postcard::to_stdvec(result).map_err(|e| io_err(&path, e))?;
        bytes.extend_from_slice(&body);
        let sum = Sha256::digest(&bytes);
        bytes.extend_from_slice(&sum);
        match std::fs::read(&path) {
            Ok(old) if old == bytes => return Ok(()),
            Ok(_) if matches!(self.load(unit), Ok(Some(_))) => {
                return Err(StoreError::Mismatch {
                    path: path.display().to_string(),
                    reason: format!(
                        "unit {unit} was already written by another attempt of this job with other contents; clearsim gives the same bytes for the same job, so two builds or machines disagree (check that every task runs the same clearsim binary on the same platform), then delete this shard's folder and run it again"
                    ),
                });
            }
            _ => {}
        }
        write_atomic(&path, &bytes).map_err(|e| io_err(&path, e))
    }

    /// How many of this folder's units are already stored.
    pub fn finished(&self) -> usize {
        self.manifest
            .units
            .iter()
            .filter(|&&u| self.unit_path(u).exists())
            .count()
    }

    /// The replications of point `p` (of a job with `replications` per point), in order; every
    /// one must be stored.
    pub fn load_point(&self, p: usize, replications: u32) -> Result<Vec<UnitResult>, StoreError> {
        let first = p as u64 * replications as u64;
        (first..first + replications as u64)
            .map(|u| {
                self.load(u)?.ok_or_else(|| StoreError::Mismatch {
                    path: self.dir.display().to_string(),
                    reason: format!("unit {u} was never finished: rerun with --resume"),
                })
            })
            .collect()
    }

    /// A stored unit, or `None` if it has not been done.
    pub fn load(&self, unit: u64) -> Result<Option<UnitResult>, StoreError> {
        load_unit(&self.dir, &self.manifest.job_id, unit)
    }
}

/// The file of `unit` in the results folder `dir`.
fn unit_path(dir: &Path, unit: u64) -> PathBuf {
    dir.join("units").join(format!("u{unit:07}.bin"))
}

/// The unit `unit` of job `job_id` stored in the folder `dir`, checked, or `None` if it has not
/// been done.
fn load_unit(dir: &Path, job_id: &str, unit: u64) -> Result<Option<UnitResult>, StoreError> {
    let path = unit_path(dir, unit);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(&path, e)),
    };
    let bad = |why: &str| StoreError::Mismatch {
        path: path.display().to_string(),
        reason: format!("{why}; delete it and run with --resume to redo this unit"),
    };
    let id = job_id.as_bytes();
    let head = UNIT_MAGIC.len() + id.len() + 8;
    if bytes.len() < head + CHECKSUM_LEN || &bytes[..8] != UNIT_MAGIC {
        return Err(bad("not a clearsim unit file"));
    }
    let (bytes, sum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
    if Sha256::digest(bytes).as_slice() != sum {
        return Err(bad(
            "damaged: its checksum does not match its contents (a bit flipped on disk or in a copy)",
        ));
    }
    if &bytes[8..8 + id.len()] != id {
        return Err(bad("belongs to another job"));
    }
    if bytes[8 + id.len()..head] != unit.to_le_bytes() {
        return Err(bad("holds another unit"));
    }
    postcard::from_bytes(&bytes[head..])
        .map(Some)
        .map_err(|e| bad(&format!("unreadable ({e})")))
}

/// Runs `units` of a job whose points are `scenarios` with `replications` each, in parallel,
/// saving each into `store` as soon as it is done (read them back with [`Store::load_point`]).
/// With `resume`, a unit already stored is not run again.
pub fn execute(
    scenarios: &[Scenario],
    replications: u32,
    units: &[u64],
    workers: Workers<'_>,
    store: &Store,
    resume: bool,
) -> Result<(), JobError> {
    let reps = replications as u64;
    let one = |i: u64| -> Result<(), JobError> {
        let u = units[i as usize];
        // A stored unit is checked (it must load) but not kept: memory holds units in flight.
        let done = resume && store.load(u)?.is_some();
        if !done {
            let r = simulate(&scenarios[(u / reps) as usize], u % reps);
            store.save(u, &r)?;
        }
        Ok(())
    };
    in_parallel_range(0, units.len() as u64, workers, one)?
        .into_iter()
        .collect()
}

/// Why a job could not be run, resumed or merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JobError {
    /// A results folder.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The worker threads.
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
}

/// The folder of shard `index` inside a job's shared folder: where `--shard auto --out DIR`
/// writes, and where `merge DIR` looks for the shards.
pub fn shard_folder(shared: &Path, index: u64) -> PathBuf {
    shared.join(format!("shard-{index}"))
}

/// The shard folders (`shard-K`) in `dir`, in index order, or `None` if `dir` is itself a
/// results folder (it has a `manifest.json`).
fn shard_folders(dir: &Path) -> Result<Option<Vec<PathBuf>>, StoreError> {
    if dir.join("manifest.json").exists() {
        return Ok(None);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| StoreError::Mismatch {
        path: dir.display().to_string(),
        reason: format!("{e}: not a results folder written by run/sweep --out or --shard"),
    })?;
    // Every folder named `shard-…` is a shard or an error: one whose index is not a whole
    // number as the job writes it (`shard-18446744073709551616`, `shard-01`) is not skipped
    // silently, since the merge would then stand without a shard the user meant to give.
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    for e in entries.flatten().filter(|e| e.path().is_dir()) {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(k) = name.strip_prefix("shard-") else {
            continue;
        };
        match k.parse::<u64>() {
            Ok(k) if shard_folder(dir, k) == e.path() => found.push((k, e.path())),
            _ => {
                return Err(StoreError::Mismatch {
                    path: e.path().display().to_string(),
                    reason: format!(
                        "`{name}` is not a shard folder: a job writes shard-K with K a shard index from 0 to {}, without leading zeros; remove or rename it",
                        MAX_UNITS - 1
                    ),
                });
            }
        }
    }
    found.sort();
    Ok(Some(found.into_iter().map(|(_, p)| p).collect()))
}

/// The shards of one job, checked to fit together: read their units with
/// [`Shards::load_point`]. Only each shard's folder is kept, not its manifest, so merging many
/// shards holds one point's units at a time.
#[derive(Debug)]
pub struct Shards {
    /// The job's manifest (of the first folder).
    pub manifest: Manifest,
    /// The scenario file's bytes.
    pub scenario: Vec<u8>,
    /// Each shard's folder, by shard index: unit `u` is in `folders[u mod N]`.
    folders: Vec<PathBuf>,
}

impl Shards {
    /// The replications of point `p`, in order, from whichever shard holds them.
    pub fn load_point(&self, p: usize) -> Result<Vec<UnitResult>, StoreError> {
        let reps = self.manifest.job.replications as u64;
        let count = self.folders.len() as u64;
        (p as u64 * reps..(p as u64 + 1) * reps)
            .map(|u| {
                let dir = &self.folders[(u % count) as usize];
                load_unit(dir, &self.manifest.job_id, u)?.ok_or_else(|| StoreError::Mismatch {
                    path: dir.display().to_string(),
                    reason: format!("unit {u} was never finished: rerun that shard with --resume"),
                })
            })
            .collect()
    }
}

/// Reads the results folders of the shards of one job and checks they fit together: same job
/// and version, split the same way, every shard present once with all its units (each unit file
/// is read, and checked, by [`Shards::load_point`], point by point). A folder without a
/// `manifest.json` is a job's shared folder: its `shard-K` folders are the shards. Missing or
/// unfinished shards are refused with [`StoreError::Unfinished`], naming the task indices.
pub fn gather(dirs: &[PathBuf]) -> Result<Shards, StoreError> {
    let mismatch = |path: &Path, reason: String| StoreError::Mismatch {
        path: path.display().to_string(),
        reason,
    };
    let mut folders = Vec::new();
    let mut shared = None;
    for d in dirs {
        match shard_folders(d)? {
            None => folders.push(d.clone()),
            Some(list) if list.is_empty() => {
                return Err(mismatch(
                    d,
                    "has no manifest.json and no shard-K folders: give the folders written by run/sweep --out or --shard, or the shared --out folder of --shard auto (no task may have written its shard yet)".to_string(),
                ));
            }
            Some(list) => {
                shared.get_or_insert_with(|| d.clone());
                folders.extend(list);
            }
        }
    }
    let Some(first_dir) = folders.first().cloned() else {
        return Err(mismatch(Path::new("merge"), "no folder given".to_string()));
    };
    let first = Store::open(&first_dir)?;
    let m0 = first.manifest.clone();
    let mut by_index: BTreeMap<u64, PathBuf> = BTreeMap::new();
    for d in &folders {
        // One manifest at a time: it is checked against the first, then dropped.
        let m = if *d == first_dir {
            m0.clone()
        } else {
            Store::open(d)?.manifest
        };
        if m.job_id != m0.job_id {
            return Err(mismatch(
                d,
                format!(
                    "belongs to another job than {} (scenario, overrides, grid, replications or seed differ)",
                    first_dir.display()
                ),
            ));
        }
        if m.shard.count != m0.shard.count {
            return Err(mismatch(
                d,
                format!(
                    "is shard {}/{} but {} is shard {}/{}: all shards must split the job the same way",
                    m.shard.index,
                    m.shard.count,
                    first_dir.display(),
                    m0.shard.index,
                    m0.shard.count
                ),
            ));
        }
        if let Some(other) = by_index.insert(m.shard.index, d.clone()) {
            return Err(mismatch(
                d,
                format!(
                    "shard {}/{} is given twice (also {})",
                    m.shard.index,
                    m.shard.count,
                    other.display()
                ),
            ));
        }
    }
    let count = m0.shard.count;
    let total = m0.job.units();
    // Every given shard is below `count` (checked with its manifest).
    let missing: Vec<u64> = (0..count).filter(|k| !by_index.contains_key(k)).collect();
    let mut unfinished = Vec::new();
    for (&k, d) in &by_index {
        let units = Shard { index: k, count }.units(total);
        let left = units.iter().filter(|&&u| !unit_path(d, u).exists()).count() as u64;
        if left > 0 {
            unfinished.push((k, left, units.len() as u64));
        }
    }
    if !missing.is_empty() || !unfinished.is_empty() {
        return Err(StoreError::Unfinished {
            path: shared.unwrap_or(first_dir).display().to_string(),
            count,
            missing,
            unfinished,
        });
    }
    let scenario = first.scenario_bytes()?;
    Ok(Shards {
        manifest: m0,
        scenario,
        folders: by_index.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> JobSpec {
        JobSpec {
            kind: JobKind::Sweep,
            origin: "s.toml".into(),
            scenario_sha256: String::new(),
            base: Vec::new(),
            parameters: vec!["run.seed".into()],
            points: vec![vec!["1".into()], vec!["2".into()]],
            replications: 3,
            seed: 1,
            baseline: None,
        }
    }

    #[test]
    fn a_job_out_of_range_is_refused_before_anything_is_sized_by_it() {
        assert_eq!(job().check(), Ok(()));
        type Edit = fn(&mut JobSpec);
        let cases: [(Edit, &str); 5] = [
            (|j| j.points.clear(), "no points"),
            (|j| j.points[1].clear(), "point 1 has 0 value(s)"),
            (|j| j.replications = 0, "from 1 to 100000, got 0"),
            (|j| j.replications = u32::MAX, "got 4294967295"),
            (|j| j.seed = u64::MAX, "seed must be from 0"),
        ];
        for (edit, says) in cases {
            let mut j = job();
            edit(&mut j);
            let err = j.check().unwrap_err();
            assert!(err.contains(says), "{err}");
        }
        let mut big = job();
        big.points = vec![vec!["1".into()]; 1000];
        big.replications = MAX_REPLICATIONS;
        assert!(big.check().unwrap_err().contains("work units"));
    }

    #[test]
    fn a_manifest_whose_job_was_edited_is_refused() {
        let j = job();
        let mut m = Manifest {
            clearsim_version: env!("CARGO_PKG_VERSION").into(),
            job_id: j.id(),
            job: j,
            shard: Shard { index: 1, count: 2 },
            units: vec![1, 3, 5],
        };
        assert_eq!(m.check(), Ok(()));
        m.job.seed = 2;
        assert!(m.check().unwrap_err().contains("edited"));
        m.job.seed = 1;
        m.shard.count = 7;
        assert!(m.check().unwrap_err().contains("shard 1/7"));
    }

    #[test]
    fn missing_tasks_are_named_as_ranges() {
        assert_eq!(index_ranges(&[]), "");
        assert_eq!(index_ranges(&[3]), "3");
        assert_eq!(index_ranges(&[0, 1, 2, 5, 7, 8]), "0-2,5,7-8");
        let e = StoreError::Unfinished {
            path: "job".into(),
            count: 20,
            missing: (0..12).collect(),
            unfinished: vec![(15, 3, 4)],
        };
        let text = e.to_string();
        assert!(text.contains("0/20, 1/20"), "{text}");
        assert!(text.contains("and 2 more missing"), "{text}");
        assert!(
            text.contains("15/20 (3 of 4 units not written) unfinished"),
            "{text}"
        );
        assert!(text.ends_with("task indices to re-run: 0-11,15"), "{text}");
        assert_eq!(e.rerun_indices().unwrap().len(), 13);
    }

    #[test]
    fn shards_parse_and_partition_the_units() {
        let s: Shard = "1/3".parse().unwrap();
        assert_eq!(s.units(8), vec![1, 4, 7]);
        for bad in ["3/2", "2/2", "1/0", "x/2", "1", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let all: Vec<u64> = (0..3)
            .flat_map(|k| Shard { index: k, count: 3 }.units(10))
            .collect();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    }
}
