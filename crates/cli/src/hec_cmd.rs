//! `--hec-*`: a hunt's incidents to a Splunk HTTP Event Collector, beside the normal output;
//! and the same flags' checks for `serve --alerts-hec-*`.
//!
//! The HEC is set up before the hunt reads anything ([`prepare`]), so a missing token or a bad
//! CA file fails in a moment rather than after hours of archives; [`Hec::send`] then sends what
//! `--format jsonl` would print.

use std::path::Path;

use anyhow::{bail, Context};
use revertwatch_detect::{Incident, Severity};
use revertwatch_sink::{HecConfig, HecSink, SendReport};

use crate::args::HecArgs;

/// Where the token comes from when there is no `--hec-token-file`. There is no token flag: a
/// flag's value shows in shell history and in every process listing.
pub const TOKEN_ENV: &str = "REVERTWATCH_HEC_TOKEN";

/// A HEC ready to take incidents.
pub struct Hec {
    sink: HecSink,
}

/// The flags that name one HEC destination, for messages: `hunt`'s `--hec-*` and `serve`'s
/// `--alerts-hec-*` take the same values and fail the same ways.
pub struct HecFlags {
    pub url: &'static str,
    pub token_file: &'static str,
    pub index: &'static str,
    pub ca: &'static str,
    /// What goes there: `incidents` or `alerts`.
    pub sends: &'static str,
}

/// `hunt`'s names.
pub const HUNT_FLAGS: HecFlags = HecFlags {
    url: "--hec-url",
    token_file: "--hec-token-file",
    index: "--hec-index",
    ca: "--hec-ca",
    sends: "incidents",
};

/// One HEC destination as given on the command line.
pub struct HecTarget<'a> {
    pub flags: &'a HecFlags,
    pub url: Option<&'a str>,
    pub token_file: Option<&'a Path>,
    pub index: Option<&'a str>,
    pub ca: Option<&'a Path>,
    pub batch: usize,
}

/// `None` without `--hec-url`. Reads the token, checks the URL and the CA file, and warns on
/// stderr about plain http:// and about a token file others can read.
pub fn prepare(args: &HecArgs) -> anyhow::Result<Option<Hec>> {
    let target = HecTarget {
        flags: &HUNT_FLAGS,
        url: args.hec_url.as_deref(),
        token_file: args.hec_token_file.as_deref(),
        index: args.hec_index.as_deref(),
        ca: args.hec_ca.as_deref(),
        batch: args.hec_batch,
    };
    let Some(cfg) = config(&target)? else {
        return Ok(None);
    };
    Ok(Some(Hec {
        sink: HecSink::new(cfg)?,
    }))
}

/// The HEC configuration `target` gives, `None` without a URL (and then no other flag of it
/// may be given). The token comes from the token file, else `$REVERTWATCH_HEC_TOKEN`.
pub fn config(target: &HecTarget<'_>) -> anyhow::Result<Option<HecConfig>> {
    let flags = target.flags;
    let Some(url) = target.url else {
        let stray = [
            (flags.token_file, target.token_file.is_some()),
            (flags.index, target.index.is_some()),
            (flags.ca, target.ca.is_some()),
        ];
        if let Some((flag, _)) = stray.iter().find(|(_, given)| *given) {
            bail!(
                "{flag} only applies with {} (the HEC to send {} to)",
                flags.url,
                flags.sends
            );
        }
        return Ok(None);
    };
    let token = token(flags, target.token_file)?;
    if url.trim().to_ascii_lowercase().starts_with("http://") {
        eprintln!(
            "revertwatch: warning: {} is plain http://: the token and the {} cross \
             the network unencrypted; use https:// unless the collector is on this machine",
            flags.url, flags.sends
        );
    }
    Ok(Some(HecConfig {
        index: target.index.map(str::to_string),
        batch: target.batch,
        ca_file: target.ca.map(Path::to_path_buf),
        ..HecConfig::new(url.trim(), token)
    }))
}

impl Hec {
    /// Sends the incidents `--format jsonl` prints: each with a score, suppressed ones too
    /// (with `suppressed_by`, so Splunk can filter), and failed-only ones with `--show-failed`.
    /// Returns the line for stderr.
    pub fn send(&self, incidents: &[Incident], show_failed: bool) -> anyhow::Result<String> {
        let outgoing: Vec<Incident> = incidents
            .iter()
            .filter(|i| show_failed || i.severity > Severity::None)
            .cloned()
            .collect();
        let report = self.sink.send_incidents(&outgoing)?;
        Ok(summary(&report))
    }
}

fn summary(report: &SendReport) -> String {
    if report.sent == 0 {
        return "HEC: no incidents to send".to_string();
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "sent {} to HEC in {} ({})",
        plural(report.sent, "incident", "incidents"),
        plural(report.batches, "batch", "batches"),
        plural(report.retries as usize, "retry", "retries"),
    )
}

/// The token: the first line of the token file, else `$REVERTWATCH_HEC_TOKEN`.
fn token(flags: &HecFlags, file: Option<&Path>) -> anyhow::Result<String> {
    if let Some(path) = file {
        return token_from_file(path);
    }
    match std::env::var(TOKEN_ENV) {
        Ok(value) if !value.trim().is_empty() => Ok(value.trim().to_string()),
        Ok(_) => bail!(
            "${TOKEN_ENV} is set but empty; put the HEC token in it, or pass {} FILE",
            flags.token_file
        ),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("${TOKEN_ENV} is not valid UTF-8; a HEC token is one line of ASCII")
        }
        Err(std::env::VarError::NotPresent) => bail!(
            "{} needs a HEC token: pass {} FILE (the token on its first line) \
             or set ${TOKEN_ENV}; there is no token flag, so that it stays out of shell history \
             and process listings",
            flags.url,
            flags.token_file
        ),
    }
}

fn token_from_file(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the HEC token file `{}`", path.display()))?;
    let first = text.lines().next().unwrap_or("").trim();
    if first.is_empty() {
        bail!(
            "the HEC token file `{}` has no token on its first line",
            path.display()
        );
    }
    warn_if_readable_by_others(path);
    Ok(first.to_string())
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            eprintln!(
                "revertwatch: warning: the HEC token file `{}` can be read by others (mode {mode:03o}); \
                 `chmod 600` it",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}
