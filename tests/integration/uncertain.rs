//! Values with a plausible range: how they are read and refused, and `clearsim sensitivity`
//! (one input at a time at each end, common random numbers, a tornado largest first).

use std::path::{Path, PathBuf};

use crate::support::repo;
use crate::support::{clearsim, clearsim_json};

/// A copy of `from` in `dir` with `edits` (old → new) made, which must each match once.
fn edited(dir: &Path, from: &str, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(repo(from)).unwrap();
    for (old, new) in edits {
        assert_eq!(text.matches(old).count(), 1, "{old}");
        text = text.replace(old, new);
    }
    let name = Path::new(from).file_name().unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn refused(args: &[&str], says: &[&str]) {
    let out = clearsim(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for s in says {
        assert!(err.contains(s), "expected `{s}` in: {err}");
    }
}

#[test]
fn a_cost_of_a_step_no_parcel_takes_has_a_zero_bar() {
    let dir = tempfile::tempdir().unwrap();
    // Paperless: no parcel has a paper document, so its price changes nothing.
    let f = edited(
        dir.path(),
        "tests/fixtures/world-small-paperless.toml",
        &[(
            "paper_per_document_eur = 0.5",
            "paper_per_document_eur = { value = 0.5, low = 0.1, high = 2.0 }",
        )],
    );
    let s = clearsim_json(&["sensitivity", f.to_str().unwrap(), "--reps", "3", "--json"]);
    assert_eq!(s["runs"], 3);
    let bar = &s["inputs"][0];
    assert_eq!(bar["key"], "costs.paper_per_document_eur");
    assert_eq!(bar["swing"].as_f64(), Some(0.0));
    for e in bar["effects"].as_array().unwrap() {
        for end in ["at_low", "at_high"] {
            assert_eq!(e[end]["mean"].as_f64(), Some(0.0), "{e}");
            assert_eq!(e[end]["ci95"], serde_json::json!([0.0, 0.0]), "{e}");
        }
    }
}

#[test]
fn the_mm1_service_time_bar_is_the_formula_s_and_the_largest_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    // λ = 0.5/h, mean service s: W = s / (1 − λ s) = 2 h at s = 1.
    let f = edited(
        dir.path(),
        "scenarios/validation/mm1.toml",
        &[
            (
                "interarrival_h = { dist = \"exponential\", mean = 1.25 }",
                "interarrival_h = { dist = \"exponential\", mean = { value = 2.0, low = 1.9, high = 2.1 } }",
            ),
            (
                "service_h = { dist = \"exponential\", mean = 1.0 }",
                "service_h = { dist = \"exponential\", mean = { value = 1.0, low = 0.8, high = 1.2 } }",
            ),
        ],
    );
    let s = clearsim_json(&["sensitivity", f.to_str().unwrap(), "--json"]);
    assert_eq!(s["runs"], 5);
    assert_eq!(s["metric"], "time_in_system_hours.mean");
    let inputs = s["inputs"].as_array().unwrap();
    assert_eq!(
        inputs[0]["key"], "stage.server.service_h.mean",
        "largest first"
    );
    assert_eq!(inputs[1]["key"], "source.arrivals.interarrival_h.mean");
    let w = |lambda: f64, s: f64| s / (1.0 - lambda * s);
    let effect = |bar: &serde_json::Value, end: &str| bar["effects"][0][end].clone();
    for (end, s_end) in [("at_low", 0.8), ("at_high", 1.2)] {
        let e = effect(&inputs[0], end);
        let analytic = w(0.5, s_end) - w(0.5, 1.0);
        let [lo, hi] = [
            e["ci95"][0].as_f64().unwrap(),
            e["ci95"][1].as_f64().unwrap(),
        ];
        assert!(
            lo <= analytic && analytic <= hi,
            "{end}: {analytic} outside [{lo}, {hi}]"
        );
    }
    for (end, a_end) in [("at_low", 1.9), ("at_high", 2.1)] {
        let e = effect(&inputs[1], end);
        let analytic = w(1.0 / a_end, 1.0) - w(0.5, 1.0);
        let [lo, hi] = [
            e["ci95"][0].as_f64().unwrap(),
            e["ci95"][1].as_f64().unwrap(),
        ];
        assert!(
            lo <= analytic && analytic <= hi,
            "{end}: {analytic} outside [{lo}, {hi}]"
        );
    }
    // The same result on one thread as on all.
    let one = clearsim_json(&[
        "sensitivity",
        f.to_str().unwrap(),
        "--json",
        "--threads",
        "1",
    ]);
    assert_eq!(one, s);
    // The tornado is drawn, and says what its intervals cover.
    let md = dir.path().join("s.md");
    let html = dir.path().join("s.html");
    let out = clearsim(&[
        "sensitivity",
        f.to_str().unwrap(),
        "--reps",
        "4",
        "--md",
        md.to_str().unwrap(),
        "--report",
        html.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let memo = std::fs::read_to_string(&md).unwrap();
    assert!(
        memo.contains("Tornado") && memo.contains("simulation noise only"),
        "{memo}"
    );
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("chart-tornado")
    );
}

#[test]
fn bad_ranges_are_refused_with_file_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (new, says) in [
        (
            "paper_error_rate = { value = 0.1, low = 0.2, high = 0.05 }",
            "low 0.2 is above high 0.05",
        ),
        (
            "paper_error_rate = { value = 0.3, low = 0.05, high = 0.2 }",
            "outside its own range",
        ),
        (
            "paper_eror_rate = { value = 0.1, low = 0.05, high = 0.2 }",
            "paper_error_rate",
        ),
        (
            "paper_error_rate = { value = 0.1, low = 0.05, hihg = 0.2 }",
            "`hihg` is not a key",
        ),
    ] {
        let f = edited(
            dir.path(),
            "tests/fixtures/world-small.toml",
            &[("paper_error_rate = 0.1", new)],
        );
        let file = f.to_str().unwrap();
        refused(&["check", file], &[&format!("{file}:40:"), says]);
        refused(&["sensitivity", file], &[says]);
    }
    // A range the scenario itself refuses at one end: located, with the end named.
    let f = edited(
        dir.path(),
        "tests/fixtures/world-small.toml",
        &[(
            "paper_error_rate = 0.1",
            "paper_error_rate = { value = 0.1, low = 0.0, high = 1.5 }",
        )],
    );
    let file = f.to_str().unwrap();
    refused(
        &["sensitivity", file],
        &[&format!("{file}:40:"), "high end 1.5"],
    );
    // No range at all: nothing to vary.
    refused(
        &[
            "sensitivity",
            repo("tests/fixtures/world-small.toml").to_str().unwrap(),
        ],
        &["no value has a plausible range"],
    );
}

#[test]
fn shipped_placeholders_carry_ranges_with_their_sources_and_read_as_before() {
    use clearsim::scenario::{Override, Scenario};
    for (file, at_least) in [
        ("scenarios/paper.toml", 18),
        ("scenarios/paperless.toml", 14),
        ("scenarios/pre-arrival.toml", 14),
        ("scenarios/bonded-1210.toml", 23),
        ("scenarios/eu-2026-flat-duty.toml", 12),
        ("scenarios/network-eu.toml", 15),
        ("scenarios/network-eu-paperless.toml", 14),
        ("scenarios/network-mixed-regimes.toml", 11),
        ("scenarios/network-peak.toml", 15),
        ("scenarios/peak-1111.toml", 13),
        ("scenarios/pilot-zone-9610.toml", 23),
        ("scenarios/us-no-de-minimis.toml", 15),
    ] {
        let s = Scenario::load(&repo(file), &[]).unwrap();
        assert!(
            s.uncertain.len() >= at_least,
            "{file}: {}",
            s.uncertain.len()
        );
        for u in &s.uncertain {
            assert!(u.low <= u.value && u.value <= u.high, "{}", u.key);
            assert!(
                u.source.as_deref().is_some_and(|w| !w.is_empty()),
                "{}",
                u.key
            );
        }
        // `--set` on a key with a range replaces the range: that key is no longer uncertain.
        let key = &s.uncertain[0].key;
        let o: Vec<Override> = vec![format!("{key}={}", s.uncertain[0].value).parse().unwrap()];
        let set = Scenario::load(&repo(file), &o).unwrap();
        assert_eq!(set.uncertain.len(), s.uncertain.len() - 1, "{file}");
        assert!(set.uncertain.iter().all(|u| u.key != *key));
    }
}

#[test]
fn every_number_marked_placeholder_on_its_line_carries_a_range_or_is_a_known_exception() {
    // Plain on purpose: shares that must sum to 1, counts of documents, capacities that are
    // policy levers, and figures with a published source.
    let plain = [
        "free_storage_days",
        "documents_per_paper_declaration",
        "depot_per_day",
        "labour_per_hour",
        "paper_per_document_eur",
        "doc_check_eur",
        "xray_eur",
        "physical_eur",
        "storage_per_day_eur",
        "bag_size",
    ];
    // The three files of the README's trio were given their ranges one by one; the others by
    // the rule of docs/scenario.md ("Plausible ranges"), so no plain number is left there.
    let trio = ["paper.toml", "paperless.toml", "pre-arrival.toml"];
    for entry in std::fs::read_dir(repo("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !name.ends_with(".toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            let Some((code, comment)) = line.split_once('#') else {
                continue;
            };
            let Some((key, value)) = code.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim(), value.trim());
            if !comment.contains("PLACEHOLDER") || value.parse::<f64>().is_err() {
                continue;
            }
            let excused = trio.contains(&name.as_str()) && plain.contains(&key);
            assert!(
                excused || plain[..3].contains(&key),
                "{name}:{}: `{key}` is a PLACEHOLDER without a range",
                i + 1
            );
        }
    }
}

/// The M/M/1 of these tests (λ = 0.5/h) with its mean service time given as `service`.
fn mm1_with(dir: &Path, service: &str) -> PathBuf {
    edited(
        dir,
        "scenarios/validation/mm1.toml",
        &[
            (
                "interarrival_h = { dist = \"exponential\", mean = 1.25 }",
                "interarrival_h = { dist = \"exponential\", mean = 2.0 }",
            ),
            (
                "service_h = { dist = \"exponential\", mean = 1.0 }",
                &format!("service_h = {{ dist = \"exponential\", mean = {service} }}"),
            ),
            ("replications = 30", "replications = 6"),
            ("horizon_h = 20000.0", "horizon_h = 5000.0"),
            ("warmup_h = 2000.0", "warmup_h = 500.0"),
        ],
    )
}

#[test]
fn uncertainty_of_zero_width_ranges_is_the_plain_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = mm1_with(dir.path(), "{ value = 1.0, low = 1.0, high = 1.0 }");
    let file = f.to_str().unwrap();
    let plain = clearsim_json(&["run", file, "--json"]);
    let drawn = clearsim_json(&["run", file, "--json", "--uncertainty", "4"]);
    let mean = plain["metrics"]["time_in_system_hours"]["mean"]
        .as_f64()
        .unwrap();
    let band = &drawn["uncertainty"]["bands"][0];
    assert_eq!(band["metric"], "time_in_system_hours.mean");
    for q in ["p5", "p50", "p95"] {
        assert_eq!(band[q].as_f64(), Some(mean), "{band}");
    }
    // The rest of the run's document is the plain run's.
    let mut without = drawn.clone();
    without.as_object_mut().unwrap().remove("uncertainty");
    assert_eq!(without, plain);
}

#[test]
fn uncertainty_draws_respect_the_ranges_and_repeat_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let f = mm1_with(
        dir.path(),
        "{ value = 1.0, low = 0.8, high = 1.2, shape = \"uniform\" }",
    );
    let file = f.to_str().unwrap();
    let n = 10;
    let a = clearsim_json(&[
        "run",
        file,
        "--json",
        "--uncertainty",
        "10",
        "--threads",
        "1",
    ]);
    let b = clearsim_json(&[
        "run",
        file,
        "--json",
        "--uncertainty",
        "10",
        "--threads",
        "2",
    ]);
    assert_eq!(a, b);
    let samples: Vec<f64> = a["uncertainty"]["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d[0].as_f64().unwrap())
        .collect();
    assert_eq!(samples.len(), n);
    // A Latin hypercube: one draw in each tenth of [0.8, 1.2].
    let mut strata: Vec<usize> = samples
        .iter()
        .map(|&x| {
            assert!((0.8..=1.2).contains(&x), "{x}");
            (((x - 0.8) / 0.4 * n as f64) as usize).min(n - 1)
        })
        .collect();
    strata.sort();
    assert_eq!(strata, (0..n).collect::<Vec<_>>());
    // The band spans the answer over those inputs: W = s / (1 − s/2) runs from 1.33 to 3 h.
    let band = &a["uncertainty"]["bands"][0];
    let (p5, p95) = (band["p5"].as_f64().unwrap(), band["p95"].as_f64().unwrap());
    assert!(p5 < 1.8 && p95 > 2.4, "{band}");
    // A comparison says how often its decision holds: two servers beat one at every draw.
    let two = dir.path().join("mm2.toml");
    let text = std::fs::read_to_string(&f)
        .unwrap()
        .replace("servers = 1", "servers = 2");
    std::fs::write(&two, text).unwrap();
    let c = clearsim_json(&[
        "compare",
        file,
        two.to_str().unwrap(),
        "--json",
        "--uncertainty",
        "6",
    ]);
    let d = &c["uncertainty"]["decisions"][0];
    assert_eq!(d["metric"], "time_in_system_hours.mean");
    assert!(d["difference"].as_f64().unwrap() < 0.0);
    assert_eq!(d["same_sign"], 6, "{d}");
    assert_eq!(d["share"].as_f64(), Some(1.0));
}

#[test]
fn uncertainty_needs_draws_and_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let f = mm1_with(dir.path(), "{ value = 1.0, low = 0.8, high = 1.2 }");
    let file = f.to_str().unwrap();
    refused(
        &["run", file, "--uncertainty", "0"],
        &["--uncertainty", "from 1 to"],
    );
    refused(
        &["compare", file, file, "--uncertainty", "-3"],
        &["--uncertainty"],
    );
    let plain = repo("scenarios/validation/mm1.toml");
    refused(
        &["run", plain.to_str().unwrap(), "--uncertainty", "3"],
        &["mm1.toml", "no value has a plausible range"],
    );
}

#[test]
fn the_report_and_memo_show_the_band_beside_the_noise_ci() {
    let dir = tempfile::tempdir().unwrap();
    let f = mm1_with(
        dir.path(),
        "{ value = 1.0, low = 0.8, high = 1.2, shape = \"uniform\" }",
    );
    let file = f.to_str().unwrap();
    let two = dir.path().join("mm2.toml");
    let text = std::fs::read_to_string(&f)
        .unwrap()
        .replace("servers = 1", "servers = 2");
    std::fs::write(&two, text).unwrap();
    let (html, md, json) = (
        dir.path().join("c.html"),
        dir.path().join("c.md"),
        dir.path().join("c.json"),
    );
    let out = clearsim(&[
        "compare",
        file,
        two.to_str().unwrap(),
        "--uncertainty",
        "6",
        "--report",
        html.to_str().unwrap(),
        "--md",
        md.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&json, &out.stdout).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let memo = std::fs::read_to_string(&md).unwrap();
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(memo.contains("## Over plausible inputs"), "{memo}");
    assert!(memo.contains("| sign of B − A holds in |"), "{memo}");
    assert!(memo.contains("| 6 of 6 |"), "{memo}");
    assert!(
        memo.contains("Every real difference keeps its sign in 6 of 6 draws; 6 draws cannot rule out a flip over up to 39%"),
        "{memo}"
    );
    assert!(memo.contains("are not confidence intervals"), "{memo}");
    assert!(page.contains("id=\"uncertainty-band\""), "the band chart");
    // The band's ends as the memo writes them, from the JSON.
    let band = &doc["uncertainty"]["bands"][0];
    for end in ["p5", "p95"] {
        let x = band[end].as_f64().unwrap();
        let written = format!("{x:.2}");
        assert!(memo.contains(&written), "{written} in {memo}");
    }
    // A saved document gives the same memo; one without the band has no such section.
    let again = dir.path().join("again.md");
    let out = clearsim(&[
        "report",
        json.to_str().unwrap(),
        "--md",
        again.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&again).unwrap(), memo);
    let plain_md = dir.path().join("plain.md");
    let out = clearsim(&["run", file, "--md", plain_md.to_str().unwrap(), "--quiet"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = std::fs::read_to_string(&plain_md).unwrap();
    assert!(!plain.contains("Over plausible inputs"), "{plain}");
    // A run's memo gives the band of each figure next to the file's value and its CI.
    let run_md = dir.path().join("run.md");
    let out = clearsim(&[
        "run",
        file,
        "--uncertainty",
        "6",
        "--md",
        run_md.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = std::fs::read_to_string(&run_md).unwrap();
    assert!(run.contains("## Over plausible inputs"), "{run}");
    assert!(run.contains("(simulation noise only)"), "{run}");
    assert!(run.contains("| figure | 5% | median | 95% |"), "{run}");
}

#[test]
fn metric_ranks_the_tornado_by_the_figure_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    // The declaration fee moves the cost and nothing else; the doc check's minutes move the
    // clearance time first.
    let f = edited(
        dir.path(),
        "tests/fixtures/world-small-paperless.toml",
        &[
            (
                "declaration_fee_eur = 1.0",
                "declaration_fee_eur = { value = 1.0, low = 0.0, high = 50.0 }",
            ),
            (
                "service_h = { dist = \"exponential\", mean = 0.2 }",
                "service_h = { dist = \"exponential\", mean = { value = 0.2, low = 0.1, high = 0.3 } }",
            ),
        ],
    );
    let file = f.to_str().unwrap();
    let by_default = clearsim_json(&["sensitivity", file, "--reps", "3", "--json"]);
    assert_eq!(by_default["metric"], "clearance_hours.mean");
    assert_eq!(
        by_default["inputs"][0]["key"],
        "import.doc_check.service_h.mean"
    );
    let by_cost = clearsim_json(&[
        "sensitivity",
        file,
        "--reps",
        "3",
        "--json",
        "--metric",
        "cost_per_parcel.total",
    ]);
    assert_eq!(by_cost["metric"], "cost_per_parcel.total");
    assert_eq!(by_cost["inputs"][0]["key"], "costs.declaration_fee_eur");
    let fee = &by_cost["inputs"][0];
    assert_eq!(fee["effects"][0]["metric"], "cost_per_parcel.total");
    // Every figure is still shown, and the same runs give the same effects either way.
    let effects = |doc: &serde_json::Value, key: &str, metric: &str| {
        doc["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == key)
            .unwrap()["effects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["metric"] == metric)
            .unwrap()
            .clone()
    };
    for key in [
        "costs.declaration_fee_eur",
        "import.doc_check.service_h.mean",
    ] {
        for metric in ["clearance_hours.mean", "cost_per_parcel.total"] {
            assert_eq!(
                effects(&by_default, key, metric),
                effects(&by_cost, key, metric)
            );
        }
    }
    refused(
        &["sensitivity", file, "--metric", "clearance_hours.p42"],
        &["--metric clearance_hours.p42", "cost_per_parcel.total"],
    );
}

/// Two replications of five days with one of warm-up: too short for paper.toml's network to
/// fill.
const NOT_FILLED: [&str; 6] = [
    "--reps",
    "2",
    "--set",
    "run.horizon_h=120",
    "--set",
    "run.warmup_h=24",
];

#[test]
fn a_band_over_runs_that_have_not_filled_says_first_that_they_are_not_final() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("c.md");
    let (paper, paperless) = (
        crate::support::path("scenarios/paper.toml"),
        crate::support::path("scenarios/paperless.toml"),
    );
    let out = clearsim(
        &[
            "compare",
            paper.as_str(),
            paperless.as_str(),
            "--uncertainty",
            "2",
            "--md",
            md.to_str().unwrap(),
        ]
        .into_iter()
        .chain(NOT_FILLED)
        .collect::<Vec<_>>(),
    );
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let memo = std::fs::read_to_string(&md).unwrap();
    let said = memo
        .find("have not filled the network (see the warnings), so the figures below are not final")
        .unwrap_or_else(|| panic!("{memo}"));
    let claim = memo.find("Over plausible inputs").unwrap();
    assert!(said < claim, "{memo}");
    assert!(
        !memo.contains("do not depend on where the inputs lie"),
        "{memo}"
    );
}

#[test]
fn sensitivity_on_a_run_that_has_not_filled_warns_in_the_terminal_memo_report_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let (html, md) = (dir.path().join("s.html"), dir.path().join("s.md"));
    let paper = crate::support::path("scenarios/paper.toml");
    let short = NOT_FILLED;
    let mut args = vec!["sensitivity", paper.as_str()];
    args.extend(short);
    args.extend([
        "--report",
        html.to_str().unwrap(),
        "--md",
        md.to_str().unwrap(),
    ]);
    let out = clearsim(&args);
    assert!(out.status.success(), "{}", crate::support::stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("not_filled"), "{table}");
    for f in [&html, &md] {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            text.contains("these figures are not final") && text.contains("not_filled"),
            "{}: {text}",
            f.display()
        );
    }
    let mut args = vec!["sensitivity", paper.as_str(), "--json"];
    args.extend(short);
    let doc = crate::support::clearsim_json(&args);
    let codes = crate::support::warning_codes(&doc);
    assert!(codes.iter().any(|c| c == "not_filled"), "{codes:?}");
}
