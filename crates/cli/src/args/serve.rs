//! The flags of `revertwatch serve`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{parse_duration, PackArgs, TuningArgs};

const SERVE_EXAMPLES: &str = "\
Examples:
  # A HEC-compatible receiver on :8088; point a forwarder's HEC output at it
  revertwatch serve --state-dir /var/lib/revertwatch --hec-token-file /etc/revertwatch/hec-tokens \\
      --alerts-jsonl /var/log/revertwatch/alerts.jsonl

  # Send a CloudTrail file to it (any container hunt reads, gzip too)
  curl -H \"Authorization: Splunk $TOKEN\" --data-binary @trail.json \\
      http://127.0.0.1:8088/services/collector/raw

  # Read a JetStream stream with a durable consumer; alerts to a NATS subject as well
  revertwatch serve --state-dir ./state --nats nats://127.0.0.1:4222 --stream CLOUDLOGS \\
      --alerts-subject revertwatch.alerts

  # Alerts to Splunk through its HEC (token in a file, or $REVERTWATCH_HEC_TOKEN)
  revertwatch serve --state-dir ./state --hec-token-file /etc/revertwatch/hec-tokens \\
      --alerts-hec-url https://splunk.example.com:8088 --alerts-hec-token-file /etc/revertwatch/splunk-token

  # Scale out: every instance reads its share of 8 account partitions (see docs/SERVE.md)
  revertwatch serve --state-dir ./state --nats nats://n1:4222 --stream CLOUDLOGS \\
      --partitions 8 --partition-subject 'revertwatch.p.{}.>'

  # What it holds now, as `hunt --format jsonl` prints it
  curl -H \"Authorization: Splunk $TOKEN\" http://127.0.0.1:8088/incidents

An incident alerts once when it opens and once when it escalates. Input is acknowledged (HTTP
200, JetStream ack) only after its effect on incident state is on disk. SIGTERM drains and exits.";

#[derive(Debug, Args)]
#[command(after_help = SERVE_EXAMPLES)]
pub struct ServeArgs {
    /// Directory for incident state (created). A restart with the same directory loses nothing.
    #[arg(long, value_name = "DIR")]
    pub state_dir: PathBuf,

    /// Where a batch that panics the engine is written, one JSON Lines file per batch with the
    /// panic and the time received, before it is acknowledged (default: <state-dir>/dead-letter).
    #[arg(long, value_name = "DIR")]
    pub dead_letter: Option<PathBuf>,

    /// Address for the HEC receiver and /metrics, /healthz, /readyz, /incidents.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8088")]
    pub listen: SocketAddr,

    /// File of HEC tokens, one per line (`#` comments). The same tokens guard /incidents.
    /// Without it the HEC input is off and only /metrics, /healthz and /readyz answer.
    #[arg(long, value_name = "FILE")]
    pub hec_token_file: Option<PathBuf>,

    /// Largest HEC request body, as sent; larger ones get 413. A gzip body may inflate to 8x.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Most HTTP connections open at once. Past it, the oldest connection without a request in
    /// progress is closed to make room, so idle sockets cannot keep clients out. Lowered, with a
    /// warning, to what the open-file limit (ulimit -n) leaves room for.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,

    /// How long a client may take to send a request's headers, and stay idle between requests
    /// on a kept-alive connection, before the connection is closed.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,

    /// How long a request's body may take to arrive, whole (408 past it).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub body_timeout: Duration,

    /// On SIGTERM, how long requests in progress may take to finish; connections still open
    /// then are closed, and serve commits what it took and exits.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub shutdown_grace: Duration,

    /// Serve HTTPS: the certificate chain (PEM) of the listener. Needs --tls-key.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Bytes of HEC bodies, as sent and as inflated, held at once over all requests until their
    /// batch commits. A request that finds no room within a second is answered 503 with
    /// Retry-After (its forwarder retries; nothing is lost). One request inflates to at most
    /// this too.
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024 * 1024)]
    pub max_inflight_bytes: usize,

    /// File holding a token (one line) that /metrics then asks for, as
    /// `Authorization: Bearer <token>`. Without it /metrics is open: its counts tell a reader
    /// whether an attack was detected (see docs/SERVE.md).
    #[arg(long, value_name = "FILE")]
    pub metrics_token_file: Option<PathBuf>,

    /// HEC batches that may wait for the engine before HEC answers 503 (back-pressure).
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub queue: usize,

    /// NATS server URL, for the JetStream input and the alert subject.
    #[arg(long, value_name = "URL")]
    pub nats: Option<String>,

    /// JetStream stream to consume (with --nats).
    #[arg(long, value_name = "NAME")]
    pub stream: Option<String>,

    /// Durable consumer name (scaled out: the prefix of one consumer per partition).
    #[arg(long, value_name = "NAME", default_value = "revertwatch")]
    pub consumer: String,

    /// Only messages on this subject (single instance).
    #[arg(long, value_name = "SUBJECT")]
    pub filter_subject: Option<String>,

    /// Messages per fetch, committed as one batch.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub batch: usize,

    /// How long JetStream waits for an ack before it redelivers.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub ack_wait: Duration,

    /// Scale out: the stream's subjects carry a partition number (NATS subject mapping with
    /// `{{partition(N,...)}}` over the account); read this instance's share of them.
    #[arg(long, value_name = "N")]
    pub partitions: Option<u32>,

    /// Subject filter of one partition, `{}` standing for its number.
    #[arg(long, value_name = "SUBJECT", default_value = "revertwatch.p.{}.>")]
    pub partition_subject: String,

    /// This instance's name among the others (default: host name and process id).
    #[arg(long, value_name = "NAME")]
    pub instance: Option<String>,

    /// How long a partition stays with an instance that stopped answering.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub lease: Duration,

    /// Replicas of the partition-lease bucket: 3 in a 3-node cluster, so leases survive a
    /// server's loss.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub lease_replicas: usize,

    /// Append alerts (one JSON object per line) to this file.
    #[arg(long, value_name = "FILE")]
    pub alerts_jsonl: Option<PathBuf>,

    /// Publish alerts on this NATS subject, with Nats-Msg-Id set to the alert id.
    #[arg(long, value_name = "SUBJECT")]
    pub alerts_subject: Option<String>,

    /// POST alerts as JSON to this URL, with an Idempotency-Key header.
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,

    /// Extra CA certificate (PEM) to trust for the webhook's TLS, e.g. a private CA.
    #[arg(long, value_name = "FILE", requires = "webhook")]
    pub webhook_ca: Option<PathBuf>,

    /// Send alerts to this Splunk HEC (e.g. https://splunk.example.com:8088), sourcetype
    /// revertwatch:alert, through hunt's HEC client. The token comes from
    /// --alerts-hec-token-file or $REVERTWATCH_HEC_TOKEN, never from a flag.
    #[arg(long, value_name = "URL")]
    pub alerts_hec_url: Option<String>,

    /// File holding the token of the alerts HEC (one line).
    #[arg(long, value_name = "FILE")]
    pub alerts_hec_token_file: Option<PathBuf>,

    /// HEC index for alerts (default: the token's default index).
    #[arg(long, value_name = "INDEX")]
    pub alerts_hec_index: Option<String>,

    /// Extra CA certificate (PEM) to trust for the alerts HEC's TLS, e.g. a private CA.
    #[arg(long, value_name = "FILE")]
    pub alerts_hec_ca: Option<PathBuf>,

    /// Alerts per HEC request.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub alerts_hec_batch: usize,

    #[command(flatten)]
    pub pack: PackArgs,

    #[command(flatten)]
    pub tuning: TuningArgs,

    /// How far apart the calls of one revert may be, as in `hunt`.
    #[arg(long, value_name = "DURATION", default_value = "6h", value_parser = parse_duration)]
    pub window: Duration,

    /// How late a record may arrive and still join its incident. State holds calls for one
    /// window per lineage hop the pack chains, plus one (three with the default pack), plus
    /// this, behind the newest call of each account (CloudTrail delivers within about 15
    /// minutes).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub allowed_lateness: Duration,

    /// How long an incident stays listed at /incidents after its calls age out of state.
    #[arg(long, value_name = "DURATION", default_value = "7d", value_parser = parse_duration)]
    pub keep_closed: Duration,

    /// How long the calls that say where a resource came from (a snapshot taken, a volume
    /// restored from it) are kept after they were made, so that a restore weeks before the
    /// swap that uses it still joins the machine's incident.
    #[arg(long, value_name = "DURATION", default_value = "400d", value_parser = parse_duration)]
    pub provenance_horizon: Duration,

    /// Most calls held in incident state; past it the oldest are evicted with a counted warning.
    #[arg(long, value_name = "N", default_value_t = 2_000_000)]
    pub max_state_calls: usize,

    /// Quarantine records whose event time is older than this when received: they are
    /// reported and counted (revertwatch_quarantined_events_total), never detected, and never
    /// move an account's clock. Replaying an archive older than this? Raise it.
    #[arg(long, value_name = "DURATION", default_value = "400d", value_parser = parse_duration)]
    pub max_event_age: Duration,

    /// Quarantine records whose event time is this far ahead of the time received (one record
    /// dated 2099 would otherwise close every open incident of its account).
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
    pub max_clock_skew: Duration,

    /// Skip (and count) records larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_record_bytes: usize,

    /// Skip (and report) records nested deeper than this (real audit records nest about ten
    /// levels; the decoder counts depth, never recurses).
    #[arg(long, value_name = "LEVELS", default_value_t = 128)]
    pub max_depth: u32,

    /// Only errors on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}
