//! Calibration from an observed Time Release Study sample: every TRS segment fitted per group, with the shares and arrival profile the data give.
//!
//! ```text
//! scenario::observed (validated rows) ─▶ calibrate(): per segment × group
//!     fit (MLE, CIs) ─▶ gof (KS, AD) ─▶ select (AIC/BIC, empirical fallback)
//!   + shares (channel, risk) + arrival profile ─▶ fragment (scenario TOML)
//! ```

pub mod fit;
pub mod fragment;
pub mod gof;
pub mod quantiles;
pub mod select;
pub mod shares;

use crate::model::parcel::TRS_SEGMENTS;
use crate::scenario::observed::{ObservedSample, RISKS};
use crate::scenario::parcel::Channel;

pub use select::{Criterion, Selection};
pub use shares::{ArrivalProfile, Shares};

/// The figures fitted: the five TRS segments, then release → exit, then arrival → release.
pub const FIGURES: [&str; 7] = [
    TRS_SEGMENTS[0],
    TRS_SEGMENTS[1],
    TRS_SEGMENTS[2],
    TRS_SEGMENTS[3],
    TRS_SEGMENTS[4],
    "exit",
    "clearance",
];

/// The items a fit covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Group {
    /// Every item with the segment.
    All,
    /// Items of one declaration channel.
    Channel(#[serde(serialize_with = "channel_name")] Channel),
    /// Items of one risk lane (0 green, 1 yellow, 2 red).
    Risk(u8),
}

fn channel_name<S: serde::Serializer>(c: &Channel, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(shares::channel_key(*c))
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Group::All => write!(f, "all"),
            Group::Channel(c) => write!(f, "channel = {}", shares::channel_key(*c)),
            Group::Risk(r) => write!(f, "risk = {}", RISKS[*r as usize]),
        }
    }
}

/// One figure fitted on one group.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FigureFit {
    /// One of [`FIGURES`].
    pub figure: &'static str,
    /// The items.
    pub group: Group,
    /// The fits and the choice.
    pub selection: Selection,
}

/// Everything `clearsim fit` found in a sample.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Calibration {
    /// The data file.
    pub file: String,
    /// Released items read.
    pub items: usize,
    /// Bad rows skipped.
    pub skipped: usize,
    /// Rows without a release.
    pub unreleased: u64,
    /// Fits with at least [`select::MIN_N`] positive values, by figure then group.
    pub fits: Vec<FigureFit>,
    /// Figures × groups with too few values to fit: (figure, group, positive values).
    pub too_few: Vec<(&'static str, String, usize)>,
    /// Declaration channel shares (needs a `channel` column).
    pub channels: Option<Shares>,
    /// Risk lane shares.
    pub risk: Option<Shares>,
    /// Arrivals by hour and weekday.
    pub profile: ArrivalProfile,
    /// The criterion used.
    pub criterion: Criterion,
}

impl Calibration {
    /// The fit of `figure` on `group`, if there were enough values.
    pub fn get(&self, figure: &str, group: Group) -> Option<&FigureFit> {
        self.fits
            .iter()
            .find(|f| f.figure == figure && f.group == group)
    }
}

/// The value of figure `k` ([`FIGURES`] index) for one item, if it has it.
pub fn figure_value(item: &crate::scenario::observed::ObservedItem, k: usize) -> Option<f64> {
    match k {
        0..=4 => item.segments[k],
        5 => item.exit_h,
        _ => Some(item.clearance_h),
    }
}

/// Fits every figure of `sample` on every group with enough values.
pub fn calibrate(sample: &ObservedSample, criterion: Criterion) -> Calibration {
    let mut groups = vec![Group::All];
    if sample.has("channel") {
        groups
            .extend([Channel::Paper, Channel::Electronic, Channel::PreArrival].map(Group::Channel));
    }
    if sample.has("risk") {
        groups.extend((0..3).map(Group::Risk));
    }
    let mut fits = Vec::new();
    let mut too_few = Vec::new();
    for (k, &figure) in FIGURES.iter().enumerate() {
        for &group in &groups {
            let values: Vec<f64> = sample
                .items
                .iter()
                .filter(|it| match group {
                    Group::All => true,
                    Group::Channel(c) => it.channel == Some(c),
                    Group::Risk(r) => it.risk == Some(r),
                })
                .filter_map(|it| figure_value(it, k))
                .collect();
            if values.is_empty() {
                continue;
            }
            match select::select(&values, criterion) {
                Some(selection) => fits.push(FigureFit {
                    figure,
                    group,
                    selection,
                }),
                None => too_few.push((
                    figure,
                    group.to_string(),
                    values.iter().filter(|&&v| v > 0.0).count(),
                )),
            }
        }
    }
    Calibration {
        file: sample.file.clone(),
        items: sample.items.len(),
        skipped: sample.skipped.len(),
        unreleased: sample.unreleased,
        fits,
        too_few,
        channels: shares::channel_shares(sample),
        risk: shares::risk_shares(sample),
        profile: shares::arrival_profile(sample),
        criterion,
    }
}
