//! Hold model on the event calendar against `std::collections::BinaryHeap`.
//!
//! The hold model keeps `n` events pending: each step pops the earliest and schedules it
//! again an Exp(1) h later. Each iteration runs a batch of holds, so the reported time per
//! element is the time per event (one pop plus one schedule, random draw included).
//!
//! Group `small` is a queueing model's calendar (a few arrivals and service completions
//! pending); group `hold` is a large model's, in cache and out of it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::time::Duration;

use clearsim::engine::calendar::Calendar;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;

/// Holds per iteration.
const BATCH: u64 = 1000;
/// Pending events in a small model: an M/M/c queue, a few dozen resources.
const SMALL_SIZES: [usize; 2] = [8, 64];
/// Pending events in a large model: fits in cache, does not.
const LARGE_SIZES: [usize; 2] = [10_000, 1_000_000];

fn exp1(rng: &mut Pcg64Mcg) -> f64 {
    Exp1.sample(rng)
}

/// One hold: pop the earliest event and schedule it again Exp(1) h later.
fn hold_calendar(calendar: &mut Calendar<u64>, rng: &mut Pcg64Mcg) {
    let (time, event) = calendar.pop().expect("the hold model never runs dry");
    calendar.schedule(time + exp1(rng), event);
}

/// The same hold on a binary heap of `(time bits, insertion sequence)`.
fn hold_binary_heap(heap: &mut BinaryHeap<Reverse<(u64, u64)>>, seq: &mut u64, rng: &mut Pcg64Mcg) {
    let Reverse((bits, _)) = heap.pop().expect("the hold model never runs dry");
    let time = f64::from_bits(bits) + exp1(rng);
    heap.push(Reverse((time.to_bits(), *seq)));
    *seq += 1;
}

fn small(c: &mut Criterion) {
    hold_group(c, "small", &SMALL_SIZES);
}

fn hold(c: &mut Criterion) {
    hold_group(c, "hold", &LARGE_SIZES);
}

fn hold_group(c: &mut Criterion, name: &str, sizes: &[usize]) {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(BATCH));

    for &n in sizes {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let mut calendar = Calendar::with_capacity(n);
        for event in 0..n as u64 {
            calendar.schedule(exp1(&mut rng), event);
        }
        // One pass over the events so that the buckets reach their steady-state sizes.
        for _ in 0..n {
            hold_calendar(&mut calendar, &mut rng);
        }
        group.bench_function(BenchmarkId::new("calendar", n), |b| {
            b.iter(|| {
                for _ in 0..BATCH {
                    hold_calendar(&mut calendar, &mut rng);
                }
                black_box(calendar.now())
            });
        });

        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let mut heap = BinaryHeap::with_capacity(n);
        let mut seq = 0;
        for _ in 0..n {
            heap.push(Reverse((exp1(&mut rng).to_bits(), seq)));
            seq += 1;
        }
        for _ in 0..n {
            hold_binary_heap(&mut heap, &mut seq, &mut rng);
        }
        group.bench_function(BenchmarkId::new("binary_heap", n), |b| {
            b.iter(|| {
                for _ in 0..BATCH {
                    hold_binary_heap(&mut heap, &mut seq, &mut rng);
                }
                black_box(heap.len())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, small, hold);
criterion_main!(benches);
