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
    /// The `--set` override that wrote the value at fault, when one did.
    pub from_override: Option<String>,
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
    #[error("{}in the override `--set {arg}`: {reason}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
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
            let mut at = match p.position {
                Some((l, c)) => format!("{path}:{l}:{c}"),
                None => path.to_string(),
            };
            if let Some(arg) = &p.from_override {
                at.push_str(&format!(": in the override `--set {arg}`"));
            }
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

/// A number for a message: a computed sum shows as `0.9`, not `0.8999999999999999`; a very large
/// or very small one in scientific notation (`1e308`), never as hundreds of digits.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "infinity" } else { "-infinity" }.to_string();
    }
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e9).contains(&a) {
        // Six significant digits, shortest form: 1e308, 4.29497e9.
        let s = format!("{x:.5e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exp}");
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// The candidate nearest to `word` by edit distance, if near enough to be a likely misspelling
/// (at most a third of the word's letters, and at least 2, changed).
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance between two words, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(here).min(row[j])
            };
            prev = here;
        }
    }
    row[b.len()]
}

/// serde's and toml's wording in the user's words: keys, not fields; "a whole number", not
/// "i64"; "a distribution table", not "struct DistSpec". `suggest` turns an unknown key into the
/// nearest valid one as the user should write it (a key alone, or a whole `--set` path).
pub fn plain_words(message: &str, suggest: &dyn Fn(&str, &str) -> String) -> String {
    let msg = message.trim();
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = msg.strip_prefix(prefix)
            && let Some((found, expected)) = rest.rsplit_once(", expected ")
        {
            return format!(
                "expected {}, got {}",
                expected_words(expected),
                found_words(found)
            );
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let names: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
        if let Some((unknown, allowed)) = names.split_first() {
            let mut out = format!("unknown key `{unknown}`");
            if let Some(best) = nearest(unknown, allowed.iter().copied()) {
                out.push_str(&format!(" (did you mean `{}`?)", suggest(unknown, best)));
            }
            if allowed.is_empty() {
                out.push_str("; this table takes no keys");
            } else {
                out.push_str(&format!("; the keys allowed here: {}", allowed.join(", ")));
            }
            return out;
        }
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        return format!("missing key {}", scrub(rest));
    }
    scrub(msg)
}

/// What serde says it expected, in the user's words.
fn expected_words(expected: &str) -> String {
    let e = expected.trim();
    match e {
        "f64" | "f32" => "a number".into(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" | "usize"
        | "isize" => "a whole number".into(),
        "a boolean" | "bool" => "true or false".into(),
        "a string" | "string" | "a borrowed string" => "text in quotes, like \"fifo\"".into(),
        "a sequence" => "a list in brackets, like [1.0, 2.0]".into(),
        "struct DistSpec" => {
            "a distribution table like `{ dist = \"exponential\", mean = 2 }`".into()
        }
        _ if e.starts_with("struct ") || e == "a map" => {
            "a table of keys: a [section], or `{ key = value, … }`".into()
        }
        _ => scrub(e),
    }
}

/// What serde says it found, in the user's words.
fn found_words(found: &str) -> String {
    let f = found.trim();
    let quoted = |rest: &str| rest.trim().trim_matches('`').to_string();
    if let Some(rest) = f.strip_prefix("string ") {
        format!("the text {}", rest.trim())
    } else if let Some(rest) = f.strip_prefix("integer ") {
        format!("the whole number {}", quoted(rest))
    } else if let Some(rest) = f.strip_prefix("floating point ") {
        format!("the number {}", quoted(rest))
    } else if let Some(rest) = f.strip_prefix("boolean ") {
        quoted(rest)
    } else if f == "sequence" {
        "a list".into()
    } else if f == "map" {
        "a table".into()
    } else {
        scrub(f)
    }
}

/// Replaces any Rust type name left in a message by its meaning.
fn scrub(msg: &str) -> String {
    const WORDS: [(&str, &str); 14] = [
        ("struct DistSpec", "a distribution table"),
        ("f64", "a number"),
        ("f32", "a number"),
        ("i64", "a whole number"),
        ("i32", "a whole number"),
        ("u64", "a whole number"),
        ("u32", "a whole number"),
        ("u16", "a whole number"),
        ("u8", "a whole number"),
        ("usize", "a whole number"),
        ("a sequence", "a list"),
        ("a map", "a table"),
        ("field", "key"),
        ("fields", "keys"),
    ];
    let mut out = msg.to_string();
    for (word, by) in WORDS {
        out = replace_word(&out, word, by);
    }
    // `struct RawStage` and the like: any other struct is a table of keys.
    while let Some(i) = out.find("struct ") {
        let end = out[i + 7..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(out.len(), |e| i + 7 + e);
        out.replace_range(i..end, "a table");
    }
    out
}

/// `text` with every whole-word occurrence of `word` replaced by `by`.
fn replace_word(text: &str, word: &str, by: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before_ok = rest[..i].chars().next_back().is_none_or(|c| !is_word(c));
        let after_ok = rest[i + word.len()..]
            .chars()
            .next()
            .is_none_or(|c| !is_word(c));
        out.push_str(&rest[..i]);
        out.push_str(if before_ok && after_ok { by } else { word });
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_messages_are_rounded_and_short() {
        assert_eq!(num(0.8999999999999999), "0.9");
        assert_eq!(num(1e308), "1e308");
        assert_eq!(num(4_294_967_295.0), "4.29497e9");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(f64::NAN), "NaN");
    }

    #[test]
    fn nearest_key_is_suggested_only_when_close() {
        let keys = ["doc_check", "xray", "physical"];
        assert_eq!(nearest("doc_chek", keys), Some("doc_check"));
        assert_eq!(nearest("xrya", keys), Some("xray"));
        assert_eq!(nearest("zzzzzz", keys), None);
    }

    #[test]
    fn serde_wording_has_no_rust_type_names() {
        let same = |_: &str, best: &str| best.to_string();
        let cases = [
            (
                "invalid type: string \"x\", expected f64",
                "expected a number, got the text \"x\"",
            ),
            (
                "invalid type: floating point `1.5`, expected i64",
                "a whole number",
            ),
            (
                "invalid type: integer `3`, expected struct DistSpec",
                "dist = \"exponential\"",
            ),
            (
                "invalid type: sequence, expected struct RawStation",
                "a table of keys",
            ),
            (
                "invalid type: integer `3`, expected a boolean",
                "true or false",
            ),
            (
                "unknown field `sevrers`, expected one of `servers`, `calendar`",
                "did you mean `servers`?",
            ),
        ];
        for (serde, want) in cases {
            let got = plain_words(serde, &same);
            assert!(got.contains(want), "{serde} → {got}");
            for rust in [
                "f64", "i64", "struct", "Raw", "DistSpec", "sequence", "field",
            ] {
                assert!(!got.contains(rust), "{serde} → {got}");
            }
        }
    }
}
