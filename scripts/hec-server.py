#!/usr/bin/env python3
"""A small Splunk HTTP Event Collector (HEC) for tests: the real protocol on loopback.

    hec-server.py PORT EVENTS_FILE REQUEST_LOG --token TOKEN [--busy N] [--tls CERT KEY]

Binds 127.0.0.1:PORT (0 picks a free port) and prints the port on the first stdout line.

- GET  /services/collector/health -> 200 {"text":"HEC is healthy","code":17}
- POST /services/collector/event  -> HEC's batch format: JSON event objects one after another
  (not an array), optionally gzip (Content-Encoding: gzip). Answers as Splunk does:
  no Authorization 401 code 2, not "Splunk <token>" 401 code 3, wrong token 403 code 4,
  empty body 400 code 5, unreadable body 400 code 6, an object without "event" 400 code 12,
  else 200 {"text":"Success","code":0}. With --busy N the first N event requests that pass
  authentication get 503 {"text":"Server is busy","code":9} with Retry-After: 0 (HEC's
  back-pressure), and store nothing.

Every accepted event is appended to EVENTS_FILE as {"request": N, "envelope": {...}}, where N
counts event requests from 1. Every request is appended to REQUEST_LOG as
{"request": N|null, "method", "path", "auth": bool, "status", "code", "events", "gzip"}, so a
test can count batches and retries. Both are written and flushed before the answer is sent, so
a client that has its answer can read them.

Test tooling only: stdlib, loopback, and it stops by itself after --lifetime seconds.
"""

import argparse
import gzip
import json
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENT_PATH = "/services/collector/event"
HEALTH_PATHS = ("/services/collector/health", "/services/collector/health/1.0")
MAX_BODY = 64 * 1024 * 1024


class Hec:
    """State shared by the handler threads."""

    def __init__(self, token, busy, events_path, log_path):
        self.token = token
        self.busy_left = busy
        self.requests = 0
        self.lock = threading.Lock()
        self.events = open(events_path, "a", encoding="utf-8")
        self.log = open(log_path, "a", encoding="utf-8")

    def next_request(self):
        with self.lock:
            self.requests += 1
            return self.requests

    def take_busy(self):
        with self.lock:
            if self.busy_left > 0:
                self.busy_left -= 1
                return True
            return False

    def store(self, request, envelopes):
        with self.lock:
            for envelope in envelopes:
                self.events.write(json.dumps({"request": request, "envelope": envelope}) + "\n")
            self.events.flush()

    def record(self, entry):
        with self.lock:
            self.log.write(json.dumps(entry) + "\n")
            self.log.flush()


def parse_events(body):
    """The concatenated JSON objects of a HEC batch; ValueError if it is not that."""
    text = body.decode("utf-8")
    decoder = json.JSONDecoder()
    envelopes = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos == len(text):
            break
        obj, pos = decoder.raw_decode(text, pos)
        if not isinstance(obj, dict):
            raise ValueError("not an object")
        envelopes.append(obj)
    return envelopes


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hec-server"
    sys_version = ""

    def log_message(self, format, *args):  # the JSON request log replaces stderr chatter
        pass

    def reply(self, status, code, text, request=None, events=0, gzipped=False, headers=()):
        # Logged before the answer goes out: a client that has its answer can read the log.
        self.server.hec.record(
            {
                "request": request,
                "method": self.command,
                "path": self.path,
                "auth": self.headers.get("Authorization") is not None,
                "status": status,
                "code": code,
                "events": events,
                "gzip": gzipped,
            }
        )
        body = json.dumps({"text": text, "code": code}, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0"))
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length)

    def do_GET(self):
        if self.path.split("?")[0] in HEALTH_PATHS:
            self.reply(200, 17, "HEC is healthy")
        else:
            self.reply(404, 404, "The requested URL was not found on this server.")

    def do_POST(self):
        hec = self.server.hec
        try:
            body = self.read_body()
        except ValueError:
            self.close_connection = True
            self.reply(400, 6, "Invalid data format")
            return
        if self.path.split("?")[0].rstrip("/") != EVENT_PATH:
            self.reply(404, 404, "The requested URL was not found on this server.")
            return
        request = hec.next_request()
        auth = self.headers.get("Authorization")
        if auth is None:
            self.reply(401, 2, "Token is required", request)
            return
        scheme, _, token = auth.partition(" ")
        if scheme != "Splunk" or not token:
            self.reply(401, 3, "Invalid authorization", request)
            return
        if token != hec.token:
            self.reply(403, 4, "Invalid token", request)
            return
        if hec.take_busy():
            self.reply(503, 9, "Server is busy", request, headers=[("Retry-After", "0")])
            return
        gzipped = self.headers.get("Content-Encoding", "").lower() == "gzip"
        try:
            if gzipped:
                body = gzip.decompress(body)
            envelopes = parse_events(body)
        except (OSError, EOFError, UnicodeDecodeError, ValueError):
            self.reply(400, 6, "Invalid data format", request, gzipped=gzipped)
            return
        if not envelopes:
            self.reply(400, 5, "No data", request, gzipped=gzipped)
            return
        if any("event" not in e for e in envelopes):
            self.reply(400, 12, "Event field is required", request, gzipped=gzipped)
            return
        if any(e["event"] in ("", None) for e in envelopes):
            self.reply(400, 13, "Event field cannot be blank", request, gzipped=gzipped)
            return
        hec.store(request, envelopes)
        self.reply(200, 0, "Success", request, events=len(envelopes), gzipped=gzipped)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("port", type=int, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("events", help="file to append accepted events to (JSON Lines)")
    parser.add_argument("request_log", help="file to append one line per request to")
    parser.add_argument("--token", required=True, help="the one token to accept")
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="answer the first N event requests 503 (server busy)")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"),
                        help="serve HTTPS with this certificate chain and key (PEM)")
    parser.add_argument("--lifetime", type=float, default=600, metavar="SECONDS",
                        help="stop by itself after this long (default 600)")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    # A client that gives up on our certificate is expected in tests: no traceback for it.
    server.handle_error = lambda request, address: None
    server.hec = Hec(args.token, args.busy, args.events, args.request_log)
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
        # The handshake happens in the handler's thread, so a client that never completes it
        # cannot stall the accept loop.
        server.socket = context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
    print(server.server_address[1], flush=True)
    timer = threading.Timer(args.lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
