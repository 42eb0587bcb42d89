//! `clearsim check`: validate a scenario without running it, print its offered loads, and fail
//! (exit code 1) when a station or the line-haul is overloaded.

use super::args::CheckCmd;
use super::output::emit;
use super::{Failure, load};

/// The mark of an offered load at which the backlog grows without bound.
const OVERLOADED: &str = "  (≥ 1: backlog grows until the horizon)";

/// Runs `check`.
pub fn check(cmd: CheckCmd) -> Result<(), Failure> {
    let sc = load(&cmd.scenario, Vec::new())?;
    let mut text = format!(
        "{}: ok — scenario `{}`, {} source(s), {} stage(s), {} platform(s), {} replication(s)\n",
        sc.origin,
        sc.name,
        sc.sources.len(),
        sc.stages.len(),
        sc.world.as_ref().map_or(0, |w| w.platforms.len()),
        sc.run.replications
    );
    // (where, offered load) of every overloaded station.
    let mut overloaded: Vec<(String, f64)> = Vec::new();
    if let Some(world) = &sc.world {
        text.push_str(&format!(
            "  parcel world: {} platform(s), currency {}\n",
            world.platforms.len(),
            world.reporting_currency
        ));
        for l in world.offered_loads() {
            let warn = if l.load >= 1.0 {
                overloaded.push((l.name.to_string(), l.load));
                OVERLOADED
            } else {
                ""
            };
            text.push_str(&format!(
                "  {:<22} arrivals {:>12.2}/h  offered load {:.3}{warn}\n",
                l.name, l.arrival_rate_per_h, l.load
            ));
        }
    }
    for l in sc.offered_loads() {
        let st = &sc.stages[l.stage];
        match l.load {
            Some(rho) => {
                let warn = if rho >= 1.0 {
                    overloaded.push((format!("stage {}", st.name), rho));
                    OVERLOADED
                } else {
                    ""
                };
                text.push_str(&format!(
                    "  stage {:<20} arrivals {:>10.4}/h  offered load {rho:.3}{warn}\n",
                    st.name, l.arrival_rate_per_h
                ));
            }
            None => text.push_str(&format!(
                "  stage {:<20} arrivals {:>10.4}/h\n",
                st.name, l.arrival_rate_per_h
            )),
        }
    }
    emit(&text)?;
    if overloaded.is_empty() {
        return Ok(());
    }
    let which: Vec<String> = overloaded
        .iter()
        .map(|(name, rho)| format!("{name} (offered load {rho:.3})"))
        .collect();
    Err(Failure::Run(format!(
        "{}: overloaded: {}; at an offered load ≥ 1 the backlog grows until the horizon and no steady state exists: add capacity or lower the demand",
        sc.origin,
        which.join(", ")
    )))
}
