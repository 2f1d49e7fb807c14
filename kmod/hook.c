// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path: netfilter netdev ingress and egress hooks on each member.
 *
 * Runs inside rcu_read_lock() with bottom halves disabled. Per packet: parse
 * at most one 802.1Q tag and the IP address, one table lookup, and two
 * per-CPU counter updates (the member's totals and the prefix's or the LAG's
 * unmatched counters). No locks, no atomics, no allocation. Always accepts.
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
 * Wire size of what skb stands for: frames and bytes without FCS, tags
 * included. A GSO/GRO super-packet counts as its segments, each carrying a
 * copy of the headers (as qdisc_pkt_len_init() computes it).
 * @len: the frame's length with its Ethernet header, without an
 *       accelerated tag.
 */
static u32 psmon_wire_bytes(const struct sk_buff *skb, u32 len, u32 mac_off,
			    u32 *segs)
{
	u32 tag = skb_vlan_tag_present(skb) ? VLAN_HLEN : 0;
	const struct skb_shared_info *shinfo = skb_shinfo(skb);
	u32 hdr_len, n;

	*segs = 1;
	if (!skb_is_gso(skb) || !skb_transport_header_was_set(skb))
		return len + tag;

	/* Headers up to the transport header, from the Ethernet header. */
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
	if (shinfo->gso_type & SKB_GSO_DODGY || !n) {
		if (len <= hdr_len || !shinfo->gso_size)
			return len + tag;
		n = DIV_ROUND_UP(len - hdr_len, shinfo->gso_size);
	}
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
 * @off: offset of the network header from skb->data, or of the Ethernet
 *       type field's successor when the frame still has its MAC header.
 * @proto: the EtherType in front of @off.
 */
static __always_inline void psmon_count(struct psmon_member *m,
					struct sk_buff *skb, int dir,
					__be16 proto, u32 off, u32 len,
					u32 mac_off)
{
	struct psmon_lag *lag = m->lag;
	const struct psmon_table *t;
	struct psmon_pcpu *pc;
	u32 segs, bytes, slot;

	bytes = psmon_wire_bytes(skb, len, mac_off, &segs);
	pc = this_cpu_ptr(m->stats);
	psmon_ctr_add(&pc->syncp, &pc->ctr, dir, segs, bytes);

	/* One tag: in the metadata or inline. A second one is not IP here. */
	if (proto == htons(ETH_P_8021Q) && !skb_vlan_tag_present(skb)) {
		const struct vlan_hdr *vh;
		struct vlan_hdr _vh;

		vh = skb_header_pointer(skb, off, sizeof(_vh), &_vh);
		if (!vh)
			return;
		proto = vh->h_vlan_encapsulated_proto;
		off += VLAN_HLEN;
	}

	t = rcu_dereference(lag->pn->table);
	if (proto == htons(ETH_P_IP)) {
		u32 aoff = dir == PSMON_RX ? offsetof(struct iphdr, daddr) :
					     offsetof(struct iphdr, saddr);
		const struct iphdr *iph;
		struct iphdr _iph;
		const __be32 *a;

		iph = skb_header_pointer(skb, off, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4)
			return;
		a = (const void *)iph + aoff;
		slot = t ? psmon_lpm4_lookup(t->r4, t->n4, be32_to_cpu(*a)) :
			   PSMON_LPM_NONE;
	} else if (proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h;
		struct ipv6hdr _ip6h;
		const struct in6_addr *a;

		ip6h = skb_header_pointer(skb, off, sizeof(_ip6h), &_ip6h);
		if (!ip6h || ip6h->version != 6)
			return;
		a = dir == PSMON_RX ? &ip6h->daddr : &ip6h->saddr;
		slot = t ? psmon_lpm6_lookup(t->r6, t->n6, a->s6_addr) :
			   PSMON_LPM_NONE;
	} else {
		return;		/* not IP: member totals only */
	}

	if (slot != PSMON_LPM_NONE) {
		struct psmon_block __percpu *blk;
		struct psmon_block *b;

		blk = READ_ONCE(lag->blocks[slot >> PSMON_BLOCK_SHIFT]);
		if (unlikely(!blk))
			return;
		b = this_cpu_ptr(blk);
		psmon_ctr_add(&b->syncp, &b->ctr[slot & PSMON_BLOCK_MASK], dir,
			      segs, bytes);
	} else {
		pc = this_cpu_ptr(lag->unmatched);
		psmon_ctr_add(&pc->syncp, &pc->ctr, dir, segs, bytes);
	}
}

/* Ingress: skb->data is at the network header, the MAC header pulled. */
unsigned int psmon_hook_ingress(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	u32 mac_len = skb->data - skb_mac_header(skb);

	psmon_count(priv, skb, PSMON_RX, skb->protocol, 0,
		    skb->len + mac_len, mac_len);
	return NF_ACCEPT;
}

/* Egress: skb->data is at the Ethernet header. */
unsigned int psmon_hook_egress(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	const struct ethhdr *eth;
	struct ethhdr _eth;

	eth = skb_header_pointer(skb, 0, sizeof(_eth), &_eth);
	psmon_count(priv, skb, PSMON_TX, eth ? eth->h_proto : 0, ETH_HLEN,
		    skb->len, 0);
	return NF_ACCEPT;
}
