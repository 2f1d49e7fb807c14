// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed frames out of one interface, on an AF_PACKET raw socket with
 * PACKET_VNET_HDR (every frame is preceded by a virtio-net header):
 *
 *   psmon_pktfuzz -i DEV [-s SEED] [-n FRAMES]
 *
 * Frames: truncated Ethernet headers, stacked 802.1Q/802.1ad tags ending
 * in nothing or in a cut IP header, IPv4 with bogus IHL and total length,
 * IPv6 with chains of extension headers of random lengths, random bytes,
 * and GSO frames (TCPv4, TCPv6, UDP, UDP_L4, with or without ECN) whose
 * virtio-net header has random gso_size, hdr_len, csum_start and
 * csum_offset, up to 16 KiB.  The kernel refuses some before they reach
 * the device (EINVAL, EMSGSIZE: "refused") and drops others after its
 * egress hook ("dropped", e.g. a GSO frame that cannot be segmented).
 *
 * The last lines are "sent N frames B bytes gso G refused R dropped D
 * ..." (the frames accepted, without the virtio-net header) and "at most F
 * frames W bytes on the wire": what the receiver of DEV's frames, or a
 * counter at DEV's egress, can at most have seen of the frames sent and
 * dropped once GSO frames are segmented (see bound()).  Exit status 0, or 2 on a setup
 * error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "splitmix.h"

#define MAX_FRAME	16384

static void fill(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)rnd();
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static unsigned char chance_unicast(unsigned char b)
{
	/* Mostly unicast; sometimes multicast or broadcast-like. */
	return below(8) ? (unsigned char)(b & 0xfe) : b;
}

/* Destination and source MAC, then tags; returns the offset after them. */
static size_t ether(unsigned char *f, uint16_t proto, unsigned int tags)
{
	size_t off = 12;
	unsigned int i;

	fill(f, 12);
	f[0] = chance_unicast(f[0]);
	for (i = 0; i < tags; i++) {
		put16(f + off, below(2) ? ETH_P_8021Q : ETH_P_8021AD);
		put16(f + off + 2, (uint16_t)below(4096));
		off += 4;
	}
	put16(f + off, proto);
	return off + 2;
}

/* IPv4 header at p with a bogus IHL or total length now and then. */
static size_t ipv4(unsigned char *p, size_t room, uint8_t proto)
{
	unsigned int ihl = below(4) ? 5 : below(16);

	if (room < 20)
		return 0;
	fill(p, 20);
	p[0] = (unsigned char)(0x40 | ihl);
	put16(p + 2, below(4) ? (uint16_t)room : (uint16_t)rnd());
	p[6] = below(2) ? 0x40 : p[6];	/* DF, or random fragment bits */
	p[8] = 64;
	p[9] = proto;
	return 20;
}

/* IPv6 header and a chain of extension headers. */
static size_t ipv6(unsigned char *p, size_t room, uint8_t last)
{
	static const uint8_t ext[] = { 0, 43, 44, 60, 51, 50, 59, 135, 139 };
	size_t off = 40, len;
	unsigned int n = below(6), i;
	uint8_t *next;

	if (room < 40)
		return 0;
	fill(p, 40);
	p[0] = 0x60;
	put16(p + 4, below(4) ? (uint16_t)(room - 40) : (uint16_t)rnd());
	next = &p[6];
	for (i = 0; i < n; i++) {
		*next = ext[below(sizeof(ext))];
		len = 8 * (1 + below(4));
		if (off + len > room)
			break;
		fill(p + off, len);
		p[off + 1] = (uint8_t)(below(4) ? len / 8 - 1 : rnd());
		next = &p[off];
		off += len;
	}
	*next = last;
	return off;
}

struct frame {
	struct virtio_net_hdr vh;
	unsigned char data[MAX_FRAME];
	size_t len;
	bool gso;
};

static void malformed(struct frame *fr)
{
	unsigned char *f = fr->data;
	size_t off, l3, cap = 64 + below(1400);

	memset(&fr->vh, 0, sizeof(fr->vh));
	fr->gso = false;
	switch (below(6)) {
	case 0:	/* a truncated Ethernet header */
		fr->len = below(15);
		fill(f, fr->len);
		return;
	case 1:	/* stacked tags, then nothing, garbage or a cut header */
		off = ether(f, below(2) ? ETH_P_IP : ETH_P_IPV6, 1 + below(6));
		fr->len = off + below(48);
		fill(f + off, fr->len - off);
		return;
	case 2:	/* IPv4, maybe tagged, cut anywhere */
		off = ether(f, ETH_P_IP, below(3) ? 0 : 1 + below(2));
		l3 = ipv4(f + off, cap, (uint8_t)(below(2) ? 6 : 17));
		fill(f + off + l3, cap - l3);
		fr->len = off + (below(3) ? cap : below((uint32_t)cap));
		return;
	case 3:	/* IPv6 with extension headers, cut anywhere */
		off = ether(f, ETH_P_IPV6, below(3) ? 0 : 1 + below(2));
		l3 = ipv6(f + off, cap, (uint8_t)(below(2) ? 6 : 17));
		fill(f + off + l3, cap - l3);
		fr->len = off + (below(3) ? cap : below((uint32_t)cap));
		return;
	case 4:	/* a header type the frame does not hold */
		off = ether(f, (uint16_t)rnd(), 0);
		fr->len = off + below(100);
		fill(f + off, fr->len - off);
		return;
	default:	/* random bytes */
		fr->len = below(1515);
		fill(f, fr->len);
		return;
	}
}

/* A GSO frame with a crafted virtio-net header. */
static void gso(struct frame *fr)
{
	static const uint8_t types[] = {
		VIRTIO_NET_HDR_GSO_TCPV4, VIRTIO_NET_HDR_GSO_TCPV6,
		VIRTIO_NET_HDR_GSO_UDP, 5 /* VIRTIO_NET_HDR_GSO_UDP_L4 */,
		VIRTIO_NET_HDR_GSO_NONE, 7 /* unknown */,
	};
	unsigned char *f = fr->data;
	bool v6 = below(2);
	uint8_t type = types[below(sizeof(types))];
	size_t off, l3, total = 200 + below(MAX_FRAME - 200);

	off = ether(f, v6 ? ETH_P_IPV6 : ETH_P_IP, below(4) ? 0 : 1);
	l3 = v6 ? 40 : 20;
	fill(f + off, l3);
	f[off] = v6 ? 0x60 : 0x45;
	if (v6)
		put16(f + off + 4, (uint16_t)(total - off - 40));
	fill(f + off + l3, total - off - l3);
	fr->len = total;
	fr->gso = true;
	if (below(4))
		type |= (uint8_t)(below(4) ? 0 : VIRTIO_NET_HDR_GSO_ECN);
	fr->vh.gso_type = type;
	if (below(10) < 7) {
		/* Consistent offsets: what a well-behaved VM would send. */
		bool udp = (type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_UDP ||
			   (type & ~VIRTIO_NET_HDR_GSO_ECN) == 5;

		fr->vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		fr->vh.gso_size = (uint16_t)(100 + below(1400));
		fr->vh.csum_start = (uint16_t)(off + l3);
		fr->vh.csum_offset = udp ? 6 : 16;
		fr->vh.hdr_len = (uint16_t)(off + l3 + (udp ? 8 : 20));
		if (!v6) {
			put16(f + off + 2, (uint16_t)(total - off));
			f[off + 6] = 0x40;
			f[off + 9] = udp ? 17 : 6;
		} else {
			f[off + 6] = udp ? 17 : 6;
		}
		if (!udp)
			f[off + l3 + 12] = 0x50;	/* TCP data offset 5 */
		return;
	}
	fr->vh.flags = (uint8_t)(below(4) ? VIRTIO_NET_HDR_F_NEEDS_CSUM : rnd());
	fr->vh.gso_size = (uint16_t)(below(4) ? 1 + below(1500) : rnd());
	fr->vh.hdr_len = (uint16_t)(below(2) ? off + l3 + 20 : rnd() % 512);
	fr->vh.csum_start = (uint16_t)(below(2) ? off + l3 : rnd() % 512);
	fr->vh.csum_offset = (uint16_t)(below(2) ? 16 : rnd() % 64);
}

/*
 * What one accepted frame can become on the wire: a GSO frame is cut into
 * at most len / gso_size + 1 segments, each repeating headers of at most
 * HDR_MAX bytes (Ethernet, two tags, IPv6 and its extension headers, TCP
 * with options) or csum_start and a TCP header with options; a frame shorter than an Ethernet header may be counted as
 * one.
 */
#define HDR_MAX	(14 + 8 + 40 + 5 * 32 + 60)

static void bound(const struct frame *fr, uint64_t *frames, uint64_t *bytes)
{
	uint64_t segs, hdr;

	if (fr->gso && (fr->vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) !=
		       VIRTIO_NET_HDR_GSO_NONE && fr->vh.gso_size) {
		segs = fr->len / fr->vh.gso_size + 1;
		/* The transport header starts at csum_start: it may be late. */
		hdr = fr->vh.csum_start + 60u > HDR_MAX ? fr->vh.csum_start + 60u : HDR_MAX;
		hdr = fr->len < hdr ? fr->len : hdr;
		*frames += segs;
		*bytes += fr->len + segs * hdr;
		return;
	}
	*frames += 1;
	*bytes += fr->len < 14 ? 14 : fr->len;
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL), count = 20000, i, sent = 0;
	uint64_t bytes = 0, gsos = 0, refused = 0, maxlen = 0;
	uint64_t wire_frames = 0, wire_bytes = 0, dropped = 0;
	static struct frame fr;
	struct sockaddr_ll sa = { .sll_family = AF_PACKET };
	const char *dev = NULL;
	int fd, one = 1, opt;
	ssize_t n;

	while ((opt = getopt(argc, argv, "i:s:n:")) != -1) {
		switch (opt) {
		case 'i':
			dev = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 0);
			break;
		default:
			dev = NULL;
			optind = argc + 1;
			break;
		}
	}
	if (!dev || optind != argc) {
		fprintf(stderr, "usage: psmon_pktfuzz -i DEV [-s SEED] [-n FRAMES]\n");
		return 2;
	}
	rng_state = seed;
	sa.sll_ifindex = (int)if_nametoindex(dev);
	sa.sll_protocol = htons(ETH_P_ALL);
	if (!sa.sll_ifindex) {
		fprintf(stderr, "%s: no such interface\n", dev);
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("AF_PACKET socket");
		return 2;
	}
	printf("seed %" PRIu64 ", %" PRIu64 " frames out of %s\n", seed, count, dev);
	fflush(stdout);
	for (i = 0; i < count; i++) {
		if (below(4))
			malformed(&fr);
		else
			gso(&fr);
		struct iovec iov[2] = {
			{ .iov_base = &fr.vh, .iov_len = sizeof(fr.vh) },
			{ .iov_base = fr.data, .iov_len = fr.len },
		};
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

		n = sendmsg(fd, &mh, 0);
		if (n < 0) {
			/*
			 * EINVAL, EMSGSIZE: refused before the device's egress
			 * hook.  Anything else (ENOBUFS: dropped by the stack,
			 * e.g. a GSO frame that cannot be segmented) came after
			 * it: an egress counter saw the frame.
			 */
			if (errno == EINVAL || errno == EMSGSIZE) {
				refused++;
			} else {
				dropped++;
				bound(&fr, &wire_frames, &wire_bytes);
			}
			continue;
		}
		sent++;
		bytes += fr.len;
		gsos += fr.gso;
		bound(&fr, &wire_frames, &wire_bytes);
		if (!fr.gso && fr.len > maxlen)
			maxlen = fr.len;
	}
	printf("sent %" PRIu64 " frames %" PRIu64 " bytes gso %" PRIu64
	       " refused %" PRIu64 " dropped %" PRIu64 " longest-non-gso %" PRIu64 "\n",
	       sent, bytes, gsos, refused, dropped, maxlen);
	printf("at most %" PRIu64 " frames %" PRIu64 " bytes on the wire\n",
	       wire_frames, wire_bytes);
	return 0;
}
