//! Conservation: every entity created is delivered, still in the system, or seized — exactly.

use crate::support::{load, run};

#[test]
fn parcels_are_conserved_in_every_validation_scenario() {
    for path in [
        "scenarios/validation/mm1.toml",
        "scenarios/validation/mmc.toml",
        "scenarios/validation/md1.toml",
        "scenarios/validation/mmck.toml",
        "scenarios/validation/tandem.toml",
        "scenarios/validation/night-closed.toml",
        "scenarios/validation/batch-and-flights.toml",
    ] {
        let s = run(&load(path, &["run.replications=4"]));
        let p = &s.parcels;
        assert_eq!(
            p.created,
            p.delivered + p.in_system + p.seized + p.oversize_refused,
            "{path}: {p:?}"
        );
        assert!(p.created > 0, "{path}");
    }
}
