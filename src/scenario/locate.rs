//! Finds where a key path stands in a TOML text, so semantic errors can give line and column.

use toml_edit::{Item, Table, Value};

use super::error::{KeyPath, Seg};

/// A place in a parsed TOML document.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Table(&'a Table),
    Value(&'a Value),
}

/// Line and column of `path` in `text`: of its value if present, else of the nearest enclosing
/// key, table or array that is present. Parses `text`: to locate many paths, make one
/// [`Locator`].
pub fn locate(text: &str, path: &KeyPath) -> Option<(usize, usize)> {
    Locator::new(text).locate(path)
}

/// The text of the value or table at exactly `path` in `text`, or `None` where it is absent:
/// comparing it before and after the `--set` overrides tells which values an override wrote.
pub fn value_text(text: &str, path: &KeyPath) -> Option<String> {
    Locator::new(text).value_text(path)
}

/// A TOML text parsed once, with its line starts, so that locating each of many problems costs
/// the depth of its path and a binary search, not a parse of the file: ten thousand problems in
/// a long file are located at once.
pub struct Locator<'t> {
    text: &'t str,
    doc: Option<toml_edit::Document<&'t str>>,
    line_starts: Vec<usize>,
}

impl<'t> Locator<'t> {
    /// Parses `text` (a text that does not parse locates nothing).
    pub fn new(text: &'t str) -> Locator<'t> {
        let line_starts = std::iter::once(0)
            .chain(
                text.bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Locator {
            text,
            doc: toml_edit::Document::parse(text).ok(),
            line_starts,
        }
    }

    /// Line and column of `path`: of its value if present, else of the nearest enclosing key,
    /// table or array that is present.
    pub fn locate(&self, path: &KeyPath) -> Option<(usize, usize)> {
        let doc = self.doc.as_ref()?;
        let mut node = Node::Table(doc.as_table());
        let mut best = None;
        for seg in &path.0 {
            let Some((next, span)) = step(node, seg) else {
                break;
            };
            best = span.or(best);
            node = next;
        }
        best.map(|offset| self.line_col(offset))
    }

    /// The text of the value or table at exactly `path`, or `None` where it is absent.
    pub fn value_text(&self, path: &KeyPath) -> Option<String> {
        let doc = self.doc.as_ref()?;
        let mut node = Node::Table(doc.as_table());
        for seg in &path.0 {
            node = step(node, seg)?.0;
        }
        Some(match node {
            Node::Item(i) => i.to_string(),
            Node::Table(t) => t.to_string(),
            Node::Value(v) => v.to_string(),
        })
    }

    /// Line and column (both from 1, the column in characters) of byte `offset`.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = String::from_utf8_lossy(&self.text.as_bytes()[start..offset])
            .chars()
            .count()
            + 1;
        (line, col)
    }
}

fn step<'a>(node: Node<'a>, seg: &Seg) -> Option<(Node<'a>, Option<usize>)> {
    match (node, seg) {
        (Node::Item(Item::Table(t)) | Node::Table(t), Seg::Key(k)) => {
            let (key, item) = t.get_key_value(k)?;
            let span = match item {
                Item::Value(v) => v.span(),
                _ => None,
            }
            .or_else(|| key.span())
            .map(|s| s.start);
            Some((Node::Item(item), span))
        }
        (Node::Item(Item::ArrayOfTables(a)), Seg::Index(i)) => {
            let t = a.get(*i)?;
            Some((Node::Table(t), t.span().map(|s| s.start)))
        }
        (Node::Item(Item::Value(v)) | Node::Value(v), seg) => {
            let inner = match (v, seg) {
                (Value::InlineTable(t), Seg::Key(k)) => t.get(k)?,
                (Value::Array(a), Seg::Index(i)) => a.get(*i)?,
                _ => return None,
            };
            Some((Node::Value(inner), inner.span().map(|s| s.start)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_in_arrays_of_tables_and_inline_tables() {
        let text = "name = \"x\"\n\n[[stage]]\nname = \"a\"\n\n[[stage]]\nname = \"b\"\nservers = -2\nservice_h = { dist = \"exponential\", mean = -1 }\n";
        let p = KeyPath::root("stage").index(1).key("servers");
        assert_eq!(locate(text, &p), Some((8, 11)));
        let p = KeyPath::root("stage").index(1).key("service_h").key("mean");
        assert_eq!(locate(text, &p), Some((9, 44)));
        // A missing key points at its table.
        let p = KeyPath::root("stage").index(0).key("servers");
        assert_eq!(locate(text, &p).map(|(l, _)| l), Some(3));
    }

    #[test]
    fn the_locator_agrees_with_line_col_at_every_offset() {
        let text = "a = 1\n\n[t]\nb = \"é€\"\nc = 2";
        let l = Locator::new(text);
        for (offset, _) in text.char_indices() {
            assert_eq!(
                l.line_col(offset),
                super::super::error::line_col(text, offset)
            );
        }
    }
}
