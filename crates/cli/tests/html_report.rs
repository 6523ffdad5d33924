//! The HTML report (`--format html -o FILE`): one self-contained file that fetches nothing, in
//! which hostile log strings are only ever text, checked statically and then in a real headless
//! Chromium (installed by `scripts/ensure-chromium`), whose DOM must show that no payload ran.

mod support;

use std::fs;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const TITLE: &str = "revertwatch incident report";
const MALLORY: &str = "arn:aws:iam::111122223333:user/mallory";
const HOSTILE_UA: &str = r#"<script>document.title='pwned';window.__pwned=1</script><img src=x onerror="window.__pwned=2">"#;
const HOSTILE_ARN: &str = r#"arn:aws:iam::111122223333:user/mallory"><svg onload=alert(1)>"#;
const HOSTILE_SNAPSHOT: &str = r#"snap-0feedface"><svg onload=alert(2)>"#;
/// How long one Chromium run may take before it is killed and the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

/// The AWS full revert, moved to another day and given new event ids (so that it is an incident
/// of its own beside the original), with the attacker's user agent, ARN and snapshot id replaced
/// by markup.
fn hostile_fixture(dir: &Path) -> PathBuf {
    let original = fs::read_to_string(support::fixture("scenarios/aws/full-revert.json")).unwrap();
    let mut doc: Value =
        serde_json::from_str(&original.replace("2026-03-14T", "2026-04-01T")).unwrap();
    let old_snapshot = doc["Records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["eventName"] == "CreateVolume")
        .map(|r| {
            r["requestParameters"]["snapshotId"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .expect("full-revert.json has a CreateVolume");
    for record in doc["Records"].as_array_mut().unwrap() {
        // A copy of an event (same id) is one event delivered twice: give each a new id.
        let id = record["eventID"].as_str().unwrap().to_string();
        record["eventID"] = format!("0bad{}", &id[4..]).into();
        if record["userIdentity"]["arn"] == MALLORY {
            record["userAgent"] = HOSTILE_UA.into();
            record["userIdentity"]["arn"] = HOSTILE_ARN.into();
        }
    }
    let text = serde_json::to_string_pretty(&doc).unwrap().replace(
        &format!("\"{old_snapshot}\""),
        &serde_json::to_string(HOSTILE_SNAPSHOT).unwrap(),
    );
    let path = dir.join("hostile-full-revert.json");
    fs::write(&path, text).unwrap();
    path
}

/// The report and the JSON Lines for the same input: every scenario fixture plus the hostile one,
/// suppressed and failed-only incidents included.
fn hunt(dir: &Path) -> (PathBuf, Vec<Value>) {
    let hostile = hostile_fixture(dir);
    let scenarios = support::fixture("scenarios");
    let report = dir.join("report.html");
    let inputs = [scenarios.to_str().unwrap(), hostile.to_str().unwrap()];
    let flags = ["--show-suppressed", "--show-failed"];
    let mut args = vec!["hunt"];
    args.extend(inputs);
    args.extend(["--format", "html", "-o", report.to_str().unwrap()]);
    args.extend(flags);
    support::revertwatch(&args, None).expect_code(0);
    let incidents = support::hunt_jsonl(&[Path::new(inputs[0]), Path::new(inputs[1])], &flags)
        .expect_code(0)
        .jsonl();
    let hostile_escalates = incidents.iter().any(|i| {
        i["severity"] == "escalate"
            && i["actors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == HOSTILE_ARN)
    });
    assert!(
        hostile_escalates,
        "the hostile copy of the full revert must still escalate"
    );
    (report, incidents)
}

/// A start tag of the document: its lowercase name and attributes, values still escaped.
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

/// Every start tag, and the contents of every `<style>`. Sound for this report only because it
/// escapes every `<` and `>` in text and attribute values: a raw `<` always opens a tag.
fn scan(html: &str) -> (Vec<Tag>, Vec<&str>) {
    let (mut tags, mut styles) = (Vec::new(), Vec::new());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>').expect("a tag is closed");
        let inner = &after[..close];
        rest = &after[close + 1..];
        if inner.starts_with('/') || inner.starts_with('!') {
            continue;
        }
        let tag = parse_tag(inner.trim_end_matches('/'));
        if tag.name == "style" {
            let end = rest.find("</style>").expect("style is closed");
            styles.push(&rest[..end]);
            rest = &rest[end..];
        }
        tags.push(tag);
    }
    (tags, styles)
}

fn parse_tag(inner: &str) -> Tag {
    let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
            let (v, tail) = match quote {
                Some(q) => {
                    let body = &after[1..];
                    let stop = body
                        .find(q)
                        .unwrap_or_else(|| panic!("unterminated {key} in <{inner}>"));
                    (&body[..stop], &body[stop + 1..])
                }
                None => after.split_at(after.find(char::is_whitespace).unwrap_or(after.len())),
            };
            value = v.to_string();
            rest = tail;
        }
        attrs.push((key, value));
        rest = rest.trim_start();
    }
    Tag { name, attrs }
}

/// Nothing in the document can load, run or navigate anywhere: no tag that fetches or runs, no
/// event handler or style attribute, links only to anchors in the page, and `url()` only to a
/// marker in the page.
fn assert_self_contained(html: &str) {
    let (tags, styles) = scan(html);
    const FORBIDDEN_TAGS: &[&str] = &[
        "script",
        "iframe",
        "frame",
        "object",
        "embed",
        "link",
        "img",
        "image",
        "base",
        "form",
        "audio",
        "video",
        "source",
        "picture",
        "use",
        "foreignobject",
        "input",
        "portal",
    ];
    const FETCHING_ATTRS: &[&str] = &[
        "src",
        "srcset",
        "xlink:href",
        "action",
        "formaction",
        "poster",
        "background",
        "data",
        "ping",
        "manifest",
        "style",
    ];
    let mut csp = false;
    for tag in &tags {
        assert!(
            !FORBIDDEN_TAGS.contains(&tag.name.as_str()),
            "forbidden tag: {tag:?}"
        );
        for (key, value) in &tag.attrs {
            assert!(!key.starts_with("on"), "event handler: {tag:?}");
            assert!(
                !FETCHING_ATTRS.contains(&key.as_str()),
                "fetching or style attribute: {tag:?}"
            );
            if key == "href" {
                assert!(value.starts_with('#'), "a link out of the page: {tag:?}");
            }
            if let Some(at) = value.find("url(") {
                assert!(
                    value[at..].starts_with("url(#"),
                    "url() out of the page: {tag:?}"
                );
            }
            let lower = value.to_ascii_lowercase();
            assert!(
                !(lower.contains("http://") || lower.contains("https://")) || key == "title",
                "a network address in an attribute: {tag:?}"
            );
        }
        if tag.name == "meta" {
            if let Some((_, equiv)) = tag.attrs.iter().find(|(k, _)| k == "http-equiv") {
                assert_eq!(equiv, "Content-Security-Policy", "only a CSP meta: {tag:?}");
                let (_, policy) = tag.attrs.iter().find(|(k, _)| k == "content").unwrap();
                assert!(policy.contains("default-src 'none'"), "{policy}");
                assert!(
                    !policy.contains("script-src"),
                    "the report runs no script: {policy}"
                );
                csp = true;
            }
        }
    }
    assert!(csp, "the report carries a Content-Security-Policy");
    for css in styles {
        assert!(
            !css.contains("url(") && !css.contains("@import") && !css.contains("//"),
            "inline CSS fetches nothing"
        );
    }
}

/// The hostile strings are in the report, and only as text.
fn assert_payload_is_text(html: &str) {
    for raw in [
        "<script>document",
        "<img src=x",
        "<svg onload",
        r#""><svg"#,
        "onerror=\"window",
    ] {
        assert!(!html.contains(raw), "raw payload `{raw}` in the report");
    }
    for escaped in [
        "&lt;script&gt;document.title=&#39;pwned&#39;;window.__pwned=1&lt;/script&gt;",
        "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;",
        "mallory&quot;&gt;&lt;svg onload=alert(1)&gt;",
        "snap-0feedface&quot;&gt;&lt;svg onload=alert(2)&gt;",
    ] {
        assert!(
            html.contains(escaped),
            "`{escaped}` is not shown in the report"
        );
    }
}

#[test]
fn report_is_self_contained_and_shows_hostile_strings_only_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let (report, incidents) = hunt(dir.path());
    let html = fs::read_to_string(&report).unwrap();
    assert_eq!(html.matches(&format!("<title>{TITLE}</title>")).count(), 1);
    assert_self_contained(&html);
    assert_payload_is_text(&html);
    assert!(
        incidents.iter().any(|i| !i["suppressed_by"].is_null()),
        "suppressed incidents are in the input"
    );
    for incident in &incidents {
        let id = incident["incident_id"].as_str().unwrap();
        assert!(
            html.contains(id),
            "incident {id} is missing from the report"
        );
    }
    let suppressed = html
        .find("<details class=\"group suppressed\">")
        .expect("a suppressed section");
    let first_escalate = html.find("<article class=\"card sev-escalate\"").unwrap();
    let first_review = html.find("<article class=\"card sev-review\"").unwrap();
    assert!(
        first_escalate < first_review && first_review < suppressed,
        "escalate, then review, then suppressed"
    );
    assert!(
        html.contains("suppressed by <b>aws-instance-scheduler</b>"),
        "a suppressed card names its rule"
    );
    assert!(
        html.contains("<svg class=\"lineage\""),
        "lineage is drawn as inline SVG"
    );
}

#[test]
fn chromium_renders_the_report_and_runs_none_of_the_payload() {
    let chromium = ensure_chromium();
    let dir = tempfile::tempdir().unwrap();
    let (report, incidents) = hunt(dir.path());
    let url = format!("file://{}", report.display());

    let png = dir.path().join("report.png");
    let screenshot = format!("--screenshot={}", png.display());
    run_chromium(
        &chromium,
        &[&screenshot, "--window-size=1400,2000", &url],
        dir.path(),
    );
    let size = fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "the screenshot is empty or trivial ({size} bytes)"
    );

    let dom = run_chromium(
        &chromium,
        &["--dump-dom", "--virtual-time-budget=2000", &url],
        dir.path(),
    );
    let title = dom
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title)
        .expect("the DOM has a title");
    assert_eq!(title, TITLE, "a payload changed the title");
    assert!(dom.contains("ESCALATE"), "the escalate badge is rendered");
    for incident in &incidents {
        let id = incident["incident_id"].as_str().unwrap();
        assert!(
            dom.contains(id),
            "incident {id} is missing from the rendered DOM"
        );
    }
    // An injected element would appear in the DOM as markup; the payload must be text only.
    for element in ["<script", "<img", "<svg onload"] {
        assert!(
            !dom.contains(element),
            "the payload created `{element}` in the DOM"
        );
    }
    assert!(
        dom.contains("&lt;script&gt;document.title="),
        "the payload is shown as text"
    );
}

/// Installs Chromium if needed (`scripts/ensure-chromium`) and returns its binary.
fn ensure_chromium() -> PathBuf {
    let script = support::workspace().join("scripts/ensure-chromium");
    let out = Command::new(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} failed, and the browser test needs Debian's chromium:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// Runs headless Chromium as root on a fresh profile, kills its whole process group after
/// `BROWSER_TIMEOUT`, and returns what it printed on stdout.
fn run_chromium(chromium: &Path, args: &[&str], scratch: &Path) -> String {
    let profile = tempfile::tempdir_in(scratch).unwrap();
    let stdout_path = scratch.join("chromium.stdout");
    let stderr_path = scratch.join("chromium.stderr");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).unwrap())
        .stderr(fs::File::create(&stderr_path).unwrap())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            // The browser's helpers share its process group: end them all.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!(
                "chromium {args:?} did not finish in {BROWSER_TIMEOUT:?}; stderr:\n{}",
                fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stdout = String::new();
    fs::File::open(&stdout_path)
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert!(
        status.success(),
        "chromium {args:?} failed ({status}); stderr:\n{}",
        fs::read_to_string(&stderr_path).unwrap_or_default()
    );
    stdout
}
