//! clearsim: a discrete-event simulator of cross-border e-commerce parcels, for comparing
//! clearance times and costs across scenarios with honest statistics.
//!
//! ```text
//! scenario file ──▶ scenario::Scenario ──▶ experiment::replicate ──▶ model::simulate (×N, parallel)
//!                                                   │
//!                                                   ▼
//!                          experiment::summarize ──▶ results::RunSummary ──▶ report (table, JSON, HTML, Markdown)
//! ```
//!
//! The [`engine`] is a generic kernel (event calendar, random streams, distributions, stations
//! with shift calendars, batches, timetables) that knows nothing of customs; [`model`] builds the
//! parcel world on it; [`stats`] keeps streaming statistics whose memory does not grow with the
//! number of parcels; [`results`] holds the documents the experiments write and every report
//! reads.
//!
//! ```
//! use clearsim::scenario::Scenario;
//! let toml = br#"
//! [run]
//! arrivals = 2000
//! replications = 4
//! [[source]]
//! name = "arrivals"
//! interarrival_h = { dist = "exponential", mean = 1.0 }
//! to = "server"
//! [[stage]]
//! name = "server"
//! servers = 1
//! service_h = { dist = "exponential", mean = 0.5 }
//! "#;
//! let scenario = Scenario::from_bytes(toml, "mm1.toml", &[]).unwrap();
//! let reps = clearsim::experiment::replicate(&scenario, 1).unwrap();
//! let summary = clearsim::experiment::summarize(&scenario, &reps);
//! let p = &summary.parcels;
//! assert_eq!(p.created, p.delivered + p.in_system + p.seized);
//! ```

pub mod calibrate;
pub mod engine;
pub mod experiment;
pub mod io;
pub mod model;
pub mod report;
pub mod results;
pub mod scenario;
pub mod serve;
pub mod stats;
