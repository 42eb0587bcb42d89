//! Which shard a scheduler's array task is, from the variables Slurm, Kubernetes or AWS Batch set.
//!
//! `--shard auto` reads the task index (and, where the scheduler gives one, the task count) from
//! the environment instead of a wrapper script. Everything is read through a lookup function, so
//! the rules are tested with a map rather than the process environment.

use super::units::Shard;

/// The shard found, and where it was found (for the note on stderr).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// The shard K/N.
    pub shard: Shard,
    /// The scheduler and the variables read, e.g. `a Slurm array task (SLURM_ARRAY_TASK_ID=2,
    /// SLURM_ARRAY_TASK_COUNT=4)`.
    pub from: String,
}

/// The variables that name a task's index, one per scheduler, in the order they are tried.
pub const INDEX_VARIABLES: [&str; 3] = [
    "SLURM_ARRAY_TASK_ID",
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
];

/// The shard of this task: from `var` (a lookup of the environment) and `shards`, the count
/// given by `--shards N` (needed by Kubernetes, which names no count; elsewhere it must agree
/// with the scheduler's). Refuses, saying why and what to do, when no scheduler's index is set,
/// a value is not a whole number, the index is not below the count, the count is not that of
/// the array (a step, a list, indices not starting at 0), or two schedulers disagree.
pub fn shard_from_env(
    var: impl Fn(&str) -> Option<String>,
    shards: Option<u64>,
) -> Result<Found, String> {
    if shards == Some(0) {
        return Err("--shards must be at least 1".to_string());
    }
    let read = |name: &str| -> Result<Option<u64>, String> {
        match var(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                format!("{name}={v:?} is not a whole number: --shard auto cannot read it")
            }),
        }
    };
    let mut found = Vec::new();
    if let Some(id) = read("SLURM_ARRAY_TASK_ID")? {
        found.push(slurm(id, &read, shards)?);
    }
    if let Some(index) = read("JOB_COMPLETION_INDEX")? {
        found.push(kubernetes(index, shards)?);
    }
    if let Some(index) = read("AWS_BATCH_JOB_ARRAY_INDEX")? {
        found.push(aws_batch(index, &read, shards)?);
    }
    let Some(first) = found.first().cloned() else {
        return Err(none_found(&var));
    };
    if let Some(other) = found.iter().find(|f| f.shard != first.shard) {
        return Err(format!(
            "--shard auto: two schedulers disagree: {} makes this shard {}, {} makes it {}; unset the variables of the one not running this task",
            first.from,
            show(first.shard),
            other.from,
            show(other.shard)
        ));
    }
    Ok(Found {
        shard: first.shard,
        from: found
            .iter()
            .map(|f| f.from.as_str())
            .collect::<Vec<_>>()
            .join(" and "),
    })
}

fn show(s: Shard) -> String {
    format!("{}/{}", s.index, s.count)
}

/// Checks `index < count` and builds the shard.
fn within(index: u64, count: u64, from: String) -> Result<Found, String> {
    if count == 0 {
        return Err(format!("{from}: a task count of 0 has no tasks"));
    }
    if index >= count {
        return Err(format!(
            "{from}: the task index {index} is not below the task count {count}"
        ));
    }
    Ok(Found {
        shard: Shard { index, count },
        from,
    })
}

/// Slurm: the index is `SLURM_ARRAY_TASK_ID`. The count is `--shards N` when given (the array
/// may then re-run some of the job's tasks, e.g. `sbatch --array=1,3`), otherwise the array's:
/// `SLURM_ARRAY_TASK_COUNT`, or `SLURM_ARRAY_TASK_MAX` + 1, which must agree, with
/// `SLURM_ARRAY_TASK_MIN` = 0 and a step of 1, so that task K is shard K of N.
fn slurm(
    id: u64,
    read: &impl Fn(&str) -> Result<Option<u64>, String>,
    shards: Option<u64>,
) -> Result<Found, String> {
    let count = read("SLURM_ARRAY_TASK_COUNT")?;
    let min = read("SLURM_ARRAY_TASK_MIN")?;
    let max = read("SLURM_ARRAY_TASK_MAX")?;
    let step = read("SLURM_ARRAY_TASK_STEP")?;
    let mut from = format!("a Slurm array task (SLURM_ARRAY_TASK_ID={id}");
    for (name, v) in [
        ("SLURM_ARRAY_TASK_COUNT", count),
        ("SLURM_ARRAY_TASK_MIN", min),
        ("SLURM_ARRAY_TASK_MAX", max),
    ] {
        if let Some(v) = v {
            from.push_str(&format!(", {name}={v}"));
        }
    }
    from.push(')');
    if let (Some(lo), Some(hi)) = (min, max)
        && (id < lo || id > hi || lo > hi)
    {
        return Err(format!(
            "{from}: the task index is outside the array's range {lo}-{hi}"
        ));
    }
    if let Some(n) = shards {
        if let Some(c) = count.filter(|&c| c > n) {
            return Err(format!(
                "{from}: the array has {c} tasks but --shards says the job has {n} shards; submit --array=0-{} (or some of those indices)",
                n.saturating_sub(1)
            ));
        }
        if let Some(hi) = max.filter(|&hi| hi >= n) {
            return Err(format!(
                "{from}: the array goes up to task {hi} but --shards {n} numbers the shards 0 to {}",
                n - 1
            ));
        }
        return within(id, n, format!("{from} with --shards {n}"));
    }
    let contiguous = "submit the array as --array=0-(N-1), one task per shard (a %LIMIT is fine), or give --shards N to run some of the tasks of an N-shard job";
    if let Some(s) = step.filter(|&s| s != 1) {
        return Err(format!(
            "{from}: the array steps by {s} (SLURM_ARRAY_TASK_STEP={s}); {contiguous}"
        ));
    }
    if let Some(lo) = min.filter(|&lo| lo != 0) {
        return Err(format!(
            "{from}: the array starts at task {lo}, not 0; {contiguous}"
        ));
    }
    // The highest index Slurm allows is far below u64::MAX, but the environment is input:
    // one past it is counted without wrapping round to 0.
    let past = |hi: u64| {
        hi.checked_add(1).ok_or_else(|| {
            format!("{from}: the array cannot go up to task {hi}, the largest whole number there is; {contiguous}")
        })
    };
    let n = match (count, max) {
        (Some(c), Some(hi)) if past(hi)? != c => {
            return Err(format!(
                "{from}: {c} tasks numbered up to {hi} is not the array 0-{}; {contiguous}",
                c.saturating_sub(1)
            ));
        }
        (Some(c), _) => c,
        (None, Some(hi)) => past(hi)?,
        (None, None) => {
            return Err(format!(
                "{from}: Slurm set neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX; give the job's shard count with --shards N"
            ));
        }
    };
    within(id, n, from)
}

/// Kubernetes Indexed Job: the index is `JOB_COMPLETION_INDEX`; Kubernetes names no count, so
/// `--shards N` (the Job's `completions`) is required.
fn kubernetes(index: u64, shards: Option<u64>) -> Result<Found, String> {
    let from = format!("a Kubernetes Indexed Job (JOB_COMPLETION_INDEX={index})");
    match shards {
        Some(n) => within(index, n, format!("{from} with --shards {n}")),
        None => Err(format!(
            "{from}: Kubernetes gives no task count; add --shards N, the Job's `completions`"
        )),
    }
}

/// AWS Batch array job: the index is `AWS_BATCH_JOB_ARRAY_INDEX`, the count
/// `AWS_BATCH_JOB_ARRAY_SIZE` or `--shards N` (equal when both are given: an AWS Batch array is
/// always whole).
fn aws_batch(
    index: u64,
    read: &impl Fn(&str) -> Result<Option<u64>, String>,
    shards: Option<u64>,
) -> Result<Found, String> {
    let size = read("AWS_BATCH_JOB_ARRAY_SIZE")?;
    let mut from = format!("an AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX={index}");
    if let Some(s) = size {
        from.push_str(&format!(", AWS_BATCH_JOB_ARRAY_SIZE={s}"));
    }
    from.push(')');
    match (size, shards) {
        (Some(s), Some(n)) if s != n => Err(format!(
            "{from}: the array has {s} children but --shards says {n}; submit --array-properties size={n}"
        )),
        (Some(n), _) | (None, Some(n)) => within(index, n, from),
        (None, None) => Err(format!(
            "{from}: AWS_BATCH_JOB_ARRAY_SIZE is not set; give the job's shard count with --shards N"
        )),
    }
}

/// The refusal when no scheduler's index is set, with a hint when this is a Slurm job that is
/// not an array task.
fn none_found(var: &impl Fn(&str) -> Option<String>) -> String {
    let mut msg = format!(
        "--shard auto: no scheduler's task index is set (looked for {}); outside a job array, give the shard as --shard K/N",
        INDEX_VARIABLES.join(", ")
    );
    if var("SLURM_JOB_ID").is_some() {
        msg.push_str(
            "; SLURM_JOB_ID is set, so this is a Slurm job but not an array task: submit it with sbatch --array=0-(N-1)",
        );
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn shard(pairs: &[(&str, &str)], shards: Option<u64>) -> Result<Shard, String> {
        shard_from_env(env(pairs), shards).map(|f| f.shard)
    }

    #[test]
    fn slurm_gives_index_and_count() {
        let full = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "3"),
            ("SLURM_ARRAY_TASK_STEP", "1"),
        ];
        assert_eq!(shard(&full, None), Ok(Shard { index: 2, count: 4 }));
        let f = shard_from_env(env(&full), None).unwrap();
        assert!(f.from.contains("Slurm") && f.from.contains("SLURM_ARRAY_TASK_COUNT=4"));
        // The count from the maximum alone.
        let max_only = [("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MAX", "2")];
        assert_eq!(shard(&max_only, None), Ok(Shard { index: 1, count: 3 }));
        // A re-run of tasks 1 and 3 of a 4-shard job (sbatch --array=1,3) with --shards 4.
        let rerun = [
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "3"),
        ];
        assert_eq!(shard(&rerun, Some(4)), Ok(Shard { index: 3, count: 4 }));
        assert!(
            shard(&rerun, None)
                .unwrap_err()
                .contains("starts at task 1")
        );
    }

    #[test]
    fn slurm_arrays_that_are_not_0_to_n_minus_1_are_refused() {
        type Env<'a> = &'a [(&'a str, &'a str)];
        let cases: [(Env, Option<u64>, &str); 8] = [
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "4"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                None,
                "index 4 is not below the task count 4",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "x"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                ],
                None,
                "SLURM_ARRAY_TASK_ID=\"x\" is not a whole number",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "-4"),
                ],
                None,
                "SLURM_ARRAY_TASK_COUNT=\"-4\"",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "2"),
                    ("SLURM_ARRAY_TASK_COUNT", "3"),
                    ("SLURM_ARRAY_TASK_MIN", "0"),
                    ("SLURM_ARRAY_TASK_MAX", "4"),
                ],
                None,
                "3 tasks numbered up to 4",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "2"),
                    ("SLURM_ARRAY_TASK_COUNT", "3"),
                    ("SLURM_ARRAY_TASK_STEP", "2"),
                ],
                None,
                "steps by 2",
            ),
            (&[("SLURM_ARRAY_TASK_ID", "0")], None, "--shards N"),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "8"),
                    ("SLURM_ARRAY_TASK_MAX", "7"),
                ],
                Some(4),
                "8 tasks but --shards says the job has 4",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "5"),
                    ("SLURM_ARRAY_TASK_MIN", "0"),
                    ("SLURM_ARRAY_TASK_MAX", "3"),
                ],
                Some(8),
                "outside the array's range 0-3",
            ),
        ];
        for (pairs, shards, says) in cases {
            let err = shard(pairs, shards).unwrap_err();
            assert!(err.contains(says), "{pairs:?}: {err}");
        }
    }

    #[test]
    fn kubernetes_needs_the_count_from_the_command_line() {
        let k = [("JOB_COMPLETION_INDEX", "3")];
        assert_eq!(shard(&k, Some(5)), Ok(Shard { index: 3, count: 5 }));
        assert!(shard(&k, None).unwrap_err().contains("add --shards N"));
        assert!(shard(&k, Some(3)).unwrap_err().contains("not below"));
        assert!(
            shard(&[("JOB_COMPLETION_INDEX", "")], Some(3))
                .unwrap_err()
                .contains("not a whole number")
        );
    }

    #[test]
    fn aws_batch_gives_index_and_size() {
        let a = [
            ("AWS_BATCH_JOB_ARRAY_INDEX", "0"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "2"),
        ];
        assert_eq!(shard(&a, None), Ok(Shard { index: 0, count: 2 }));
        assert_eq!(shard(&a, Some(2)), Ok(Shard { index: 0, count: 2 }));
        assert!(shard(&a, Some(3)).unwrap_err().contains("size=3"));
        let no_size = [("AWS_BATCH_JOB_ARRAY_INDEX", "1")];
        assert_eq!(shard(&no_size, Some(2)), Ok(Shard { index: 1, count: 2 }));
        assert!(
            shard(&no_size, None)
                .unwrap_err()
                .contains("AWS_BATCH_JOB_ARRAY_SIZE is not set")
        );
    }

    #[test]
    fn nothing_set_or_two_schedulers_disagreeing_is_refused() {
        let err = shard(&[], None).unwrap_err();
        assert!(
            err.contains("SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX"),
            "{err}"
        );
        assert!(!err.contains("SLURM_JOB_ID"));
        let err = shard(&[("SLURM_JOB_ID", "7")], None).unwrap_err();
        assert!(err.contains("not an array task"), "{err}");
        assert!(shard(&[("JOB_COMPLETION_INDEX", "0")], Some(0)).is_err());
        let both = [
            ("SLURM_ARRAY_TASK_ID", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("JOB_COMPLETION_INDEX", "2"),
        ];
        let err = shard(&both, Some(4)).unwrap_err();
        assert!(err.contains("disagree") && err.contains("1/4") && err.contains("2/4"));
        // Agreeing schedulers are both named.
        let agree = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("JOB_COMPLETION_INDEX", "2"),
        ];
        let f = shard_from_env(env(&agree), Some(4)).unwrap();
        assert_eq!(f.shard, Shard { index: 2, count: 4 });
        assert!(f.from.contains("Slurm") && f.from.contains("Kubernetes"));
    }
}
