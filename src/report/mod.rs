//! Reports read results and never run simulations: a readable table and the JSON document.

pub mod table;

use std::io::Write;
use std::path::Path;

use crate::experiment::{BacklogRow, RunSummary};

/// The JSON document of a run (docs/output.md), pretty-printed, with a final newline.
pub fn json(summary: &RunSummary) -> String {
    let mut s =
        serde_json::to_string_pretty(summary).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

/// The tidy backlog table: one row per replication × hour × stage.
pub fn backlog_csv(rows: &[BacklogRow]) -> String {
    let mut s = String::from("replication,hour,stage,parcels_waiting\n");
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{}\n",
            r.replication, r.hour, r.stage, r.parcels
        ));
    }
    s
}

/// Writes `bytes` to `path` atomically: to a temporary file in the same folder, flushed, then
/// renamed, so a reader never sees a half-written file and a killed run leaves none.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
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
