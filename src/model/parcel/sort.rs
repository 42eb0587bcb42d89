//! A stable radix sort of (time, index) pairs by time: how a lane orders the bags that
//! reached its departure point since its last departure.

/// Sorts `(f64::to_bits(time), parcel)` pairs by time, keeping the order of equal times, with
/// `scratch` as room: a least-significant-digit radix sort over the bits in which the keys
/// differ, 12 bits a pass (4 passes for times spread over a few hours of a run's first weeks).
/// The times must be non-negative, so that their bits order like them.
pub(super) fn sort_by_time(entries: &mut Vec<(u64, u32)>, scratch: &mut Vec<(u64, u32)>) {
    const BITS: u32 = 12;
    const MASK: u64 = (1 << BITS) - 1;
    if entries.len() < 256 {
        entries.sort_by_key(|&(bits, _)| bits);
        return;
    }
    let (min, max) = entries.iter().fold((u64::MAX, 0), |(lo, hi), &(bits, _)| {
        (lo.min(bits), hi.max(bits))
    });
    let span_bits = u64::BITS - (max - min).leading_zeros();
    scratch.clear();
    scratch.resize(entries.len(), (0, 0));
    let mut counts = [0u32; 1 << BITS];
    for shift in (0..span_bits).step_by(BITS as usize) {
        counts.fill(0);
        for &(bits, _) in entries.iter() {
            counts[((bits - min) >> shift & MASK) as usize] += 1;
        }
        let mut start = 0;
        for c in counts.iter_mut() {
            (*c, start) = (start, start + *c);
        }
        for &entry in entries.iter() {
            let digit = ((entry.0 - min) >> shift & MASK) as usize;
            scratch[counts[digit] as usize] = entry;
            counts[digit] += 1;
        }
        std::mem::swap(entries, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Stream;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn sort_by_time_is_a_stable_sort_by_time() {
        let mut rng = Stream::seed_from_u64(5);
        for (n, spread_h) in [(10, 8.0), (300, 0.5), (5_000, 8.0), (20_000, 4000.0)] {
            // Whole multiples of 2^-10 h, so that many times are equal.
            let times: Vec<f64> = (0..n)
                .map(|_| (rng.random::<f64>() * spread_h * 1024.0).floor() / 1024.0 + 100.0)
                .collect();
            let mut entries: Vec<(u64, u32)> = times
                .iter()
                .enumerate()
                .map(|(i, t)| (t.to_bits(), i as u32))
                .collect();
            let mut expected = entries.clone();
            expected.sort_by_key(|&(bits, _)| bits);
            sort_by_time(&mut entries, &mut Vec::new());
            assert_eq!(entries, expected, "{n} times over {spread_h} h");
        }
    }
}
