//! The validated network of a parcel world: origin hubs, lanes, import gateways, routing and
//! returns, with every name resolved to an index.
//!
//! A parcel's journey through it: its platform ships it from a hub (by the platform's hub
//! shares) to a market (by its market shares); at the hub a [`Routing`] picks the lane, and the
//! lane's gateway clears it into that market. A file with the singular `[hub]`, `[linehaul]`
//! and `[import]` is a network of one hub, one lane and one gateway.

use super::parcel::{Costs, Import, Regime, Rules, StationSpec};
use crate::engine::Dist;

/// An origin hub: first mile in, sorting, bagging, export clearance.
#[derive(Clone, Debug)]
pub struct Hub {
    /// Unique name.
    pub name: String,
    /// Order → arrival at this hub [h].
    pub first_mile: Dist,
    /// Sorting; `None` for no sort station (each parcel is then a bag of its own).
    pub sort: Option<StationSpec>,
    /// Parcels per bag (1 without a sort station).
    pub bag_size: u32,
    /// An incomplete bag closes this long after it opened [h].
    pub bag_timeout_h: Option<f64>,
    /// Export clearance of one bag [h].
    pub export_clearance: Dist,
}

/// One end of a lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// An origin hub, by index.
    Hub(usize),
    /// An import gateway, by index.
    Gateway(usize),
}

/// The limits of one departure; every limit that is given binds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Capacity {
    /// Parcels.
    pub parcels: Option<f64>,
    /// Kilograms.
    pub kg: Option<f64>,
    /// Cubic metres.
    pub m3: Option<f64>,
}

impl Capacity {
    /// True if a load of (parcels, kg, m³) fits an empty departure.
    pub fn fits(&self, load: [f64; 3]) -> bool {
        self.limits()
            .iter()
            .zip(load)
            .all(|(l, x)| l.is_none_or(|l| x <= l))
    }

    /// The three limits in (parcels, kg, m³) order.
    pub fn limits(&self) -> [Option<f64>; 3] {
        [self.parcels, self.kg, self.m3]
    }
}

/// A timetabled link: from a hub to a gateway (or, for returns, back from a gateway to a hub).
#[derive(Clone, Debug)]
pub struct Lane {
    /// Unique name.
    pub name: String,
    /// Where it leaves from.
    pub from: Node,
    /// Where it arrives.
    pub to: Node,
    /// `air`, `rail`, `sea` or `road`.
    pub mode: String,
    /// The timetable repeats every period [h] (24 daily, 168 weekly).
    pub period_h: f64,
    /// Departure offsets within the period [h].
    pub offsets: Vec<f64>,
    /// Extra departures at these absolute times [h] (e.g. a flight added on 11.11), sorted.
    pub extra: Vec<f64>,
    /// Timetabled departures cancelled at these absolute times [h], sorted.
    pub cancelled: Vec<f64>,
    /// Limits of one departure.
    pub capacity: Capacity,
    /// Parcels must be at the departure point this long before it leaves [h].
    pub cutoff_h: f64,
    /// Departure → arrival [h].
    pub transit: Dist,
    /// Freight per kg, in the reporting currency.
    pub cost_per_kg: f64,
    /// Fixed cost of one departure, in the reporting currency, whatever it carries.
    pub cost_per_departure: f64,
}

/// An import gateway: its customs, regime, costs and last mile, in its own currency.
#[derive(Clone, Debug)]
pub struct Gateway {
    /// Unique name.
    pub name: String,
    /// The market (destination) it clears into, an index into `ParcelWorld::markets`.
    pub market: usize,
    /// Import customs.
    pub import: Import,
    /// Duty and VAT; its `currency` is the gateway's.
    pub regime: Regime,
    /// Pilot-zone rule packs.
    pub rules: Rules,
    /// Costs charged to parcels, in the gateway's currency.
    pub costs: Costs,
    /// Gate-out → delivered [h].
    pub last_mile: Dist,
    /// Bonded warehouse → delivered, for 1210 parcels [h].
    pub bonded_last_mile: Dist,
    /// The depot delivers at most this many parcels a day (FIFO, evenly over the day).
    pub depot_per_day: Option<f64>,
    /// Value of one unit of the gateway's currency in the reporting currency.
    pub fx: f64,
}

/// How a hub picks the lane of a bag.
#[derive(Clone, Debug, PartialEq)]
pub enum Routing {
    /// Each parcel by shares: (lane, cumulative share), the last share 1.
    Shares(Vec<(usize, f64)>),
    /// A preference list with overflow: a bag takes the first lane whose departures within
    /// `max_wait_h` of reaching it still have room for it; if none has, the first lane.
    Overflow {
        /// Lanes in order of preference.
        lanes: Vec<usize>,
        /// How long a bag may wait for a departure before it overflows [h].
        max_wait_h: f64,
    },
    /// The lane whose expected arrival (next departure with room, plus mean transit) is earliest.
    Fastest {
        /// Candidate lanes.
        lanes: Vec<usize>,
    },
    /// The cheapest lane (freight per kg) whose expected arrival is within `deadline_h` of the
    /// bag reaching it; the fastest when none is.
    Cheapest {
        /// Candidate lanes.
        lanes: Vec<usize>,
        /// Bag ready → expected arrival at the gateway [h].
        deadline_h: f64,
    },
}

impl Routing {
    /// The lanes it may choose, first the preferred.
    pub fn lanes(&self) -> Vec<usize> {
        match self {
            Routing::Shares(s) => s.iter().map(|&(l, _)| l).collect(),
            Routing::Overflow { lanes, .. }
            | Routing::Fastest { lanes }
            | Routing::Cheapest { lanes, .. } => lanes.clone(),
        }
    }

    /// True if the lane is decided per parcel at the sort (shares), false if per bag at the
    /// departure point (overflow, fastest, cheapest).
    pub fn per_parcel(&self) -> bool {
        matches!(self, Routing::Shares(_))
    }
}

/// Where returned parcels go.
#[derive(Clone, Debug, PartialEq)]
pub enum ReturnPath {
    /// To a returns warehouse in the destination: handled and closed there.
    Local {
        /// Handling at the warehouse [h].
        handling: Dist,
        /// Cost per parcel, in the reporting currency.
        cost: f64,
    },
    /// Back to the origin on a lane leaving the gateway that cleared the parcel.
    Origin {
        /// Per gateway, the lane back (from that gateway to a hub); validation makes sure every
        /// gateway the platform's parcels can reach has one.
        lanes: Vec<Option<usize>>,
    },
}

/// Returns of a platform's delivered parcels.
#[derive(Clone, Debug, PartialEq)]
pub struct Returns {
    /// Share of delivered parcels sent back.
    pub share: f64,
    /// Delivered → handed back to the carrier [h].
    pub delay: Dist,
    /// Where they go.
    pub path: ReturnPath,
}
