//! Fetching objects: a bounded number in flight, each body streamed to the reader that
//! decompresses it while the rest is still arriving.

use std::io::{self, Read};
use std::sync::Arc;

use bytes::{Buf, Bytes};
use futures_util::StreamExt;
use object_store::path::Path;
use object_store::GetOptions;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use crate::bucket::Bucket;
use crate::error::Fetch;

/// Chunks buffered per object ahead of its reader: enough to keep a connection busy while the
/// reader decompresses, little enough that memory stays bounded by `max_requests` objects.
const AHEAD: usize = 16;

/// One object to fetch.
#[derive(Debug, Clone)]
pub struct Wanted {
    /// The bucket that holds it.
    pub bucket: Arc<Bucket>,
    /// The object's full key, as a listing gave it.
    pub key: String,
}

/// One object being fetched: `index` in the order given, and its body.
pub struct Fetched {
    /// The object's position in the `Vec<Wanted>` given to [`Client::fetch`](crate::Client::fetch); bodies may arrive in another order.
    pub index: usize,
    /// The object's bytes, still compressed if the object is.
    pub body: Body,
}

/// An object's bytes as they arrive. A failed request or transfer (after the retries) is an
/// `io::Error` whose inner error is a [`Fetch`]. Holds one of the in-flight slots until dropped.
pub struct Body {
    chunks: mpsc::Receiver<Result<Bytes, Fetch>>,
    current: Bytes,
    _slot: OwnedSemaphorePermit,
}

impl Read for Body {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while !self.current.has_remaining() {
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.remaining());
        self.current.copy_to_slice(&mut buf[..n]);
        Ok(n)
    }
}

/// Starts fetching `wanted` in order, at most `max_requests` objects at once (an object holds
/// its slot from its request until its reader is dropped), and hands each body over as soon as
/// its request starts. Readers should be consumed in the order they arrive.
pub(crate) fn start(
    runtime: &tokio::runtime::Handle,
    wanted: Vec<Wanted>,
    max_requests: usize,
) -> std::sync::mpsc::Receiver<Fetched> {
    let (ready, arrivals) = std::sync::mpsc::channel();
    let slots = Arc::new(Semaphore::new(max_requests.max(1)));
    runtime.spawn(async move {
        for (index, want) in wanted.into_iter().enumerate() {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                break;
            };
            let (tx, chunks) = mpsc::channel(AHEAD);
            let body = Body {
                chunks,
                current: Bytes::new(),
                _slot: slot,
            };
            if ready.send(Fetched { index, body }).is_err() {
                break; // Nobody reads any more.
            }
            tokio::spawn(transfer(want, tx));
        }
    });
    arrivals
}

async fn transfer(want: Wanted, tx: mpsc::Sender<Result<Bytes, Fetch>>) {
    let location = match Path::parse(&want.key) {
        Ok(p) => p,
        Err(e) => {
            let _ = tx.send(Err(Fetch::Other(format!("not a key: {e}")))).await;
            return;
        }
    };
    let result = match want
        .bucket
        .store
        .get_opts(&location, GetOptions::default())
        .await
    {
        Ok(result) => result,
        Err(e) => {
            let _ = tx.send(Err(Fetch::from_store(&e))).await;
            return;
        }
    };
    let mut stream = result.into_stream();
    while let Some(chunk) = stream.next().await {
        let failed = chunk.is_err();
        if tx
            .send(chunk.map_err(|e| Fetch::from_store(&e)))
            .await
            .is_err()
            || failed
        {
            return; // The reader stopped (dropping the stream cancels the transfer), or the body failed.
        }
    }
}
