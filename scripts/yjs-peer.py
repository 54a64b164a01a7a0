#!/usr/bin/env python3
"""The Yjs peer of `kette-bench sync`: the same rows through a Yjs sync server (issue 13, target 2).

A benchmark tool, not part of Kette, its tests or CI. It runs pycrdt-websocket's server
(`WebsocketServer` in an `ASGIServer` under uvicorn, on 127.0.0.1) with one room whose updates
are persisted by pycrdt-store's `SQLiteYStore` (SQLite's defaults: rollback journal,
synchronous=FULL, one committed INSERT per update, a checkpoint every 100 updates), then measures

  push        N clients (one process each, as Kette's push runs N `kette sync`) push their
              share of the rows. By default as Kette's clients do, offline first: the rows are
              in each client's document before it connects, and the sync exchange (step 1/2)
              sends them; --batch B connects first and then writes transactions of B field
              changes. The clock runs from "go" (every client ready) until the server has
              applied and persisted every update (it counts its own store's writes and watches
              for each client's last key, "done/<client>").
  first sync  a fresh client connects, receives the whole document (sync step 1/2), and
              stores it as one update in its own SQLite file (as y-indexeddb keeps a document),
              timed from connecting until that insert is committed.

Both clocks start after the interpreter has started, loaded the rows and imported pycrdt
(Kette's figures are whole-process times), so the comparison leans towards Yjs.

Data model: one root Y.Map "field_changes" keyed "type/id/field", whose value is the field's
value as Kette's JSON text. That is Kette's unit of merging (a field of a record, last writer
wins) in the flattest shape Yjs offers (a nested Y.Map per record was not measured).

The rows come from a SQLite file that kette-bench writes (its raw-SQLite ceiling copy of the
server's rows): a table field_state(record_type, record_id, field, value, replica, seq, ...).
A client's share is the rows of the replicas that pushed them (replicas in sorted order, dealt
round robin to the --clients).

Setup (PyPI only):  python3 scripts/yjs-peer.py --setup
  makes .build/yjs-venv next to this package and installs pycrdt-websocket, uvicorn and
  websockets into it; kette-bench runs .build/yjs-venv/bin/python scripts/yjs-peer.py run ...

Usage: yjs-peer.py run --rows ROWS.db --work DIR [--clients 4] [--batch 0] [--out FILE]
prints (and with --out writes) one JSON object: changes, push_seconds, push_rate, first_sync_seconds, first_sync_rate,
first_sync_process_seconds, server_store_bytes, clients, batch, versions.
"""
import argparse
import json
import os
import selectors
import sqlite3
import subprocess
import sys
import time

ROOM = "/kette"
MAP = "field_changes"
PACKAGES = ["pycrdt-websocket==0.16.5", "uvicorn==0.54.0", "websockets==17.4"]
HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(os.path.dirname(HERE), ".build", "yjs-venv")


def setup():
    """Creates the venv and installs the peer's packages from PyPI."""
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    pip = os.path.join(VENV, "bin", "pip")
    subprocess.run([pip, "install", "--quiet", *PACKAGES], check=True)
    print(f"Yjs peer ready: {os.path.join(VENV, 'bin', 'python')} {os.path.abspath(__file__)} run ...")


def load_rows(path, client, clients):
    """This client's share of the rows, in push order, as (key, value) pairs."""
    db = sqlite3.connect(path)
    replicas = [r for (r,) in db.execute("SELECT DISTINCT replica FROM field_state ORDER BY replica")]
    mine = {r for i, r in enumerate(replicas) if i % clients == client}
    rows = [(f"{t}/{i}/{f}", v) for (rep, t, i, f, v) in
            db.execute("SELECT replica, record_type, record_id, field, value FROM field_state ORDER BY seq")
            if rep in mine]
    db.close()
    return rows


class SocketChannel:
    """A `websockets` connection as the pycrdt `Channel` a `Provider` speaks through."""

    def __init__(self, socket, path):
        self._socket = socket
        self._path = path

    @property
    def path(self):
        return self._path

    def __aiter__(self):
        return self

    async def __anext__(self):
        from websockets.exceptions import ConnectionClosed
        try:
            return await self._socket.recv()
        except ConnectionClosed:
            raise StopAsyncIteration()

    async def send(self, message):
        await self._socket.send(message)

    async def recv(self):
        return await self._socket.recv()


def connect(url):
    from websockets.asyncio.client import connect as ws_connect
    # No keepalive pings: applying a large update blocks the loop longer than a ping timeout.
    return ws_connect(url, max_size=None, ping_interval=None, compression=None)


# MARK: server

def make_store_class(path, on_written):
    """A SQLiteYStore on `path` that reports every committed write."""
    from pycrdt.store import SQLiteYStore

    class PeerStore(SQLiteYStore):
        db_path = path

        async def write(self, data):
            await super().write(data)
            on_written()

    return PeerStore


async def serve(store_path, clients):
    """Serves the room; prints "port P", then "persisted T" (time.monotonic) once every
    client's last key is applied and every applied update is written."""
    import socket
    import uvicorn
    from pycrdt import Map
    from pycrdt.websocket import ASGIServer, WebsocketServer, YRoom, exception_logger

    counts = {"applied": 0, "written": 0, "reported": False}
    markers = [f"done/{i}" for i in range(clients)]
    room = None

    def on_written():
        counts["written"] += 1
        fields = room.ydoc.get(MAP, type=Map)
        if not counts["reported"] and counts["written"] >= counts["applied"] and all(m in fields for m in markers):
            counts["reported"] = True
            print(f"persisted {time.monotonic()}", flush=True)

    room = YRoom(ready=True, ystore=make_store_class(store_path, on_written)(path=ROOM), exception_handler=exception_logger)
    room.ydoc.observe(lambda event: counts.__setitem__("applied", counts["applied"] + 1))
    websocket_server = WebsocketServer(auto_clean_rooms=False, exception_handler=exception_logger)
    websocket_server.rooms[ROOM] = room
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(ASGIServer(websocket_server), ws="websockets-sansio", ws_max_size=1 << 31,
                            ws_ping_interval=None, log_level="warning", lifespan="off")
    async with websocket_server:
        # Started before any client connects: clients that connect at once to a room not yet
        # started each start it, and all but the first wait forever on the room's start lock.
        await websocket_server.start_room(room)
        print(f"port {listener.getsockname()[1]}", flush=True)
        await uvicorn.Server(config).serve(sockets=[listener])


# MARK: clients

async def push(url, rows_path, client, clients, batch):
    """Prints "ready", waits for "go" on stdin, pushes the rows, prints JSON, and stays connected
    until the next line on stdin. Offline (batch 0): the rows are in the document before it
    connects, and the sync exchange sends them; online: connected first, then transactions."""
    import anyio
    from pycrdt import Doc, Map, Provider

    rows = load_rows(rows_path, client, clients)
    doc = Doc()
    fields = doc.get(MAP, type=Map)
    if batch == 0:
        write(doc, fields, rows, client)
        print("ready", flush=True)
        await anyio.to_thread.run_sync(sys.stdin.readline)
    started = time.monotonic()
    async with connect(url) as socket:
        async with Provider(doc, SocketChannel(socket, ROOM)) as provider:
            await provider.synced.wait()
            if batch > 0:
                print("ready", flush=True)
                await anyio.to_thread.run_sync(sys.stdin.readline)
                started = time.monotonic()
                for start in range(0, len(rows), batch):
                    write(doc, fields, rows[start:start + batch], None)
                    await anyio.sleep(0)  # lets the provider send this update
                write(doc, fields, [], client)
            print(json.dumps({"changes": len(rows), "sent_seconds": time.monotonic() - started}), flush=True)
            # Connected until told: a room whose client leaves while it still broadcasts to it
            # stops with ClientDisconnected and cancels its store's pending writes.
            await anyio.to_thread.run_sync(sys.stdin.readline)


def write(doc, fields, rows, last_of_client):
    """One transaction: `rows`, and the client's last key when `last_of_client` is its number."""
    with doc.transaction():
        for key, value in rows:
            fields[key] = value
        if last_of_client is not None:
            fields[f"done/{last_of_client}"] = True


async def pull(url, store_path):
    """A fresh client's first full sync, stored as one update; prints JSON."""
    from pycrdt import Doc, Map, Provider

    started = time.monotonic()
    doc = Doc()
    async with connect(url) as socket:
        async with Provider(doc, SocketChannel(socket, ROOM)) as provider:
            await provider.synced.wait()
    db = sqlite3.connect(store_path)
    db.execute("PRAGMA synchronous = FULL")
    db.execute("CREATE TABLE IF NOT EXISTS document (update_blob BLOB NOT NULL)")
    db.execute("INSERT INTO document VALUES (?)", (doc.get_update(),))
    db.commit()
    db.close()
    seconds = time.monotonic() - started
    entries = len(doc.get(MAP, type=Map))
    print(json.dumps({"seconds": seconds, "entries": entries}), flush=True)


# MARK: orchestration

def child(role, *arguments):
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), role, *map(str, arguments)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def read_line(process, timeout, watched=()):
    """The next line `process` prints, failing when it or a watched process ends first."""
    deadline = time.monotonic() + timeout
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if selector.select(timeout=0.2):
            line = process.stdout.readline()
            if line:
                return line.strip()
            raise RuntimeError(f"{process.args[2]} ended without an answer (exit {process.wait()})")
        for other in watched:
            if other.poll() not in (None, 0):
                raise RuntimeError(f"{other.args[2]} failed (exit {other.returncode})")
    raise RuntimeError(f"{process.args[2]} gave no answer within {timeout:.0f} s")


def stop(process):
    """Ends a child: SIGTERM (uvicorn shuts down gracefully), SIGKILL when that takes too long."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure_push(url, args, server):
    """Push rate: from "go" to the server's "persisted" line."""
    pushers = [child("push", "--url", url, "--rows", args.rows, "--client", i, "--clients", args.clients,
                     "--batch", args.batch) for i in range(args.clients)]
    try:
        for pusher in pushers:
            if read_line(pusher, 600, [server]) != "ready":
                raise RuntimeError("a pushing client did not get ready")
        started = time.monotonic()
        for pusher in pushers:
            pusher.stdin.write("go\n")
            pusher.stdin.flush()
        answer = read_line(server, args.timeout, pushers)
        seconds = float(answer.split()[1]) - started
        changes = sum(json.loads(read_line(pusher, 600))["changes"] for pusher in pushers)
        for pusher in pushers:
            pusher.stdin.write("quit\n")
            pusher.stdin.flush()
            pusher.wait(timeout=60)
    finally:
        for pusher in pushers:
            if pusher.poll() is None:
                stop(pusher)
    return changes, seconds


def run(args):
    os.makedirs(args.work, exist_ok=True)
    store = os.path.join(args.work, "yjs-server.db")
    if os.path.exists(store):
        os.remove(store)
    server = child("serve", "--store", store, "--clients", args.clients)
    try:
        url = f"ws://127.0.0.1:{read_line(server, 60).split()[1]}{ROOM}"
        changes, push_seconds = measure_push(url, args, server)
        started = time.monotonic()
        puller = child("pull", "--url", url, "--store", os.path.join(args.work, "yjs-client.db"))
        try:
            first_sync = json.loads(read_line(puller, args.timeout, [server]))
            puller.wait(timeout=60)
        finally:
            if puller.poll() is None:
                stop(puller)
        process_seconds = time.monotonic() - started
    finally:
        stop(server)
    if first_sync["entries"] != changes + args.clients:
        raise RuntimeError(f"the fresh client received {first_sync['entries']} entries, expected {changes + args.clients}")
    result = json.dumps({
        "changes": changes, "clients": args.clients, "batch": args.batch,
        "push_seconds": push_seconds, "push_rate": changes / push_seconds,
        "first_sync_seconds": first_sync["seconds"], "first_sync_rate": changes / first_sync["seconds"],
        "first_sync_process_seconds": process_seconds, "server_store_bytes": os.path.getsize(store),
        "versions": versions(),
    })
    print(result)
    if args.out:
        with open(args.out, "w") as out:
            out.write(result + "\n")


def versions():
    from importlib.metadata import version
    return {name: version(name) for name in ("pycrdt", "pycrdt-websocket", "pycrdt-store", "uvicorn", "websockets")}


def main():
    if "--setup" in sys.argv[1:]:
        return setup()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    roles = parser.add_subparsers(dest="role", required=True)
    r = roles.add_parser("run")
    r.add_argument("--rows", required=True)
    r.add_argument("--work", required=True)
    r.add_argument("--clients", type=int, default=4)
    r.add_argument("--batch", type=int, default=0)
    r.add_argument("--timeout", type=float, default=3600)
    r.add_argument("--out", help="also write the JSON result to this file")
    s = roles.add_parser("serve")
    s.add_argument("--store", required=True)
    s.add_argument("--clients", type=int, required=True)
    p = roles.add_parser("push")
    for name in ("--url", "--rows"):
        p.add_argument(name, required=True)
    for name in ("--client", "--clients", "--batch"):
        p.add_argument(name, type=int, required=True)
    f = roles.add_parser("pull")
    f.add_argument("--url", required=True)
    f.add_argument("--store", required=True)
    args = parser.parse_args()
    import anyio
    if args.role == "run":
        run(args)
    elif args.role == "serve":
        anyio.run(serve, args.store, args.clients)
    elif args.role == "push":
        anyio.run(push, args.url, args.rows, args.client, args.clients, args.batch)
    else:
        anyio.run(pull, args.url, args.store)


if __name__ == "__main__":
    main()
