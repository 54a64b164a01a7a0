#!/usr/bin/env python3
"""A relay that records what crosses the wire, for the compression tests (issue 13, target 4).

Sits on loopback between `kette` and `kette-server`. A connection carries one or more requests
(CurlTransport keeps its connection for a whole sync); when it closes, the bytes that crossed each
way are split into messages (Content-Length or chunked bodies) and each request is paired with its
answer. For each exchange it records the request line, the request's Content-Encoding and
Accept-Encoding, the bytes sent up, the answer's status line and Content-Encoding, and the bytes
sent down, exactly as they crossed. The --log file (JSON) is rewritten whenever a connection opens
or closes: {"open": connections still open, "exchanges": [...]}.

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
open_connections = 0


def head_of(data):
    """The first line and the headers (lowercased names) of an HTTP message's head."""
    head = data.decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return head[0], headers


def chunked_end(data, position):
    """Where a chunked body starting at `position` ends (after its last chunk and trailer)."""
    while True:
        line_end = data.find(b"\r\n", position)
        if line_end < 0:
            return len(data)
        size = int(data[position:line_end].split(b";")[0] or b"0", 16)
        position = line_end + 2
        if size == 0:
            trailer_end = data.find(b"\r\n\r\n", position - 2)
            return len(data) if trailer_end < 0 else trailer_end + 4
        position += size + 2


def messages(data, answers):
    """The messages in one direction of a connection: (first line, headers, bytes)."""
    found, position = [], 0
    while position < len(data):
        head_end = data.find(b"\r\n\r\n", position)
        if head_end < 0:
            break
        first, headers = head_of(data[position:head_end])
        body = head_end + 4
        if "content-length" in headers:
            end = body + int(headers["content-length"])
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            end = chunked_end(data, body)
        else:
            end = len(data) if answers else body  # an answer without a length ends with the connection
        if not (answers and first.split(" ")[1:2] == ["100"]):  # an interim answer is not the answer
            found.append((first, headers, end - position))
        position = end
    return found


def write_log(log):
    with open(log + ".tmp", "w") as out:
        json.dump({"open": open_connections, "exchanges": exchanges}, out)
    os.replace(log + ".tmp", log)


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
    global open_connections
    upstream = socket.create_connection(("127.0.0.1", target))
    up, down = bytearray(), bytearray()
    upward = threading.Thread(target=pump, args=(client, upstream, up))
    upward.start()
    pump(upstream, client, down)
    upward.join()
    client.close()
    upstream.close()
    requests, answers = messages(bytes(up), False), messages(bytes(down), True)
    with lock:
        for index, (request_line, request, sent) in enumerate(requests):
            status_line, answer, received = answers[index] if index < len(answers) else ("", {}, 0)
            exchanges.append({
                "request": request_line, "requestEncoding": request.get("content-encoding", ""),
                "acceptEncoding": request.get("accept-encoding", ""), "bytesUp": sent,
                "status": status_line, "answerEncoding": answer.get("content-encoding", ""), "bytesDown": received,
            })
        open_connections -= 1
        write_log(log)


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
    global open_connections
    while True:
        client, _ = listener.accept()
        with lock:
            open_connections += 1
            write_log(args.log)
        threading.Thread(target=relay, args=(client, args.target, args.log), daemon=True).start()


if __name__ == "__main__":
    main()
