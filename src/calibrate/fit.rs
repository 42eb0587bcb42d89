//! Maximum-likelihood fits of one candidate family to positive durations, with 95% CIs from the observed Fisher information.
//!
//! Exponential and lognormal have closed-form estimates. Gamma's and Weibull's shapes solve a
//! one-dimensional score equation, written here (statrs has the densities and digamma, no
//! fitting): the equation is monotone in the shape, so bisection on log(shape) always converges.
//! The intervals come from the Hessian of the log-likelihood (summed with statrs' `ln_pdf`) at
//! the estimate, taken numerically on the log of every positive parameter, so that the Wald
//! interval is built on the log scale and never crosses 0.

use statrs::distribution::{Continuous, ContinuousCDF, Exp, Gamma, LogNormal, Weibull};

/// A candidate family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// One parameter: the mean.
    Exponential,
    /// `mu`, `sigma` of the underlying normal.
    Lognormal,
    /// `shape`, `scale`.
    Gamma,
    /// `shape`, `scale`.
    Weibull,
}

/// The families tried, in the order they are reported.
pub const FAMILIES: [Family; 4] = [
    Family::Exponential,
    Family::Lognormal,
    Family::Gamma,
    Family::Weibull,
];

impl Family {
    /// The `dist` name of the scenario format.
    pub fn name(self) -> &'static str {
        match self {
            Family::Exponential => "exponential",
            Family::Lognormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
        }
    }
}

/// A fitted parameter with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Param {
    /// Its key in the scenario format (`mean`, `mu`, `sigma`, `shape`, `scale`).
    pub name: &'static str,
    /// The maximum-likelihood estimate.
    pub value: f64,
    /// 95% Wald interval from the observed information (on the log scale for a positive
    /// parameter); `None` where the information matrix could not be inverted.
    pub ci95: Option<[f64; 2]>,
}

/// One family fitted to one sample.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Fit {
    /// The family.
    pub family: Family,
    /// Its parameters, in the scenario format's order.
    pub params: Vec<Param>,
    /// Log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// Akaike's criterion, 2k − 2 ln L.
    pub aic: f64,
    /// Schwarz's criterion, k ln n − 2 ln L.
    pub bic: f64,
}

impl Fit {
    /// The value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params.iter().find(|p| p.name == name).map(|p| p.value)
    }

    /// The fitted distribution's cumulative distribution function at `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        with_dist(self.family, &self.values(), |d| d.cdf(x)).unwrap_or(f64::NAN)
    }

    /// The fitted distribution's quantile at `p`.
    pub fn quantile(&self, p: f64) -> f64 {
        with_dist(self.family, &self.values(), |d| d.inverse_cdf(p)).unwrap_or(f64::NAN)
    }

    /// The fitted distribution's mean.
    pub fn mean(&self) -> f64 {
        let v = self.values();
        match self.family {
            Family::Exponential => v[0],
            Family::Lognormal => (v[0] + v[1] * v[1] / 2.0).exp(),
            Family::Gamma => v[0] * v[1],
            Family::Weibull => v[1] * statrs::function::gamma::gamma(1.0 + 1.0 / v[0]),
        }
    }

    fn values(&self) -> Vec<f64> {
        self.params.iter().map(|p| p.value).collect()
    }
}

/// Object-safe view of a statrs distribution, so that one code path serves every family.
pub trait Cdf {
    /// P(X ≤ x).
    fn cdf(&self, x: f64) -> f64;
    /// The x with P(X ≤ x) = p.
    fn inverse_cdf(&self, p: f64) -> f64;
    /// ln f(x).
    fn ln_pdf(&self, x: f64) -> f64;
}

impl<D: ContinuousCDF<f64, f64> + Continuous<f64, f64>> Cdf for D {
    fn cdf(&self, x: f64) -> f64 {
        ContinuousCDF::cdf(self, x)
    }
    fn inverse_cdf(&self, p: f64) -> f64 {
        ContinuousCDF::inverse_cdf(self, p)
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        Continuous::ln_pdf(self, x)
    }
}

/// Calls `f` with the statrs distribution of `family` at `params` (scenario-format order);
/// `None` for parameters statrs refuses.
pub fn with_dist<T>(family: Family, params: &[f64], f: impl FnOnce(&dyn Cdf) -> T) -> Option<T> {
    match family {
        Family::Exponential => Exp::new(1.0 / params[0]).ok().map(|d| f(&d)),
        Family::Lognormal => LogNormal::new(params[0], params[1]).ok().map(|d| f(&d)),
        Family::Gamma => Gamma::new(params[0], 1.0 / params[1]).ok().map(|d| f(&d)),
        Family::Weibull => Weibull::new(params[0], params[1]).ok().map(|d| f(&d)),
    }
}

/// The log-likelihood of `data` under `family` at `params`; −∞ for parameters out of range.
pub fn log_likelihood(family: Family, params: &[f64], data: &[f64]) -> f64 {
    with_dist(family, params, |d| {
        data.iter().map(|&x| d.ln_pdf(x)).sum::<f64>()
    })
    .filter(|l| !l.is_nan())
    .unwrap_or(f64::NEG_INFINITY)
}

/// Fits `family` to `data` (every value > 0 and finite, at least 2 values, not all equal);
/// `None` otherwise or if the estimate is not finite.
pub fn fit(family: Family, data: &[f64]) -> Option<Fit> {
    if data.len() < 2 || data.iter().any(|&x| !(x > 0.0 && x.is_finite())) {
        return None;
    }
    let n = data.len() as f64;
    let mean = data.iter().sum::<f64>() / n;
    let mean_ln = data.iter().map(|x| x.ln()).sum::<f64>() / n;
    let (names, values, positive): (&[&'static str], Vec<f64>, &[bool]) = match family {
        Family::Exponential => (&["mean"], vec![mean], &[true]),
        Family::Lognormal => {
            let var = data.iter().map(|x| (x.ln() - mean_ln).powi(2)).sum::<f64>() / n;
            (&["mu", "sigma"], vec![mean_ln, var.sqrt()], &[false, true])
        }
        Family::Gamma => {
            let shape = gamma_shape(mean.ln() - mean_ln)?;
            (
                &["shape", "scale"],
                vec![shape, mean / shape],
                &[true, true],
            )
        }
        Family::Weibull => {
            let (shape, scale) = weibull_mle(data)?;
            (&["shape", "scale"], vec![shape, scale], &[true, true])
        }
    };
    if values.iter().any(|v| !v.is_finite())
        || values.iter().zip(positive).any(|(v, &p)| p && *v <= 0.0)
    {
        return None;
    }
    let ll = log_likelihood(family, &values, data);
    if !ll.is_finite() {
        return None;
    }
    let cis = wald_intervals(family, &values, positive, data);
    let k = values.len() as f64;
    Some(Fit {
        family,
        params: names
            .iter()
            .zip(&values)
            .zip(cis)
            .map(|((&name, &value), ci95)| Param { name, value, ci95 })
            .collect(),
        log_likelihood: ll,
        aic: 2.0 * k - 2.0 * ll,
        bic: k * n.ln() - 2.0 * ll,
    })
}

/// Gamma shape from s = ln(mean) − mean(ln x) > 0: the root of ln k − ψ(k) = s, which falls
/// from +∞ to 0 as k grows.
fn gamma_shape(s: f64) -> Option<f64> {
    if !(s > 0.0 && s.is_finite()) {
        return None;
    }
    let g = |k: f64| k.ln() - statrs::function::gamma::digamma(k) - s;
    bisect_log(g, 1e-6, 1e7, false)
}

/// Weibull shape and scale: the shape is the root of
/// Σ xᵏ ln x / Σ xᵏ − 1/k − mean(ln x) = 0 (increasing in k), computed on x / max(x) so that no
/// power overflows; scale = (mean xᵏ)^(1/k).
fn weibull_mle(data: &[f64]) -> Option<(f64, f64)> {
    let top = data.iter().cloned().fold(0.0, f64::max);
    let y: Vec<f64> = data.iter().map(|x| x / top).collect();
    let n = y.len() as f64;
    let mean_ln = y.iter().map(|v| v.ln()).sum::<f64>() / n;
    let g = |k: f64| {
        let (mut s, mut sl) = (0.0, 0.0);
        for &v in &y {
            let p = v.powf(k);
            s += p;
            sl += p * v.ln();
        }
        sl / s - 1.0 / k - mean_ln
    };
    let k = bisect_log(g, 1e-3, 1e3, true)?;
    let scale = top * (y.iter().map(|v| v.powf(k)).sum::<f64>() / n).powf(1.0 / k);
    Some((k, scale))
}

/// The root of a monotone `g` between `lo` and `hi` (> 0) by bisection on the log scale;
/// `increasing` says which way `g` goes. `None` when `g` does not change sign there.
fn bisect_log(g: impl Fn(f64) -> f64, lo: f64, hi: f64, increasing: bool) -> Option<f64> {
    let sign = if increasing { 1.0 } else { -1.0 };
    let (mut a, mut b) = (lo.ln(), hi.ln());
    if sign * g(lo) > 0.0 || sign * g(hi) < 0.0 {
        return None;
    }
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        let v = sign * g(m.exp());
        if v.is_nan() {
            return None;
        }
        if v < 0.0 {
            a = m;
        } else {
            b = m;
        }
        if b - a < 1e-12 {
            break;
        }
    }
    Some((0.5 * (a + b)).exp())
}

/// 95% Wald intervals of every parameter from the observed information, the numerical Hessian
/// of the log-likelihood in u (u = ln θ for a positive parameter, θ otherwise).
fn wald_intervals(
    family: Family,
    values: &[f64],
    positive: &[bool],
    data: &[f64],
) -> Vec<Option<[f64; 2]>> {
    let k = values.len();
    let u0: Vec<f64> = values
        .iter()
        .zip(positive)
        .map(|(&v, &p)| if p { v.ln() } else { v })
        .collect();
    let back = |u: &[f64]| -> Vec<f64> {
        u.iter()
            .zip(positive)
            .map(|(&v, &p)| if p { v.exp() } else { v })
            .collect()
    };
    let ll = |u: &[f64]| log_likelihood(family, &back(u), data);
    // Steps scaled to each coordinate; 1e-4 balances truncation and rounding for sums of
    // thousands of terms.
    let h: Vec<f64> = u0.iter().map(|v| 1e-4 * v.abs().max(1.0)).collect();
    let mut hess = vec![vec![0.0; k]; k];
    let f0 = ll(&u0);
    for i in 0..k {
        for j in i..k {
            let at = |di: f64, dj: f64| {
                let mut u = u0.clone();
                u[i] += di * h[i];
                u[j] += dj * h[j];
                ll(&u)
            };
            let v = if i == j {
                (at(1.0, 0.0) - 2.0 * f0 + at(-1.0, 0.0)) / (h[i] * h[i])
            } else {
                (at(1.0, 1.0) - at(1.0, -1.0) - at(-1.0, 1.0) + at(-1.0, -1.0))
                    / (4.0 * h[i] * h[j])
            };
            hess[i][j] = v;
            hess[j][i] = v;
        }
    }
    // Covariance = (−H)⁻¹ for one or two parameters.
    let var: Option<Vec<f64>> = match k {
        1 => (-hess[0][0] > 0.0).then(|| vec![-1.0 / hess[0][0]]),
        2 => {
            let (a, b, d) = (-hess[0][0], -hess[0][1], -hess[1][1]);
            let det = a * d - b * b;
            (det > 0.0 && a > 0.0).then(|| vec![d / det, a / det])
        }
        _ => None,
    };
    let z = 1.959_963_984_540_054;
    (0..k)
        .map(|i| {
            let se = var.as_ref()?[i].sqrt();
            if !se.is_finite() {
                return None;
            }
            let (lo, hi) = (u0[i] - z * se, u0[i] + z * se);
            Some(if positive[i] {
                [lo.exp(), hi.exp()]
            } else {
                [lo, hi]
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_mean_interval_matches_the_closed_form() {
        // Exponential: se(ln mean) = 1/√n exactly.
        let data: Vec<f64> = (1..=400)
            .map(|i| -(1.0 - i as f64 / 401.0).ln() * 2.0)
            .collect();
        let f = fit(Family::Exponential, &data).unwrap();
        let m = f.params[0].value;
        let [lo, hi] = f.params[0].ci95.unwrap();
        let z: f64 = 1.959_963_984_540_054 / 20.0;
        assert!(
            (lo - m * (-z).exp()).abs() < 1e-4 * m,
            "{lo} vs {}",
            m * (-z).exp()
        );
        assert!((hi - m * z.exp()).abs() < 1e-4 * m);
    }

    #[test]
    fn gamma_shape_solves_its_score_equation() {
        let data = [0.5, 1.0, 1.5, 2.0, 3.0, 4.5, 0.8, 2.2];
        let f = fit(Family::Gamma, &data).unwrap();
        let (k, theta) = (f.params[0].value, f.params[1].value);
        let n = data.len() as f64;
        let mean = data.iter().sum::<f64>() / n;
        let mean_ln = data.iter().map(|x: &f64| x.ln()).sum::<f64>() / n;
        let score = k.ln() - statrs::function::gamma::digamma(k) - (mean.ln() - mean_ln);
        assert!(score.abs() < 1e-9);
        assert!((k * theta - mean).abs() < 1e-9);
    }

    #[test]
    fn refuses_zeros_and_tiny_samples() {
        assert!(fit(Family::Lognormal, &[1.0]).is_none());
        assert!(fit(Family::Weibull, &[0.0, 1.0, 2.0]).is_none());
        assert!(fit(Family::Gamma, &[2.0, 2.0, 2.0]).is_none());
    }
}
