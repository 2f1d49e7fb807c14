#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send TCP/IPv4 frames with a crafted virtio-net header (SKB_GSO_DODGY).

    psmon_gsosend.py DEV SRC_IP DST_IP COUNT LEN GSO_SIZE [CSUM_START]

A packet socket with PACKET_VNET_HDR hands the kernel GSO metadata chosen
by the sender, as any user may in a user and network namespace of its own:
each frame is LEN bytes (Ethernet, IPv4, TCP and payload) announced as a
TCPv4 super-packet of GSO_SIZE-byte segments, with its checksum to be
filled at CSUM_START (34, the real TCP header, by default; a larger value
makes the kernel take that offset for the transport header).  The device
may refuse the frames; what matters is what was counted on the way.
Prints the number of frames the socket accepted.
"""

import ipaddress
import socket
import struct
import sys

SOL_PACKET = 263
PACKET_VNET_HDR = 15
VIRTIO_NET_HDR_F_NEEDS_CSUM = 1
VIRTIO_NET_HDR_GSO_TCPV4 = 1
ETH_P_IP = 0x0800


def frame(src, dst, length):
    tcp = struct.pack("!HHIIBBHHH", 40000, 5001, 1, 0, 5 << 4, 0x18,
                      65535, 0, 0)
    payload = bytes(length - 14 - 20 - len(tcp))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length - 14, 1, 0x4000, 64,
                     socket.IPPROTO_TCP, 0, src.packed, dst.packed)
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + \
        struct.pack("!H", ETH_P_IP)
    return eth + ip + tcp + payload


def main():
    if len(sys.argv) not in (7, 8):
        print(__doc__.strip(), file=sys.stderr)
        return 1
    dev = sys.argv[1]
    src = ipaddress.IPv4Address(sys.argv[2])
    dst = ipaddress.IPv4Address(sys.argv[3])
    count, length, gso_size = (int(a) for a in sys.argv[4:7])
    csum_start = int(sys.argv[7]) if len(sys.argv) == 8 else 34

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.bind((dev, 0))
    # struct virtio_net_hdr, host byte order: flags, gso_type, hdr_len,
    # gso_size, csum_start, csum_offset (that of tcphdr.check).
    vnet = struct.pack("=BBHHHH", VIRTIO_NET_HDR_F_NEEDS_CSUM,
                       VIRTIO_NET_HDR_GSO_TCPV4, 54, gso_size, csum_start, 16)
    data = vnet + frame(src, dst, length)
    sent = 0
    for _ in range(count):
        try:
            s.send(data)
            sent += 1
        except OSError:
            pass
    print(sent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
