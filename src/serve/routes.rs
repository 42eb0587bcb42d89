//! The HTTP routes: the page, the scenario list, a run as a stream of progress events, the
//! answers' files and the counters, behind the guard; one log line per request.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State as Shared};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::stream;

use crate::scenario::Scenario;

use super::cache::Answer;
use super::folder::shorten;
use super::guard::guard;
use super::job::{self, Job, Stopped};
use super::whatif::{Question, prepare};
use super::{Refusal, State, page};

/// The header that says whether a run was answered from the cache (`hit`) or simulated
/// (`miss`).
pub const CACHE_HEADER: &str = "x-clearsim-cache";

/// How often a running comparison reports its progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// The server's routes over `state`.
pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/", get(page_html))
        .route("/api/scenarios", get(scenarios))
        .route("/api/run", post(run))
        .route("/api/result/{id}/{file}", get(result))
        .route("/api/stats", get(stats))
        .fallback(|| async {
            Refusal::not_found(
                "no such page: the app is at /, its API under /api/ (docs/guide.md)".to_string(),
            )
        })
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Logs one line per request: method, path, status and time taken to answer.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = shorten(request.uri().path());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = format!("{:.1}", started.elapsed().as_secs_f64() * 1e3),
        "request"
    );
    response
}

async fn page_html() -> Html<&'static str> {
    Html(page::html())
}

/// `GET /api/scenarios`: every scenario served with its levers, or the reason it cannot be
/// loaded.
async fn scenarios(Shared(state): Shared<Arc<State>>) -> Response {
    let folder = state.config.folder.clone();
    let listed = tokio::task::spawn_blocking(move || {
        folder
            .names()
            .into_iter()
            .map(|name| {
                let loaded = folder
                    .resolve(&name)
                    .map_err(|r| r.message)
                    .and_then(|p| Scenario::load(&p, &[]).map_err(|e| e.to_string()));
                match loaded {
                    Ok(s) => serde_json::json!({
                        "name": name,
                        "title": s.name,
                        "replications": s.run.replications,
                        "seed": s.run.seed,
                        "levers": s.levers,
                    }),
                    Err(e) => serde_json::json!({ "name": name, "error": e }),
                }
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    axum::Json(serde_json::json!({ "scenarios": listed })).into_response()
}

/// `POST /api/run` with `{"scenario": NAME, "values": {KEY: VALUE, …}}`: a stream of server-sent
/// events, `progress` (`{done, total}`) while replications run, then one `result` (the answer)
/// or `failed` (`{error}`). Refusals come before the stream, as JSON `{error, field}`.
async fn run(Shared(state): Shared<Arc<State>>, body: Body) -> Response {
    let limit = state.config.limits.max_body_bytes;
    let wait = state.config.connections.body_timeout;
    // A body shorter than its Content-Length, or sent a byte at a time, is not waited for
    // beyond `wait`; hyper closes the connection after the answer, its body unread.
    let bytes = match tokio::time::timeout(wait, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) if over_limit(&e) => {
            return Refusal::too_large(format!(
                "the request body is over {limit} bytes: a question is a scenario name and a few lever values"
            ))
            .into_response();
        }
        Ok(Err(_)) => {
            return Refusal::bad_request(
                "the request body could not be read: it ended before its Content-Length"
                    .to_string(),
            )
            .into_response();
        }
        Err(_) => {
            let mut response = Refusal::timeout(format!(
                "the request body did not arrive within {} s (shorter than its Content-Length, or too slow)",
                wait.as_secs_f64()
            ))
            .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
    };
    let question: Question = match serde_json::from_slice(&bytes) {
        Ok(q) => q,
        Err(e) => {
            return Refusal::bad_request(format!(
                "the request is not a question: {e}; send {{\"scenario\": NAME, \"values\": {{KEY: VALUE}}}}"
            ))
            .into_response();
        }
    };
    let prepared = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || {
            prepare(&state.config.folder, &question, &state.config.limits)
        })
        .await
    };
    let whatif = match prepared {
        Ok(Ok(w)) => w,
        Ok(Err(refusal)) => return refusal.into_response(),
        Err(_) => {
            return Refusal::bad_request("the question could not be read".to_string())
                .into_response();
        }
    };
    if let Some(answer) = state.cache.get(&whatif.key) {
        state.counters.cache_hits.fetch_add(1, Ordering::Relaxed);
        tracing::info!(scenario = %whatif.a.origin, alternative = %whatif.b.name, "run answered from the cache");
        let events = stream::once(async move { Ok::<_, Infallible>(result_event(&answer, true)) });
        return with_cache_header(Sse::new(events).into_response(), "hit");
    }
    let Ok(permit) = state.runs.clone().try_acquire_owned() else {
        return state.config.limits.busy().into_response();
    };
    state.counters.simulated.fetch_add(1, Ordering::Relaxed);
    let job = job::start(whatif, state.clone(), permit);
    // The stream owns the job: when the client goes away the stream is dropped, and with it
    // the job, which raises its cancel flag.
    let events = stream::unfold(Some(job), |job: Option<Job>| async move {
        let mut job = job?;
        tokio::select! {
            ended = &mut job.handle => {
                let event = match ended {
                    Ok(Ok(answer)) => result_event(&answer, false),
                    Ok(Err(Stopped::Cancelled)) => failed_event("the run was cancelled"),
                    Ok(Err(Stopped::Failed(m))) => failed_event(&m),
                    Err(_) => failed_event("the run stopped unexpectedly"),
                };
                Some((Ok::<_, Infallible>(event), None))
            }
            _ = tokio::time::sleep(PROGRESS_EVERY) => {
                let event = Event::default()
                    .event("progress")
                    .json_data(serde_json::json!({ "done": job.progress.position(), "total": job.total }))
                    .unwrap_or_default();
                Some((Ok(event), Some(job)))
            }
        }
    });
    with_cache_header(
        Sse::new(events)
            .keep_alive(KeepAlive::default())
            .into_response(),
        "miss",
    )
}

/// Whether reading a body failed because it is over the size limit (rather than cut short).
fn over_limit(e: &axum::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cause = c.source();
    }
    false
}

fn with_cache_header(mut response: Response, value: &'static str) -> Response {
    response.headers_mut().insert(
        HeaderName::from_static(CACHE_HEADER),
        HeaderValue::from_static(value),
    );
    response
}

/// The `result` event of an answer: the report's content, the links, and the command.
fn result_event(answer: &Answer, cached: bool) -> Event {
    let base = format!("api/result/{}", answer.id);
    Event::default()
        .event("result")
        .json_data(serde_json::json!({
            "id": answer.id,
            "cached": cached,
            "body": answer.body,
            "command": answer.command,
            "args": answer.args,
            "report": format!("{base}/report.html"),
            "memo": format!("{base}/memo.md"),
            "json": format!("{base}/compare.json"),
        }))
        .unwrap_or_default()
}

fn failed_event(message: &str) -> Event {
    Event::default()
        .event("failed")
        .json_data(serde_json::json!({ "error": message }))
        .unwrap_or_default()
}

/// `GET /api/result/ID/FILE`: an answer's HTML report, Markdown memo or `compare --json`
/// document.
async fn result(
    Shared(state): Shared<Arc<State>>,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    let Some(answer) = state.cache.get(&id) else {
        return Refusal::not_found(format!(
            "no result `{}`: results are kept while the server runs (the most recent ones); press Run again",
            shorten(&id)
        ))
        .into_response();
    };
    let (kind, text) = match file.as_str() {
        "report.html" => ("text/html; charset=utf-8", answer.html.clone()),
        "memo.md" => ("text/markdown; charset=utf-8", answer.memo.clone()),
        "compare.json" => ("application/json", answer.json.clone()),
        _ => {
            return Refusal::not_found(format!(
                "no file `{}` of a result: report.html, memo.md or compare.json",
                shorten(&file)
            ))
            .into_response();
        }
    };
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

/// `GET /api/stats`: comparisons simulated, answered from the cache, cancelled, running now.
async fn stats(Shared(state): Shared<Arc<State>>) -> Response {
    let c = &state.counters;
    axum::Json(serde_json::json!({
        "simulated": c.simulated.load(Ordering::Relaxed),
        "cache_hits": c.cache_hits.load(Ordering::Relaxed),
        "cancelled": c.cancelled.load(Ordering::Relaxed),
        "running": state.running(),
        "max_runs": state.config.limits.max_runs,
    }))
    .into_response()
}
