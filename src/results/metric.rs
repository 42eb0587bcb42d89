//! The headline figures by name: each one's JSON name, unit, bounds and words in one place.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::stats::Bounds;

/// A headline figure of a run: what `compare` differences, `sweep` tabulates, `stress` holds to
/// a limit and `--uncertainty` bands. It is written in the JSON as its name (e.g.
/// `clearance_hours.mean`); a name this version does not know (a station's wait in a stress
/// limit, a figure of a later version) is kept as it was written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Metric {
    /// Parcel world: mean arrival → release [h].
    ClearanceMean,
    /// Parcel world: median arrival → release [h].
    ClearanceP50,
    /// Parcel world: 95th percentile of arrival → release [h].
    ClearanceP95,
    /// Parcel world: mean order → delivered [h].
    EndToEndMean,
    /// Parcel world: share of parcels released within 24 h of arrival.
    ReleasedWithin24h,
    /// Parcel world: cost per delivered parcel, all categories [currency].
    CostPerParcel,
    /// Parcel world: duty and VAT per delivered parcel [currency].
    RevenuePerParcel,
    /// The busiest station's utilisation.
    BottleneckUtilization,
    /// Plain network: mean time in system [h].
    TimeInSystemMean,
    /// Plain network: median time in system [h].
    TimeInSystemP50,
    /// Plain network: 95th percentile of time in system [h].
    TimeInSystemP95,
    /// Plain network: entities leaving per hour [1/h].
    ThroughputPerHour,
    /// Any other name, kept as written.
    Other(String),
}

/// What a figure is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Hours.
    Hours,
    /// A share in [0, 1].
    Share,
    /// Per hour.
    PerHour,
    /// The scenario's reporting currency.
    Money,
}

impl Unit {
    /// The unit as the JSON writes it (`h`, `share`, `1/h`, or the currency).
    pub fn label(self, currency: &str) -> String {
        match self {
            Unit::Hours => "h".to_string(),
            Unit::Share => "share".to_string(),
            Unit::PerHour => "1/h".to_string(),
            Unit::Money => currency.to_string(),
        }
    }
}

/// Every known figure with its name, unit, words and short label.
static KNOWN: [(Metric, &str, Unit, &str, &str); 12] = [
    (
        Metric::ClearanceMean,
        "clearance_hours.mean",
        Unit::Hours,
        "mean clearance time",
        "clearance, mean",
    ),
    (
        Metric::ClearanceP50,
        "clearance_hours.p50",
        Unit::Hours,
        "median clearance time",
        "clearance, median",
    ),
    (
        Metric::ClearanceP95,
        "clearance_hours.p95",
        Unit::Hours,
        "95th-percentile clearance time",
        "clearance, p95",
    ),
    (
        Metric::EndToEndMean,
        "end_to_end_hours.mean",
        Unit::Hours,
        "mean order-to-delivery time",
        "order→delivery, mean",
    ),
    (
        Metric::ReleasedWithin24h,
        "released_within.24h",
        Unit::Share,
        "share of parcels released within 24 h",
        "released within 24 h",
    ),
    (
        Metric::CostPerParcel,
        "cost_per_parcel.total",
        Unit::Money,
        "cost per delivered parcel",
        "cost per parcel",
    ),
    (
        Metric::RevenuePerParcel,
        "revenue_per_parcel.total",
        Unit::Money,
        "duty and VAT collected per parcel",
        "duty + VAT per parcel",
    ),
    (
        Metric::BottleneckUtilization,
        "bottleneck.utilization",
        Unit::Share,
        "busiest station's utilisation",
        "bottleneck.utilization",
    ),
    (
        Metric::TimeInSystemMean,
        "time_in_system_hours.mean",
        Unit::Hours,
        "mean time in system",
        "time in system, mean",
    ),
    (
        Metric::TimeInSystemP50,
        "time_in_system_hours.p50",
        Unit::Hours,
        "median time in system",
        "time in system, median",
    ),
    (
        Metric::TimeInSystemP95,
        "time_in_system_hours.p95",
        Unit::Hours,
        "95th-percentile time in system",
        "time in system, p95",
    ),
    (
        Metric::ThroughputPerHour,
        "throughput_per_hour",
        Unit::PerHour,
        "throughput",
        "throughput",
    ),
];

impl Metric {
    /// The figure of `name`: a known one, or [`Metric::Other`].
    pub fn from_name(name: &str) -> Metric {
        KNOWN
            .iter()
            .find(|k| k.1 == name)
            .map_or_else(|| Metric::Other(name.to_string()), |k| k.0.clone())
    }

    fn known(&self) -> Option<&'static (Metric, &'static str, Unit, &'static str, &'static str)> {
        KNOWN.iter().find(|k| k.0 == *self)
    }

    /// Its name in the JSON, e.g. `clearance_hours.mean`.
    pub fn name(&self) -> &str {
        match self {
            Metric::Other(name) => name,
            known => known.known().map_or("", |k| k.1),
        }
    }

    /// What it is measured in; `None` for a name this version does not know.
    pub fn unit(&self) -> Option<Unit> {
        self.known().map(|k| k.2)
    }

    /// The values it can take, which its interval keeps to: a share in [0, 1] (the share
    /// released within 24 h by Wilson with an effective size capped by the `observations`
    /// counted; a utilisation with no such cap), otherwise a figure ≥ 0.
    pub fn bounds(&self, observations: u64) -> Bounds {
        match self {
            Metric::ReleasedWithin24h => Bounds::Share { observations },
            Metric::BottleneckUtilization => Bounds::Share { observations: 0 },
            _ => Bounds::NonNegative,
        }
    }

    /// Its name in a sentence, e.g. "mean clearance time"; an unknown name with its
    /// underscores as spaces.
    pub fn words(&self) -> String {
        match self.known() {
            Some(k) => k.3.to_string(),
            None => self.name().replace('_', " "),
        }
    }

    /// Whether it is a mean across replications (a band of it can be set beside its 95% CI).
    pub fn is_mean(&self) -> bool {
        self.name().ends_with(".mean")
    }

    /// A short label for a table column, e.g. "clearance, mean"; an unknown name as written.
    pub fn short_label(&self) -> &str {
        match self.known() {
            Some(k) => k.4,
            None => self.name(),
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq<str> for Metric {
    fn eq(&self, other: &str) -> bool {
        self.name() == other
    }
}

impl PartialEq<&str> for Metric {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl Serialize for Metric {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Metric {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(Metric::from_name(&name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_figure_reads_back_from_its_name() {
        for k in &KNOWN {
            assert_eq!(Metric::from_name(k.1), k.0);
            assert_eq!(k.0.name(), k.1);
            let json = serde_json::to_string(&k.0).unwrap();
            assert_eq!(json, format!("\"{}\"", k.1));
            assert_eq!(serde_json::from_str::<Metric>(&json).unwrap(), k.0);
        }
        let stage = Metric::from_name("stages.xray.wait_hours.p95");
        assert_eq!(stage.name(), "stages.xray.wait_hours.p95");
        assert_eq!(stage.unit(), None);
    }
}
