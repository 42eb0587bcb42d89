//! Merge at scale: the time to put together 1,000 shards of a sweep, as `clearsim merge` does.
//!
//! The job is the M/M/2/5 validation scenario swept over 100 arrival rates × 10 replications
//! (200 h each) = 1,000 units, split into 1,000 shards of one unit each (about 100 KB a unit:
//! every statistic with its mergeable histograms). The shards are written once into a temporary
//! folder as `--shard auto` tasks would (`DIR/shard-K`); the bench then times what `merge DIR`
//! does before writing: open and check every shard's manifest, check that every unit is there,
//! read and check each unit point by point, and summarise the sweep into its tables. Run with
//! `cargo bench --bench merge`.

use std::path::{Path, PathBuf};

use clearsim::experiment::Workers;
use clearsim::experiment::sweep::{Grid, runs_csv, summarize_sweep, summary_csv};
use clearsim::experiment::units::{JobKind, JobSpec, Shard, Store, execute, gather, shard_folder};
use criterion::{Criterion, criterion_group, criterion_main};

const POINTS: usize = 100;
const REPLICATIONS: u32 = 10;
const SHARDS: u64 = 1_000;

/// The job: `POINTS` arrival rates of M/M/2/5, `REPLICATIONS` each.
fn job(bytes: &[u8]) -> JobSpec {
    let mut job = JobSpec {
        kind: JobKind::Sweep,
        origin: "scenarios/validation/mmck.toml".to_string(),
        scenario_sha256: String::new(),
        base: vec![
            "run.horizon_h=200".to_string(),
            "run.warmup_h=20".to_string(),
            format!("run.replications={REPLICATIONS}"),
        ],
        parameters: vec!["source.arrivals.interarrival_h.mean".to_string()],
        points: (0..POINTS)
            .map(|i| vec![format!("{:.3}", 0.4 + 0.005 * i as f64)])
            .collect(),
        replications: REPLICATIONS,
        seed: 1,
        baseline: None,
    };
    let scenarios = job.scenarios(bytes).expect("the bench's sweep is valid");
    job.scenario_sha256 = scenarios[0].sha256.clone();
    job
}

/// Writes the `SHARDS` shard folders of `job` into `shared`.
fn write_shards(shared: &Path, job: &JobSpec, bytes: &[u8]) {
    let scenarios = job.scenarios(bytes).unwrap();
    for k in 0..SHARDS {
        let shard = Shard {
            index: k,
            count: SHARDS,
        };
        let store = Store::create(&shard_folder(shared, k), job, shard, bytes).unwrap();
        let units = store.manifest.units.clone();
        execute(
            &scenarios,
            job.replications,
            &units,
            Workers::default(),
            &store,
            false,
        )
        .unwrap();
    }
}

/// What `merge` computes from the shared folder: the sweep's three tables as text.
fn merge(shared: &PathBuf) -> usize {
    let shards = gather(std::slice::from_ref(shared)).unwrap();
    let job = &shards.manifest.job;
    let scenarios = job.scenarios(&shards.scenario).unwrap();
    let grid = Grid {
        parameters: job.parameters.clone(),
        points: job.points.clone(),
    };
    let result = summarize_sweep(&scenarios, &grid, &job.base, job.baseline, |p| {
        shards.load_point(p)
    })
    .unwrap();
    let json = serde_json::to_string_pretty(&result.summary).unwrap();
    runs_csv(&result).len() + summary_csv(&result.summary).len() + json.len()
}

fn merge_1000_shards(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/validation/mmck.toml");
    let bytes = std::fs::read(&file).unwrap();
    let job = job(&bytes);
    let tmp = tempfile::tempdir().unwrap();
    let shared = tmp.path().join("job");
    write_shards(&shared, &job, &bytes);
    let mut g = c.benchmark_group("merge");
    g.sample_size(10);
    g.bench_function("sweep_1000_shards_1000_units", |b| {
        b.iter(|| merge(&shared))
    });
    g.finish();
}

criterion_group!(benches, merge_1000_shards);
criterion_main!(benches);
