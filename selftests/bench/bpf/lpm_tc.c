// SPDX-License-Identifier: GPL-2.0
/*
 * The tc BPF counterpart of psmon for the benchmark (selftests/bench):
 * a classifier that looks the packet's IPv4 or IPv6 address up in an
 * LPM trie (the destination at ingress, the source at egress: build with
 * -DPSMON_BENCH_EGRESS) and adds the packet and its bytes to the per-CPU
 * counters of the matching prefix. Always passes the packet on.
 *
 * The tries map a prefix to its slot in the counter array. Maps are
 * pinned by name, so that bpftool fills the tries after tc loaded the
 * object (tc puts them in /sys/fs/bpf/tc/globals).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define PSMON_BENCH_SLOTS 131072

struct lpm4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct lpm6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct ctr {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm4_key);
	__type(value, __u32);
	__uint(max_entries, PSMON_BENCH_SLOTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} psb_lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm6_key);
	__type(value, __u32);
	__uint(max_entries, PSMON_BENCH_SLOTS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} psb_lpm6 SEC(".maps");

/* Slot PSMON_BENCH_SLOTS counts what matched no prefix. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct ctr);
	__uint(max_entries, PSMON_BENCH_SLOTS + 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} psb_ctr SEC(".maps");

#ifdef PSMON_BENCH_EGRESS
#define IP4_ADDR saddr
#define IP6_ADDR saddr
#else
#define IP4_ADDR daddr
#define IP6_ADDR daddr
#endif

SEC("tc")
int psb_classify(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	__u32 *slot = NULL, none = PSMON_BENCH_SLOTS;
	struct ctr *c;

	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		struct lpm4_key k = { .prefixlen = 32 };

		if ((void *)(iph + 1) > end)
			return TC_ACT_OK;
		__builtin_memcpy(k.addr, &iph->IP4_ADDR, sizeof(k.addr));
		slot = bpf_map_lookup_elem(&psb_lpm4, &k);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = (void *)(eth + 1);
		struct lpm6_key k = { .prefixlen = 128 };

		if ((void *)(ip6h + 1) > end)
			return TC_ACT_OK;
		__builtin_memcpy(k.addr, &ip6h->IP6_ADDR, sizeof(k.addr));
		slot = bpf_map_lookup_elem(&psb_lpm6, &k);
	} else {
		return TC_ACT_OK;
	}

	c = bpf_map_lookup_elem(&psb_ctr, slot ? slot : &none);
	if (c) {
		c->packets++;
		c->bytes += skb->len;
	}
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
