//! `clearsim serve`: a local what-if web app over the scenarios of a folder. A client picks a
//! scenario, moves its levers, and gets the paired comparison `clearsim compare` would give.
//!
//! ```text
//! browser ──POST /api/run {scenario, values}──▶ whatif::prepare (folder, levers, limits)
//!         ◀── text/event-stream: progress … result ── cache hit, or job (spawn_blocking → rayon)
//! ```
//!
//! Every request is treated as hostile: it must name the server by an address it serves, and a
//! run must come from the server's own page as JSON (`guard`); the client names a scenario,
//! never a path; a lever value is a number on the lever's steps within its range, then checked
//! as `--set` checks it; runs, replications, horizon, parcels and body size are limited; slow
//! headers and bodies are cut off and connections are bounded per client and in all
//! (`listen`); a client that goes away stops its run.

pub mod cache;
pub mod folder;
pub mod guard;
pub mod job;
pub mod limits;
pub mod listen;
mod page;
mod routes;
pub mod whatif;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub use folder::Folder;
pub use guard::Hosts;
pub use limits::Limits;
pub use listen::Connections;

/// A request refused: the HTTP status, the message, and the lever it is about, if one.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// The HTTP status.
    pub status: StatusCode,
    /// What was wrong and what is allowed.
    pub message: String,
    /// The lever key at fault, so the page shows the message next to its field.
    pub field: Option<String>,
}

impl Refusal {
    fn with(status: StatusCode, message: String) -> Self {
        Refusal {
            status,
            message,
            field: None,
        }
    }

    /// A malformed or impossible request (400).
    pub fn bad_request(message: String) -> Self {
        Refusal::with(StatusCode::BAD_REQUEST, message)
    }

    /// A bad value of the lever `key` (400, shown next to its field).
    pub fn field(key: &str, message: String) -> Self {
        Refusal {
            field: Some(key.to_string()),
            ..Refusal::bad_request(message)
        }
    }

    /// No such scenario or result (404).
    pub fn not_found(message: String) -> Self {
        Refusal::with(StatusCode::NOT_FOUND, message)
    }

    /// The served file itself is invalid (422).
    pub fn invalid_file(message: String) -> Self {
        Refusal::with(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    /// Beyond a per-request limit (413).
    pub fn too_large(message: String) -> Self {
        Refusal::with(StatusCode::PAYLOAD_TOO_LARGE, message)
    }

    /// Too many runs at once (429).
    pub fn busy(message: String) -> Self {
        Refusal::with(StatusCode::TOO_MANY_REQUESTS, message)
    }

    /// A request that names another server in its `Host` (421).
    pub fn misdirected(message: String) -> Self {
        Refusal::with(StatusCode::MISDIRECTED_REQUEST, message)
    }

    /// A request from another site's page (403).
    pub fn forbidden(message: String) -> Self {
        Refusal::with(StatusCode::FORBIDDEN, message)
    }

    /// A body that is not JSON (415).
    pub fn unsupported_media_type(message: String) -> Self {
        Refusal::with(StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
    }

    /// A body that did not arrive in time (408); the connection is closed after the answer.
    pub fn timeout(message: String) -> Self {
        Refusal::with(StatusCode::REQUEST_TIMEOUT, message)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.message, "field": self.field });
        (self.status, axum::Json(body)).into_response()
    }
}

/// How the server runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// The folder served.
    pub folder: Folder,
    /// The limits on what a request may ask.
    pub limits: Limits,
    /// Worker threads of one comparison (0: all cores).
    pub threads: usize,
    /// Answers kept in the cache.
    pub cache_size: usize,
    /// Host names the server also answers to, beyond the address it listens on
    /// (`--allow-host`).
    pub allow_hosts: Vec<String>,
    /// Connections held at once and how long a client is waited for.
    pub connections: Connections,
}

/// Counters of what the server did (`GET /api/stats`): how a test or an operator sees that a
/// repeated question was answered without simulating.
#[derive(Debug, Default)]
pub struct Counters {
    /// Comparisons started (each simulates).
    pub simulated: AtomicU64,
    /// Questions answered from the cache.
    pub cache_hits: AtomicU64,
    /// Runs stopped because their client went away.
    pub cancelled: AtomicU64,
}

/// What every request handler shares.
pub(crate) struct State {
    config: Config,
    hosts: Hosts,
    cache: cache::Cache,
    runs: Arc<tokio::sync::Semaphore>,
    counters: Counters,
}

impl State {
    /// Comparisons running now.
    fn running(&self) -> usize {
        self.config.limits.max_runs.max(1) - self.runs.available_permits()
    }
}

/// Serves `config` on `listener` until the process ends, answering to the address it listens
/// on (and `config.allow_hosts`).
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    let hosts = Hosts::new(listener.local_addr()?, &config.allow_hosts);
    let connections = config.connections.clone();
    let state = Arc::new(State {
        runs: Arc::new(tokio::sync::Semaphore::new(config.limits.max_runs.max(1))),
        cache: cache::Cache::new(config.cache_size),
        counters: Counters::default(),
        hosts,
        config,
    });
    listen::accept(listener, routes::router(state), connections).await
}
