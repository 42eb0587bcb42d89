//! What one request may ask of the server: replications, horizon and parcels per replication,
//! and how many comparisons may run at once, each refused with a message that says the limit.

use crate::experiment::budget::{JobShape, estimate};
use crate::scenario::Scenario;

use super::Refusal;

/// The server's limits (`clearsim serve --max-…`).
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Most replications one comparison may run.
    pub max_replications: u32,
    /// Longest horizon [h].
    pub max_horizon_h: f64,
    /// Most parcels (entities) one replication may create: parcels per day × horizon.
    pub max_parcels: f64,
    /// Most comparisons running at once (a cached answer does not count).
    pub max_runs: usize,
    /// Largest request body [bytes].
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_replications: 100,
            max_horizon_h: 8760.0,
            max_parcels: 20e6,
            max_runs: 2,
            max_body_bytes: 16 * 1024,
        }
    }
}

impl Limits {
    /// Refuses a scenario (a side of a comparison) beyond the limits.
    pub fn check(&self, s: &Scenario) -> Result<(), Refusal> {
        if s.run.replications > self.max_replications {
            return Err(Refusal::too_large(format!(
                "{} replications asked; this server runs at most {} per comparison (clearsim serve --max-replications); for more, run the command below in a terminal",
                s.run.replications, self.max_replications
            )));
        }
        if let Some(h) = s.run.horizon_h
            && h > self.max_horizon_h
        {
            return Err(Refusal::too_large(format!(
                "a horizon of {h} h asked; this server runs at most {} h (clearsim serve --max-horizon-h)",
                self.max_horizon_h
            )));
        }
        let shape = JobShape {
            replications: s.run.replications as u64,
            runs: 1,
            threads: 0,
        };
        let parcels = estimate(s, &shape).parcels_per_replication;
        // A NaN estimate is refused too.
        if parcels.is_nan() || parcels > self.max_parcels {
            return Err(Refusal::too_large(format!(
                "about {parcels:.3e} parcels per replication asked (parcels per day × horizon); this server runs at most {:.3e} (clearsim serve --max-parcels): lower the demand or the horizon",
                self.max_parcels
            )));
        }
        Ok(())
    }

    /// The message of a run refused because `max_runs` are already running.
    pub fn busy(&self) -> Refusal {
        Refusal::busy(format!(
            "the server is already running {} comparison(s), its limit (clearsim serve --max-runs); press Run again when one has finished",
            self.max_runs
        ))
    }
}
