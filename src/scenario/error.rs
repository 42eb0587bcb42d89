//! Scenario errors that point into the file: path, line, column, key, reason.

use std::fmt;

use thiserror::Error;

/// One segment of a key path: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// A table key.
    Key(String),
    /// An index into an array (of tables).
    Index(usize),
}

/// A dotted key path into the scenario, such as `stage[1].routes[0].p`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    /// The path of a top-level key.
    pub fn root(key: &str) -> Self {
        KeyPath(vec![Seg::Key(key.to_string())])
    }

    /// This path extended by a key.
    pub fn key(&self, key: &str) -> Self {
        let mut p = self.0.clone();
        p.push(Seg::Key(key.to_string()));
        KeyPath(p)
    }

    /// This path extended by an index.
    pub fn index(&self, i: usize) -> Self {
        let mut p = self.0.clone();
        p.push(Seg::Index(i));
        KeyPath(p)
    }

    /// This path extended by a relative dotted key such as `points[3]` (from a distribution).
    pub fn join(&self, rel: &str) -> Self {
        let mut p = self.clone();
        for part in rel.split('.') {
            match part.split_once('[') {
                Some((key, rest)) => {
                    if !key.is_empty() {
                        p = p.key(key);
                    }
                    if let Ok(i) = rest.trim_end_matches(']').parse() {
                        p = p.index(i);
                    }
                }
                None if !part.is_empty() => p = p.key(part),
                None => {}
            }
        }
        p
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One thing wrong with a scenario, located in its file where possible.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The key at fault (empty for a whole-file problem).
    pub key: String,
    /// 1-based line and column of the key or value in the file, when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong and what is allowed.
    pub reason: String,
}

/// Why a scenario could not be loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: cannot read the scenario file: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a value has the wrong type or an unknown key.
    /// Semantic problems: every problem found, each located.
    #[error("{}", render(.path, .problems))]
    Invalid {
        /// The file.
        path: String,
        /// Everything found wrong.
        problems: Vec<Problem>,
    },
    /// A `--set key=value` override that cannot be applied.
    #[error("{}--set {arg}: {reason}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Override {
        /// The scenario file it was applied to (empty when not yet known).
        path: String,
        /// The override as given.
        arg: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
}

impl ScenarioError {
    /// Names the scenario file in an override error that did not know it yet.
    pub fn in_file(self, file: &str) -> Self {
        match self {
            ScenarioError::Override { path, arg, reason } if path.is_empty() => {
                ScenarioError::Override {
                    path: file.to_string(),
                    arg,
                    reason,
                }
            }
            other => other,
        }
    }

    /// The located problems, if this is a content error.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

fn render(path: &str, problems: &[Problem]) -> String {
    let lines: Vec<String> = problems
        .iter()
        .map(|p| {
            let at = match p.position {
                Some((l, c)) => format!("{path}:{l}:{c}"),
                None => path.to_string(),
            };
            if p.key.is_empty() {
                format!("{at}: {}", p.reason)
            } else {
                format!("{at}: `{}`: {}", p.key, p.reason)
            }
        })
        .collect();
    lines.join("\n")
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, col)
}
