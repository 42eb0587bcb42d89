//! The `run --json` document (`summary.json`, docs/output.md).
//!
//! A run summarised across replications: counts, stages, end-to-end figures, money, the
//! bottleneck and the signs that the figures are not final.

use serde::{Deserialize, Serialize};

use super::figures::{Level, ReleasedWithin, Stat};

/// The scenario a run came from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioId {
    /// Its name.
    pub name: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
}

/// Entity counts summed over replications:
/// created = delivered + in_system + seized + oversize_refused.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Parcels {
    /// Created (arrived) over the whole run, warm-up included.
    pub created: u64,
    /// Left the network.
    pub delivered: u64,
    /// Still in the network when the run ended.
    pub in_system: u64,
    /// Turned away or taken out: in a plain network, arrivals blocked by a full waiting room.
    pub seized: u64,
    /// Parcel world: parcels in bags heavier or larger than a whole departure of the
    /// line-haul, refused at the gateway (docs/scenario.md); 0 in a plain network.
    #[serde(default)]
    pub oversize_refused: u64,
}

/// One stage's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StageSummary {
    /// Stage name.
    pub name: String,
    /// queue, delay, batch or departures.
    pub kind: String,
    /// Time waiting before service / release / boarding [h].
    pub wait_hours: Stat,
    /// Time from entering to leaving the stage [h].
    pub time_in_stage_hours: Stat,
    /// Busy over available server-hours (queue stages; `null` otherwise).
    #[serde(default)]
    pub utilization: Option<Level>,
    /// Time-average number waiting.
    pub queue_length: Level,
    /// Time-average number in the stage (L in Little's law).
    #[serde(default)]
    pub in_stage: Level,
    /// Entities leaving the stage per hour after the warm-up.
    #[serde(default)]
    pub throughput_per_hour: Level,
    /// Time-average servers on duty (queue stages; `null` otherwise).
    #[serde(default)]
    pub servers: Option<Level>,
    /// Largest number waiting in any replication.
    #[serde(default)]
    pub queue_max: f64,
    /// Entities that entered after the warm-up, summed over replications.
    #[serde(default)]
    pub arrivals: u64,
    /// Entities that left after the warm-up, summed over replications.
    #[serde(default)]
    pub completed: u64,
    /// Arrivals turned away by a full waiting room after the warm-up, summed.
    #[serde(default)]
    pub blocked: u64,
    /// Share of arrivals turned away (finite waiting rooms).
    #[serde(default)]
    pub blocking_probability: Level,
}

/// End-to-end figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Time from creation to leaving the network [h] (parcel world: order → delivered).
    pub time_in_system_hours: Stat,
    /// Entities leaving the network per hour after the warm-up.
    pub throughput_per_hour: Level,
    /// Parcel world: arrival at import customs → release, the TRS headline [h].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clearance_hours: Option<Stat>,
    /// Parcel world: order → delivered [h].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_to_end_hours: Option<Stat>,
    /// Parcel world: shares of parcels released within 1 h, 24 h and 48 h of arrival.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_within: Option<ReleasedWithin>,
}

/// Cost per delivered parcel, in the scenario's currency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostPerParcel {
    /// All categories.
    pub total: Level,
    /// By category: fees, paper, inspection, storage, labour, transport.
    pub breakdown: std::collections::BTreeMap<String, Level>,
}

/// Revenue per delivered parcel, in the scenario's currency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RevenuePerParcel {
    /// Customs duty.
    pub duty: Level,
    /// VAT (and consumption tax), at sale or at the border.
    pub vat: Level,
}

/// The bottleneck: the station that adds the most waiting to the average parcel (its waiting
/// summed over every parcel it held, per parcel delivered), with the wait of the parcels it
/// held and its utilisation beside it. A busy station that serves quickly is not a bottleneck;
/// a half-idle one that holds parcels for hours may be.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bottleneck {
    /// Station name.
    pub station: String,
    /// Hours of waiting there per parcel that completed the journey (those that never pass
    /// count with 0): the delay it adds to the average parcel [h].
    /// Absent in documents of older versions, as are the three figures below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_per_parcel_hours: Option<Level>,
    /// Mean wait of the parcels it held [h].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_wait_hours: Option<Level>,
    /// 95th percentile of the wait of the parcels it held [h].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p95_wait_hours: Option<f64>,
    /// Share of the completed parcels that passed through it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_of_parcels: Option<f64>,
    /// Its utilisation (busy over on-duty server-hours).
    pub utilization: Level,
    /// The station whose parcels wait longest on average, when that is another station.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_wait: Option<LongestWait>,
}

/// The station where the parcels it holds wait longest, when it is not the bottleneck (it
/// holds too few parcels to add the most delay to the average parcel).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LongestWait {
    /// Station name.
    pub station: String,
    /// Mean wait of the parcels it held [h].
    pub mean_wait_hours: Level,
    /// 95th percentile of that wait [h].
    pub p95_wait_hours: f64,
    /// Share of the completed parcels that passed through it.
    pub share_of_parcels: f64,
}

/// A sign that a run's figures are not final (docs/output.md lists the codes and criteria).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable identifier: `not_filled`, `window_short`, `few_replications` or `overloaded`.
    pub code: String,
    /// What was found and what to do, in a sentence.
    pub message: String,
}

/// The summary of a run: what `clearsim run --json` prints.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Version of clearsim that produced it.
    pub clearsim_version: String,
    /// The scenario.
    pub scenario: ScenarioId,
    /// Master seed.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Warm-up deleted from every statistic [h].
    pub warmup_hours: f64,
    /// Horizon of each replication [h]; `null` when runs stop after a number of arrivals.
    #[serde(default)]
    pub horizon_hours: Option<f64>,
    /// Arrival limit of each replication, if any.
    #[serde(default)]
    pub arrivals_limit: Option<u64>,
    /// Mean simulated time at the end of a replication [h].
    #[serde(default)]
    pub end_hours: f64,
    /// Events processed over all replications.
    #[serde(default)]
    pub events: u64,
    /// Conservation of entities.
    pub parcels: Parcels,
    /// Per stage, in scenario order.
    pub stages: Vec<StageSummary>,
    /// End-to-end figures.
    pub metrics: Metrics,
    /// Parcel world: the currency of every amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Parcel world: cost per delivered parcel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_parcel: Option<CostPerParcel>,
    /// Parcel world: duty and VAT per delivered parcel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_per_parcel: Option<RevenuePerParcel>,
    /// Parcel world: parcels delivered per day after the warm-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput_per_day: Option<Level>,
    /// The station that adds the most delay to the average parcel (see [`Bottleneck`]);
    /// absent when no stage has servers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottleneck: Option<Bottleneck>,
    /// Parcel world: departures never carried more than their capacity, no parcel boarded
    /// after its cut-off, no service started at a closed station (checked in every replication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invariants: Option<Invariants>,
    /// With `--precision`: the target on the headline figure (mean clearance for a parcel
    /// world, mean time in system for a plain network) and how many replications it took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<Precision>,
    /// With `--uncertainty N`: the range of every headline figure over N Latin hypercube draws
    /// of the uncertain inputs, next to the 95% CI (which covers simulation noise only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<super::uncertainty::Uncertainty>,
    /// With `--warmup auto`: how the warm-up in `warmup_hours` was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup: Option<WarmupChoice>,
    /// The headline duration's distribution pooled over replications, as histogram bins: what
    /// a report draws as a histogram and a cumulative curve. Absent when nothing was observed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<Distribution>,
    /// Parcel world of more than one hub, lane or gateway, or with returns: per hub, lane and
    /// gateway, returns, and the bottleneck of the whole network (see
    /// [`super::network`]); absent for a one-chain world and a plain network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<super::network::NetworkSummary>,
    /// Signs that the figures are not final (a network not yet filled, an overloaded
    /// station...); empty when none.
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

/// The distribution of a duration pooled over replications (after the warm-up), in bins of
/// equal width from 0 h, the last bin collecting the tail up to the maximum.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Which duration: `clearance_hours` (parcel world) or `time_in_system_hours`.
    pub metric: String,
    /// The bins, from 0 h upwards; their shares add up to 1.
    pub bins: Vec<Bin>,
}

/// One histogram bin: the share of observations in (`lower_h`, `upper_h`] (the first bin
/// includes 0).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Lower edge [h].
    pub lower_h: f64,
    /// Upper edge [h].
    pub upper_h: f64,
    /// Share of the observations in the bin, in [0, 1].
    pub share: f64,
}

/// How many replications a precision target took (`run --precision`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    /// Asked: 95% CI half-width over mean of the headline figure.
    pub target_relative_half_width: f64,
    /// Reached.
    pub achieved_relative_half_width: f64,
    /// Replications run.
    pub replications: u32,
    /// Whether the target was met before the replication cap.
    pub met: bool,
}

/// Rules the parcel world must never break, as observed over all replications.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Invariants {
    /// Largest departure load over its capacity (≤ 1).
    pub max_departure_fill: f64,
    /// Parcels that boarded after their cut-off (0).
    pub cutoff_violations: u64,
    /// Services started while a station was closed (0).
    pub closed_station_starts: u64,
}

/// The warm-up `--warmup auto` chose, and from what: enough to say why (see
/// [`WarmupChoice::describe`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WarmupChoice {
    /// How it was chosen: `mser_daily_pooled` (MSER on the daily means of the headline figure
    /// of every pilot replication together), with the floor below.
    pub method: String,
    /// The warm-up [h], deleted from every statistic of the real run: the larger of the MSER
    /// cut and the floor, rounded up to a whole day.
    pub hours: f64,
    /// Replications of the pilot run (the scenario's, with no warm-up).
    pub pilot_replications: u32,
    /// Daily means per replication MSER read (whole days; the last, cut short, left out).
    pub series_length: usize,
    /// Days cut per replication.
    pub cut: usize,
    /// The MSER cut in hours (the end of the last day cut; 0 with no cut).
    pub mser_hours: f64,
    /// The floor [h]: one day after the headline figure was first recorded (the pipeline ahead
    /// of it has then delivered, and one daily cycle of departures and demand has been seen).
    pub floor_hours: f64,
    /// True when MSER cut as much as it may (half the series): the headline figure was still
    /// drifting at mid-run, so no steady state was seen; lengthen `run.horizon_h`.
    pub at_limit: bool,
    /// Why this warm-up, in one sentence.
    pub reason: String,
}

impl WarmupChoice {
    /// One line for the terminal: what was chosen and why.
    pub fn describe(&self) -> String {
        format!(
            "warm-up: {} h ({}; pooled MSER on {} daily means of each of {} pilot replications)",
            self.hours, self.reason, self.series_length, self.pilot_replications
        )
    }
}

impl std::fmt::Display for WarmupChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl RunSummary {
    /// Whether the document is a parcel world's (it has a clearance time).
    pub fn is_world(&self) -> bool {
        self.metrics.clearance_hours.is_some()
    }

    /// The headline duration: clearance for a parcel world, time in system otherwise.
    pub fn headline(&self) -> &Stat {
        self.metrics
            .clearance_hours
            .as_ref()
            .unwrap_or(&self.metrics.time_in_system_hours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_document_of_an_older_version_reads_with_defaults_for_what_it_lacks() {
        let stat = r#"{"mean": 2.0, "p50": 1.0, "p90": 3.0, "p95": 4.0, "p99": 5.0, "max": 6.0, "count": 7}"#;
        let level = r#"{"mean": 0.5}"#;
        let text = format!(
            r#"{{"clearsim_version": "0.1.0", "scenario": {{"name": "s", "sha256": "x"}},
                "seed": 1, "replications": 2, "warmup_hours": 0,
                "parcels": {{"created": 3, "delivered": 2, "in_system": 1, "seized": 0}},
                "stages": [{{"name": "xray", "kind": "queue", "time_in_stage_hours": {stat},
                             "wait_hours": {stat}, "queue_length": {level}}}],
                "metrics": {{"time_in_system_hours": {stat}, "throughput_per_hour": {level}}},
                "bottleneck": {{"station": "xray", "utilization": {level}}}}}"#
        );
        let s: RunSummary = serde_json::from_str(&text).unwrap();
        assert_eq!(s.parcels.oversize_refused, 0);
        assert_eq!(s.stages[0].arrivals, 0);
        assert!(s.warnings.is_empty() && s.network.is_none() && !s.is_world());
        let b = s.bottleneck.as_ref().unwrap();
        assert!(b.delay_per_parcel_hours.is_none() && b.share_of_parcels.is_none());
        assert_eq!(s.headline().mean, 2.0);
    }
}
