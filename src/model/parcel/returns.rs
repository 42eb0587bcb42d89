//! Delivery and returns: a delivered parcel is counted, and a share of each platform's comes
//! back after a delay, to a local returns warehouse or on a lane back to origin, with duty and
//! VAT refunded where the gateway's regime refunds them.

use super::{BagInfo, Event, ParcelObserver, Sim};
use crate::scenario::network::ReturnPath;

impl<O: ParcelObserver> Sim<'_, O> {
    pub(super) fn delivered(&mut self, at: f64, p: u32) {
        self.out.delivered += 1;
        if at >= self.warmup {
            let cost = self.costs(p);
            let q = &self.parcels[p as usize];
            let gs = &mut self.gateways[q.gateway as usize];
            gs.out.delivered += 1;
            gs.out.end_to_end.record(at - q.ordered);
            for (k, c) in cost.iter().enumerate() {
                if k != 4 {
                    gs.sums[k] += *c;
                }
            }
            gs.sums[6] += q.duty;
            gs.sums[7] += q.vat;
        }
        let q = &self.parcels[p as usize];
        let returns = self.w.platforms[q.platform as usize].returns.as_ref();
        let Some(r) = returns.filter(|_| q.returns) else {
            self.free_parcel(p);
            return;
        };
        // Sent back: handed to the carrier after a delay, then the return path.
        if at >= self.warmup {
            self.out.returns.started += 1;
        }
        self.out.returning += 1;
        let q = &mut self.parcels[p as usize];
        q.since = at;
        q.spent = 0.0;
        let handed = at + r.delay.sample(&mut self.rng_returns);
        match &r.path {
            ReturnPath::Local { handling, cost } => {
                q.spent = *cost;
                let closed = handed + handling.sample(&mut self.rng_returns);
                if closed <= self.horizon {
                    self.close_return(closed, p);
                } else {
                    self.open_at_horizon(p);
                }
            }
            ReturnPath::Origin { .. } => {
                if handed <= self.horizon {
                    self.cal.schedule(handed, Event::ReturnHandedBack { p });
                } else {
                    self.open_at_horizon(p);
                }
            }
        }
    }

    /// A return whose next step lies after the horizon: still on its way back at the end.
    fn open_at_horizon(&mut self, p: u32) {
        self.beyond_horizon += 1;
        self.free_parcel(p);
    }

    /// A returned parcel is handed back at the gateway that cleared it, for the lane back.
    pub(super) fn return_handed_back(&mut self, now: f64, p: u32) {
        let q = &self.parcels[p as usize];
        let r = self.w.platforms[q.platform as usize].returns.as_ref();
        let lane = match r.map(|r| &r.path) {
            Some(ReturnPath::Origin { lanes }) => lanes.get(q.gateway as usize).copied().flatten(),
            _ => None,
        };
        let Some(l) = lane else {
            // No lane back from this gateway (validation prevents it): closed where it is.
            self.close_return(now, p);
            return;
        };
        let g = self.new_single();
        self.groups[g as usize].push(p);
        let q = &self.parcels[p as usize];
        self.bag_info[g as usize] = BagInfo {
            number: u64::MAX,
            ready: now,
            load: [1.0, q.weight, q.volume],
        };
        self.join_lane(now, g, l);
    }

    /// The return of parcel `p` is closed at `at`: at the warehouse, or back at origin.
    pub(super) fn close_return(&mut self, at: f64, p: u32) {
        self.out.returned += 1;
        self.out.returning -= 1;
        let q = &self.parcels[p as usize];
        if at >= self.warmup {
            let regime = &self.w.gateways[q.gateway as usize].regime;
            let r = &mut self.out.returns;
            r.closed += 1;
            r.time.record(at - q.since);
            r.cost += q.spent;
            if regime.refund_on_return {
                r.duty_refunded += q.duty;
                r.vat_refunded += q.vat;
            }
        }
        self.free_parcel(p);
    }
}
