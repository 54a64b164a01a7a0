#!/usr/bin/env python3
"""A tiny HTTP server for the transport tests: real sockets, scripted misbehaviour.

Binds 127.0.0.1 on a free port, prints the port on the first line of stdout, and exits when
stdin closes, so it never outlives the test process that started it.

  /ok                     200, JSON echo: method, path, body length, X-Kette-Test and Expect headers
  /status/NNN             that status; ?retry_after=N adds Retry-After: N
  /count?path=P           how many requests reached path P (plain number)
  /slow?seconds=N         waits N seconds (default 10) before answering
  /stall                  sends the headers and 10 of 100000 promised bytes, then stalls
  /big?bytes=N            N bytes of body; &length=0 leaves out Content-Length (ends by closing)
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

counts = {}
counts_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def do_PUT(self):
        self.route()

    def do_DELETE(self):
        self.route()

    def route(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path != "/count":
            with counts_lock:
                counts[url.path] = counts.get(url.path, 0) + 1

        if url.path == "/ok":
            reply = json.dumps({
                "method": self.command,
                "path": url.path,
                "bodyLength": len(body),
                # http.server decodes header bytes as Latin-1; give back what the client sent.
                "header": self.headers.get("X-Kette-Test", "").encode("latin-1").decode("utf-8"),
                "expect": self.headers.get("Expect"),
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Multi", "a")
            self.send_header("X-Multi", "b")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        elif url.path.startswith("/status/"):
            status = int(url.path[len("/status/"):])
            reply = ("status %d" % status).encode()
            self.send_response(status)
            if "retry_after" in query:
                self.send_header("Retry-After", query["retry_after"])
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        elif url.path == "/count":
            with counts_lock:
                reply = str(counts.get(query.get("path", ""), 0)).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)
        elif url.path == "/slow":
            time.sleep(float(query.get("seconds", "10")))
            self.send_response(200)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"late")
        elif url.path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            time.sleep(30)
        elif url.path == "/big":
            size = int(query.get("bytes", "1000000"))
            self.send_response(200)
            if query.get("length") != "0":
                self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"k" * 65536
            sent = 0
            try:
                while sent < size:
                    part = chunk[: min(len(chunk), size - sent)]
                    self.wfile.write(part)
                    sent += len(part)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up on purpose
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
