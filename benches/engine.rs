//! Whole-model benchmarks: the shared M/M/4 run and parallel replications.
//!
//! Run with `cargo bench --bench engine`. Medians go in the issue notes; nothing here is ever
//! asserted as a timing in a test.

use std::path::Path;

use clearsim::experiment::{replicate, summarize};
use clearsim::model::simulate;
use clearsim::scenario::{Override, Scenario};
use criterion::{Criterion, criterion_group, criterion_main};

fn load(path: &str, sets: &[&str]) -> Scenario {
    let o: Vec<Override> = sets.iter().map(|s| s.parse().unwrap()).collect();
    Scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path), &o).unwrap()
}

/// One replication of `scenarios/validation/mm4-1m.toml`: 1,000,000 M/M/4 customers with
/// statistics on (the SimPy peer takes about 9.6 s for the same model on this machine).
fn mm4_one_million(c: &mut Criterion) {
    let sc = load("scenarios/validation/mm4-1m.toml", &[]);
    let mut g = c.benchmark_group("mm4");
    g.sample_size(10);
    g.throughput(criterion::Throughput::Elements(1_000_000));
    g.bench_function("1m_arrivals_one_replication", |b| {
        b.iter(|| simulate(&sc, 0).delivered)
    });
    g.finish();
}

/// Eight replications on one and on two threads: the speed-up of parallel replications.
fn replications_on_threads(c: &mut Criterion) {
    let sc = load(
        "scenarios/validation/mm4-1m.toml",
        &[
            "run.arrivals=200000",
            "run.replications=8",
            "run.warmup_h=0",
        ],
    );
    let mut g = c.benchmark_group("replications_8");
    g.sample_size(10);
    for threads in [1, 2] {
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                summarize(&sc, &replicate(&sc, threads).unwrap())
                    .parcels
                    .delivered
            })
        });
    }
    g.finish();
}

criterion_group!(benches, mm4_one_million, replications_on_threads);
criterion_main!(benches);
