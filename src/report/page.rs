//! A report as sections of blocks (findings, figures, tables, notes), rendered either as one
//! self-contained HTML page (inline CSS and SVG; no script, no link, no external URL) or as a
//! Markdown memo with the same findings and tables.

use std::fmt::Write;

use super::chart::escape;

/// A chart with the sentence that reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The chart's title (also drawn in the SVG).
    pub title: String,
    /// The `<svg>` element (see [`super::chart`]).
    pub svg: String,
    /// One plain-language sentence generated from the numbers.
    pub reading: String,
}

/// A table: a header row and body rows of text cells.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column headings.
    pub header: Vec<String>,
    /// Rows, each as many cells as the header.
    pub rows: Vec<Vec<String>>,
}

/// One block of a section.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A paragraph.
    Text(String),
    /// Key findings as a bulleted list.
    Findings(Vec<String>),
    /// A chart and its reading.
    Figure(Figure),
    /// A table.
    Table(Table),
    /// A remark in small type (what is missing, how to read something).
    Note(String),
}

/// A headed part of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Its heading.
    pub heading: String,
    /// Its blocks, in order.
    pub blocks: Vec<Block>,
}

/// A whole report: a title, a line of facts under it, and sections.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The page title.
    pub title: String,
    /// What was run: scenario, replications, seed, horizon, version.
    pub subtitle: String,
    /// The sections.
    pub sections: Vec<Section>,
}

/// The report's style sheet (also what `clearsim serve` puts around a report it shows).
pub const STYLE: &str = "body{font-family:sans-serif;color:#222;background:#fff;margin:0}\
main{max-width:900px;margin:0 auto;padding:24px}\
h1{font-size:26px;margin:0 0 4px}\
h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}\
.sub{color:#555;margin:0 0 16px}\
figure{margin:16px 0 24px}\
figure svg{max-width:100%;height:auto;display:block}\
figcaption{font-size:15px;margin-top:6px}\
ul.findings{background:#f3f7fb;border-left:4px solid #0072b2;padding:12px 12px 12px 32px}\
ul.findings li{margin:4px 0}\
table{border-collapse:collapse;margin:12px 0;font-size:14px}\
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}\
th:first-child,td:first-child{text-align:left}\
th{background:#f5f5f5}\
p.note{color:#666;font-size:13px}";

/// Renders a report as one HTML page. The page is well-formed XML (every element closed), so
/// XML tools can read it, and it needs nothing but itself to display.
pub fn html_page(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(&report.title),
    );
    out.push_str(&html_body(report));
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The report's content as HTML elements (title, facts line, sections), without the page
/// around it: what [`html_page`] wraps and what `clearsim serve` shows in its page.
pub fn html_body(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
        escape(&report.title),
        escape(&report.subtitle)
    );
    for (k, section) in report.sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section id=\"section-{}\">\n<h2>{}</h2>",
            k + 1,
            escape(&section.heading)
        );
        for block in &section.blocks {
            match block {
                Block::Text(t) => {
                    let _ = writeln!(out, "<p>{}</p>", escape(t));
                }
                Block::Note(t) => {
                    let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(t));
                }
                Block::Findings(items) => {
                    out.push_str("<ul class=\"findings\">\n");
                    for i in items {
                        let _ = writeln!(out, "<li>{}</li>", escape(i));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Figure(f) => {
                    let _ = writeln!(
                        out,
                        "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
                        f.svg.trim_end(),
                        escape(&f.reading)
                    );
                }
                Block::Table(t) => {
                    out.push_str("<table>\n<thead><tr>");
                    for h in &t.header {
                        let _ = write!(out, "<th>{}</th>", escape(h));
                    }
                    out.push_str("</tr></thead>\n<tbody>\n");
                    for row in &t.rows {
                        out.push_str("<tr>");
                        for c in row {
                            let _ = write!(out, "<td>{}</td>", escape(c));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody>\n</table>\n");
                }
            }
        }
        out.push_str("</section>\n");
    }
    out
}

fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Renders a report as a Markdown memo: the same findings, readings and tables, without the
/// charts (each figure becomes its title and reading).
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n\n{}\n", report.title, report.subtitle);
    for section in &report.sections {
        let _ = writeln!(out, "## {}\n", section.heading);
        for block in &section.blocks {
            match block {
                Block::Text(t) => {
                    let _ = writeln!(out, "{t}\n");
                }
                Block::Note(t) => {
                    let _ = writeln!(out, "_{t}_\n");
                }
                Block::Findings(items) => {
                    for i in items {
                        let _ = writeln!(out, "- {i}");
                    }
                    out.push('\n');
                }
                Block::Figure(f) => {
                    let _ = writeln!(out, "**{}.** {}\n", f.title, f.reading);
                }
                Block::Table(t) => {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        t.header
                            .iter()
                            .map(|h| md_cell(h))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                    let _ = writeln!(
                        out,
                        "|{}",
                        t.header
                            .iter()
                            .enumerate()
                            .map(|(i, _)| if i == 0 { "---|" } else { "---:|" })
                            .collect::<String>()
                    );
                    for row in &t.rows {
                        let _ = writeln!(
                            out,
                            "| {} |",
                            row.iter()
                                .map(|c| md_cell(c))
                                .collect::<Vec<_>>()
                                .join(" | ")
                        );
                    }
                    out.push('\n');
                }
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            title: "T <1>".into(),
            subtitle: "s & t".into(),
            sections: vec![Section {
                heading: "H".into(),
                blocks: vec![
                    Block::Findings(vec!["a|b".into()]),
                    Block::Table(Table {
                        header: vec!["k".into(), "v".into()],
                        rows: vec![vec!["x|y".into(), "1".into()]],
                    }),
                    Block::Note("n".into()),
                ],
            }],
        }
    }

    #[test]
    fn html_escapes_text_and_has_no_script_or_link() {
        let h = html_page(&report());
        assert!(h.contains("<title>T &lt;1&gt;</title>"));
        assert!(h.contains("s &amp; t"));
        assert!(!h.contains("<script") && !h.contains("<link") && !h.contains("http"));
    }

    #[test]
    fn markdown_tables_escape_pipes_and_end_with_one_newline() {
        let m = markdown(&report());
        assert!(m.contains("| x\\|y | 1 |"), "{m}");
        assert!(m.contains("|---|---:|"));
        assert!(m.ends_with("_n_\n"), "{m:?}");
    }
}
