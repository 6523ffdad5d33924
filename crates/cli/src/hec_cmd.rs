//! `--hec-*`: a hunt's incidents to a Splunk HTTP Event Collector, beside the normal output.
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

/// `None` without `--hec-url`. Reads the token, checks the URL and the CA file, and warns on
/// stderr about plain http:// and about a token file others can read.
pub fn prepare(args: &HecArgs) -> anyhow::Result<Option<Hec>> {
    let Some(url) = &args.hec_url else {
        let stray = [
            ("--hec-token-file", args.hec_token_file.is_some()),
            ("--hec-index", args.hec_index.is_some()),
            ("--hec-ca", args.hec_ca.is_some()),
        ];
        if let Some((flag, _)) = stray.iter().find(|(_, given)| *given) {
            bail!("{flag} only applies with --hec-url (the HEC to send incidents to)");
        }
        return Ok(None);
    };
    let token = token(args)?;
    if url.trim().to_ascii_lowercase().starts_with("http://") {
        eprintln!(
            "revertwatch: warning: --hec-url is plain http://: the token and the incidents cross \
             the network unencrypted; use https:// unless the collector is on this machine"
        );
    }
    let cfg = HecConfig {
        index: args.hec_index.clone(),
        batch: args.hec_batch,
        ca_file: args.hec_ca.clone(),
        ..HecConfig::new(url.trim(), token)
    };
    Ok(Some(Hec {
        sink: HecSink::new(cfg)?,
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
        let report = self.sink.send(&outgoing)?;
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

/// The token: the first line of `--hec-token-file`, else `$REVERTWATCH_HEC_TOKEN`.
fn token(args: &HecArgs) -> anyhow::Result<String> {
    if let Some(path) = &args.hec_token_file {
        return token_from_file(path);
    }
    match std::env::var(TOKEN_ENV) {
        Ok(value) if !value.trim().is_empty() => Ok(value.trim().to_string()),
        Ok(_) => bail!(
            "${TOKEN_ENV} is set but empty; put the HEC token in it, or pass --hec-token-file FILE"
        ),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("${TOKEN_ENV} is not valid UTF-8; a HEC token is one line of ASCII")
        }
        Err(std::env::VarError::NotPresent) => bail!(
            "--hec-url needs a HEC token: pass --hec-token-file FILE (the token on its first line) \
             or set ${TOKEN_ENV}; there is no token flag, so that it stays out of shell history \
             and process listings"
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
