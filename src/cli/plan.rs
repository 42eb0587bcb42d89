//! `--emit`: the files that submit a sharded job to a scheduler.
//!
//! Slurm gets an array script (one task per shard), a merge script and a script submitting both;
//! Kubernetes an Indexed Job manifest and a merge Job.
//! Every task runs the same command line, `… --shards N --shard auto --out DIR --resume`: it
//! takes its index from the scheduler, writes `DIR/shard-K`, and a re-run or retried task only
//! does the units not yet written. `plan.json` keeps that command line so `merge` can say how to
//! re-run the tasks it finds missing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use clearsim::experiment::units::{JobSpec, index_ranges, shard_folder};
use clearsim::io::write_atomic;

use super::Failure;
use super::args::Engine;

/// The file that records a plan in the shared folder.
pub const PLAN_FILE: &str = "plan.json";

/// The PersistentVolumeClaim the Kubernetes manifests mount at the shared folder.
pub const VOLUME_CLAIM: &str = "clearsim-data";

/// What `--emit` planned, as `plan.json` in the shared folder: the job, its shard count and the
/// command line every task runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    /// Version of clearsim that planned it (and must run it).
    pub clearsim_version: String,
    /// The job's fingerprint, as in each shard's `manifest.json`.
    pub job_id: String,
    /// The scenario file, by absolute path.
    pub scenario: String,
    /// SHA-256 of the scenario file's bytes when planned.
    pub scenario_sha256: String,
    /// Array tasks, one per shard.
    pub shards: u64,
    /// The most tasks running at once.
    pub parallel: u64,
    /// Threads (and CPUs asked for) per task.
    pub threads: usize,
    /// The clearsim binary the Slurm scripts call, by absolute path.
    pub program: String,
    /// The verb and the job's options, without `--shard`, `--shards`, `--out` or `--resume`.
    pub args: Vec<String>,
    /// The shared folder, by absolute path.
    pub out: String,
    /// The schedulers files were written for.
    pub engines: Vec<String>,
}

impl Plan {
    /// The command line of every array task, run by `program`.
    pub fn task_command(&self, program: &str) -> Vec<String> {
        let mut cmd = vec![program.to_string()];
        cmd.extend(self.args.iter().cloned());
        cmd.extend(
            [
                "--shards",
                &self.shards.to_string(),
                "--shard",
                "auto",
                "--out",
                &self.out,
                "--resume",
            ]
            .map(String::from),
        );
        cmd
    }

    /// The command that does shard `k` on any machine, without a scheduler.
    pub fn shard_command(&self, k: u64) -> Vec<String> {
        let mut cmd = vec![self.program.clone()];
        cmd.extend(self.args.iter().cloned());
        cmd.extend([
            "--shard".to_string(),
            format!("{k}/{}", self.shards),
            "--out".to_string(),
            shard_folder(Path::new(&self.out), k).display().to_string(),
            "--resume".to_string(),
        ]);
        cmd
    }

    /// The command that merges the shards, run by `program`.
    pub fn merge_command(&self, program: &str) -> Vec<String> {
        vec![
            program.to_string(),
            "merge".to_string(),
            self.out.clone(),
            "--out".to_string(),
            self.merged(),
        ]
    }

    /// Where the merge writes the results.
    pub fn merged(&self) -> String {
        Path::new(&self.out).join("merged").display().to_string()
    }

    /// A short name for the scheduler's jobs (`clearsim-` and the job id's first 8 digits).
    fn name(&self) -> String {
        format!("clearsim-{}", &self.job_id[..8])
    }

    fn file(&self, name: &str) -> String {
        Path::new(&self.out).join(name).display().to_string()
    }

    /// The plan in `dir`, if `--emit` wrote one there.
    pub fn load(dir: &Path) -> Option<Plan> {
        let text = std::fs::read_to_string(dir.join(PLAN_FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// How to re-run the tasks `indices` (and then the merge), one command per line: through
    /// each scheduler planned for, and shard by shard on any machine.
    pub fn rerun_help(&self, indices: &[u64]) -> String {
        let list = index_ranges(indices);
        let mut lines = Vec::new();
        if self.engines.iter().any(|e| e == "slurm") {
            lines.push(format!(
                "  Slurm (the tasks, then the merge): bash {} {list}",
                sh_quote(&self.file("slurm-submit.sh"))
            ));
        }
        if self.engines.iter().any(|e| e == "k8s") {
            lines.push(format!(
                "  Kubernetes (finished shards are skipped): kubectl delete job {name} && kubectl apply -f {} && kubectl wait --for=condition=complete --timeout=-1s job/{name} && kubectl apply -f {}",
                sh_quote(&self.file("k8s-job.yaml")),
                sh_quote(&self.file("k8s-merge.yaml")),
                name = self.name()
            ));
        }
        const SHOWN: usize = 3;
        for &k in indices.iter().take(SHOWN) {
            lines.push(format!(
                "  shard {k} on any machine: {}",
                shell_line(&self.shard_command(k))
            ));
        }
        if indices.len() > SHOWN {
            lines.push(format!(
                "  (and likewise for the other {} shards)",
                indices.len() - SHOWN
            ));
        }
        lines.push(format!(
            "  then: {}",
            shell_line(&self.merge_command(&self.program))
        ));
        lines.join("\n")
    }
}

/// `s` as one word for a POSIX shell: as it is when it holds only safe characters, otherwise in
/// single quotes.
pub fn sh_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-+=/.,:@%".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// A command line for a POSIX shell.
pub fn shell_line(cmd: &[String]) -> String {
    cmd.iter()
        .map(|a| sh_quote(a))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` as a YAML scalar: a JSON string, which YAML reads as the same double-quoted string.
fn yq(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A YAML flow sequence of strings.
fn yaml_list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|s| yq(s)).collect::<Vec<_>>().join(", ")
    )
}

/// Builds the plan of `job` split into `shards` tasks writing into the shared folder `out`.
#[allow(clippy::too_many_arguments)]
pub fn plan(
    job: &JobSpec,
    scenario: &Path,
    args: Vec<String>,
    out: &Path,
    shards: u64,
    parallel: Option<u64>,
    threads: usize,
    engines: &[Engine],
) -> Result<Plan, Failure> {
    if shards > job.units() {
        return Err(Failure::Input(format!(
            "--shards {shards}: the job has only {} work unit(s), so at most that many tasks",
            job.units()
        )));
    }
    let program = std::env::current_exe()
        .map_err(|e| Failure::Run(format!("cannot find the clearsim binary's path: {e}")))?;
    let out = super::args::absolute(out);
    let scenario = super::args::absolute(scenario);
    for (what, p) in [("--out", &out), ("the scenario file's path", &scenario)] {
        if p.contains(['\n', '\r']) {
            return Err(Failure::Input(format!(
                "{what} {p:?} holds a line break, which no job script can carry; rename it"
            )));
        }
    }
    let mut engines: Vec<Engine> = engines.to_vec();
    engines.dedup();
    Ok(Plan {
        clearsim_version: env!("CARGO_PKG_VERSION").to_string(),
        job_id: job.id(),
        scenario,
        scenario_sha256: job.scenario_sha256.clone(),
        shards,
        parallel: parallel.unwrap_or(shards).min(shards),
        threads,
        program: program.display().to_string(),
        args,
        out,
        engines: engines
            .iter()
            .map(|e| match e {
                Engine::Slurm => "slurm".to_string(),
                Engine::K8s => "k8s".to_string(),
            })
            .collect(),
    })
}

/// Writes `plan.json` and each scheduler's files into the shared folder, then prints how to
/// submit them. `bytes` is the scenario file (kept in the Kubernetes manifest).
pub fn emit(plan: &Plan, image: &str, bytes: &[u8]) -> Result<(), Failure> {
    let out = PathBuf::from(&plan.out);
    refuse_other_job(&out, &plan.job_id)?;
    let fail =
        |p: &Path, e: std::io::Error| Failure::Run(format!("{}: cannot write: {e}", p.display()));
    std::fs::create_dir_all(&out).map_err(|e| fail(&out, e))?;
    let mut written: Vec<(PathBuf, String)> = Vec::new();
    let mut submit = Vec::new();
    if plan.engines.iter().any(|e| e == "slurm") {
        if plan
            .out
            .contains(|c: char| c.is_whitespace() || "%'\"\\".contains(c))
        {
            return Err(Failure::Input(format!(
                "--out {}: Slurm's #SBATCH --output line cannot hold spaces, quotes, backslashes or %; choose a plain path",
                plan.out
            )));
        }
        let logs = out.join("logs");
        std::fs::create_dir_all(&logs).map_err(|e| fail(&logs, e))?;
        written.push((out.join("slurm-array.sbatch"), slurm_array(plan)));
        written.push((out.join("slurm-merge.sbatch"), slurm_merge(plan)));
        written.push((out.join("slurm-submit.sh"), slurm_submit(plan)));
        submit.push(format!(
            "Slurm: bash {}   (the array, then the merge after it; results in {})",
            sh_quote(&plan.file("slurm-submit.sh")),
            plan.merged()
        ));
    }
    if plan.engines.iter().any(|e| e == "k8s") {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            Failure::Input(format!(
                "{}: not UTF-8 text, so it cannot go into a ConfigMap",
                plan.scenario
            ))
        })?;
        written.push((out.join("k8s-job.yaml"), k8s_job(plan, image, text)));
        written.push((out.join("k8s-merge.yaml"), k8s_merge(plan, image)));
        submit.push(format!(
            "Kubernetes: kubectl apply -f {job} && kubectl wait --for=condition=complete --timeout=-1s job/{name} && kubectl apply -f {merge}   (needs a ReadWriteMany PersistentVolumeClaim {VOLUME_CLAIM} and an image {image} with clearsim on its PATH)",
            job = sh_quote(&plan.file("k8s-job.yaml")),
            merge = sh_quote(&plan.file("k8s-merge.yaml")),
            name = plan.name()
        ));
    }
    let mut json = serde_json::to_string_pretty(plan).map_err(|e| Failure::Run(e.to_string()))?;
    json.push('\n');
    written.push((out.join(PLAN_FILE), json));
    for (path, text) in &written {
        write_atomic(path, text.as_bytes()).map_err(|e| fail(path, e))?;
    }
    let names: Vec<String> = written
        .iter()
        .map(|(p, _)| p.display().to_string())
        .collect();
    super::output::note(&format!(
        "planned job {} as {} array task(s), at most {} at once: wrote {}",
        &plan.job_id[..12],
        plan.shards,
        plan.parallel,
        names.join(", ")
    ));
    super::output::emit(&format!("{}\n", submit.join("\n")))
}

/// Refuses a shared folder whose shard folders hold another job's results.
fn refuse_other_job(out: &Path, job_id: &str) -> Result<(), Failure> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with("shard-") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path().join("manifest.json")) else {
            continue;
        };
        let theirs = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["job_id"].as_str().map(str::to_string));
        if theirs.as_deref() != Some(job_id) {
            return Err(Failure::Input(format!(
                "--out {}: {name} holds the results of another job; choose another --out folder or delete this one",
                out.display()
            )));
        }
    }
    Ok(())
}

/// The lines that open every Slurm script: the job, the scenario and its hash.
fn slurm_header(plan: &Plan, what: &str) -> String {
    format!(
        "#!/bin/bash\n\
         # {what}\n\
         # Written by clearsim {version} (--emit slurm) for job {job}\n\
         # scenario {scenario:?}, sha256 {sha}\n",
        version = plan.clearsim_version,
        job = plan.job_id,
        scenario = plan.scenario,
        sha = plan.scenario_sha256,
    )
}

/// The array script: one task per shard, each running the task command line.
fn slurm_array(plan: &Plan) -> String {
    let mut s = slurm_header(
        plan,
        "One array task per shard; every task runs the same command line and takes its shard from SLURM_ARRAY_TASK_ID.",
    );
    s.push_str(&format!(
        "# Submit with slurm-submit.sh (this array, then the merge). Re-run tasks 1 and 3 only: sbatch --array=1,3 {this}\n\
         #SBATCH --job-name={name}\n\
         #SBATCH --array=0-{last}%{parallel}\n\
         #SBATCH --cpus-per-task={threads}\n\
         #SBATCH --requeue\n\
         #SBATCH --open-mode=append\n\
         #SBATCH --output={out}/logs/array-%A_%a.out\n\
         set -euo pipefail\n\
         # The shards of an edited scenario would not merge with the others: refuse it.\n\
         if ! printf '%s  %s\\n' {sha} {scenario} | sha256sum --check --status; then\n\
         \x20   echo \"error: \"{scenario}\" changed since it was planned (sha256 {sha}); plan the job again with --emit\" >&2\n\
         \x20   exit 2\n\
         fi\n\
         exec {cmd}\n",
        this = sh_quote(&plan.file("slurm-array.sbatch")),
        name = plan.name(),
        last = plan.shards - 1,
        parallel = plan.parallel,
        threads = plan.threads,
        out = plan.out,
        sha = plan.scenario_sha256,
        scenario = sh_quote(&plan.scenario),
        cmd = shell_line(&plan.task_command(&plan.program)),
    ));
    s
}

/// The merge script, submitted to start once every array task has succeeded.
fn slurm_merge(plan: &Plan) -> String {
    let mut s = slurm_header(
        plan,
        "The merge of the shards, to run after every array task has succeeded.",
    );
    s.push_str(&format!(
        "#SBATCH --job-name={name}-merge\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --output={out}/logs/merge-%j.out\n\
         set -euo pipefail\n\
         exec {cmd}\n",
        name = plan.name(),
        out = plan.out,
        cmd = shell_line(&plan.merge_command(&plan.program)),
    ));
    s
}

/// The script that submits the array (or some of its tasks) and the merge after it.
fn slurm_submit(plan: &Plan) -> String {
    let mut s = slurm_header(
        plan,
        "Submits the array and the merge that starts once every task has succeeded (afterok).",
    );
    s.push_str(&format!(
        "# Usage: bash {this} [TASKS]   TASKS, e.g. 1,3 or 0-2: re-run only those tasks, then merge.\n\
         set -euo pipefail\n\
         array=$(sbatch --parsable ${{1:+--array=\"$1\"}} {array})\n\
         array=${{array%%;*}}\n\
         merge=$(sbatch --parsable --dependency=afterok:\"$array\" {merge})\n\
         merge=${{merge%%;*}}\n\
         echo \"submitted array job $array and merge job $merge; the results will be in \"{merged}\n",
        this = sh_quote(&plan.file("slurm-submit.sh")),
        array = sh_quote(&plan.file("slurm-array.sbatch")),
        merge = sh_quote(&plan.file("slurm-merge.sbatch")),
        merged = sh_quote(&plan.merged()),
    ));
    s
}

/// The comment that opens both Kubernetes manifests.
fn k8s_header(plan: &Plan, what: &str) -> String {
    format!(
        "# {what}\n\
         # Written by clearsim {version} (--emit k8s) for job {job}\n\
         # scenario {scenario:?}, sha256 {sha}\n\
         # Needs: an image with clearsim {version} on its PATH, and a ReadWriteMany\n\
         # PersistentVolumeClaim {VOLUME_CLAIM}, mounted at the shared folder {out:?}.\n",
        version = plan.clearsim_version,
        job = plan.job_id,
        scenario = plan.scenario,
        sha = plan.scenario_sha256,
        out = plan.out,
    )
}

/// The volumes both Jobs mount: the shared folder, and (for the tasks) the scenario file at the
/// path the command line names.
fn k8s_volumes(plan: &Plan, with_scenario: bool) -> (String, String) {
    let mut mounts = format!(
        "          volumeMounts:\n\
         \x20           - name: data\n\
         \x20             mountPath: {out}\n",
        out = yq(&plan.out)
    );
    let mut volumes = format!(
        "      volumes:\n\
         \x20       - name: data\n\
         \x20         persistentVolumeClaim:\n\
         \x20           claimName: {VOLUME_CLAIM}\n"
    );
    if with_scenario {
        mounts.push_str(&format!(
            "            - name: scenario\n\
             \x20             mountPath: {path}\n\
             \x20             subPath: scenario.toml\n\
             \x20             readOnly: true\n",
            path = yq(&plan.scenario)
        ));
        volumes.push_str(&format!(
            "        - name: scenario\n\
             \x20         configMap:\n\
             \x20           name: {name}-scenario\n",
            name = plan.name()
        ));
    }
    (mounts, volumes)
}

/// The Indexed Job of the tasks, with the scenario file in a ConfigMap.
fn k8s_job(plan: &Plan, image: &str, scenario: &str) -> String {
    let (mounts, volumes) = k8s_volumes(plan, true);
    format!(
        "{header}\
         # Submit: kubectl apply -f this file; kubectl wait --for=condition=complete --timeout=-1s job/{name};\n\
         # then kubectl apply -f k8s-merge.yaml.\n\
         apiVersion: v1\n\
         kind: ConfigMap\n\
         metadata:\n\
         \x20 name: {name}-scenario\n\
         \x20 labels:\n\
         \x20   app.kubernetes.io/name: clearsim\n\
         data:\n\
         \x20 scenario.toml: {text}\n\
         ---\n\
         apiVersion: batch/v1\n\
         kind: Job\n\
         metadata:\n\
         \x20 name: {name}\n\
         \x20 labels:\n\
         \x20   app.kubernetes.io/name: clearsim\n\
         \x20 annotations:\n\
         \x20   clearsim/job-id: {job}\n\
         \x20   clearsim/scenario-sha256: {sha}\n\
         spec:\n\
         \x20 completionMode: Indexed\n\
         \x20 completions: {n}\n\
         \x20 parallelism: {parallel}\n\
         \x20 # A failed pod is retried for its index alone (Kubernetes 1.29 or later); it resumes.\n\
         \x20 backoffLimitPerIndex: 3\n\
         \x20 template:\n\
         \x20   metadata:\n\
         \x20     labels:\n\
         \x20       app.kubernetes.io/name: clearsim\n\
         \x20   spec:\n\
         \x20     restartPolicy: Never\n\
         \x20     containers:\n\
         \x20       - name: shard\n\
         \x20         image: {image}\n\
         \x20         command: {cmd}\n\
         \x20         resources:\n\
         \x20           requests:\n\
         \x20             cpu: \"{threads}\"\n\
         {mounts}{volumes}",
        header = k8s_header(
            plan,
            "One pod per shard (an Indexed Job): each takes its shard from JOB_COMPLETION_INDEX."
        ),
        name = plan.name(),
        text = yq(scenario),
        job = yq(&plan.job_id),
        sha = yq(&plan.scenario_sha256),
        n = plan.shards,
        parallel = plan.parallel,
        image = yq(image),
        cmd = yaml_list(&plan.task_command("clearsim")),
        threads = plan.threads,
    )
}

/// The Job that merges the shards, applied once the Indexed Job is complete.
fn k8s_merge(plan: &Plan, image: &str) -> String {
    let (mounts, volumes) = k8s_volumes(plan, false);
    format!(
        "{header}\
         apiVersion: batch/v1\n\
         kind: Job\n\
         metadata:\n\
         \x20 name: {name}-merge\n\
         \x20 labels:\n\
         \x20   app.kubernetes.io/name: clearsim\n\
         \x20 annotations:\n\
         \x20   clearsim/job-id: {job}\n\
         spec:\n\
         \x20 backoffLimit: 2\n\
         \x20 template:\n\
         \x20   spec:\n\
         \x20     restartPolicy: Never\n\
         \x20     containers:\n\
         \x20       - name: merge\n\
         \x20         image: {image}\n\
         \x20         command: {cmd}\n\
         {mounts}{volumes}",
        header = k8s_header(
            plan,
            "The merge of the shards: apply once the Indexed Job is complete."
        ),
        name = plan.name(),
        job = yq(&plan.job_id),
        image = yq(image),
        cmd = yaml_list(&plan.merge_command("clearsim")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell_only_when_needed() {
        assert_eq!(sh_quote("/a/b-c.toml"), "/a/b-c.toml");
        assert_eq!(sh_quote("hub.sort.servers=4,6"), "hub.sort.servers=4,6");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("$HOME"), "'$HOME'");
    }

    #[test]
    fn yaml_scalars_are_json_strings() {
        assert_eq!(yq("a\"b\nc"), r#""a\"b\nc""#);
        assert_eq!(yaml_list(&["x".into(), "y z".into()]), r#"["x", "y z"]"#);
    }
}
