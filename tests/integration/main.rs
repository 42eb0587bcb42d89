//! Integration tests: one module per guarantee clearsim makes.

mod analytic_queues;
mod calendars;
mod cli;
mod compare;
mod conservation;
mod determinism;
mod experiments;
mod generative;
mod intervals;
mod many;
mod network_figures;
mod network_files;
mod network_model;
mod network_runs;
mod output_safety;
mod parcel_figures;
mod parcel_world;
mod properties;
mod reports;
mod robustness;
mod scenario_errors;
mod schema;
mod sources;
mod support;
mod sweep_baseline;
mod uncertain;
