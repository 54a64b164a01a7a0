#!/usr/bin/env python3
"""A stand-in for a kette-server before 0.9 (protocol level 1): its /v1/health answers only
{"status":"ok"}, and it lacks every endpoint added since (here: all but health and me, which is
enough for a client to notice). Prints "listening on 127.0.0.1:PORT" once it accepts connections.

Usage: old_server.py            (stops on SIGTERM/SIGKILL; serves loopback only)
"""
import http.server
import json
import sys


class OldServer(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/v1/health":
            self.answer(200, {"status": "ok"})
        elif self.path == "/v1/me":
            self.answer(200, {"user": "anna", "role": "coordinator", "districts": ["nordstadt"]})
        else:
            self.answer(404, {"error": {"code": "not_found", "message": "no endpoint " + self.path.split("?")[0]}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.answer(404, {"error": {"code": "not_found", "message": "no endpoint " + self.path}})

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OldServer)
print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
