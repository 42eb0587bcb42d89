//! Every source the scenarios cite is in the repository: no reference to notes outside it, and
//! every `docs/sources.md#…` anchor a comment cites exists.

use std::path::Path;

use crate::support::repo;

/// Every text file under `dir`, recursively.
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if ["toml", "md", "rs", "json"]
            .iter()
            .any(|e| path.extension().is_some_and(|x| x == *e))
        {
            out.push(path);
        }
    }
}

fn repo_files() -> Vec<std::path::PathBuf> {
    let mut out = vec![repo("README.md")];
    for dir in ["scenarios", "docs", "src", "tests", "benches"] {
        files(&repo(dir), &mut out);
    }
    out
}

#[test]
fn no_file_refers_to_notes_outside_the_repository() {
    // Spelt in pieces so that this file does not match itself.
    let needles = [
        ["FAC", "TS.md"].concat(),
        ["FAC", "TS §"].concat(),
        ["../sha", "red"].concat(),
    ];
    for path in repo_files() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for needle in &needles {
            assert!(
                !text.contains(needle.as_str()),
                "{} mentions `{needle}`: cite docs/sources.md instead",
                path.display()
            );
        }
    }
}

#[test]
fn every_cited_source_anchor_exists() {
    let sources = std::fs::read_to_string(repo("docs/sources.md")).unwrap();
    let mut cited = 0;
    for path in repo_files() {
        if path.ends_with("tests/integration/sources.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for rest in text.split("sources.md#").skip(1) {
            let anchor: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            assert!(
                sources.contains(&format!("<a id=\"{anchor}\"></a>")),
                "{} cites docs/sources.md#{anchor}, which does not exist",
                path.display()
            );
            cited += 1;
        }
    }
    assert!(cited > 0, "no scenario cites docs/sources.md");
}
