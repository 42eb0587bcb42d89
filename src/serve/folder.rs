//! The served folder: the scenarios it holds, and a client's scenario name resolved to a file
//! inside it (a client never gives a path).

use std::path::{Path, PathBuf};

use super::Refusal;

/// A folder of scenario files, as given on the command line and as the system resolves it.
#[derive(Clone, Debug)]
pub struct Folder {
    /// The folder as given: scenario files are named from it, so their origin (and so the JSON
    /// and the `compare` command) reads as the user's own path.
    dir: PathBuf,
    /// The folder with every symbolic link resolved: a file must resolve inside it.
    canonical: PathBuf,
}

/// The longest scenario name accepted.
const MAX_NAME: usize = 100;

impl Folder {
    /// Opens `dir`, which must be a folder.
    pub fn open(dir: &Path) -> Result<Folder, String> {
        let canonical = dir
            .canonicalize()
            .map_err(|e| format!("{}: cannot serve this folder: {e}", dir.display()))?;
        if !canonical.is_dir() {
            return Err(format!(
                "{}: not a folder; give the folder of scenario files to serve (default scenarios/)",
                dir.display()
            ));
        }
        Ok(Folder {
            dir: dir.to_path_buf(),
            canonical,
        })
    }

    /// The folder as given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The names of the scenarios served: every `NAME.toml` file directly in the folder that
    /// resolves inside it, sorted.
    pub fn names(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let file = e.file_name().into_string().ok()?;
                let name = file.strip_suffix(".toml")?.to_string();
                self.resolve(&name).ok()?;
                Some(name)
            })
            .collect();
        names.sort();
        names
    }

    /// The file of the scenario called `name`: refused unless `name` is a plain name (letters,
    /// digits, `-`, `_`, `.`, not starting with a dot) of a regular file that resolves inside
    /// the folder, so `..`, absolute paths and symbolic links out of the folder are refused.
    pub fn resolve(&self, name: &str) -> Result<PathBuf, Refusal> {
        let plain = !name.is_empty()
            && name.len() <= MAX_NAME
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !plain {
            return Err(Refusal::bad_request(format!(
                "`{}` is not a scenario name: name a scenario of the served folder by its file name without .toml (letters, digits, - _ .), never a path",
                shorten(name)
            )));
        }
        let path = self.dir.join(format!("{name}.toml"));
        let unknown = || {
            Refusal::not_found(format!(
                "no scenario `{name}` in the served folder; GET /api/scenarios lists them"
            ))
        };
        let real = path.canonicalize().map_err(|_| unknown())?;
        if real.parent() != Some(self.canonical.as_path()) || !real.is_file() {
            // A link to a file elsewhere, or to a folder: not a scenario of this folder.
            return Err(unknown());
        }
        Ok(path)
    }
}

/// A client's text cut for a message.
pub(super) fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s.escape_debug().to_string()
}
