//! Models built on the engine: [`network`] simulates a plain open queueing network (sources,
//! queues with shift calendars, delays, batches, timetabled departures, probabilistic routing);
//! [`parcel`] simulates the parcel world (platforms, hub, line-haul, import customs in Time
//! Release Study segments, taxes and costs) with the same engine pieces.

pub mod network;
pub mod parcel;

pub use network::{
    Observer, ReplicationResult, StageReplication, Step, simulate, simulate_observed,
};
