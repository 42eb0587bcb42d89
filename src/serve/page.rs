//! The what-if page: one HTML file (src/serve/page.html) with its script, and the report's
//! style sheet put in, so it needs no network resource.

use std::sync::OnceLock;

/// The page's source; `/*REPORT_STYLE*/` marks where the report's style sheet goes.
const SOURCE: &str = include_str!("page.html");

/// The page served at `/`.
pub fn html() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| SOURCE.replace("/*REPORT_STYLE*/", crate::report::page::STYLE))
}
