//! Stations of the parcel world (sort, customs officers and lanes, depots): entering, service
//! start and end under the staffing calendar, and where a parcel goes after each kind.

use super::{DEPOT, DOC, Event, PAPER, PHYS, ParcelObserver, SORT, Sim, XRAY};
use crate::engine::Admission;

impl<O: ParcelObserver> Sim<'_, O> {
    /// Parcel `p` joins station `s` at `now`. The station's line keeps when each parcel
    /// joined it, so the parcel itself is not read here: a parcel out of the first mile is
    /// not in cache, and the sort is its next visit.
    pub(super) fn enter_station(&mut self, now: f64, s: usize, p: u32) {
        let Some(st) = self.stations[s].as_mut() else {
            return;
        };
        if st.station.arrive(now, p, 0) == Admission::Start {
            self.start_service(now, s, p, now);
        }
    }

    /// Parcel `p`, at station `s` since `entered`, starts its service at `now`.
    fn start_service(&mut self, now: f64, s: usize, p: u32, entered: f64) {
        let Some(st) = self.stations[s].as_mut() else {
            return;
        };
        // A wait counts when its service starts at or after the warm-up.
        if now >= self.warmup {
            let wait = now - entered;
            if wait == 0.0 {
                st.zero_waits += 1;
            } else {
                st.wait.record(wait);
            }
            st.services += 1;
        }
        let (from, until, servers) = st.on_duty;
        let servers = if from <= now && now < until {
            servers
        } else {
            let schedule = &st.spec.schedule;
            let servers = schedule.servers_at(now);
            // The schedule's boundaries are fuzzy by a nanosecond or so: stop 1e-6 h short.
            let until = schedule
                .next_change(now)
                .map_or(f64::INFINITY, |at| at - 1e-6);
            st.on_duty = (now, until, servers);
            servers
        };
        if servers == 0 {
            st.closed_starts += 1;
        }
        let d = st.spec.service.sample(&mut st.rng);
        self.cal.schedule(
            now + d,
            Event::ServiceEnd {
                station: s as u32,
                p,
            },
        );
    }

    pub(super) fn service_end(&mut self, now: f64, s: usize, p: u32) {
        let Some(st) = self.stations[s].as_mut() else {
            return;
        };
        let (kind, node) = (st.kind, st.node as usize);
        if let Some(next) = st.station.finish(now) {
            self.start_service(now, s, next.entity, next.since);
        }
        match kind {
            SORT => self.bag_parcel(now, p),
            PAPER => self.paper_handled(now, node, p),
            DOC => {
                self.parcels[p as usize].doc_done = now;
                self.docs_done(now, p);
            }
            XRAY => self.xrayed(now, node, p),
            PHYS => self.physically_inspected(now, node, p),
            DEPOT => self.out_of_depot(now, p),
            _ => {}
        }
    }

    pub(super) fn capacity_change(&mut self, now: f64, s: usize) {
        let Some(st) = self.stations[s].as_mut() else {
            return;
        };
        let servers = st.spec.schedule.servers_at(now);
        let next = st.spec.schedule.next_change(now);
        st.station.set_capacity(now, servers);
        while let Some(w) = self.stations[s]
            .as_mut()
            .and_then(|st| st.station.start_next(now))
        {
            self.start_service(now, s, w.entity, w.since);
        }
        if let Some(at) = next {
            self.cal
                .schedule(at, Event::CapacityChange { station: s as u32 });
        }
    }
}
