//! Origin hubs: a parcel arrives from the first mile, is sorted, joins the open bag of its
//! lane or routing rule, and the closed bag clears export as one declaration.

use super::{BagInfo, Event, ParcelObserver, Sim};
use crate::engine::batch::BatchPush;

impl<O: ParcelObserver> Sim<'_, O> {
    /// Parcel `p` is out of the first mile at hub `h` (given by the event: the parcel is not
    /// in cache, and a sort station need not read it).
    pub(super) fn at_hub(&mut self, now: f64, p: u32, h: usize) {
        let s = self.sort_station[h];
        if self.stations[s].is_some() {
            self.enter_station(now, s, p);
        } else {
            // No sort station, no bags: the parcel clears export and boards on its own.
            let g = self.new_single();
            self.groups[g as usize].push(p);
            let stream = self.stream[p as usize] as usize;
            self.export(now, g, stream);
        }
    }

    pub(super) fn bag_parcel(&mut self, now: f64, p: u32) {
        let s = self.stream[p as usize] as usize;
        let Some(stream) = self.streams.get_mut(s) else {
            // No route from this hub (validation prevents it): the parcel cannot go on.
            self.out.oversize_refused += 1;
            self.free_parcel(p);
            return;
        };
        match stream.bag.push(now, p) {
            BatchPush::Full => self.release_bag(now, s),
            BatchPush::Opened { generation } => {
                if let Some(t) = self.w.hubs[stream.hub].bag_timeout_h {
                    self.cal.schedule(
                        now + t,
                        Event::BagTimeout {
                            stream: s as u32,
                            generation,
                        },
                    );
                }
            }
            BatchPush::Added => {}
        }
    }

    /// The open bag of stream `s` closes: its parcels become one group that clears export and
    /// boards as one.
    pub(super) fn release_bag(&mut self, now: f64, s: usize) {
        let g = self.new_group();
        let mut members = std::mem::take(&mut self.groups[g as usize]);
        self.streams[s].bag.take(&mut members);
        self.groups[g as usize] = members;
        self.export(now, g, s);
    }

    /// Export clearance of bag `g` (one draw for the bag: its declaration is cleared as one) is
    /// a pure delay: the time the bag reaches the departure point is known now. Bound for a
    /// lane, it waits there in the lane's `clearing`; bound for a routing rule, an event at
    /// that time lets the rule choose the lane with the network's state of then.
    fn export(&mut self, now: f64, g: u32, s: usize) {
        let Some(stream) = self.streams.get(s) else {
            self.refuse(now, g);
            return;
        };
        let (h, lane) = (stream.hub, stream.lane);
        let clearance = self.w.hubs[h]
            .export_clearance
            .sample(&mut self.hub_export[h]);
        let ready = now + clearance;
        let mut load = [0.0; 3];
        for &p in &self.groups[g as usize] {
            let q = &self.parcels[p as usize];
            load[0] += 1.0;
            load[1] += q.weight;
            load[2] += q.volume;
        }
        self.bag_info[g as usize] = BagInfo {
            number: self.bags_closed,
            ready,
            load,
        };
        self.bags_closed += 1;
        if ready >= self.warmup && ready <= self.horizon {
            let n = self.groups[g as usize].len() as u64;
            let hub = &mut self.hub_out[h];
            hub.bags += 1;
            hub.parcels += n;
            hub.export.record_n(clearance, n);
        }
        match lane {
            Some(l) => self.join_lane(ready, g, l),
            None if ready <= self.horizon => {
                self.cal.schedule(ready, Event::BagReady { group: g });
            }
            // Out of export after the horizon: still in the system, its slots stay held.
            None => {}
        }
    }

    /// Bag `g` can never board (larger than a whole departure of every lane it may take): it
    /// is refused when it reaches the departure point, if that is within the run; otherwise it
    /// is still in export clearance at the horizon (in the system). Either way nothing more
    /// happens to its parcels.
    pub(super) fn refuse(&mut self, ready: f64, g: u32) {
        let n = self.groups[g as usize].len() as u64;
        if ready <= self.horizon {
            self.out.oversize_refused += n;
        } else {
            self.beyond_horizon += n;
        }
        for i in 0..self.groups[g as usize].len() {
            self.free_parcel(self.groups[g as usize][i]);
        }
        self.free_group(g);
    }
}
