//! Integration tests: one module per guarantee clearsim makes.

mod analytic_queues;
mod calendars;
mod cli;
mod compare;
mod conservation;
mod determinism;
mod experiments;
mod intervals;
mod parcel_world;
mod properties;
mod reports;
mod scenario_errors;
mod schema;
mod support;
