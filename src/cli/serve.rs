//! `clearsim serve`: starts the what-if web app on a folder of scenarios and says where it is.

use clearsim::serve::{Config, Connections, Folder, Limits};

use super::Failure;
use super::args::ServeCmd;
use super::output::{emit, note};

/// Runs `serve` until the process is stopped (Ctrl-C).
pub fn serve(cmd: ServeCmd) -> Result<(), Failure> {
    let folder = Folder::open(&cmd.dir).map_err(Failure::Input)?;
    let names = folder.names();
    if names.is_empty() {
        return Err(Failure::Input(format!(
            "{}: no scenario file (NAME.toml) in this folder to serve",
            cmd.dir.display()
        )));
    }
    // One line per request and per run on standard error; RUST_LOG-free, so a user need not
    // know tracing to read them.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .init();
    let config = Config {
        folder,
        limits: Limits {
            max_replications: cmd.max_replications,
            max_horizon_h: cmd.max_horizon_h,
            max_parcels: cmd.max_parcels,
            max_runs: cmd.max_runs,
            max_body_bytes: cmd.max_body_bytes,
        },
        threads: cmd.threads,
        cache_size: 64,
        allow_hosts: cmd.allow_hosts.clone(),
        connections: Connections {
            max: cmd.max_connections,
            max_per_client: cmd.max_connections_per_client,
            ..Connections::default()
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Run(format!("cannot start the server's runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(cmd.addr)
            .await
            .map_err(|e| Failure::Input(format!("--addr {}: cannot listen there: {e}", cmd.addr)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::Run(format!("cannot read the address listened on: {e}")))?;
        if !addr.ip().is_loopback() {
            note(&not_loopback(addr));
        }
        emit(&format!(
            "clearsim serve: {} scenario(s) of {} at http://{addr}/\nopen http://{addr}/ in a browser; Ctrl-C stops the server\n",
            names.len(),
            cmd.dir.display()
        ))?;
        clearsim::serve::serve(listener, config)
            .await
            .map_err(|e| Failure::Run(format!("the server stopped: {e}")))
    })
}

/// The warning of a server listening beyond this machine: it has no login, so say who can use it.
fn not_loopback(addr: std::net::SocketAddr) -> String {
    let who = if addr.ip().is_unspecified() {
        "every network this machine is on".to_string()
    } else {
        format!("the network of {}", addr.ip())
    };
    format!(
        "warning: ***************************************************************\n\
         warning: clearsim serve is listening on {addr}, NOT on loopback: anyone on\n\
         warning: {who} can open it. It has no login: whoever reaches it can\n\
         warning: list the scenarios of this folder with their values and run comparisons\n\
         warning: on this machine. To keep it to this machine, leave out --addr\n\
         warning: (127.0.0.1:8080) or give --addr 127.0.0.1:PORT. Browsers reach it by an\n\
         warning: address, or by a name given with --allow-host NAME.\n\
         warning: ***************************************************************"
    )
}

#[cfg(test)]
mod tests {
    use super::not_loopback;

    #[test]
    fn a_server_open_to_the_network_says_it_has_no_login_and_how_to_keep_it_local() {
        for (addr, who) in [
            ("0.0.0.0:8080", "every network this machine is on"),
            ("10.0.0.5:8080", "the network of 10.0.0.5"),
        ] {
            let w = not_loopback(addr.parse().unwrap());
            assert!(w.lines().all(|l| l.starts_with("warning: ")), "{w}");
            let text = w.replace("\nwarning: ", " ");
            for says in [
                format!("listening on {addr}, NOT on loopback"),
                who.to_string(),
                "It has no login".to_string(),
                "--addr 127.0.0.1:PORT".to_string(),
                "--allow-host NAME".to_string(),
            ] {
                assert!(text.contains(&says), "{says}: {w}");
            }
        }
    }
}
