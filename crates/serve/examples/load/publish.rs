//! The JetStream sender: publishes the pacer's batches in feed order, awaits the acks apart,
//! and mixes in malformed messages on request.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream;
use bytes::Bytes;

use crate::feed::Feed;
use crate::send::{oversized, Bad, Item, SendTimes};

#[derive(Default)]
pub struct NatsStats {
    pub published: AtomicU64,
    pub bad_published: AtomicU64,
    pub acked: AtomicU64,
    pub retries: AtomicU64,
    pub failed: AtomicU64,
    pub errors: Mutex<Vec<String>>,
}

/// Publishes batches to JetStream, each record on `cloudlogs.<provider>.<account>`, with a
/// message id so that a retried publish is not stored twice.
pub async fn nats_publisher(
    js: jetstream::Context,
    feed: Arc<Feed>,
    subjects: Arc<Vec<String>>,
    sent: Arc<SendTimes>,
    stats: Arc<NatsStats>,
    mut rx: tokio::sync::mpsc::Receiver<Vec<Item>>,
) {
    let in_flight = Arc::new(tokio::sync::Semaphore::new(16));
    let mut seq = 0u64;
    while let Some(items) = rx.recv().await {
        let mut pending = Vec::with_capacity(items.len());
        let now = sent.now_ns();
        for item in items {
            seq += 1;
            if let Item::Record(r) = item {
                sent.mark(r, now);
            }
            pending.push(message(&feed, &subjects, &stats, item, seq));
        }
        // Sent in order here; only the acks are awaited apart, so the stream keeps feed order.
        let mut acks = Vec::with_capacity(pending.len());
        for (subject, payload, id) in &pending {
            acks.push(publish(&js, subject, payload, id).await);
        }
        let permit = in_flight.clone().acquire_owned().await.expect("semaphore");
        let (js, stats) = (js.clone(), stats.clone());
        tokio::spawn(async move {
            confirm(&js, &stats, &pending, acks).await;
            drop(permit);
        });
    }
    let _ = in_flight.acquire_many(16).await;
}

/// A message (subject, payload, message id) for one item.
fn message(
    feed: &Feed,
    subjects: &[String],
    stats: &NatsStats,
    item: Item,
    seq: u64,
) -> (String, Bytes, String) {
    match item {
        Item::Record(r) => {
            let subject = subjects[feed.records[r].partition as usize].clone();
            stats.published.fetch_add(1, Relaxed);
            (
                subject,
                Bytes::copy_from_slice(feed.json(r)),
                format!("r{r}"),
            )
        }
        Item::Bad(b) => {
            stats.bad_published.fetch_add(1, Relaxed);
            let subject = subjects[(seq as usize) % subjects.len()].clone();
            let payload = match b {
                Bad::Truncated(r) => {
                    let json = feed.json(r);
                    Bytes::copy_from_slice(&json[..json.len() / 2])
                }
                Bad::Oversized => Bytes::from(oversized(1 << 40 | seq)),
                Bad::Binary(seed) => Bytes::from(garbage(seed)),
                _ => Bytes::from_static(b"{\"eventVersion\":\"1.08\",\"eventTi"),
            };
            (subject, payload, format!("b{seq}"))
        }
    }
}

type Ack = Result<jetstream::context::PublishAckFuture, String>;

/// Awaits each message's ack, republishing (same message id) up to 10 times.
async fn confirm(
    js: &jetstream::Context,
    stats: &NatsStats,
    pending: &[(String, Bytes, String)],
    acks: Vec<Ack>,
) {
    for ((subject, payload, id), ack) in pending.iter().zip(acks) {
        let mut result = match ack {
            Ok(f) => f.await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let mut tries = 0;
        while let Err(e) = &result {
            tries += 1;
            if tries > 10 {
                stats.failed.fetch_add(1, Relaxed);
                let mut errors = stats.errors.lock().expect("stats lock");
                if errors.len() < 10 {
                    errors.push(format!("{subject}: {e}"));
                }
                break;
            }
            stats.retries.fetch_add(1, Relaxed);
            tokio::time::sleep(Duration::from_millis(100)).await;
            result = match publish(js, subject, payload, id).await {
                Ok(f) => f.await.map(|_| ()).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
        }
        if result.is_ok() {
            stats.acked.fetch_add(1, Relaxed);
        }
    }
}

async fn publish(js: &jetstream::Context, subject: &str, payload: &Bytes, id: &str) -> Ack {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", id);
    js.publish_with_headers(subject.to_string(), headers, payload.clone())
        .await
        .map_err(|e| e.to_string())
}

/// Bytes that are neither UTF-8 nor JSON, from a small deterministic generator.
fn garbage(seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..512)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8 | 0x80
        })
        .collect()
}
