//! clearsim: a discrete-event simulator of cross-border e-commerce parcels, for comparing
//! clearance times and costs across scenarios with honest statistics.
//!
//! ```text
//!  scenario file (TOML)                 scenario::Scenario (validated, units resolved)
//!  [[platform]] [[hub]] [[lane]]  ───▶  world: ParcelWorld { platforms, hubs, lanes,
//!  [[gateway]] [regime] [costs]           gateways, routing, markets, returns }
//!                                                │
//!        experiment::run / compare / sweep / stress / sensitivity …  (one verb a file)
//!                                                │  replication i on the worker pool
//!                                                ▼
//!        experiment::seam::simulate ──▶ model::parcel::simulate_world ──▶ ParcelReplication
//!                                                │  (engine: calendar, streams, stations)
//!                                                ▼
//!        experiment::summary (95% CIs across replications) ──▶ results::RunSummary (JSON)
//!                                                │
//!                                                ▼
//!        report: terminal table, JSON, HTML report, Markdown memo, `clearsim serve`
//! ```
//!
//! The [`engine`] is a generic kernel (event calendar, random streams, distributions, stations
//! with shift calendars, batches, timetables) that knows nothing of customs; [`model::parcel`]
//! builds the parcel world on it (platforms, origin hubs, lanes, import gateways with customs in
//! Time Release Study segments, taxes, costs, returns); [`model::queueing`] is a plain queueing
//! network on the same engine, kept to validate it against queueing theory. [`experiment`]
//! runs replications and summarises them; [`experiment::seam`] is the one place that knows
//! there are two models; [`results`] holds the documents the experiments write and every
//! report reads. [`stats`] keeps streaming statistics whose memory does not grow with the
//! number of parcels.
//!
//! The shipped European network (three origin hubs, seven lanes, three import gateways) at a
//! hundredth of its demand, for five days:
//!
//! ```
//! use std::path::Path;
//! use clearsim::scenario::{Override, Scenario};
//!
//! let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/network-eu.toml");
//! let overrides: Vec<Override> = [
//!     "run.demand_multiplier=0.01",
//!     "run.horizon_h=120",
//!     "run.warmup_h=24",
//!     "run.replications=2",
//! ]
//! .iter()
//! .map(|s| s.parse().unwrap())
//! .collect();
//! let scenario = Scenario::load(&file, &overrides).unwrap();
//! let out = clearsim::experiment::run(&scenario, 1).unwrap();
//! let summary = &out.summary;
//!
//! // Every parcel ordered is delivered, still in the network, or seized.
//! let p = &summary.parcels;
//! assert_eq!(p.created, p.delivered + p.in_system + p.seized + p.oversize_refused);
//! // Clearance time (arrival at the gateway → release) with its 95% CI across replications.
//! let clearance = summary.metrics.clearance_hours.as_ref().unwrap();
//! assert!(clearance.mean >= 0.0);
//! // Figures per hub, lane and gateway.
//! let network = summary.network.as_ref().unwrap();
//! assert!(network.gateways.iter().any(|g| g.name == "liege"));
//! ```
//!
//! `examples/bonded_warehouse.rs` walks through adding a new kind of node.

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
