//! Goodness of fit of a fitted family to its sample: Kolmogorov–Smirnov and Anderson–Darling, both from statrs.

use statrs::distribution::{ContinuousCDF, Exp, Gamma, LogNormal, Weibull};
use statrs::stats_tests::NaNPolicy;
use statrs::stats_tests::anderson_darling::anderson_darling;
use statrs::stats_tests::ks_test::{KSOneSampleAlternativeMethod, ks_onesample};

use super::fit::{Family, Fit};

/// How well a fit matches its sample.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Gof {
    /// Sample size.
    pub n: usize,
    /// Kolmogorov–Smirnov statistic D = sup |F̂ₙ − F|.
    pub ks_d: f64,
    /// Its asymptotic (Kolmogorov) p-value. With the parameters estimated from the same
    /// sample the test is conservative: a p-value below 0.01 still says the family is wrong.
    pub ks_p: f64,
    /// Anderson–Darling A² (weights the tails); no p-value (statrs' is the normal case's).
    pub ad: Option<f64>,
}

/// KS and AD of `fit` against `data`.
pub fn gof(fit: &Fit, data: &[f64]) -> Option<Gof> {
    let v: Vec<f64> = fit.params.iter().map(|p| p.value).collect();
    match fit.family {
        Family::Exponential => tests(data, &Exp::new(1.0 / v[0]).ok()?),
        Family::Lognormal => tests(data, &LogNormal::new(v[0], v[1]).ok()?),
        Family::Gamma => tests(data, &Gamma::new(v[0], 1.0 / v[1]).ok()?),
        Family::Weibull => tests(data, &Weibull::new(v[0], v[1]).ok()?),
    }
}

fn tests<D: ContinuousCDF<f64, f64>>(data: &[f64], dist: &D) -> Option<Gof> {
    let (ks_d, ks_p) = ks_onesample(
        data.to_vec(),
        dist,
        KSOneSampleAlternativeMethod::TwoSidedAsymptotic,
        NaNPolicy::Error,
    )
    .ok()?;
    let ad = anderson_darling(data, dist)
        .ok()
        .map(|(a, _)| a)
        .filter(|a| a.is_finite());
    Some(Gof {
        n: data.len(),
        ks_d,
        ks_p,
        ad,
    })
}
