//! Finds where a key path stands in a TOML text, so semantic errors can give line and column.

use toml_edit::{Item, Table, Value};

use super::error::{KeyPath, Seg, line_col};

/// A place in a parsed TOML document.
#[derive(Clone, Copy)]
enum Node<'a> {
    Item(&'a Item),
    Table(&'a Table),
    Value(&'a Value),
}

/// Line and column of `path` in `text`: of its value if present, else of the nearest enclosing
/// key, table or array that is present.
pub fn locate(text: &str, path: &KeyPath) -> Option<(usize, usize)> {
    let doc = toml_edit::Document::parse(text).ok()?;
    let mut node = Node::Table(doc.as_table());
    let mut best = None;
    for seg in &path.0 {
        let Some((next, span)) = step(node, seg) else {
            break;
        };
        best = span.or(best);
        node = next;
    }
    best.map(|offset| line_col(text, offset))
}

/// The text of the value or table at exactly `path` in `text`, or `None` where it is absent:
/// comparing it before and after the `--set` overrides tells which values an override wrote.
pub fn value_text(text: &str, path: &KeyPath) -> Option<String> {
    let doc = toml_edit::Document::parse(text).ok()?;
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
}
