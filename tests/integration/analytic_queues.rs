//! The engine's numbers agree with queueing theory: the analytic value lies inside the 95%
//! confidence interval from 30 replications.

use crate::support::{assert_in_ci, load, mmc_wq, mmck_blocking, run};

fn mmc_at(rho: f64) {
    let (c, mu) = (3, 1.0);
    let lambda = rho * c as f64 * mu;
    let set = format!("source.arrivals.interarrival_h.mean={}", 1.0 / lambda);
    // Near saturation the queue relaxes slowly: a longer run and warm-up at ρ = 0.9.
    let (horizon, warmup) = if rho > 0.85 {
        ("80000", "8000")
    } else {
        ("20000", "2000")
    };
    let sc = load(
        "scenarios/validation/mmc.toml",
        &[
            &set,
            &format!("run.horizon_h={horizon}"),
            &format!("run.warmup_h={warmup}"),
        ],
    );
    let s = run(&sc);
    let st = &s.stages[0];
    assert_in_ci(
        &format!("M/M/3 Wq at rho {rho}"),
        mmc_wq(c, lambda, mu),
        st.wait_hours.ci95,
    );
    // Utilisation is the offered load: a loose check (within 2%), the interval check is on Wq.
    let u = st.utilization.as_ref().unwrap().mean;
    assert!((u - rho).abs() < 0.02 * rho, "utilisation {u} at rho {rho}");
}

#[test]
fn mmc_mean_wait_matches_erlang_c_at_rho_0_5() {
    mmc_at(0.5);
}

#[test]
fn mmc_mean_wait_matches_erlang_c_at_rho_0_8() {
    mmc_at(0.8);
}

#[test]
fn mmc_mean_wait_matches_erlang_c_at_rho_0_9() {
    mmc_at(0.9);
}

#[test]
fn mm1_wait_and_queue_length_match_theory() {
    let s = run(&load("scenarios/validation/mm1.toml", &[]));
    let st = &s.stages[0];
    assert_in_ci("M/M/1 Wq", 4.0, st.wait_hours.ci95);
    assert_in_ci("M/M/1 L", 4.0, st.in_stage.ci95);
}

#[test]
fn md1_wait_matches_pollaczek_khinchine() {
    let s = run(&load("scenarios/validation/md1.toml", &[]));
    // Wq = λE[S²]/(2(1 − ρ)) with S ≡ 1.
    assert_in_ci(
        "M/D/1 Wq",
        0.8 * 1.0 / (2.0 * 0.2),
        s.stages[0].wait_hours.ci95,
    );
}

#[test]
fn mg1_lognormal_wait_matches_pollaczek_khinchine() {
    let s = run(&load("scenarios/validation/mg1.toml", &[]));
    // E[S²] = sd² + mean² = 5.
    assert_in_ci(
        "M/G/1 Wq",
        0.5 * 5.0 / (2.0 * 0.5),
        s.stages[0].wait_hours.ci95,
    );
}

#[test]
fn mmck_blocking_probability_matches_theory() {
    let s = run(&load("scenarios/validation/mmck.toml", &[]));
    let st = &s.stages[0];
    assert_in_ci(
        "M/M/2/5 blocking",
        mmck_blocking(2, 5, 2.0, 1.0),
        st.blocking_probability.ci95,
    );
    // Blocked arrivals are the `seized` parcels (over the whole run, warm-up included).
    assert!(st.blocked > 0 && s.parcels.seized >= st.blocked);
}

#[test]
fn jackson_network_stations_match_product_form() {
    let s = run(&load("scenarios/validation/tandem.toml", &[]));
    // Every station sees λ = 0.5/h; product form: each behaves as an M/M/1.
    for (st, mu) in s.stages.iter().zip([1.0, 0.8, 0.625]) {
        assert_in_ci(
            &format!("{} W", st.name),
            1.0 / (mu - 0.5),
            st.time_in_stage_hours.ci95,
        );
    }
    // End to end: W = Σ visits·W_i = (1/0.8) Σ W_i.
    let w: f64 = [1.0, 0.8, 0.625]
        .iter()
        .map(|mu| 1.0 / (mu - 0.5))
        .sum::<f64>()
        / 0.8;
    assert_in_ci("network W", w, s.metrics.time_in_system_hours.ci95);
}

#[test]
fn littles_law_holds_at_every_station() {
    for path in [
        "scenarios/validation/tandem.toml",
        "scenarios/validation/mmc.toml",
        "scenarios/validation/mmck.toml",
    ] {
        let s = run(&load(path, &[]));
        for st in &s.stages {
            let half = |ci: Option<[f64; 2]>| ci.map_or(0.0, |[lo, hi]| (hi - lo) / 2.0);
            let (l, lam, w) = (
                st.in_stage.mean,
                st.throughput_per_hour.mean,
                st.time_in_stage_hours.mean,
            );
            // The bound is the propagated half-widths of L, λ and W.
            let bound = half(st.in_stage.ci95)
                + lam * half(st.time_in_stage_hours.ci95)
                + w * half(st.throughput_per_hour.ci95);
            assert!(
                (l - lam * w).abs() <= bound,
                "{path} {}: L = {l:.4}, λW = {:.4}, bound {bound:.4}",
                st.name,
                lam * w
            );
        }
    }
}

#[test]
fn confidence_intervals_cover_the_true_mean_about_95_percent_of_the_time() {
    // 200 independent experiments of 10 short M/M/1 replications (ρ = 0.5, true Wq = 1 h).
    let mut covered = 0;
    let trials = 200;
    for seed in 1..=trials {
        let sc = load(
            "scenarios/validation/mm1.toml",
            &[
                "source.arrivals.interarrival_h.mean=2.0",
                "run.horizon_h=2000",
                "run.warmup_h=200",
                "run.replications=10",
                &format!("run.seed={seed}"),
            ],
        );
        let [lo, hi] = run(&sc).stages[0].wait_hours.ci95.unwrap();
        if lo <= 1.0 && 1.0 <= hi {
            covered += 1;
        }
    }
    let share = covered as f64 / trials as f64;
    assert!((0.90..=0.99).contains(&share), "coverage {share}");
}
