//! Probability distributions for delays, service times and parcel attributes, validated from scenario files.
//!
//! A scenario file writes a distribution as an inline table; [`DistSpec`] is that table as
//! read, and [`Dist::from_spec`] validates it once into a [`Dist`] that the simulation samples
//! without further checks:
//!
//! ```toml
//! doc_check_h   = { dist = "lognormal", mean = 0.5, sd = 1.0 }
//! inspection_h  = { dist = "triangular", min = 0.25, mode = 0.5, max = 2.0 }
//! weight_kg     = { dist = "empirical", points = [0.2, 0.4, 0.4, 1.1, 3.0], interpolate = true }
//! ```
//!
//! | `dist`          | parameters                           | what [`Dist::sample`] draws                      |
//! |-----------------|--------------------------------------|--------------------------------------------------|
//! | `deterministic` | `value`                              | always `value`                                   |
//! | `exponential`   | `mean`                               | exponential with that mean                       |
//! | `uniform`       | `min`, `max`                         | uniform between `min` and `max`                  |
//! | `triangular`    | `min`, `mode`, `max`                 | triangular                                       |
//! | `normal`        | `mean`, `sd`                         | normal, redrawn until `>= 0` (truncated at 0)     |
//! | `lognormal`     | `mean`, `sd` — or `mu`, `sigma`      | log-normal; `mu`, `sigma` are on the log scale   |
//! | `gamma`         | `shape`, `scale` — or `mean`, `sd`   | gamma                                            |
//! | `weibull`       | `shape`, `scale`                     | Weibull                                          |
//! | `empirical`     | `points`, optional `interpolate`     | one of the points, or between them (see below)   |
//!
//! Parameters are in the unit of the quantity being drawn (hours for a delay, kilograms for a
//! weight); the scenario key that holds the table names that unit. A parameter that does not
//! belong to the chosen distribution is an error rather than being ignored, so a typo such as
//! `mode` on an exponential cannot silently change a run.

use std::f64::consts::{PI, SQRT_2};
use std::fmt;
use std::sync::Arc;

use rand::RngExt;
use rand_distr::Distribution;
use statrs::function::erf::erfc;
use statrs::function::gamma::gamma;

use super::ziggurat::standard_normal;

/// A distribution as written in a scenario file: `{ dist = "exponential", mean = 2.0 }`.
///
/// This is the raw table; nothing is checked until [`Dist::from_spec`]. Which keys each
/// distribution takes is listed in the [module docs](self).
#[derive(
    Clone, Debug, Default, PartialEq, serde::Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct DistSpec {
    /// Name of the distribution: `deterministic`, `exponential`, `uniform`, `triangular`,
    /// `normal`, `lognormal`, `gamma`, `weibull` or `empirical`.
    pub dist: String,
    /// The fixed value of `deterministic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Mean of `exponential`; of `normal` before truncation at 0; of `lognormal` and `gamma`
    /// when given with `sd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Standard deviation of `normal` before truncation at 0; of `lognormal` and `gamma` when
    /// given with `mean`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Lower end of `uniform` and `triangular`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper end of `uniform` and `triangular`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Most likely value of `triangular`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<f64>,
    /// Mean of the logarithm of a `lognormal` draw (given with `sigma`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    /// Standard deviation of the logarithm of a `lognormal` draw (given with `mu`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// Shape of `gamma` or `weibull`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<f64>,
    /// Scale of `gamma` or `weibull`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Observed values for `empirical`, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<f64>>,
    /// For `empirical`: `false` (the default) redraws the points themselves; `true` draws from
    /// the piecewise-linear CDF through the sorted points, so draws fall anywhere between the
    /// smallest and the largest point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpolate: Option<bool>,
}

impl DistSpec {
    /// Every parameter key with whether the spec gives it, in declaration order.
    fn given_keys(&self) -> [(&'static str, bool); 12] {
        [
            ("value", self.value.is_some()),
            ("mean", self.mean.is_some()),
            ("sd", self.sd.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("mode", self.mode.is_some()),
            ("mu", self.mu.is_some()),
            ("sigma", self.sigma.is_some()),
            ("shape", self.shape.is_some()),
            ("scale", self.scale.is_some()),
            ("points", self.points.is_some()),
            ("interpolate", self.interpolate.is_some()),
        ]
    }
}

/// A validated distribution, ready to sample. Cheap to clone; sampling allocates nothing.
///
/// Build one with [`Dist::from_spec`] (or [`Dist::deterministic`] / [`Dist::exponential`]).
/// The fields are public so that code can match on the family, e.g. an analytic check that
/// needs to know a service time is exponential; writing them by hand skips validation and can
/// leave the parameters and the sampler disagreeing.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Deterministic(f64),
    /// Exponential with rate `1 / mean`.
    Exponential {
        mean: f64,
        sampler: rand_distr::Exp<f64>,
    },
    /// Uniform between `min` and `max`.
    Uniform {
        min: f64,
        max: f64,
        sampler: rand_distr::Uniform<f64>,
    },
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
        sampler: rand_distr::Triangular<f64>,
    },
    /// Normal with mean `mu` and standard deviation `sigma`, conditioned on being `>= 0`:
    /// negative draws are redrawn, so the mean and variance of what is drawn are those of the
    /// truncated distribution, not `mu` and `sigma²`.
    NormalTrunc {
        mu: f64,
        sigma: f64,
        sampler: rand_distr::Normal<f64>,
    },
    /// `exp(Y)` with `Y` normal with mean `mu` and standard deviation `sigma`.
    LogNormal {
        mu: f64,
        sigma: f64,
        sampler: rand_distr::LogNormal<f64>,
    },
    /// Gamma with mean `shape * scale`.
    Gamma {
        shape: f64,
        scale: f64,
        sampler: rand_distr::Gamma<f64>,
    },
    /// Weibull with CDF `1 - exp(-(x / scale)^shape)`.
    Weibull {
        shape: f64,
        scale: f64,
        sampler: rand_distr::Weibull<f64>,
    },
    /// Resampling of observed `points` (sorted ascending, at least one), or with `interpolate`
    /// a draw from the piecewise-linear CDF that rises by `1 / (len - 1)` between consecutive
    /// points (at least two).
    Empirical {
        points: Arc<[f64]>,
        interpolate: bool,
        /// Mean of what is drawn, kept because computing it walks every point.
        mean: f64,
        /// Variance of what is drawn, kept for the same reason.
        variance: f64,
    },
}

/// Why a distribution spec was rejected.
///
/// `reason` completes a sentence whose subject is `key`, so a caller that knows where the
/// table sits can say ``format!("`{path}.{}` {}", e.key, e.reason)``; [`Display`](fmt::Display)
/// prints ``"`sd` must be a finite number > 0, got -1"``.
#[derive(Clone, Debug, PartialEq)]
pub struct DistError {
    /// The offending key, relative to the spec table: `"sd"`, `"points[3]"`, `"dist"`.
    pub key: String,
    /// What is wrong with it and what is allowed instead.
    pub reason: String,
}

impl DistError {
    fn new(key: impl Into<String>, reason: impl Into<String>) -> DistError {
        DistError {
            key: key.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.key, self.reason)
    }
}

impl std::error::Error for DistError {}

/// The most negative `mean / sd` a truncated normal accepts. At this limit only
/// `P(Z >= 4.75) ≈ 1.0e-6` of normal draws are `>= 0`, so each sample already costs about a
/// million draws; beyond it sampling would all but hang.
const NORMAL_MIN_MEAN_OVER_SD: f64 = -4.75;

/// The largest Weibull shape accepted. Its variance, `scale² (Γ(1 + 2/k) - Γ(1 + 1/k)²)`,
/// is a difference of two numbers near 1 that cancel as the shape grows: at 1000 about ten
/// digits survive, at 10⁷ none do. At this limit sd/mean ≈ 1.28/shape ≈ 0.13%.
const WEIBULL_MAX_SHAPE: f64 = 1000.0;

impl Dist {
    /// Validates a spec as read from a scenario file.
    ///
    /// Every number must be finite; means, standard deviations, shapes, scales and `sigma`
    /// must be `> 0`; keys that the distribution does not take are rejected. See
    /// [`DistError`] for how the rejection reads.
    pub fn from_spec(spec: &DistSpec) -> Result<Dist, DistError> {
        let family = Family::from_name(&spec.dist).ok_or_else(|| {
            let allowed: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
            DistError::new(
                "dist",
                format!(
                    "names an unknown distribution {:?}; allowed: {}",
                    spec.dist,
                    allowed.join(", ")
                ),
            )
        })?;
        for (key, given) in spec.given_keys() {
            if given && !family.keys().contains(&key) {
                return Err(DistError::new(
                    key,
                    format!(
                        "is not a parameter of {}; it takes: {}",
                        family.name(),
                        family.takes()
                    ),
                ));
            }
        }
        let check = Check { family };
        match family {
            Family::Deterministic => Ok(Dist::Deterministic(check.finite(spec.value, "value")?)),
            Family::Exponential => {
                let mean = check.positive(spec.mean, "mean")?;
                let sampler = rand_distr::Exp::new(1.0 / mean).map_err(sampler_error("mean"))?;
                Dist::Exponential { mean, sampler }.with_finite_moments("mean")
            }
            Family::Uniform => {
                let min = check.finite(spec.min, "min")?;
                let max = check.finite(spec.max, "max")?;
                check_range(min, max)?;
                let sampler = rand_distr::Uniform::new(min, max).map_err(sampler_error("max"))?;
                Dist::Uniform { min, max, sampler }.with_finite_moments("max")
            }
            Family::Triangular => {
                let min = check.finite(spec.min, "min")?;
                let mode = check.finite(spec.mode, "mode")?;
                let max = check.finite(spec.max, "max")?;
                check_range(min, max)?;
                if !(min <= mode && mode <= max) {
                    return Err(DistError::new(
                        "mode",
                        format!(
                            "must lie between min ({}) and max ({}), got {}",
                            Num(min),
                            Num(max),
                            Num(mode)
                        ),
                    ));
                }
                let sampler =
                    rand_distr::Triangular::new(min, max, mode).map_err(sampler_error("mode"))?;
                Dist::Triangular {
                    min,
                    mode,
                    max,
                    sampler,
                }
                .with_finite_moments("max")
            }
            Family::Normal => {
                let mu = check.finite(spec.mean, "mean")?;
                let sigma = check.positive(spec.sd, "sd")?;
                if mu < NORMAL_MIN_MEAN_OVER_SD * sigma {
                    return Err(DistError::new(
                        "mean",
                        format!(
                            "must be at least {NORMAL_MIN_MEAN_OVER_SD} × sd ({}) for a normal, \
                             which is truncated at 0 by redrawing negative values: with mean {} \
                             and sd {} fewer than one draw in a million is >= 0, so sampling \
                             would stall; for values mostly near 0 use exponential, gamma or \
                             lognormal",
                            Num(NORMAL_MIN_MEAN_OVER_SD * sigma),
                            Num(mu),
                            Num(sigma)
                        ),
                    ));
                }
                let sampler = rand_distr::Normal::new(mu, sigma).map_err(sampler_error("sd"))?;
                Dist::NormalTrunc { mu, sigma, sampler }.with_finite_moments("sd")
            }
            Family::LogNormal => {
                check.not_mixed(
                    [("mean", spec.mean), ("sd", spec.sd)],
                    [("mu", spec.mu), ("sigma", spec.sigma)],
                )?;
                let (mu, sigma, blame) = if spec.mu.is_some() || spec.sigma.is_some() {
                    let mu = check.finite(spec.mu, "mu")?;
                    let sigma = check.positive(spec.sigma, "sigma")?;
                    // The variance overflows through exp(sigma²) or through exp(2 mu).
                    let blame = if (sigma * sigma).exp().is_finite() {
                        "mu"
                    } else {
                        "sigma"
                    };
                    (mu, sigma, blame)
                } else {
                    let mean = check.positive(spec.mean, "mean")?;
                    let sd = check.positive(spec.sd, "sd")?;
                    // mean = exp(mu + sigma²/2) and (sd/mean)² = exp(sigma²) - 1.
                    let cv = sd / mean;
                    let sigma_sq = (cv * cv).ln_1p();
                    (mean.ln() - sigma_sq / 2.0, sigma_sq.sqrt(), "sd")
                };
                let sampler =
                    rand_distr::LogNormal::new(mu, sigma).map_err(sampler_error(blame))?;
                Dist::LogNormal { mu, sigma, sampler }.with_finite_moments(blame)
            }
            Family::Gamma => {
                check.not_mixed(
                    [("shape", spec.shape), ("scale", spec.scale)],
                    [("mean", spec.mean), ("sd", spec.sd)],
                )?;
                let (shape, scale, blame) = if spec.mean.is_some() || spec.sd.is_some() {
                    let mean = check.positive(spec.mean, "mean")?;
                    let sd = check.positive(spec.sd, "sd")?;
                    // mean = shape * scale and sd² = shape * scale².
                    let (shape, scale) = ((mean / sd).powi(2), sd * sd / mean);
                    if !(shape > 0.0 && shape.is_finite() && scale > 0.0 && scale.is_finite()) {
                        return Err(DistError::new(
                            "sd",
                            format!(
                                "= {} with mean = {} gives gamma shape {} and scale {}, which \
                                 are not finite numbers > 0; bring sd and mean closer in magnitude",
                                Num(sd),
                                Num(mean),
                                Num(shape),
                                Num(scale)
                            ),
                        ));
                    }
                    (shape, scale, "sd")
                } else {
                    let shape = check.positive(spec.shape, "shape")?;
                    let scale = check.positive(spec.scale, "scale")?;
                    (shape, scale, "scale")
                };
                let sampler = rand_distr::Gamma::new(shape, scale).map_err(sampler_error(blame))?;
                Dist::Gamma {
                    shape,
                    scale,
                    sampler,
                }
                .with_finite_moments(blame)
            }
            Family::Weibull => {
                let shape = check.positive(spec.shape, "shape")?;
                let scale = check.positive(spec.scale, "scale")?;
                if shape > WEIBULL_MAX_SHAPE {
                    return Err(DistError::new(
                        "shape",
                        format!(
                            "must be at most {WEIBULL_MAX_SHAPE}, got {}: the spread would be \
                             below 0.13% of the mean, too narrow for its variance to be computed \
                             accurately; use a normal or deterministic instead",
                            Num(shape)
                        ),
                    ));
                }
                let sampler =
                    rand_distr::Weibull::new(scale, shape).map_err(sampler_error("shape"))?;
                // A small shape makes Γ(1 + 2/shape) overflow; otherwise a huge scale is to blame.
                let blame = if gamma(1.0 + 2.0 / shape).is_finite() {
                    "scale"
                } else {
                    "shape"
                };
                Dist::Weibull {
                    shape,
                    scale,
                    sampler,
                }
                .with_finite_moments(blame)
            }
            Family::Empirical => empirical(spec, &check),
        }
    }

    /// Draws one value.
    // The two families on the hot path of a parcel world (several log-normal draws per parcel,
    // deterministic service times) are sampled inline; the rest go through one call.
    #[inline(always)]
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            // exp(mu + sigma z) as rand_distr::LogNormal draws it, with its ziggurat for z, but
            // both inline: the same stream, and within an ulp of libm's exp.
            Dist::LogNormal { mu, sigma, .. } => exp(mu + sigma * standard_normal(rng)),
            Dist::Deterministic(value) => *value,
            _ => self.sample_other(rng),
        }
    }

    /// [`sample`](Self::sample) for the families not drawn inline.
    #[inline(never)]
    fn sample_other<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Deterministic(value) => *value,
            Dist::Exponential { sampler, .. } => sampler.sample(rng),
            Dist::Uniform { sampler, .. } => sampler.sample(rng),
            Dist::Triangular { sampler, .. } => sampler.sample(rng),
            // With mean >= 0 at least half the normal draws are >= 0, so redrawing costs fewer
            // than two draws a sample (fewer than 1.2 for mean > sd). Below, the tail is drawn
            // by exponential rejection, whose acceptance stays above 0.7 however far 0 lies in
            // the tail: the cost of a sample never depends on the mean.
            Dist::NormalTrunc { mu, sampler, .. } if *mu >= 0.0 => loop {
                let x = sampler.sample(rng);
                if x >= 0.0 {
                    break x;
                }
            },
            Dist::NormalTrunc { mu, sigma, .. } => {
                mu + sigma * standard_normal_tail(-mu / sigma, rng)
            }
            Dist::LogNormal { sampler, .. } => sampler.sample(rng),
            Dist::Gamma { sampler, .. } => sampler.sample(rng),
            Dist::Weibull { sampler, .. } => sampler.sample(rng),
            Dist::Empirical {
                points,
                interpolate: false,
                ..
            } => points[rng.random_range(0..points.len())],
            Dist::Empirical {
                points,
                interpolate: true,
                ..
            } => {
                let segments = points.len() - 1;
                let t = rng.random::<f64>() * segments as f64;
                // t < segments already; the min guards the last segment against rounding.
                let i = (t as usize).min(segments - 1);
                let (lo, hi) = (points[i], points[i + 1]);
                lo + (t - i as f64) * (hi - lo)
            }
        }
    }

    /// Exact mean of what [`sample`](Self::sample) draws (for the truncated normal, the mean
    /// after truncation).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Deterministic(value) => *value,
            Dist::Exponential { mean, .. } => *mean,
            Dist::Uniform { min, max, .. } => (min + max) / 2.0,
            Dist::Triangular { min, mode, max, .. } => (min + mode + max) / 3.0,
            Dist::NormalTrunc { mu, sigma, .. } => truncated_normal_moments(*mu, *sigma).0,
            Dist::LogNormal { mu, sigma, .. } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Gamma { shape, scale, .. } => shape * scale,
            Dist::Weibull { shape, scale, .. } => scale * gamma(1.0 + 1.0 / shape),
            Dist::Empirical { mean, .. } => *mean,
        }
    }

    /// Exact variance of what [`sample`](Self::sample) draws (for the truncated normal, the
    /// variance after truncation).
    pub fn variance(&self) -> f64 {
        match self {
            Dist::Deterministic(_) => 0.0,
            Dist::Exponential { mean, .. } => mean * mean,
            Dist::Uniform { min, max, .. } => (max - min).powi(2) / 12.0,
            Dist::Triangular { min, mode, max, .. } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
            Dist::NormalTrunc { mu, sigma, .. } => truncated_normal_moments(*mu, *sigma).1,
            Dist::LogNormal { mu, sigma, .. } => {
                let sigma_sq = sigma * sigma;
                sigma_sq.exp_m1() * (2.0 * mu + sigma_sq).exp()
            }
            Dist::Gamma { shape, scale, .. } => shape * scale * scale,
            Dist::Weibull { shape, scale, .. } => {
                let g1 = gamma(1.0 + 1.0 / shape);
                scale * scale * (gamma(1.0 + 2.0 / shape) - g1 * g1)
            }
            Dist::Empirical { variance, .. } => *variance,
        }
    }

    /// Whether no draw can be negative (the smallest value of the support is `>= 0`), as a
    /// delay or a weight requires.
    pub fn is_nonnegative(&self) -> bool {
        match self {
            Dist::Deterministic(value) => *value >= 0.0,
            Dist::Uniform { min, .. } | Dist::Triangular { min, .. } => *min >= 0.0,
            Dist::Empirical { points, .. } => points[0] >= 0.0,
            Dist::Exponential { .. }
            | Dist::NormalTrunc { .. }
            | Dist::LogNormal { .. }
            | Dist::Gamma { .. }
            | Dist::Weibull { .. } => true,
        }
    }

    /// Always `value`.
    ///
    /// # Panics
    ///
    /// If `value` is not finite.
    pub fn deterministic(value: f64) -> Dist {
        assert!(
            value.is_finite(),
            "Dist::deterministic: value must be finite, got {value}"
        );
        Dist::Deterministic(value)
    }

    /// Exponential with the given mean.
    ///
    /// # Panics
    ///
    /// If `mean` is not a finite number `> 0`.
    pub fn exponential(mean: f64) -> Dist {
        let spec = DistSpec {
            dist: Family::Exponential.name().to_owned(),
            mean: Some(mean),
            ..DistSpec::default()
        };
        Dist::from_spec(&spec).unwrap_or_else(|e| panic!("Dist::exponential: {e}"))
    }

    /// Rejects parameters whose mean or variance overflows, naming `key` as the cause.
    fn with_finite_moments(self, key: &'static str) -> Result<Dist, DistError> {
        let (mean, variance) = (self.mean(), self.variance());
        if mean.is_finite() && variance.is_finite() {
            Ok(self)
        } else {
            Err(DistError::new(
                key,
                format!(
                    "makes the mean ({}) or variance ({}) too large to represent; \
                     use less extreme parameters or a larger unit",
                    Num(mean),
                    Num(variance)
                ),
            ))
        }
    }
}

/// `2^(j / 64)` for `j` in `0..64`, as bits, correctly rounded (computed to 40 digits with
/// Python's `decimal`: `float((Decimal(2).ln() * j / 64).exp())`).
#[rustfmt::skip]
const EXP2_64THS: [u64; 64] = [
    0x3ff0000000000000, 0x3ff02c9a3e778061, 0x3ff059b0d3158574, 0x3ff0874518759bc8,
    0x3ff0b5586cf9890f, 0x3ff0e3ec32d3d1a2, 0x3ff11301d0125b51, 0x3ff1429aaea92de0,
    0x3ff172b83c7d517b, 0x3ff1a35beb6fcb75, 0x3ff1d4873168b9aa, 0x3ff2063b88628cd6,
    0x3ff2387a6e756238, 0x3ff26b4565e27cdd, 0x3ff29e9df51fdee1, 0x3ff2d285a6e4030b,
    0x3ff306fe0a31b715, 0x3ff33c08b26416ff, 0x3ff371a7373aa9cb, 0x3ff3a7db34e59ff7,
    0x3ff3dea64c123422, 0x3ff4160a21f72e2a, 0x3ff44e086061892d, 0x3ff486a2b5c13cd0,
    0x3ff4bfdad5362a27, 0x3ff4f9b2769d2ca7, 0x3ff5342b569d4f82, 0x3ff56f4736b527da,
    0x3ff5ab07dd485429, 0x3ff5e76f15ad2148, 0x3ff6247eb03a5585, 0x3ff6623882552225,
    0x3ff6a09e667f3bcd, 0x3ff6dfb23c651a2f, 0x3ff71f75e8ec5f74, 0x3ff75feb564267c9,
    0x3ff7a11473eb0187, 0x3ff7e2f336cf4e62, 0x3ff82589994cce13, 0x3ff868d99b4492ed,
    0x3ff8ace5422aa0db, 0x3ff8f1ae99157736, 0x3ff93737b0cdc5e5, 0x3ff97d829fde4e50,
    0x3ff9c49182a3f090, 0x3ffa0c667b5de565, 0x3ffa5503b23e255d, 0x3ffa9e6b5579fdbf,
    0x3ffae89f995ad3ad, 0x3ffb33a2b84f15fb, 0x3ffb7f76f2fb5e47, 0x3ffbcc1e904bc1d2,
    0x3ffc199bdd85529c, 0x3ffc67f12e57d14b, 0x3ffcb720dcef9069, 0x3ffd072d4a07897c,
    0x3ffd5818dcfba487, 0x3ffda9e603db3285, 0x3ffdfc97337b9b5f, 0x3ffe502ee78b3ff6,
    0x3ffea4afa2a490da, 0x3ffefa1bee615a27, 0x3fff50765b6e4540, 0x3fffa7c1819e90d8,
];

/// `e^x`, within an ulp of the exact value: about 30 instructions inline where libm's
/// `exp` costs some 60 and a call. Every log-normal draw ends in one, several per parcel.
///
/// `x = (64 k + j) ln2/64 + r` with `|r| <= ln2/128`; then `e^x = 2^k 2^(j/64) e^r`, the middle
/// factor from a table and `e^r` from its Taylor polynomial of degree 5 (the remainder,
/// `r^6/720 < 4e-17`, is below a third of an ulp). Plain multiplications and additions, no fused
/// multiply-add, so the result is the same on every platform. Arguments that overflow,
/// underflow, or are not numbers go to libm.
#[inline(always)]
fn exp(x: f64) -> f64 {
    // |x| < 708 keeps 2^k a normal number; NaN fails the test too.
    if x.abs() < 708.0 {
        exp_by_table(x)
    } else {
        exp_libm(x)
    }
}

/// [`exp`] for `|x| < 708`.
#[inline(always)]
fn exp_by_table(x: f64) -> f64 {
    const INV_STEP: f64 = 64.0 / std::f64::consts::LN_2;
    // ln2/64 split so that n * STEP_HI is exact for |n| < 2^16 (Cody and Waite): fdlibm's
    // ln2_hi (the top 32 bits of ln 2) and ln2_lo (the rest), over 64.
    const STEP_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000) / 64.0;
    const STEP_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76) / 64.0;
    // Adding 1.5 * 2^52 rounds to an integer, which then sits in the low bits.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let shifted = x * INV_STEP + SHIFT;
    let n = shifted.to_bits() as i32;
    let nf = shifted - SHIFT;
    let r = (x - nf * STEP_HI) - nf * STEP_LO;
    // e^r - 1, so that the last rounding is of a sum dominated by its exact first term.
    let expm1 = r + r * r * (1.0 / 2.0 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0))));
    let scale = f64::from_bits(((i64::from(n >> 6) + 1023) as u64) << 52);
    let base = f64::from_bits(EXP2_64THS[(n & 63) as usize]) * scale;
    base + base * expm1
}

#[cold]
#[inline(never)]
fn exp_libm(x: f64) -> f64 {
    x.exp()
}

/// Requires `min < max`, as uniform and triangular do.
fn check_range(min: f64, max: f64) -> Result<(), DistError> {
    if min == max {
        return Err(DistError::new(
            "max",
            format!(
                "must be greater than min, got min = max = {0}; for a fixed value use \
                 {{ dist = \"deterministic\", value = {0} }}",
                Num(max)
            ),
        ));
    }
    if min > max {
        return Err(DistError::new(
            "max",
            format!("must be greater than min ({}), got {}", Num(min), Num(max)),
        ));
    }
    Ok(())
}

/// Validates the `empirical` family: points sorted, mean and variance computed once.
fn empirical(spec: &DistSpec, check: &Check) -> Result<Dist, DistError> {
    let interpolate = spec.interpolate.unwrap_or(false);
    let Some(given) = &spec.points else {
        return Err(check.missing("points"));
    };
    if given.is_empty() {
        return Err(DistError::new(
            "points",
            "must hold at least one number, got []",
        ));
    }
    if let Some((i, x)) = given.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(DistError::new(
            format!("points[{i}]"),
            format!("must be a finite number, got {}", Num(*x)),
        ));
    }
    if interpolate && given.len() < 2 {
        return Err(DistError::new(
            "points",
            format!(
                "must hold at least two numbers when interpolate = true, got {}; \
                 add points or set interpolate = false",
                given.len()
            ),
        ));
    }
    let mut points = given.clone();
    points.sort_by(f64::total_cmp);
    let (mean, variance) = if interpolate {
        // Each of the n - 1 segments carries probability 1/(n - 1), uniform within it; the
        // variance adds the spread of segment midpoints to the spread inside each segment.
        let segments = (points.len() - 1) as f64;
        let mean = points.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum::<f64>() / segments;
        let variance = points
            .windows(2)
            .map(|w| ((w[0] + w[1]) / 2.0 - mean).powi(2) + (w[1] - w[0]).powi(2) / 12.0)
            .sum::<f64>()
            / segments;
        (mean, variance)
    } else {
        let n = points.len() as f64;
        let mean = points.iter().sum::<f64>() / n;
        let variance = points.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        (mean, variance)
    };
    Dist::Empirical {
        points: points.into(),
        interpolate,
        mean,
        variance,
    }
    .with_finite_moments("points")
}

/// Mean and variance of a normal with mean `mu` and standard deviation `sigma` conditioned on
/// being `>= 0` (the standard truncated-normal formulas with the inverse Mills ratio).
/// A standard normal conditioned on being `>= a` (`a >= 0`), by Robert's (1995) rejection
/// from a shifted exponential with the optimal rate: at most about 1.4 tries a draw for every
/// `a`, where redrawing the normal would need `1 / P(Z >= a)` (a million at `a = 4.75`).
fn standard_normal_tail<R: rand::Rng + ?Sized>(a: f64, rng: &mut R) -> f64 {
    let rate = (a + (a * a + 4.0).sqrt()) / 2.0;
    loop {
        let e: f64 = rng.sample(rand_distr::Exp1);
        let z = a + e / rate;
        let u: f64 = rng.random();
        if u <= (-(z - rate) * (z - rate) / 2.0).exp() {
            break z;
        }
    }
}

fn truncated_normal_moments(mu: f64, sigma: f64) -> (f64, f64) {
    let alpha = -mu / sigma;
    let pdf = (-alpha * alpha / 2.0).exp() / (2.0 * PI).sqrt();
    // erfc keeps the upper tail accurate where 1 - Φ(alpha) would cancel.
    let upper_tail = erfc(alpha / SQRT_2) / 2.0;
    let mills = pdf / upper_tail;
    let mean = mu + sigma * mills;
    let variance = sigma * sigma * (1.0 + alpha * mills - mills * mills);
    (mean, variance)
}

/// Turns a sampler's constructor error, which validation should already have ruled out, into
/// a [`DistError`] rather than a panic.
fn sampler_error<E: fmt::Display>(key: &'static str) -> impl FnOnce(E) -> DistError {
    move |e| DistError::new(key, format!("is out of range for sampling: {e}"))
}

/// A number in an error message: as written for ordinary magnitudes, in exponent form for
/// extreme ones so that `1e300` is not printed with three hundred digits.
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.abs();
        if self.0 != 0.0 && self.0.is_finite() && !(1e-4..1e15).contains(&magnitude) {
            write!(f, "{:e}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// The distribution families a spec can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Deterministic,
    Exponential,
    Uniform,
    Triangular,
    Normal,
    LogNormal,
    Gamma,
    Weibull,
    Empirical,
}

impl Family {
    const ALL: [Family; 9] = [
        Family::Deterministic,
        Family::Exponential,
        Family::Uniform,
        Family::Triangular,
        Family::Normal,
        Family::LogNormal,
        Family::Gamma,
        Family::Weibull,
        Family::Empirical,
    ];

    fn from_name(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The spelling in a scenario file.
    fn name(self) -> &'static str {
        match self {
            Family::Deterministic => "deterministic",
            Family::Exponential => "exponential",
            Family::Uniform => "uniform",
            Family::Triangular => "triangular",
            Family::Normal => "normal",
            Family::LogNormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
            Family::Empirical => "empirical",
        }
    }

    /// Every key the family may be given.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Family::Deterministic => &["value"],
            Family::Exponential => &["mean"],
            Family::Uniform => &["min", "max"],
            Family::Triangular => &["min", "mode", "max"],
            Family::Normal => &["mean", "sd"],
            Family::LogNormal => &["mean", "sd", "mu", "sigma"],
            Family::Gamma => &["shape", "scale", "mean", "sd"],
            Family::Weibull => &["shape", "scale"],
            Family::Empirical => &["points", "interpolate"],
        }
    }

    /// The keys as a user should write them, for error messages.
    fn takes(self) -> &'static str {
        match self {
            Family::Deterministic => "value",
            Family::Exponential => "mean",
            Family::Uniform => "min, max",
            Family::Triangular => "min, mode, max",
            Family::Normal => "mean, sd",
            Family::LogNormal => "mean and sd, or mu and sigma",
            Family::Gamma => "shape and scale, or mean and sd",
            Family::Weibull => "shape, scale",
            Family::Empirical => "points, and optionally interpolate",
        }
    }
}

/// Checks on the individual parameters of one family's spec.
struct Check {
    family: Family,
}

impl Check {
    fn missing(&self, key: &'static str) -> DistError {
        DistError::new(
            key,
            format!(
                "is required; {} takes: {}",
                self.family.name(),
                self.family.takes()
            ),
        )
    }

    /// A given, finite number.
    fn finite(&self, value: Option<f64>, key: &'static str) -> Result<f64, DistError> {
        match value {
            None => Err(self.missing(key)),
            Some(x) if x.is_finite() => Ok(x),
            Some(x) => Err(DistError::new(
                key,
                format!("must be a finite number, got {}", Num(x)),
            )),
        }
    }

    /// A given, finite number `> 0`.
    fn positive(&self, value: Option<f64>, key: &'static str) -> Result<f64, DistError> {
        match value {
            None => Err(self.missing(key)),
            Some(x) if x.is_finite() && x > 0.0 => Ok(x),
            Some(x) => Err(DistError::new(
                key,
                format!("must be a finite number > 0, got {}", Num(x)),
            )),
        }
    }

    /// For families with two alternative parameter pairs: rejects a spec that mixes them.
    fn not_mixed(
        &self,
        first: [(&'static str, Option<f64>); 2],
        second: [(&'static str, Option<f64>); 2],
    ) -> Result<(), DistError> {
        let given = |pair: [(&'static str, Option<f64>); 2]| {
            pair.into_iter().find(|(_, v)| v.is_some()).map(|(k, _)| k)
        };
        match (given(first), given(second)) {
            (Some(a), Some(b)) => Err(DistError::new(
                b,
                format!(
                    "cannot be combined with {a}; {} takes: {}",
                    self.family.name(),
                    self.family.takes()
                ),
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    /// Draws per statistical check.
    const N: usize = 200_000;
    /// Width of the acceptance band in standard errors; under a normal approximation a correct
    /// implementation fails one check in about two million.
    const Z: f64 = 5.0;

    #[derive(serde::Deserialize)]
    struct Station {
        service: DistSpec,
    }

    /// Reads an inline table exactly as a scenario file would hold it.
    fn parse(inline: &str) -> DistSpec {
        toml::from_str::<Station>(&format!("service = {inline}"))
            .unwrap_or_else(|e| panic!("{inline} does not parse: {e}"))
            .service
    }

    fn dist(inline: &str) -> Dist {
        Dist::from_spec(&parse(inline)).unwrap_or_else(|e| panic!("{inline} rejected: {e}"))
    }

    fn rejection(inline: &str) -> DistError {
        match Dist::from_spec(&parse(inline)) {
            Ok(d) => panic!("{inline} was accepted as {d:?}"),
            Err(e) => e,
        }
    }

    /// `E[(X - mean)^4]` of what `sample` draws, from closed forms, for the standard error of
    /// the sample variance.
    fn fourth_central_moment(d: &Dist) -> f64 {
        let m = d.mean();
        let var = d.variance();
        // E[(X-m)^4] from the raw moments [E[X^2], E[X^3], E[X^4]].
        let from_raw =
            |[x2, x3, x4]: [f64; 3]| x4 - 4.0 * m * x3 + 6.0 * m * m * x2 - 3.0 * m.powi(4);
        match d {
            Dist::Deterministic(_) => 0.0,
            Dist::Exponential { mean, .. } => 9.0 * mean.powi(4),
            Dist::Uniform { min, max, .. } => (max - min).powi(4) / 80.0,
            // Excess kurtosis of every triangular distribution is -3/5.
            Dist::Triangular { .. } => 2.4 * var * var,
            Dist::NormalTrunc { mu, sigma, .. } => {
                // Raw moments of Z | Z >= a for a standard normal Z:
                // m_k = (k - 1) m_{k-2} + a^{k-1} φ(a) / (1 - Φ(a)).
                let a = -mu / sigma;
                let mills = (-a * a / 2.0).exp() / (2.0 * PI).sqrt() / (erfc(a / SQRT_2) / 2.0);
                let mut z = [1.0, mills, 0.0, 0.0, 0.0];
                for k in 2..=4 {
                    z[k] = (k - 1) as f64 * z[k - 2] + a.powi(k as i32 - 1) * mills;
                }
                let c4 = z[4] - 4.0 * z[1] * z[3] + 6.0 * z[1] * z[1] * z[2] - 3.0 * z[1].powi(4);
                sigma.powi(4) * c4
            }
            Dist::LogNormal { mu, sigma, .. } => {
                from_raw([2.0, 3.0, 4.0].map(|k| (k * mu + k * k * sigma * sigma / 2.0).exp()))
            }
            Dist::Gamma { shape, scale, .. } => 3.0 * shape * (shape + 2.0) * scale.powi(4),
            Dist::Weibull { shape, scale, .. } => {
                from_raw([2.0, 3.0, 4.0].map(|k| scale.powf(k) * gamma(1.0 + k / shape)))
            }
            Dist::Empirical {
                points,
                interpolate: false,
                ..
            } => points.iter().map(|x| (x - m).powi(4)).sum::<f64>() / points.len() as f64,
            Dist::Empirical {
                points,
                interpolate: true,
                ..
            } => {
                // Each segment is uniform on [a, b] with probability 1/(n - 1).
                let segment = |a: f64, b: f64| {
                    if a == b {
                        (a - m).powi(4)
                    } else {
                        ((b - m).powi(5) - (a - m).powi(5)) / (5.0 * (b - a))
                    }
                };
                points.windows(2).map(|w| segment(w[0], w[1])).sum::<f64>()
                    / (points.len() - 1) as f64
            }
        }
    }

    /// Draws N values and checks that the sample mean and the sample variance fall within Z
    /// standard errors of `mean()` and `variance()`. The standard errors come from N and the
    /// exact moments: sqrt(σ²/N) for the mean, sqrt(μ₄/N - σ⁴(N-3)/(N(N-1))) for the unbiased
    /// sample variance.
    fn assert_draws_match_moments(inline: &str, seed: u64) {
        let d = dist(inline);
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let draws: Vec<f64> = (0..N).map(|_| d.sample(&mut rng)).collect();
        let n = N as f64;
        let (mean, var, mu4) = (d.mean(), d.variance(), fourth_central_moment(&d));
        assert!(
            mean.is_finite() && var >= 0.0 && mu4 >= 0.0,
            "{inline}: {mean} {var} {mu4}"
        );
        if var == 0.0 {
            assert!(draws.iter().all(|&x| x == mean), "{inline}: draws differ");
            return;
        }
        let sample_mean = draws.iter().sum::<f64>() / n;
        let sample_var = draws.iter().map(|x| (x - sample_mean).powi(2)).sum::<f64>() / (n - 1.0);
        let se_mean = (var / n).sqrt();
        let se_var = (mu4 / n - var * var * (n - 3.0) / (n * (n - 1.0))).sqrt();
        assert!(
            (sample_mean - mean).abs() <= Z * se_mean,
            "{inline}: sample mean {sample_mean}, expected {mean} ± {}",
            Z * se_mean
        );
        assert!(
            (sample_var - var).abs() <= Z * se_var,
            "{inline}: sample variance {sample_var}, expected {var} ± {}",
            Z * se_var
        );
        if d.is_nonnegative() {
            assert!(draws.iter().all(|&x| x >= 0.0), "{inline}: negative draw");
        }
    }

    fn assert_all_match(cases: &[&str]) {
        for (seed, inline) in cases.iter().enumerate() {
            assert_draws_match_moments(inline, seed as u64);
        }
    }

    fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "{what}: got {actual}, expected {expected}"
        );
    }

    // ---- draws match the stated mean and variance ----

    #[test]
    fn deterministic_draws_its_value() {
        assert_all_match(&[
            r#"{ dist = "deterministic", value = 2.5 }"#,
            r#"{ dist = "deterministic", value = 0 }"#,
            r#"{ dist = "deterministic", value = -0.1 }"#,
        ]);
    }

    #[test]
    fn exponential_draws_match_mean_and_variance() {
        assert_all_match(&[
            r#"{ dist = "exponential", mean = 1 }"#,
            r#"{ dist = "exponential", mean = 0.25 }"#,
            r#"{ dist = "exponential", mean = 40 }"#,
        ]);
    }

    #[test]
    fn uniform_draws_match_mean_and_variance() {
        assert_all_match(&[
            r#"{ dist = "uniform", min = 0, max = 1 }"#,
            r#"{ dist = "uniform", min = 2.5, max = 7 }"#,
            r#"{ dist = "uniform", min = -3, max = -1 }"#,
        ]);
    }

    #[test]
    fn triangular_draws_match_mean_and_variance() {
        assert_all_match(&[
            r#"{ dist = "triangular", min = 0, mode = 1, max = 3 }"#,
            r#"{ dist = "triangular", min = 2, mode = 2, max = 5 }"#,
            r#"{ dist = "triangular", min = 1, mode = 4, max = 4 }"#,
            r#"{ dist = "triangular", min = -1, mode = 0, max = 1 }"#,
        ]);
    }

    #[test]
    fn truncated_normal_draws_match_truncated_mean_and_variance() {
        assert_all_match(&[
            r#"{ dist = "normal", mean = 5, sd = 1 }"#,
            r#"{ dist = "normal", mean = 1, sd = 1 }"#,
            r#"{ dist = "normal", mean = 0, sd = 2 }"#,
            r#"{ dist = "normal", mean = -2, sd = 1 }"#,
        ]);
    }

    /// The tail far below the mean is drawn at the cost of any other draw: on the old redrawing
    /// sampler this took a million normal draws per value and never finished a run.
    #[test]
    fn a_normal_whose_mean_is_far_below_zero_draws_in_bounded_time() {
        let start = std::time::Instant::now();
        assert_all_match(&[
            r#"{ dist = "normal", mean = -4.75, sd = 1 }"#,
            r#"{ dist = "normal", mean = -9, sd = 2 }"#,
            r#"{ dist = "normal", mean = -0.1, sd = 3 }"#,
        ]);
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }

    #[test]
    fn inline_exp_is_within_two_ulp_of_libm() {
        let ulps = |a: f64, b: f64| (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs();
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        let wide = (0..1_000_000).map(|_| rng.random_range(-750.0..750.0));
        let mut rng = Pcg64Mcg::seed_from_u64(4);
        let narrow = (0..1_000_000).map(|_| rng.random_range(-12.0..12.0));
        let edges = [
            0.0, -0.0, 1.0, -1.0, 1e-300, 707.99, -707.99, 708.0, -708.0, 709.7,
        ];
        for x in wide.chain(narrow).chain(edges) {
            assert!(
                ulps(exp(x), x.exp()) <= 2,
                "exp({x}) = {} vs {}",
                exp(x),
                x.exp()
            );
        }
        for (j, bits) in EXP2_64THS.iter().enumerate() {
            let libm = (j as f64 / 64.0).exp2();
            assert!(ulps(f64::from_bits(*bits), libm) <= 1, "2^({j}/64)");
        }
        assert_eq!(exp(1000.0), f64::INFINITY);
        assert_eq!(exp(-1000.0), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
    }

    #[test]
    fn lognormal_draws_match_mean_and_variance() {
        assert_all_match(&[
            r#"{ dist = "lognormal", mean = 2, sd = 4 }"#,
            r#"{ dist = "lognormal", mean = 1, sd = 0.5 }"#,
            r#"{ dist = "lognormal", mu = 0, sigma = 0.25 }"#,
            r#"{ dist = "lognormal", mu = 1, sigma = 1 }"#,
        ]);
    }

    #[test]
    fn gamma_draws_match_mean_and_variance() {
        assert_all_match(&[
            r#"{ dist = "gamma", shape = 0.5, scale = 2 }"#,
            r#"{ dist = "gamma", shape = 0.2, scale = 1 }"#,
            r#"{ dist = "gamma", shape = 1, scale = 3 }"#,
            r#"{ dist = "gamma", shape = 3, scale = 0.5 }"#,
            r#"{ dist = "gamma", mean = 2, sd = 1 }"#,
            r#"{ dist = "gamma", mean = 1, sd = 3 }"#,
        ]);
    }

    #[test]
    fn weibull_draws_match_mean_and_variance() {
        assert_all_match(&[
            r#"{ dist = "weibull", shape = 0.5, scale = 1 }"#,
            r#"{ dist = "weibull", shape = 0.8, scale = 2 }"#,
            r#"{ dist = "weibull", shape = 1, scale = 3 }"#,
            r#"{ dist = "weibull", shape = 2.5, scale = 1 }"#,
            r#"{ dist = "weibull", shape = 10, scale = 5 }"#,
        ]);
    }

    #[test]
    fn empirical_resampling_draws_match_mean_and_variance() {
        assert_all_match(&[
            r#"{ dist = "empirical", points = [1, 2, 2, 3, 10] }"#,
            r#"{ dist = "empirical", points = [-1, 0.5, 3], interpolate = false }"#,
            r#"{ dist = "empirical", points = [4] }"#,
        ]);
    }

    #[test]
    fn empirical_interpolated_draws_match_mean_and_variance() {
        assert_all_match(&[
            r#"{ dist = "empirical", points = [0, 1], interpolate = true }"#,
            r#"{ dist = "empirical", points = [10, 1, 2, 3, 2], interpolate = true }"#,
            r#"{ dist = "empirical", points = [5, 1, 3, 3], interpolate = true }"#,
        ]);
    }

    // ---- moments against values known independently of the formulas above ----

    #[test]
    fn half_normal_has_textbook_moments() {
        let d = dist(r#"{ dist = "normal", mean = 0, sd = 1 }"#);
        assert_close(d.mean(), (2.0 / PI).sqrt(), "mean");
        assert_close(d.variance(), 1.0 - 2.0 / PI, "variance");
    }

    #[test]
    fn normal_far_above_zero_is_barely_truncated() {
        let d = dist(r#"{ dist = "normal", mean = 10, sd = 1 }"#);
        assert_close(d.mean(), 10.0, "mean");
        assert_close(d.variance(), 1.0, "variance");
    }

    #[test]
    fn lognormal_and_gamma_given_mean_and_sd_have_that_mean_and_sd() {
        for family in ["lognormal", "gamma"] {
            for (mean, sd) in [(2.0, 4.0), (1.0, 0.5), (30.0, 1.0)] {
                let d = dist(&format!(
                    "{{ dist = \"{family}\", mean = {mean}, sd = {sd} }}"
                ));
                assert_close(d.mean(), mean, family);
                assert_close(d.variance().sqrt(), sd, family);
            }
        }
    }

    #[test]
    fn weibull_with_shape_one_is_exponential() {
        let d = dist(r#"{ dist = "weibull", shape = 1, scale = 3 }"#);
        assert_close(d.mean(), 3.0, "mean");
        assert_close(d.variance(), 9.0, "variance");
    }

    #[test]
    fn simple_distributions_have_textbook_moments() {
        let d = dist(r#"{ dist = "uniform", min = 2, max = 8 }"#);
        assert_close(d.mean(), 5.0, "uniform mean");
        assert_close(d.variance(), 3.0, "uniform variance");
        let d = dist(r#"{ dist = "triangular", min = 0, mode = 0, max = 6 }"#);
        assert_close(d.mean(), 2.0, "triangular mean");
        assert_close(d.variance(), 2.0, "triangular variance");
        let d = dist(r#"{ dist = "empirical", points = [3, 1, 2] }"#);
        assert_close(d.mean(), 2.0, "empirical mean");
        assert_close(d.variance(), 2.0 / 3.0, "empirical variance");
        // Uniform on [0, 1] with probability 1/2, uniform on [1, 3] with probability 1/2.
        let d = dist(r#"{ dist = "empirical", points = [3, 0, 1], interpolate = true }"#);
        assert_close(d.mean(), 1.25, "interpolated mean");
        assert_close(
            d.variance(),
            1.0 / 24.0 + 1.0 / 6.0 + 0.5625,
            "interpolated variance",
        );
    }

    // ---- sampling ----

    #[test]
    fn bounded_distributions_draw_within_their_bounds() {
        let cases = [
            (r#"{ dist = "uniform", min = 2, max = 3 }"#, 2.0, 3.0),
            (
                r#"{ dist = "triangular", min = -1, mode = 0, max = 1 }"#,
                -1.0,
                1.0,
            ),
            (r#"{ dist = "empirical", points = [4, 7, 5] }"#, 4.0, 7.0),
            (
                r#"{ dist = "empirical", points = [4, 7, 5], interpolate = true }"#,
                4.0,
                7.0,
            ),
        ];
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        for (inline, lo, hi) in cases {
            let d = dist(inline);
            assert!(
                (0..10_000).all(|_| (lo..=hi).contains(&d.sample(&mut rng))),
                "{inline}"
            );
        }
    }

    #[test]
    fn empirical_resampling_draws_only_the_points() {
        let d = dist(r#"{ dist = "empirical", points = [4, 7, 5] }"#);
        let mut rng = Pcg64Mcg::seed_from_u64(8);
        assert!((0..10_000).all(|_| [4.0, 5.0, 7.0].contains(&d.sample(&mut rng))));
    }

    #[test]
    fn empirical_points_are_stored_sorted() {
        let Dist::Empirical { points, .. } =
            dist(r#"{ dist = "empirical", points = [3, -1, 2, 2] }"#)
        else {
            panic!("not empirical");
        };
        assert_eq!(&points[..], &[-1.0, 2.0, 2.0, 3.0]);
    }

    #[test]
    fn same_seed_gives_identical_draws() {
        let d = dist(r#"{ dist = "gamma", shape = 0.5, scale = 2 }"#);
        let draws = |seed| {
            let mut rng = Pcg64Mcg::seed_from_u64(seed);
            (0..1000).map(|_| d.sample(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draws(42), draws(42));
        assert_ne!(draws(42), draws(43));
    }

    #[test]
    fn nonnegativity_follows_the_support() {
        let cases = [
            (r#"{ dist = "deterministic", value = 0 }"#, true),
            (r#"{ dist = "deterministic", value = -1 }"#, false),
            (r#"{ dist = "uniform", min = 0, max = 1 }"#, true),
            (r#"{ dist = "uniform", min = -0.5, max = 1 }"#, false),
            (
                r#"{ dist = "triangular", min = -1, mode = 0, max = 1 }"#,
                false,
            ),
            (r#"{ dist = "empirical", points = [2, -3] }"#, false),
            (
                r#"{ dist = "empirical", points = [2, 0], interpolate = true }"#,
                true,
            ),
            (r#"{ dist = "exponential", mean = 1 }"#, true),
            (r#"{ dist = "normal", mean = -1, sd = 1 }"#, true),
            (r#"{ dist = "lognormal", mu = -3, sigma = 1 }"#, true),
            (r#"{ dist = "gamma", shape = 2, scale = 1 }"#, true),
            (r#"{ dist = "weibull", shape = 2, scale = 1 }"#, true),
        ];
        for (inline, expected) in cases {
            assert_eq!(dist(inline).is_nonnegative(), expected, "{inline}");
        }
    }

    #[test]
    fn constructors_match_the_spec_form() {
        assert_eq!(
            Dist::exponential(2.0),
            dist(r#"{ dist = "exponential", mean = 2 }"#)
        );
        assert_eq!(
            Dist::deterministic(-1.5),
            dist(r#"{ dist = "deterministic", value = -1.5 }"#)
        );
        assert_eq!(Dist::exponential(2.0).mean(), 2.0);
    }

    #[test]
    #[should_panic(expected = "`mean` must be a finite number > 0, got 0")]
    fn exponential_constructor_rejects_zero_mean() {
        let _ = Dist::exponential(0.0);
    }

    #[test]
    #[should_panic(expected = "value must be finite")]
    fn deterministic_constructor_rejects_nan() {
        let _ = Dist::deterministic(f64::NAN);
    }

    // ---- validation ----

    #[test]
    fn invalid_specs_are_rejected_naming_the_offending_key() {
        let cases = [
            // unknown distribution, foreign keys
            (r#"{ dist = "expo", mean = 1 }"#, "dist"),
            (r#"{ dist = "Exponential", mean = 1 }"#, "dist"),
            (r#"{ dist = "exponential", mean = 1, mode = 2 }"#, "mode"),
            (r#"{ dist = "deterministic", value = 1, mean = 1 }"#, "mean"),
            (
                r#"{ dist = "uniform", min = 0, max = 1, mode = 0.5 }"#,
                "mode",
            ),
            (r#"{ dist = "normal", mean = 1, sd = 1, mu = 0 }"#, "mu"),
            (
                r#"{ dist = "lognormal", mean = 1, sd = 1, scale = 2 }"#,
                "scale",
            ),
            (
                r#"{ dist = "weibull", shape = 1, scale = 1, mean = 1 }"#,
                "mean",
            ),
            (r#"{ dist = "empirical", points = [1], mean = 1 }"#, "mean"),
            (
                r#"{ dist = "exponential", mean = 1, interpolate = true }"#,
                "interpolate",
            ),
            // deterministic: any finite value
            (r#"{ dist = "deterministic" }"#, "value"),
            (r#"{ dist = "deterministic", value = nan }"#, "value"),
            (r#"{ dist = "deterministic", value = -inf }"#, "value"),
            // exponential
            (r#"{ dist = "exponential" }"#, "mean"),
            (r#"{ dist = "exponential", mean = 0 }"#, "mean"),
            (r#"{ dist = "exponential", mean = -1 }"#, "mean"),
            (r#"{ dist = "exponential", mean = nan }"#, "mean"),
            (r#"{ dist = "exponential", mean = inf }"#, "mean"),
            (r#"{ dist = "exponential", mean = 1e300 }"#, "mean"),
            // uniform
            (r#"{ dist = "uniform", max = 1 }"#, "min"),
            (r#"{ dist = "uniform", min = nan, max = 1 }"#, "min"),
            (r#"{ dist = "uniform", min = 0, max = inf }"#, "max"),
            (r#"{ dist = "uniform", min = 2, max = 2 }"#, "max"),
            (r#"{ dist = "uniform", min = 3, max = 2 }"#, "max"),
            (r#"{ dist = "uniform", min = -1e308, max = 1e308 }"#, "max"),
            // triangular
            (r#"{ dist = "triangular", min = 0, max = 2 }"#, "mode"),
            (
                r#"{ dist = "triangular", min = 0, mode = -1, max = 2 }"#,
                "mode",
            ),
            (
                r#"{ dist = "triangular", min = 0, mode = 3, max = 2 }"#,
                "mode",
            ),
            (
                r#"{ dist = "triangular", min = 1, mode = 1, max = 1 }"#,
                "max",
            ),
            (
                r#"{ dist = "triangular", min = 2, mode = 1, max = 0 }"#,
                "max",
            ),
            (
                r#"{ dist = "triangular", min = 0, mode = nan, max = 2 }"#,
                "mode",
            ),
            // normal
            (r#"{ dist = "normal", mean = 1 }"#, "sd"),
            (r#"{ dist = "normal", sd = 1 }"#, "mean"),
            (r#"{ dist = "normal", mean = 1, sd = 0 }"#, "sd"),
            (r#"{ dist = "normal", mean = 1, sd = -1 }"#, "sd"),
            (r#"{ dist = "normal", mean = inf, sd = 1 }"#, "mean"),
            (r#"{ dist = "normal", mean = -5, sd = 1 }"#, "mean"),
            (r#"{ dist = "normal", mean = -48, sd = 10 }"#, "mean"),
            // lognormal: exactly one of (mean, sd) or (mu, sigma)
            (r#"{ dist = "lognormal" }"#, "mean"),
            (r#"{ dist = "lognormal", mean = 1 }"#, "sd"),
            (r#"{ dist = "lognormal", sd = 1 }"#, "mean"),
            (r#"{ dist = "lognormal", sigma = 1 }"#, "mu"),
            (r#"{ dist = "lognormal", mu = 0 }"#, "sigma"),
            (r#"{ dist = "lognormal", mean = 1, sd = 1, mu = 0 }"#, "mu"),
            (r#"{ dist = "lognormal", mean = 1, sigma = 1 }"#, "sigma"),
            (r#"{ dist = "lognormal", mean = -1, sd = 1 }"#, "mean"),
            (r#"{ dist = "lognormal", mean = 1, sd = 0 }"#, "sd"),
            (r#"{ dist = "lognormal", mu = 0, sigma = 0 }"#, "sigma"),
            (r#"{ dist = "lognormal", mu = nan, sigma = 1 }"#, "mu"),
            (r#"{ dist = "lognormal", mu = 0, sigma = 30 }"#, "sigma"),
            (r#"{ dist = "lognormal", mu = 800, sigma = 1 }"#, "mu"),
            (r#"{ dist = "lognormal", mean = 1e-300, sd = 1e300 }"#, "sd"),
            // gamma: exactly one of (shape, scale) or (mean, sd)
            (r#"{ dist = "gamma" }"#, "shape"),
            (r#"{ dist = "gamma", shape = 1 }"#, "scale"),
            (r#"{ dist = "gamma", scale = 1 }"#, "shape"),
            (r#"{ dist = "gamma", mean = 1 }"#, "sd"),
            (
                r#"{ dist = "gamma", shape = 1, scale = 1, mean = 1 }"#,
                "mean",
            ),
            (r#"{ dist = "gamma", scale = 1, sd = 1 }"#, "sd"),
            (r#"{ dist = "gamma", shape = 0, scale = 1 }"#, "shape"),
            (r#"{ dist = "gamma", shape = 1, scale = -2 }"#, "scale"),
            (r#"{ dist = "gamma", mean = 1, sd = 0 }"#, "sd"),
            (r#"{ dist = "gamma", mean = 0, sd = 1 }"#, "mean"),
            (r#"{ dist = "gamma", mean = 1e200, sd = 1e-200 }"#, "sd"),
            // weibull
            (r#"{ dist = "weibull", scale = 1 }"#, "shape"),
            (r#"{ dist = "weibull", shape = 1 }"#, "scale"),
            (r#"{ dist = "weibull", shape = 0, scale = 1 }"#, "shape"),
            (r#"{ dist = "weibull", shape = 1, scale = nan }"#, "scale"),
            (r#"{ dist = "weibull", shape = 0.005, scale = 1 }"#, "shape"),
            (r#"{ dist = "weibull", shape = 1e4, scale = 1 }"#, "shape"),
            (r#"{ dist = "weibull", shape = 1, scale = 1e300 }"#, "scale"),
            // empirical
            (r#"{ dist = "empirical" }"#, "points"),
            (r#"{ dist = "empirical", points = [] }"#, "points"),
            (
                r#"{ dist = "empirical", points = [1, 2, 3, nan] }"#,
                "points[3]",
            ),
            (r#"{ dist = "empirical", points = [inf, 2] }"#, "points[0]"),
            (
                r#"{ dist = "empirical", points = [1], interpolate = true }"#,
                "points",
            ),
            (
                r#"{ dist = "empirical", points = [-1e300, 1e300] }"#,
                "points",
            ),
        ];
        for (inline, key) in cases {
            let e = rejection(inline);
            assert_eq!(e.key, key, "{inline}: {e}");
            assert!(!e.reason.is_empty(), "{inline}");
        }
    }

    #[test]
    fn boundary_specs_are_accepted() {
        for inline in [
            r#"{ dist = "deterministic", value = -3 }"#,
            r#"{ dist = "triangular", min = 0, mode = 0, max = 1 }"#,
            r#"{ dist = "triangular", min = 0, mode = 1, max = 1 }"#,
            r#"{ dist = "normal", mean = -4.75, sd = 1 }"#,
            r#"{ dist = "weibull", shape = 1000, scale = 1 }"#,
            r#"{ dist = "empirical", points = [2], interpolate = false }"#,
            r#"{ dist = "empirical", points = [2, 2], interpolate = true }"#,
        ] {
            let d = dist(inline);
            assert!(
                d.mean().is_finite() && d.variance() >= 0.0,
                "{inline}: {d:?}"
            );
        }
    }

    #[test]
    fn rejections_say_what_is_allowed() {
        let cases = [
            (
                r#"{ dist = "expo", mean = 1 }"#,
                "`dist` names an unknown distribution \"expo\"; allowed: deterministic, \
                 exponential, uniform, triangular, normal, lognormal, gamma, weibull, empirical",
            ),
            (
                r#"{ dist = "exponential", mean = 1, mode = 2 }"#,
                "`mode` is not a parameter of exponential; it takes: mean",
            ),
            (
                r#"{ dist = "normal", mean = 1, sd = -1 }"#,
                "`sd` must be a finite number > 0, got -1",
            ),
            (
                r#"{ dist = "exponential", mean = nan }"#,
                "`mean` must be a finite number > 0, got NaN",
            ),
            (
                r#"{ dist = "lognormal", mean = 1, sd = 1, mu = 0 }"#,
                "`mu` cannot be combined with mean; lognormal takes: mean and sd, or mu and sigma",
            ),
            (
                r#"{ dist = "gamma", shape = 2 }"#,
                "`scale` is required; gamma takes: shape and scale, or mean and sd",
            ),
            (
                r#"{ dist = "uniform", min = 2, max = 2 }"#,
                "`max` must be greater than min, got min = max = 2; for a fixed value use \
                 { dist = \"deterministic\", value = 2 }",
            ),
            (
                r#"{ dist = "triangular", min = 0, mode = 3, max = 2 }"#,
                "`mode` must lie between min (0) and max (2), got 3",
            ),
            (
                r#"{ dist = "empirical", points = [1, 2, 3, nan] }"#,
                "`points[3]` must be a finite number, got NaN",
            ),
            (
                r#"{ dist = "exponential", mean = 1e300 }"#,
                "`mean` makes the mean (1e300) or variance (inf) too large to represent; \
                 use less extreme parameters or a larger unit",
            ),
        ];
        for (inline, message) in cases {
            assert_eq!(rejection(inline).to_string(), message, "{inline}");
        }
        let stalled = rejection(r#"{ dist = "normal", mean = -5, sd = 1 }"#).to_string();
        assert!(
            stalled.contains("-4.75") && stalled.contains("stall"),
            "{stalled}"
        );
    }

    // ---- the scenario-file form ----

    #[test]
    fn spec_reads_from_toml_inline_tables() {
        assert_eq!(
            parse(r#"{ dist = "exponential", mean = 2.0 }"#),
            DistSpec {
                dist: "exponential".into(),
                mean: Some(2.0),
                ..DistSpec::default()
            }
        );
        // Integers are numbers too.
        assert_eq!(
            parse(r#"{ dist = "triangular", min = 0, mode = 1, max = 3.5 }"#),
            DistSpec {
                dist: "triangular".into(),
                min: Some(0.0),
                mode: Some(1.0),
                max: Some(3.5),
                ..DistSpec::default()
            }
        );
        assert_eq!(
            parse(r#"{ dist = "empirical", points = [1, 2.5, 4], interpolate = true }"#),
            DistSpec {
                dist: "empirical".into(),
                points: Some(vec![1.0, 2.5, 4.0]),
                interpolate: Some(true),
                ..DistSpec::default()
            }
        );
    }

    #[test]
    fn unknown_keys_fail_to_deserialize() {
        let err =
            toml::from_str::<Station>(r#"service = { dist = "exponential", mean = 1, foo = 2 }"#)
                .err()
                .expect("unknown key `foo` was accepted");
        assert!(err.to_string().contains("foo"), "{err}");
    }

    #[test]
    fn missing_dist_fails_to_deserialize() {
        let err = toml::from_str::<Station>("service = { mean = 1 }")
            .err()
            .expect("a spec without `dist` was accepted");
        assert!(err.to_string().contains("dist"), "{err}");
    }

    #[test]
    fn spec_round_trips_through_toml() {
        let spec = parse(r#"{ dist = "lognormal", mu = 0.5, sigma = 1.25 }"#);
        let written = toml::to_string(&spec).expect("serialize");
        assert_eq!(written, "dist = \"lognormal\"\nmu = 0.5\nsigma = 1.25\n");
        assert_eq!(toml::from_str::<DistSpec>(&written).expect("parse"), spec);
    }
}
