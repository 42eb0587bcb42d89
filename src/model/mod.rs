//! Models built on the engine. [`network`] simulates the open queueing network of a scenario:
//! sources, stages (queues with shift calendars, delays, batches, timetabled departures) and
//! probabilistic routing. The parcel world is expressed on top of the same stages.

pub mod network;

pub use network::{
    Observer, ReplicationResult, StageReplication, Step, simulate, simulate_observed,
};
pub mod parcel;
