//! The interface between a cloud's record renderer and a shard's output: calls at fixed
//! times, the [`Gen`] trait each cloud implements, and [`Emit`], which takes records now or
//! holds the later phases of an operation until their time comes.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::error::Result;
use crate::rng::Rng;
use crate::sink::Sink;

/// A call at a fixed time: a planted scenario's step or a scheduler's action.
#[derive(Clone, Debug)]
pub(crate) struct Fixed<C> {
    pub t: i64,
    pub call: C,
}

/// A cloud's record renderer.
pub(crate) trait Gen {
    /// The cloud's fixed calls.
    type Call;
    /// Benign fixed-time activity (schedulers, backups) in `[a, b)`.
    fn scheduled(&mut self, a: i64, b: i64, primary: bool) -> Vec<Fixed<Self::Call>>;
    fn begin_chunk(&mut self, rng: &mut Rng, a: i64, b: i64);
    fn noise(&mut self, e: &mut Emit, t: i64) -> Result<()>;
    fn fixed(&mut self, e: &mut Emit, f: &Fixed<Self::Call>) -> Result<()>;
}

struct Deferred {
    t: i64,
    seq: u64,
    stream: u8,
    rec: Vec<u8>,
}

impl PartialEq for Deferred {
    fn eq(&self, o: &Self) -> bool {
        self.t == o.t && self.seq == o.seq
    }
}
impl Eq for Deferred {}
impl PartialOrd for Deferred {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Deferred {
    // reversed: BinaryHeap pops the earliest first
    fn cmp(&self, o: &Self) -> Ordering {
        o.t.cmp(&self.t).then(o.seq.cmp(&self.seq))
    }
}

/// Later phases not yet written, carried from one chunk to the next.
#[derive(Default)]
pub(crate) struct Pending {
    heap: BinaryHeap<Deferred>,
    seq: u64,
}

/// Where a generator puts records: now, or later (the next phase of an operation).
pub(crate) struct Emit<'s> {
    pub rng: Rng,
    sink: &'s mut dyn Sink,
    pending: Pending,
    pub bytes: u64,
}

impl<'s> Emit<'s> {
    pub fn new(rng: Rng, sink: &'s mut dyn Sink, pending: Pending) -> Emit<'s> {
        Emit {
            rng,
            sink,
            pending,
            bytes: 0,
        }
    }

    /// What is still waiting at the end of a chunk.
    pub fn into_pending(self) -> Pending {
        self.pending
    }

    pub fn now(&mut self, stream: u8, rec: &[u8]) -> Result<()> {
        self.bytes += self.sink.record(stream, rec)?;
        Ok(())
    }

    pub fn later(&mut self, stream: u8, t: i64, rec: Vec<u8>) {
        self.pending.seq += 1;
        self.pending.heap.push(Deferred {
            t,
            seq: self.pending.seq,
            stream,
            rec,
        });
    }

    pub fn flush_until(&mut self, t: i64) -> Result<()> {
        while self.pending.heap.peek().is_some_and(|d| d.t <= t) {
            let d = self.pending.heap.pop().expect("peeked");
            self.now(d.stream, &d.rec)?;
        }
        Ok(())
    }

    pub fn flush_all(&mut self) -> Result<()> {
        self.flush_until(i64::MAX)
    }
}
