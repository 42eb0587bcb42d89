//! The result documents clearsim writes and reads back, one owned type per document.
//!
//! They are written by the experiments and read by every renderer (the terminal table, the
//! JSON, the HTML report and memo, `clearsim report FILE.json` and the server).
//!
//! Each type serialises to the JSON contract of docs/output.md. On reading, a field that older
//! documents lack takes its default, so every document an earlier version wrote still reads.

pub mod compare;
pub mod figures;
pub mod many;
pub mod metric;
pub mod network;
pub mod run;
pub mod sensitivity;
pub mod stress;
pub mod sweep;
pub mod uncertainty;

pub use compare::Comparison;
pub use figures::{Level, Stat};
pub use many::MultiComparison;
pub use metric::{Metric, Unit};
pub use network::NetworkSummary;
pub use run::RunSummary;
pub use sensitivity::Sensitivity;
pub use stress::StressResult;
pub use sweep::SweepSummary;
