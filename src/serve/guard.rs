//! Which requests the server hears: those naming it as it is served, runs only from its own page.
//!
//! A `Host` that is not one of the server's addresses is refused (against DNS rebinding); a request
//! that changes something must come from the server's own page (`Origin`, `Sec-Fetch-Site`) with a
//! JSON body, so no other site's page or form can start a run.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State as Shared};
use axum::http::uri::Authority;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::folder::shorten;
use super::{Refusal, State};

/// The names by which a request may call the server (its `Host`, its page's `Origin`): the
/// address listened on and its port, with `localhost`, `127.0.0.1` and `[::1]` for a loopback
/// address, plus the names the user allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct Hosts {
    /// The port listened on; a host without one means 80.
    port: u16,
    /// Listening on every address (0.0.0.0, ::): any address literal names the server. A
    /// literal is safe where a name is not, since no other site's page can carry it.
    any_address: bool,
    /// The host names accepted, lower case, IPv6 addresses in brackets.
    names: Vec<String>,
}

impl Hosts {
    /// The hosts of a server listening on `addr`, plus `allowed` (`clearsim serve --allow-host`).
    pub fn new(addr: SocketAddr, allowed: &[String]) -> Hosts {
        let ip = addr.ip();
        let mut names = vec![literal(ip)];
        if ip.is_loopback() || ip.is_unspecified() {
            names.extend(["localhost", "127.0.0.1", "[::1]"].map(String::from));
        }
        for name in allowed {
            let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
        Hosts {
            port: addr.port(),
            any_address: ip.is_unspecified(),
            names,
        }
    }

    /// Whether `authority` (`host` or `host:port`, as a `Host` header gives it) names this server.
    pub fn serves(&self, authority: &str) -> bool {
        let Ok(a) = authority.parse::<Authority>() else {
            return false;
        };
        if a.as_str().contains('@') || a.port_u16().unwrap_or(80) != self.port {
            return false;
        }
        let host = a.host().trim_end_matches('.').to_ascii_lowercase();
        self.names.contains(&host) || (self.any_address && is_address(&host))
    }

    /// Whether `origin` (an `Origin` header: `http://host:port`) is the server's own page.
    pub fn is_own_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|rest| !rest.contains('/') && self.serves(rest))
    }

    /// The server's own addresses, for a message: `http://127.0.0.1:8080` (or localhost, …).
    fn listed(&self) -> String {
        let mut all: Vec<String> = self
            .names
            .iter()
            .map(|n| format!("http://{n}:{}", self.port))
            .collect();
        if self.any_address {
            all.push(format!("any address of this machine on port {}", self.port));
        }
        all.join(", ")
    }
}

/// An address as a `Host` header writes it.
fn literal(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// Whether `host` is an address literal (`10.0.0.5`, `[fe80::1]`), not a name.
fn is_address(host: &str) -> bool {
    host.parse::<Ipv4Addr>().is_ok()
        || host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .is_some_and(|h| h.parse::<Ipv6Addr>().is_ok())
}

/// Refuses, before any route runs, a request that does not name this server or that changes
/// something from another site or without a JSON body.
pub(crate) async fn guard(
    Shared(state): Shared<Arc<State>>,
    request: Request,
    next: Next,
) -> Response {
    match check(
        &state.hosts,
        request.method(),
        request.uri(),
        request.headers(),
    ) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// What the guard checks, in order: the host named (421), then, for a method that changes
/// something, the site it comes from (403) and its content type (415).
pub fn check(
    hosts: &Hosts,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    let misdirected = |named: &str| {
        Refusal::misdirected(format!(
            "this server answers to {}, not to `{}`: a page of another site cannot reach it through a name of its own (DNS rebinding). If you reach it by that name yourself, start it with --allow-host NAME (docs/guide.md)",
            hosts.listed(),
            shorten(named)
        ))
    };
    let mut given = headers.get_all(header::HOST).iter();
    let host = match (given.next(), given.next()) {
        (Some(h), None) => Some(h.to_str().map_err(|_| misdirected("(not text)"))?),
        (None, _) => None,
        (Some(_), Some(_)) => {
            return Err(Refusal::bad_request(
                "the request has more than one Host header".to_string(),
            ));
        }
    };
    // HTTP/1.1 names the server in `Host`; an absolute request target names it too, and both
    // must be this server.
    let named = uri.authority().map(Authority::as_str);
    match (host, named) {
        (None, None) => {
            return Err(Refusal::bad_request(
                "the request names no host: send a Host header".to_string(),
            ));
        }
        (h, n) => {
            for name in [h, n].into_iter().flatten() {
                if !hosts.serves(name) {
                    return Err(misdirected(name));
                }
            }
        }
    }
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let cross = |why: String| {
        Refusal::forbidden(format!(
            "{why}: only this server's own page ({}) may run comparisons; open it there",
            hosts.listed()
        ))
    };
    for site in headers.get_all("sec-fetch-site") {
        let site = site.to_str().unwrap_or("(not text)");
        if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site") {
            return Err(cross(format!(
                "the request comes from another site (Sec-Fetch-Site: {})",
                shorten(site)
            )));
        }
    }
    for origin in headers.get_all(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("(not text)");
        if !hosts.is_own_origin(origin) {
            return Err(cross(format!(
                "the request comes from the page of `{}`",
                shorten(origin)
            )));
        }
    }
    let kind = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    let json = kind.is_some_and(|k| {
        k.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json {
        return Err(Refusal::unsupported_media_type(format!(
            "send the question as JSON with the header Content-Type: application/json, not {}",
            kind.map_or("without a Content-Type".to_string(), |k| format!(
                "as `{}`",
                shorten(k)
            ))
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderValue, StatusCode};

    fn hosts(addr: &str, allowed: &[&str]) -> Hosts {
        let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        Hosts::new(addr.parse().unwrap(), &allowed)
    }

    #[test]
    fn a_loopback_server_answers_to_its_loopback_names_on_its_port_only() {
        let h = hosts("127.0.0.1:8080", &[]);
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
            "localhost.:8080",
        ] {
            assert!(h.serves(ok), "{ok}");
        }
        for bad in [
            "rebind.evil.example:8080",
            "127.0.0.1:8081",
            "127.0.0.1",
            "localhost.evil.example:8080",
            "evil@127.0.0.1:8080",
            "10.0.0.5:8080",
            "",
            "127.0.0.1:8080/x",
        ] {
            assert!(!h.serves(bad), "{bad}");
        }
        assert!(hosts("127.0.0.1:80", &[]).serves("localhost"));
    }

    #[test]
    fn a_server_on_every_address_answers_to_address_literals_and_allowed_names_only() {
        let h = hosts("0.0.0.0:8080", &["Desk-7.Ministry.example"]);
        for ok in [
            "10.0.0.5:8080",
            "[fe80::1]:8080",
            "localhost:8080",
            "desk-7.ministry.example:8080",
        ] {
            assert!(h.serves(ok), "{ok}");
        }
        assert!(!h.serves("rebind.evil.example:8080"));
        assert!(!hosts("10.0.0.5:8080", &[]).serves("10.0.0.6:8080"));
        assert!(!hosts("10.0.0.5:8080", &[]).serves("localhost:8080"));
    }

    fn request(method: Method, pairs: &[(&str, &str)]) -> Result<(), Refusal> {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.append(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        check(
            &hosts("127.0.0.1:8080", &[]),
            &method,
            &Uri::from_static("/api/run"),
            &headers,
        )
    }

    #[test]
    fn a_state_changing_request_must_come_from_the_servers_own_page_with_json() {
        let own = [
            ("host", "127.0.0.1:8080"),
            ("content-type", "application/json"),
        ];
        assert!(request(Method::POST, &own).is_ok());
        let with = |extra: (&'static str, &'static str)| {
            let mut all = own.to_vec();
            all.push(extra);
            request(Method::POST, &all)
        };
        assert!(with(("origin", "http://localhost:8080")).is_ok());
        assert!(with(("sec-fetch-site", "same-origin")).is_ok());
        for (extra, status) in [
            (("origin", "http://evil.example"), StatusCode::FORBIDDEN),
            (("origin", "null"), StatusCode::FORBIDDEN),
            (("origin", "https://127.0.0.1:8080"), StatusCode::FORBIDDEN),
            (("sec-fetch-site", "cross-site"), StatusCode::FORBIDDEN),
            (("sec-fetch-site", "same-site"), StatusCode::FORBIDDEN),
            (("host", "127.0.0.1:8080"), StatusCode::BAD_REQUEST),
        ] {
            assert_eq!(with(extra).unwrap_err().status, status, "{extra:?}");
        }
        for kind in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ] {
            let r = request(
                Method::POST,
                &[("host", "127.0.0.1:8080"), ("content-type", kind)],
            );
            let r = r.unwrap_err();
            assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
            assert!(r.message.contains(kind), "{}", r.message);
        }
        assert!(
            request(
                Method::POST,
                &[
                    ("host", "127.0.0.1:8080"),
                    ("content-type", "application/json; charset=utf-8")
                ]
            )
            .is_ok()
        );
        assert!(request(Method::POST, &[("host", "127.0.0.1:8080")]).is_err());
        // Reading needs no JSON and no origin, only a name of this server.
        assert!(
            request(
                Method::GET,
                &[
                    ("host", "localhost:8080"),
                    ("origin", "http://evil.example")
                ]
            )
            .is_ok()
        );
        let r = request(Method::GET, &[("host", "rebind.evil.example:8080")]).unwrap_err();
        assert_eq!(r.status, StatusCode::MISDIRECTED_REQUEST);
        assert!(r.message.contains("http://127.0.0.1:8080") && r.message.contains("--allow-host"));
        assert!(request(Method::GET, &[]).is_err());
    }
}
