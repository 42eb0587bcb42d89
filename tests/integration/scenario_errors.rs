//! Bad input gets a clear error — file, line and column, key, reason, what is allowed — exit
//! code 2, and never a panic.

use std::io::Write;

use crate::support::clearsim;
use crate::support::repo;

const GOOD: &str = r#"name = "test"

[run]
horizon_h = 100.0

[[source]]
name = "arrivals"
interarrival_h = { dist = "exponential", mean = 1.0 }
to = "desk"

[[stage]]
name = "desk"
servers = 1
service_h = { dist = "exponential", mean = 0.5 }
to = "xray"

[[stage]]
name = "xray"
servers = 1
service_h = { dist = "exponential", mean = 0.5 }
"#;

/// Writes `text` to a scenario file, runs `clearsim check` (and `run`) on it, and returns
/// stderr after checking the exit code is 2 and nothing panicked.
fn refused(text: &str, extra: &[&str]) -> String {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    let p = f.path().to_str().unwrap().to_string();
    let mut stderr = String::new();
    for cmd in ["check", "run"] {
        let out = clearsim(&[&[cmd, p.as_str()][..], extra].concat());
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{cmd}: exit code; stderr: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            out.stdout.is_empty(),
            "{cmd} printed output for a bad scenario"
        );
        assert!(err.contains(&p), "the message names the file: {err}");
        stderr = err;
    }
    stderr
}

fn assert_all(err: &str, parts: &[&str]) {
    for part in parts {
        assert!(err.contains(part), "expected `{part}` in: {err}");
    }
}

#[test]
fn the_good_scenario_is_accepted() {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(GOOD.as_bytes()).unwrap();
    let out = clearsim(&["check", f.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn malformed_toml_names_line_and_column() {
    let err = refused(&GOOD.replace("name = \"test\"", "name = \"test"), &[]);
    assert_all(&err, [":1:", "not valid TOML"].as_ref());
}

#[test]
fn unknown_key_names_line_and_key() {
    let err = refused(
        &GOOD.replace(
            "servers = 1\nservice_h = { dist = \"exponential\", mean = 0.5 }\nto",
            "sevrers = 1\nservice_h = { dist = \"exponential\", mean = 0.5 }\nto",
        ),
        &[],
    );
    assert_all(
        &err,
        [":13:1", "unknown key `sevrers`", "did you mean `servers`?"].as_ref(),
    );
}

#[test]
fn wrong_type_names_line_key_and_expected_type() {
    let err = refused(
        &GOOD.replace("horizon_h = 100.0", "horizon_h = \"long\""),
        &[],
    );
    assert_all(
        &err,
        [":4:13", "horizon_h", "expected a number", "\"long\""].as_ref(),
    );
    assert_no_rust_words(&err);
}

#[test]
fn negative_parameter_names_the_key_and_the_allowed_range() {
    let err = refused(&GOOD.replacen("mean = 0.5", "mean = -0.5", 1), &[]);
    assert_all(
        &err,
        [":14:", "stage[0].service_h.mean", "> 0", "-0.5"].as_ref(),
    );
}

#[test]
fn nan_parameter_is_refused() {
    let err = refused(&GOOD.replacen("mean = 0.5", "mean = nan", 1), &[]);
    assert_all(&err, [":14:", "stage[0].service_h.mean", "NaN"].as_ref());
}

#[test]
fn negative_server_count_is_refused() {
    let err = refused(&GOOD.replacen("servers = 1", "servers = -2", 1), &[]);
    assert_all(
        &err,
        [":13:11", "stage[0].servers", "from 1", "got -2"].as_ref(),
    );
}

#[test]
fn routing_probabilities_must_sum_to_one() {
    let err = refused(
        &GOOD.replace(
            "to = \"xray\"",
            "routes = [ { to = \"xray\", p = 0.5 }, { to = \"exit\", p = 0.3 } ]",
        ),
        &[],
    );
    assert_all(
        &err,
        [":15:", "stage[0].routes", "sum to 1", "0.8"].as_ref(),
    );
}

#[test]
fn route_to_an_unknown_station_lists_the_stations() {
    let err = refused(&GOOD.replace("to = \"xray\"", "to = \"x-ray\""), &[]);
    assert_all(
        &err,
        [
            ":15:6",
            "stage[0].to",
            "no stage named `x-ray`",
            "desk, xray",
            "exit",
        ]
        .as_ref(),
    );
}

#[test]
fn unknown_distribution_lists_the_allowed_ones() {
    let err = refused(
        &GOOD.replacen(
            "dist = \"exponential\", mean = 0.5",
            "dist = \"expo\", mean = 0.5",
            1,
        ),
        &[],
    );
    assert_all(
        &err,
        [
            "stage[0].service_h.dist",
            "expo",
            "exponential",
            "lognormal",
        ]
        .as_ref(),
    );
}

#[test]
fn overload_without_a_horizon_is_refused_with_the_load() {
    let text = GOOD
        .replace("horizon_h = 100.0", "arrivals = 1000")
        .replacen("mean = 0.5", "mean = 1.25", 1);
    let err = refused(&text, &[]);
    assert_all(
        &err,
        [
            "stage[0]",
            "offered load",
            "1.250",
            "never end",
            "horizon_h",
        ]
        .as_ref(),
    );
}

#[test]
fn overload_with_a_horizon_runs_and_check_warns() {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(GOOD.replacen("mean = 0.5", "mean = 1.25", 1).as_bytes())
        .unwrap();
    let out = clearsim(&["check", f.path().to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an overloaded stage fails `check`"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("offered load 1.250"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("overloaded: stage"));
}

#[test]
fn bad_set_arguments_are_refused() {
    let err = refused(GOOD, &["--set", "stage.scanner.servers=2"]);
    assert_all(
        &err,
        [
            "--set stage.scanner.servers=2",
            "no stage named `scanner`",
            "desk, xray",
        ]
        .as_ref(),
    );
    let err = refused(GOOD, &["--set", "stage.desk.servers"]);
    assert_all(&err, ["KEY=VALUE"].as_ref());
    let err = refused(GOOD, &["--set", "run.horizon=5"]);
    assert_all(
        &err,
        [
            "unknown key `horizon`",
            "in the override `--set run.horizon=5`",
            "did you mean `run.horizon_h`?",
        ]
        .as_ref(),
    );
}

#[test]
fn missing_file_is_an_input_error() {
    let out = clearsim(&["check", "no/such/scenario.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/scenario.toml"));
}

/// The text of a shipped scenario, to be written to a temporary file by [`refused`].
fn shipped(name: &str) -> String {
    std::fs::read_to_string(repo(&format!("scenarios/{name}"))).unwrap()
}

/// Words of Rust or serde that a user should never read.
fn assert_no_rust_words(err: &str) {
    // The file's path is left out: a temporary file's random name may hold any letters.
    let err = err
        .split_whitespace()
        .filter(|w| !w.contains(".toml"))
        .collect::<Vec<_>>()
        .join(" ");
    for word in [
        "f64",
        "i64",
        "u32",
        "u64",
        "usize",
        "struct",
        "DistSpec",
        "Raw",
        "invalid type",
        "sequence",
        "a map",
        "field",
    ] {
        assert!(!err.contains(word), "`{word}` in: {err}");
    }
}

/// True when no line of `err` gives a line:column in a file (the override is not in the file).
fn no_position(err: &str) -> bool {
    err.split(".toml").skip(1).all(|rest| {
        let mut c = rest.chars();
        !(c.next() == Some(':') && c.next().is_some_and(|d| d.is_ascii_digit()))
    })
}

#[test]
fn a_misspelt_override_is_blamed_on_the_override_with_the_nearest_key() {
    for file in ["paper.toml", "us-no-de-minimis.toml"] {
        let err = refused(&shipped(file), &["--set", "import.doc_chek.servers=3"]);
        assert_all(
            &err,
            [
                "in the override `--set import.doc_chek.servers=3`",
                "unknown key `doc_chek`",
                "did you mean `import.doc_check.servers`?",
            ]
            .as_ref(),
        );
        assert!(
            no_position(&err),
            "{file}: a line:col for an override: {err}"
        );
    }
    let err = refused(GOOD, &["--set", "stage.dsek.servers=3"]);
    assert_all(
        &err,
        ["no stage named `dsek`", "did you mean `desk`?"].as_ref(),
    );
    let err = refused(&shipped("paper.toml"), &["--set", "costs.xrya_eur=3"]);
    assert_all(
        &err,
        [
            "in the override `--set costs.xrya_eur=3`",
            "did you mean `xray_eur`?",
        ]
        .as_ref(),
    );
}

#[test]
fn a_misspelt_key_in_the_file_gets_the_nearest_key() {
    let err = refused(
        &GOOD.replace("horizon_h = 100.0", "horizon_hh = 100.0"),
        &[],
    );
    assert_all(
        &err,
        [
            ":4:1",
            "unknown key `horizon_hh`",
            "did you mean `horizon_h`?",
        ]
        .as_ref(),
    );
    let err = refused(&GOOD.replace("to = \"xray\"", "to = \"xrya\""), &[]);
    assert_all(&err, ["did you mean `xray`?"].as_ref());
}

#[test]
fn a_value_an_override_wrote_is_blamed_on_the_override() {
    let err = refused(GOOD, &["--set", "run.horizon_h=1e308"]);
    assert_all(
        &err,
        [
            "in the override `--set run.horizon_h=1e308`",
            "`run.horizon_h`",
            "876600",
            "got 1e308",
        ]
        .as_ref(),
    );
    assert!(no_position(&err), "{err}");
}

#[test]
fn wrong_types_are_explained_without_rust_type_names() {
    let good_cases = [
        "run.seed=\"x\"",
        "run.replications=1.5",
        "run.horizon_h=\"long\"",
        "run.warmup_h=true",
        "run.arrivals=[1]",
        "stage.desk.servers=[1]",
        "stage.desk.servers=2.5",
        "stage.desk.service_h=3",
        "stage.desk.service_h=\"exponential\"",
        "stage.desk.service_h={ dist = \"exponential\", mean = \"x\" }",
        "stage.desk.service_h={ dist = \"empirical\", points = 3 }",
        "stage.desk.service_h={ dist = \"exponential\", meen = 1 }",
        "stage.desk.routes=5",
        "stage.desk.routes=[5]",
        "stage.desk.to=3",
        "stage.desk.calendar=3",
        "stage.desk.queue_capacity=\"ten\"",
        "source.0.interarrival_h=2",
        "source.0.priority=0.5",
    ];
    for case in good_cases {
        let err = refused(GOOD, &["--set", case]);
        assert!(
            err.contains("expected") || err.contains("unknown key"),
            "{case}: {err}"
        );
        assert_no_rust_words(&err);
    }
    let paper = shipped("paper.toml");
    let paper_cases = [
        "platform.0.parcels_per_day=\"many\"",
        "platform.0.hourly_profile=3",
        "platform.0.hourly_profile=[\"a\"]",
        "platform.0.weight_kg=2",
        "platform.0.modes=1",
        "platform.0.peak_days=3",
        "hub.bag_size=2.5",
        "hub.sort=3",
        "import.risk.green=\"x\"",
        "import.channels=[]",
        "import.xray.labour_per_hour=[]",
        "rules.list_release=1",
        "costs.xray_eur=\"x\"",
        "regime.currency=3",
        "regime.vat_collection=1",
        "regime.china_retail=\"yes\"",
        "linehaul.departures_h=5",
        "linehaul.capacity_parcels=1.5",
    ];
    for case in paper_cases {
        let err = refused(&paper, &["--set", case]);
        assert_no_rust_words(&err);
    }
    // The same in the file itself.
    for (from, to) in [
        ("servers = 1", "servers = \"one\""),
        ("servers = 1", "servers = 1.5"),
        (
            "service_h = { dist = \"exponential\", mean = 0.5 }",
            "service_h = 0.5",
        ),
        ("horizon_h = 100.0", "horizon_h = [100.0]"),
    ] {
        let err = refused(&GOOD.replacen(from, to, 1), &[]);
        assert!(err.contains(":1") || err.contains(":2"), "{to}: {err}");
        assert_no_rust_words(&err);
    }
    let err = refused(GOOD, &["--set", "stage.desk.service_h=3"]);
    assert_all(
        &err,
        [
            "a distribution table like `{ dist = \"exponential\", mean = 2 }`",
            "3",
        ]
        .as_ref(),
    );
    let err = refused(GOOD, &["--set", "stage.desk.servers=2.5"]);
    assert_all(&err, ["expected a whole number", "2.5"].as_ref());
}

#[test]
fn a_duplicate_key_is_named() {
    let err = refused(
        &GOOD.replacen("servers = 1", "servers = 1\nservers = 2", 1),
        &[],
    );
    assert_all(&err, [":14:1", "duplicate key `servers`"].as_ref());
    let err = refused(&format!("{GOOD}\n[run]\nseed = 3\n"), &[]);
    assert_all(&err, ["duplicate key `run`"].as_ref());
}

#[test]
fn sums_in_messages_are_rounded() {
    let err = refused(
        &GOOD.replace(
            "to = \"xray\"",
            "routes = [ { to = \"xray\", p = 0.6 }, { to = \"exit\", p = 0.3 } ]",
        ),
        &[],
    );
    assert_all(&err, ["sum to 0.9"].as_ref());
    assert!(!err.contains("0.8999"), "{err}");
    let err = refused(
        &shipped("paper.toml"),
        &[
            "--set",
            "import.channels.paper=0.6",
            "--set",
            "import.channels.electronic=0.3",
            "--set",
            "import.channels.pre_arrival=0.0",
        ],
    );
    assert_all(&err, ["sum to 0.9", "import.channels"].as_ref());
    assert!(!err.contains("0.8999"), "{err}");
}

#[test]
fn values_whose_results_cannot_be_represented_are_refused_with_the_range() {
    let arrivals = GOOD.replace("horizon_h = 100.0", "arrivals = 1000");
    let cases: [(&str, &str, &str); 9] = [
        (GOOD, "run.horizon_h=1e308", "876600"),
        (GOOD, "run.warmup_h=200", "before the horizon"),
        (GOOD, "run.demand_multiplier=1e308", "at most 1000"),
        (GOOD, "run.replications=4294967295", "from 1 to 100000"),
        (GOOD, "stage.desk.servers=4294967295", "from 1 to 100000"),
        (
            GOOD,
            "stage.desk.queue_capacity=4294967295",
            "from 0 to 10000000",
        ),
        (
            GOOD,
            "stage.desk.service_h={ dist = \"deterministic\", value = 1e300 }",
            "876600",
        ),
        (
            &arrivals,
            "run.arrivals=1000000000000",
            "from 1 to 1000000000",
        ),
        (&arrivals, "run.warmup_h=1e308", "876600"),
    ];
    for (text, set, range) in cases {
        let err = refused(text, &["--set", set]);
        assert_all(&err, [range].as_ref());
        assert!(!err.contains("00000000000000000000"), "{set}: {err}");
    }
    let paper = shipped("paper.toml");
    let huge_profile = format!("platform.0.hourly_profile=[{}]", ["1e308"; 24].join(", "));
    let paper_cases = [
        ("hub.bag_size=4294967295", "from 1 to 100000"),
        ("costs.xray_eur=1e308", "from 0 to 1e9"),
        ("costs.storage_per_day_eur=1e308", "from 0 to 1e9"),
        ("import.xray.labour_per_hour=1e308", "from 0 to 1e9"),
        ("linehaul.cost_per_kg=1e308", "from 0 to 1e9"),
        ("platform.0.parcels_per_day=1e308", "at most 1e9"),
        (huge_profile.as_str(), "from 0 to 1000000"),
        (
            "platform.0.peak_days=[{ day = 3, multiplier = 1e308 }]",
            "from 0 to 1000",
        ),
        (
            "platform.0.peak_days=[{ day = 4294967295, multiplier = 2 }]",
            "36525",
        ),
        ("linehaul.capacity_parcels=4294967295", "at most 10000000"),
        ("linehaul.period_h=1e308", "8784"),
        (
            "platform.0.declared_value_eur={ dist = \"deterministic\", value = 1e300 }",
            "at most 1e9",
        ),
        ("regime.de_minimis_duty_eur=1e308", "from 0 to 1e9"),
        (
            "costs.documents_per_paper_declaration=1e308",
            "from 0 to 1000",
        ),
    ];
    for (set, range) in paper_cases {
        let err = refused(&paper, &["--set", set]);
        assert_all(&err, [range].as_ref());
        assert!(!err.contains("00000000000000000000"), "{set}: {err}");
    }
}

/// A shipped scenario's text with `from` replaced by `to` (which must be there).
fn shipped_with(name: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(repo(&format!("scenarios/{name}"))).unwrap();
    assert!(text.contains(from), "`{from}` is not in {name}");
    text.replacen(from, to, 1)
}

/// Writes `text` to a scenario file and runs `clearsim check` on it with `extra`: exit code
/// and stderr.
fn check_text(text: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    let p = f.path().to_str().unwrap().to_string();
    let out = clearsim(&[&["check", p.as_str()][..], extra].concat());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    (out.status.code(), err)
}

/// Every end of every range is checked as the key itself is, by `check` and by `run` (not only
/// by `sensitivity`), and the message names the range's end.
#[test]
fn every_end_of_every_range_is_checked_as_its_key_is() {
    for (from, to, end) in [
        (
            "mean = 0.5 }\nto = \"xray\"",
            "mean = { value = 0.5, low = 0.0, high = 0.8 } }\nto = \"xray\"",
            "service_h.mean.low",
        ),
        (
            "mean = 0.5 }\nto = \"xray\"",
            "mean = { value = 0.5, low = 0.2, high = 1e308 } }\nto = \"xray\"",
            "service_h.mean.high",
        ),
        (
            "servers = 1\nservice_h = { dist = \"exponential\", mean = 0.5 }\nto",
            "servers = { value = 1, low = -1, high = 2 }\nservice_h = { dist = \"exponential\", mean = 0.5 }\nto",
            "servers.low",
        ),
    ] {
        assert!(GOOD.contains(from), "{from}");
        let err = refused(&GOOD.replacen(from, to, 1), &[]);
        assert_all(&err, &[end, "is refused as a value of"]);
    }
    let text = shipped_with(
        "network-eu.toml",
        "paper_error_rate = 0.05",
        "paper_error_rate = { value = 0.05, low = 0.02, high = 1.5 }",
    );
    let (code, err) = check_text(&text, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert_all(&err, &["paper_error_rate.high", "1.5", "share"]);
}

/// A range end that is not a number says what it is.
#[test]
fn a_nan_range_end_is_named_as_nan() {
    let err = refused(
        &GOOD.replacen(
            "mean = 0.5 }",
            "mean = { value = 0.5, low = nan, high = 0.8 } }",
            1,
        ),
        &[],
    );
    assert_all(&err, &["`low` must be a finite number, got NaN"]);
    assert!(!err.contains("got float"), "{err}");
}

/// A lever's complement splits one whole with it: both are shares.
#[test]
fn a_lever_complement_that_is_not_a_share_is_refused() {
    let text = shipped_with(
        "pre-arrival.toml",
        "complement = \"import.channels.electronic\"",
        "complement = \"run.horizon_h\"",
    );
    let (code, err) = check_text(&text, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert_all(
        &err,
        &["lever[0].complement", "run.horizon_h", "from 0 to 1"],
    );
}

/// The retail rate divides by 1 − the consumption tax: a rate of 1 is refused, not turned
/// into infinite (null) VAT.
#[test]
fn a_consumption_tax_of_one_is_refused() {
    let text = shipped_with(
        "bonded-1210.toml",
        "consumption_tax_rate = 0.0",
        "consumption_tax_rate = 1.0",
    );
    let (code, err) = check_text(&text, &[]);
    assert_eq!(code, Some(2), "{err}");
    assert_all(&err, &["consumption_tax_rate", "below 1"]);
}

/// A problem an override causes elsewhere in the file (a name used twice, a lever's max below
/// the min an override set) is blamed on the override, not on a line of the file.
#[test]
fn a_problem_an_override_causes_is_blamed_on_the_override() {
    let file = repo("scenarios/network-eu.toml")
        .to_string_lossy()
        .into_owned();
    for (set, says) in [
        ("lane.zz-lgg.name=zz-bud", "is used twice"),
        ("lever.0.min=5", "is below min"),
    ] {
        let out = clearsim(&["check", &file, "--set", set]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_all(&err, &[&format!("in the override `--set {set}`"), says]);
        let at_a_line = err
            .split("network-eu.toml:")
            .skip(1)
            .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
        assert!(!at_a_line, "a file line is blamed for --set {set}: {err}");
    }
}
