//! The gateway's regime applied to a parcel once its gateway is known: declaration channel,
//! risk channel, duty and VAT in the gateway's currency, and where they are collected.

use super::{Draws, ParcelObserver, Sim};
use crate::scenario::network::Gateway;
use crate::scenario::parcel::{Channel, VatCollection};

impl<O: ParcelObserver> Sim<'_, O> {
    /// Parcel `p` will be cleared by gateway `g`: its channel, risk, duty and VAT, and whether
    /// its documents mismatch, it goes on to physical inspection and is seized there, follow
    /// from `draws` (made at its order) and the gateway's (or its platform's own) shares and
    /// rules.
    pub(super) fn assign_gateway(&mut self, p: u32, g: usize, draws: &Draws) {
        let gw = &self.w.gateways[g];
        let q = &mut self.parcels[p as usize];
        let d = draws;
        let pl = &self.w.platforms[q.platform as usize];
        q.gateway = g as u16;
        let channel_cum = pl.channel_cum.as_ref().unwrap_or(&gw.import.channel_cum);
        q.channel = match channel_cum
            .iter()
            .position(|&c| d.u_channel < c)
            .unwrap_or(2)
        {
            0 => Channel::Paper,
            1 => Channel::Electronic,
            _ => Channel::PreArrival,
        };
        // Value in the gateway's currency: the regime's thresholds and rates apply there.
        let value = d.value / gw.fx;
        let (duty, vat, general_trade) = taxes(gw, value, d.u_annual);
        let risk_cum = pl.risk.as_ref().unwrap_or(&gw.import.risk);
        let mut risk = risk_of(gw, risk_cum, d.u_risk, q.trusted);
        if general_trade && risk == 0 {
            // Over-limit retail orders go to general trade: their documents are checked.
            risk = 1;
        }
        q.risk = risk;
        q.duty = duty * gw.fx;
        q.vat = vat * gw.fx;
        q.mismatch = d.u_mismatch < gw.rules.document_mismatch_rate;
        q.physical = d.u_physical < gw.import.physical_share_of_red;
        q.seize = d.u_seize < gw.import.seizure_rate;
        let r = &gw.regime;
        let collection = pl.collection.unwrap_or(r.vat_collection);
        q.due_at_border = match collection {
            VatCollection::Border => true,
            // Collection at sale covers parcels up to the ceiling (the EU's IOSS: €150);
            // above it, duty and VAT are due at the border.
            VatCollection::Sale => r.ioss_ceiling.is_some_and(|c| value > c),
        };
    }
}

/// Duty, VAT (in the gateway's currency) and whether the order leaves the retail regime for
/// general trade.
fn taxes(gw: &Gateway, value: f64, u_annual: f64) -> (f64, f64, bool) {
    let r = &gw.regime;
    if let Some(cr) = &r.china_retail {
        let over = value > cr.order_limit || u_annual < cr.annual_limit_exceeded_share;
        if over {
            let duty = value * r.duty_rate;
            return (duty, (value + duty) * r.vat_rate, true);
        }
        // Retail rate: (CT + VAT)/(1 − CT) × 70%, duty 0 (Caiguanshui [2016] 18).
        let ct = cr.consumption_tax_rate;
        let combined = (ct + r.vat_rate) / (1.0 - ct) * cr.tax_share;
        return (0.0, value * combined, false);
    }
    let duty = if r.de_minimis_duty.is_some_and(|d| value <= d) {
        0.0
    } else {
        r.flat_duty_per_item.unwrap_or(value * r.duty_rate)
    };
    let vat = if r.de_minimis_vat.is_some_and(|d| value <= d) {
        0.0
    } else {
        (value + duty) * r.vat_rate
    };
    (duty, vat, false)
}

/// Risk channel from a uniform draw and cumulative (green, yellow, red) shares; trusted
/// sellers' yellow and red shares are reduced by the gateway's rule.
fn risk_of(gw: &Gateway, cum: &[f64; 3], u: f64, trusted: bool) -> u8 {
    let [green, yellow, red] = *cum;
    let (y, r) = (yellow - green, red - yellow);
    let f = if trusted {
        gw.rules.trusted_inspection_factor
    } else {
        1.0
    };
    let (y, r) = (y * f, r * f);
    if u < r {
        2
    } else if u < r + y {
        1
    } else {
        0
    }
}
