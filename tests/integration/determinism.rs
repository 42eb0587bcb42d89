//! Determinism: the same scenario, seed and version give byte-identical output whatever the
//! number of threads; another seed gives other numbers.

use crate::support::clearsim;

fn json(args: &[&str]) -> Vec<u8> {
    let out = clearsim(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn json_is_byte_identical_on_one_and_two_threads() {
    let file = crate::support::repo("scenarios/validation/tandem.toml");
    let file = file.to_str().unwrap();
    let base = [
        "run",
        file,
        "--reps",
        "6",
        "--set",
        "run.horizon_h=3000",
        "--json",
    ];
    let one = json(&[&base[..], &["--threads", "1"]].concat());
    let two = json(&[&base[..], &["--threads", "2"]].concat());
    assert!(!one.is_empty());
    assert_eq!(one, two, "output depends on the thread count");
}

#[test]
fn another_seed_gives_other_numbers() {
    let file = crate::support::repo("scenarios/validation/mm1.toml");
    let file = file.to_str().unwrap();
    let a = json(&["run", file, "--reps", "3", "--seed", "1", "--json"]);
    let b = json(&["run", file, "--reps", "3", "--seed", "2", "--json"]);
    let again = json(&["run", file, "--reps", "3", "--seed", "1", "--json"]);
    assert_ne!(a, b);
    assert_eq!(a, again);
}
