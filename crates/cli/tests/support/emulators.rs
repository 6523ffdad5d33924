//! The object-store emulators the object-store tests hunt: the moto server (S3), Azurite (Blob
//! Storage) and fake-gcs-server (GCS), each installed by its `scripts/ensure-*`, started on a
//! free loopback port, and stopped when dropped. Each keeps a log of the requests it received,
//! so that a test can count listings.
#![allow(dead_code)]

use std::fs::File;
use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::{ObjectStore, ObjectStoreExt};

use crate::support::{free_port, workspace};

/// Azurite's well-known development account and key (public, documented by Microsoft).
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
pub const AZURITE_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Runs `scripts/<name>` and returns the path it prints; fails the test, with the script's
/// own explanation, when it cannot install the tool.
fn ensure(name: &str) -> PathBuf {
    let out = Command::new(workspace().join("scripts").join(name))
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run scripts/{name}: {e}"));
    assert!(
        out.status.success(),
        "scripts/{name} could not install its emulator (see above); the object-store tests need it"
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// One running emulator.
pub struct Emulator {
    pub name: &'static str,
    pub port: u16,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Emulator {
    fn spawn(name: &'static str, mut cmd: Command, port: u16, dir: tempfile::TempDir) -> Emulator {
        let log = dir.path().join(format!("{name}.log"));
        let out = File::create(&log).unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let mut emulator = Emulator {
            name,
            port,
            child,
            log,
            _dir: dir,
        };
        emulator.wait_ready();
        emulator
    }

    /// Bounded wait for the port to accept connections; the emulator's log on failure.
    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "{} exited ({status}) before listening:\n{}",
                    self.name,
                    self.log_text()
                );
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{} did not listen on port {} within 60 s:\n{}",
            self.name,
            self.port,
            self.log_text()
        );
    }

    pub fn log_text(&self) -> String {
        let mut s = String::new();
        File::open(&self.log)
            .and_then(|mut f| f.read_to_string(&mut s))
            .ok();
        s
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request line the emulator logged, as `METHOD /path?query`, in order.
    pub fn requests(&self) -> Vec<String> {
        self.log_text()
            .lines()
            .filter_map(|line| {
                // moto and Azurite both log `... "GET /path?query HTTP/1.1" 200 ...`.
                let start = line.find('"')? + 1;
                let rest = &line[start..];
                let end = rest.find(" HTTP/")?;
                Some(rest[..end].to_string())
            })
            .collect()
    }

    /// Makes one request that ends up in the log, and waits until it is there: every request
    /// made before it has been logged too.
    pub fn mark(&self) -> usize {
        let marker = format!("/revertwatch-mark-{}", self.requests().len());
        let _ = std::io::Write::write_all(
            &mut TcpStream::connect(("127.0.0.1", self.port)).unwrap(),
            format!("GET {marker} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let requests = self.requests();
            if let Some(at) = requests.iter().position(|r| r.ends_with(&marker)) {
                return at;
            }
            assert!(
                Instant::now() < deadline,
                "{} never logged {marker}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn moto() -> Emulator {
    let bin = ensure("ensure-moto");
    let port = free_port();
    let mut cmd = Command::new(bin.join("moto_server"));
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    Emulator::spawn("moto", cmd, port, tempfile::tempdir().unwrap())
}

pub fn azurite() -> Emulator {
    let bin = ensure("ensure-azurite");
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(bin);
    cmd.args([
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        &port.to_string(),
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--skipApiVersionCheck",
    ])
    .current_dir(dir.path());
    Emulator::spawn("azurite", cmd, port, dir)
}

pub fn fake_gcs() -> Emulator {
    let bin = ensure("ensure-fake-gcs");
    let port = free_port();
    let mut cmd = Command::new(bin);
    cmd.args([
        "-scheme",
        "http",
        "-host",
        "127.0.0.1",
        "-port",
        &port.to_string(),
        "-backend",
        "memory",
        "-public-host",
        &format!("127.0.0.1:{port}"),
        "-external-url",
        &format!("http://127.0.0.1:{port}"),
        "-log-level",
        "info",
    ]);
    Emulator::spawn("fake-gcs-server", cmd, port, tempfile::tempdir().unwrap())
}

/// The environment the binary runs with for each emulator: credentials of the emulator, and
/// nothing from the developer's own cloud configuration.
pub fn clean_env(cmd: &mut Command, home: &Path) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if ["AWS_", "AZURE_", "GOOGLE_", "IDENTITY_", "MSI_"]
            .iter()
            .any(|p| key.starts_with(p))
        {
            cmd.env_remove(key);
        }
    }
    cmd.env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        // No instance-metadata lookups from a test, whatever goes wrong.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AZURE_STORAGE_ACCOUNT_NAME", AZURITE_ACCOUNT)
        .env("AZURE_STORAGE_ACCOUNT_KEY", AZURITE_KEY);
}

/// A service-account file that points the GCS client at the emulator without OAuth: the
/// `gcs_base_url` and `disable_oauth` keys that object_store's GCS builder reads.
pub fn gcs_service_account(dir: &Path, emulator: &Emulator) -> PathBuf {
    let path = dir.join("fake-gcs-service-account.json");
    std::fs::write(
        &path,
        serde_json::json!({
            "gcs_base_url": emulator.base(),
            "disable_oauth": true,
            "client_email": "",
            "private_key": "",
            "private_key_id": "",
        })
        .to_string(),
    )
    .unwrap();
    path
}

pub fn s3_store(emulator: &Emulator, bucket: &str) -> Arc<dyn ObjectStore> {
    revertwatch_source::install_tls_provider();
    Arc::new(
        AmazonS3Builder::new()
            .with_bucket_name(bucket)
            .with_endpoint(emulator.base())
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_access_key_id("testing")
            .with_secret_access_key("testing")
            .build()
            .unwrap(),
    )
}

pub fn azure_store(emulator: &Emulator, container: &str) -> Arc<dyn ObjectStore> {
    revertwatch_source::install_tls_provider();
    Arc::new(
        MicrosoftAzureBuilder::new()
            .with_container_name(container)
            .with_account(AZURITE_ACCOUNT)
            .with_access_key(AZURITE_KEY)
            .with_endpoint(format!("{}/{AZURITE_ACCOUNT}", emulator.base()))
            .with_allow_http(true)
            .build()
            .unwrap(),
    )
}

/// A client that never goes through a proxy from the environment: the emulators are local.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .build()
        .new_agent()
}

/// Creates a bucket or container (object_store does not): S3 `PUT /bucket`, GCS JSON
/// `POST /storage/v1/b`, Azure `PUT /account/container?restype=container` signed with
/// Azurite's key.
pub fn create_bucket(emulator: &Emulator, bucket: &str) {
    let base = emulator.base();
    let result = match emulator.name {
        "moto" => agent().put(&format!("{base}/{bucket}")).send_empty(),
        "fake-gcs-server" => agent()
            .post(&format!("{base}/storage/v1/b?project=test"))
            .header("Content-Type", "application/json")
            .send(serde_json::json!({ "name": bucket }).to_string()),
        "azurite" => {
            let date = chrono::Utc::now()
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string();
            let version = "2021-08-06";
            // Shared Key: the verb, eleven empty standard headers, the x-ms- headers, and the
            // resource (Azurite's path names the account again).
            let to_sign = format!(
                "PUT\n{}x-ms-date:{date}\nx-ms-version:{version}\n/{AZURITE_ACCOUNT}/{AZURITE_ACCOUNT}/{bucket}\nrestype:container",
                "\n".repeat(11)
            );
            agent()
                .put(&format!(
                    "{base}/{AZURITE_ACCOUNT}/{bucket}?restype=container"
                ))
                .header("x-ms-date", &date)
                .header("x-ms-version", version)
                .header(
                    "Authorization",
                    &format!(
                        "SharedKey {AZURITE_ACCOUNT}:{}",
                        shared_key_signature(&to_sign)
                    ),
                )
                .send_empty()
        }
        other => panic!("no bucket creation for {other}"),
    };
    result.unwrap_or_else(|e| panic!("{}: cannot create bucket {bucket}: {e}", emulator.name));
}

fn shared_key_signature(to_sign: &str) -> String {
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD
        .decode(AZURITE_KEY)
        .unwrap();
    let mac = hmac_sha256(&key, to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac)
}

/// HMAC-SHA256 (RFC 2104) over the sha2 crate, which the workspace already has.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner_hash = Sha256::new()
        .chain_update(&inner)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer)
        .chain_update(inner_hash)
        .finalize()
        .into()
}

/// Uploads to fake-gcs-server through the JSON API's media upload: it does not take the XML
/// API's `PUT /bucket/key` that object_store uses.
pub fn upload_gcs(emulator: &Emulator, bucket: &str, files: &[(String, PathBuf)]) {
    let agent = agent();
    for (key, path) in files {
        let url = format!(
            "{}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={}",
            emulator.base(),
            url_encode(key)
        );
        agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(std::fs::read(path).unwrap())
            .unwrap_or_else(|e| panic!("cannot upload {key} to fake-gcs-server: {e}"));
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Uploads `files` (key, local path) with a few requests in flight.
pub fn upload(store: &Arc<dyn ObjectStore>, files: &[(String, PathBuf)]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for chunk in files.chunks(16) {
            let mut puts = tokio::task::JoinSet::new();
            for (key, path) in chunk {
                let store = store.clone();
                let key = object_store::path::Path::parse(key).unwrap();
                let bytes = std::fs::read(path).unwrap();
                puts.spawn(async move {
                    store
                        .put(&key, bytes.into())
                        .await
                        .unwrap_or_else(|e| panic!("cannot upload {key}: {e}"))
                });
            }
            while let Some(done) = puts.join_next().await {
                done.unwrap();
            }
        }
    });
}
