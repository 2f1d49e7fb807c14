#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink requests to psmon, for what psctl never sends.

    psmon_genl.py strict              refusals of malformed requests
    psmon_genl.py dump-intr           a prefix dump changed under it is flagged
    psmon_genl.py lag-dump-resume     a LAG removed between two chunks of a
                                      LAG dump skips no other LAG
    psmon_genl.py del-each PREFIX...  one PREFIX_DEL request per prefix
                                      (IPv4 /32s), prints the seconds taken
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
A_PREFIX_LAG = 10
A_PREFIX_FAMILY, A_PREFIX_ADDR, A_PREFIX_PLEN, A_PREFIX_NAME = 2, 3, 4, 5

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
    def __init__(self, rcvbuf=None, name="psmon"):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.bind((0, 0))
        self.seq = int(time.time())
        self.family = GENL_ID_CTRL
        reply = self.request(CTRL_CMD_GETFAMILY,
                             attr(CTRL_ATTR_FAMILY_NAME,
                                  name.encode() + b"\0"),
                             family=GENL_ID_CTRL)
        fid = None
        for mtype, flags, payload in reply[0]:
            for atype, val in parse_attrs(payload[4:]):
                if atype == CTRL_ATTR_FAMILY_ID:
                    fid = struct.unpack("=H", val[:2])[0]
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
