//! Orders: each platform's non-homogeneous Poisson process, the parcel's attributes from the
//! platform's streams, and where it is going (hub, market and, for shares routing, lane).

use rand::RngExt;

use super::{Draws, Event, NO_DRAWS, Parcel, ParcelObserver, Sim};
use crate::scenario::network::Routing;
use crate::scenario::parcel::{Channel, KG_PER_M3, Mode};

/// The entry of `cum` (cumulative shares, the last 1) that the uniform `u` falls in.
pub(super) fn pick(cum: &[(usize, f64)], u: f64) -> usize {
    cum.iter()
        .find(|&&(_, c)| u < c)
        .or(cum.last())
        .map_or(0, |&(i, _)| i)
}

/// Free slots warmed at once before orders fill them: fewer than the processor keeps
/// addresses of pages for, or the warming would be lost again.
const WARM_ORDERS: usize = 512;

impl<O: ParcelObserver> Sim<'_, O> {
    /// The first order of platform `i` after `from` [h]: the non-homogeneous Poisson process of
    /// the platform's hourly rates, by inversion of its cumulative rate (one draw per order, no
    /// rejection). `None` when the next order would fall after the horizon.
    pub(super) fn next_order_time(&mut self, from: f64, i: usize) -> Option<f64> {
        let u: f64 = self.order_rngs[i].random();
        let mut e = -(1.0 - u).ln();
        let mut t = from;
        loop {
            // t >= 0: truncation is the floor, without a call to libm's floor.
            let h = t as usize;
            if h as f64 >= self.order_limit_h {
                return None;
            }
            let r = match self.rate_cache[i] {
                (hour, r) if hour == h => r,
                _ => {
                    let r = self.w.platforms[i].rate_at(h as f64);
                    self.rate_cache[i] = (h, r);
                    r
                }
            };
            let end = (h + 1) as f64;
            let cap = r * (end - t);
            if e < cap {
                let at = t + e / r;
                return (at <= self.horizon).then_some(at);
            }
            e -= cap;
            t = end;
        }
    }

    /// Creates the orders of platform `i` from `now` up to an hour later in one event (orders
    /// are independent of the state of the network, so creating them in a batch changes no
    /// result and saves an event per parcel), then schedules the next batch.
    pub(super) fn order_window(&mut self, now: f64, i: usize) {
        let end = now + 1.0;
        let mut t = now;
        let mut made = 0usize;
        loop {
            if made.is_multiple_of(WARM_ORDERS) {
                // The free slots the next orders will fill.
                let free = &self.free[self.free.len().saturating_sub(WARM_ORDERS)..];
                self.warm(free);
            }
            made += 1;
            self.order(t, i);
            match self.next_order_time(t, i) {
                Some(next) if next < end => t = next,
                Some(next) => {
                    self.cal.schedule(next, Event::Order { platform: i as u32 });
                    return;
                }
                None => return,
            }
        }
    }

    fn order(&mut self, now: f64, i: usize) {
        let w = self.w;
        let pl = &w.platforms[i];
        let rng = &mut *self.attr_rngs[i];
        let value = pl.declared_value.sample(rng);
        let weight = pl.weight_kg.sample(rng);
        let u_mode: f64 = rng.random();
        let u_trusted: f64 = rng.random();
        let u_channel: f64 = rng.random();
        let u_risk: f64 = rng.random();
        let u_mismatch: f64 = rng.random();
        let u_physical: f64 = rng.random();
        let u_seize: f64 = rng.random();
        let u_annual: f64 = rng.random();
        // Where it goes, from a stream of its own: the attributes above stay those of the
        // one-chain model, and two networks see the same parcels.
        let routes = &mut *self.route_rngs[i];
        let u_hub: f64 = routes.random();
        let u_market: f64 = routes.random();
        let u_lane: f64 = routes.random();
        let u_return: f64 = routes.random();
        let volume = match &pl.volume_m3 {
            Some(d) => d.sample(routes),
            None => weight / KG_PER_M3,
        };
        let mode = match pl.mode_cum.iter().position(|&c| u_mode < c).unwrap_or(3) {
            0 => Mode::B2c9610,
            1 => Mode::B2b9710,
            2 => Mode::Warehouse9810,
            _ => Mode::Bonded1210,
        };
        let hub = pick(&pl.hub_cum, u_hub);
        let market = pick(&pl.market_cum, u_market);
        let draws = Draws {
            value,
            u_channel,
            u_risk,
            u_annual,
            u_mismatch,
            u_physical,
            u_seize,
        };
        let parcel = Parcel {
            weight,
            volume,
            since: now,
            arrived: now,
            lodged: now,
            hub: hub as u16,
            lane: 0,
            gateway: 0,
            mode,
            channel: Channel::Electronic,
            risk: 0,
            trusted: u_trusted < pl.trusted_share,
            due_at_border: true,
            docs_ready: false,
            goods_here: false,
            matched: false,
            released: false,
            mismatch: false,
            physical: false,
            seize: false,
            returns: pl.returns.as_ref().is_some_and(|r| u_return < r.share),
            doc_checked: false,
            xrayed: false,
            inspected_physically: false,
            ordered: now,
            assessed: now,
            doc_done: now,
            duty: 0.0,
            vat: 0.0,
            spent: 0.0,
            platform: i as u16,
            paper_handlings: 0,
            draws: NO_DRAWS,
        };
        let p = self.new_parcel(parcel);
        self.out.created += 1;
        if mode == Mode::Bonded1210 {
            // Bonded stock is already in its market's bonded zone: the order is the arrival.
            let g = self.bonded_gateway[market];
            self.assign_gateway(p, g, &draws);
            // Bonded stock is in customs from its order.
            self.parcels[p as usize].goods_here = true;
            self.gateways[g].out.arrived_total += 1;
            self.gateways[g].out.arrived += u64::from(now >= self.warmup);
            let gw = &w.gateways[g];
            let rng = &mut self.gateways[g].rng_customs;
            let mut d = gw.rules.bonded_release.sample(rng);
            if gw.rules.three_document_match && u_mismatch < gw.rules.document_mismatch_rate {
                d += gw.rules.manual_match.sample(rng);
            }
            self.cal.schedule(now + d, Event::BondedReleased { p });
            return;
        }
        let nl = w.lanes.len();
        let stride = nl + w.routing.len();
        let stream = match w.route(i, hub, market) {
            Some(Routing::Shares(s)) => {
                let lane = pick(s, u_lane);
                if let crate::scenario::network::Node::Gateway(g) = w.lanes[lane].to {
                    self.parcels[p as usize].lane = lane as u16;
                    self.assign_gateway(p, g, &draws);
                }
                self.stream_of[hub * stride + lane]
            }
            Some(_) => {
                // The gateway is chosen with the lane, per bag: keep what its regime reads.
                self.parcels[p as usize].draws = self.new_draws(draws);
                let r = w.route_table[(i * w.hubs.len() + hub) * w.markets.len() + market];
                self.stream_of[hub * stride + nl + r as usize]
            }
            None => u16::MAX,
        };
        self.stream[p as usize] = stream;
        let d = w.hubs[hub].first_mile.sample(&mut self.hub_first_mile[hub]);
        self.cal
            .schedule(now + d, Event::FirstMileDone { p, hub: hub as u32 });
    }
}
