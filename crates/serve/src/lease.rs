//! Scale-out: which instance reads which partition, decided in a NATS key-value bucket.
//!
//! The stream's subjects carry a partition number that NATS's own subject mapping computes
//! from the account (`{{partition(N,...)}}`), so one account always lands in one partition.
//! Each partition has its own durable consumer. Instances heartbeat `member.<id>` keys and
//! hold `part.<n>` keys as leases in a bucket whose max age is the lease time: a crashed
//! instance's keys age out, and the live ones take its partitions. Partition `n` belongs to
//! the member at index `n mod members` in the sorted member list, so ownership spreads evenly
//! and moves back when an instance returns. A new owner rebuilds the partition's state from
//! the stream before it reads live ([`crate::jetstream::Consumer::rebuild`]).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, kv};
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::error::ServeError;
use crate::jetstream::{Consumer, JetStreamInput};
use crate::metrics::Metrics;
use crate::worker::Work;

/// How the stream is partitioned and who this instance is, for scale-out (see the module docs of `lease`: partition `n` goes to the `n mod members`-th live instance).
#[derive(Debug, Clone)]
pub struct Partitioning {
    /// How many partitions the stream's subject mapping makes (numbered from 0); the same on every instance.
    pub partitions: u32,
    /// The subject filter of partition n, with `{}` where n goes: `revertwatch.p.{}.>`.
    pub subject: String,
    /// This instance's id, unique among the instances reading the stream.
    pub instance: String,
    /// How long a lease outlives its holder's last heartbeat: an instance gone this long loses its partitions. Heartbeats are sent every third of it.
    pub lease: Duration,
    /// Replicas of the lease bucket (the stream's own, in a cluster).
    pub replicas: usize,
}

struct Owned {
    revision: u64,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

pub struct Leases {
    pub js: jetstream::Context,
    pub client: async_nats::Client,
    pub input: JetStreamInput,
    pub plan: Partitioning,
    pub tx: mpsc::Sender<Work>,
    pub metrics: Arc<Metrics>,
}

impl Leases {
    /// The lease bucket. Its stream is created here with the settings a KV bucket has:
    /// `create_key_value` first asks for account info, whose reply from nats-server 2.9 (the
    /// one Debian ships) this client cannot parse.
    async fn bucket(&self) -> Result<kv::Store, ServeError> {
        let name = format!("{}-leases", self.input.durable);
        if let Ok(store) = self.js.get_key_value(&name).await {
            return Ok(store);
        }
        let config = jetstream::stream::Config {
            name: format!("KV_{name}"),
            subjects: vec![format!("$KV.{name}.>")],
            max_messages_per_subject: 1,
            max_age: self.plan.lease,
            allow_rollup: true,
            deny_delete: true,
            allow_direct: true,
            discard: jetstream::stream::DiscardPolicy::New,
            num_replicas: self.plan.replicas.max(1),
            ..jetstream::stream::Config::default()
        };
        self.js
            .get_or_create_stream(config)
            .await
            .map_err(|e| ServeError::nats(&format!("lease bucket `{name}`"), e))?;
        self.js
            .get_key_value(&name)
            .await
            .map_err(|e| ServeError::nats(&format!("lease bucket `{name}`"), e))
    }

    /// Keeps this instance's share of partitions until `stop`, then hands them back.
    pub async fn run(self, mut stop: watch::Receiver<bool>) -> Result<(), ServeError> {
        let me = self.plan.instance.clone();
        let mut owned: BTreeMap<u32, Owned> = BTreeMap::new();
        let tick = self.plan.lease / 3;
        // A cluster that is still electing leaders refuses for a while: keep asking.
        let bucket = loop {
            match self.bucket().await {
                Ok(b) => break b,
                Err(e) => eprintln!("revertwatch: warning: partition leases: {e}; retrying"),
            }
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                return Ok(());
            }
        };
        loop {
            if *stop.borrow() {
                break;
            }
            if let Err(e) = self.round(&bucket, &me, &mut owned).await {
                eprintln!("revertwatch: warning: partition leases: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = stop.changed() => {}
            }
        }
        for (n, o) in std::mem::take(&mut owned) {
            release(&bucket, n, o).await;
        }
        let _ = bucket.delete(format!("member.{me}")).await;
        Ok(())
    }

    /// One heartbeat: say this instance is alive, then hold exactly the partitions that are
    /// its share of the members now alive.
    async fn round(
        &self,
        bucket: &kv::Store,
        me: &str,
        owned: &mut BTreeMap<u32, Owned>,
    ) -> Result<(), ServeError> {
        bucket
            .put(format!("member.{me}"), bytes::Bytes::from_static(b"1"))
            .await
            .map_err(|e| ServeError::nats("heartbeat", e))?;
        let members = members(bucket).await?;
        let Some(index) = members.iter().position(|m| m == me) else {
            return Ok(());
        };
        let share = Share {
            index,
            of: members.len(),
        };
        renew(bucket, me, owned, share).await;
        self.take_free(bucket, me, owned, share).await;
        Ok(())
    }

    /// Takes the partitions of this instance's share that no one holds.
    async fn take_free(
        &self,
        bucket: &kv::Store,
        me: &str,
        owned: &mut BTreeMap<u32, Owned>,
        share: Share,
    ) {
        let free: Vec<u32> = (0..self.plan.partitions)
            .filter(|n| share.has(*n) && !owned.contains_key(n))
            .collect();
        for n in free {
            let Ok(revision) = bucket
                .create(lease_key(n), me.as_bytes().to_vec().into())
                .await
            else {
                continue;
            };
            let (stop, task) = self.read_partition(n);
            eprintln!("revertwatch: reading partition {n}");
            owned.insert(
                n,
                Owned {
                    revision,
                    stop,
                    task,
                },
            );
        }
    }

    /// Starts partition `n`'s reader: state rebuilt from the stream first, then live.
    fn read_partition(&self, n: u32) -> (watch::Sender<bool>, JoinHandle<()>) {
        let (stop, rx) = watch::channel(false);
        let consumer = Consumer {
            js: self.js.clone(),
            client: self.client.clone(),
            input: self.input.clone(),
            durable: format!("{}-p{n}", self.input.durable),
            filter: Some(self.plan.subject.replace("{}", &n.to_string())),
            scope: format!("p{n}"),
            tx: self.tx.clone(),
            metrics: self.metrics.clone(),
        };
        let task = tokio::spawn(async move {
            let result = match consumer.rebuild().await {
                Ok(()) => consumer.run(rx).await,
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                eprintln!("revertwatch: error: partition {n}: {e}");
            }
        });
        (stop, task)
    }
}

/// This instance's place among the live members: partition `n` is its when
/// `n mod of == index`.
#[derive(Debug, Clone, Copy)]
struct Share {
    index: usize,
    of: usize,
}

impl Share {
    fn has(self, n: u32) -> bool {
        n as usize % self.of == self.index
    }
}

/// The live members, sorted, so that every instance computes the same shares.
async fn members(bucket: &kv::Store) -> Result<Vec<String>, ServeError> {
    let mut members = Vec::new();
    let mut keys = bucket
        .keys()
        .await
        .map_err(|e| ServeError::nats("members", e))?;
    while let Some(k) = keys.next().await {
        if let Some(m) = k.ok().as_deref().and_then(|k| k.strip_prefix("member.")) {
            members.push(m.to_string());
        }
    }
    members.sort();
    Ok(members)
}

/// Renews the leases still in this instance's share; hands back the others, and those whose
/// reader has ended. A lease someone else updated is lost: its reader is stopped, not released.
async fn renew(bucket: &kv::Store, me: &str, owned: &mut BTreeMap<u32, Owned>, share: Share) {
    let held: Vec<u32> = owned.keys().copied().collect();
    for n in held {
        let o = owned.get_mut(&n).expect("held");
        if !share.has(n) || o.task.is_finished() {
            let o = owned.remove(&n).expect("held");
            release(bucket, n, o).await;
            continue;
        }
        match bucket
            .update(lease_key(n), me.as_bytes().to_vec().into(), o.revision)
            .await
        {
            Ok(rev) => o.revision = rev,
            Err(e) => {
                eprintln!("revertwatch: warning: lost the lease on partition {n}: {e}");
                let o = owned.remove(&n).expect("held");
                let _ = o.stop.send(true);
                let _ = o.task.await;
            }
        }
    }
}

fn lease_key(n: u32) -> String {
    format!("part.{n}")
}

/// Stops the partition's reader after its batch (acks flushed), then frees the lease.
async fn release(bucket: &kv::Store, n: u32, o: Owned) {
    let _ = o.stop.send(true);
    let _ = o.task.await;
    let _ = bucket.delete(lease_key(n)).await;
    eprintln!("revertwatch: handed back partition {n}");
}
