#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send ICMP echo requests as raw Ethernet frames with inline 802.1Q tags.

    psmon_rawsend.py DEV DST_MAC VLAN[.INNER] SRC_IP DST_IP COUNT [PAYLOAD]

The frames leave DEV through a packet socket, so the tag is in the frame
itself (not in the skb's VLAN metadata, as with a VLAN device on top of a
device that inserts tags in hardware).  PAYLOAD bytes of ICMP data (100 by
default): an IPv4 frame is 14 + 4 + 20 + 8 + PAYLOAD bytes, an IPv6 frame
14 + 4 + 40 + 8 + PAYLOAD.  With VLAN.INNER the frame has two 802.1Q tags
(4 bytes more).  Run it in the sender's network namespace.
"""

import ipaddress
import socket
import struct
import sys

ETH_P_8021Q = 0x8100
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def echo_v4(src, dst, seq, payload):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x5053, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0x4000,
                      64, socket.IPPROTO_ICMP, 0, src.packed, dst.packed)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return ETH_P_IP, hdr + icmp


def echo_v6(src, dst, seq, payload):
    icmp = struct.pack("!BBHHH", 128, 0, 0, 0x5053, seq) + payload
    pseudo = src.packed + dst.packed + struct.pack("!I3xB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", csum(pseudo + icmp)) + icmp[4:]
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(icmp), 58, 64,
                      src.packed, dst.packed)
    return ETH_P_IPV6, hdr + icmp


def main(argv):
    if len(argv) not in (7, 8):
        sys.stderr.write(__doc__)
        return 2
    dev, dst_mac = argv[1], bytes.fromhex(argv[2].replace(":", ""))
    vlans = [int(v) for v in argv[3].split(".")]
    src, dst = ipaddress.ip_address(argv[4]), ipaddress.ip_address(argv[5])
    count = int(argv[6])
    payload = bytes(range(256)) * 64
    payload = payload[:int(argv[7]) if len(argv) == 8 else 100]
    with open("/sys/class/net/%s/address" % dev) as f:
        src_mac = bytes.fromhex(f.read().strip().replace(":", ""))

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    for seq in range(1, count + 1):
        if src.version == 4:
            proto, packet = echo_v4(src, dst, seq, payload)
        else:
            proto, packet = echo_v6(src, dst, seq, payload)
        tags = b"".join(struct.pack("!HH", ETH_P_8021Q, v) for v in vlans)
        frame = dst_mac + src_mac + tags + struct.pack("!H", proto) + packet
        s.send(frame)
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
