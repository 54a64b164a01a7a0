#!/usr/bin/env python3
"""A relay that records what crosses the wire, for the compression tests (issue 13, target 4).

Sits on loopback between `kette` and `kette-server`. CurlTransport opens one connection per
request, so each connection carries one request and its answer. For each one it records the
request line, the request's Content-Encoding and Accept-Encoding, the bytes sent up, the answer's
status line and Content-Encoding, and the bytes sent down, exactly as they crossed. The list of
exchanges is rewritten to the --log file (JSON) after every connection.

Usage: wire_recorder.py --target PORT --log FILE
It prints the port it listens on (127.0.0.1) on the first line of stdout and exits when stdin closes.
"""
import argparse
import json
import os
import socket
import sys
import threading

lock = threading.Lock()
exchanges = []


def head_of(data):
    """The first line and the headers (lowercased names) of an HTTP message's bytes."""
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return head[0], headers


def pump(source, sink, into):
    """Copies source to sink until source closes, keeping every byte in `into`."""
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            into.extend(data)
            sink.sendall(data)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def relay(client, target, log):
    upstream = socket.create_connection(("127.0.0.1", target))
    up, down = bytearray(), bytearray()
    upward = threading.Thread(target=pump, args=(client, upstream, up))
    upward.start()
    pump(upstream, client, down)
    upward.join()
    client.close()
    upstream.close()
    request_line, request = head_of(bytes(up))
    status_line, answer = head_of(bytes(down))
    with lock:
        exchanges.append({
            "request": request_line, "requestEncoding": request.get("content-encoding", ""),
            "acceptEncoding": request.get("accept-encoding", ""), "bytesUp": len(up),
            "status": status_line, "answerEncoding": answer.get("content-encoding", ""), "bytesDown": len(down),
        })
        with open(log + ".tmp", "w") as out:
            json.dump(exchanges, out)
        os.replace(log + ".tmp", log)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    print(listener.getsockname()[1], flush=True)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=relay, args=(client, args.target, args.log), daemon=True).start()


if __name__ == "__main__":
    main()
