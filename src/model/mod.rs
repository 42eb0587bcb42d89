//! The two models built on the engine: [`parcel`], the parcel world (platforms, hubs, lanes,
//! gateways with import customs in Time Release Study segments, taxes, costs, returns), which
//! is what users run; and [`queueing`], a plain open queueing network (sources, queues with
//! shift calendars, delays, batches, timetabled departures, probabilistic routing), which
//! validates the engine against queueing theory. "Network" elsewhere means the parcel world's
//! hubs, lanes and gateways.

pub mod parcel;
pub mod queueing;

pub use queueing::{
    Observer, QueueingReplication, StageReplication, Step, simulate, simulate_observed,
};
