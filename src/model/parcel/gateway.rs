//! Import gateways: a parcel's import clearance in Time Release Study segments (lodgement,
//! assessment or the paper desk, documentary check, X-ray and physical inspection, payment),
//! release, exit, the last-mile depot and delivery.

use rand::RngExt;

use super::{Event, ParcelObserver, Sim};
use crate::scenario::parcel::{Channel, Mode};

impl<O: ParcelObserver> Sim<'_, O> {
    /// Parcel `p` arrives at gateway `g` at `now`.
    pub(super) fn at_gateway_arrival(&mut self, now: f64, g: usize, p: u32) {
        let gw = &self.w.gateways[g];
        let q = &mut self.parcels[p as usize];
        q.arrived = now;
        q.goods_here = true;
        match q.channel {
            Channel::Paper => {
                let d = gw
                    .import
                    .paper_lodgement
                    .sample(&mut self.gateways[g].rng_customs);
                self.cal.schedule(now + d, Event::Lodged { p });
            }
            Channel::Electronic => self.lodge_electronic(now, p),
            Channel::PreArrival => {
                if q.docs_ready {
                    self.gateways[g].awaiting_arrival -= 1;
                    self.goods_steps(now, p);
                }
            }
        }
    }

    /// What parcel `p` cost up to its delivery, by category of [`super::COSTS`], in the
    /// reporting currency, from what happened to it. Each charge is added in the order it was
    /// incurred, so the figures are those of charging the parcel as it went.
    pub(super) fn costs(&self, p: u32) -> [f64; 6] {
        let q = &self.parcels[p as usize];
        let gw = &self.w.gateways[q.gateway as usize];
        let c = &gw.costs;
        let mut cost = [0.0; 6];
        // Declaration and brokerage, once; with list release, one declaration per bag.
        let bagged = q.mode != Mode::Bonded1210;
        let per_bag = if gw.rules.list_release && bagged {
            self.w.hubs[q.hub as usize].bag_size as f64
        } else {
            1.0
        };
        cost[0] += (c.declaration_fee + c.brokerage_fee) / per_bag * gw.fx;
        let paper = c.paper_per_document * c.documents_per_paper_declaration * gw.fx;
        for _ in 0..q.paper_handlings {
            cost[1] += paper;
        }
        if q.doc_checked {
            cost[2] += c.doc_check * gw.fx;
        }
        if q.xrayed {
            cost[2] += c.xray * gw.fx;
        }
        if q.inspected_physically {
            cost[2] += c.physical * gw.fx;
        }
        cost[3] += q.spent;
        if bagged {
            cost[5] += q.weight * self.w.lanes[q.lane as usize].cost_per_kg;
        }
        cost
    }

    /// Its paper declaration is handled (again): paid for at delivery, per handling.
    fn charge_paper(&mut self, p: u32) {
        let q = &mut self.parcels[p as usize];
        q.paper_handlings = q.paper_handlings.saturating_add(1);
    }

    pub(super) fn lodged(&mut self, now: f64, p: u32) {
        self.parcels[p as usize].lodged = now;
        let g = self.parcels[p as usize].gateway as usize;
        if self.parcels[p as usize].channel == Channel::Paper {
            self.charge_paper(p);
            self.enter_station(now, self.gateways[g].first_station, p);
        } else {
            let d = self.w.gateways[g]
                .import
                .assessment
                .sample(&mut self.gateways[g].rng_customs);
            self.cal.schedule(now + d, Event::Assessed { p });
        }
    }

    /// Lodgement followed by automated assessment, both pure delays: one event at the end of
    /// the assessment, with the lodgement time recorded on the way. Pre-arrival declarations
    /// are lodged counting from departure.
    pub(super) fn lodge_electronic(&mut self, now: f64, p: u32) {
        let g = self.parcels[p as usize].gateway as usize;
        let gw = &self.w.gateways[g];
        let rng = &mut self.gateways[g].rng_customs;
        let lodgement = match self.parcels[p as usize].channel {
            Channel::PreArrival => &gw.import.pre_arrival_lodgement,
            _ => &gw.import.electronic_lodgement,
        };
        let lodged = now + lodgement.sample(rng);
        let assessed = lodged + gw.import.assessment.sample(rng);
        self.parcels[p as usize].lodged = lodged;
        // An electronic declaration whose goods are here and whose risk channel needs no
        // station goes on through pure delays only (assessment, match, payment): its release
        // time is known now and needs no event. Anything that queues at a station keeps the
        // event, so that stations see arrivals in time order.
        let st = self.gateways[g].first_station;
        let q = &self.parcels[p as usize];
        let needs_station = (q.risk == 1 && self.stations[st + 1].is_some())
            || (q.risk == 2 && self.stations[st + 2].is_some());
        let mismatch = gw.rules.three_document_match
            && matches!(q.mode, Mode::B2c9610 | Mode::Bonded1210)
            && q.mismatch;
        if q.goods_here && !needs_station && !mismatch {
            self.assessed(assessed, p);
        } else {
            self.cal.schedule(assessed, Event::Assessed { p });
        }
    }

    pub(super) fn assessed(&mut self, now: f64, p: u32) {
        self.parcels[p as usize].assessed = now;
        self.after_assessment(now, p);
    }

    pub(super) fn after_assessment(&mut self, now: f64, p: u32) {
        let q = &self.parcels[p as usize];
        let g = q.gateway as usize;
        let gw = &self.w.gateways[g];
        let cbec = matches!(q.mode, Mode::B2c9610 | Mode::Bonded1210);
        if gw.rules.three_document_match && cbec && !q.matched && q.mismatch {
            let d = gw
                .rules
                .manual_match
                .sample(&mut self.gateways[g].rng_customs);
            self.cal.schedule(now + d, Event::MatchDone { p });
            return;
        }
        let doc = self.gateways[g].first_station + 1;
        if q.risk == 1 && self.stations[doc].is_some() {
            self.parcels[p as usize].doc_checked = true;
            self.enter_station(now, doc, p);
        } else {
            self.parcels[p as usize].doc_done = now;
            self.docs_done(now, p);
        }
    }

    pub(super) fn docs_done(&mut self, now: f64, p: u32) {
        let q = &mut self.parcels[p as usize];
        q.docs_ready = true;
        if q.goods_here {
            self.goods_steps(now, p);
        } else {
            self.gateways[q.gateway as usize].awaiting_arrival += 1;
        }
    }

    fn goods_steps(&mut self, now: f64, p: u32) {
        let q = &mut self.parcels[p as usize];
        let g = q.gateway as usize;
        let xray = self.gateways[g].first_station + 2;
        if q.risk == 2 && self.stations[xray].is_some() {
            q.xrayed = true;
            self.enter_station(now, xray, p);
        } else {
            self.payment(now, p);
        }
    }

    /// Out of the paper desk of gateway `g`: sent back for rework, or assessed.
    pub(super) fn paper_handled(&mut self, now: f64, g: usize, p: u32) {
        let import = &self.w.gateways[g].import;
        let rng = &mut self.gateways[g].rng_rework;
        let u: f64 = rng.random();
        if u < import.paper_error_rate {
            // Sent back: corrected and resubmitted, handled (and paid for) again.
            let d = import.paper_rework.sample(rng);
            self.charge_paper(p);
            self.cal.schedule(now + d, Event::ReworkDone { p });
        } else {
            self.assessed(now, p);
        }
    }

    pub(super) fn xrayed(&mut self, now: f64, g: usize, p: u32) {
        let phys = self.gateways[g].first_station + 3;
        if self.parcels[p as usize].physical && self.stations[phys].is_some() {
            self.enter_station(now, phys, p);
        } else {
            self.payment(now, p);
        }
    }

    pub(super) fn physically_inspected(&mut self, now: f64, g: usize, p: u32) {
        let q = &mut self.parcels[p as usize];
        q.inspected_physically = true;
        if q.seize {
            q.released = true;
            self.gateways[g].out.seized_total += 1;
            self.out.seized += 1;
            if now >= self.warmup {
                self.gateways[g].out.seized += 1;
            }
            self.free_parcel(p);
        } else {
            self.payment(now, p);
        }
    }

    /// Out of inspection (or with none due) at `now`: duty and VAT are paid, if due.
    fn payment(&mut self, now: f64, p: u32) {
        let q = &self.parcels[p as usize];
        let g = q.gateway as usize;
        // Collected at sale (IOSS-style), VAT and duty are paid with the order: nothing is due
        // at the border. Otherwise both are paid before release.
        let due = if q.due_at_border { q.duty + q.vat } else { 0.0 };
        let paid = if due > 0.0 {
            now + self.w.gateways[g]
                .import
                .payment
                .sample(&mut self.gateways[g].rng_customs)
        } else {
            now
        };
        // Payment is a pure delay (no resource): the release time is known now, and the
        // parcel's books are closed without an event.
        self.release(paid, p, now);
    }

    /// Releases parcel `p` at `now`, out of inspection at `inspected`, which may lie ahead of
    /// the clock when only pure delays led here; a release after the horizon did not happen
    /// within the run. Each figure counts the
    /// parcel by its own event (release, gate-out, delivery) at or after the warm-up, however
    /// early it is computed: that is why `end_warmup` resets none of these tallies.
    pub(super) fn release(&mut self, now: f64, p: u32, inspected: f64) {
        let g = self.parcels[p as usize].gateway as usize;
        if now > self.horizon {
            self.beyond_horizon += 1;
            self.gateways[g].released_beyond += 1;
            self.free_parcel(p);
            return;
        }
        self.parcels[p as usize].released = true;
        self.gateways[g].out.released_total += 1;
        let after_warmup = now >= self.warmup;
        let q = &self.parcels[p as usize];
        // TRS milestones, each clamped to follow the previous one: work done before arrival
        // (pre-arrival lodgement and assessment) counts as zero time after arrival.
        let mut prev = q.arrived;
        let mut segments = [0.0; 5];
        let milestones = [q.lodged, q.assessed, q.doc_done, inspected, now];
        for (k, m) in milestones.iter().enumerate() {
            let m = m.max(prev);
            segments[k] = m - prev;
            prev = m;
        }
        self.observer
            .released_as(q.arrived, segments, now, q.channel, q.risk);
        self.out.series.record(now - q.arrived, now);
        let gs = &mut self.gateways[g];
        if after_warmup {
            for (k, &seg) in segments.iter().enumerate() {
                if seg == 0.0 {
                    gs.zero_segments[k] += 1;
                } else {
                    gs.out.segments[k].record(seg);
                }
            }
            gs.out.clearance.record(now - q.arrived);
        }
        // Exit (gate-out) and last mile are pure delays with no resource: the delivery time is
        // known now, so the parcel's books are closed here and no event is needed. A parcel
        // whose delivery falls after the horizon is counted as still in the system.
        let gw = &self.w.gateways[g];
        let exit = gw.import.exit.sample(&mut gs.rng_customs);
        let q = &mut self.parcels[p as usize];
        let gate_out = now + exit;
        let days = (gate_out - q.arrived) / 24.0;
        q.spent = (days - gw.costs.free_storage_days).max(0.0) * gw.costs.storage_per_day * gw.fx;
        // Exit counts by its own event, gate-out, in the observation window.
        if gate_out >= self.warmup && gate_out <= self.horizon {
            gs.out.exit.record(exit);
        }
        if gs.depot.is_some() {
            if gate_out <= self.horizon {
                q.since = gate_out;
                self.cal.schedule(gate_out, Event::GateOut { p });
            } else {
                self.beyond_horizon += 1;
                self.free_parcel(p);
            }
            return;
        }
        self.last_mile(gate_out, p);
    }

    /// Out of the depot of the parcel's gateway at `now`: on to the last mile.
    pub(super) fn out_of_depot(&mut self, now: f64, p: u32) {
        let q = &self.parcels[p as usize];
        let g = q.gateway as usize;
        if now >= self.warmup {
            // `since` is the gate-out: the time spent at the depot, queue and dispatch.
            let wait = now - q.since;
            self.gateways[g].out.depot_wait.record(wait);
        }
        self.last_mile(now, p);
    }

    /// The last mile from `from` (gate-out or the depot) to delivery.
    fn last_mile(&mut self, from: f64, p: u32) {
        let q = &self.parcels[p as usize];
        let g = q.gateway as usize;
        let gw = &self.w.gateways[g];
        let last = if q.mode == Mode::Bonded1210 {
            &gw.bonded_last_mile
        } else {
            &gw.last_mile
        };
        let delivered_at = from + last.sample(&mut self.gateways[g].rng_last_mile);
        self.observer.left(from, delivered_at);
        if delivered_at <= self.horizon {
            self.delivered(delivered_at, p);
        } else {
            self.beyond_horizon += 1;
            self.free_parcel(p);
        }
    }
}
