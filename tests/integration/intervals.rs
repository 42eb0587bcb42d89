//! Intervals stay within what a figure can be (a relative change's never below −100%), stress
//! answers say when stability capped them, and `--warmup auto` chooses the same warm-up
//! whatever the horizon.

use clearsim::experiment::{Workers, warmup};
use clearsim::stats::ratio_interval95;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};

use crate::support::{clearsim, clearsim_json};
use crate::support::{load, repo};

/// Every `ci95` in a JSON document, with its path.
fn intervals(v: &serde_json::Value, path: String, out: &mut Vec<(String, f64, f64)>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::Array(ci)) = m.get("ci95")
                && let [Some(lo), Some(hi)] = [ci[0].as_f64(), ci[1].as_f64()]
            {
                out.push((path.clone(), lo, hi));
            }
            for (k, x) in m {
                intervals(x, format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                intervals(x, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn a_stress_answer_capped_by_stability_says_so_and_its_interval_stays_below_the_cap() {
    // M/M/1 at ρ = 0.8 with a limit it always meets: only stability stops the search, at
    // ρ = 0.99 (a plain network shows no draining backlog), i.e. multiplier 0.99 / 0.8.
    let f = repo("scenarios/validation/mm1.toml");
    let f = f.to_str().unwrap();
    let args = [
        "stress",
        f,
        "--limit",
        "time_in_system_hours.mean<=1000000",
        "--range",
        "0.5..3",
        "--points",
        "5",
        "--steps",
        "4",
        "--reps",
        "4",
        "--seed",
        "2",
        "--set",
        "run.horizon_h=2000",
        "--set",
        "run.warmup_h=200",
    ];
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let v = clearsim_json(&json_args);
    assert_eq!(v["outcome"], "capped_by_stability", "{}", v["outcome"]);
    let bound = v["stability_bound"].as_f64().unwrap();
    let capped = v["capped_by_stability"].as_f64().unwrap();
    assert!(capped <= 0.99 * bound, "capped at {capped}, bound {bound}");
    let [lo, hi] = [0, 1].map(|i| v["max_multiplier"]["ci95"][i].as_f64().unwrap());
    // Within one bisection resolution of the cap, and below the stability bound.
    let resolution = v["resolution"].as_f64().unwrap();
    assert!(resolution > 0.0);
    assert!(
        hi < bound && hi <= capped + resolution + 1e-12,
        "CI [{lo}, {hi}], bound {bound}"
    );
    // All replications stopped on the same step: still an interval of one resolution.
    assert!(lo < hi, "zero-width CI [{lo}, {hi}]");
    let out = clearsim(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("capped by stability at"), "{text}");
    assert!(
        !text.contains("acceptable up to the top of the range"),
        "{text}"
    );
}

#[test]
fn every_interval_of_a_parcel_world_run_stays_within_its_figures_possible_values() {
    let f = repo("tests/fixtures/world-small.toml");
    let v = clearsim_json(&[
        "run",
        f.to_str().unwrap(),
        "--reps",
        "3",
        "--seed",
        "2",
        "--set",
        "run.horizon_h=240",
        "--set",
        "run.warmup_h=48",
        "--json",
    ]);
    let mut all = Vec::new();
    intervals(&v, String::new(), &mut all);
    assert!(all.len() > 20, "{} intervals", all.len());
    for (path, lo, hi) in all {
        assert!(lo <= hi, "{path}: [{lo}, {hi}]");
        assert!(lo >= 0.0, "{path}: [{lo}, {hi}] below 0");
        if path.contains("released_within") || path.contains("utilization") {
            assert!(hi <= 1.0, "{path}: [{lo}, {hi}] above 1");
        }
    }
}

#[test]
fn warmup_auto_chooses_the_same_warmup_at_two_horizons() {
    // The case: the same scenario at 336 h and 720 h gave 187 h and 0 h. Pooled MSER-5
    // with a one-day floor, rounded to whole days, must agree within one day.
    let choose = |horizon: &str| {
        let sc = load("scenarios/paperless.toml", &[horizon, "run.replications=4"]);
        warmup::choose(&sc, Workers::threads(0)).unwrap()
    };
    let short = choose("run.horizon_h=336");
    let long = choose("run.horizon_h=720");
    assert!(
        (short.hours - long.hours).abs() <= 24.0,
        "336 h: {short}\n720 h: {long}"
    );
    assert!(short.hours >= short.floor_hours && long.hours >= 24.0);
    assert_eq!(short.method, "mser_daily_pooled");
    assert!(short.to_string().starts_with("warm-up: "), "{short}");
}

#[test]
fn a_relative_change_interval_never_falls_below_minus_one_hundred_percent() {
    // B cuts a noisy figure of A by about 91%: the paired difference −9.1 ± 6.0 divided by A's
    // mean 10 would read "−91% (95% CI −151% to −31%)", changes no figure can take.
    let a = [5.0, 15.0, 9.0, 11.0];
    let b = [0.5, 1.4, 0.8, 0.9];
    for paired in [true, false] {
        let [lo, hi] = ratio_interval95(&a, &b, paired).unwrap();
        let ratio = 0.9 / 10.0;
        assert!(
            0.0 < lo && lo < ratio && ratio < hi,
            "paired {paired}: ratio {ratio} in [{lo}, {hi}], above 0"
        );
        assert!(lo - 1.0 > -1.0, "relative change from {}", lo - 1.0);
    }
    // Every value of B zero: exactly −100%. No interval without two values or a positive A.
    assert_eq!(ratio_interval95(&a, &[0.0; 4], true), Some([0.0, 0.0]));
    assert_eq!(ratio_interval95(&[1.0], &[2.0], true), None);
    assert_eq!(ratio_interval95(&[0.0, 0.0], &[1.0, 2.0], true), None);
    // Identical replications on each side: the ratio itself.
    assert_eq!(
        ratio_interval95(&[2.0, 2.0], &[1.0, 1.0], true),
        Some([0.5, 0.5])
    );
}

#[test]
fn the_ratio_interval_covers_the_true_ratio_about_95_percent_of_the_time() {
    // 2,000 experiments of 10 paired replications: A ~ N(10, 2), B = 0.3 A + N(0, 0.5), so
    // mean(B) / mean(A) = 0.3. The coverage of a 95% interval over 2,000 experiments lies in
    // 0.95 ± 3 × 0.0049 but for a chance of 0.3%; the delta method is a large-sample
    // approximation, so allow 0.93 to 0.97.
    let mut rng = clearsim::engine::Stream::seed_from_u64(7);
    let (na, nb) = (
        Normal::new(10.0, 2.0).unwrap(),
        Normal::new(0.0, 0.5).unwrap(),
    );
    let runs = 2000;
    let mut covered = [0u32; 2];
    for _ in 0..runs {
        let a: Vec<f64> = (0..10).map(|_| na.sample(&mut rng)).collect();
        let b: Vec<f64> = a.iter().map(|x| 0.3 * x + nb.sample(&mut rng)).collect();
        for (k, paired) in [true, false].into_iter().enumerate() {
            let [lo, hi] = ratio_interval95(&a, &b, paired).unwrap();
            covered[k] += u32::from(lo <= 0.3 && 0.3 <= hi);
        }
    }
    let paired = f64::from(covered[0]) / runs as f64;
    assert!((0.93..=0.97).contains(&paired), "paired coverage {paired}");
    // Unpaired ignores the positive covariance: wider, so it covers at least as often.
    let independent = f64::from(covered[1]) / runs as f64;
    assert!(independent >= paired, "independent coverage {independent}");
}

#[test]
fn a_difference_smaller_than_the_precision_printed_is_not_real() {
    use clearsim::experiment::compare::{real_difference, resolution};
    use clearsim::report::compare_report::row_sentence;
    use clearsim::report::words::bare;
    use clearsim::results::compare::CompareRow;
    // Its interval excludes 0, but the difference prints as "0.00 h" or "0.0 pp": no finding.
    assert!(!real_difference(0.001, Some([0.0004, 0.0016]), "h"));
    assert!(!real_difference(-0.0002, Some([-0.0003, -0.0001]), "share"));
    assert!(real_difference(0.02, Some([0.01, 0.03]), "h"));
    assert!(real_difference(-0.002, Some([-0.003, -0.001]), "share"));
    assert!(
        !real_difference(0.02, Some([-0.01, 0.05]), "h"),
        "an interval across 0"
    );
    // The resolution is where the printed difference stops reading zero.
    for unit in ["h", "share", "EUR", "1/h"] {
        let r = resolution(unit);
        let zero = |s: String| s.chars().all(|c| c == '0' || c == '.' || c == '-');
        assert!(zero(bare(0.9 * r, unit)), "{unit}: {}", bare(0.9 * r, unit));
        assert!(
            !zero(bare(1.1 * r, unit)),
            "{unit}: {}",
            bare(1.1 * r, unit)
        );
    }
    // The sentence says so instead of calling it a cut.
    let row: CompareRow = serde_json::from_value(serde_json::json!({
        "metric": "clearance_hours.mean",
        "unit": "h",
        "a": { "mean": 5.0, "ci95": [4.9, 5.1] },
        "b": { "mean": 4.999, "ci95": [4.899, 5.099] },
        "difference": { "mean": -0.001, "ci95": [-0.0015, -0.0005] },
        "relative_change": -0.0002,
        "significant": false
    }))
    .unwrap();
    let s = row_sentence("B", &row);
    assert!(s.contains("no difference at this precision"), "{s}");
    assert!(!s.contains("cuts"), "{s}");
}
