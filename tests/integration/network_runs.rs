//! The shipped network scenarios run: no departure exceeds a limit or its cut-off, and the same
//! seed gives the same output (their conservation is in conservation.rs).

use clearsim::model::parcel::simulate_world;

use crate::support::{
    SHIPPED_NETWORKS as NETWORKS, load, shipped_network_replication as replication,
};

#[test]
fn shipped_networks_repeat_exactly_with_the_same_seed() {
    let path = NETWORKS[2];
    let a = serde_json::to_string(&replication(path, 3)).unwrap();
    let b = serde_json::to_string(&replication(path, 3)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn the_peak_network_overflows_and_flies_its_extra_departures() {
    // A quarter of the demand on a quarter of the air capacity: the same pressure, faster.
    let sc = load(
        NETWORKS[2],
        &[
            "run.demand_multiplier=0.25",
            "lane.zz-lgg.capacity_parcels=12500",
            "lane.zz-lgg.capacity_kg=4500",
            "lane.zz-bud.capacity_parcels=12500",
            "lane.zz-bud.capacity_kg=4500",
            "lane.sz-lgg.capacity_parcels=15000",
            "lane.sz-lgg.capacity_kg=5250",
            "lane.sz-bud.capacity_parcels=15000",
            "lane.sz-bud.capacity_kg=5250",
        ],
    );
    let world = sc.world.clone().unwrap();
    let r = simulate_world(&sc, &world, 0);
    let lane = |n: &str| r.lanes.iter().find(|l| l.name == n).unwrap();
    assert_eq!(lane("zz-lgg").extra_departures, 6);
    assert_eq!(lane("zz-lgg").cancelled_departures, 1);
    assert!(
        lane("zz-lgg").overflowed > 0,
        "the peak overflows Zhengzhou's Liège flights"
    );
    assert!(lane("sz-lgg").overflowed > 0);
}

/// Figures of one-chain files from the one-chain model before the network (commit 3f919eb),
/// `run FILE --reps 2 --set run.horizon_h=400`: the network model must give them exactly,
/// since a singular file keeps every random stream it had. The cost per parcel is the one
/// exception: since a server still serving when its shift ends stays on duty (and is paid)
/// until that service ends, labour is a little higher than that model's (by less than 0.03%).
#[test]
fn one_chain_files_give_the_figures_of_the_one_chain_model() {
    let pinned = [
        (
            "scenarios/paperless.toml",
            [4002129, 2525860, 1474580, 1689, 7526656],
            [
                2.1582804984772688,
                142.54100336995975,
                6.518931186979594,
                2.9357323781979874,
            ],
        ),
        (
            "scenarios/paper.toml",
            [4002129, 2258522, 1742029, 1578, 14052286],
            [
                22.46100589343773,
                161.14606886015503,
                10.607168509000536,
                2.9370178435284604,
            ],
        ),
        (
            "scenarios/us-no-de-minimis.toml",
            [2000553, 1295921, 703835, 797, 3760310],
            [
                3.308146307732395,
                136.99623265256412,
                10.455486584516027,
                0.0,
            ],
        ),
    ];
    for (path, counts, figures) in pinned {
        let sc = load(
            path,
            &["run.seed=1", "run.replications=2", "run.horizon_h=400"],
        );
        let s = clearsim::experiment::run(&sc, 0).unwrap().summary;
        let p = &s.parcels;
        assert_eq!(
            [p.created, p.delivered, p.in_system, p.seized, s.events],
            counts,
            "{path}"
        );
        let m = &s.metrics;
        let got = [
            m.clearance_hours.as_ref().unwrap().mean,
            m.end_to_end_hours.as_ref().unwrap().mean,
            s.cost_per_parcel.as_ref().unwrap().total.mean,
            s.revenue_per_parcel.as_ref().unwrap().vat.mean,
        ];
        assert_eq!(got, figures, "{path}");
    }
}
