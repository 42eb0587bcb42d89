//! `clearsim serve` refuses hostile loopback clients and still answers a good request afterwards.
//!
//! Another site's page, a foreign `Host` (DNS rebinding), a body that is not JSON, lever values
//! the levers do not offer, slow headers, a body shorter than its length and too many
//! connections from one client are each refused. Each test takes a few seconds.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use clearsim::serve::{Config, Connections, Folder, Limits};
use serde_json::{Value, json};

use crate::serve::{events, folder, get, post, served};

/// The server of the library on a free loopback port, in its own runtime, stopped when dropped;
/// its timeouts short, so that a test waits a second for a slow client, not ten.
struct Local {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
}

impl Local {
    fn start(dir: &Path, connections: Connections) -> Local {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config {
            folder: Folder::open(dir).unwrap(),
            limits: Limits::default(),
            threads: 2,
            cache_size: 8,
            allow_hosts: Vec::new(),
            connections,
        };
        runtime.spawn(clearsim::serve::serve(listener, config));
        Local {
            runtime: Some(runtime),
            addr,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The host the server answers to: its address and port.
    fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Comparisons simulated so far.
    fn simulated(&self) -> u64 {
        let (status, _, body) = get(&self.url("/api/stats"));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()["simulated"]
            .as_u64()
            .unwrap()
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        if let Some(r) = self.runtime.take() {
            r.shutdown_background();
        }
    }
}

/// Short timeouts and few connections per client.
fn tight() -> Connections {
    Connections {
        max: 16,
        max_per_client: 4,
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
    }
}

/// A request as written on the wire: `head` lines (without Content-Length), then `body`.
fn request(method: &str, path: &str, head: &[(&str, &str)], body: &str) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\n");
    for (k, v) in head {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    text
}

/// Sends `text` on a new connection and reads until the server closes it (5 s at most): the
/// status and the body of the answer.
fn exchange(addr: SocketAddr, text: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(text.as_bytes()).unwrap();
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .unwrap_or_else(|e| panic!("no whole answer within 5 s ({e}) to\n{text}"));
    status_and_body(&String::from_utf8_lossy(&answer))
}

fn status_and_body(answer: &str) -> (u16, String) {
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, body.to_string())
}

/// Reads `stream` until the server closes it, for at most `secs`, calling `between` every
/// 100 ms (to send another header line, say): what the server sent before closing, or `None`
/// if the connection was still open at the end.
fn until_closed(
    stream: &mut TcpStream,
    secs: f64,
    mut between: impl FnMut(&mut TcpStream),
) -> Option<String> {
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                between(stream)
            }
            // Reset: closed with our bytes unread.
            Err(_) => return Some(String::from_utf8_lossy(&got).into_owned()),
        }
    }
    None
}

/// A question the levers of `small` allow: half the demand, a short horizon.
fn good_question() -> Value {
    json!({"scenario": "small", "values": {"run.demand_multiplier": 0.5, "run.horizon_h": 48}})
}

const OFFICERS: &str = "import.paper_desk.calendar.shift.0.servers";

#[test]
fn other_sites_foreign_hosts_non_json_bodies_and_values_off_the_levers_are_refused() {
    let dir = folder();
    let server = Local::start(&served(&dir), tight());
    let host = server.host();
    let own_origin = format!("http://{host}");
    let question = good_question().to_string();
    let json = ("content-type", "application/json");

    // DNS rebinding: a page of rebind.evil.example, its name now pointing at 127.0.0.1, reads
    // the API under its own name.
    let evil_host = format!("rebind.evil.example:{}", server.addr.port());
    for named in [evil_host.as_str(), "rebind.evil.example", "127.0.0.1:1"] {
        let (status, body) = exchange(
            server.addr,
            &request("GET", "/api/scenarios", &[("host", named)], ""),
        );
        assert_eq!(status, 421, "Host: {named}: {body}");
        assert!(
            body.contains("DNS rebinding") && body.contains(&own_origin),
            "{body}"
        );
        assert!(!body.contains("small"), "the listing leaked: {body}");
    }
    let (status, body) = exchange(
        server.addr,
        &request(
            "POST",
            "/api/run",
            &[
                ("host", &evil_host),
                json,
                ("origin", "http://rebind.evil.example"),
            ],
            &question,
        ),
    );
    assert_eq!(status, 421, "{body}");

    // Cross-site: another page posts to the server under its right name.
    for (head, says) in [
        (
            vec![
                ("host", host.as_str()),
                json,
                ("origin", "http://evil.example"),
            ],
            "the page of `http://evil.example`",
        ),
        (
            vec![
                ("host", host.as_str()),
                ("content-type", "text/plain"),
                ("origin", "http://evil.example"),
            ],
            "the page of `http://evil.example`",
        ),
        (
            vec![("host", host.as_str()), json, ("origin", "null")],
            "the page of `null`",
        ),
        (
            vec![
                ("host", host.as_str()),
                json,
                ("sec-fetch-site", "cross-site"),
            ],
            "Sec-Fetch-Site: cross-site",
        ),
        (
            vec![
                ("host", host.as_str()),
                json,
                ("sec-fetch-site", "same-site"),
            ],
            "Sec-Fetch-Site: same-site",
        ),
    ] {
        let (status, body) = exchange(server.addr, &request("POST", "/api/run", &head, &question));
        assert_eq!(status, 403, "{head:?}: {body}");
        assert!(body.contains(says) && body.contains("own page"), "{body}");
    }

    // Not JSON: a form or a plain-text body (no CORS preflight for those), even from the page.
    for kind in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut head = vec![("host", host.as_str()), ("origin", own_origin.as_str())];
        if let Some(k) = kind {
            head.push(("content-type", k));
        }
        let (status, body) = exchange(server.addr, &request("POST", "/api/run", &head, &question));
        assert_eq!(status, 415, "{kind:?}: {body}");
        assert!(body.contains("Content-Type: application/json"), "{body}");
    }

    // Values the levers do not offer: as text (a number, or a range that pins the officers to
    // one), of another type, outside the range, between two steps.
    for bad in [
        json!("50"),
        json!("{value=1,low=1,high=1}"),
        json!("1e7"),
        json!(true),
        json!({"value": 1}),
        json!(1),
        json!(10_000_000),
        json!(41),
    ] {
        let q = json!({"scenario": "small", "values": {OFFICERS: bad}}).to_string();
        let (status, body) = exchange(
            server.addr,
            &request(
                "POST",
                "/api/run",
                &[("host", &host), json, ("origin", &own_origin)],
                &q,
            ),
        );
        assert_eq!(status, 400, "{bad}: {body}");
        let refusal: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(refusal["field"], OFFICERS);
        let message = refusal["error"].as_str().unwrap();
        assert!(
            message.contains("20 to 80 officers in steps of 2"),
            "{bad}: {message}"
        );
    }
    // An undeclared key is no lever, whatever the file holds there.
    let q = json!({"scenario": "small", "values": {"linehaul.capacity_parcels": 1}}).to_string();
    let (status, body) = exchange(
        server.addr,
        &request("POST", "/api/run", &[("host", &host), json], &q),
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("not a lever of small"), "{body}");
    assert_eq!(server.simulated(), 0, "a refused request ran");

    // The server's own page, or a client of this machine, is still answered.
    let (status, _, stream) = post(&server.url("/api/run"), &question);
    assert_eq!(status, 200, "{stream}");
    let evs = events(&stream);
    assert_eq!(evs.last().unwrap().0, "result", "{evs:?}");
    assert_eq!(server.simulated(), 1);
    let (status, body) = exchange(
        server.addr,
        &request(
            "GET",
            "/api/scenarios",
            &[("host", &format!("localhost:{}", server.addr.port()))],
            "",
        ),
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn slow_headers_short_bodies_and_too_many_connections_cannot_hold_the_server() {
    let dir = folder();
    let server = Local::start(&served(&dir), tight());
    let host = server.host();
    let started = Instant::now();

    // Headers a line every 100 ms, never finished: cut off after the header timeout (1 s).
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.write_all(format!("GET /api/scenarios HTTP/1.1\r\nhost: {host}\r\n").as_bytes())
        .unwrap();
    let cut = until_closed(&mut slow, 3.0, |s| {
        let _ = s.write_all(b"x-slow: 1\r\n");
    });
    let cut = cut.expect("a client sending a header line every 100 ms is held");
    assert!(
        !cut.contains(" 429 "),
        "cut off by the timeout, not refused: {cut}"
    );

    // A body shorter than its Content-Length: answered 408 after the body timeout (1 s).
    let mut short = TcpStream::connect(server.addr).unwrap();
    short
        .write_all(
            format!(
                "POST /api/run HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{{\"scenario\": \"small\""
            )
            .as_bytes(),
        )
        .unwrap();
    let answer = until_closed(&mut short, 3.0, |_| {})
        .expect("a body shorter than its Content-Length is waited for forever");
    let (status, body) = status_and_body(&answer);
    assert_eq!(status, 408, "{answer}");
    assert!(body.contains("did not arrive within 1 s"), "{body}");

    // Still answered; and the connections above are closed and no longer counted.
    let (status, _) = exchange(
        server.addr,
        &request("GET", "/api/stats", &[("host", &host)], ""),
    );
    assert_eq!(status, 200);

    // A client holding its 4 connections open gets no fifth: answered 429 at once.
    let mut held: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(server.addr).unwrap())
        .collect();
    let mut fifth = TcpStream::connect(server.addr).unwrap();
    let refused = until_closed(&mut fifth, 0.8, |_| {})
        .expect("a fifth connection of one client is held open");
    if !refused.is_empty() {
        let (status, body) = status_and_body(&refused);
        assert_eq!(status, 429, "{refused}");
        assert!(body.contains("--max-connections-per-client"), "{body}");
    }
    // … and the four idle ones are closed after the header timeout.
    for (i, c) in held.iter_mut().enumerate() {
        assert!(
            until_closed(c, 3.0, |_| {}).is_some(),
            "idle connection {i} is held"
        );
    }
    drop(held);

    // Every slot free again: a good request is answered.
    let (status, body) = exchange(
        server.addr,
        &request("GET", "/api/scenarios", &[("host", &host)], ""),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"small\""), "{body}");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(12), "took {elapsed:?}");
}
