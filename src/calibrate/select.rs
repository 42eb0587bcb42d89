//! The choice of one distribution for one sample: every family fitted, ranked by an information criterion, the empirical one when the best is rejected.

use super::fit::{FAMILIES, Fit, fit};
use super::gof::{Gof, gof};
use super::quantiles::{quantile, sorted};

/// Fewest positive values a sample needs to be fitted.
pub const MIN_N: usize = 30;

/// Below this KS p-value the best family is rejected and the empirical distribution is written.
pub const REJECT_P: f64 = 0.01;

/// Points written for an empirical distribution: the 0, 1, …, 100th percentiles.
pub const EMPIRICAL_POINTS: usize = 101;

/// Which information criterion ranks the families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Criterion {
    /// Akaike: 2k − 2 ln L.
    Aic,
    /// Schwarz: k ln n − 2 ln L (penalises parameters more for large n).
    Bic,
}

impl std::str::FromStr for Criterion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "aic" => Ok(Criterion::Aic),
            "bic" => Ok(Criterion::Bic),
            other => Err(format!("`{other}`: expected aic or bic")),
        }
    }
}

impl Criterion {
    /// Its name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::Aic => "AIC",
            Criterion::Bic => "BIC",
        }
    }

    fn of(self, f: &Fit) -> f64 {
        match self {
            Criterion::Aic => f.aic,
            Criterion::Bic => f.bic,
        }
    }
}

/// One family's fit and how well it matches.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// The fit.
    pub fit: Fit,
    /// Its goodness of fit.
    pub gof: Option<Gof>,
    /// Its criterion minus the best one's (0 for the best).
    pub delta: f64,
}

/// What was chosen for a sample.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum Chosen {
    /// The candidate at this index.
    Family(usize),
    /// The empirical distribution (its percentiles), because every family was rejected.
    Empirical,
}

/// A sample's fits and the choice among them.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Selection {
    /// Positive values fitted.
    pub n: usize,
    /// Values of exactly 0 h (the step took no time after arrival), left out of the fit.
    pub zeros: usize,
    /// Sample mean of the positive values [h].
    pub mean: f64,
    /// Sample median [h].
    pub median: f64,
    /// Sample 90th percentile [h].
    pub p90: f64,
    /// Every family that could be fitted, in [`FAMILIES`] order.
    pub candidates: Vec<Candidate>,
    /// The choice.
    pub chosen: Chosen,
    /// The 0…100th percentiles of the positive values [h], for an empirical distribution.
    pub points: Vec<f64>,
    /// The criterion used.
    pub criterion: Criterion,
}

impl Selection {
    /// The chosen candidate, unless the empirical distribution was chosen.
    pub fn chosen_fit(&self) -> Option<&Candidate> {
        match self.chosen {
            Chosen::Family(i) => self.candidates.get(i),
            Chosen::Empirical => None,
        }
    }

    /// The best family by the criterion, chosen or not.
    pub fn best(&self) -> Option<&Candidate> {
        self.candidates.iter().find(|c| c.delta == 0.0)
    }
}

/// Fits every family to the positive values of `values` (zeros counted apart) and chooses by
/// `criterion`; `None` with fewer than [`MIN_N`] positive values.
pub fn select(values: &[f64], criterion: Criterion) -> Option<Selection> {
    let positive: Vec<f64> = values.iter().copied().filter(|&v| v > 0.0).collect();
    let zeros = values.len() - positive.len();
    if positive.len() < MIN_N {
        return None;
    }
    let s = sorted(&positive);
    let mut candidates: Vec<Candidate> = FAMILIES
        .iter()
        .filter_map(|&f| fit(f, &positive))
        .map(|f| Candidate {
            gof: gof(&f, &positive),
            fit: f,
            delta: 0.0,
        })
        .collect();
    let best = candidates
        .iter()
        .map(|c| criterion.of(&c.fit))
        .fold(f64::INFINITY, f64::min);
    for c in &mut candidates {
        c.delta = criterion.of(&c.fit) - best;
    }
    let best_index = candidates.iter().position(|c| c.delta == 0.0);
    let chosen = match best_index {
        Some(i) if candidates[i].gof.is_some_and(|g| g.ks_p >= REJECT_P) => Chosen::Family(i),
        _ => Chosen::Empirical,
    };
    let points = (0..EMPIRICAL_POINTS)
        .map(|k| quantile(&s, k as f64 / (EMPIRICAL_POINTS - 1) as f64))
        .collect();
    Some(Selection {
        n: positive.len(),
        zeros,
        mean: positive.iter().sum::<f64>() / positive.len() as f64,
        median: quantile(&s, 0.5),
        p90: quantile(&s, 0.9),
        candidates,
        chosen,
        points,
        criterion,
    })
}
