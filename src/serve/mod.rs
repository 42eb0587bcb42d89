//! `clearsim serve`: a local what-if web app over the scenarios of a folder. A client picks a
//! scenario, moves its levers, and gets the paired comparison `clearsim compare` would give.
//!
//! ```text
//! browser ──POST /api/run {scenario, values}──▶ whatif::prepare (folder, levers, limits)
//!         ◀── text/event-stream: progress … result ── cache hit, or job (spawn_blocking → rayon)
//! ```
//!
//! Every request is treated as hostile: the client names a scenario, never a path; lever
//! values are checked as `--set` checks them; runs, replications, horizon, parcels and body
//! size are limited; a client that goes away stops its run.

pub mod cache;
pub mod folder;
pub mod job;
pub mod limits;
mod page;
mod routes;
pub mod whatif;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub use folder::Folder;
pub use limits::Limits;

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

/// Serves `config` on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, config: Config) -> std::io::Result<()> {
    let state = Arc::new(State {
        runs: Arc::new(tokio::sync::Semaphore::new(config.limits.max_runs.max(1))),
        cache: cache::Cache::new(config.cache_size),
        counters: Counters::default(),
        config,
    });
    axum::serve(listener, routes::router(state)).await
}
