//! `hunt s3:// az:// gs://`: simulated logs uploaded in each cloud's real layout to a real
//! emulator (moto for S3, Azurite for Blob Storage, fake-gcs-server for GCS), hunted where they
//! are, and compared with a local hunt of the same files; listings counted in the emulators'
//! request logs; unreadable objects skipped with their key.

mod support;

#[path = "support/emulators.rs"]
mod emulators;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use emulators::{clean_env, create_bucket, Emulator};
use serde_json::Value;
use support::Run;

/// Simulated logs of all three clouds (seeded, 4 days from 2026-03-01), with the Azure events
/// re-filed the way diagnostic settings write them: one JSON Lines blob per hour at
/// `resourceId=/SUBSCRIPTIONS/<SUB>/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json`.
struct Corpus {
    dir: tempfile::TempDir,
}

impl Corpus {
    fn new() -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let run = support::revertwatch(
            &[
                "simulate",
                "--out",
                dir.path().to_str().unwrap(),
                "--size",
                "1MB",
                "--days",
                "4",
                "--seed",
                "3",
                "--containers",
                "aws-s3-gz,azure-eventhub,gcp-jsonl",
            ],
            None,
        );
        run.expect_code(0);
        let corpus = Corpus { dir };
        corpus.file_azure_as_diagnostic_settings();
        corpus
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The Event Hub files are named by hour (`<sub>/YYYYMMDDHH.json`) and hold
    /// `{"records":[...]}`; a diagnostic-settings blob holds the same records, one per line.
    fn file_azure_as_diagnostic_settings(&self) {
        let root = self.path("azure/eventhub");
        for sub in std::fs::read_dir(&root).unwrap() {
            let sub = sub.unwrap();
            let id = sub.file_name().to_string_lossy().to_ascii_uppercase();
            for hour in std::fs::read_dir(sub.path()).unwrap() {
                let hour = hour.unwrap().path();
                let stem = hour.file_stem().unwrap().to_string_lossy().into_owned();
                let (y, m, d, h) = (&stem[0..4], &stem[4..6], &stem[6..8], &stem[8..10]);
                let doc: Value = serde_json::from_slice(&std::fs::read(&hour).unwrap()).unwrap();
                let lines: String = doc["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| format!("{r}\n"))
                    .collect();
                let blob = self.path(&format!(
                    "azure-diag/resourceId=/SUBSCRIPTIONS/{id}/y={y}/m={m}/d={d}/h={h}/m=00/PT1H.json"
                ));
                std::fs::create_dir_all(blob.parent().unwrap()).unwrap();
                std::fs::write(blob, lines).unwrap();
            }
        }
    }

    /// (key, file) for every file below `rel`, keys relative to it.
    fn files(&self, rel: &str) -> Vec<(String, PathBuf)> {
        let root = self.path(rel);
        let mut out: Vec<(String, PathBuf)> = walk(&root)
            .into_iter()
            .map(|p| {
                (
                    p.strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    p,
                )
            })
            .collect();
        out.sort();
        out
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// `revertwatch hunt ARGS --format jsonl` against the emulators' credentials only.
fn hunt(args: &[&str], extra_env: &[(&str, &str)]) -> Run {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_revertwatch"));
    cmd.arg("hunt")
        .args(args)
        .args(["--format", "jsonl"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    clean_env(&mut cmd, home.path());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// What a hunt found, without where each call was read from (a path or a URL).
fn verdicts(run: &Run) -> BTreeSet<String> {
    run.jsonl()
        .iter()
        .map(|i| {
            format!(
                "{} {} {} {} {} {} {}",
                i["incident_id"],
                i["severity"],
                i["target"],
                i["chains"],
                i["suspicion_score"],
                i["event_ids"],
                i["suppressed_by"]
            )
        })
        .collect()
}

/// The summary's "N files, X MB, N records (N parsed), N calls" part.
fn counts(run: &Run) -> String {
    let line = run
        .stderr
        .lines()
        .rfind(|l| l.contains(" files, "))
        .unwrap_or_else(|| panic!("no summary line in\n{}", run.stderr));
    line.split(';').next().unwrap().to_string()
}

/// The remote hunt finds exactly what the local hunt of the same files finds, and reads as
/// many files, bytes and records; and at least one planted revert is among them.
fn assert_same_as_local(remote: &Run, local: &Run) {
    remote.expect_code(0);
    local.expect_code(0);
    let (r, l) = (verdicts(remote), verdicts(local));
    assert_eq!(
        r, l,
        "remote and local hunts differ\n--- remote stderr\n{}",
        remote.stderr
    );
    assert!(
        r.iter().any(|v| v.contains("\"escalate\"")),
        "the corpus should hold a planted full revert: {r:#?}"
    );
    assert_eq!(counts(remote), counts(local));
}

#[test]
fn s3_hunt_finds_what_a_local_hunt_of_the_same_files_finds() {
    let corpus = Corpus::new();
    let moto = emulators::moto();
    create_bucket(&moto, "trail");
    let files = corpus.files("aws");
    emulators::upload(&emulators::s3_store(&moto, "trail"), &files);

    let remote = hunt(&["s3://trail", "--endpoint", &moto.base()], &[]);
    let local = hunt(&[corpus.path("aws").to_str().unwrap()], &[]);
    assert_same_as_local(&remote, &local);
    assert!(counts(&remote).starts_with(&format!("revertwatch: {} files", files.len())));
}

#[test]
fn azure_hunt_finds_what_a_local_hunt_of_the_same_files_finds() {
    let corpus = Corpus::new();
    let azurite = emulators::azurite();
    create_bucket(&azurite, "insights-activity-logs");
    let files = corpus.files("azure-diag");
    emulators::upload(
        &emulators::azure_store(&azurite, "insights-activity-logs"),
        &files,
    );
    let endpoint = format!("{}/{}", azurite.base(), emulators::AZURITE_ACCOUNT);
    let remote = hunt(
        &["az://insights-activity-logs", "--endpoint", &endpoint],
        &[],
    );
    let local = hunt(&[corpus.path("azure-diag").to_str().unwrap()], &[]);
    assert_same_as_local(&remote, &local);
}

#[test]
fn gcs_hunt_finds_what_a_local_hunt_of_the_same_files_finds() {
    let corpus = Corpus::new();
    let gcs = emulators::fake_gcs();
    create_bucket(&gcs, "audit-sink");
    // No --endpoint: the service-account file's `gcs_base_url` points the client at the
    // emulator, and `disable_oauth` keeps it from asking Google for a token.
    let account = emulators::gcs_service_account(corpus.dir.path(), &gcs);
    let files = corpus.files("gcp");
    emulators::upload_gcs(&gcs, "audit-sink", &files);

    let account = account.to_str().unwrap();
    let env = [("GOOGLE_SERVICE_ACCOUNT", account)];
    let remote = hunt(&["gs://audit-sink", "--verbose"], &env);
    // A sink's Data Access logs hold no reverts, and are passed over unless named.
    let activity = corpus.path("gcp/cloudaudit.googleapis.com/activity");
    let local = hunt(&[activity.to_str().unwrap()], &env);
    assert_same_as_local(&remote, &local);
    assert!(
        remote
            .stderr
            .contains("not listed gs://audit-sink/cloudaudit.googleapis.com/data_access/"),
        "{}",
        remote.stderr
    );
}

/// `prefix=` of every listing request (`list-type=2` for S3, `comp=list` for Azure) in the
/// emulator's log from `from` on, decoded.
fn listed_prefixes(emulator: &Emulator, from: usize, to: usize) -> Vec<String> {
    emulator.requests()[from..to]
        .iter()
        .filter(|r| r.starts_with("GET ") && (r.contains("list-type=2") || r.contains("comp=list")))
        .map(|r| {
            let query = r.split_once('?').map_or("", |(_, q)| q);
            let prefix = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("prefix="))
                .unwrap_or("");
            percent_decode(prefix)
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn object_gets(emulator: &Emulator, from: usize, to: usize) -> usize {
    emulator.requests()[from..to]
        .iter()
        .filter(|r| r.starts_with("GET ") && !r.contains('?'))
        .count()
}

#[test]
fn since_and_until_list_only_the_day_folders_in_range_on_s3() {
    let corpus = Corpus::new();
    let moto = emulators::moto();
    create_bucket(&moto, "trail");
    emulators::upload(&emulators::s3_store(&moto, "trail"), &corpus.files("aws"));

    let before = moto.mark() + 1;
    let remote = hunt(
        &[
            "s3://trail/AWSLogs/111122223333/CloudTrail",
            "--endpoint",
            &moto.base(),
            "--since",
            "2026-03-03",
            "--until",
            "2026-03-03",
            "--verbose",
        ],
        &[],
    );
    let after = moto.mark();
    remote.expect_code(0);

    let root = "AWSLogs/111122223333/CloudTrail/";
    let mut expected = vec![root.to_string()];
    for region in ["us-east-1", "us-west-2"] {
        for day in ["02", "03", "04"] {
            expected.push(format!("{root}{region}/2026/03/{day}/"));
        }
    }
    let mut listed = listed_prefixes(&moto, before, after);
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected, "listing requests moto received");

    // Exactly the objects in those day folders were fetched, and they hold what a local hunt
    // of the same folders finds.
    let days: Vec<PathBuf> = ["us-east-1", "us-west-2"]
        .iter()
        .flat_map(|r| {
            ["02", "03", "04"].map(|d| corpus.path(&format!("aws/{root}{r}/2026/03/{d}")))
        })
        .filter(|p| p.is_dir())
        .collect();
    let in_range: usize = days.iter().map(|d| walk(d).len()).sum();
    assert_eq!(object_gets(&moto, before, after), in_range);
    let day_args: Vec<&str> = days.iter().map(|p| p.to_str().unwrap()).collect();
    let local = hunt(&day_args, &[]);
    assert_eq!(verdicts(&remote), verdicts(&local));
    assert!(
        remote.stderr.contains("listed s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/03/ (everything below:"),
        "--verbose says what was listed:\n{}",
        remote.stderr
    );
}

#[test]
fn since_and_until_list_only_the_hour_folders_in_range_on_azure() {
    let corpus = Corpus::new();
    let azurite = emulators::azurite();
    create_bucket(&azurite, "insights-activity-logs");
    let files = corpus.files("azure-diag");
    emulators::upload(
        &emulators::azure_store(&azurite, "insights-activity-logs"),
        &files,
    );
    let endpoint = format!("{}/{}", azurite.base(), emulators::AZURITE_ACCOUNT);
    let before = azurite.mark() + 1;
    let remote = hunt(
        &[
            "az://insights-activity-logs",
            "--endpoint",
            &endpoint,
            "--since",
            "2026-03-03T10:00:00Z",
            "--until",
            "2026-03-03T12:00:00Z",
        ],
        &[],
    );
    let after = azurite.mark();
    remote.expect_code(0);

    let sub = files[0].0.split('/').nth(2).unwrap().to_string();
    let root = format!("resourceId=/SUBSCRIPTIONS/{sub}/y=2026/m=03/");
    // A day of slack each side: 2026-03-02 10:00 .. 2026-03-04 12:59, by hour at the edges.
    let mut expected: Vec<String> = vec![String::new(), "resourceId=/SUBSCRIPTIONS/".into()];
    expected.extend((10..24).map(|h| format!("{root}d=02/h={h:02}/")));
    expected.push(format!("{root}d=03/"));
    expected.extend((0..13).map(|h| format!("{root}d=04/h={h:02}/")));
    let mut listed = listed_prefixes(&azurite, before, after);
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected, "listing requests Azurite received");

    let wanted: Vec<&(String, PathBuf)> = files
        .iter()
        .filter(|(key, _)| {
            let day_hour = key.split("/d=").nth(1).unwrap();
            let (d, h) = (&day_hour[0..2], &day_hour[5..7]);
            (d == "02" && h >= "10") || d == "03" || (d == "04" && h <= "12")
        })
        .collect();
    assert_eq!(object_gets(&azurite, before, after), wanted.len());
    let paths: Vec<&str> = wanted.iter().map(|(_, p)| p.to_str().unwrap()).collect();
    assert_eq!(verdicts(&remote), verdicts(&hunt(&paths, &[])));
}

/// `aws` from the moto venv, against the emulator.
fn aws_cli(moto: &Emulator, args: &[&str]) {
    let bin = Command::new(support::workspace().join("scripts/ensure-moto"))
        .output()
        .unwrap()
        .stdout;
    let aws = PathBuf::from(String::from_utf8(bin).unwrap().trim()).join("aws");
    let out = Command::new(aws)
        .args(["--endpoint-url", &moto.base()])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "aws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_object_that_cannot_be_read_is_skipped_with_its_key_and_the_hunt_goes_on() {
    let corpus = Corpus::new();
    let moto = emulators::moto();
    create_bucket(&moto, "trail");
    let files = corpus.files("aws");
    emulators::upload(&emulators::s3_store(&moto, "trail"), &files);
    // An archived log: S3 refuses to GET an object in the Glacier storage class until it is
    // restored, the way an old trail under a lifecycle rule is. Its name carries a
    // right-to-left override, which must not reorder the line it is printed on.
    let archived =
        "AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/02/archived\u{202e}zg.nosj.json.gz";
    let body = files[0].1.to_str().unwrap();
    aws_cli(
        &moto,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "trail",
            "--key",
            archived,
            "--storage-class",
            "GLACIER",
            "--body",
            body,
        ],
    );

    let remote = hunt(&["s3://trail", "--endpoint", &moto.base()], &[]);
    remote.expect_code(3);
    let skip = remote
        .stderr
        .lines()
        .find(|l| l.contains("skipped s3://trail/") && l.contains("archived"))
        .unwrap_or_else(|| panic!("no skip for the archived object:\n{}", remote.stderr));
    assert!(skip.contains("archived\\u{202e}zg.nosj.json.gz"), "{skip}");
    assert!(!remote.stderr.contains('\u{202e}'));
    // Everything else was hunted: the same incidents as the local files.
    let local = hunt(&[corpus.path("aws").to_str().unwrap()], &[]);
    assert_eq!(verdicts(&remote), verdicts(&local));
    assert!(
        remote
            .stderr
            .contains(&format!("{} files", files.len() + 1)),
        "{}",
        remote.stderr
    );
}

#[test]
fn a_key_the_client_cannot_parse_costs_only_its_day_folder() {
    let corpus = Corpus::new();
    let moto = emulators::moto();
    create_bucket(&moto, "trail");
    let files = corpus.files("aws");
    emulators::upload(&emulators::s3_store(&moto, "trail"), &files);
    // object_store refuses keys with control characters, and with them the whole listing
    // page they are on; this one also tries to set the terminal's title.
    let day = "AWSLogs/111122223333/CloudTrail/us-west-2/2026/03/02/";
    let evil = format!("{day}evil\u{1b}]0;pwned\u{7}.json.gz");
    aws_cli(
        &moto,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "trail",
            "--key",
            &evil,
            "--body",
            files[0].1.to_str().unwrap(),
        ],
    );

    let remote = hunt(&["s3://trail", "--endpoint", &moto.base()], &[]);
    remote.expect_code(3);
    assert!(
        remote
            .stderr
            .contains(&format!("skipped s3://trail/{day}: ")),
        "the day folder is reported:\n{}",
        remote.stderr
    );
    assert!(
        !remote.stderr.contains('\u{1b}'),
        "escaped:\n{}",
        remote.stderr
    );
    // Every other folder was hunted.
    let others: Vec<String> = files
        .iter()
        .filter(|(key, _)| !key.starts_with(day))
        .map(|(_, p)| p.display().to_string())
        .collect();
    let args: Vec<&str> = others.iter().map(String::as_str).collect();
    assert_eq!(verdicts(&remote), verdicts(&hunt(&args, &[])));
}

#[test]
fn a_bucket_that_cannot_be_listed_is_a_usage_error() {
    let moto = emulators::moto();
    let run = hunt(
        &["s3://no-such-bucket/AWSLogs", "--endpoint", &moto.base()],
        &[],
    );
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("cannot hunt s3://no-such-bucket/AWSLogs/"),
        "{}",
        run.stderr
    );
}

#[test]
fn object_store_flags_without_a_url_are_a_usage_error() {
    let run = support::revertwatch(
        &[
            "hunt",
            support::example("").to_str().unwrap(),
            "--since",
            "7d",
        ],
        None,
    );
    run.expect_code(2);
    assert!(
        run.stderr.contains("--since is for object-store URLs"),
        "{}",
        run.stderr
    );
}
