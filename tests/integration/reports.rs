//! Reports: the Markdown memo is pinned for a fixed seed, the HTML report draws every chart it
//! promises as valid SVG with no external URL, the same input gives byte-identical files, edge
//! cases draw without panics, bad paths and bad documents are refused with the right exit
//! code, and a real browser renders the report.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clearsim::report::chart::{self, Guide, Labels, Point, Series};
use clearsim::report::figures::{COMPARE_CHARTS, RUN_CHARTS};

use crate::support::clearsim;
use crate::support::path;
use crate::support::repo;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// A short run of the small fixture world: 5 days, warm-up 1 day (2 replications unless a
/// test says otherwise).
const SHORT: [&str; 4] = ["--set", "run.horizon_h=120", "--set", "run.warmup_h=24"];

/// Runs clearsim, asserting success, and returns stderr for messages.
fn ok(args: &[&str]) {
    let out = clearsim(args);
    assert!(
        out.status.success(),
        "clearsim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The memo with the clearsim version masked, so a version bump does not break snapshots.
fn masked(memo: &str) -> String {
    memo.replace(
        &format!("clearsim {}", env!("CARGO_PKG_VERSION")),
        "clearsim [version]",
    )
}

fn run_report(dir: &Path, extra: &[&str]) -> (PathBuf, PathBuf) {
    let (html, md) = (dir.join("run.html"), dir.join("run.md"));
    let world = path("tests/fixtures/world-small.toml");
    let reps = if extra.contains(&"--reps") {
        &[][..]
    } else {
        &["--reps", "2"][..]
    };
    let args = [
        &["run", world.as_str(), "--quiet"][..],
        &SHORT,
        reps,
        extra,
        &[
            "--report",
            html.to_str().unwrap(),
            "--md",
            md.to_str().unwrap(),
        ],
    ]
    .concat();
    ok(&args);
    (html, md)
}

fn compare_report(dir: &Path) -> (PathBuf, PathBuf) {
    let (html, md) = (dir.join("compare.html"), dir.join("compare.md"));
    let a = path("tests/fixtures/world-small.toml");
    let b = path("tests/fixtures/world-small-paperless.toml");
    let args = [
        &["compare", a.as_str(), b.as_str(), "--quiet", "--reps", "2"][..],
        &SHORT,
        &[
            "--report",
            html.to_str().unwrap(),
            "--md",
            md.to_str().unwrap(),
        ],
    ]
    .concat();
    ok(&args);
    (html, md)
}

#[test]
fn run_memo_is_pinned_for_a_fixed_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (_, md) = run_report(dir.path(), &[]);
    insta::assert_snapshot!("run_memo", masked(&read(&md)));
}

#[test]
fn compare_memo_is_pinned_for_a_fixed_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (_, md) = compare_report(dir.path());
    insta::assert_snapshot!("compare_memo", masked(&read(&md)));
}

/// Checks that `html` is one well-formed XML document whose `<svg>` charts are exactly
/// `expected` (by id), each with a title, axis text and drawn shapes, and that it names no
/// external resource: the only URL allowed is the SVG namespace, as an `xmlns` declaration.
fn assert_self_contained_report(html: &str, expected: &[&str]) {
    let doc = roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("the report is not well-formed: {e}"));
    let svgs: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "svg")
        .collect();
    let ids: Vec<&str> = svgs.iter().filter_map(|s| s.attribute("id")).collect();
    assert_eq!(ids, expected, "charts drawn");
    for svg in &svgs {
        let id = svg.attribute("id").unwrap();
        assert_eq!(svg.tag_name().namespace(), Some(SVG_NS), "{id}");
        let title = svg
            .children()
            .find(|c| c.tag_name().name() == "title")
            .and_then(|t| t.text())
            .unwrap_or_else(|| panic!("{id} has no <title>"));
        let texts: Vec<&str> = svg
            .descendants()
            .filter(|n| n.tag_name().name() == "text")
            .filter_map(|n| n.text())
            .map(str::trim)
            .collect();
        assert!(texts.contains(&title), "{id}: title not drawn");
        assert!(
            texts.iter().any(|t| t.contains('[')),
            "{id}: no axis label with a unit in {texts:?}"
        );
        let shapes = svg
            .descendants()
            .filter(|n| matches!(n.tag_name().name(), "rect" | "polyline" | "path" | "circle"))
            .count();
        assert!(shapes > 5, "{id}: only {shapes} shapes");
        assert!(!texts.iter().any(|t| t.contains("chart not drawn")), "{id}");
        // Valid on its own, too: the SVG cut out of the page parses as an SVG document.
        let alone = &html[svg.range()];
        let parsed = roxmltree::Document::parse(alone)
            .unwrap_or_else(|e| panic!("{id} is not valid XML on its own: {e}"));
        assert_eq!(parsed.root_element().tag_name().name(), "svg");
    }
    for node in doc.descendants() {
        for a in node.attributes() {
            let v = a.value().to_ascii_lowercase();
            assert!(
                !v.contains("http:") && !v.contains("https:") && !v.contains("url("),
                "external reference in attribute {}={:?}",
                a.name(),
                a.value()
            );
            assert!(
                !matches!(a.name(), "href" | "src"),
                "link attribute {}",
                a.name()
            );
        }
        if let Some(t) = node.text() {
            let t = t.to_ascii_lowercase();
            assert!(
                !t.contains("http:") && !t.contains("https:") && !t.contains("url("),
                "external reference in text {t:?}"
            );
        }
        assert!(
            !matches!(
                node.tag_name().name(),
                "script" | "link" | "img" | "iframe" | "object" | "embed"
            ),
            "<{}> in a self-contained report",
            node.tag_name().name()
        );
        for ns in node.namespaces().filter(|ns| ns.name() != Some("xml")) {
            assert_eq!(ns.uri(), SVG_NS, "unexpected namespace");
        }
    }
    // And in the raw text: every "http" is the SVG namespace of an xmlns declaration.
    let all = html.matches("http").count();
    let namespaces = html.matches(&format!("xmlns=\"{SVG_NS}\"")).count();
    assert_eq!(all, namespaces, "a URL other than the SVG namespace");
}

#[test]
fn run_report_draws_every_chart_it_promises_with_no_external_url() {
    let dir = tempfile::tempdir().unwrap();
    let (html, _) = run_report(dir.path(), &[]);
    assert_self_contained_report(&read(&html), &RUN_CHARTS);
}

#[test]
fn compare_report_draws_every_chart_it_promises_with_no_external_url() {
    let dir = tempfile::tempdir().unwrap();
    let (html, md) = compare_report(dir.path());
    let html = read(&html);
    assert_self_contained_report(&html, &COMPARE_CHARTS);
    // Both scenarios side by side: each chart names both.
    for name in [
        "small parcel world (test fixture)",
        "paperless world (test fixture)",
    ] {
        assert!(html.matches(name).count() >= 8, "{name}");
    }
    let memo = read(&md);
    assert!(memo.contains("cuts the mean clearance time by"), "{memo}");
}

#[test]
fn same_input_gives_byte_identical_reports() {
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (h1, m1) = run_report(d1.path(), &["--threads", "1"]);
    let (h2, m2) = run_report(d2.path(), &["--threads", "2"]);
    assert!(read(&h1) == read(&h2), "HTML differs between runs");
    assert_eq!(read(&m1), read(&m2));
}

#[test]
fn report_of_saved_results_equals_the_report_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (html, md) = run_report(dir.path(), &["--out", out.to_str().unwrap()]);
    let (html2, md2) = (dir.path().join("again.html"), dir.path().join("again.md"));
    let summary = out.join("summary.json");
    ok(&[
        "report",
        summary.to_str().unwrap(),
        "-o",
        html2.to_str().unwrap(),
        "--md",
        md2.to_str().unwrap(),
    ]);
    assert_eq!(read(&md), read(&md2));
    assert!(read(&html) == read(&html2), "HTML differs");

    // Without backlog.csv beside it the report says so instead of drawing the backlog.
    std::fs::remove_file(out.join("backlog.csv")).unwrap();
    ok(&[
        "report",
        summary.to_str().unwrap(),
        "--md",
        md2.to_str().unwrap(),
    ]);
    let memo = read(&md2);
    assert!(memo.contains("No backlog for this run"), "{memo}");

    // A saved comparison is reported in full from its JSON document.
    let a = path("tests/fixtures/world-small.toml");
    let b = path("tests/fixtures/world-small-paperless.toml");
    let args = [
        &["compare", a.as_str(), b.as_str(), "--json", "--reps", "2"][..],
        &SHORT,
    ]
    .concat();
    let c = clearsim(&args);
    assert!(c.status.success());
    let saved = dir.path().join("compare.json");
    std::fs::write(&saved, &c.stdout).unwrap();
    let from_saved = dir.path().join("saved.html");
    ok(&[
        "report",
        saved.to_str().unwrap(),
        "-o",
        from_saved.to_str().unwrap(),
    ]);
    let expected: Vec<&str> = COMPARE_CHARTS
        .iter()
        .copied()
        .filter(|&id| id != clearsim::report::figures::BACKLOG)
        .collect();
    assert_self_contained_report(&read(&from_saved), &expected);
}

#[test]
fn one_replication_zero_inspections_and_plain_networks_report_without_panics() {
    let dir = tempfile::tempdir().unwrap();
    // One replication: no interval anywhere, said in words.
    let (html, md) = run_report(dir.path(), &["--reps", "1"]);
    assert!(read(&md).contains("no confidence interval"));
    assert_self_contained_report(&read(&html), &RUN_CHARTS);

    // No red channel: no X-ray or physical inspection at all.
    let (html, md) = run_report(
        dir.path(),
        &[
            "--set",
            "import.risk.red=0.0",
            "--set",
            "import.risk.green=0.93",
        ],
    );
    assert!(read(&md).contains("| inspection | 0.00 |"), "{}", read(&md));
    assert_self_contained_report(&read(&html), &RUN_CHARTS);

    // A plain queueing network: no TRS, backlog or cost, and the report says what it has.
    let html = dir.path().join("mm1.html");
    ok(&[
        "run",
        &path("scenarios/validation/mm1.toml"),
        "--reps",
        "2",
        "--quiet",
        "--report",
        html.to_str().unwrap(),
    ]);
    assert_self_contained_report(
        &read(&html),
        &[
            clearsim::report::figures::HISTOGRAM,
            clearsim::report::figures::CDF,
            clearsim::report::figures::UTILISATION,
        ],
    );
}

#[test]
fn generic_sweep_and_stress_charts_draw_synthetic_data() {
    let band = |x: f64, y: f64| Point {
        x,
        y,
        ci95: Some([y * 0.9, y * 1.1]),
    };
    // Sweep: a headline figure against paperless adoption, one line per demand multiplier.
    let series: Vec<Series> = [1.0, 2.0, 3.0]
        .iter()
        .map(|&demand| Series {
            label: format!("demand ×{demand}"),
            points: (0..=10)
                .map(|i| band(f64::from(i) * 10.0, 20.0 * demand - f64::from(i)))
                .collect(),
        })
        .collect();
    let labels = Labels::new(
        "chart-sweep",
        "Mean clearance against paperless adoption",
        "paperless share [%]",
        "mean clearance [h]",
    );
    let sweep = chart::line_chart_with_band(&labels, &series);
    // A sweep of one point: one x value, a dot with its whisker.
    let one = chart::line_chart_with_band(
        &labels,
        &[Series {
            label: String::new(),
            points: vec![band(50.0, 12.0)],
        }],
    );
    // Stress: p95 against the demand multiplier, the limit and the maximum found.
    let stress = chart::line_chart_with_limit(
        &Labels::new(
            "chart-stress",
            "p95 clearance against demand",
            "demand multiplier [× normal day]",
            "p95 clearance [h]",
        ),
        &[Series {
            label: String::new(),
            points: (1..=8)
                .map(|i| band(f64::from(i) * 0.5, 4.0 * f64::from(i)))
                .collect(),
        }],
        &Guide {
            at: 24.0,
            label: "limit p95 ≤ 24 h".into(),
        },
        Some(&Guide {
            at: 3.0,
            label: "max 3.0×".into(),
        }),
    );
    for (svg, id, needles) in [
        (
            &sweep,
            "chart-sweep",
            &["demand ×1", "demand ×3", "paperless share [%]"][..],
        ),
        (&one, "chart-sweep", &["mean clearance [h]"][..]),
        (
            &stress,
            "chart-stress",
            &["limit p95 ≤ 24 h", "max 3.0×"][..],
        ),
    ] {
        let doc = roxmltree::Document::parse(svg).expect("valid SVG");
        assert_eq!(doc.root_element().attribute("id"), Some(id));
        let texts: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.text())
            .map(str::trim)
            .collect();
        for n in needles {
            assert!(texts.iter().any(|t| t.contains(n)), "{id}: {n} missing");
        }
        assert!(!svg.contains("chart not drawn"));
    }
    // The band is a polygon: one per line of the sweep.
    assert!(sweep.matches("<polygon").count() >= 3);
}

#[test]
fn bad_report_paths_fail_with_exit_code_1_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/report.html");
    let started = Instant::now();
    let out = clearsim(&[
        "run",
        &path("scenarios/paper.toml"),
        "--report",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not exist"), "{err}");
    // Refused before simulating 30 days of 120,000 parcels a day.
    assert!(started.elapsed() < Duration::from_secs(20));

    let out = clearsim(&[
        "report",
        &path("tests/fixtures/world-small.toml"),
        "--md",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "a folder is not a file");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a folder"));
}

#[test]
fn bad_result_documents_fail_with_exit_code_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("memo.md");
    let cases = [
        ("not-json.json", "this is not JSON", "not a JSON document"),
        ("neither.json", "{\"hello\": 1}", "neither"),
        (
            "half-run.json",
            "{\"stages\": [], \"metrics\": {}}",
            "missing field",
        ),
    ];
    for (name, text, why) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = clearsim(&[
            "report",
            file.to_str().unwrap(),
            "--md",
            md.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(name) && err.contains(why), "{name}: {err}");
        assert!(!md.exists(), "nothing written for bad input");
    }
    let out = clearsim(&[
        "report",
        dir.path().join("absent.json").to_str().unwrap(),
        "--md",
        md.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("absent.json: cannot read it"));
    let out = clearsim(&["report", dir.path().join("x.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "nothing asked for");
}

/// Chromium from Debian (`chromium`) or elsewhere (`chromium-browser`), if on PATH.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

#[test]
fn chromium_renders_the_paper_vs_paperless_report() {
    if std::env::var_os("CLEARSIM_SKIP_BROWSER_TEST").is_some() {
        eprintln!("CLEARSIM_SKIP_BROWSER_TEST is set: browser check skipped");
        return;
    }
    let browser = chromium().expect(
        "chromium is not on PATH: install it (`apt-get install chromium`; .ci/run does) or set CLEARSIM_SKIP_BROWSER_TEST=1",
    );
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("paper-vs-paperless.html");
    ok(&[
        "compare",
        &path("scenarios/paper.toml"),
        &path("scenarios/paperless.toml"),
        "--reps",
        "2",
        "--set",
        "run.horizon_h=96",
        "--set",
        "run.warmup_h=48",
        "--quiet",
        "--report",
        html.to_str().unwrap(),
    ]);
    let png = dir.path().join("shot.png");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=1200,2400",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png).expect("chromium wrote the screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut buf).expect("one frame");
    assert_eq!((info.width, info.height), (1200, 2400));
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let pixels: Vec<[u8; 3]> = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let not_white = pixels.iter().filter(|p| **p != [255, 255, 255]).count();
    assert!(
        not_white * 50 > pixels.len(),
        "the page is almost blank: {not_white} of {} pixels are not white",
        pixels.len()
    );
    let mut colours: Vec<[u8; 3]> = pixels.iter().step_by(7).copied().collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() >= 20, "only {} colours", colours.len());
    // The charts drew: the first colour of the palette fills the bars of the differences.
    let c = chart::PALETTE[0];
    let bars = pixels.iter().filter(|p| **p == [c.0, c.1, c.2]).count();
    assert!(bars > 10_000, "only {bars} pixels of {c:?}");
}

#[test]
fn run_document_has_distribution_bins_that_add_up_to_one() {
    let world = path("tests/fixtures/world-small.toml");
    let v = crate::support::clearsim_json(
        &[
            &["run", world.as_str(), "--json", "--reps", "2"][..],
            &SHORT,
        ]
        .concat(),
    );
    let d = &v["distribution"];
    assert_eq!(d["metric"], "clearance_hours");
    let bins = d["bins"].as_array().unwrap();
    assert!(bins.len() >= 10, "{} bins", bins.len());
    let f = |b: &serde_json::Value, k: &str| b[k].as_f64().unwrap();
    assert_eq!(f(&bins[0], "lower_h"), 0.0);
    for w in bins.windows(2) {
        assert_eq!(f(&w[0], "upper_h"), f(&w[1], "lower_h"), "bins touch");
    }
    let total: f64 = bins.iter().map(|b| f(b, "share")).sum();
    assert!((total - 1.0).abs() < 1e-9, "shares add up to {total}");
    assert!(bins.iter().all(|b| f(b, "share") >= 0.0));
    // The last bin reaches the largest clearance time.
    let max = v["metrics"]["clearance_hours"]["max"].as_f64().unwrap();
    assert!(f(bins.last().unwrap(), "upper_h") >= max * 0.99, "{max}");
    // A comparison holds both runs' documents.
    let b = path("tests/fixtures/world-small-paperless.toml");
    let c = crate::support::clearsim_json(
        &[
            &[
                "compare",
                world.as_str(),
                b.as_str(),
                "--json",
                "--reps",
                "2",
            ][..],
            &SHORT,
        ]
        .concat(),
    );
    assert_eq!(
        c["summaries"]["a"]["scenario"]["name"],
        "small parcel world (test fixture)"
    );
    assert_eq!(
        c["summaries"]["b"]["distribution"]["metric"],
        "clearance_hours"
    );
    assert!(c["rows"].is_array());
}

#[test]
fn sweep_and_stress_reports_draw_every_chart_they_promise() {
    use clearsim::report::sweep_report::{STRESS_CHART, sweep_chart_ids};
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mmc = path("scenarios/validation/mmc.toml");
    let (html, md) = (d.join("sweep.html"), d.join("sweep.md"));
    let out = d.join("sweep");
    // Two parameters: one line per number of officers, multiplier on the x axis.
    ok(&[
        "sweep",
        mmc.as_str(),
        "--set",
        "run.demand_multiplier=0.6,0.8,1.0",
        "--set",
        "stage.officers.servers=3,4",
        "--set",
        "run.horizon_h=1000",
        "--set",
        "run.warmup_h=100",
        "--reps",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--report",
        html.to_str().unwrap(),
        "--md",
        md.to_str().unwrap(),
    ]);
    let ids = sweep_chart_ids(5);
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let page = read(&html);
    assert_self_contained_report(&page, &ids);
    assert!(
        page.contains("stage.officers.servers = 4"),
        "legend per officer count"
    );
    let memo = read(&md);
    assert!(memo.contains("ranges from"), "{memo}");
    // The saved summary.json gives the same report.
    let again = d.join("again.html");
    ok(&[
        "report",
        out.join("summary.json").to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(read(&again), page);

    // A sweep of one point, one replication: a dot, no interval, no panic.
    let one = d.join("one.html");
    ok(&[
        "sweep",
        mmc.as_str(),
        "--set",
        "run.horizon_h=500",
        "--warmup",
        "50",
        "--reps",
        "1",
        "--quiet",
        "--out",
        d.join("one").to_str().unwrap(),
        "--report",
        one.to_str().unwrap(),
    ]);
    assert_self_contained_report(&read(&one), &ids);

    // Stress: the curve, the limit line and the maximum found.
    let (shtml, sjson) = (d.join("stress.html"), d.join("stress"));
    ok(&[
        "stress",
        mmc.as_str(),
        "--limit",
        "stages.officers.wait_hours.mean<=1",
        "--set",
        "run.horizon_h=2000",
        "--set",
        "run.warmup_h=200",
        "--reps",
        "3",
        "--points",
        "4",
        "--steps",
        "4",
        "--quiet",
        "--out",
        sjson.to_str().unwrap(),
        "--report",
        shtml.to_str().unwrap(),
    ]);
    let page = read(&shtml);
    assert_self_contained_report(&page, &[STRESS_CHART]);
    assert!(
        page.contains("limit stages.officers.wait_hours.mean&lt;=1")
            || page.contains("limit stages.officers.wait_hours.mean<=1")
    );
    assert!(page.contains("maximum"));
    let again = d.join("stress-again.html");
    ok(&[
        "report",
        sjson.join("stress.json").to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]);
    assert_eq!(read(&again), page);
}

#[test]
fn a_run_too_short_to_fill_the_network_or_overloaded_warns() {
    let paper = path("scenarios/paper.toml");
    let out = clearsim(&[
        "run",
        paper.as_str(),
        "--json",
        "--reps",
        "2",
        "--set",
        "run.horizon_h=96",
        "--set",
        "run.warmup_h=48",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes = crate::support::warning_codes(&v);
    assert!(codes.iter().any(|c| c == "not_filled"), "{codes:?}");
    // An overloaded paper desk (ρ = 1.24) warns, naming it, in the JSON and the table.
    let text =
        read(&repo("tests/fixtures/world-small.toml")).replace("servers = 40\n", "servers = 25\n");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("overloaded.toml");
    std::fs::write(&f, text).unwrap();
    let f = f.to_str().unwrap();
    let out = clearsim(&[&["run", f, "--json", "--reps", "2"][..], &SHORT].concat());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "overloaded")
        .unwrap_or_else(|| panic!("{}", v["warnings"]))
        .clone();
    assert!(w["message"].as_str().unwrap().contains("paper_desk"), "{w}");
    let out = clearsim(&[&["run", f, "--reps", "2"][..], &SHORT].concat());
    assert!(String::from_utf8_lossy(&out.stdout).contains("WARNING [overloaded]"));
    let html = dir.path().join("r.html");
    ok(&[
        &[
            "run",
            f,
            "--quiet",
            "--reps",
            "2",
            "--report",
            html.to_str().unwrap(),
        ][..],
        &SHORT,
    ]
    .concat());
    let page = read(&html);
    assert!(
        page.contains("not final") && page.contains("aper_desk is offered more work"),
        "no warning in the report"
    );
    assert!(
        page.contains("not uncertainty about the inputs")
            || page.contains("does not cover uncertainty about the inputs")
    );
}

#[test]
fn every_shipped_scenario_run_table_fits_in_100_columns() {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/validation"] {
        for e in std::fs::read_dir(repo(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 5);
    for f in files {
        let f = f.to_str().unwrap();
        let out = clearsim(&[
            "run",
            f,
            "--reps",
            "2",
            "--set",
            "run.horizon_h=48",
            "--set",
            "run.warmup_h=12",
        ]);
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            assert!(
                line.chars().count() <= 100,
                "{f}: {} columns: {line}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn comparison_histograms_share_their_bins_and_shares_end_at_100() {
    let dir = tempfile::tempdir().unwrap();
    let (html, _) = compare_report(dir.path());
    let page = read(&html);
    let doc = roxmltree::Document::parse_with_options(
        &page,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap();
    let svg = |id: &str| {
        doc.descendants()
            .find(|n| n.tag_name().name() == "svg" && n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("no {id}"))
    };
    // Bars of the two overlaid histograms: every width drawn is one width.
    let widths: Vec<f64> = svg("chart-histogram")
        .descendants()
        .filter(|n| n.tag_name().name() == "rect" && n.attribute("opacity").is_some())
        .filter_map(|n| n.attribute("width")?.parse::<f64>().ok())
        .filter(|w| (15.0..200.0).contains(w))
        .collect();
    let (lo, hi) = widths
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(l, h), &w| (l.min(w), h.max(w)));
    assert!(
        !widths.is_empty() && hi - lo <= 1.0,
        "histogram bars of different widths: {widths:?}"
    );
    // No tick of a share axis above 100.
    {
        let id = "chart-utilisation";
        let over: Vec<f64> = svg(id)
            .descendants()
            .filter(|n| n.tag_name().name() == "text")
            .filter_map(|n| n.text().and_then(|t| t.trim().parse::<f64>().ok()))
            .filter(|v| *v > 100.0)
            .collect();
        assert!(over.is_empty(), "{id}: ticks above 100%: {over:?}");
    }
    assert!(
        page.contains("Both on the same"),
        "the reading names the common bins"
    );
}
