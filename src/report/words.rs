//! Numbers into words: how the reports write hours, shares, money and intervals, and the
//! plain-language names of the headline figures. One place, so the HTML page and the Markdown
//! memo say exactly the same thing.

use crate::results::Metric;

/// Hours: 2 decimals below 1 h, 1 decimal below 100 h, whole hours above.
pub fn hours(x: f64) -> String {
    hours_like(x, x)
}

/// Hours with the decimals [`hours`] would give `reference`: the ends of an interval are
/// written like its mean (`1.00 to 1.00`, not `1.00 to 1.0`).
pub fn hours_like(x: f64, reference: f64) -> String {
    let a = reference.abs();
    let s = if a < 1.0 {
        format!("{x:.2}")
    } else if a < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    };
    no_negative_zero(s)
}

/// A share in [0, 1] as a percentage with one decimal: `0.873` → `87.3%`.
pub fn percent(share: f64) -> String {
    format!("{}%", no_negative_zero(format!("{:.1}", share * 100.0)))
}

/// An amount of money with 2 decimals; a non-zero amount under half a cent with 4, so that a
/// tiny difference does not read as exactly 0.
pub fn money(x: f64) -> String {
    if (0.00005..0.005).contains(&x.abs()) {
        format!("{x:.4}")
    } else {
        no_negative_zero(format!("{x:.2}"))
    }
}

/// A count or other plain number: whole numbers from 100 (thousands grouped with commas),
/// else 2 decimals.
pub fn plain(x: f64) -> String {
    if x.abs() >= 100.0 {
        grouped(&no_negative_zero(format!("{x:.0}")))
    } else {
        no_negative_zero(format!("{x:.2}"))
    }
}

/// A whole number with its thousands grouped: `3654952` → `3,654,952`.
pub fn count(n: u64) -> String {
    grouped(&n.to_string())
}

fn grouped(digits: &str) -> String {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", digits),
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A setting such as a horizon or a warm-up: at most 2 decimals, trailing zeros dropped.
pub fn short(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    no_negative_zero(s)
}

fn no_negative_zero(s: String) -> String {
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A value in `unit` (`h`, `share`, `1/h` or a currency), with the unit: `9.4 h`, `87.3%`,
/// `1.23 EUR`.
pub fn value(x: f64, unit: &str) -> String {
    match unit {
        "h" => format!("{} h", hours(x)),
        "share" => percent(x),
        "1/h" => format!("{}/h", plain(x)),
        "" => plain(x),
        cur => format!("{} {cur}", money(x)),
    }
}

/// A difference in `unit`, without its sign: shares in percentage points.
pub fn amount(x: f64, unit: &str) -> String {
    let x = x.abs();
    match unit {
        "share" => format!(
            "{} percentage points",
            no_negative_zero(format!("{:.1}", x * 100.0))
        ),
        _ => value(x, unit),
    }
}

/// The number alone, as [`value`] and [`amount`] write it (shares in points).
pub fn bare(x: f64, unit: &str) -> String {
    bare_like(x, unit, x)
}

/// [`bare`], hours written with the decimals of `reference` (see [`hours_like`]).
pub fn bare_like(x: f64, unit: &str, reference: f64) -> String {
    match unit {
        "h" => hours_like(x, reference),
        "share" => no_negative_zero(format!("{:.1}", x * 100.0)),
        "1/h" | "" => plain(x),
        _ => money(x),
    }
}

/// The unit as it follows a bare number: `h`, `percentage points`, `EUR`.
pub fn unit_words(unit: &str) -> &str {
    match unit {
        "share" => "percentage points",
        "1/h" => "per hour",
        other => other,
    }
}

/// The unit as it follows an interval right after [`unit_words`] said it: `points` for shares.
pub fn unit_again(unit: &str) -> &str {
    match unit {
        "share" => "points",
        other => unit_words(other),
    }
}

/// What a report says of a difference whose 95% interval excludes 0 but that is smaller than the
/// precision it is printed at (`0.00 h`, `0.0 pp`): no finding.
pub const BELOW_PRECISION: &str = "no difference at this precision";

/// True when a difference is not `significant` although its interval `ci95` excludes 0: it is
/// smaller than the precision printed, and reads [`BELOW_PRECISION`].
pub fn below_precision(significant: bool, ci95: Option<[f64; 2]>) -> bool {
    !significant && ci95.is_some_and(|[lo, hi]| lo > 0.0 || hi < 0.0)
}

/// The mark of a difference in a table: `*` when real, `≈` when below the precision printed
/// ([`below_precision`]), else nothing.
pub fn difference_mark(significant: bool, ci95: Option<[f64; 2]>) -> &'static str {
    if significant {
        "*"
    } else if below_precision(significant, ci95) {
        "≈"
    } else {
        ""
    }
}

/// The footnote of the `≈` mark.
pub const BELOW_PRECISION_NOTE: &str = "≈ the interval excludes 0 but the difference is smaller than the precision printed: no difference at this precision.";

/// A 95% interval: `8.9–9.9` when both ends are positive, `-0.3 to 0.5` otherwise (a dash
/// between negative numbers reads badly).
pub fn interval(lo: f64, hi: f64, f: impl Fn(f64) -> String) -> String {
    if lo >= 0.0 && hi >= 0.0 {
        format!("{}–{}", f(lo), f(hi))
    } else {
        format!("{} to {}", f(lo), f(hi))
    }
}

/// An interval cell for a table: `[lo, hi]` in the unit's format, or `no CI (1 replication)`.
pub fn ci_cell(ci: Option<[f64; 2]>, f: impl Fn(f64) -> String) -> String {
    match ci {
        Some([lo, hi]) => format!("{} to {}", f(lo), f(hi)),
        None => "no CI (1 replication)".to_string(),
    }
}

/// The plain-language name of a headline figure written as its name (a name no figure has
/// with its underscores as spaces): see [`Metric::words`].
pub fn metric_words(metric: &str) -> String {
    Metric::from_name(metric).words()
}

/// The first letter in upper case (a scenario name at the start of a sentence).
pub fn capitalised(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// "TRS segment" names as people say them: `documentary_check` → `documentary check`.
pub fn name_words(name: &str) -> String {
    name.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(hours(9.44), "9.4");
        assert_eq!(hours(0.354), "0.35");
        assert_eq!(hours(123.4), "123");
        assert_eq!(hours(-0.001), "0.00");
        assert_eq!(hours_like(1.003, 0.9994), "1.00");
        assert_eq!(percent(0.8734), "87.3%");
        assert_eq!(value(1.234, "EUR"), "1.23 EUR");
        assert_eq!(money(-0.00042), "-0.0004");
        assert_eq!(money(0.0), "0.00");
        assert_eq!(money(-0.000001), "0.00");
        assert_eq!(amount(-0.123, "share"), "12.3 percentage points");
        assert_eq!(interval(8.9, 9.9, hours), "8.9–9.9");
        assert_eq!(interval(-0.3, 0.5, hours), "-0.30 to 0.50");
        assert_eq!(interval(-2.0, -1.0, hours), "-2.0 to -1.0");
        assert_eq!(count(3654952), "3,654,952");
        assert_eq!(plain(-1234.4), "-1,234");
        assert_eq!(short(72.0), "72");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(capitalised("paperless"), "Paperless");
    }
}
