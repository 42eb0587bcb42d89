//! Parcel-world speed: parcels simulated per second on one core, for the shipped one-chain
//! `scenarios/paperless.toml` (120,000 parcels a day) and the network `scenarios/network-eu.toml`
//! (three hubs, seven lanes, three gateways, 520,000 parcels a day).
//!
//! Run with `cargo bench --bench parcel`; criterion reports the time of one replication (10
//! days of paperless: end to end takes about 6 days; 5 days of network-eu) and, from the
//! parcel count, elements (parcels) per second.

use std::path::Path;

use clearsim::model::parcel::simulate_world;
use clearsim::scenario::{Override, Scenario};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Benches one replication of `file` over `horizon_h` (no warm-up) as `name`, in parcels/s.
fn one_replication(c: &mut Criterion, file: &str, horizon_h: u32, name: &str) {
    let horizon = format!("run.horizon_h={horizon_h}");
    let sets: Vec<Override> = [horizon.as_str(), "run.warmup_h=0"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    // As the command does (src/main.rs), so the bench measures the same allocator policy.
    clearsim::engine::memory::map_large_blocks();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let sc = Scenario::load(&path, &sets).unwrap();
    let world = sc.world.clone().unwrap();
    let parcels = simulate_world(&sc, &world, 0).created;
    let mut g = c.benchmark_group("parcel_world");
    g.sample_size(10);
    g.throughput(Throughput::Elements(parcels));
    g.bench_function(name, |b| {
        b.iter(|| simulate_world(&sc, &world, 0).delivered)
    });
    g.finish();
}

fn paperless_three_days(c: &mut Criterion) {
    one_replication(
        c,
        "scenarios/paperless.toml",
        240,
        "paperless_240h_one_replication",
    );
}

fn network_eu_five_days(c: &mut Criterion) {
    one_replication(
        c,
        "scenarios/network-eu.toml",
        120,
        "network_eu_120h_one_replication",
    );
}

criterion_group!(benches, paperless_three_days, network_eu_five_days);
criterion_main!(benches);
