//! Files that are either whole or absent: atomic writes, groups of result files published as one
//! unit, checks of output paths before a long run, and the cleaning of what killed runs left.
//!
//! Every result file is written to a hidden temporary file beside it (`.NAME.NONCE.PID.tmp`), flushed
//! to disk and renamed over the target, so a reader never sees half a file. A group of files that
//! belong together (a run's `summary.json` and `backlog.csv`) is staged in a hidden folder and
//! published with `summary.json` removed first and renamed into place last: whenever a
//! `summary.json` exists, every file beside it comes from the same run.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: to a temporary file in the same folder, flushed, then
/// renamed, so a reader never sees a half-written file and a killed run leaves none behind that
/// [`clean_stale`] would not remove.
///
/// A symbolic link at `path` is written through: the file it points to (following a chain of
/// links) is replaced atomically, by a temporary file beside that target, and the link stays
/// a link.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = link_target(path)?;
    let path = target.as_path();
    let dir = folder_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.{}.tmp", nonce(), std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes a file the user named (a report, `fit --out`) as [`write_atomic`] does, after removing
/// the temporary files of earlier writes of the same file cut short by a kill, so that a rerun
/// leaves none behind.
pub fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = link_target(path)?;
    clean_stale_of(&target);
    write_atomic(&target, bytes)
}

/// The most symbolic links followed from one path (as Linux's `MAXSYMLINKS`).
const MAX_LINKS: usize = 40;

/// The path a write to `path` lands on: `path` itself, or where its chain of symbolic links
/// ends (which may not exist yet). A loop of links is an error.
fn link_target(path: &Path) -> std::io::Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let to = std::fs::read_link(&at)?;
                at = folder_of(&at).join(to);
            }
            _ => return Ok(at),
        }
    }
    Err(std::io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links from {} (a loop?)",
        path.display()
    )))
}

/// Removes the temporary files of writes to `path` by processes no longer running.
fn clean_stale_of(path: &Path) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(folder_of(path)) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if file.starts_with(&prefix)
            && temporary_pid(&file).is_some_and(|pid| !alive(pid))
            && e.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A part of a temporary name that tells apart two writers of one file with the same process id:
/// tasks on two machines sharing a folder, or two pods that are both process 1.
fn nonce() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{}", WRITES.fetch_add(1, Ordering::Relaxed))
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The process id in a temporary name written by this module (`.NAME.NONCE.PID.tmp` or
/// `.clearsim-staging.PID.tmp`), or `None` if `name` is not one.
fn temporary_pid(name: &str) -> Option<u32> {
    let inner = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, pid) = inner.rsplit_once('.')?;
    pid.parse().ok()
}

/// Whether process `pid` may still be writing (on systems without `/proc`, any other process is
/// assumed to be alive only if it is this one).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let proc = Path::new("/proc");
    proc.is_dir() && proc.join(pid.to_string()).exists()
}

/// Removes from `dir` the temporary files and staging folders of writes cut short by a kill
/// (those of a process that is no longer running). Returns how many it removed.
pub fn clean_stale(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = temporary_pid(&name) else {
            continue;
        };
        if alive(pid) {
            continue;
        }
        let path = e.path();
        let gone = match e.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
        if gone.is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The file of a group that marks it complete: written last, removed first.
pub const COMPLETE_MARK: &str = "summary.json";

/// Every file name a group of results (a run's or a sweep's) may hold; a new group removes those
/// it does not write, so no file of an older group is left beside the new `summary.json`.
pub const RESULT_FILES: [&str; 4] = ["summary.json", "backlog.csv", "runs.csv", "summary.csv"];

/// Writes the result files `files` (name, bytes) into `dir` as one unit: they are staged and
/// flushed in a hidden folder of `dir`, then [`COMPLETE_MARK`] is removed, the other files are
/// renamed into place (and result files of an older group that this one lacks removed), and
/// `COMPLETE_MARK` comes last. A kill at any point leaves either the old complete group, or no
/// `summary.json` at all, never a `summary.json` beside files of another run. Stale temporaries
/// of earlier killed runs are cleaned first. Creates `dir`.
///
/// A symbolic link where a file of the group goes is refused: the group is published by renames
/// inside `dir`, which a link to elsewhere cannot take part in.
pub fn write_group(dir: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for name in RESULT_FILES
        .iter()
        .copied()
        .chain(files.iter().map(|(n, _)| *n))
    {
        let at = dir.join(name);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(std::io::Error::other(format!(
                "{} is a symbolic link: the files of a results folder are replaced together inside it, so a link there is refused; remove the link or choose another folder",
                at.display()
            )));
        }
    }
    clean_stale(dir);
    let staging = staging_folder(dir);
    let result = (|| {
        std::fs::create_dir_all(&staging)?;
        for (name, bytes) in files {
            let mut f = std::fs::File::create(staging.join(name))?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        match std::fs::remove_file(dir.join(COMPLETE_MARK)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        for old in RESULT_FILES {
            if old != COMPLETE_MARK && !files.iter().any(|(n, _)| *n == old) {
                match std::fs::remove_file(dir.join(old)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
        }
        let (last, first): (Vec<_>, Vec<_>) = files.iter().partition(|(n, _)| *n == COMPLETE_MARK);
        for (name, _) in first.iter().chain(&last) {
            std::fs::rename(staging.join(name), dir.join(name))?;
        }
        std::fs::remove_dir(&staging)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Checks, before a long run, that a report can be written at `path`: a new file in an existing
/// folder, or an existing regular file (which is replaced). The message says what is wrong.
pub fn check_writable(path: &Path) -> Result<(), PathProblem> {
    if path.file_name().is_none() || path.is_dir() {
        return Err(PathProblem::Unwritable(format!(
            "{}: is a folder; give a file name, e.g. {}",
            path.display(),
            path.join("report.html").display()
        )));
    }
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
    {
        return Err(PathProblem::NotAFile(format!(
            "{}: is not a regular file (a device, a FIFO or a socket) and would be replaced by one; give a new path or an existing regular file",
            path.display()
        )));
    }
    let dir = folder_of(path);
    if !dir.is_dir() {
        return Err(PathProblem::Unwritable(format!(
            "{}: cannot write the report: the folder {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// Checks, before a long run, that `dir` can be a results folder: it is a folder or does not
/// exist yet.
pub fn check_folder(dir: &Path, flag: &str) -> Result<(), PathProblem> {
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => Err(PathProblem::NotAFile(format!(
            "{flag} {}: exists and is not a folder; give a new path or an existing folder",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// Why an output path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathProblem {
    /// The path names something that is not a regular file or folder as asked (invalid input).
    #[error("{0}")]
    NotAFile(String),
    /// The path cannot be written (missing folder, a folder where a file is wanted).
    #[error("{0}")]
    Unwritable(String),
}

/// The staging folder of this process's [`write_group`] in `dir`.
fn staging_folder(dir: &Path) -> PathBuf {
    dir.join(format!(".clearsim-staging.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_replaces_the_older_one_and_leaves_no_temporaries() {
        let d = tempfile::tempdir().unwrap();
        write_group(
            d.path(),
            &[("backlog.csv", b"old"), ("summary.json", b"{}")],
        )
        .unwrap();
        std::fs::write(d.path().join("notes.txt"), b"mine").unwrap();
        write_group(d.path(), &[("summary.json", b"{\"new\":1}")]).unwrap();
        assert!(!d.path().join("backlog.csv").exists(), "no stale companion");
        assert_eq!(
            std::fs::read(d.path().join("summary.json")).unwrap(),
            b"{\"new\":1}"
        );
        assert!(d.path().join("notes.txt").exists(), "other files are kept");
        assert!(!staging_folder(d.path()).exists());
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_cleaned() {
        let d = tempfile::tempdir().unwrap();
        // Process ids above 2^22 do not exist on Linux.
        std::fs::write(d.path().join(".summary.json.99999999.tmp"), b"half").unwrap();
        std::fs::create_dir(d.path().join(".clearsim-staging.99999999.tmp")).unwrap();
        std::fs::write(d.path().join(".keep.tmp"), b"not ours").unwrap();
        assert_eq!(clean_stale(d.path()), 2);
        assert!(d.path().join(".keep.tmp").exists());
    }

    #[test]
    fn temporary_names_are_recognised() {
        assert_eq!(temporary_pid(".summary.json.42.tmp"), Some(42));
        assert_eq!(
            temporary_pid(".summary.json.187c2d9a1f3e-0.42.tmp"),
            Some(42)
        );
        assert_eq!(temporary_pid(".clearsim-staging.7.tmp"), Some(7));
        assert_eq!(temporary_pid("summary.json"), None);
        assert_eq!(temporary_pid(".x.tmp"), None);
    }
}
