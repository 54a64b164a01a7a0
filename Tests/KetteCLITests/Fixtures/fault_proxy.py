#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 proxy for the network fault tests (tc netem does not work here).

It sits on loopback between `kette` (CurlTransport) and `kette-server`. A client connection
carries request after request (CurlTransport keeps it for a whole sync) until a fault ends it;
each request goes to the server on a connection of its own. For each request the proxy draws,
from a seeded generator, what happens, so faults also strike connections the client reused:

  pass            forward the request, return the answer, keep the connection for the next request
  reset_before    read the request, reset the connection (RST via SO_LINGER 0); the server never sees it
  reset_after     forward the request, let the server act on it, reset the client's connection
  truncate        forward, return only part of the answer, then close
  stall           forward, hold the answer longer than the client's timeout, then close
  duplicate       send the same request to the server twice at once, return one answer

Usage: fault_proxy.py --target PORT --seed N [--fault-rate 0.4] [--stall 4] --stats FILE
It prints "fault-proxy listening on 127.0.0.1:PORT" once it accepts connections. SIGUSR1 turns
the faults off (everything passes from then on). The counts per kind are rewritten to the stats
file (JSON) after every request.
"""
import argparse
import asyncio
import json
import os
import random
import signal
import socket
import struct
import sys

KINDS = ["reset_before", "reset_after", "truncate", "stall", "duplicate"]


class Proxy:
    def __init__(self, args):
        self.target = args.target
        self.random = random.Random(args.seed)
        self.rate = args.fault_rate
        self.stall = args.stall
        self.stats_path = args.stats
        self.faults_on = True
        self.counts = {kind: 0 for kind in ["pass"] + KINDS}
        self.counts["upstream_requests"] = 0
        self.counts["errors"] = 0
        # Faults that struck a request on a connection that had already carried one.
        self.counts["faults_on_kept"] = 0

    def choose(self):
        if not self.faults_on or self.random.random() >= self.rate:
            return "pass"
        return self.random.choice(KINDS)

    def save(self):
        with open(self.stats_path + ".tmp", "w") as out:
            json.dump(dict(self.counts, faults_on=self.faults_on), out)
        os.replace(self.stats_path + ".tmp", self.stats_path)

    @staticmethod
    async def read_message(reader, is_response):
        """One HTTP/1.1 message: head and a Content-Length body (or, for an answer without one, up to EOF)."""
        head = await reader.readuntil(b"\r\n\r\n")
        length = None
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
            elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            raise ValueError("chunked messages are not used by kette")
        if length is not None:
            body = await reader.readexactly(length)
        elif is_response:
            body = await reader.read()
        else:
            body = b""
        return head + body

    async def exchange_upstream(self, request):
        reader, writer = await asyncio.open_connection("127.0.0.1", self.target)
        try:
            self.counts["upstream_requests"] += 1
            writer.write(request)
            await writer.drain()
            return await self.read_message(reader, True)
        finally:
            writer.close()

    @staticmethod
    def reset(writer):
        sock = writer.get_extra_info("socket")
        if sock is not None:
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    async def handle(self, reader, writer):
        # Request after request until a fault (or the client) ends the connection.
        carried = 0
        while await self.handle_one(reader, writer, kept=carried > 0):
            carried += 1

    async def handle_one(self, reader, writer, kept):
        """One request on the connection; True when the connection stays open for another."""
        try:
            request = await self.read_message(reader, False)
        except asyncio.IncompleteReadError as error:
            # Closed between requests (the client is done with its kept connection): not a fault.
            if error.partial:
                self.counts["errors"] += 1
                self.save()
            writer.transport.abort()
            return False
        except (ConnectionError, ValueError, OSError):
            self.counts["errors"] += 1
            self.save()
            writer.transport.abort()
            return False
        kind = self.choose()
        if kept and kind != "pass":
            self.counts["faults_on_kept"] += 1
        try:
            if kind == "reset_before":
                self.reset(writer)
            elif kind == "duplicate":
                answers = await asyncio.gather(self.exchange_upstream(request), self.exchange_upstream(request),
                                               return_exceptions=True)
                answer = next((a for a in answers if isinstance(a, bytes)), None)
                if answer is None:
                    raise answers[0]
                writer.write(answer)
                await writer.drain()
                writer.close()
            else:
                answer = await self.exchange_upstream(request)
                if kind == "reset_after":
                    self.reset(writer)
                elif kind == "truncate":
                    writer.write(answer[: self.random.randint(1, max(1, len(answer) - 1))])
                    await writer.drain()
                    writer.close()
                elif kind == "stall":
                    await asyncio.sleep(self.stall)
                    self.reset(writer)
                else:
                    writer.write(answer)
                    await writer.drain()
                    self.counts[kind] += 1
                    self.save()
                    # An answer that ends with its connection (no length) cannot be followed by another.
                    if b"content-length:" not in answer.split(b"\r\n\r\n", 1)[0].lower():
                        writer.close()
                        return False
                    return True
            self.counts[kind] += 1
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, OSError):
            # The client gave up first (its timeout) or the server was gone: count it, go on.
            self.counts["errors"] += 1
            writer.transport.abort()
        self.save()
        return False

    def faults_off(self):
        self.faults_on = False
        self.save()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--fault-rate", type=float, default=0.4)
    parser.add_argument("--stall", type=float, default=4.0)
    parser.add_argument("--stats", required=True)
    args = parser.parse_args()
    proxy = Proxy(args)
    proxy.save()
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, proxy.faults_off)
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"fault-proxy listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
