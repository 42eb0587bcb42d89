//! The up-front memory estimate: within ±30% of the peak resident memory the job really takes,
//! measured on the binary itself.

use clearsim::experiment::budget::{JobShape, estimate};

use crate::support::{bin, load, path};

/// Runs the binary with `args` and returns its peak resident memory [bytes]: the `VmHWM` of
/// its own address space, read from `/proc` until it exits. (The kernel's `ru_maxrss` of a
/// child would also count the test process's memory, which a forked child holds until it
/// executes the binary.) A read every 2 ms misses at most the growth of the last 2 ms.
fn peak_rss_bytes(args: &[&str]) -> f64 {
    let mut child = bin()
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the clearsim binary runs");
    let status_file = format!("/proc/{}/status", child.id());
    let exe = std::fs::canonicalize(env!("CARGO_BIN_EXE_clearsim")).unwrap();
    let mut peak_kib = 0.0_f64;
    loop {
        // Only once the child runs the binary (not the test's own image before it executes).
        let running_binary =
            std::fs::read_link(format!("/proc/{}/exe", child.id())).is_ok_and(|p| p == exe);
        if running_binary
            && let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "{args:?}: {status}");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(peak_kib > 0.0, "no reading of the child's memory");
    peak_kib * 1024.0
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
