//! The generic discrete-event kernel: clock and calendar, random streams, distributions,
//! resources with shift calendars, batches and timetables. It knows nothing of customs.
//!
//! A model built on the kernel owns a [`calendar::Calendar`] of its own plain-data event
//! type and dispatches events with a `match`; the pieces here keep the books of each
//! resource (queue, busy servers, capacity over time) so the model only decides what
//! happens next.

pub mod batch;
pub mod calendar;
pub mod dist;
pub mod memory;
pub mod rng;
pub mod schedule;
pub mod slots;
pub mod station;
pub mod timetable;
mod ziggurat;

pub use batch::Batcher;
pub use calendar::{Calendar, EventId};
pub use dist::{Dist, DistError, DistSpec};
pub use rng::{Stream, StreamSeeder};
pub use schedule::{CapacitySchedule, ScheduleError, Shift};
pub use slots::Slots;
pub use station::{Admission, Discipline, Station};
pub use timetable::{Load, Timetable};
