//! The words and tables of a calibration (`clearsim fit`) for the terminal: per segment and group the candidates, their fit and the choice, then shares and the arrival profile.

use std::fmt::Write;

use crate::calibrate::select::{Chosen, Selection};
use crate::calibrate::{Calibration, Shares};

fn params(c: &crate::calibrate::select::Candidate) -> String {
    c.fit
        .params
        .iter()
        .map(|p| match p.ci95 {
            Some([lo, hi]) => format!("{} {:.4} [{:.4}, {:.4}]", p.name, p.value, lo, hi),
            None => format!("{} {:.4} [no CI]", p.name, p.value),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn selection(out: &mut String, s: &Selection) {
    for (i, c) in s.candidates.iter().enumerate() {
        let mark = if s.chosen == Chosen::Family(i) {
            "*"
        } else {
            " "
        };
        let g = c.gof.map_or("-".to_string(), |g| {
            let ad = g.ad.map_or("-".to_string(), |a| format!("{a:.3}"));
            format!("KS D {:.4} p {:.3}  AD A² {ad}", g.ks_d, g.ks_p)
        });
        let _ = writeln!(
            out,
            "   {mark} {:<11} Δ{} {:>8.1}  {g}  {}",
            c.fit.family.name(),
            s.criterion.name(),
            c.delta,
            params(c)
        );
    }
    if s.chosen == Chosen::Empirical {
        let _ = writeln!(
            out,
            "   * empirical   (best family rejected at KS p < {}: the 101 percentiles are written)",
            crate::calibrate::select::REJECT_P
        );
    }
}

fn shares(out: &mut String, what: &str, s: &Shares) {
    let list = s
        .shares
        .iter()
        .map(|x| {
            format!(
                "{} {:.1}% [{:.1}, {:.1}]",
                x.key,
                100.0 * x.share,
                100.0 * x.ci95[0],
                100.0 * x.ci95[1]
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "{what} (n = {}, {}; 95% Wilson CI): {list}",
        s.n, s.source
    );
}

/// The calibration for the terminal.
pub fn render(c: &Calibration) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "fit {}: {} released items ({} bad rows skipped, {} without a release); families by maximum likelihood, ranked by {} (* = chosen); parameter 95% CIs from the observed Fisher information",
        c.file,
        c.items,
        c.skipped,
        c.unreleased,
        c.criterion.name()
    );
    for f in &c.fits {
        let s = &f.selection;
        let zeros = if s.zeros > 0 {
            format!(", {} at 0 h left out", s.zeros)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "\n{} ({}): n = {}{zeros}; mean {:.3} h, median {:.3} h, p90 {:.3} h",
            f.figure, f.group, s.n, s.mean, s.median, s.p90
        );
        selection(&mut out, s);
    }
    for (figure, group, n) in &c.too_few {
        let _ = writeln!(
            out,
            "\n{figure} ({group}): {n} positive value(s), fewer than {}: not fitted",
            crate::calibrate::select::MIN_N
        );
    }
    out.push('\n');
    if let Some(s) = &c.channels {
        shares(&mut out, "channels", s);
    }
    if let Some(s) = &c.risk {
        shares(&mut out, "risk", s);
    }
    let p = &c.profile;
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        out,
        "arrivals: {:.1} per day over {} day(s)\n  hourly (mean 1) = [{}]\n  weekly (mean 1, Monday first) = [{}]",
        p.per_day,
        p.days,
        list(&p.hourly),
        list(&p.weekly)
    );
    out
}
