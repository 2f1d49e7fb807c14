// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * The benchmark's reference binary trie: the structure and the walks of
 * the kernel's BPF LPM trie (see bintrie.h), natively, without RCU.
 *
 * Its own translation unit, so that a lookup is a real call, as
 * bpf_map_lookup_elem() is for this map type.
 */
#define _DEFAULT_SOURCE

#include <stdlib.h>
#include <string.h>

#include "bintrie.h"
#include "hugemem.h"

#define BT_IM		1u	/* intermediate node: no value */
#define BT_BLOCK	32768	/* objects per pool block */

struct bt_node {
	void *rcu_room[2];	/* the kernel's struct rcu_head */
	struct bt_node *child[2];
	uint32_t prefixlen;
	uint32_t flags;
	uint8_t data[];		/* the key, then the value (u32) */
};

static uint64_t load_be64(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return __builtin_bswap64(v);
}

static uint32_t load_be32(const uint8_t *b)
{
	uint32_t v;

	memcpy(&v, b, sizeof(v));
	return __builtin_bswap32(v);
}

/* Bit i of a big-endian byte string, 0 being the most significant. */
static unsigned int bit_at(const uint8_t *data, uint32_t i)
{
	return (data[i / 8] >> (7 - i % 8)) & 1;
}

/*
 * How many leading bits of node's prefix the key matches, at most the
 * shorter of the two lengths: the first 8 bytes at once where the key has
 * them (as the kernel does on 64-bit machines), then 4 at a time.
 */
static uint32_t bt_match(const struct bt *t, const struct bt_node *node,
			 const struct bt_key *key)
{
	uint32_t limit = node->prefixlen < key->prefixlen ?
			 node->prefixlen : key->prefixlen;
	uint32_t len = 0;
	size_t i = 0;

	if (t->data_size >= 8) {
		uint64_t d = load_be64(node->data) ^ load_be64(key->data);

		len = d ? (uint32_t)__builtin_clzll(d) : 64;
		if (len >= limit)
			return limit;
		if (d)
			return len;
		i = 8;
	}
	while (t->data_size >= i + 4) {
		uint32_t d = load_be32(node->data + i) ^
			     load_be32(key->data + i);

		len += d ? (uint32_t)__builtin_clz(d) : 32;
		if (len >= limit)
			return limit;
		if (d)
			return len;
		i += 4;
	}
	return len;
}

/* The kmalloc size class of a request of size bytes. */
static size_t kmalloc_class(size_t size)
{
	size_t c = 8;

	if (size > 64 && size <= 96)
		return 96;
	if (size > 128 && size <= 192)
		return 192;
	while (c < size)
		c *= 2;
	return c;
}

void bt_init(struct bt *t, int ipv6)
{
	memset(t, 0, sizeof(*t));
	t->data_size = ipv6 ? 16 : 4;
	t->max_prefixlen = ipv6 ? 128 : 32;
	t->node_bytes = sizeof(struct bt_node) + t->data_size + sizeof(uint32_t);
	t->im_bytes = sizeof(struct bt_node) + t->data_size;
	t->obj_bytes = kmalloc_class(t->node_bytes);
}

void bt_free(struct bt *t)
{
	size_t i;

	for (i = 0; i < t->nblocks; i++)
		free(t->blocks[i]);
	free(t->blocks);
	memset(t, 0, sizeof(*t));
}

static struct bt_node *bt_alloc(struct bt *t)
{
	void **blocks;
	uint8_t *b;

	if (!t->nblocks || t->used == BT_BLOCK) {
		blocks = realloc(t->blocks, (t->nblocks + 1) * sizeof(*blocks));
		if (!blocks)
			return NULL;
		t->blocks = blocks;
		b = huge_calloc(BT_BLOCK, t->obj_bytes);
		if (!b)
			return NULL;
		t->blocks[t->nblocks++] = b;
		t->used = 0;
	}
	b = t->blocks[t->nblocks - 1];
	b += t->used++ * t->obj_bytes;
	t->nodes++;
	memset(b, 0, t->obj_bytes);
	return (struct bt_node *)(void *)b;
}

int bt_update(struct bt *t, const struct bt_key *key, uint32_t value)
{
	struct bt_node *node, *nn, *im, **slot;
	uint32_t len = 0;

	if (key->prefixlen > t->max_prefixlen)
		return -1;
	nn = bt_alloc(t);
	if (!nn)
		return -1;
	nn->prefixlen = key->prefixlen;
	memcpy(nn->data, key->data, t->data_size);
	memcpy(nn->data + t->data_size, &value, sizeof(value));

	/* Down while the node is a proper prefix of the key. */
	slot = &t->root;
	while ((node = *slot)) {
		len = bt_match(t, node, key);
		if (node->prefixlen != len || node->prefixlen == key->prefixlen ||
		    node->prefixlen == t->max_prefixlen)
			break;
		slot = &node->child[bit_at(key->data, node->prefixlen)];
	}
	if (!node) {
		*slot = nn;
		t->entries++;
		return 0;
	}
	/* The same prefix: the new node takes the old one's place. */
	if (node->prefixlen == len) {
		if (node->flags & BT_IM)
			t->entries++;
		nn->child[0] = node->child[0];
		nn->child[1] = node->child[1];
		*slot = nn;
		t->nodes--;	/* the kernel frees it; the pool keeps it */
		return 0;
	}
	t->entries++;
	/* The key is a prefix of the node's: it goes above it. */
	if (len == key->prefixlen) {
		nn->child[bit_at(node->data, len)] = node;
		*slot = nn;
		return 0;
	}
	/* They part after len bits: an intermediate node holds both. */
	im = bt_alloc(t);
	if (!im)
		return -1;
	im->prefixlen = len;
	im->flags = BT_IM;
	memcpy(im->data, node->data, t->data_size);
	im->child[!bit_at(key->data, len)] = node;
	im->child[bit_at(key->data, len)] = nn;
	*slot = im;
	return 0;
}

uint32_t bt_lookup(const struct bt *t, const struct bt_key *key,
		   uint32_t miss)
{
	const struct bt_node *node, *found = NULL;
	uint32_t len, v;

	if (key->prefixlen > t->max_prefixlen)
		return miss;
	for (node = t->root; node;) {
		len = bt_match(t, node, key);
		/* All the bits: an exact match, nothing can be longer. */
		if (len == t->max_prefixlen) {
			found = node;
			break;
		}
		/* The node's prefix does not hold the key: its parent wins. */
		if (len < node->prefixlen)
			break;
		if (!(node->flags & BT_IM))
			found = node;
		node = node->child[bit_at(key->data, node->prefixlen)];
	}
	if (!found)
		return miss;
	memcpy(&v, found->data + t->data_size, sizeof(v));
	return v;
}

size_t bt_bytes(const struct bt *t)
{
	return t->nodes * t->obj_bytes;
}
