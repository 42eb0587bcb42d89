//! The JSON Schema of the scenario format: the committed docs/scenario.schema.json is what the
//! code generates, and every shipped scenario validates against it.

use crate::support::clearsim;
use crate::support::repo;

#[test]
fn committed_schema_is_what_the_code_generates() {
    let committed = std::fs::read_to_string(repo("docs/scenario.schema.json")).unwrap();
    assert!(
        committed == clearsim::scenario::schema_json(),
        "docs/scenario.schema.json is stale: regenerate it with `cargo run --release -- schema > docs/scenario.schema.json`"
    );
    let out = clearsim(&["schema"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), committed);
}

/// Every `.toml` file under `dir`, recursively, sorted.
fn scenario_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            files.extend(scenario_files(&p));
        } else if p.extension().is_some_and(|e| e == "toml") {
            files.push(p);
        }
    }
    files.sort();
    files
}

fn as_json(path: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(value).unwrap()
}

#[test]
fn every_shipped_scenario_validates_against_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&clearsim::scenario::schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut files = scenario_files(&repo("scenarios"));
    files.extend(scenario_files(&repo("tests/fixtures")));
    assert!(files.len() >= 20, "{} scenario files", files.len());
    for f in &files {
        let doc = as_json(f);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
}

#[test]
fn the_schema_refuses_misspelt_keys_and_wrong_types() {
    let schema: serde_json::Value =
        serde_json::from_str(&clearsim::scenario::schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut doc = as_json(&repo("tests/fixtures/world-small.toml"));
    assert!(validator.is_valid(&doc));
    doc["run"]["horizon"] = serde_json::json!(100.0);
    assert!(!validator.is_valid(&doc), "misspelt key accepted");
    let mut doc = as_json(&repo("tests/fixtures/world-small.toml"));
    doc["hub"]["bag_size"] = serde_json::json!("many");
    assert!(!validator.is_valid(&doc), "string for an integer accepted");
    let mut doc = as_json(&repo("tests/fixtures/world-small.toml"));
    doc["import"]["xray"]["service_h"]["dsit"] = serde_json::json!("exponential");
    assert!(
        !validator.is_valid(&doc),
        "misspelt distribution key accepted"
    );
}
