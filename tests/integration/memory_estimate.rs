//! The up-front memory estimate: within ±30% of the peak resident memory the job really takes,
//! measured on the binary itself.

use clearsim::experiment::budget::{JobShape, estimate};

use crate::support::{bin, load, path};

/// Runs the binary with `args` and returns its peak resident memory [bytes] (`wait4` on the
/// child itself, so other tests' children do not count).
#[allow(clippy::zombie_processes)] // reaped by `wait4`, which also gives its peak memory
fn peak_rss_bytes(args: &[&str]) -> f64 {
    let child = bin()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the clearsim binary runs");
    let mut status = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills; the pid is our own child, waited once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{args:?}: status {status}"
    );
    // Linux reports ru_maxrss in KiB.
    usage.ru_maxrss as f64 * 1024.0
}

#[test]
fn the_memory_estimate_of_a_network_is_within_30_percent_of_its_measured_peak() {
    let sets = [
        "run.demand_multiplier=0.1",
        "run.replications=1",
        "run.seed=2",
    ];
    let file = path("scenarios/network-eu.toml");
    let mut args = vec![file.as_str(), "--threads", "1", "--quiet"];
    let mut run = vec!["run"];
    for s in &sets {
        args.extend(["--set", s]);
    }
    run.extend(args);
    let measured = peak_rss_bytes(&run);
    let sc = load("scenarios/network-eu.toml", &sets);
    let shape = JobShape {
        replications: 1,
        runs: 1,
        threads: 1,
    };
    let estimated = estimate(&sc, &shape).memory_bytes;
    let ratio = estimated / measured;
    assert!(
        (0.7..=1.3).contains(&ratio),
        "estimate {:.0} MiB, measured {:.0} MiB (ratio {ratio:.2})",
        estimated / 1048576.0,
        measured / 1048576.0
    );
}
