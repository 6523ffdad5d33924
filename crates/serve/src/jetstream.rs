//! The JetStream input: a durable pull consumer with explicit acks, sent only after the
//! batch's effect on incident state is committed. A redelivered message finds its event
//! already held and changes nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream::consumer::pull::{Config as PullConfig, OrderedConfig};
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer};
use async_nats::jetstream::{self, AckKind};
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot, watch};

use crate::engine::{Mode, Piece};
use crate::error::ServeError;
use crate::metrics::{Metrics, Source};
use crate::worker::Work;

/// How long a replay waits for the next message before it takes the partition as read.
const REPLAY_IDLE: Duration = Duration::from_secs(5);

/// Where to read.
#[derive(Debug, Clone)]
pub struct JetStreamInput {
    /// The stream's name; it must exist (it is checked at start, not created).
    pub stream: String,
    /// The durable consumer's name, created if missing; it remembers what was acknowledged across restarts. Scaled out, partition consumers and the lease bucket are named after it.
    pub durable: String,
    /// Only this subject (a stream may carry more than logs).
    pub filter: Option<String>,
    /// Most messages fetched, committed and acknowledged together.
    pub batch: usize,
    /// How long the server waits for an ack before it redelivers.
    pub ack_wait: Duration,
}

/// One consumer's loop: fetch, commit, ack, until `stop` turns true.
pub struct Consumer {
    pub js: jetstream::Context,
    pub client: async_nats::Client,
    pub input: JetStreamInput,
    pub durable: String,
    pub filter: Option<String>,
    /// Partition family of what this consumer reads (empty: the whole stream).
    pub scope: String,
    pub tx: mpsc::Sender<Work>,
    pub metrics: Arc<Metrics>,
}

impl Consumer {
    async fn open(&self) -> Result<PullConsumer, ServeError> {
        let stream = self
            .js
            .get_stream(&self.input.stream)
            .await
            .map_err(|e| ServeError::nats(&format!("stream `{}`", self.input.stream), e))?;
        stream
            .get_or_create_consumer(
                &self.durable,
                PullConfig {
                    durable_name: Some(self.durable.clone()),
                    filter_subject: self.filter.clone().unwrap_or_default(),
                    ack_policy: AckPolicy::Explicit,
                    ack_wait: self.input.ack_wait,
                    deliver_policy: DeliverPolicy::All,
                    ..PullConfig::default()
                },
            )
            .await
            .map_err(|e| ServeError::nats(&format!("consumer `{}`", self.durable), e))
    }

    /// Rebuilds this partition's state from the stream before reading it live: the messages
    /// the previous owner acknowledged were alerted there ([`Mode::Replay`]); those it was
    /// given but had not all acknowledged are read as live, and their redelivery is a no-op.
    pub async fn rebuild(&self) -> Result<(), ServeError> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Work::Clear {
                scope: self.scope.clone(),
                reply: tx,
            })
            .await
            .map_err(|_| ServeError::EngineGone)?;
        rx.await.map_err(|_| ServeError::EngineGone)??;
        let mut consumer = self.open().await?;
        let info = consumer
            .info()
            .await
            .map_err(|e| ServeError::nats("consumer info", e))?;
        let floor = info.ack_floor.stream_sequence;
        let delivered = info.delivered.stream_sequence;
        if delivered == 0 {
            return Ok(());
        }
        let stream = self
            .js
            .get_stream(&self.input.stream)
            .await
            .map_err(|e| ServeError::nats("stream", e))?;
        let ordered = stream
            .create_consumer(OrderedConfig {
                filter_subject: self.filter.clone().unwrap_or_default(),
                deliver_policy: DeliverPolicy::All,
                ..OrderedConfig::default()
            })
            .await
            .map_err(|e| ServeError::nats("replay consumer", e))?;
        let mut messages = ordered
            .messages()
            .await
            .map_err(|e| ServeError::nats("replay", e))?;
        let mut batch = Vec::new();
        let mut mode = Mode::Replay;
        // The replay ends at the last message given out before, or when the partition has
        // no more (a filtered consumer's delivered sequence may point past its last message).
        while let Ok(Some(msg)) = tokio::time::timeout(REPLAY_IDLE, messages.next()).await {
            let msg = msg.map_err(|e| ServeError::nats("replay", e))?;
            let (seq, pending) = msg
                .info()
                .map(|i| (i.stream_sequence, i.pending))
                .unwrap_or((0, 0));
            let this_mode = if seq <= floor {
                Mode::Replay
            } else {
                Mode::Live
            };
            if this_mode != mode || batch.len() >= self.input.batch {
                self.commit(std::mem::take(&mut batch), mode).await?;
            }
            mode = this_mode;
            batch.push(self.piece(&msg.subject, seq, msg.payload.clone()));
            if seq >= delivered || pending == 0 {
                break;
            }
        }
        self.commit(batch, mode).await?;
        Ok(())
    }

    /// Reads live until `stop`, then returns with every committed message acknowledged.
    pub async fn run(&self, mut stop: watch::Receiver<bool>) -> Result<(), ServeError> {
        let mut consumer = self.open().await?;
        let mut lag_at = Instant::now() - Duration::from_secs(60);
        while !*stop.borrow() {
            if lag_at.elapsed() > Duration::from_secs(2) {
                if let Ok(info) = consumer.info().await {
                    self.metrics
                        .lag
                        .lock()
                        .expect("metrics lock")
                        .insert(self.durable.clone(), info.num_pending);
                }
                lag_at = Instant::now();
            }
            let fetched = consumer
                .fetch()
                .max_messages(self.input.batch)
                .expires(Duration::from_millis(500))
                .messages()
                .await;
            let mut fetched = match fetched {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("revertwatch: warning: JetStream fetch: {e}; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.changed() => {}
                    }
                    continue;
                }
            };
            let mut msgs = Vec::new();
            while let Some(m) = fetched.next().await {
                match m {
                    Ok(m) => msgs.push(m),
                    Err(e) => {
                        eprintln!("revertwatch: warning: JetStream message: {e}");
                        break;
                    }
                }
            }
            if msgs.is_empty() {
                continue;
            }
            let pieces = msgs
                .iter()
                .map(|m| {
                    let seq = m.info().map(|i| i.stream_sequence).unwrap_or(0);
                    self.piece(&m.subject, seq, m.payload.clone())
                })
                .collect();
            match self.commit(pieces, Mode::Live).await {
                Ok(()) => {
                    for m in &msgs {
                        if let Err(e) = m.ack().await {
                            eprintln!("revertwatch: warning: ack: {e}");
                        }
                    }
                }
                Err(e) => {
                    eprintln!("revertwatch: error: {e}; the batch will be redelivered");
                    for m in &msgs {
                        let _ = m.ack_with(AckKind::Nak(Some(Duration::from_secs(1)))).await;
                    }
                }
            }
            let _ = self.client.flush().await;
        }
        let _ = self.client.flush().await;
        Ok(())
    }

    fn piece(&self, subject: &str, seq: u64, bytes: bytes::Bytes) -> Piece {
        Piece {
            origin: format!("nats:{}:{seq}:{subject}", self.input.stream),
            bytes,
            scope: self.scope.clone(),
            source: Source::Nats,
        }
    }

    async fn commit(&self, pieces: Vec<Piece>, mode: Mode) -> Result<(), ServeError> {
        if pieces.is_empty() {
            return Ok(());
        }
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Work::Batch {
                pieces,
                mode,
                reply: tx,
            })
            .await
            .map_err(|_| ServeError::EngineGone)?;
        rx.await.map_err(|_| ServeError::EngineGone)?.map(|_| ())
    }
}
