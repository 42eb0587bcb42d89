//! Static detection of zero-time cycles: loops of stages an entity could go round without simulated time advancing.
//!
//! A stage *can take zero time* when the time it holds an entity has an atom at zero:
//! a queue or delay whose time is deterministic 0 (or an empirical distribution with a 0 point,
//! or two when interpolated), a departures stage whose transit can be 0 (an entity may board
//! at the instant it arrives), and every batch stage (a batch is released at the instant its
//! last member arrives, so members that come back at once fill it again). A continuous
//! distribution whose support merely starts at 0 (exponential, uniform from 0) draws exactly 0
//! with probability zero, so time advances round its loop almost surely and it is allowed.
//!
//! A cycle of the routing graph (any route with positive probability) made only of such stages
//! is refused, whatever the routing probabilities: even a loop left with probability ½ at each
//! pass lets one instant hold an unbounded number of moves, and a loop left with probability 0
//! never ends.

use super::{Scenario, StageKind, Target};
use crate::engine::Dist;

/// True when a draw of `d` is exactly 0 (or less) with positive probability.
pub fn has_atom_at_zero(d: &Dist) -> bool {
    match d {
        Dist::Deterministic(v) => *v <= 0.0,
        Dist::Empirical {
            points,
            interpolate,
            ..
        } => {
            if *interpolate {
                points.len() >= 2 && points[1] <= 0.0
            } else {
                points[0] <= 0.0
            }
        }
        Dist::Uniform { max, .. } | Dist::Triangular { max, .. } => *max <= 0.0,
        Dist::Exponential { .. }
        | Dist::NormalTrunc { .. }
        | Dist::LogNormal { .. }
        | Dist::Gamma { .. }
        | Dist::Weibull { .. } => false,
    }
}

/// Whether stage `kind` can hold an entity for no time at all (see the module's rule).
fn can_take_zero_time(kind: &StageKind) -> bool {
    match kind {
        StageKind::Queue { service, .. } => has_atom_at_zero(service),
        StageKind::Delay { delay } => has_atom_at_zero(delay),
        StageKind::Batch { .. } => true,
        StageKind::Departures { transit, .. } => has_atom_at_zero(transit),
    }
}

/// Every zero-time cycle of `scenario`'s stages, each once, as the stage indices in routing
/// order starting from its lowest index.
pub fn zero_time_cycles(scenario: &Scenario) -> Vec<Vec<usize>> {
    let stages = &scenario.stages;
    let zero: Vec<bool> = stages.iter().map(|s| can_take_zero_time(&s.kind)).collect();
    // Successors by routes of positive probability, among zero-time stages only.
    let next: Vec<Vec<usize>> = stages
        .iter()
        .map(|s| {
            let mut prev = 0.0;
            let mut out = Vec::new();
            for &(t, cum) in &s.routing.choices {
                if let Target::Stage(j) = t
                    && cum > prev
                    && zero[j]
                    && !out.contains(&j)
                {
                    out.push(j);
                }
                prev = cum;
            }
            out
        })
        .collect();
    let mut in_a_cycle = vec![false; stages.len()];
    let mut cycles = Vec::new();
    for start in (0..stages.len()).filter(|&i| zero[i]) {
        if in_a_cycle[start] {
            continue;
        }
        // Breadth-first from `start`, remembering each stage's parent, until `start` is reached.
        let mut parent = vec![usize::MAX; stages.len()];
        let mut queue = std::collections::VecDeque::from([start]);
        let mut closing = None;
        while let Some(v) = queue.pop_front() {
            for &w in &next[v] {
                if w == start {
                    closing = Some(v);
                    break;
                }
                if parent[w] == usize::MAX {
                    parent[w] = v;
                    queue.push_back(w);
                }
            }
            if closing.is_some() {
                break;
            }
        }
        let Some(mut v) = closing else { continue };
        let mut cycle = vec![v];
        while v != start {
            v = parent[v];
            cycle.push(v);
        }
        cycle.reverse();
        for &i in &cycle {
            in_a_cycle[i] = true;
        }
        cycles.push(cycle);
    }
    cycles
}

/// The refusal of one zero-time cycle, naming its stages.
pub fn describe(scenario: &Scenario, cycle: &[usize]) -> String {
    let names: Vec<&str> = cycle
        .iter()
        .chain(cycle.first())
        .map(|&i| scenario.stages[i].name.as_str())
        .collect();
    format!(
        "stages {} form a loop that takes no time (each can hold an entity for exactly 0 h: a batch, or a time of deterministic 0), so simulated time would stop going round it; give one of them a time that cannot be 0, or route out of the loop",
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(" → ")
    )
}

/// Successors of each stage by routes of positive probability, and whether it may exit.
fn routes(scenario: &Scenario) -> (Vec<Vec<usize>>, Vec<bool>) {
    let mut next = vec![Vec::new(); scenario.stages.len()];
    let mut exits = vec![false; scenario.stages.len()];
    for (i, s) in scenario.stages.iter().enumerate() {
        let mut prev = 0.0;
        for &(t, cum) in &s.routing.choices {
            if cum > prev {
                match t {
                    Target::Stage(j) => next[i].push(j),
                    Target::Exit => exits[i] = true,
                }
            }
            prev = cum;
        }
    }
    (next, exits)
}

/// The stages an arrival can reach from which no route of positive probability leads out of the
/// network, in index order: an entity there goes round for ever, so a run that ends when the
/// network is empty (no `run.horizon_h`) would never end. Linear in stages and routes.
pub fn trapped(scenario: &Scenario) -> Vec<usize> {
    let n = scenario.stages.len();
    let (next, exits) = routes(scenario);
    // Backwards from the exit: which stages can leave.
    let mut prev = vec![Vec::new(); n];
    for (i, out) in next.iter().enumerate() {
        for &j in out {
            prev[j].push(i);
        }
    }
    let mut leaves = exits.clone();
    let mut stack: Vec<usize> = (0..n).filter(|&i| exits[i]).collect();
    while let Some(v) = stack.pop() {
        for &u in &prev[v] {
            if !leaves[u] {
                leaves[u] = true;
                stack.push(u);
            }
        }
    }
    // Forwards from the sources: which stages an arrival can reach.
    let mut reached = vec![false; n];
    let mut stack: Vec<usize> = scenario
        .sources
        .iter()
        .filter_map(|s| match s.target {
            Target::Stage(j) => Some(j),
            Target::Exit => None,
        })
        .collect();
    while let Some(v) = stack.pop() {
        if std::mem::replace(&mut reached[v], true) {
            continue;
        }
        stack.extend(next[v].iter().copied().filter(|&w| !reached[w]));
    }
    (0..n).filter(|&i| reached[i] && !leaves[i]).collect()
}

/// The refusal of a stage no route leads out of, in a run with no horizon.
pub fn describe_trap(scenario: &Scenario, stage: usize) -> String {
    format!(
        "no route from stage `{}` leads out of the network (every route from it comes back to stages that never exit), so entities reaching it go round for ever and a run without `run.horizon_h`, which ends when the network is empty, would never end; route a share of it to \"exit\", or set `run.horizon_h`",
        scenario.stages[stage].name
    )
}
