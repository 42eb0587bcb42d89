//! The range every numeric key of a scenario may take: wide enough for any real network, narrow
//! enough that every count fits memory and every sum over a run stays a finite number.

/// The longest horizon, warm-up, time-out, cut-off or mean duration: 100 years in hours.
pub const MAX_HOURS: f64 = 876_600.0;
/// The longest timetable period: a leap year in hours.
pub const MAX_PERIOD_H: f64 = 8_784.0;
/// Most departures in one timetable period.
pub const MAX_DEPARTURES: usize = 10_000;
/// Most independent replications.
pub const MAX_REPLICATIONS: i64 = 100_000;
/// Most arrivals of a plain network (`run.arrivals`).
pub const MAX_ARRIVALS: i64 = 1_000_000_000;
/// Highest `run.demand_multiplier`.
pub const MAX_DEMAND_MULTIPLIER: f64 = 1_000.0;
/// Most parcels a platform takes on an ordinary day.
pub const MAX_PARCELS_PER_DAY: f64 = 1e9;
/// Highest weight of an hour or a day in a demand profile.
pub const MAX_PROFILE_WEIGHT: f64 = 1e6;
/// Highest demand multiplier of a peak day.
pub const MAX_PEAK_MULTIPLIER: f64 = 1_000.0;
/// Highest day number (peak days, holidays): 100 years of days.
pub const MAX_DAY: i64 = 36_525;
/// Most servers (officers, lanes, bays, sorters) at one station or stage.
pub const MAX_SERVERS: i64 = 100_000;
/// Most entities a queue may hold waiting.
pub const MAX_QUEUE_CAPACITY: i64 = 10_000_000;
/// Most items in a batch or parcels in a bag.
pub const MAX_BATCH: i64 = 100_000;
/// Most entities or parcels one departure carries.
pub const MAX_DEPARTURE_CAPACITY: i64 = 10_000_000;
/// Most kilograms one departure carries (a thousand freighters).
pub const MAX_CAPACITY_KG: f64 = 1e9;
/// Highest mean weight of a parcel [kg].
pub const MAX_PARCEL_KG: f64 = 100_000.0;
/// Highest amount of money in any key (fee, rate per hour or kg, declared value, threshold).
pub const MAX_MONEY: f64 = 1e9;
/// Most documents in a paper declaration.
pub const MAX_DOCUMENTS: f64 = 1_000.0;
/// Most cubic metres one departure carries.
pub const MAX_CAPACITY_M3: f64 = 1e7;
/// Highest mean volume of a parcel [m³].
pub const MAX_PARCEL_M3: f64 = 1_000.0;
/// Highest exchange rate (value of one unit in the reporting currency), and lowest is its inverse.
pub const MAX_FX_RATE: f64 = 1e6;
