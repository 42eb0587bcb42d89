//! Accepting connections: bounded in all and per client address, cut off when headers come slowly.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How many connections the server holds, and how long it waits for a client.
#[derive(Clone, Debug, PartialEq)]
pub struct Connections {
    /// Most connections open at once; a further one waits to be accepted until one closes.
    pub max: usize,
    /// Most connections open at once from one client address; a further one is answered 429 and
    /// closed at once.
    pub max_per_client: usize,
    /// Longest wait for a request's headers, counted from the connection's opening or from the
    /// previous answer: a client that sends them a line at a time, or keeps an idle connection,
    /// is cut off after it.
    pub header_timeout: Duration,
    /// Longest wait for a request's whole body once its headers have come (a body shorter than
    /// its `Content-Length` is waited for this long, then answered 408).
    pub body_timeout: Duration,
}

impl Default for Connections {
    fn default() -> Self {
        Connections {
            max: 512,
            max_per_client: 128,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
        }
    }
}

/// Open connections by client address.
type Open = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// One open connection of a client, counted until dropped.
struct Counted {
    ip: IpAddr,
    open: Open,
}

impl Counted {
    /// Counts a connection from `ip`, unless it already has `max` open.
    fn enter(open: &Open, ip: IpAddr, max: usize) -> Option<Counted> {
        let mut held = open.lock().unwrap_or_else(|p| p.into_inner());
        let n = held.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Counted {
            ip,
            open: open.clone(),
        })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut held = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = held.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.ip);
            }
        }
    }
}

/// The answer to a client over its connection limit, written without reading its request.
fn too_many(max: usize) -> String {
    let body = serde_json::json!({
        "error": format!(
            "this address already has {max} connections open to the server, its limit (clearsim serve --max-connections-per-client): close some and try again"
        ),
        "field": null,
    })
    .to_string();
    format!(
        "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Serves `router` on `listener` over HTTP/1.1 within `limits`, until the process ends.
pub(crate) async fn accept(
    listener: TcpListener,
    router: Router,
    limits: Connections,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max.max(1)));
    let open: Open = Arc::default();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    loop {
        // Taken before accepting: when every slot is held, new connections wait in the
        // system's queue rather than being opened and starved.
        let slot = slots
            .clone()
            .acquire_owned()
            .await
            .map_err(std::io::Error::other)?;
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                wait_after(&e).await;
                continue;
            }
        };
        let Some(counted) = Counted::enter(&open, peer.ip(), limits.max_per_client.max(1)) else {
            refuse(&stream, peer, limits.max_per_client);
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            let _held = (slot, counted);
            // A client that goes away or is too slow ends its connection; nothing to report.
            let _ = connection.await;
        });
    }
}

/// Answers a connection over its client's limit and closes it. The answer is written only if
/// the socket takes it at once: a client that does not read is not waited for.
fn refuse(stream: &tokio::net::TcpStream, peer: SocketAddr, max: usize) {
    tracing::warn!(%peer, max, "connection refused: too many open from this address");
    let _ = stream.try_write(too_many(max).as_bytes());
}

/// After a failed accept: nothing for a connection the client already dropped; a pause for
/// anything else (out of file descriptors, say), so the loop does not spin.
async fn wait_after(e: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept a connection; retrying in a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_counts_its_open_connections_up_to_its_limit_and_frees_them_when_closed() {
        let open: Open = Arc::default();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let a = Counted::enter(&open, ip, 2).unwrap();
        let b = Counted::enter(&open, ip, 2).unwrap();
        assert!(Counted::enter(&open, ip, 2).is_none());
        let c = Counted::enter(&open, other, 2).expect("another address has its own count");
        drop(a);
        let d = Counted::enter(&open, ip, 2).expect("a closed connection frees its place");
        drop((b, c, d));
        assert!(open.lock().unwrap().is_empty());
    }

    #[test]
    fn the_answer_over_the_limit_is_a_whole_http_response_that_says_the_limit() {
        let text = too_many(64);
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 429 "));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(body.contains("64 connections") && body.contains("--max-connections-per-client"));
    }
}
