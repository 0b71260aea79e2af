#!/usr/bin/env python3
"""netdelay.py: hold queued packets for a fixed delay (an NFQUEUE packet holder).

Usage:
    netdelay.py [--queue Q] [--delay-ms D] [--max-seconds S]

For kernels without sch_netem (tc ... netem fails): an iptables rule sends
packets to queue Q, e.g. inside a network namespace of the benchmark

    iptables -A OUTPUT -o VETH -j NFQUEUE --queue-num 7 --queue-bypass

and this program, started in the same namespace, accepts each packet D
milliseconds after the kernel queued it (FIFO: the delay is the same for every
packet, so the order is kept).  Delaying one direction by D adds D to every
round trip.

Python 3 standard library only: a NETLINK_NETFILTER socket speaking the
nfnetlink_queue protocol (NFQNL_MSG_CONFIG: bind the queue, copy metadata
only, a long queue, fail-open; NFQNL_MSG_PACKET: a queued packet and its id;
NFQNL_MSG_VERDICT_BATCH: NF_ACCEPT for every packet up to an id).

Bounded: exits on SIGTERM / SIGINT and after --max-seconds (default 900),
accepting whatever it still holds and unbinding the queue; with
--queue-bypass in the rule, packets pass undelayed once it is gone.  Prints
"netdelay: ready ..." on stdout once the queue is bound, counters on stderr
at exit.  Needs CAP_NET_ADMIN in its network namespace (root).
"""

import argparse
import collections
import errno
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
SOL_NETLINK = 270
NETLINK_NO_ENOBUFS = 5
SO_RCVBUFFORCE = 33

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4

NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET = 0
NFQNL_MSG_CONFIG = 2
NFQNL_MSG_VERDICT_BATCH = 3

NFQA_PACKET_HDR = 1
NFQA_VERDICT_HDR = 2

NFQA_CFG_CMD = 1
NFQA_CFG_PARAMS = 2
NFQA_CFG_QUEUE_MAXLEN = 3
NFQA_CFG_MASK = 4
NFQA_CFG_FLAGS = 5
NFQA_CFG_F_FAIL_OPEN = 0x1

NFQNL_CFG_CMD_BIND = 1
NFQNL_CFG_CMD_UNBIND = 2
NFQNL_COPY_META = 1

NF_ACCEPT = 1

HDR = struct.Struct("=IHHII")  # nlmsghdr: len, type, flags, seq, pid
NFGEN = struct.Struct("=BBH")  # nfgenmsg: family, version, res_id (big-endian value)
ATTR = struct.Struct("=HH")    # nlattr: len, type


def attr(atype, data):
    a = ATTR.pack(ATTR.size + len(data), atype) + data
    return a + b"\0" * (-len(a) % 4)


class Queue:
    def __init__(self, num):
        self.num = num
        self.seq = 0
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
        try:
            self.sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
        except OSError:
            pass
        self.sock.bind((0, 0))

    def send(self, msg, payload, flags=NLM_F_REQUEST):
        self.seq += 1
        body = NFGEN.pack(socket.AF_UNSPEC, 0, socket.htons(self.num)) + payload
        self.sock.send(HDR.pack(HDR.size + len(body), (NFNL_SUBSYS_QUEUE << 8) | msg, flags,
                                self.seq, 0) + body)
        return self.seq

    def config(self, payload):
        """Sends a config message and waits for its acknowledgement."""
        seq = self.send(NFQNL_MSG_CONFIG, payload, NLM_F_REQUEST | NLM_F_ACK)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.sock], [], [], 0.5)
            if not r:
                continue
            data = self.sock.recv(65536)
            off = 0
            while off + HDR.size <= len(data):
                ln, mtype, _, mseq, _ = HDR.unpack_from(data, off)
                if mtype == NLMSG_ERROR and mseq == seq:
                    err = struct.unpack_from("=i", data, off + HDR.size)[0]
                    if err:
                        raise OSError(-err, "nfnetlink_queue config: %s" % os.strerror(-err))
                    return
                off += (ln + 3) & ~3
        raise OSError(errno.ETIMEDOUT, "no answer from nfnetlink_queue")

    def bind(self, maxlen):
        self.config(attr(NFQA_CFG_CMD, struct.pack("!BxH", NFQNL_CFG_CMD_BIND, 0)))
        self.config(attr(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META))
                    + attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack("!I", maxlen))
                    + attr(NFQA_CFG_MASK, struct.pack("!I", NFQA_CFG_F_FAIL_OPEN))
                    + attr(NFQA_CFG_FLAGS, struct.pack("!I", NFQA_CFG_F_FAIL_OPEN)))

    def unbind(self):
        try:
            self.send(NFQNL_MSG_CONFIG,
                      attr(NFQA_CFG_CMD, struct.pack("!BxH", NFQNL_CFG_CMD_UNBIND, 0)))
        except OSError:
            pass

    def accept_upto(self, pid):
        self.send(NFQNL_MSG_VERDICT_BATCH, attr(NFQA_VERDICT_HDR,
                                                struct.pack("!II", NF_ACCEPT, pid)))

    def packets(self):
        """Packet ids of the messages waiting on the socket (non-blocking)."""
        ids = []
        while True:
            try:
                data = self.sock.recv(1 << 20, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return ids
            except OSError as e:
                if e.errno == errno.ENOBUFS:
                    continue  # lost messages: a later batch verdict releases them
                raise
            off = 0
            while off + HDR.size <= len(data):
                ln, mtype, _, _, _ = HDR.unpack_from(data, off)
                if ln < HDR.size:
                    break
                if mtype == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
                    a = off + HDR.size + NFGEN.size
                    end = off + ln
                    while a + ATTR.size <= end:
                        alen, atype = ATTR.unpack_from(data, a)
                        if alen < ATTR.size:
                            break
                        if (atype & 0x3FFF) == NFQA_PACKET_HDR:
                            ids.append(struct.unpack_from("!I", data, a + ATTR.size)[0])
                            break
                        a += (alen + 3) & ~3
                off += (ln + 3) & ~3


def main():
    ap = argparse.ArgumentParser(description="hold NFQUEUE packets for a fixed delay")
    ap.add_argument("--queue", type=int, default=7)
    ap.add_argument("--delay-ms", type=float, default=50.0)
    ap.add_argument("--max-seconds", type=float, default=900.0)
    ap.add_argument("--maxlen", type=int, default=65536)
    a = ap.parse_args()
    if not 0 <= a.queue <= 65535 or not 0 <= a.delay_ms <= 10000 or a.max_seconds <= 0:
        sys.exit("netdelay: --queue 0..65535, --delay-ms 0..10000, --max-seconds > 0")

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    try:
        q = Queue(a.queue)
        q.bind(a.maxlen)
    except OSError as e:
        print("netdelay: cannot bind queue %d: %s" % (a.queue, e), file=sys.stderr)
        sys.exit(2)
    delay = a.delay_ms / 1000.0
    end = time.monotonic() + a.max_seconds
    held = collections.deque()  # (release time, packet id), ids increasing
    last_id = None
    n = most = 0
    print("netdelay: ready: queue %d, delay %g ms, for at most %g s"
          % (a.queue, a.delay_ms, a.max_seconds), flush=True)
    try:
        while not stop:
            now = time.monotonic()
            if now >= end:
                break
            upto = None
            while held and held[0][0] <= now:
                upto = held.popleft()[1]
            if upto is not None:
                q.accept_upto(upto)
            wait = held[0][0] - now if held else 0.5
            wait = max(0.0, min(wait, end - now))
            try:
                r, _, _ = select.select([q.sock], [], [], wait)
            except InterruptedError:
                continue
            if r:
                t = time.monotonic() + delay
                for pid in q.packets():
                    held.append((t, pid))
                    last_id = pid
                    n += 1
                if len(held) > most:
                    most = len(held)
    finally:
        if last_id is not None:
            try:
                q.accept_upto(last_id)
            except OSError:
                pass
        q.unbind()
        print("netdelay: %d packets delayed by %g ms, at most %d held at once"
              % (n, a.delay_ms, most), file=sys.stderr)


if __name__ == "__main__":
    main()
