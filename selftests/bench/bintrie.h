/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * Reference for the benchmark: a binary trie with the structure of the
 * kernel's BPF LPM trie (BPF_MAP_TYPE_LPM_TRIE, kernel/bpf/lpm_trie.c).
 *
 * One node per prefix, plus intermediate nodes (no value) where two
 * prefixes part; each node has two children chosen by the first bit past
 * its prefix. A lookup walks from the root while the node's prefix
 * matches the key, remembering the last non-intermediate node. Prefixes
 * are inserted one by one, as with bpf_map_update_elem(). The nodes have
 * the kernel's layout (with room for its struct rcu_head) and come from a
 * pool of objects of the kmalloc size class the kernel would use.
 * No RCU and no removal: the benchmark only builds and looks up.
 */
#ifndef _PSMON_BINTRIE_H
#define _PSMON_BINTRIE_H

#include <stddef.h>
#include <stdint.h>

/* The lookup and update key, laid out as struct bpf_lpm_trie_key_u8. */
struct bt_key {
	uint32_t prefixlen;
	uint8_t data[16];	/* network byte order; IPv4 uses data[0..3] */
};

struct bt_node;

struct bt {
	struct bt_node *root;
	size_t data_size;	/* 4 (IPv4) or 16 (IPv6) */
	uint32_t max_prefixlen;
	size_t entries;		/* prefixes */
	size_t nodes;		/* prefixes + intermediate nodes */
	size_t node_bytes;	/* raw size of a node with a value */
	size_t im_bytes;	/* raw size of an intermediate node */
	size_t obj_bytes;	/* kmalloc size class of both */
	/* The pool: blocks of obj_bytes objects, handed out in order. */
	void **blocks;
	size_t nblocks;
	size_t used;		/* objects used in the last block */
};

/* The value stored with each prefix is a u32 (the psmon slot). */
void bt_init(struct bt *t, int ipv6);
void bt_free(struct bt *t);

/* Insert or replace (BPF_ANY); 0, or -1 if out of memory. */
int bt_update(struct bt *t, const struct bt_key *key, uint32_t value);

/* The value of the longest prefix holding key->data, or miss. */
uint32_t bt_lookup(const struct bt *t, const struct bt_key *key,
		   uint32_t miss);

/* Bytes the kernel would allocate for the nodes (nodes * obj_bytes). */
size_t bt_bytes(const struct bt *t);

#endif /* _PSMON_BINTRIE_H */
