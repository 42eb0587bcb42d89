//! `clearsim serve`: the real server on an ephemeral loopback port answers what `compare`
//! answers (byte-identical JSON), from its cache when asked twice, refuses hostile or oversize
//! requests with the limits' message, stops a run whose client went away, holds up under 50
//! clients at once, and a real Chromium drives its page to the numbers `compare` prints.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::clearsim;
use crate::support::repo;

/// The levers of the test scenario: demand first (the browser test moves it), a weekday
/// shift, a share with its complement, replications and horizon (for the limits).
const LEVERS: &str = r#"
[[lever]]
key = "run.demand_multiplier"
label = "demand"
unit = "× the file's"
min = 0.5
max = 1.5
step = 0.05

[[lever]]
key = "import.paper_desk.calendar.shift.0.servers"
label = "paper-desk officers"
unit = "officers"
min = 20
max = 80
step = 2

[[lever]]
key = "import.channels.pre_arrival"
label = "pre-arrival share"
min = 0.0
max = 0.5
step = 0.05
complement = "import.channels.electronic"

[[lever]]
key = "run.replications"
label = "replications"
min = 2
max = 60
step = 1

[[lever]]
key = "run.horizon_h"
label = "horizon"
unit = "h"
min = 48
max = 2000
step = 24
"#;

/// The small fixture world, shortened to 5 days and 2 replications.
fn small_world() -> String {
    std::fs::read_to_string(repo("tests/fixtures/world-small.toml"))
        .unwrap()
        .replace("replications = 4", "replications = 2")
        .replace("horizon_h = 336.0", "horizon_h = 120.0")
        .replace("warmup_h = 48.0", "warmup_h = 24.0")
}

/// A served folder: `small` (with levers), `slow` (40 replications of two weeks, for runs
/// that must still be running when a test acts), `nolevers` (the default levers), `broken`,
/// and `outside`, a link to a file out of the folder.
pub(crate) fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("scenarios");
    std::fs::create_dir(&d).unwrap();
    let small = small_world();
    std::fs::write(d.join("small.toml"), format!("{small}{LEVERS}")).unwrap();
    let slow = small
        .replace("replications = 2", "replications = 40")
        .replace("horizon_h = 120.0", "horizon_h = 336.0");
    std::fs::write(d.join("slow.toml"), format!("{slow}{LEVERS}")).unwrap();
    std::fs::write(d.join("nolevers.toml"), &small).unwrap();
    std::fs::write(d.join("broken.toml"), "[run]\nreplications = -3\n").unwrap();
    std::fs::write(dir.path().join("secret.toml"), &small).unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.toml"), d.join("outside.toml")).unwrap();
    dir
}

/// The served folder of `folder()`.
pub(crate) fn served(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("scenarios")
}

/// A `clearsim serve` process on a free loopback port, stopped when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(dir: &Path, flags: &[&str]) -> Server {
        Server::start_in(Path::new("."), dir, flags)
    }

    /// Serves `dir` as named from the working folder `cwd`, as a user types it.
    fn start_in(cwd: &Path, dir: &Path, flags: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_clearsim"))
            .current_dir(cwd)
            .arg("serve")
            .arg(dir)
            .args(["--addr", "127.0.0.1:0", "--threads", "2"])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("clearsim serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Server { child, url }
    }

    fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The server's counters.
    fn stats(&self) -> Value {
        let (status, _, body) = get(&self.at("/api/stats"));
        assert_eq!(status, 200);
        serde_json::from_str(&body).unwrap()
    }

    /// Waits until `done(stats)` holds, for at most `secs` seconds.
    fn wait_for(&self, secs: u64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.stats();
            if done(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "{what} within {secs} s: {s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into()
}

/// GET: status, the cache header, body.
pub(crate) fn get(url: &str) -> (u16, Option<String>, String) {
    let mut r = agent().get(url).call().expect("the server answers");
    let cache = r
        .headers()
        .get("x-clearsim-cache")
        .map(|v| v.to_str().unwrap().to_string());
    let body = r.body_mut().read_to_string().unwrap();
    (r.status().as_u16(), cache, body)
}

/// POST a body: status, the cache header, body (for a run, the whole event stream).
pub(crate) fn post(url: &str, body: &str) -> (u16, Option<String>, String) {
    let mut r = agent()
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .expect("the server answers");
    let cache = r
        .headers()
        .get("x-clearsim-cache")
        .map(|v| v.to_str().unwrap().to_string());
    let body = r
        .body_mut()
        .with_config()
        .limit(100 << 20)
        .read_to_string()
        .unwrap();
    (r.status().as_u16(), cache, body)
}

/// Asks `question` of the server: status, cache header, and the events (name, data) or the
/// refusal as one `refused` event.
fn ask(server: &Server, question: &Value) -> (u16, Option<String>, Vec<(String, Value)>) {
    let (status, cache, body) = post(&server.at("/api/run"), &question.to_string());
    if status != 200 {
        return (
            status,
            cache,
            vec![("refused".into(), serde_json::from_str(&body).unwrap())],
        );
    }
    (status, cache, events(&body))
}

/// The server-sent events of a stream: (event, JSON data).
pub(crate) fn events(stream: &str) -> Vec<(String, Value)> {
    stream
        .split("\n\n")
        .filter_map(|block| {
            let mut event = String::from("message");
            let mut data = String::new();
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event:") {
                    event = e.trim().to_string();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim());
                }
            }
            (!data.is_empty()).then(|| (event, serde_json::from_str(&data).unwrap()))
        })
        .collect()
}

/// The `result` event of a run that must have succeeded.
fn answer(server: &Server, question: &Value) -> (Option<String>, Value) {
    let (status, cache, evs) = ask(server, question);
    assert_eq!(status, 200, "{evs:?}");
    let (last, data) = evs.last().expect("an event").clone();
    assert_eq!(last, "result", "{data}");
    (cache, data)
}

/// The refusal of a question: status, message, field.
fn refusal(server: &Server, question: &Value) -> (u16, String, Value) {
    let (status, _, evs) = ask(server, question);
    assert_ne!(status, 200, "{question} was not refused");
    let body = &evs[0].1;
    (
        status,
        body["error"].as_str().unwrap().to_string(),
        body["field"].clone(),
    )
}

/// Runs clearsim with `args`, asserting success; its standard output.
fn clearsim_ok(args: &[String]) -> String {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = clearsim(&a);
    assert!(
        out.status.success(),
        "clearsim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_scenarios_of_the_folder_are_listed_with_their_levers_and_the_page_needs_no_network() {
    let dir = folder();
    let server = Server::start(&served(&dir), &[]);
    let (status, _, body) = get(&server.at("/api/scenarios"));
    assert_eq!(status, 200);
    let list: Value = serde_json::from_str(&body).unwrap();
    let list = list["scenarios"].as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|s| s["name"].as_str().unwrap()).collect();
    // `outside` links out of the folder: not listed.
    assert_eq!(names, ["broken", "nolevers", "slow", "small"]);
    assert!(list[0]["error"].as_str().unwrap().contains("replications"));
    let defaults: Vec<&str> = list[1]["levers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["run.demand_multiplier", "run.replications"]);
    let small = &list[3]["levers"];
    assert_eq!(small.as_array().unwrap().len(), 5);
    assert_eq!(
        small[1],
        json!({"key": "import.paper_desk.calendar.shift.0.servers", "label": "paper-desk officers",
               "unit": "officers", "min": 20.0, "max": 80.0, "step": 2.0, "value": 40.0, "whole": true})
    );
    assert_eq!(small[2]["complement"]["key"], "import.channels.electronic");
    let (status, _, page) = get(&server.at("/"));
    assert_eq!(status, 200);
    assert!(page.contains("clearsim: what if?"));
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!page.contains(external), "the page loads {external}…");
    }
    let (status, _, body) = get(&server.at("/no/such/page"));
    assert_eq!(status, 404);
    assert!(body.contains("no such page"), "{body}");
}

#[test]
fn a_run_gives_byte_for_byte_the_json_report_and_memo_of_compare_and_a_repeat_comes_from_the_cache()
{
    let dir = folder();
    let server = Server::start(&served(&dir), &[]);
    let question = json!({"scenario": "small", "values": {
        "run.demand_multiplier": 1.0,
        "import.paper_desk.calendar.shift.0.servers": 50,
        "import.channels.pre_arrival": 0.3,
        "run.replications": 3,
    }});
    let (status, cache, evs) = ask(&server, &question);
    assert_eq!(status, 200, "{evs:?}");
    assert_eq!(cache.as_deref(), Some("miss"));
    let (last, result) = evs.last().unwrap();
    assert_eq!(last, "result", "{result}");
    assert!(evs[..evs.len() - 1].iter().all(|(e, _)| e == "progress"));
    assert_eq!(result["cached"], false);
    // The levers left at the file's value change nothing; the shared one goes to --set.
    let file = served(&dir).join("small.toml").display().to_string();
    let args: Vec<String> = result["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        args,
        [
            "compare",
            file.as_str(),
            "--set",
            "run.replications=3",
            "--alt-set",
            "import.channels.pre_arrival=0.3",
            "--alt-set",
            "import.channels.electronic=0.2",
            "--alt-set",
            "import.paper_desk.calendar.shift.0.servers=50",
        ]
    );
    assert!(
        result["command"]
            .as_str()
            .unwrap()
            .starts_with("clearsim compare ")
    );
    let (_, _, json) = get(&server.at(&format!("/{}", result["json"].as_str().unwrap())));
    let html = dir.path().join("cli.html");
    let md = dir.path().join("cli.md");
    let mut cli = args.clone();
    cli.extend(["--json", "--quiet", "--report"].map(String::from));
    cli.push(html.display().to_string());
    cli.push("--md".into());
    cli.push(md.display().to_string());
    let printed = clearsim_ok(&cli);
    assert!(
        printed == json,
        "the page's JSON differs from compare --json"
    );
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["replications"], 3);
    assert_eq!(doc["paired"], true);
    let (_, _, report) = get(&server.at(&format!("/{}", result["report"].as_str().unwrap())));
    assert!(report == std::fs::read_to_string(&html).unwrap());
    let (_, _, memo) = get(&server.at(&format!("/{}", result["memo"].as_str().unwrap())));
    assert!(memo == std::fs::read_to_string(&md).unwrap());
    // The page shows the report's own content: its findings and charts.
    let body = result["body"].as_str().unwrap();
    assert!(report.contains(body), "the page's body is the report's");
    assert!(body.contains("<ul class=\"findings\">") && body.contains("<svg"));

    // The same question again: at once, from the cache, without simulating.
    let before = server.stats();
    assert_eq!(before["simulated"], 1);
    let started = Instant::now();
    let (cache, again) = answer(&server, &question);
    assert_eq!(cache.as_deref(), Some("hit"));
    assert_eq!(again["cached"], true);
    assert_eq!(again["id"], result["id"]);
    assert_eq!(again["body"], result["body"]);
    let after = server.stats();
    assert_eq!(after["simulated"], 1, "a repeated question simulated again");
    assert_eq!(after["cache_hits"], 1);
    assert!(started.elapsed() < Duration::from_secs(10));
    // Another seed of replications is another question.
    let mut other = question.clone();
    other["values"]["run.replications"] = json!(2);
    let (cache, _) = answer(&server, &other);
    assert_eq!(cache.as_deref(), Some("miss"));
    assert_eq!(server.stats()["simulated"], 2);
}

#[test]
fn bad_lever_values_are_refused_with_the_levers_range_next_to_their_field() {
    let dir = folder();
    let server = Server::start(&served(&dir), &[]);
    let key = "import.paper_desk.calendar.shift.0.servers";
    // Only a JSON number is a lever value: text is refused whatever it holds, even a number.
    for bad in [
        json!("abc"),
        json!("40.5"),
        json!("50"),
        json!("[1, 2]"),
        json!("{ value = 40 }"),
        json!([1, 2]),
        json!({"value": 40}),
        json!(false),
    ] {
        let (status, message, field) =
            refusal(&server, &json!({"scenario": "small", "values": {key: bad}}));
        assert_eq!(status, 400);
        assert_eq!(field, key);
        assert!(
            message.contains("give a number from 20 to 80 officers in steps of 2"),
            "{bad}: {message}"
        );
    }
    for (bad, says) in [
        (
            json!(90),
            "outside this lever's range, 20 to 80 officers in steps of 2",
        ),
        (
            json!(41),
            "between two of this lever's steps; it takes 20 to 80",
        ),
        (json!(40.5), "between two of this lever's steps"),
    ] {
        let (status, message, field) =
            refusal(&server, &json!({"scenario": "small", "values": {key: bad}}));
        assert_eq!((status, field), (400, json!(key)));
        assert!(message.contains(says), "{bad}: {message}");
    }
    let (_, message, field) = refusal(
        &server,
        &json!({"scenario": "small", "values": {"import.channels.pre_arrival": 0.9}}),
    );
    assert_eq!(field, "import.channels.pre_arrival");
    assert!(message.contains("0 to 0.5"), "{message}");
    let (_, message, _) = refusal(
        &server,
        &json!({"scenario": "small", "values": {"hub.sort.servers": 5}}),
    );
    assert!(message.contains("not a lever of small"), "{message}");
    let (_, message, _) = refusal(
        &server,
        &json!({"scenario": "small", "values": {key: 40, "run.replications": 3}}),
    );
    assert!(message.contains("no lever differs"), "{message}");
    let (_, message, _) = refusal(
        &server,
        &json!({"scenario": "small", "values": {key: null}}),
    );
    assert!(message.contains("give a number"), "{message}");
    let (_, message, _) = refusal(&server, &json!({"scenario": "broken", "values": {}}));
    assert!(message.contains("replications"), "{message}");
    for body in [
        "not json",
        "{\"scenario\": 3}",
        "{\"scenario\": \"small\", \"x\": 1}",
        "",
    ] {
        let (status, _, text) = post(&server.at("/api/run"), body);
        assert_eq!(status, 400, "{body}: {text}");
        assert!(text.contains("not a question"), "{text}");
    }
    assert_eq!(server.stats()["simulated"], 0);
}

#[test]
fn scenario_names_that_are_paths_or_lead_out_of_the_folder_are_refused() {
    let dir = folder();
    let server = Server::start(&served(&dir), &[]);
    let secret = dir.path().join("secret.toml").display().to_string();
    for name in [
        "../secret",
        "..",
        "/etc/passwd",
        secret.as_str(),
        "sub/small",
        ".hidden",
        "small.toml\u{0}",
        "outside",
        "missing",
        "",
    ] {
        let (status, message, _) = refusal(
            &server,
            &json!({"scenario": name, "values": {"run.demand_multiplier": 1.2}}),
        );
        assert!(status == 400 || status == 404, "{name}: {status}");
        assert!(
            message.contains("not a scenario name") || message.contains("no scenario"),
            "{name}: {message}"
        );
    }
    for path in [
        "/api/result/..%2F..%2Fsecret/report.html",
        "/api/result/0000/compare.json",
        "/../secret.toml",
        "/api/scenarios/../../secret.toml",
    ] {
        let (status, _, body) = get(&server.at(path));
        assert_eq!(status, 404, "{path}: {body}");
        assert!(!body.contains("small parcel world"), "{path} leaked a file");
    }
    assert_eq!(server.stats()["simulated"], 0);
}

#[test]
fn requests_beyond_the_limits_are_refused_with_the_limits_message() {
    let dir = folder();
    let server = Server::start(
        &served(&dir),
        &[
            "--max-replications",
            "30",
            "--max-horizon-h",
            "1000",
            "--max-parcels",
            "110000",
            "--max-body-bytes",
            "4096",
        ],
    );
    let ask = |values: Value| refusal(&server, &json!({"scenario": "small", "values": values}));
    let (status, message, _) = ask(json!({"run.replications": 40, "run.demand_multiplier": 0.9}));
    assert_eq!(status, 413);
    assert!(message.contains("at most 30 per comparison"), "{message}");
    // 48 h and 41 steps of 24 h.
    let (status, message, _) = ask(json!({"run.horizon_h": 1032}));
    assert_eq!(status, 413);
    assert!(message.contains("at most 1000 h"), "{message}");
    // 20,000 parcels a day × 1.2 × 5 days = 120,000 per replication.
    let (status, message, _) = ask(json!({"run.demand_multiplier": 1.2}));
    assert_eq!(status, 413);
    assert!(message.contains("parcels per replication"), "{message}");
    let big = format!(
        "{{\"scenario\": \"small\", \"values\": {{\"run.demand_multiplier\": \"{}\"}}}}",
        "9".repeat(16_000)
    );
    let (status, _, text) = post(&server.at("/api/run"), &big);
    assert_eq!(status, 413);
    assert!(text.contains("over 4096 bytes"), "{text}");
    let (status, message, field) = ask(json!({"run.demand_multiplier": "1".repeat(100)}));
    assert_eq!((status, field), (400, json!("run.demand_multiplier")));
    assert!(
        message.contains("give a number from 0.5 to 1.5"),
        "{message}"
    );
    assert_eq!(server.stats()["simulated"], 0);
    // Within every limit, the server still answers.
    answer(
        &server,
        &json!({"scenario": "small", "values": {"run.demand_multiplier": 0.8}}),
    );
}

/// Starts a slow run and reads its first progress event; the stream stays open until dropped.
fn start_slow(server: &Server, demand: f64) -> Box<dyn Read> {
    let r = agent()
        .post(&server.at("/api/run"))
        .header("content-type", "application/json")
        .send(json!({"scenario": "slow", "values": {"run.demand_multiplier": demand}}).to_string())
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let mut reader = r.into_body().into_reader();
    let mut first = [0u8; 64];
    let n = reader.read(&mut first).unwrap();
    assert!(
        String::from_utf8_lossy(&first[..n]).contains("progress"),
        "{}",
        String::from_utf8_lossy(&first[..n])
    );
    Box::new(reader)
}

#[test]
fn a_client_that_goes_away_stops_its_run_and_runs_beyond_the_limit_wait_their_turn() {
    let dir = folder();
    let server = Server::start(&served(&dir), &["--max-runs", "1"]);
    let stream = start_slow(&server, 1.2);
    assert_eq!(server.stats()["running"], 1);
    let (status, message, _) = refusal(
        &server,
        &json!({"scenario": "small", "values": {"run.demand_multiplier": 0.9}}),
    );
    assert_eq!(status, 429);
    assert!(
        message.contains("already running 1 comparison(s), its limit"),
        "{message}"
    );
    drop(stream);
    // 40 replications of two weeks take far longer than the stop between two of them.
    let s = server.wait_for(60, "the run stops", |s| s["running"] == 0);
    assert_eq!(s["cancelled"], 1, "{s}");
    // Its slot is free again; the cancelled question was not cached.
    answer(
        &server,
        &json!({"scenario": "small", "values": {"run.demand_multiplier": 0.9}}),
    );
    let again = start_slow(&server, 1.2);
    assert_eq!(
        server.stats()["simulated"],
        3,
        "a cancelled run is not an answer"
    );
    drop(again);
    server.wait_for(60, "the second run stops", |s| s["running"] == 0);
}

#[test]
fn fifty_clients_at_once_each_get_an_answer_or_the_limits_message() {
    let dir = folder();
    let server = Server::start(&served(&dir), &["--max-runs", "2"]);
    // One answer known beforehand, so most clients ask a question already answered.
    let known = json!({"scenario": "small", "values": {"run.demand_multiplier": 1.1}});
    answer(&server, &known);
    let started = Instant::now();
    let outcomes: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..50)
            .map(|client| {
                let (server, known) = (&server, &known);
                scope.spawn(move || {
                    let mut seen = Vec::new();
                    for request in 0..3 {
                        if request == 1 {
                            let (status, _, _) = get(&server.at("/api/scenarios"));
                            assert_eq!(status, 200);
                            seen.push("listed".to_string());
                            continue;
                        }
                        // Every tenth client asks a new question (demand 0.55 … 0.95).
                        let question = if client % 10 == 0 && request == 2 {
                            json!({"scenario": "small", "values": {
                                "run.demand_multiplier": 0.55 + 0.1 * (client / 10) as f64}})
                        } else {
                            known.clone()
                        };
                        let (status, _, evs) = ask(server, &question);
                        match status {
                            200 => {
                                assert_eq!(evs.last().unwrap().0, "result", "{evs:?}");
                                seen.push("answered".to_string());
                            }
                            429 => {
                                let m = evs[0].1["error"].as_str().unwrap();
                                assert!(m.contains("its limit (clearsim serve --max-runs)"), "{m}");
                                seen.push("busy".to_string());
                            }
                            other => panic!("client {client}: HTTP {other}: {evs:?}"),
                        }
                    }
                    seen
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(120), "took {elapsed:?}");
    let all: Vec<&String> = outcomes.iter().flatten().collect();
    assert_eq!(all.len(), 150);
    let count = |what: &str| all.iter().filter(|o| o.as_str() == what).count();
    // Only the five new questions can find both run slots taken.
    assert_eq!(count("listed"), 50);
    assert!(count("busy") <= 5, "{} refused", count("busy"));
    assert_eq!(count("answered") + count("busy"), 100);
    let s = server.stats();
    assert!(s["cache_hits"].as_u64().unwrap() >= 90, "{s}");
    assert!(s["simulated"].as_u64().unwrap() <= 6, "{s}");
    server.wait_for(60, "every run ends", |s| s["running"] == 0);
}

/// A free loopback port (bound, then let go).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The first of `names` on PATH.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Driver {
    let exe = on_path(&["chromedriver"]).expect(
        "chromedriver is not on PATH: install it (`apt-get install chromium-driver`; .ci/run does) or set CLEARSIM_SKIP_BROWSER_TEST=1",
    );
    let port = free_port();
    let child = Command::new(exe)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver { child, url }
}

/// The lever the browser moves.
const OFFICERS: &str = "import.paper_desk.calendar.shift.0.servers";

#[test]
fn chromium_moves_a_lever_runs_and_shows_what_compare_prints() {
    if std::env::var_os("CLEARSIM_SKIP_BROWSER_TEST").is_some() {
        eprintln!("CLEARSIM_SKIP_BROWSER_TEST is set: browser check skipped");
        return;
    }
    let browser = on_path(&["chromium", "chromium-browser"]).expect(
        "chromium is not on PATH: install it (`apt-get install chromium`; .ci/run does) or set CLEARSIM_SKIP_BROWSER_TEST=1",
    );
    let dir = folder();
    // Served as a user serves a folder, `clearsim serve scenarios` from its parent, so the page's
    // command (and the screenshot in docs/) names the file as that user would type it.
    let server = Server::start_in(dir.path(), Path::new("scenarios"), &[]);
    let driver = chromedriver();
    let profile = dir.path().join("profile");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let shown = runtime.block_on(async {
        use fantoccini::{ClientBuilder, Locator, key::Key};
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": browser,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-background-networking", "--hide-scrollbars",
                         "--window-size=1200,1900", format!("--user-data-dir={}", profile.display())],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let c = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .expect("a WebDriver session");
        c.goto(&format!("{}/?scenario=small", server.url)).await.unwrap();
        let ready = c
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("body[data-state=ready] #lever-1-range"))
            .await
            .expect("the page shows the levers");
        // Five steps of 2 to the right: paper-desk officers of the weekday shift 40 → 50.
        ready.click().await.unwrap();
        let value = |id: &'static str| {
            let c = c.clone();
            async move {
                c.find(Locator::Id(id))
                    .await
                    .unwrap()
                    .prop("value")
                    .await
                    .unwrap()
                    .unwrap()
            }
        };
        // A click lands the thumb where the pointer is: home it to 1.0 with the keyboard first.
        while value("lever-1-number").await != "40" {
            let now: f64 = value("lever-1-number").await.parse().unwrap();
            let k = if now > 40.0 { Key::Left } else { Key::Right };
            ready.send_keys(&k.to_string()).await.unwrap();
        }
        for _ in 0..5 {
            ready.send_keys(&Key::Right.to_string()).await.unwrap();
        }
        assert_eq!(value("lever-1-number").await, "50");
        c.find(Locator::Id("run")).await.unwrap().click().await.unwrap();
        c.wait()
            .at_most(Duration::from_secs(240))
            .for_element(Locator::Css("body[data-state=done]"))
            .await
            .expect("the results are shown");
        let mut findings = Vec::new();
        for li in c.find_all(Locator::Css("ul.findings li")).await.unwrap() {
            findings.push(li.text().await.unwrap());
        }
        let mut cells = Vec::new();
        let table = c.find(Locator::Css("#results table")).await.unwrap();
        for td in table
            .find_all(Locator::Css("tbody tr:first-child td"))
            .await
            .unwrap()
        {
            cells.push(td.text().await.unwrap());
        }
        let command = c
            .find(Locator::Id("command"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let url = c.current_url().await.unwrap().to_string();
        let png = c.screenshot().await.unwrap();
        c.close().await.unwrap();
        (findings, cells, command, url, png)
    });
    let (findings, cells, command, url, png) = shown;
    assert_eq!(
        command,
        format!("clearsim compare scenarios/small.toml --alt-set {OFFICERS}=50")
    );
    let file = served(&dir).join("small.toml").display().to_string();
    assert!(
        url.contains("scenario=small") && url.contains(&format!("{OFFICERS}=50")),
        "{url}"
    );
    // The terminal's answer to the same question: the memo's findings, the table's numbers.
    let md = dir.path().join("cli.md");
    let args: Vec<String> = [
        "compare",
        &file,
        "--alt-set",
        &format!("{OFFICERS}=50"),
        "--md",
        md.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    let printed = clearsim_ok(&args);
    let memo = std::fs::read_to_string(&md).unwrap();
    let memo_findings: Vec<&str> = memo
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .take(findings.len())
        .collect();
    assert!(!findings.is_empty());
    assert_eq!(findings, memo_findings);
    assert!(
        findings.iter().any(|f| f.contains("mean clearance")),
        "a key finding speaks of the headline figure: {findings:?}"
    );
    // The headline row of the page (mean clearance: A, B, B − A, its CI) holds the numbers of
    // the row compare prints for it.
    assert_eq!(cells[0], "mean clearance time [h]", "{cells:?}");
    let row = printed
        .lines()
        .find(|l| l.trim_start().starts_with("clearance, mean [h]"))
        .unwrap_or_else(|| panic!("no mean clearance row in\n{printed}"));
    let numbers = |text: &str| -> Vec<f64> {
        text.split_whitespace()
            .filter_map(|t| t.trim_start_matches('+').trim_end_matches('%').parse().ok())
            .collect()
    };
    let shown: Vec<f64> = cells[1..5].iter().flat_map(|c| numbers(c)).collect();
    assert_eq!(shown.len(), 5, "{cells:?}");
    let printed_numbers = numbers(row);
    assert_eq!(
        &printed_numbers[..5],
        &shown[..],
        "page {cells:?}, compare {row:?}"
    );
    std::fs::write(dir.path().join("serve.png"), &png).unwrap();
    if std::env::var_os("CLEARSIM_SAVE_SCREENSHOT").is_some() {
        std::fs::write(repo("docs/serve.png"), &png).unwrap();
    }
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let info = decoder.read_info().expect("a PNG").info().clone();
    assert!(
        info.width >= 1000 && info.height >= 1000,
        "{}×{}",
        info.width,
        info.height
    );
}

#[test]
fn every_shipped_scenario_declares_its_own_levers_around_its_values() {
    use clearsim::scenario::Scenario;
    for entry in std::fs::read_dir(repo("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let s = Scenario::load(&path, &[]).unwrap();
        let name = path.display();
        // Declared in the file (a default lever has no position), beyond demand and replications.
        assert!(s.levers.len() >= 3, "{name}: {}", s.levers.len());
        for l in &s.levers {
            assert!(l.position.is_some(), "{name}: {} is a default lever", l.key);
            assert!(l.min <= l.value && l.value <= l.max, "{name}: {}", l.key);
        }
        assert!(
            s.levers.iter().any(|l| !l.key.starts_with("run.")),
            "{name}: no lever on the world itself"
        );
    }
}
