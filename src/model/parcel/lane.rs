//! Lanes: routing a bag to a lane by its hub's rule (overflow, fastest, cheapest), the bags
//! waiting at the departure point, timetabled departures under every capacity limit, transit,
//! and arrival at the other end.

use super::sort::sort_by_time;
use super::{BagInfo, Event, NO_DRAWS, ParcelObserver, Sim};
use crate::scenario::network::{Node, Routing};

/// Parcels warmed at once before their visits at an arrival: well within the second-level
/// cache, and fewer than the processor keeps addresses of pages for.
const WARM_CHUNK: usize = 512;

/// How many departures ahead routing looks for room, at most.
const LOOKAHEAD_DEPARTURES: usize = 1000;

/// Whether routing counts the load already committed to a lane: it does to decide, and does
/// not to find the lane the rule would have chosen with every lane empty (what a bag sent
/// elsewhere overflowed from).
#[derive(Clone, Copy)]
enum Committed {
    Counted,
    Ignored,
}

impl<O: ParcelObserver> Sim<'_, O> {
    /// Bag `g` reaches the departure point of lane `l` at `ready` (known ahead of the clock):
    /// it waits in the lane's `clearing` and joins the boarding line, in the order of that
    /// time, just before the next departure, the same order as one event per bag would give.
    pub(super) fn join_lane(&mut self, ready: f64, g: u32, l: usize) {
        let load = self.bag_info[g as usize].load;
        let lane = &mut self.lanes[l];
        if !lane.timetable.fits(load) {
            self.refuse(ready, g);
            return;
        }
        for (c, x) in lane.committed.iter_mut().zip(load) {
            *c += x;
        }
        lane.clearing.push((ready.to_bits(), g));
        if !lane.departure_scheduled {
            lane.departure_scheduled = true;
            let at = lane.timetable.next_departure(ready);
            self.cal.schedule(at, Event::Departure { lane: l as u32 });
        }
    }

    /// Bag `g` is out of export clearance at `now` and its rule decides the lane, with what is
    /// already committed to each lane.
    pub(super) fn route_bag(&mut self, now: f64, g: u32) {
        let w = self.w;
        let Some(&first) = self.groups[g as usize].first() else {
            self.free_group(g);
            return;
        };
        let s = self.stream[first as usize] as usize;
        let rule = &w.routing[self.streams[s].route];
        let load = self.bag_info[g as usize].load;
        let lanes = rule.lanes();
        let mut fitting = std::mem::take(&mut self.fitting_scratch);
        fitting.clear();
        fitting.extend(
            lanes
                .iter()
                .copied()
                .filter(|&l| self.lanes[l].timetable.fits(load)),
        );
        if fitting.is_empty() {
            self.fitting_scratch = fitting;
            self.refuse(now, g);
            return;
        }
        let chosen = self.choose(rule, &fitting, now, load, Committed::Counted);
        // Overflow is a bag sent elsewhere because a lane was full: the lane the rule would
        // have chosen were nothing committed to any lane is the one it preferred. A lane not
        // chosen for its timetable, its transit or its price did not overflow.
        let preferred = self.choose(rule, &fitting, now, load, Committed::Ignored);
        self.fitting_scratch = fitting;
        let n = self.groups[g as usize].len() as u32;
        self.observer.routed(now, n, preferred, chosen);
        if chosen != preferred && now >= self.warmup {
            self.lanes[preferred].out.overflowed += u64::from(n);
            self.lanes[chosen].out.overflow_received += u64::from(n);
        }
        if let Node::Gateway(gw) = w.lanes[chosen].to {
            self.warm(&self.groups[g as usize]);
            let mut x = 0u64;
            for &p in &self.groups[g as usize] {
                let d = self.parcels[p as usize].draws;
                if let Some(draws) = self.draws.get(d as usize) {
                    x ^= draws.value.to_bits();
                }
            }
            std::hint::black_box(x);
            for i in 0..self.groups[g as usize].len() {
                let p = self.groups[g as usize][i];
                let q = &mut self.parcels[p as usize];
                q.lane = chosen as u16;
                let d = std::mem::replace(&mut q.draws, NO_DRAWS);
                if d == NO_DRAWS {
                    // Its gateway is known already (not a parcel of a rule's bag stream).
                    continue;
                }
                self.free_draws.push(d);
                let draws = self.draws[d as usize];
                self.assign_gateway(p, gw, &draws);
            }
        }
        self.join_lane(now, g, chosen);
    }

    /// The lane `rule` picks among `fitting` (the lanes a departure of which can hold `load`,
    /// in the rule's order, at least one) for a bag ready at `now`.
    fn choose(
        &self,
        rule: &Routing,
        fitting: &[usize],
        now: f64,
        load: [f64; 3],
        committed: Committed,
    ) -> usize {
        let first_fit = fitting[0];
        match rule {
            Routing::Overflow { max_wait_h, .. } => fitting
                .iter()
                .copied()
                .find(|&l| self.has_room(l, now, load, *max_wait_h, committed))
                .unwrap_or(first_fit),
            Routing::Fastest { .. } => self.fastest(fitting, now, load, committed),
            Routing::Cheapest { deadline_h, .. } => {
                let mut best: Option<(f64, f64, usize)> = None;
                for &l in fitting {
                    let eta = self.expected_arrival(l, now, load, committed);
                    if eta - now <= *deadline_h {
                        let key = (self.w.lanes[l].cost_per_kg, eta, l);
                        if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                            best = Some(key);
                        }
                    }
                }
                best.map_or_else(|| self.fastest(fitting, now, load, committed), |b| b.2)
            }
            Routing::Shares(_) => first_fit,
        }
    }

    fn fastest(&self, lanes: &[usize], now: f64, load: [f64; 3], committed: Committed) -> usize {
        let mut best = (f64::INFINITY, lanes[0]);
        for &l in lanes {
            let eta = self.expected_arrival(l, now, load, committed);
            if eta < best.0 {
                best = (eta, l);
            }
        }
        best.1
    }

    /// The load already committed to lane `l`, or none when `committed` says to ignore it.
    fn committed(&self, l: usize, committed: Committed) -> [f64; 3] {
        match committed {
            Committed::Counted => self.lanes[l].committed,
            Committed::Ignored => [0.0; 3],
        }
    }

    /// True if the departures of lane `l` leaving within `max_wait_h` of `now` (and after its
    /// cut-off) have room for `load` on top of the load already committed to the lane.
    fn has_room(
        &self,
        l: usize,
        now: f64,
        load: [f64; 3],
        max_wait_h: f64,
        committed: Committed,
    ) -> bool {
        let lane = &self.lanes[l];
        let ahead = self.committed(l, committed);
        let t = &lane.timetable;
        let cap = t.capacity();
        let mut d = t.next_departure(now + t.cutoff_h());
        let mut k = 0.0;
        let mut n = 0;
        while d <= now + max_wait_h && n < LOOKAHEAD_DEPARTURES {
            k += f64::from(t.vehicles_at(d));
            n += 1;
            d = t.next_departure(d + 1e-6);
        }
        k > 0.0 && (0..3).all(|i| ahead[i] + load[i] <= k * cap[i])
    }

    /// When a bag of `load` ready at `now` would arrive by lane `l`: the first departure whose
    /// capacity, with those before it, covers the load committed ahead and the bag, plus the
    /// mean transit.
    fn expected_arrival(&self, l: usize, now: f64, load: [f64; 3], committed: Committed) -> f64 {
        let lane = &self.lanes[l];
        let ahead = self.committed(l, committed);
        let t = &lane.timetable;
        let cap = t.capacity();
        let mut d = t.next_departure(now + t.cutoff_h());
        // Vehicles up to and including the one leaving at `d`.
        let mut k = 0.0;
        for _ in 0..LOOKAHEAD_DEPARTURES {
            k += f64::from(t.vehicles_at(d));
            if (0..3).all(|i| ahead[i] + load[i] <= k * cap[i]) {
                return d + lane.mean_transit;
            }
            d = t.next_departure(d + 1e-6);
        }
        f64::INFINITY
    }

    /// Moves the bags that reached lane `l`'s departure point by `now` into the boarding line,
    /// in order, and returns when the first of those still in export clearance will reach it.
    ///
    /// Called once a departure, it sorts only what arrived since the last one, by a radix
    /// sort: a fifth of the instructions of as many pops of a binary heap. The sort is stable,
    /// so bags reaching the point at the same time keep the order in which they entered
    /// clearance.
    fn reach_departure_point(&mut self, now: f64, l: usize) -> Option<f64> {
        let now_bits = now.to_bits();
        let mut next = u64::MAX;
        let mut kept = 0;
        let lane = &mut self.lanes[l];
        for i in 0..lane.clearing.len() {
            let entry = lane.clearing[i];
            // Times are non-negative, so their bits order like the times.
            if entry.0 <= now_bits {
                self.at_gateway.push(entry);
            } else {
                next = next.min(entry.0);
                lane.clearing[kept] = entry;
                kept += 1;
            }
        }
        lane.clearing.truncate(kept);
        sort_by_time(&mut self.at_gateway, &mut self.sort_scratch);
        for &(bits, g) in &self.at_gateway {
            let load = self.bag_info[g as usize].load;
            lane.timetable.push(f64::from_bits(bits), g, load);
            lane.boarding_parcels += self.groups[g as usize].len() as u32;
        }
        self.at_gateway.clear();
        (kept > 0).then(|| f64::from_bits(next))
    }

    /// Parcels at lane `l`'s departure point and not yet departed: the bags in the boarding
    /// line and those in `clearing` that have reached it by `now`.
    pub(super) fn at_departure_point(&self, now: f64, l: usize) -> u32 {
        let now_bits = now.to_bits();
        let lane = &self.lanes[l];
        let cleared: usize = lane
            .clearing
            .iter()
            .filter(|&&(bits, _)| bits <= now_bits)
            .map(|&(_, g)| self.groups[g as usize].len())
            .sum();
        lane.boarding_parcels + cleared as u32
    }

    /// Lane `l`'s departure time `now`: every vehicle leaving at it (a timetabled one and the
    /// extra ones at the same time) boards in turn, and the next departure is scheduled.
    pub(super) fn departure(&mut self, now: f64, l: usize) {
        let next_ready = self.reach_departure_point(now, l);
        let vehicles = self.lanes[l].timetable.vehicles_at(now);
        for v in 0..vehicles {
            self.depart_vehicle(now, l, v + 1 == vehicles);
        }
        let lane = &mut self.lanes[l];
        if lane.timetable.waiting() > 0 || next_ready.is_some() {
            let from = if lane.timetable.waiting() > 0 {
                now
            } else {
                next_ready.unwrap_or(now).max(now)
            };
            let at = lane.timetable.next_departure(from + 1e-6);
            self.cal.schedule(at, Event::Departure { lane: l as u32 });
        } else {
            lane.departure_scheduled = false;
        }
    }

    /// One vehicle of lane `l` leaves at `now` with what boards it. Parcels still at the
    /// departure point by its cut-off after the `last` vehicle leaving at `now` are left
    /// behind.
    fn depart_vehicle(&mut self, now: f64, l: usize, last: bool) {
        let w = self.w;
        let spec = &w.lanes[l];
        let outbound = matches!(spec.to, Node::Gateway(_));
        let mut bags = std::mem::take(&mut self.boarded_bags);
        let lane = &mut self.lanes[l];
        let load = lane.timetable.board(now, &mut bags);
        let cap = lane.timetable.capacity();
        let mut fill = 0.0f64;
        for k in 0..3 {
            if cap[k].is_finite() {
                fill = fill.max(load[k] / cap[k]);
            }
            lane.committed[k] = (lane.committed[k] - load[k]).max(0.0);
        }
        lane.out.max_fill = lane.out.max_fill.max(fill);
        self.observer.departed(l, now, load, cap);
        let observed = now >= self.warmup;
        let cutoff = now - spec.cutoff_h;
        if observed {
            lane.simulated_departures += 1;
            lane.out.parcels += load[0] as u64;
            lane.out.kg += load[1];
            for k in 0..3 {
                if cap[k].is_finite() {
                    lane.out.load_factor[k].record(load[k] / cap[k]);
                }
            }
            if last {
                let left: usize = lane
                    .timetable
                    .line()
                    .filter(|&&(_, arrived, _)| arrived <= cutoff)
                    .map(|&(g, _, _)| self.groups[g as usize].len())
                    .sum();
                lane.out.left_behind += left as u64;
            }
        }
        // The departure's load is the list of its bags: they travel as they are.
        let load = self.new_load();
        let mut load_bags = std::mem::take(&mut self.loads[load as usize]);
        let mut boarded = 0u64;
        for &b in &bags {
            let BagInfo { number, ready, .. } = self.bag_info[b as usize];
            let parcels = std::mem::take(&mut self.groups[b as usize]);
            let n = parcels.len() as u64;
            let lane = &mut self.lanes[l];
            lane.boarding_parcels -= n as u32;
            if ready > cutoff + 1e-9 {
                lane.out.cutoff_violations += n;
            }
            if observed && n > 0 {
                lane.out.wait.record_n(now - ready, n);
            }
            self.warm(&parcels);
            for &p in &parcels {
                let q = &mut self.parcels[p as usize];
                let freight = q.weight * spec.cost_per_kg;
                if observed {
                    self.lanes[l].out.freight_cost += freight;
                }
                if outbound {
                    // Its freight is charged again at delivery, from its lane and weight.
                    self.observer.boarded(number, ready, now);
                    if q.channel == crate::scenario::parcel::Channel::PreArrival {
                        self.lodge_electronic(now, p);
                    }
                } else {
                    q.spent += freight;
                }
            }
            boarded += n;
            self.groups[b as usize] = parcels;
            load_bags.push(b);
        }
        bags.clear();
        self.boarded_bags = bags;
        let lane = &mut self.lanes[l];
        lane.in_transit += boarded as u32;
        lane.out.boarded_total += boarded;
        let empty = boarded == 0;
        if empty {
            for &b in &load_bags {
                self.free_group(b);
            }
        }
        self.loads[load as usize] = load_bags;
        if empty {
            self.free_load(load);
        } else {
            let t = spec.transit.sample(&mut self.lanes[l].rng_transit);
            self.cal.schedule(
                now + t,
                Event::Arrival {
                    lane: l as u32,
                    load,
                },
            );
        }
    }

    /// The departure whose load is `load` (a list of bags) arrives at the end of lane `l`.
    pub(super) fn arrival(&mut self, now: f64, l: usize, load: u32) {
        let bags = std::mem::take(&mut self.loads[load as usize]);
        let n: u64 = bags
            .iter()
            .map(|&b| self.groups[b as usize].len() as u64)
            .sum();
        self.lanes[l].in_transit -= n as u32;
        self.lanes[l].out.arrived_total += n;
        if let Node::Gateway(g) = self.w.lanes[l].to {
            self.gateways[g].out.arrived_total += n;
            if now >= self.warmup {
                self.gateways[g].out.arrived += n;
            }
        }
        for &b in &bags {
            let members = std::mem::take(&mut self.groups[b as usize]);
            match self.w.lanes[l].to {
                Node::Gateway(g) => {
                    for chunk in members.chunks(WARM_CHUNK) {
                        self.warm(chunk);
                        for &p in chunk {
                            self.at_gateway_arrival(now, g, p);
                        }
                    }
                }
                Node::Hub(_) => {
                    for &p in &members {
                        self.close_return(now, p);
                    }
                }
            }
            self.groups[b as usize] = members;
            self.free_group(b);
        }
        self.loads[load as usize] = bags;
        self.free_load(load);
    }
}
