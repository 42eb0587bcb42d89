//! Calibration from Time Release Study samples: fits recover known parameters and families,
//! bad input is refused with its line, a simulated sample fitted back reproduces its scenario,
//! and the Australian TRS 2013 files against the study's published figures.

use clearsim::calibrate::fit::{Family, Fit, fit};
use clearsim::calibrate::select::{Criterion, select};
use clearsim::experiment::{self, Workers};
use clearsim::scenario::Scenario;
use clearsim::scenario::observed::{self, BadRows};
use rand::SeedableRng;
use rand_distr::Distribution;

use crate::support::clearsim;
use crate::support::stderr;
use crate::support::{load, repo};

/// A sample of `n` from `family` at its true parameters (scenario-format order), seeded.
fn draw(family: Family, truth: [f64; 2], n: usize, seed: u64) -> Vec<f64> {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    match family {
        Family::Lognormal => {
            let d = rand_distr::LogNormal::new(truth[0], truth[1]).unwrap();
            (0..n).map(|_| d.sample(&mut rng)).collect()
        }
        Family::Gamma => {
            let d = rand_distr::Gamma::new(truth[0], truth[1]).unwrap();
            (0..n).map(|_| d.sample(&mut rng)).collect()
        }
        Family::Weibull => {
            // rand_distr's Weibull takes (scale, shape).
            let d = rand_distr::Weibull::new(truth[1], truth[0]).unwrap();
            (0..n).map(|_| d.sample(&mut rng)).collect()
        }
        Family::Exponential => {
            let d = rand_distr::Exp::new(1.0 / truth[0]).unwrap();
            (0..n).map(|_| d.sample(&mut rng)).collect()
        }
    }
}

const CASES: [(Family, [f64; 2]); 3] = [
    (Family::Lognormal, [0.0, 0.8]),
    (Family::Gamma, [2.0, 1.5]),
    (Family::Weibull, [1.5, 1.2]),
];

/// How many standard errors `truth` lies from the estimate of parameter `k` (on the log scale
/// for a positive parameter, as the interval is built).
fn z_of(f: &Fit, k: usize, truth: f64) -> f64 {
    let p = f.params[k];
    let [lo, hi] = p.ci95.expect("an interval");
    let positive = !(f.family == Family::Lognormal && k == 0);
    if positive {
        (truth.ln() - p.value.ln()).abs() / ((hi.ln() - lo.ln()) / (2.0 * 1.96))
    } else {
        (truth - p.value).abs() / ((hi - lo) / (2.0 * 1.96))
    }
}

#[test]
fn mle_recovers_lognormal_gamma_and_weibull_parameters_within_four_standard_errors() {
    // 4 standard errors: a miss has probability 6e-5 per check, so 18 checks on fixed seeds
    // hold for any honest estimator; the 95% coverage itself is tested below.
    for (family, truth) in CASES {
        for (i, n) in [100, 1000, 10_000].into_iter().enumerate() {
            let data = draw(family, truth, n, 11 + i as u64);
            let f = fit(family, &data).unwrap();
            for (k, &t) in truth.iter().enumerate() {
                let z = z_of(&f, k, t);
                assert!(
                    z < 4.0,
                    "{family:?} n = {n}: {} = {} [{:?}] is {z:.1} se from {t}",
                    f.params[k].name,
                    f.params[k].value,
                    f.params[k].ci95
                );
            }
            // The interval narrows like 1/√n: at n = 10,000 the shape is known within 5%.
            if n == 10_000 {
                let k = usize::from(family == Family::Lognormal);
                let [lo, hi] = f.params[k].ci95.unwrap();
                assert!(
                    (hi - lo) / f.params[k].value < 0.1,
                    "{family:?}: {lo}..{hi}"
                );
            }
        }
    }
}

#[test]
fn parameter_intervals_cover_the_truth_about_95_percent_of_the_time() {
    // 200 samples of 300 per family: coverage of an honest 95% interval falls in [0.90, 0.99]
    // except with probability below 1e-3 (binomial sd 1.5%).
    for (family, truth) in CASES {
        let mut covered = [0u32; 2];
        for seed in 0..200 {
            let data = draw(family, truth, 300, 1000 + seed);
            let f = fit(family, &data).unwrap();
            for k in 0..2 {
                let [lo, hi] = f.params[k].ci95.unwrap();
                covered[k] += u32::from(lo <= truth[k] && truth[k] <= hi);
            }
        }
        for (k, &c) in covered.iter().enumerate() {
            let share = f64::from(c) / 200.0;
            assert!(
                (0.90..=0.99).contains(&share),
                "{family:?} parameter {k}: coverage {share}"
            );
        }
    }
}

#[test]
fn aic_chooses_the_right_family_in_most_samples_of_1000() {
    for (family, truth) in CASES {
        let mut right = 0;
        for seed in 0..40 {
            let data = draw(family, truth, 1000, 500 + seed);
            let s = select(&data, Criterion::Aic).unwrap();
            right += u32::from(s.best().unwrap().fit.family == family);
        }
        assert!(right >= 32, "{family:?}: right family in {right} of 40");
    }
}

/// Writes `text` to a file in a fresh folder and returns both.
fn csv_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trs.csv");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

const BAD: &str = "\
arrival,lodgement,release,channel
0,1,3,electronic
5,6,4,electronic
2013-09-02T08:00,7,9,electronic
1,2,3,fax
2,3,4,paper
";

#[test]
fn bad_rows_are_refused_with_their_line_column_and_what_is_allowed() {
    let (_d, path) = csv_file(BAD);
    let p = path.to_str().unwrap();
    let o = clearsim(&["fit", p]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("3 bad rows"), "{e}");
    assert!(
        e.contains(&format!(
            "{p}:3: column `release`: release (4.0000 h) before arrival"
        )),
        "{e}"
    );
    assert!(
        e.contains(&format!("{p}:4: column `arrival`")) && e.contains("mixes time forms"),
        "{e}"
    );
    assert!(e.contains(&format!("{p}:5: column `channel`: unknown channel `fax`; allowed: paper, electronic, pre_arrival")), "{e}");
    assert!(o.stdout.is_empty(), "no partial output");
}

#[test]
fn skipped_bad_rows_are_counted_and_named() {
    let (_d, path) = csv_file(BAD);
    let sample = observed::read(&path, BadRows::Skip).unwrap();
    assert_eq!(sample.items.len(), 2);
    assert_eq!(
        sample.skipped.iter().map(|b| b.line).collect::<Vec<_>>(),
        [3, 4, 5]
    );
    let o = clearsim(&["fit", path.to_str().unwrap(), "--bad-rows", "skip"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("3 bad row(s) skipped"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_unparseable_time_is_a_bad_row() {
    let (_d, path) = csv_file("arrival,release\n1,2\n3,soon\n");
    let o = clearsim(&["fit", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(":3: column `release`: `soon` is not a time: expected hours as a number (12.5) or an ISO 8601 local date-time"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn empty_file_header_only_and_missing_column_exit_2_with_what_is_expected() {
    for (text, says) in [
        (
            "",
            "the file is empty: expected a header row naming at least `arrival` and `release`",
        ),
        ("arrival,release\n", "the file has a header but no rows"),
        (
            "arrival,lodgement\n1,2\n",
            "line 1: no `release` column (the header has: arrival, lodgement)",
        ),
    ] {
        let (_d, path) = csv_file(text);
        let p = path.to_str().unwrap();
        let o = clearsim(&["fit", p]);
        assert_eq!(o.status.code(), Some(2), "{text:?}");
        assert!(
            stderr(&o).contains(&format!("{p}: {says}")),
            "{}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn shipped_synthetic_sample_is_what_its_stated_model_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.csv");
    let o = clearsim(&[
        "run",
        repo("scenarios/calibration/trs-synthetic-model.toml")
            .to_str()
            .unwrap(),
        "--reps",
        "1",
        "--quiet",
        "--milestones",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(&out).unwrap();
    let shipped = std::fs::read_to_string(repo("scenarios/calibration/trs-synthetic.csv")).unwrap();
    assert_eq!(written, shipped);
    assert!(written.lines().count() > 3000);
}

#[test]
fn milestones_change_no_figure_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.csv");
    let file = repo("tests/fixtures/world-small.toml");
    let f = file.to_str().unwrap();
    let plain = clearsim(&["run", f, "--json", "--quiet"]);
    let observed = clearsim(&[
        "run",
        f,
        "--json",
        "--quiet",
        "--milestones",
        out.to_str().unwrap(),
    ]);
    assert_eq!(plain.status.code(), Some(0));
    assert_eq!(plain.stdout, observed.stdout);
    let sample = observed::read(&out, BadRows::Refuse).unwrap();
    assert!(!sample.items.is_empty());
}

#[test]
fn a_simulated_sample_fitted_back_reproduces_its_scenarios_clearance_quantiles() {
    let dir = tempfile::tempdir().unwrap();
    let model = repo("scenarios/calibration/trs-synthetic-model.toml");
    let base = repo("scenarios/calibration/trs-synthetic-base.toml");
    let csv = dir.path().join("sample.csv");
    let fitted = dir.path().join("fitted.toml");
    let o = clearsim(&[
        "run",
        model.to_str().unwrap(),
        "--reps",
        "1",
        "--seed",
        "77",
        "--quiet",
        "--milestones",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = clearsim(&[
        "fit",
        csv.to_str().unwrap(),
        "--base",
        base.to_str().unwrap(),
        "--out",
        fitted.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&fitted).unwrap();
    assert!(
        text.contains("sample.csv: lodgement (channel = electronic), n = "),
        "{text}"
    );
    let sample = observed::read(&csv, BadRows::Refuse).unwrap();
    let fitted = Scenario::load(&fitted, &[]).unwrap();
    let v = experiment::validate::validate(&fitted, &sample, &[1.0, 3.0, 6.0], Workers::threads(0))
        .unwrap();
    let clearance = &v.figures[0];
    assert_eq!(clearance.figure, "clearance");
    for r in &clearance.rows {
        if r.statistic == "p99" {
            continue; // a one-week sample's p99 rests on ~40 items
        }
        assert_eq!(
            r.verdict,
            experiment::validate::Verdict::Within,
            "{}: model {} vs data {} {:?}",
            r.statistic,
            r.simulated,
            r.observed,
            r.observed_ci
        );
    }
    for r in &v.shares {
        assert_eq!(r.verdict, experiment::validate::Verdict::Within, "{r:?}");
    }
}

#[test]
fn australia_trs_2013_files_against_the_published_means_and_early_release_share() {
    // Published (docs/sources.md §1, ACBPS TRS 2013 via Fully Loaded [S]): mean arrival →
    // release ≈ 3.5 h in 2013 with pre-arrival lodgement, ≈ 8.5 h in 2012 without; "71%
    // released by the time cargo is physically available".
    let run = |f: &str| experiment::run(&load(f, &[]), 0).unwrap().summary;
    let with = run("scenarios/calibration/australia-trs-2013.toml");
    let without = run("scenarios/calibration/australia-trs-2013-no-prearrival.toml");
    for (s, target) in [(&with, 3.5), (&without, 8.5)] {
        let c = s.metrics.clearance_hours.as_ref().unwrap();
        assert!(
            (c.mean - target).abs() < 0.1,
            "mean {} against the published {target} h",
            c.mean
        );
    }
    // Physical availability is not a model milestone; released within 1 h of arrival is the
    // nearest figure. The model gives ≈ 47%, well short of 71% (why: the file's header and
    // docs/guide.md): pinned here so that a change to it is seen.
    let within_1h = with.metrics.released_within.as_ref().unwrap().h1.mean;
    assert!(
        (0.42..0.52).contains(&within_1h),
        "released within 1 h: {within_1h}"
    );
    assert!(within_1h < 0.71);
}

#[test]
fn validate_report_has_a_qq_chart_and_a_table_per_figure() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("v.html");
    let o = clearsim(&[
        "validate",
        repo("scenarios/calibration/trs-synthetic-model.toml")
            .to_str()
            .unwrap(),
        repo("scenarios/calibration/trs-synthetic.csv")
            .to_str()
            .unwrap(),
        "--reps",
        "3",
        "--quiet",
        "--report",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("arrival → release (data n = 4223"), "{out}");
    assert!(out.contains("verdict: arrival → release:"), "{out}");
    let page = std::fs::read_to_string(&html).unwrap();
    let doc = roxmltree::Document::parse_with_options(
        &page,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("well-formed XML");
    let ids: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "svg")
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(ids, ["qq-0", "qq-1", "qq-2", "qq-3", "qq-4", "qq-5"]);
}

#[test]
fn milestones_and_validate_refuse_a_plain_network_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.csv");
    let mm1 = repo("scenarios/validation/mm1.toml");
    let o = clearsim(&[
        "run",
        mm1.to_str().unwrap(),
        "--milestones",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stdout.is_empty() && !out.exists(),
        "nothing run, nothing written"
    );
    assert!(stderr(&o).contains("--milestones needs a parcel-world scenario"));
    let csv = repo("scenarios/calibration/trs-synthetic.csv");
    let o = clearsim(&["validate", mm1.to_str().unwrap(), csv.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("validate needs a parcel-world scenario"));
}
