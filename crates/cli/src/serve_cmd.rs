//! `revertwatch serve`: its flags (`args::ServeArgs`) turned into a [`ServeConfig`].

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use revertwatch_decode::Limits;
use revertwatch_serve::{
    EngineConfig, HttpLimits, JetStreamInput, NatsInput, Partitioning, ServeConfig, TlsFiles,
};
use revertwatch_sink::{HecConfig, WebhookConfig};

use crate::args::ServeArgs;
use crate::hec_cmd::{self, HecFlags, HecTarget};
use crate::packs::{choose, Profile};

pub fn run(args: ServeArgs) -> anyhow::Result<i32> {
    let pack = match choose(&args.pack)? {
        Profile::Pack(pack) => pack,
        Profile::SeedSpl => bail!(
            "serve alerts on incidents, and --rules seed-spl makes none (it prints the seed's rows)"
        ),
    };
    let tuning = crate::tuning_cmd::load(&args.tuning)?;
    let hec_tokens = match &args.hec_token_file {
        Some(f) => tokens(f)?,
        None => HashSet::new(),
    };
    check(&args, &hec_tokens)?;
    let alerts_hec = alerts_hec(&args)?;
    let webhook = args.webhook.as_ref().map(|url| WebhookConfig {
        ca_file: args.webhook_ca.clone(),
        ..WebhookConfig::new(url.clone())
    });
    if args.alerts_jsonl.is_none()
        && args.alerts_subject.is_none()
        && alerts_hec.is_none()
        && webhook.is_none()
    {
        eprintln!(
            "revertwatch: warning: no alert sink (--alerts-jsonl, --alerts-subject, \
             --alerts-hec-url, --webhook): alerts stay queued in the state directory until one \
             is given"
        );
    }
    let nats_input = nats_input(&args);
    let metrics_token = match &args.metrics_token_file {
        Some(f) => Some(metrics_token(f)?),
        None => None,
    };
    let cfg = ServeConfig {
        engine: EngineConfig {
            pack,
            tuning,
            window: args.window,
            lateness: args.allowed_lateness,
            keep_closed: args.keep_closed,
            provenance_horizon: args.provenance_horizon,
            max_event_age: args.max_event_age,
            max_clock_skew: args.max_clock_skew,
            max_calls: args.max_state_calls,
            limits: Limits {
                max_record_bytes: args.max_record_bytes,
                max_depth: args.max_depth,
            },
            panic_on_event: None,
        },
        state_dir: args.state_dir,
        dead_letter: args.dead_letter,
        listen: args.listen,
        http: HttpLimits {
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            header_timeout: args.header_timeout,
            body_timeout: args.body_timeout,
            shutdown_grace: args.shutdown_grace,
        },
        tls: match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            _ => None,
        },
        hec_tokens,
        max_body: args.max_body_bytes,
        max_inflight_bytes: args.max_inflight_bytes,
        metrics_token,
        queue: args.queue,
        nats_url: args.nats,
        nats_input,
        alerts_jsonl: args.alerts_jsonl,
        alerts_subject: args.alerts_subject,
        alerts_hec,
        webhook,
        quiet: args.quiet,
        heap_bytes: Some(crate::heap::live_bytes),
    };
    revertwatch_serve::run(cfg)?;
    Ok(0)
}

/// Flags that cannot go together, or values that cannot work, before anything starts.
fn check(args: &ServeArgs, hec_tokens: &HashSet<String>) -> anyhow::Result<()> {
    if hec_tokens.is_empty() && args.nats.is_none() {
        bail!("nothing to read: give --hec-token-file (HEC input) or --nats with --stream (JetStream)");
    }
    if args.stream.is_some() && args.nats.is_none() {
        bail!("--stream needs --nats URL");
    }
    if args.alerts_subject.is_some() && args.nats.is_none() {
        bail!("--alerts-subject needs --nats URL");
    }
    if let Some(name) = &args.instance {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            bail!("--instance takes letters, digits, `-` and `_` (it names a NATS KV key)");
        }
    }
    if args.partitions == Some(0) {
        bail!("--partitions must be at least 1");
    }
    if args.partitions.is_some() && !args.partition_subject.contains("{}") {
        bail!("--partition-subject must contain `{{}}` where the partition number goes");
    }
    Ok(())
}

/// `--alerts-hec-*`, checked as `hunt` checks `--hec-*`. Delivery runs on the engine thread,
/// between batches, so a slow HEC must not hold it long: a shorter timeout and retry budget
/// than hunt's, and a `Retry-After` honoured up to 5 s. What still fails stays in the outbox
/// and is sent again two seconds later.
fn alerts_hec(args: &ServeArgs) -> anyhow::Result<Option<HecConfig>> {
    let target = HecTarget {
        flags: &SERVE_HEC_FLAGS,
        url: args.alerts_hec_url.as_deref(),
        token_file: args.alerts_hec_token_file.as_deref(),
        index: args.alerts_hec_index.as_deref(),
        ca: args.alerts_hec_ca.as_deref(),
        batch: args.alerts_hec_batch,
    };
    Ok(hec_cmd::config(&target)?.map(|cfg| HecConfig {
        timeout: Duration::from_secs(10),
        max_retries: 2,
        backoff_base: Duration::from_millis(250),
        max_retry_after: Duration::from_secs(5),
        ..cfg
    }))
}

const SERVE_HEC_FLAGS: HecFlags = HecFlags {
    url: "--alerts-hec-url",
    token_file: "--alerts-hec-token-file",
    index: "--alerts-hec-index",
    ca: "--alerts-hec-ca",
    sends: "alerts",
};

fn nats_input(args: &ServeArgs) -> Option<NatsInput> {
    let input = args.stream.as_ref().map(|stream| JetStreamInput {
        stream: stream.clone(),
        durable: args.consumer.clone(),
        filter: args.filter_subject.clone(),
        batch: args.batch.max(1),
        ack_wait: args.ack_wait,
    });
    input.map(|input| NatsInput {
        input,
        partitioning: args.partitions.map(|partitions| Partitioning {
            partitions,
            subject: args.partition_subject.clone(),
            instance: args.instance.clone().unwrap_or_else(default_instance),
            lease: args.lease.max(Duration::from_secs(3)),
            replicas: args.lease_replicas,
        }),
    })
}

/// Tokens, one per line; blank lines and `#` comments are ignored.
fn tokens(path: &Path) -> anyhow::Result<HashSet<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read HEC tokens from `{}`", path.display()))?;
    let set: HashSet<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    if set.is_empty() {
        bail!("`{}` holds no HEC token", path.display());
    }
    Ok(set)
}

/// The /metrics token: the file's one line.
fn metrics_token(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the metrics token from `{}`", path.display()))?;
    let token = text.trim();
    if token.is_empty() || token.contains(char::is_whitespace) {
        bail!("`{}` must hold one token, on one line", path.display());
    }
    Ok(token.to_string())
}

fn default_instance() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    let clean: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{clean}-{}", std::process::id())
}
