//! What an observed sample says about the mix and the timing of arrivals: channel and risk shares, hourly and weekly arrival profiles.

use crate::scenario::observed::{CHANNELS, ObservedSample, RISKS};
use crate::scenario::parcel::Channel;

/// One category's share with its 95% Wilson interval.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Share {
    /// The key in the scenario format (`electronic`, `yellow`, …).
    pub key: &'static str,
    /// Items in it.
    pub count: u64,
    /// Its share of the items with this attribute.
    pub share: f64,
    /// 95% Wilson score interval of the share (items taken as independent draws).
    pub ci95: [f64; 2],
}

/// Shares of the categories of one attribute.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Shares {
    /// Items that had the attribute (or from which it was inferred).
    pub n: u64,
    /// One per category, in the scenario format's order.
    pub shares: Vec<Share>,
    /// How the attribute was read: `column` or how it was inferred.
    pub source: &'static str,
}

/// When items arrive, as profile weights with mean 1 (the scenario format's convention).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ArrivalProfile {
    /// Days from the first arrival's day to the last one's, both included.
    pub days: u64,
    /// Released items per day over those days.
    pub per_day: f64,
    /// 24 weights, hour 0 first: arrivals in that hour of the day over their mean.
    pub hourly: Vec<f64>,
    /// 7 weights, Monday first: arrivals per calendar day of that weekday, over their mean;
    /// a weekday the study did not cover gets weight 1.
    pub weekly: Vec<f64>,
    /// Calendar days of each weekday the study covered.
    pub weekdays_covered: Vec<u64>,
}

/// The channel name of the scenario format.
pub fn channel_key(c: Channel) -> &'static str {
    match c {
        Channel::Paper => CHANNELS[0],
        Channel::Electronic => CHANNELS[1],
        Channel::PreArrival => CHANNELS[2],
    }
}

fn shares_of(counts: &[u64], keys: &[&'static str], source: &'static str) -> Option<Shares> {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return None;
    }
    let shares = keys
        .iter()
        .zip(counts)
        .map(|(&key, &count)| {
            let share = count as f64 / n as f64;
            Share {
                key,
                count,
                share,
                ci95: crate::stats::interval::wilson(share, n as f64, 1.959_963_984_540_054),
            }
        })
        .collect();
    Some(Shares { n, shares, source })
}

/// Channel shares from the `channel` column; `None` without it.
pub fn channel_shares(sample: &ObservedSample) -> Option<Shares> {
    let mut counts = [0u64; 3];
    for it in &sample.items {
        if let Some(c) = it.channel {
            counts[CHANNELS
                .iter()
                .position(|k| *k == channel_key(c))
                .unwrap_or(0)] += 1;
        }
    }
    shares_of(&counts, &CHANNELS, "the `channel` column")
}

/// Risk shares from the `risk` column, or, without it, from the milestones: an inspection
/// makes an item red, a documentary check yellow, neither green.
pub fn risk_shares(sample: &ObservedSample) -> Option<Shares> {
    let mut counts = [0u64; 3];
    let column = sample.has("risk");
    for it in &sample.items {
        let r = if column {
            it.risk
        } else if it.segments[3].is_some() {
            Some(2)
        } else if it.segments[2].is_some() {
            Some(1)
        } else {
            Some(0)
        };
        if let Some(r) = r {
            counts[r as usize] += 1;
        }
    }
    let source = if column {
        "the `risk` column"
    } else {
        "inferred from the milestones (inspection: red, documentary check: yellow, neither: green)"
    };
    shares_of(&counts, &RISKS, source)
}

/// Arrivals by hour of day and by weekday.
pub fn arrival_profile(sample: &ObservedSample) -> ArrivalProfile {
    let mut hourly = [0.0; 24];
    let mut weekly_count = [0.0; 7];
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for it in &sample.items {
        let t = it.arrival_h;
        let day = (t / 24.0).floor() as i64;
        first = first.min(day);
        last = last.max(day);
        hourly[(t.rem_euclid(24.0).floor() as usize).min(23)] += 1.0;
        weekly_count[day.rem_euclid(7) as usize] += 1.0;
    }
    let (days, covered) = weekdays_between(first, last);
    let per_weekday: Vec<f64> = weekly_count
        .iter()
        .zip(&covered)
        .map(|(&c, &k)| if k > 0 { c / k as f64 } else { f64::NAN })
        .collect();
    let seen: Vec<f64> = per_weekday
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let weekly_mean = seen.iter().sum::<f64>() / seen.len().max(1) as f64;
    let weekly = per_weekday
        .iter()
        .map(|&v| {
            if v.is_finite() && weekly_mean > 0.0 {
                v / weekly_mean
            } else {
                1.0
            }
        })
        .collect();
    let hourly_mean = hourly.iter().sum::<f64>() / 24.0;
    ArrivalProfile {
        days,
        per_day: sample.items.len() as f64 / days as f64,
        hourly: hourly.iter().map(|h| h / hourly_mean).collect(),
        weekly,
        weekdays_covered: covered,
    }
}

/// The number of days from `first` to `last` (both included; 1 when there is none) and how many
/// of them fall on each weekday, counted in constant time: a sample spanning 10¹² hours costs
/// what one spanning a week does.
fn weekdays_between(first: i64, last: i64) -> (u64, Vec<u64>) {
    let mut covered = vec![0u64; 7];
    if first > last {
        return (1, covered);
    }
    let span = i128::from(last) - i128::from(first) + 1;
    let (full, rest) = (span / 7, span % 7);
    for (k, c) in covered.iter_mut().enumerate() {
        // Days d in [first, last] with d ≡ k (mod 7): every full week has one, and the first
        // `rest` days of the partial week from `first` on.
        let offset = (k as i128 - i128::from(first)).rem_euclid(7);
        *c = u64::try_from(full + i128::from(offset < rest)).unwrap_or(u64::MAX);
    }
    (u64::try_from(span).unwrap_or(u64::MAX), covered)
}

#[cfg(test)]
mod weekday_tests {
    use super::weekdays_between;

    #[test]
    fn weekdays_between_counts_as_the_day_by_day_loop_does() {
        for first in -10i64..10 {
            for last in first..first + 30 {
                let mut covered = vec![0u64; 7];
                for d in first..=last {
                    covered[d.rem_euclid(7) as usize] += 1;
                }
                let days = (last - first + 1) as u64;
                assert_eq!(
                    weekdays_between(first, last),
                    (days, covered),
                    "{first}..={last}"
                );
            }
        }
        let (days, covered) = weekdays_between(i64::MIN, i64::MAX);
        assert_eq!(days, u64::MAX);
        assert!(covered.iter().all(|&c| c > 0));
    }
}
