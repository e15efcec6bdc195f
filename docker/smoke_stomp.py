#!/usr/bin/env python3
"""STOMP part of docker/smoke.sh, against the compose cluster through nginx.

Python's standard library only (a minimal RFC 6455 client), so the smoke test installs
nothing. Bounded: every wait has a deadline, at most --attempts sessions are opened to find
two nodes. Prints what it saw; exits 1 on the first check that fails.

    smoke_stomp.py --url ws://127.0.0.1:38080/ws -- docker compose -p P -f F stop

Checks, in order:
  1. sessions opened through nginx until two nodes hold --per-node of them each, by the
     x-node header of CONNECTED;
  2. a SUBSCRIBE (with receipt) on one node, a SEND (with receipt) on the other: the MESSAGE
     arrives with the body sent and x-node naming the subscriber's node; and the other way;
  3. the command after `--`, with one node's id appended (the node id is the compose service
     name), stops that node: each of its sessions gets ERROR "server shutting down" (spread
     over the drain period), the other node's sessions still carry messages, and a new
     session through nginx lands on the other node.
"""
import argparse
import base64
import hashlib
import os
import socket
import struct
import subprocess
import sys
import time
import uuid
from urllib.parse import urlparse

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SmokeFailure(Exception):
    pass


def log(message):
    print(f"  [stomp] {message}", flush=True)


class Frame:
    def __init__(self, command, headers, body):
        self.command = command
        self.headers = headers
        self.body = body

    def __repr__(self):
        shown = {k: v for k, v in self.headers.items() if k in ("message", "x-node", "destination", "receipt-id")}
        return f"{self.command} {shown}"


class StompOverWebSocket:
    """One STOMP 1.2 session over one WebSocket, read and written by this thread only."""

    def __init__(self, url, user, timeout):
        parsed = urlparse(url)
        if parsed.scheme != "ws":
            raise SmokeFailure(f"only ws:// URLs: {url}")
        self.name = user
        self.sock = socket.create_connection((parsed.hostname, parsed.port or 80), timeout=timeout)
        self.buffer = b""        # bytes read from the socket, not yet a whole WebSocket frame
        self.stomp = b""         # text of WebSocket messages, not yet a whole STOMP frame
        self.closed = None       # close code once the server closed the WebSocket
        self.pending = []        # frames read while waiting for another one
        key = base64.b64encode(os.urandom(16)).decode()
        path = (parsed.path or "/") + (("?" + parsed.query) if parsed.query else "")
        path += ("&" if "?" in path else "?") + "user=" + user
        request = (f"GET {path} HTTP/1.1\r\nHost: {parsed.hostname}:{parsed.port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Sec-WebSocket-Protocol: v12.stomp\r\n\r\n")
        self.sock.sendall(request.encode())
        head = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in head:
            if time.monotonic() > deadline:
                raise SmokeFailure(f"{user}: no handshake answer within {timeout} s")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise SmokeFailure(f"{user}: connection closed during the handshake: {head!r}")
            head += chunk
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        lines = head.decode("iso-8859-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            raise SmokeFailure(f"{user}: handshake refused: {lines[0]}")
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            raise SmokeFailure(f"{user}: bad Sec-WebSocket-Accept")

    # --- WebSocket ---

    def _send_ws(self, opcode, payload):
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read_exactly(self, n, deadline):
        while len(self.buffer) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout()
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _read_message(self, deadline):
        """The payload of the next data message (continuations joined); pings answered."""
        message = b""
        while True:
            b0, b1 = self._read_exactly(2, deadline)
            fin, opcode, length = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read_exactly(2, deadline))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read_exactly(8, deadline))[0]
            mask = self._read_exactly(4, deadline) if b1 & 0x80 else None
            payload = self._read_exactly(length, deadline)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                self.closed = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                raise ConnectionError(f"WebSocket closed by the server, code {self.closed}")
            if opcode == 0x9:
                self._send_ws(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            message += payload
            if fin:
                return message

    # --- STOMP ---

    def send(self, command, headers, body=""):
        lines = [command] + [f"{k}:{v}" for k, v in headers.items()]
        self._send_ws(0x1, ("\n".join(lines) + "\n\n" + body + "\0").encode())

    def _parse_one(self):
        """A whole STOMP frame from self.stomp, or None when more bytes are needed."""
        data = self.stomp.lstrip(b"\r\n")  # heart-beats
        self.stomp = data
        end_of_headers = data.find(b"\n\n")
        if end_of_headers < 0:
            return None
        head = data[:end_of_headers].decode("utf-8").replace("\r\n", "\n").split("\n")
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name, value.replace("\\c", ":").replace("\\n", "\n").replace("\\\\", "\\"))
        start = end_of_headers + 2
        if "content-length" in headers:
            end = start + int(headers["content-length"])
            if len(data) <= end:
                return None
        else:
            end = data.find(b"\0", start)
            if end < 0:
                return None
        self.stomp = data[end + 1:]
        return Frame(head[0], headers, data[start:end].decode("utf-8", "replace"))

    def receive(self, timeout):
        """The next STOMP frame (set aside ones first), or SmokeFailure after timeout seconds."""
        if self.pending:
            return self.pending.pop(0)
        deadline = time.monotonic() + timeout
        while True:
            frame = self._parse_one()
            if frame:
                return frame
            try:
                self.stomp += self._read_message(deadline)
            except socket.timeout:
                raise SmokeFailure(f"{self.name}: no frame within {timeout} s") from None

    def expect(self, command, timeout, **wanted):
        """The first frame that is `command` with the wanted headers; others are set aside for
        later calls, except an ERROR, which fails at once."""
        deadline = time.monotonic() + timeout
        skipped = []
        try:
            while True:
                frame = self.receive(max(0.0, deadline - time.monotonic()))
                if frame.command == command and all(frame.headers.get(k) == v for k, v in wanted.items()):
                    return frame
                if frame.command == "ERROR":
                    raise SmokeFailure(f"{self.name}: expected {command} {wanted or ''}, got {frame!r} {frame.body!r}")
                skipped.append(frame)
        except SmokeFailure as failure:
            raise SmokeFailure(f"{failure} (waiting for {command} {wanted or ''}; set aside: {skipped})") from None
        finally:
            self.pending[:0] = skipped

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def connect(url, user, timeout):
    session = StompOverWebSocket(url, user, timeout)
    session.send("CONNECT", {"accept-version": "1.2", "host": "stompgate", "heart-beat": "0,0"})
    connected = session.expect("CONNECTED", timeout)
    node = connected.headers.get("x-node")
    if not node:
        raise SmokeFailure(f"{user}: CONNECTED has no x-node header: {connected.headers}")
    session.node = node
    log(f"{user}: CONNECTED version {connected.headers.get('version')} user-name "
        f"{connected.headers.get('user-name')} x-node {node}")
    return session


def round_trip(subscriber, sender, topic, body, timeout):
    """SUBSCRIBE with receipt on one session, SEND with receipt on the other, the MESSAGE arrives."""
    sub_id = f"sub-{uuid.uuid4().hex[:6]}"
    subscriber.send("SUBSCRIBE", {"id": sub_id, "destination": topic, "receipt": f"r-{sub_id}"})
    subscriber.expect("RECEIPT", timeout, **{"receipt-id": f"r-{sub_id}"})
    sender.send("SEND", {"destination": topic, "content-type": "text/plain", "receipt": f"s-{sub_id}"}, body)
    sender.expect("RECEIPT", timeout, **{"receipt-id": f"s-{sub_id}"})
    message = subscriber.expect("MESSAGE", timeout, destination=topic, subscription=sub_id)
    if message.body != body:
        raise SmokeFailure(f"MESSAGE body {message.body!r}, sent {body!r}")
    if message.headers.get("x-node") != subscriber.node:
        raise SmokeFailure(f"MESSAGE x-node {message.headers.get('x-node')}, subscriber is on {subscriber.node}")
    log(f"{sender.name} on {sender.node} sent to {topic}; {subscriber.name} on {subscriber.node} "
        f"received it (x-node {message.headers['x-node']}, {len(body)} bytes)")
    subscriber.send("UNSUBSCRIBE", {"id": sub_id})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:PORT/ws through nginx")
    parser.add_argument("--attempts", type=int, default=20, help="sessions opened at most to meet two nodes")
    parser.add_argument("--per-node", type=int, default=2, help="sessions wanted on each of two nodes")
    parser.add_argument("--timeout", type=float, default=15, help="seconds for each frame awaited")
    parser.add_argument("--drain-timeout", type=float, default=90,
                        help="seconds for the stopped node's ERROR (the drain period, 10 s in compose)")
    parser.add_argument("stop", nargs=argparse.REMAINDER, help="-- then the command that stops a node by name")
    args = parser.parse_args()
    stop = args.stop[1:] if args.stop[:1] == ["--"] else args.stop
    if not stop:
        parser.error("give the stop command after --")
    run = uuid.uuid4().hex[:8]
    sessions = []
    try:
        # 1. sessions through nginx until --per-node of them are on each of two nodes
        by_node = {}
        for attempt in range(1, args.attempts + 1):
            session = connect(args.url, f"smoke-{attempt}-{run}", args.timeout)
            sessions.append(session)
            by_node.setdefault(session.node, []).append(session)
            if len(by_node) >= 2 and sum(len(v) >= args.per_node for v in by_node.values()) >= 2:
                break
        if len(by_node) < 2:
            raise SmokeFailure(f"{args.attempts} sessions through nginx all landed on {sessions[0].node}")
        ready = [node for node, held in by_node.items() if len(held) >= args.per_node]
        if len(ready) < 2:
            raise SmokeFailure(f"{args.attempts} sessions did not give {args.per_node} on each of two nodes: "
                               + ", ".join(f"{n}: {len(v)}" for n, v in by_node.items()))
        stopped_node, other_node = ready[0], ready[1]
        first, second = by_node[stopped_node][0], by_node[other_node][0]
        log(f"{len(sessions)} sessions: " + ", ".join(f"{len(v)} on {n}" for n, v in by_node.items()))

        # 2. across nodes, both ways
        topic = f"/topic/smoke.{run}"
        round_trip(first, second, topic, f"hello from {second.node} {run}", args.timeout)
        round_trip(second, first, topic, f"hello from {first.node} {run}", args.timeout)

        # 3. stop one node: each of its sessions gets ERROR, spread over the drain period
        draining = by_node[stopped_node]
        log(f"stopping {stopped_node} ({len(draining)} sessions): {' '.join(stop + [stopped_node])}")
        started = time.monotonic()
        stopper = subprocess.Popen(stop + [stopped_node], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for session in draining:
            try:
                error = session.receive(max(0.0, started + args.drain_timeout - time.monotonic()))
            except ConnectionError as closed:
                raise SmokeFailure(f"{session.name}: closed without ERROR ({closed})") from None
            if error.command != "ERROR" or error.headers.get("message") != "server shutting down":
                raise SmokeFailure(f"{session.name}: expected ERROR 'server shutting down', got {error!r}")
            log(f"{session.name} on {stopped_node} got ERROR message:{error.headers['message']} "
                f"{time.monotonic() - started:.1f} s after the stop began")
        try:
            output, _ = stopper.communicate(timeout=max(1.0, started + args.drain_timeout - time.monotonic()))
        except subprocess.TimeoutExpired:
            stopper.kill()
            raise SmokeFailure(f"stopping {stopped_node} took over {args.drain_timeout} s") from None
        if stopper.returncode != 0:
            raise SmokeFailure(f"stop exited {stopper.returncode}: {output.strip()}")
        log(f"{stopped_node} stopped {time.monotonic() - started:.1f} s after the stop began")

        # the other node's sessions are unaffected, and new sessions go to it
        survivors = by_node[other_node]
        round_trip(survivors[-1], survivors[0], topic, f"still here {run}", args.timeout)
        after = connect(args.url, f"smoke-after-{run}", args.timeout)
        sessions.append(after)
        if after.node != other_node:
            raise SmokeFailure(f"a session after the stop landed on {after.node}, not {other_node}")
        log(f"a new session after the stop landed on {after.node}")
        for session in survivors + [after]:
            session.send("DISCONNECT", {"receipt": "bye"})
            session.expect("RECEIPT", args.timeout, **{"receipt-id": "bye"})
        log(f"{len(survivors) + 1} sessions on {other_node} disconnected with a receipt; all STOMP checks passed")
        return 0
    except (SmokeFailure, OSError) as failure:
        print(f"  [stomp] FAILED: {failure}", flush=True)
        return 1
    finally:
        for session in sessions:
            session.close()


if __name__ == "__main__":
    sys.exit(main())
