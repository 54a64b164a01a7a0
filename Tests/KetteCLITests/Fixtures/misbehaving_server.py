#!/usr/bin/env python3
"""A sync server that breaks the protocol on purpose, for the client bound tests (issue 12.5, 12.6).

Binds 127.0.0.1 on a free port, prints the port on the first line of stdout, and exits when stdin
closes. `/v1/me` names a coordinator, `/v1/changesets` applies every pushed change set,
`/v1/digests` finds nothing different (it echoes the client's total: the fixture keeps no
digests), and `/v1/changes` answers according to MODE:

  loop            more: true with the cursor it was given, for ever (a caching proxy ignoring ?after=)
  empty-more      more: true, the cursor moved, but no change
  deleted-null    a record whose tombstone is null
  unknown-type    a change of a record type the client does not know
  seq-back        sequence numbers that go down within the page
  seq-beyond      a change numbered past the page's cursor
  nul-id          a record id with a NUL in it
  long-text       a text of 300 KiB (the limit is 256 KiB)
  not-json        a body that is no JSON at all
  good            a well-formed page with one organization
  gzip-bomb       Content-Encoding: gzip, 100 KiB that inflate to 64 MiB (a page is at most 4 MiB)
  gzip-corrupt    Content-Encoding: gzip, bytes that are not gzip
  gzip-liar       says Accept-Encoding: gzip in every answer, then answers a gzip push 415
                  unsupported_encoding (a proxy between that cannot pass it); pages as in good

`/count` answers how many pulls were made; `/push-encodings` the Content-Encoding of every push
(the fixture is an older server: it never says it reads gzip, so pushes must come plain).
Usage: misbehaving_server.py MODE
"""
import json
import os
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MODE = sys.argv[1]
HLC = "001763900000000-0000-aaaa0000aaaa0000aaaa0000aaaa0000"
pulls = 0
push_encodings = []
lock = threading.Lock()


def change(seq, kind, ident, field, value):
    return {"seq": seq, "type": kind, "id": ident, "field": field, "value": value, "hlc": HLC, "author": "mallory"}


def gzip_bomb():
    """A page's start, then 64 MiB of spaces, gzipped: about 64 KiB on the wire."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(b'{"changes":[')]
    spaces = b" " * (1 << 20)
    parts += [packer.compress(spaces) for _ in range(64)]
    parts.append(packer.compress(b'],"cursor":1,"more":false}') + packer.flush())
    return b"".join(parts)


def page(after):
    org = lambda seq, field, value, ident="org-1": change(seq, "organization", ident, field, value)
    pages = {
        "loop": {"changes": [org(after + 1, "name", "Schleife")], "cursor": after, "more": True},
        "empty-more": {"changes": [], "cursor": after + 10, "more": True},
        "deleted-null": {"changes": [org(after + 1, "name", "Amt"), org(after + 2, "deleted", None)], "cursor": after + 2, "more": False},
        "unknown-type": {"changes": [change(after + 1, "spaceship", "s1", "name", "x")], "cursor": after + 1, "more": False},
        "seq-back": {"changes": [org(after + 5, "name", "A"), org(after + 3, "kind", "B")], "cursor": after + 5, "more": False},
        "seq-beyond": {"changes": [org(after + 9, "name", "A")], "cursor": after + 5, "more": False},
        "nul-id": {"changes": [org(after + 1, "name", "A", "org\u0000evil")], "cursor": after + 1, "more": False},
        "long-text": {"changes": [org(after + 1, "name", "x" * (300 * 1024))], "cursor": after + 1, "more": False},
        "good": {"changes": [org(after + 1, "name", "Jugendamt")], "cursor": after + 1, "more": False},
        "gzip-liar": {"changes": [org(after + 1, "name", "Jugendamt")], "cursor": after + 1, "more": False},
    }
    body = pages[MODE]
    body["serverTime"] = 1763900000000
    return json.dumps(body).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def reply(self, status, body, encoding=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        if encoding:
            self.send_header("Content-Encoding", encoding)
        if MODE == "gzip-liar":
            self.send_header("Accept-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        global pulls
        url = urlsplit(self.path)
        if url.path == "/v1/changes":
            with lock:
                pulls += 1
            after = int(parse_qs(url.query).get("after", ["0"])[-1])
            if MODE == "gzip-bomb":
                self.reply(200, gzip_bomb(), "gzip")
            elif MODE == "gzip-corrupt":
                self.reply(200, b"\x1f\x8b\x08\x00this is not deflate data at all", "gzip")
            else:
                self.reply(200, b"<html>proxy error</html>" if MODE == "not-json" else page(after))
        elif url.path == "/v1/digests":
            total = parse_qs(url.query).get("total", ["0"])[-1]
            self.reply(200, json.dumps({"server": "fixture", "seq": 0, "scope": ["district:nordstadt"], "total": total}).encode())
        elif url.path == "/v1/me":
            self.reply(200, json.dumps({"user": "anna", "role": "coordinator", "districts": ["nordstadt"]}).encode())
        elif url.path == "/push-encodings":
            with lock:
                self.reply(200, json.dumps(push_encodings).encode())
        elif url.path == "/count":
            with lock:
                self.reply(200, str(pulls).encode())
        else:
            self.reply(404, b'{"error":{"code":"not_found","message":"no"}}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        with lock:
            push_encodings.append(self.headers.get("Content-Encoding", ""))
        if self.headers.get("Content-Encoding"):
            self.rfile.read(length)
            self.reply(415, b'{"error":{"code":"unsupported_encoding","message":"accepted: identity"}}')
            return
        push = json.loads(self.rfile.read(length) or b"{}")
        results = [{"id": s["id"], "status": "applied"} for s in push.get("changeSets", [])]
        self.reply(200, json.dumps({"results": results, "serverTime": 1763900000000}).encode())


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
