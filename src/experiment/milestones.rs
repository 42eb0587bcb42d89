//! Per-parcel import milestones of one replication, written in the CSV form `clearsim fit` reads (docs/output.md).

use std::io::Write;

use crate::calibrate::shares::channel_key;
use crate::model::parcel::{ParcelObserver, simulate_world_observed};
use crate::scenario::Scenario;
use crate::scenario::observed::RISKS;
use crate::scenario::parcel::Channel;

/// The header of the milestones CSV.
pub const HEADER: [&str; 9] = [
    "id",
    "arrival",
    "lodgement",
    "assessment",
    "documentary_check",
    "inspection",
    "release",
    "channel",
    "risk",
];

/// Why the milestones could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MilestonesError {
    /// The scenario is a plain network, whose entities have no customs milestones.
    #[error(
        "--milestones needs a parcel-world scenario (a plain network has no customs milestones)"
    )]
    NotAParcelWorld,
    /// Writing failed.
    #[error("cannot write the milestones: {0}")]
    Write(#[from] csv::Error),
}

struct Rows<W: Write> {
    out: csv::Writer<W>,
    warmup: f64,
    rows: u64,
    error: Option<csv::Error>,
}

impl<W: Write> Rows<W> {
    fn row(
        &mut self,
        arrived: f64,
        segments: [f64; 5],
        released: f64,
        tags: Option<(Channel, u8)>,
    ) {
        if released < self.warmup || self.error.is_some() {
            return;
        }
        self.rows += 1;
        let mut at = arrived;
        let mut cells = vec![self.rows.to_string(), format!("{arrived:.4}")];
        for (k, s) in segments.iter().enumerate() {
            // Each milestone is the sum of the segments so far (the release too), so that
            // rounding never puts two milestones out of order.
            at += s;
            let t = at;
            // A documentary check is a yellow parcel's step, an inspection a red one's; without
            // the lane, a step that took time.
            let passed = match (k, tags) {
                (2, Some((_, r))) => r == 1,
                (3, Some((_, r))) => r == 2,
                (2 | 3, None) => *s > 0.0,
                _ => true,
            };
            cells.push(if passed {
                format!("{t:.4}")
            } else {
                String::new()
            });
        }
        match tags {
            Some((c, r)) => {
                cells.push(channel_key(c).to_string());
                cells.push(RISKS[r.min(2) as usize].to_string());
            }
            None => cells.extend([String::new(), String::new()]),
        }
        if let Err(e) = self.out.write_record(&cells) {
            self.error = Some(e);
        }
    }
}

impl<W: Write> ParcelObserver for Rows<W> {
    fn released(&mut self, arrived: f64, segments: [f64; 5], released: f64) {
        self.row(arrived, segments, released, None);
    }

    fn released_as(&mut self, arrived: f64, segments: [f64; 5], released: f64, c: Channel, r: u8) {
        self.row(arrived, segments, released, Some((c, r)));
    }
}

/// Runs replication `replication` of `scenario` and writes one row per parcel released after
/// the warm-up to `out`, in release order; returns the rows written. The replication is the
/// same one a run simulates (same streams), so its figures are the run's replication's.
pub fn write(
    scenario: &Scenario,
    replication: u64,
    out: impl Write,
) -> Result<u64, MilestonesError> {
    let world = scenario
        .world
        .as_ref()
        .ok_or(MilestonesError::NotAParcelWorld)?;
    let mut rows = Rows {
        out: csv::Writer::from_writer(out),
        warmup: scenario.run.warmup_h,
        rows: 0,
        error: None,
    };
    rows.out.write_record(HEADER)?;
    simulate_world_observed(scenario, world, replication, &mut rows);
    if let Some(e) = rows.error {
        return Err(e.into());
    }
    rows.out.flush().map_err(csv::Error::from)?;
    Ok(rows.rows)
}
