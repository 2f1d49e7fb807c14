// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: netfilter netdev ingress and egress hooks on each member.
 *
 * Runs inside rcu_read_lock() with bottom halves disabled. Per packet: parse
 * at most one 802.1Q tag and the IP address, one table lookup, and two
 * per-CPU counter updates (the member's totals and the prefix's or the LAG's
 * unmatched counters). No locks, no atomics, no allocation. Always accepts.
 *
 * A frame that is not GSO, carries no inline tag and has its IP header in
 * the linear area (nearly all of them) takes a fast path that reads only
 * the member, the table and the header; the rest, a general path. The
 * member carries copies of the LAG's pointers the path needs (psmon.h).
 * Measured in instructions per packet: Documentation/performance.rst.
 */
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "hook.h"
#include "psmon.h"

/*
 * Length of the headers each segment of a DODGY super-packet carries, from
 * the Ethernet header through TCP or UDP, read from the headers themselves
 * rather than from the offsets the sender chose. 0 when the packet is not
 * TCP or UDP over IP: it cannot be segmented and counts as one frame.
 * @off: offset of the network header from skb->data.
 * @mac_off: length of the link-layer header in front of skb->data.
 */
static u32 psmon_dodgy_hdr_len(const struct sk_buff *skb, __be16 proto,
			       u32 off, u32 mac_off)
{
	u32 gso_type = skb_shinfo(skb)->gso_type;
	u32 l3, l4 = 0;
	u8 ipproto;

	if (proto == htons(ETH_P_IP)) {
		const struct iphdr *iph;
		struct iphdr _iph;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4 || iph->ihl < 5)
			return 0;
		l3 = iph->ihl * 4;
		ipproto = iph->protocol;
	} else if (proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return 0;
		l3 = sizeof(*ip6h);
		ipproto = ip6h->nexthdr;
	} else {
		return 0;
	}

	if (ipproto == IPPROTO_TCP &&
	    gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) {
		const struct tcphdr *th;
		struct tcphdr _th;

		th = skb_header_pointer(skb, off + l3, sizeof(_th), &_th);
		if (!th || th->doff < 5)
			return 0;
		l4 = __tcp_hdrlen(th);
	} else if (ipproto == IPPROTO_UDP && gso_type & SKB_GSO_UDP_L4) {
		l4 = sizeof(struct udphdr);
	} else if (ipproto != IPPROTO_UDP || !(gso_type & SKB_GSO_UDP)) {
		return 0;	/* UFO: IP fragments, no UDP header each */
	}
	return mac_off + off + l3 + l4;
}

/*
 * Wire size of what skb stands for: frames and bytes without FCS, tags
 * included. A GSO/GRO super-packet counts as its segments, each carrying a
 * copy of the headers (as qdisc_pkt_len_init() computes it).
 *
 * The metadata of a DODGY packet comes from an unprivileged sender (packet
 * sockets, tun/tap with a virtio-net header): its header length is taken
 * from the headers present and its segment count recomputed. Whatever the
 * metadata, no segment is counted larger than the device's MTU plus the
 * Ethernet header and tag, so one skb never counts more frames or bytes
 * than its segmentation could put on the wire. Every divisor is at least 1.
 *
 * @len: the frame's length with its Ethernet header, without an
 *       accelerated tag.
 * @proto, @off: as for psmon_count(), after an inline tag.
 * @inline_tag: VLAN_HLEN when the frame carries its tag inline, else 0.
 */
static noinline u32 psmon_wire_bytes(const struct sk_buff *skb,
				     __be16 proto, u32 off, u32 inline_tag,
				     u32 len, u32 mac_off, u32 *segs)
{
	u32 tag = skb_vlan_tag_present(skb) ? VLAN_HLEN : 0;
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	u32 hdr_len, n, mss, max;

	*segs = 1;
	if (!skb_is_gso(skb))
		return len + tag;

	if (shinfo->gso_type & SKB_GSO_DODGY) {
		hdr_len = psmon_dodgy_hdr_len(skb, proto, off, mac_off);
		if (!hdr_len)
			return len + tag;
		n = 0;
	} else {
		if (!skb_transport_header_was_set(skb))
			return len + tag;
		/* Built by the stack: headers up to the transport header. */
		hdr_len = skb_transport_offset(skb) + mac_off;
		if (shinfo->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) {
			const struct tcphdr *th;
			struct tcphdr _th;

			th = skb_header_pointer(skb, skb_transport_offset(skb),
						sizeof(_th), &_th);
			if (likely(th))
				hdr_len += __tcp_hdrlen(th);
		} else if (shinfo->gso_type & SKB_GSO_UDP_L4) {
			hdr_len += sizeof(struct udphdr);
		}
		n = shinfo->gso_segs;
	}
	if (len <= hdr_len || !shinfo->gso_size)
		return len + tag;

	/* Largest payload one frame can carry on this device. */
	max = READ_ONCE(skb->dev->mtu) + ETH_HLEN + inline_tag;
	mss = max > hdr_len ? max - hdr_len : 1;
	mss = min_t(u32, mss, shinfo->gso_size);
	if (!n || (u64)n * mss < len - hdr_len)
		n = DIV_ROUND_UP(len - hdr_len, mss);
	*segs = n;
	return len + (n - 1) * hdr_len + n * tag;
}

static __always_inline void psmon_ctr_add(struct u64_stats_sync *syncp,
					  struct psmon_ctr *c, int dir,
					  u32 segs, u32 bytes)
{
	u64_stats_update_begin(syncp);
	u64_stats_add(&c->dir[dir].packets, segs);
	u64_stats_add(&c->dir[dir].bytes, bytes);
	u64_stats_update_end(syncp);
}

/*
 * Count one frame (or the segments of a super-packet): the member's totals,
 * then the prefix's counters or, without a match, the LAG's unmatched ones.
 * Every slot a published table hands out has its block; the test is for
 * safety only.
 */
static __always_inline void psmon_count_slot(const struct psmon_member *m,
					     int dir, u32 slot, u32 segs,
					     u32 bytes)
{
	struct psmon_pcpu *pc = this_cpu_ptr(m->stats);

	psmon_ctr_add(&pc->syncp, &pc->ctr, dir, segs, bytes);
	if (likely(slot != PSMON_LPM_NONE)) {
		struct psmon_block __percpu *blk;
		struct psmon_block *b;

		blk = READ_ONCE(m->blocks[slot >> PSMON_BLOCK_SHIFT]);
		if (unlikely(!blk))
			return;
		b = this_cpu_ptr(blk);
		psmon_ctr_add(&b->syncp, &b->ctr[slot & PSMON_BLOCK_MASK], dir,
			      segs, bytes);
	} else {
		pc = this_cpu_ptr(m->unmatched);
		psmon_ctr_add(&pc->syncp, &pc->ctr, dir, segs, bytes);
	}
}

/*
 * Every frame the fast path below does not take: an inline 802.1Q tag, a
 * GSO super-packet, headers outside the linear area, anything not IP or
 * not well formed.
 *
 * @off: offset of the network header from skb->data, or of the Ethernet
 *       type field's successor when the frame still has its MAC header.
 * @proto: the EtherType in front of @off.
 */
static noinline void psmon_count_slow(const struct psmon_member *m,
				      struct sk_buff *skb, int dir,
				      __be16 proto, u32 off, u32 len,
				      u32 mac_off)
{
	const struct psmon_table *t = rcu_dereference(m->pn->table);
	u32 segs, bytes, slot, tag = 0;
	struct psmon_pcpu *pc;

	/* One tag: in the metadata or inline. A second one is not IP here. */
	if (proto == htons(ETH_P_8021Q) && !skb_vlan_tag_present(skb)) {
		const struct vlan_hdr *vh;
		struct vlan_hdr _vh;

		vh = skb_header_pointer(skb, off, sizeof(_vh), &_vh);
		if (vh) {
			proto = vh->h_vlan_encapsulated_proto;
			off += VLAN_HLEN;
			tag = VLAN_HLEN;
		} else {
			proto = 0;
		}
	}

	bytes = psmon_wire_bytes(skb, proto, off, tag, len, mac_off, &segs);
	if (proto == htons(ETH_P_IP)) {
		u32 aoff = dir == PSMON_RX ? offsetof(struct iphdr, daddr) :
					     offsetof(struct iphdr, saddr);
		const struct iphdr *iph;
		struct iphdr _iph;
		const __be32 *a;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4)
			goto other;
		a = (const void *)iph + aoff;
		slot = psmon_lpm4_lookup(&t->v4, be32_to_cpu(*a));
	} else if (proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;
		const struct in6_addr *a;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			goto other;
		a = dir == PSMON_RX ? &ip6h->daddr : &ip6h->saddr;
		slot = psmon_lpm6_lookup(&t->v6, a->s6_addr);
	} else {
		goto other;
	}
	psmon_count_slot(m, dir, slot, segs, bytes);
	return;
other:
	/* Not IP: the member's totals only. */
	pc = this_cpu_ptr(m->stats);
	psmon_ctr_add(&pc->syncp, &pc->ctr, dir, segs, bytes);
}

/*
 * The general path for each hook: at ingress skb->data is at the network
 * header, the MAC header pulled; at egress it is at the Ethernet header.
 * These and psmon_count_chunk[46]() return the hook's verdict so that the
 * fast path reaches them with a tail call and keeps nothing across a call.
 */
static noinline unsigned int
psmon_count_slow_ingress(const struct psmon_member *m, struct sk_buff *skb)
{
	u32 mac_len = skb->data - skb_mac_header(skb);

	psmon_count_slow(m, skb, PSMON_RX, skb->protocol, 0,
			 skb->len + mac_len, mac_len);
	return NF_ACCEPT;
}

static noinline unsigned int
psmon_count_slow_egress(const struct psmon_member *m, struct sk_buff *skb)
{
	const struct ethhdr *eth;
	struct ethhdr _eth;

	eth = skb_header_pointer(skb, 0, sizeof(_eth), &_eth);
	psmon_count_slow(m, skb, PSMON_TX, eth ? eth->h_proto : 0, ETH_HLEN,
			 skb->len, 0);
	return NF_ACCEPT;
}

/*
 * The frame's wire length on the fast path. At ingress, skb->len plus
 * skb->mac_len, which __netif_receive_skb_core() sets (and skb_vlan_untag()
 * updates) before the ingress hooks run; at egress skb->len covers the
 * Ethernet header. Plus a tag carried in the metadata.
 */
static __always_inline u32 psmon_fast_len(const struct sk_buff *skb, int dir)
{
	u32 len = dir == PSMON_RX ? skb->len + skb->mac_len : skb->len;

	return len + (skb_vlan_tag_present(skb) ? VLAN_HLEN : 0);
}

/*
 * An index entry that names a node (a sub-index or a search): off the
 * fast path. @t is the table the entry came from, read once by the
 * caller: a table published since then has other nodes.
 */
static noinline unsigned int
psmon_count_chunk4(const struct psmon_member *m, const struct psmon_table *t,
		   int dir, u32 e, u32 addr, u32 len)
{
	psmon_count_slot(m, dir, psmon_lpm4_chunk(&t->v4, e, addr), 1, len);
	return NF_ACCEPT;
}

static noinline unsigned int
psmon_count_chunk6(const struct psmon_member *m, const struct psmon_table *t,
		   int dir, u32 e, const u8 *addr, u32 len)
{
	psmon_count_slot(m, dir, psmon_lpm6_chunk(&t->v6, e, addr), 1, len);
	return NF_ACCEPT;
}

/*
 * The common frame, in as few instructions as it takes: not GSO, no inline
 * tag, an IPv4 or IPv6 header in the linear area, an index entry that
 * names a window. The rest goes to psmon_count_slow() or
 * psmon_count_chunk[46](), which give the same result for these frames.
 */
static __always_inline unsigned int psmon_count(const struct psmon_member *m,
						struct sk_buff *skb, int dir)
{
	const struct psmon_table *t;
	u32 off, e, slot;
	const void *nh;
	__be16 proto;

	if (unlikely(skb_is_gso(skb)))
		goto slow;
	if (dir == PSMON_RX) {
		proto = skb->protocol;
		off = 0;
	} else {
		if (unlikely(skb_headlen(skb) < ETH_HLEN))
			goto slow;
		proto = ((const struct ethhdr *)skb->data)->h_proto;
		off = ETH_HLEN;
	}
	nh = skb->data + off;
	if (likely(proto == htons(ETH_P_IP))) {
		const struct iphdr *iph = nh;
		u32 a4;

		if (unlikely(skb_headlen(skb) < off + sizeof(*iph) ||
			     iph->version != 4))
			goto slow;
		a4 = be32_to_cpu(dir == PSMON_RX ? iph->daddr : iph->saddr);
		t = rcu_dereference(m->pn->table);
		e = psmon_lpm4_entry(&t->v4, a4);
		if (unlikely(e & PSMON_LPM_CHUNK))
			return psmon_count_chunk4(m, t, dir, e, a4,
						  psmon_fast_len(skb, dir));
		slot = psmon_lpm4_window(&t->v4, e, a4);
	} else if (proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = nh;
		const u8 *a6;
		u64 hi;

		if (unlikely(skb_headlen(skb) < off + sizeof(*ip6h) ||
			     ip6h->version != 6))
			goto slow;
		a6 = (dir == PSMON_RX ? &ip6h->daddr : &ip6h->saddr)->s6_addr;
		hi = psmon_lpm_be64(a6);
		t = rcu_dereference(m->pn->table);
		e = psmon_lpm6_entry(&t->v6, hi);
		if (unlikely(e & PSMON_LPM_CHUNK))
			return psmon_count_chunk6(m, t, dir, e, a6,
						  psmon_fast_len(skb, dir));
		slot = psmon_lpm6_window(&t->v6, e, hi);
	} else {
		goto slow;
	}
	psmon_count_slot(m, dir, slot, 1, psmon_fast_len(skb, dir));
	return NF_ACCEPT;
slow:
	if (dir == PSMON_RX)
		return psmon_count_slow_ingress(m, skb);
	return psmon_count_slow_egress(m, skb);
}

unsigned int psmon_hook_ingress(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	return psmon_count(priv, skb, PSMON_RX);
}

unsigned int psmon_hook_egress(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	return psmon_count(priv, skb, PSMON_TX);
}
