#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink requests to psmon, for what psctl never sends.

    psmon_genl.py strict              refusals of malformed requests
    psmon_genl.py dump-intr           a prefix dump changed under it is flagged
    psmon_genl.py lag-dump-resume     a LAG removed between two chunks of a
                                      LAG dump skips no other LAG
    psmon_genl.py del-each PREFIX...  one PREFIX_DEL request per prefix
                                      (IPv4 /32s), prints the seconds taken
    psmon_genl.py batch               one request per line of standard
                                      input (see batch()), one result line
                                      each; every reply is scanned for
                                      kernel addresses and foreign devices
    psmon_genl.py listen SECONDS      count (and scan) the events the
                                      namespace sends in SECONDS
    psmon_genl.py fdpass              CAP_NET_ADMIN is checked against the
                                      opener of the socket and the sender
    psmon_genl.py oldsock             a socket of this namespace, kept
                                      across unshare(user, net), has no
                                      rights here
    psmon_genl.py dump-grow N DEV...  a prefix dump of N prefixes with the
                                      LAGs DEV... attached after its first
                                      chunk: every prefix listed, those
                                      after carry every LAG
    psmon_genl.py del-add DEL ADD     PREFIX_DEL of DEL and PREFIX_NEW of
                                      ADD in one datagram: both succeed,
                                      ADD's ack carries no message
    psmon_genl.py team-mode DEV MODE  set the mode of team DEV (the "team"
                                      family's "mode" option, as teamnl
                                      does)

Run in the network namespace to test.  Each check prints "# ..." lines;
the exit status is 0 when all passed.
"""

import errno
import ipaddress
import os
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10
SOL_NETLINK = 270
GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
NETLINK_ADD_MEMBERSHIP = 1

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP_INTR = 0x10
NLM_F_REPLACE = 0x100
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSGERR_ATTR_MSG = 1
NLM_F_ACK_TLVS = 0x200
NLM_F_CAPPED = 0x100

# kmod/uapi/linux/psmon.h
CMD_LAG_NEW, CMD_LAG_SET, CMD_LAG_DEL, CMD_LAG_GET = 1, 2, 3, 4
CMD_PREFIX_NEW, CMD_PREFIX_DEL, CMD_PREFIX_GET = 5, 6, 7
CMD_LAG_ACK, CMD_PREFIX_FLUSH = 8, 10
A_LAG, A_PREFIX = 1, 2
A_LAG_IFINDEX, A_LAG_IFNAME, A_LAG_THRESHOLD = 2, 3, 7
A_LAG_WINDOW, A_LAG_MEMBER = 9, 10
A_PREFIX_FAMILY, A_PREFIX_ADDR, A_PREFIX_PLEN, A_PREFIX_NAME = 2, 3, 4, 5
A_PREFIX_LAG = 10
# The ifindex and ifname of a LAG, of a member, of a prefix's LAG nest.
A_IFINDEX, A_IFNAME = 2, 3

FAILED = []


def attr(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


def nest(atype, *attrs):
    return attr(atype | 0x8000, b"".join(attrs))


def prefix_nest(text, name=None):
    net = ipaddress.ip_network(text)
    fam = socket.AF_INET if net.version == 4 else socket.AF_INET6
    parts = [attr(A_PREFIX_FAMILY, struct.pack("B", fam)),
             attr(A_PREFIX_ADDR, net.network_address.packed),
             attr(A_PREFIX_PLEN, struct.pack("B", net.prefixlen))]
    if name:
        parts.append(attr(A_PREFIX_NAME, name.encode() + b"\0"))
    return nest(A_PREFIX, *parts)


def parse_attrs(data):
    out = []
    while len(data) >= 4:
        alen, atype = struct.unpack_from("=HH", data)
        if alen < 4:
            break
        out.append((atype & 0x3fff, data[4:alen]))
        data = data[(alen + 3) & ~3:]
    return out


# include/uapi/linux/if_team.h
TEAM_CMD_OPTIONS_SET = 1
TEAM_ATTR_TEAM_IFINDEX, TEAM_ATTR_LIST_OPTION = 1, 2
TEAM_ATTR_ITEM_OPTION = 1
TEAM_ATTR_OPTION_NAME, TEAM_ATTR_OPTION_TYPE, TEAM_ATTR_OPTION_DATA = 1, 3, 4
NLA_STRING = 5


class Genl:
    def __init__(self, rcvbuf=None, sock=None, name="psmon"):
        self.s = sock or socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                       NETLINK_GENERIC)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        if not sock:
            self.s.bind((0, 0))
        self.seq = int(time.time())
        self.family = GENL_ID_CTRL
        reply = self.request(CTRL_CMD_GETFAMILY,
                             attr(CTRL_ATTR_FAMILY_NAME,
                                  name.encode() + b"\0"),
                             family=GENL_ID_CTRL)
        fid = None
        self.groups = {}
        for mtype, flags, payload in reply[0]:
            for atype, val in parse_attrs(payload[4:]):
                if atype == CTRL_ATTR_FAMILY_ID:
                    fid = struct.unpack("=H", val[:2])[0]
                if atype == CTRL_ATTR_MCAST_GROUPS:
                    for _, grp in parse_attrs(val):
                        g = dict(parse_attrs(grp))
                        gname = g[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0")
                        self.groups[gname.decode()] = struct.unpack(
                            "=I", g[CTRL_ATTR_MCAST_GRP_ID][:4])[0]
        if fid is None:
            raise RuntimeError("no %s family" % name)
        self.family = fid

    def pack(self, cmd, payload=b"", flags=NLM_F_REQUEST | NLM_F_ACK,
             family=None, reserved=0):
        self.seq += 1
        genl = struct.pack("=BBH", cmd, 1, reserved)
        msg = struct.pack("=IHHII", 16 + 4 + len(payload),
                          family or self.family, flags, self.seq, 0)
        return msg + genl + payload

    def send(self, cmd, payload=b"", flags=NLM_F_REQUEST | NLM_F_ACK,
             family=None, reserved=0):
        self.s.send(self.pack(cmd, payload, flags, family, reserved))
        return self.seq

    def acks(self, n):
        """The next n acks: list of (errno, extack message)."""
        out = []
        while len(out) < n:
            for mtype, mflags, body in self.recv():
                if mtype != NLMSG_ERROR:
                    continue
                msg = ""
                if mflags & NLM_F_ACK_TLVS:
                    for atype, val in parse_attrs(body[20:]):
                        if atype == NLMSGERR_ATTR_MSG:
                            msg = val.rstrip(b"\0").decode()
                out.append((-struct.unpack_from("=i", body)[0], msg))
        return out

    def recv(self, size=1 << 20):
        """One datagram: list of (type, flags, payload)."""
        data = self.s.recv(size)
        out = []
        while len(data) >= 16:
            mlen, mtype, mflags, _, _ = struct.unpack_from("=IHHII", data)
            out.append((mtype, mflags, data[16:mlen]))
            data = data[(mlen + 3) & ~3:]
        return out

    def request(self, cmd, payload=b"", flags=NLM_F_REQUEST | NLM_F_ACK,
                family=None, reserved=0):
        """Returns (messages, errno, extack message)."""
        self.send(cmd, payload, flags, family, reserved)
        msgs = []
        while True:
            for mtype, mflags, body in self.recv():
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", body)[0]
                    msg = ""
                    if mflags & NLM_F_ACK_TLVS:
                        for atype, val in parse_attrs(body[20:]):
                            if atype == NLMSGERR_ATTR_MSG:
                                msg = val.rstrip(b"\0").decode()
                    return msgs, err, msg
                if mtype == NLMSG_DONE:
                    return msgs, 0, ""
                msgs.append((mtype, mflags, body))


def expect(what, got_err, got_msg, want_err, want_msg):
    ok = got_err == want_err and want_msg in got_msg
    print("# %s: %s (errno %d, \"%s\")" % ("ok" if ok else "FAILED", what,
                                           got_err, got_msg))
    if not ok:
        print("#   wanted errno %d with \"%s\"" % (want_err, want_msg))
        FAILED.append(what)


def registered(g, text):
    _, err, _ = g.request(CMD_PREFIX_GET, prefix_nest(text))
    return err == 0


def strict():
    g = Genl()
    p = "198.51.100.0/24"
    g.request(CMD_PREFIX_DEL, prefix_nest(p))

    _, err, msg = g.request(CMD_PREFIX_NEW, prefix_nest(p), reserved=1)
    expect("PREFIX_NEW with genlmsghdr.reserved set", err, msg, errno.EINVAL,
           "reserved")
    _, err, msg = g.request(CMD_PREFIX_NEW, prefix_nest(p),
                            flags=NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE)
    expect("PREFIX_NEW with an unknown nlmsg flag", err, msg, errno.EINVAL,
           "nlmsg_flags")
    _, err, msg = g.request(CMD_PREFIX_NEW, prefix_nest(p) +
                            nest(A_LAG, attr(A_LAG_IFNAME, b"lo\0")))
    expect("PREFIX_NEW with a LAG attribute", err, msg, errno.EINVAL,
           "attribute")
    _, err, msg = g.request(CMD_PREFIX_NEW, prefix_nest(p) + attr(7, b"\0" * 4))
    expect("PREFIX_NEW with an unknown attribute", err, msg, errno.EINVAL,
           "attribute")
    short = nest(A_PREFIX, attr(A_PREFIX_FAMILY, struct.pack("B", 2)),
                 attr(A_PREFIX_ADDR, b"\xc6\x33"),
                 attr(A_PREFIX_PLEN, struct.pack("B", 16)))
    _, err, msg = g.request(CMD_PREFIX_NEW, short)
    expect("PREFIX_NEW with a 2-byte address", err, msg, errno.ERANGE,
           "out of range")
    if registered(g, p):
        print("# FAILED: a refused PREFIX_NEW registered the prefix")
        FAILED.append("refused add registered")

    _, err, msg = g.request(CMD_PREFIX_NEW, prefix_nest(p, "strict"))
    expect("PREFIX_NEW, well formed", err, msg, 0, "")
    _, err, msg = g.request(CMD_PREFIX_DEL, prefix_nest(p, "strict"))
    expect("PREFIX_DEL with a name (PREFIX_NEW's attribute)", err, msg,
           errno.EINVAL, "attribute")
    _, err, msg = g.request(CMD_PREFIX_DEL, prefix_nest(p) +
                            nest(A_LAG, attr(A_LAG_IFNAME, b"lo\0")))
    expect("PREFIX_DEL with a LAG attribute", err, msg, errno.EINVAL,
           "attribute")
    _, err, msg = g.request(CMD_PREFIX_FLUSH, prefix_nest(p))
    expect("PREFIX_FLUSH with an attribute", err, msg, errno.EINVAL, "")
    if not registered(g, p):
        print("# FAILED: a refused PREFIX_DEL or FLUSH removed the prefix")
        FAILED.append("refused del removed")
    _, err, msg = g.request(CMD_LAG_DEL, nest(A_LAG,
                                              attr(A_LAG_IFNAME, b"d0\0"),
                                              attr(A_LAG_THRESHOLD, b"\x32")))
    expect("LAG_DEL with a threshold (LAG_SET's attribute)", err, msg,
           errno.EINVAL, "attribute")
    _, err, msg = g.request(CMD_LAG_ACK, nest(A_LAG, attr(A_LAG_IFNAME,
                                                          b"d0\0")),
                            reserved=7)
    expect("LAG_ACK with genlmsghdr.reserved set", err, msg, errno.EINVAL,
           "reserved")
    _, err, msg = g.request(CMD_PREFIX_DEL, prefix_nest(p))
    expect("PREFIX_DEL, well formed", err, msg, 0, "")
    return 1 if FAILED else 0


def dump_chunks(g, cmd):
    """Start a dump; yield each datagram's messages."""
    seq = g.send(cmd, flags=NLM_F_REQUEST | NLM_F_DUMP)
    while True:
        msgs = [m for m in g.recv()]
        yield msgs
        if any(t == NLMSG_DONE or t == NLMSG_ERROR for t, _, _ in msgs):
            return


def lag_ifindex(body):
    for atype, val in parse_attrs(body[4:]):
        if atype == A_LAG:
            for btype, bval in parse_attrs(val):
                if btype == A_LAG_IFINDEX:
                    return struct.unpack("=I", bval)[0]
    return None


def dump_intr():
    """A prefix added between two chunks of a dump is flagged."""
    g, other = Genl(), Genl()
    chunks = 0
    intr = False
    total = 0
    for msgs in dump_chunks(g, CMD_PREFIX_GET):
        chunks += 1
        total += sum(1 for t, _, _ in msgs if t == g.family)
        if any(f & NLM_F_DUMP_INTR for _, f, _ in msgs):
            intr = True
        if chunks == 1:
            _, err, msg = other.request(CMD_PREFIX_NEW,
                                        prefix_nest("203.0.113.77/32"))
            if err:
                print("# FAILED: cannot add a prefix: %d %s" % (err, msg))
                return 1
    other.request(CMD_PREFIX_DEL, prefix_nest("203.0.113.77/32"))
    print("# %d chunks, %d prefixes, interrupted flag %s" % (chunks, total,
                                                             intr))
    if chunks < 2:
        print("# FAILED: the dump fit one datagram; need more prefixes")
        return 1
    if not intr:
        print("# FAILED: a dump changed under it was not flagged")
        return 1
    return 0


def lag_dump_resume(victim):
    """Remove the LAG victim (an ifindex in the first chunk) mid-dump."""
    g, other = Genl(), Genl()
    before = []
    for msgs in dump_chunks(g, CMD_LAG_GET):
        before += [lag_ifindex(b) for t, _, b in msgs if t == g.family]
    seen = []
    chunks = 0
    for msgs in dump_chunks(g, CMD_LAG_GET):
        chunks += 1
        seen += [lag_ifindex(b) for t, _, b in msgs if t == g.family]
        if chunks == 1:
            if int(victim) not in seen:
                print("# FAILED: LAG %s not in the first chunk" % victim)
                return 1
            _, err, msg = other.request(CMD_LAG_DEL, nest(A_LAG, attr(
                A_LAG_IFINDEX, struct.pack("=I", int(victim)))))
            if err:
                print("# FAILED: cannot delete LAG %s: %s" % (victim, msg))
                return 1
    want = [i for i in before if i != int(victim)]
    got = [i for i in seen if i != int(victim)]
    print("# %d LAGs before, %d chunks, %d listed" % (len(before), chunks,
                                                      len(seen)))
    if got != want:
        missing = sorted(set(want) - set(got))
        print("# FAILED: LAGs missing %s, listed twice %s" % (
            missing[:5], len(got) - len(set(got))))
        return 1
    return 0


def dump_grow(want, names):
    g, other = Genl(), Genl()
    chunks = prefixes = most = status = 0
    for msgs in dump_chunks(g, CMD_PREFIX_GET):
        chunks += 1
        for mtype, _, body in msgs:
            if mtype in (NLMSG_DONE, NLMSG_ERROR) and len(body) >= 4:
                status = -struct.unpack_from("=i", body)[0]
            if mtype != g.family:
                continue
            prefixes += 1
            for atype, val in parse_attrs(body[4:]):
                if atype == A_PREFIX:
                    most = max(most, sum(1 for t, _ in parse_attrs(val)
                                         if t == A_PREFIX_LAG))
        if chunks == 1:
            for name in names:
                _, err, msg = other.request(CMD_LAG_NEW, nest(
                    A_LAG, attr(A_LAG_IFNAME, name.encode() + b"\0")))
                if err:
                    print("# FAILED: attach %s: %s" % (name, msg))
                    return 1
    print("# %d chunks, %d prefixes, at most %d LAGs in one, status %d" % (
        chunks, prefixes, most, status))
    if status or prefixes != want or most <= len(names):
        print("# FAILED: wanted %d prefixes, one with %d LAGs, status 0" % (
            want, len(names) + 1))
        return 1
    return 0


def del_each(prefixes):
    g = Genl()
    t0 = time.monotonic()
    for p in prefixes:
        _, err, msg = g.request(CMD_PREFIX_DEL, prefix_nest(p))
        if err:
            print("# FAILED: delete %s: %s" % (p, msg))
            return 1
    print("%.3f" % (time.monotonic() - t0))
    return 0


def kernel_addresses(data):
    """Offsets in data of 8-byte values that look like kernel addresses
    (x86-64: 0xffff800000000000 and up), at any byte offset."""
    found = []
    for off in range(len(data) - 7):
        v = struct.unpack_from("<Q", data, off)[0]
        if v >> 47 == 0x1ffff:
            found.append(off)
    return found


def leaves(data, parent=None):
    """The leaf attribute payloads of a psmon message body (after the
    genetlink header), nests walked (NLA_F_NESTED), without the address
    of a prefix nest: those are the requester's own bytes."""
    out = []
    while len(data) >= 4:
        alen, atype = struct.unpack_from("=HH", data)
        if alen < 4:
            break
        val = data[4:alen]
        if atype & 0x8000:
            out += leaves(val, atype & 0x3fff if parent is None else -1)
        elif not (parent == A_PREFIX and atype == A_PREFIX_ADDR):
            out.append(val)
        data = data[(alen + 3) & ~3:]
    return out


def message_addresses(body):
    """Kernel addresses in the attributes of a psmon message."""
    return [off for leaf in leaves(body[4:]) for off in kernel_addresses(leaf)]


def foreign_devices(body, links):
    """(ifindex, name) pairs of a LAG or prefix message that are not a
    device of this namespace (links: ifindex -> name)."""
    bad = []

    def check(attrs):
        d = dict(attrs)
        if A_IFINDEX in d and A_IFNAME in d:
            idx = struct.unpack("=I", d[A_IFINDEX][:4])[0]
            name = d[A_IFNAME].rstrip(b"\0").decode(errors="replace")
            if links.get(idx) != name:
                bad.append((idx, name))

    for atype, val in parse_attrs(body[4:]):
        if atype not in (A_LAG, A_PREFIX):
            continue
        inner = parse_attrs(val)
        if atype == A_LAG:
            check(inner)
        for btype, bval in inner:
            if btype == (A_LAG_MEMBER if atype == A_LAG else A_PREFIX_LAG):
                check(parse_attrs(bval))
    return bad


def dev_attr(dev):
    if dev.isdigit():
        return attr(A_LAG_IFINDEX, struct.pack("=I", int(dev)))
    return attr(A_LAG_IFNAME, dev.encode() + b"\0")


def range_prefixes(base, count):
    """count /32s from base, an IPv4 address."""
    first = int(ipaddress.ip_address(base))
    return ["%s/32" % ipaddress.ip_address(first + i) for i in range(count)]


def batch_request(g, words):
    """One request; returns (errno, extack message, messages)."""
    op, args = words[0], words[1:]
    dump = NLM_F_REQUEST | NLM_F_DUMP
    if op == "lag-new":
        return g.request(CMD_LAG_NEW, nest(A_LAG, dev_attr(args[0])))
    if op == "lag-set":
        return g.request(CMD_LAG_SET, nest(A_LAG, dev_attr(args[0]), attr(
            A_LAG_WINDOW, struct.pack("=I", int(args[1])))))
    if op == "lag-del":
        return g.request(CMD_LAG_DEL, nest(A_LAG, dev_attr(args[0])))
    if op == "lag-ack":
        return g.request(CMD_LAG_ACK, nest(A_LAG, dev_attr(args[0])))
    if op == "lag-get":
        return g.request(CMD_LAG_GET, nest(A_LAG, dev_attr(args[0])))
    if op in ("prefix-new", "prefix-del", "prefix-new-range",
              "prefix-del-range"):
        cmd = CMD_PREFIX_NEW if op.startswith("prefix-new") else \
            CMD_PREFIX_DEL
        ps = range_prefixes(args[0], int(args[1])) \
            if op.endswith("-range") else args
        return g.request(cmd, b"".join(prefix_nest(p) for p in ps))
    if op == "prefix-get":
        return g.request(CMD_PREFIX_GET, prefix_nest(args[0]))
    if op == "flush":
        return g.request(CMD_PREFIX_FLUSH)
    if op == "lag-dump":
        return g.request(CMD_LAG_GET, flags=dump)
    if op == "prefix-dump":
        return g.request(CMD_PREFIX_GET, flags=dump)
    if op == "join":
        try:
            g.s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                           g.groups["events"])
        except OSError as e:
            return [], e.errno, ""
        return [], 0, ""
    raise ValueError("unknown request " + op)


def batch():
    """Requests from standard input, one a line:

        lag-new DEV | lag-set DEV WINDOW | lag-del DEV | lag-ack DEV |
        lag-get DEV | prefix-new PREFIX... | prefix-del PREFIX... |
        prefix-new-range ADDR N | prefix-del-range ADDR N (N /32s from
        ADDR) | prefix-get PREFIX | flush | lag-dump | prefix-dump | join

    DEV is a name or an ifindex. For each, one line on standard output:
    "REQUEST<TAB>ERRNO-NAME<TAB>EXTACK<TAB>OBJECTS" (OBJECTS: psmon
    messages in the reply). Any reply holding a kernel address or a
    device (ifindex and name) that is not one of this namespace's is
    reported with "# FAILED", and the exit status is then 1.
    """
    g = Genl()
    g.s.settimeout(60)
    links = dict(socket.if_nameindex())
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        try:
            msgs, err, msg = batch_request(g, words)
        except socket.timeout:
            print("# FAILED: %s: no answer in 60 s" % words[0])
            return 1
        objs = [b for t, _, b in msgs if t == g.family]
        name = errno.errorcode.get(err, str(err)) if err else "0"
        print("%s\t%s\t%s\t%d" % (" ".join(words), name, msg, len(objs)))
        found = [o for b in objs for o in message_addresses(b)] + \
            kernel_addresses(msg.encode())
        if found:
            print("# FAILED: %s: a kernel address at offsets %s" % (
                words[0], found[:4]))
            FAILED.append(words[0])
        for body in objs:
            bad = foreign_devices(body, links)
            if bad:
                print("# FAILED: %s: devices not in this namespace: %s" % (
                    words[0], bad[:4]))
                FAILED.append(words[0])
    return 1 if FAILED else 0


def listen(seconds):
    """Join the events group; print the number of events in seconds."""
    g = Genl()
    g.s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g.groups["events"])
    links = dict(socket.if_nameindex())
    print("listening", flush=True)
    g.s.settimeout(0.2)
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            msgs = g.recv()
        except socket.timeout:
            continue
        for t, _, body in msgs:
            if t != g.family:
                continue
            n += 1
            if message_addresses(body):
                print("# FAILED: an event holds a kernel address")
                FAILED.append("event")
            for idx, name in foreign_devices(body, links):
                # The LAG of an event may be gone by now: only its
                # index must not name another device of this namespace.
                if idx in links:
                    print("# FAILED: event names %d %s" % (idx, name))
                    FAILED.append("event")
    print("events %d" % n)
    return 1 if FAILED else 0


def try_prefix_new(g, p):
    _, err, _ = g.request(CMD_PREFIX_NEW, prefix_nest(p))
    if not err:
        g.request(CMD_PREFIX_DEL, prefix_nest(p))
    return err


def fdpass():
    """As root: a socket opened without CAP_NET_ADMIN stays without it in
    the hands of a privileged process, and a privileged socket is of no
    use to a process without the capability."""
    p = "203.0.113.0/24"
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    pid = os.fork()
    if pid == 0:
        os.setgroups([])
        os.setresgid(65534, 65534, 65534)
        os.setresuid(65534, 65534, 65534)
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                          NETLINK_GENERIC)
        socket.send_fds(b, [b"fd"], [s.fileno()])
        os._exit(0)
    _, fds, _, _ = socket.recv_fds(a, 16, 1)
    os.waitpid(pid, 0)
    sock = socket.socket(fileno=fds[0])
    err = try_prefix_new(Genl(sock=sock), p)
    expect("root sending on a socket nobody opened", err, "", errno.EPERM,
           "")
    own = Genl()
    err = try_prefix_new(own, p)
    expect("root sending on its own socket", err, "", 0, "")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setgroups([])
        os.setresgid(65534, 65534, 65534)
        os.setresuid(65534, 65534, 65534)
        os.write(w, bytes([try_prefix_new(own, p)]))
        os._exit(0)
    os.waitpid(pid, 0)
    err = os.read(r, 1)[0]
    expect("nobody sending on a socket root opened", err, "", errno.EPERM,
           "")
    return 1 if FAILED else 0


def oldsock():
    """Run as a user without capabilities: open a socket here, enter a
    user and network namespace of its own (unshare -Urn does the same),
    and use both sockets."""
    import ctypes
    clone_newuser, clone_newnet = 0x10000000, 0x40000000
    p = "203.0.113.0/24"
    old = Genl()
    before = len([1 for t, _, _ in old.request(
        CMD_PREFIX_GET, flags=NLM_F_REQUEST | NLM_F_DUMP)[0]
        if t == old.family])
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(clone_newuser | clone_newnet):
        print("# FAILED: unshare: %s" % os.strerror(ctypes.get_errno()))
        return 1
    new = Genl()
    _, err, msg = new.request(CMD_PREFIX_NEW, prefix_nest(p))
    expect("PREFIX_NEW in the new namespace, its own root", err, msg, 0, "")
    for what, payload, cmd in (
            ("PREFIX_NEW", prefix_nest(p), CMD_PREFIX_NEW),
            ("PREFIX_FLUSH", b"", CMD_PREFIX_FLUSH),
            ("LAG_NEW", nest(A_LAG, dev_attr("lo")), CMD_LAG_NEW)):
        _, err, msg = old.request(cmd, payload)
        expect("%s on the socket kept from before" % what, err, msg,
               errno.EPERM, "")
    msgs = new.request(CMD_PREFIX_GET, flags=NLM_F_REQUEST | NLM_F_DUMP)[0]
    seen_new = len([1 for t, _, _ in msgs if t == new.family])
    msgs = old.request(CMD_PREFIX_GET, flags=NLM_F_REQUEST | NLM_F_DUMP)[0]
    seen_old = len([1 for t, _, _ in msgs if t == old.family])
    print("# prefixes: %d before, %d through the old socket after, "
          "%d in the new namespace" % (before, seen_old, seen_new))
    if seen_new != 1 or seen_old != before:
        FAILED.append("dumps")
    return 1 if FAILED else 0


def del_add(old, new):
    """Removed, the old prefix holds its memory for a grace period: an
    add that needs it right away waits for it and then succeeds, and its
    ack says nothing of the first refusal."""
    g = Genl()
    g.s.send(g.pack(CMD_PREFIX_DEL, prefix_nest(old)) +
             g.pack(CMD_PREFIX_NEW, prefix_nest(new)))
    (derr, dmsg), (aerr, amsg) = g.acks(2)
    print("# del %s: errno %d \"%s\"; add %s: errno %d \"%s\"" % (
        old, derr, dmsg, new, aerr, amsg))
    return 0 if derr == 0 and aerr == 0 and amsg == "" else 1


def team_mode(dev, mode):
    g = Genl(name="team")
    opt = nest(TEAM_ATTR_ITEM_OPTION,
               attr(TEAM_ATTR_OPTION_NAME, b"mode\0"),
               attr(TEAM_ATTR_OPTION_TYPE, struct.pack("B", NLA_STRING)),
               attr(TEAM_ATTR_OPTION_DATA, mode.encode() + b"\0"))
    _, err, msg = g.request(TEAM_CMD_OPTIONS_SET, attr(
        TEAM_ATTR_TEAM_IFINDEX, struct.pack("=I", socket.if_nametoindex(dev)))
        + nest(TEAM_ATTR_LIST_OPTION, opt))
    # Team answers with its change event's -ESRCH when no one listens to
    # it (teamd always does), after the option was set.
    if err and err != errno.ESRCH:
        print("# FAILED: team %s mode %s: errno %d %s" % (dev, mode, err, msg))
        return 1
    return 0


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 1
    what = sys.argv[1]
    if what == "strict":
        return strict()
    if what == "dump-intr":
        return dump_intr()
    if what == "lag-dump-resume":
        return lag_dump_resume(sys.argv[2])
    if what == "del-each":
        return del_each(sys.argv[2:])
    if what == "batch":
        return batch()
    if what == "listen":
        return listen(float(sys.argv[2]))
    if what == "fdpass":
        return fdpass()
    if what == "oldsock":
        return oldsock()
    if what == "dump-grow":
        return dump_grow(int(sys.argv[2]), sys.argv[3:])
    if what == "del-add" and len(sys.argv) == 4:
        return del_add(sys.argv[2], sys.argv[3])
    if what == "team-mode" and len(sys.argv) == 4:
        return team_mode(sys.argv[2], sys.argv[3])
    print(__doc__.strip(), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
