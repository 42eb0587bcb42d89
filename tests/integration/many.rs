//! `compare` of a base with several alternatives (files or `--alt-set` changes): Bonferroni
//! intervals, the ranking, and one-sided changes.

use clearsim::experiment::{self, Workers};
use clearsim::scenario::{Override, Scenario};

use crate::support::path;
use crate::support::{TEST_SEED, repo};
use crate::support::{clearsim, clearsim_json};

/// The short paper / paperless / pre-arrival runs of these tests.
const SHORT: [&str; 6] = [
    "--reps",
    "4",
    "--set",
    "run.horizon_h=168",
    "--set",
    "run.warmup_h=48",
];

fn rows(c: &serde_json::Value) -> &Vec<serde_json::Value> {
    c["rows"].as_array().unwrap()
}

fn ci(v: &serde_json::Value) -> [f64; 2] {
    [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()]
}

#[test]
fn three_way_compare_ranks_the_channels_and_widens_every_interval() {
    let (paper, paperless, pre) = (
        path("scenarios/paper.toml"),
        path("scenarios/paperless.toml"),
        path("scenarios/pre-arrival.toml"),
    );
    let many =
        clearsim_json(&[&["compare", &paper, &paperless, &pre, "--json"], &SHORT[..]].concat());
    let ranked: Vec<&str> = many["ranking"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        ranked,
        ["pre-arrival", "paperless", "paper"],
        "{}",
        many["ranking"]
    );
    assert_eq!(many["adjustment"]["method"], "Bonferroni");
    assert_eq!(many["adjustment"]["comparisons"], 2);
    // Paper is slower than both others for real, whatever the family of statements.
    let pairs = many["ranking"]["pairs"].as_array().unwrap();
    for p in pairs.iter().filter(|p| p["worse"] == "paper") {
        assert_eq!(p["real"], true, "{p}");
    }
    let statement = many["ranking"]["statement"].as_str().unwrap();
    assert!(statement.contains("Holm"), "{statement}");
    // Each adjusted interval is wider than the unadjusted one, about the same mean.
    for c in many["comparisons"].as_array().unwrap() {
        for r in rows(c) {
            let [lo, hi] = ci(&r["difference"]["ci95"]);
            let [alo, ahi] = ci(&r["adjusted"]["ci95"]);
            if hi > lo {
                assert!(alo < lo && ahi > hi, "{r}");
            }
        }
    }
    // Against a two-way compare: the same differences and unadjusted intervals.
    let two = clearsim_json(&[&["compare", &paper, &paperless, "--json"], &SHORT[..]].concat());
    let first = &many["comparisons"][0];
    for (x, y) in rows(first).iter().zip(rows(&two)) {
        assert_eq!(x["metric"], y["metric"]);
        assert_eq!(x["difference"], y["difference"], "{}", x["metric"]);
        assert!(
            y.get("adjusted").is_none(),
            "a two-way compare has no adjusted interval"
        );
    }
}

#[test]
fn one_alternative_has_its_adjusted_interval_equal_to_the_two_way_one() {
    let load = |f: &str| {
        let o: Vec<Override> = [TEST_SEED, "run.replications=4"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        Scenario::load(&repo(f), &o).unwrap()
    };
    let a = load("tests/fixtures/world-small.toml");
    let b = load("tests/fixtures/world-small-paperless.toml");
    let two = experiment::compare(&a, &b, Workers::threads(0)).unwrap();
    let many =
        experiment::many::compare_many(&a, &[(b, Vec::new())], Workers::threads(0), None).unwrap();
    assert_eq!(many.multi.adjustment.comparisons, 1);
    let one = &many.multi.comparisons[0];
    for (x, y) in one.rows.iter().zip(&two.rows) {
        assert_eq!(x.difference, y.difference);
        assert_eq!(
            x.adjusted.as_ref().map(|a| a.ci95),
            Some(y.difference.ci95),
            "{}",
            x.metric
        );
    }
    assert_eq!(many.multi.ranking.options.len(), 2);
}

#[test]
fn alt_set_gives_the_differences_of_a_copied_file_with_the_change() {
    let base = path("tests/fixtures/world-small.toml");
    let text = std::fs::read_to_string(&base).unwrap();
    assert!(text.contains("paper_error_rate = 0.1\n"));
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("fewer-errors.toml");
    std::fs::write(
        &copy,
        text.replace("paper_error_rate = 0.1\n", "paper_error_rate = 0.02\n"),
    )
    .unwrap();
    let reps = ["--reps", "3", "--json"];
    let by_file = clearsim_json(&[&["compare", &base, copy.to_str().unwrap()], &reps[..]].concat());
    let by_set = clearsim_json(
        &[
            &[
                "compare",
                &base,
                "--alt-set",
                "import.paper_error_rate=0.02",
            ],
            &reps[..],
        ]
        .concat(),
    );
    assert_eq!(by_set["rows"], by_file["rows"]);
    assert_eq!(by_set["stations"], by_file["stations"]);
    let name = by_set["b"]["name"].as_str().unwrap();
    assert!(name.ends_with("+ import.paper_error_rate=0.02"), "{name}");
    // `--set` changes both sides, so the same change there gives no difference at all.
    let both = clearsim_json(
        &[
            &[
                "compare",
                &base,
                &base,
                "--set",
                "import.paper_error_rate=0.02",
            ],
            &reps[..],
        ]
        .concat(),
    );
    for r in rows(&both) {
        assert_eq!(r["difference"]["mean"].as_f64(), Some(0.0));
    }
}

#[test]
fn alt_groups_give_one_alternative_each_named_by_its_changes() {
    let base = path("tests/fixtures/world-small.toml");
    let many = clearsim_json(&[
        "compare",
        &base,
        "--alt",
        "import.paper_error_rate=0.02",
        "--alt-set",
        "import.xray.servers=3",
        "--alt",
        "import.doc_check.servers=20",
        "--reps",
        "3",
        "--json",
    ]);
    let alts = many["alternatives"].as_array().unwrap();
    assert_eq!(alts.len(), 2);
    assert_eq!(
        alts[0]["changes"],
        serde_json::json!(["import.paper_error_rate=0.02", "import.xray.servers=3"])
    );
    assert_eq!(
        alts[1]["changes"],
        serde_json::json!(["import.doc_check.servers=20"])
    );
    assert!(
        alts[1]["scenario"]["name"]
            .as_str()
            .unwrap()
            .ends_with("+ import.doc_check.servers=20")
    );
    // The report draws all options side by side from the saved document.
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("many.json");
    std::fs::write(&json, serde_json::to_string(&many).unwrap()).unwrap();
    let html = dir.path().join("many.html");
    let md = dir.path().join("many.md");
    let out = clearsim(&[
        "report",
        json.to_str().unwrap(),
        "-o",
        html.to_str().unwrap(),
        "--md",
        md.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let memo = std::fs::read_to_string(&md).unwrap();
    for s in [
        "All options side by side",
        "adjusted 95% CI",
        "simulation noise only",
        "Holm",
        "+ import.doc_check.servers=20",
    ] {
        assert!(memo.contains(s), "the memo lacks `{s}`:\n{memo}");
    }
    assert!(std::fs::read_to_string(&html).unwrap().contains("<svg"));
}

#[test]
fn compare_without_an_alternative_or_with_a_bad_change_is_refused() {
    let base = path("tests/fixtures/world-small.toml");
    let out = clearsim(&["compare", &base]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--alt-set"));
    let out = clearsim(&["compare", &base, "--alt-set", "import.paper_eror_rate=0.02"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("paper_error_rate"), "{err}");
}
