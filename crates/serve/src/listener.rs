//! The HTTP listener: hyper's HTTP/1 server under limits a hostile client cannot wear down.
//!
//! - At most `max_connections` connections. When a new one would pass the cap, the oldest
//!   connection without a request in progress (idle between requests, or still sending its
//!   headers) is closed to make room; only when every connection has a request in progress is
//!   the new one closed at once. Idle sockets therefore never keep a client with a request out.
//! - A connection must send a request's headers within `header_timeout`, counted from the
//!   moment the server waits for them: on a new connection and between keep-alive requests
//!   alike, so it is both the slowloris and the idle timeout (hyper's `header_read_timeout`).
//! - On stop, no connection is accepted, those without a request in progress close, requests
//!   in progress have `shutdown_grace` to finish, and whatever is left then is dropped.
//!
//! The request body's own deadline is the handler's (`hec.rs`), which knows what it reads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;

use crate::metrics::Metrics;
use crate::tls::Tls;

/// What the listener lets a connection hold, and how long shutdown waits.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Connections open at once; past it an idle one is closed for the newcomer.
    pub max_connections: usize,
    /// How long a connection may take to send a request's headers, and stay idle between
    /// requests.
    pub header_timeout: Duration,
    /// How long a request's body may take to arrive, whole.
    pub body_timeout: Duration,
    /// How long requests in progress may take to finish after SIGTERM.
    pub shutdown_grace: Duration,
}

impl Default for HttpLimits {
    fn default() -> HttpLimits {
        HttpLimits {
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// One open connection, as the cap sees it.
struct Open {
    /// Requests in progress on it.
    busy: Arc<AtomicUsize>,
    /// Told when the connection must make room for a newer one.
    close: Arc<Notify>,
}

/// The connections open now, oldest (lowest id) first.
#[derive(Default)]
struct Connections {
    open: Mutex<BTreeMap<u64, Open>>,
}

impl Connections {
    /// Makes room for one more under `cap`: `false` when every connection is busy.
    fn admit(&self, cap: usize, metrics: &Metrics) -> bool {
        let mut open = self.open.lock().expect("connections lock");
        if open.len() < cap {
            return true;
        }
        let idle = open
            .iter()
            .find(|(_, c)| c.busy.load(Relaxed) == 0)
            .map(|(id, _)| *id);
        let Some(id) = idle else {
            metrics.connections_refused.fetch_add(1, Relaxed);
            return false;
        };
        let evicted = open.remove(&id).expect("present");
        evicted.close.notify_one();
        metrics.connections_evicted.fetch_add(1, Relaxed);
        true
    }

    fn insert(&self, id: u64, conn: Open) {
        self.open.lock().expect("connections lock").insert(id, conn);
    }

    fn remove(&self, id: u64) {
        self.open.lock().expect("connections lock").remove(&id);
    }

    fn len(&self) -> usize {
        self.open.lock().expect("connections lock").len()
    }
}

/// Serves `router` on `listener` until `stop`, then shuts down within the grace period.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: HttpLimits,
    tls: Option<Tls>,
    mut stop: watch::Receiver<bool>,
    metrics: Arc<Metrics>,
) {
    let conns = Arc::new(Connections::default());
    let mut tasks = JoinSet::new();
    let mut next_id = 0u64;
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            Some(_) = tasks.join_next() => continue,
            _ = stop.wait_for(|s| *s) => break,
        };
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            Err(e) => {
                // Out of file descriptors, most likely: wait for some to close.
                eprintln!("revertwatch: warning: cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if !conns.admit(limits.max_connections, &metrics) {
            drop(tcp);
            continue;
        }
        next_id += 1;
        let open = Open {
            busy: Arc::new(AtomicUsize::new(0)),
            close: Arc::new(Notify::new()),
        };
        let conn = Connection {
            id: next_id,
            busy: open.busy.clone(),
            close: open.close.clone(),
            conns: conns.clone(),
            metrics: metrics.clone(),
        };
        conns.insert(next_id, open);
        metrics.connections_open.store(conns.len() as u64, Relaxed);
        let (router, tls, stop, limits) =
            (router.clone(), tls.clone(), stop.clone(), limits.clone());
        tasks.spawn(conn.run(tcp, router, tls, stop, limits));
    }
    drop(listener);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        eprintln!(
            "revertwatch: warning: {} connections still open after --shutdown-grace {}; closing them",
            tasks.len(),
            humantime::format_duration(limits.shutdown_grace)
        );
        tasks.shutdown().await;
    }
}

/// One accepted connection's task.
struct Connection {
    id: u64,
    busy: Arc<AtomicUsize>,
    close: Arc<Notify>,
    conns: Arc<Connections>,
    metrics: Arc<Metrics>,
}

impl Connection {
    async fn run(
        self,
        tcp: TcpStream,
        router: Router,
        tls: Option<Tls>,
        stop: watch::Receiver<bool>,
        limits: HttpLimits,
    ) {
        match tls {
            None => self.http(tcp, router, stop, &limits).await,
            Some(tls) => {
                // The handshake gets the headers' deadline, and yields to a newer connection.
                let handshake = tokio::time::timeout(limits.header_timeout, tls.accept(tcp));
                let stream = tokio::select! {
                    s = handshake => s.ok().and_then(Result::ok),
                    _ = self.close.notified() => None,
                };
                if let Some(stream) = stream {
                    self.http(stream, router, stop, &limits).await;
                }
            }
        }
    }

    async fn http<I>(
        &self,
        io: I,
        router: Router,
        mut stop: watch::Receiver<bool>,
        limits: &HttpLimits,
    ) where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let tower = TowerToHyperService::new(router);
        let busy = self.busy.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let guard = Busy::enter(busy.clone());
            let call = hyper::service::Service::call(&tower, req);
            async move {
                let response = call.await;
                drop(guard);
                response
            }
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(TokioIo::new(io), service);
        tokio::pin!(conn);
        tokio::select! {
            _ = conn.as_mut() => return,
            // Evicted for a newer connection: it had no request in progress. Dropped, not shut
            // down gracefully: hyper waits for the first request of a new connection.
            _ = self.close.notified() => return,
            _ = stop.wait_for(|s| *s) => {}
        }
        conn.as_mut().graceful_shutdown();
        if self.busy.load(Relaxed) == 0 {
            // Nothing in progress: an answer already given gets a moment to go out.
            let _ = tokio::time::timeout(Duration::from_millis(200), conn).await;
        } else {
            let _ = conn.await;
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.conns.remove(self.id);
        self.metrics
            .connections_open
            .store(self.conns.len() as u64, Relaxed);
    }
}

/// A request in progress on a connection, while it lives.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn enter(busy: Arc<AtomicUsize>) -> Busy {
        busy.fetch_add(1, Relaxed);
        Busy(busy)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

/// The most connections the process's open-file limit leaves room for, keeping `reserve`
/// descriptors for the state store, NATS and the sinks; `None` when the limit is unknown.
pub fn fd_room(reserve: u64) -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    let soft = line.split_whitespace().nth(3)?;
    if soft == "unlimited" {
        return None;
    }
    let soft: u64 = soft.parse().ok()?;
    Some(soft.saturating_sub(reserve).max(1) as usize)
}
