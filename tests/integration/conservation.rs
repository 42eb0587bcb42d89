//! Conservation: every entity created is delivered, still in the system, or seized — exactly, in
//! both models, network-wide and at every lane and gateway.

use crate::support::{SHIPPED_NETWORKS, load, run, shipped_network_replication};

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

#[test]
fn every_shipped_network_conserves_parcels_network_wide_and_per_node() {
    for path in SHIPPED_NETWORKS {
        let r = shipped_network_replication(path, 0);
        assert!(r.created > 100_000, "{path}: {}", r.created);
        let kept = r.delivered - r.returned - r.returning;
        assert_eq!(
            r.created,
            kept + r.returned + r.seized + r.oversize_refused + r.held,
            "{path}: network-wide"
        );
        for l in &r.lanes {
            assert_eq!(
                l.boarded_total,
                l.arrived_total + l.in_transit_at_end,
                "{path}: lane {}",
                l.name
            );
            assert_eq!(l.cutoff_violations, 0, "{path}: lane {}", l.name);
            assert!(l.max_fill <= 1.0, "{path}: lane {}", l.name);
        }
        for g in &r.gateways {
            assert_eq!(
                g.arrived_total,
                g.released_total + g.seized_total + g.in_customs_at_end,
                "{path}: gateway {}",
                g.name
            );
            assert!(
                g.arrived_total > 0,
                "{path}: gateway {} received nothing",
                g.name
            );
        }
        // What the lanes to gateways delivered is what the gateways received (no bonded stock
        // in the shipped networks).
        let into_gateways: u64 = r
            .lanes
            .iter()
            .zip(&load(path, &[]).world.unwrap().lanes)
            .filter(|(_, spec)| matches!(spec.to, clearsim::scenario::network::Node::Gateway(_)))
            .map(|(l, _)| l.arrived_total)
            .sum();
        let received: u64 = r.gateways.iter().map(|g| g.arrived_total).sum();
        assert_eq!(into_gateways, received, "{path}");
    }
}

#[test]
fn parcels_are_conserved_in_every_shipped_one_chain_world() {
    let worlds: Vec<String> = std::fs::read_dir(crate::support::repo("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && !n.starts_with("network-"))
        .map(|n| format!("scenarios/{n}"))
        .collect();
    assert!(worlds.len() >= 8, "{worlds:?}");
    for path in &worlds {
        let sc = load(
            path,
            &[
                "run.replications=2",
                "run.horizon_h=120",
                "run.warmup_h=24",
                "run.demand_multiplier=0.2",
            ],
        );
        assert!(sc.world.is_some(), "{path} is a parcel world");
        let p = run(&sc).parcels;
        assert_eq!(
            p.created,
            p.delivered + p.in_system + p.seized + p.oversize_refused,
            "{path}: {p:?}"
        );
        assert!(p.created > 0, "{path}");
    }
}
