//! Bad input gets a clear error — file, line and column, key, reason, what is allowed — exit
//! code 2, and never a panic.

use std::io::Write;

use crate::cli::clearsim;

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
        [":13:1", "unknown field `sevrers`", "servers"].as_ref(),
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
        [":4:13", "horizon_h", "invalid type", "expected f64"].as_ref(),
    );
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
        ["unknown field `horizon`", "--set run.horizon=5"].as_ref(),
    );
}

#[test]
fn missing_file_is_an_input_error() {
    let out = clearsim(&["check", "no/such/scenario.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/scenario.toml"));
}
