//! Reports read results and never run simulations: a readable table and the JSON document.

pub mod table;

use crate::experiment::RunSummary;

/// The JSON document of a run (docs/output.md), pretty-printed, with a final newline.
pub fn json(summary: &RunSummary) -> String {
    let mut s =
        serde_json::to_string_pretty(summary).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
