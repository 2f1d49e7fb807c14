/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * psmon: per-prefix traffic accounting on LAG members.
 *
 * Generic netlink interface, shared by psmon.ko and psctl. It is specified
 * in Documentation/netlink/psmon.yaml; keep the two in step.
 */
#ifndef _UAPI_LINUX_PSMON_H
#define _UAPI_LINUX_PSMON_H

#define PSMON_FAMILY_NAME	"psmon"
#define PSMON_FAMILY_VERSION	1
#define PSMON_MCGRP_EVENTS	"events"

/* Longest prefix name, including the terminating NUL. */
#define PSMON_NAME_SIZE		64

/* Kinds of LAG (PSMON_A_LAG_KIND). */
enum psmon_lag_kind {
	PSMON_LAG_KIND_SINGLE,	/* a plain interface: a one-member LAG */
	PSMON_LAG_KIND_BOND,
	PSMON_LAG_KIND_TEAM,
};

/* Events (PSMON_A_LAG_EVENT in PSMON_CMD_LAG_NTF). */
enum psmon_event {
	PSMON_EVENT_UNSPEC,
	PSMON_EVENT_ALERT,		/* utilisation reached the threshold */
	PSMON_EVENT_CLEAR,		/* both directions fell below clear */
	PSMON_EVENT_IMBALANCE,		/* a member reached the threshold */
	PSMON_EVENT_IMBALANCE_CLEAR,	/* that member fell below clear */
	PSMON_EVENT_DEGRADED,		/* active capacity fell below capacity */
	PSMON_EVENT_RESTORED,		/* active capacity is whole again */
	PSMON_EVENT_OVERLOAD,		/* degraded, at the threshold of the
					 * active capacity
					 */
	/* A one-member LAG joined an attached bond or team, which counts
	 * it from now on: the one-member LAG is detached.
	 */
	PSMON_EVENT_ABSORBED,
};

/* Why a member is not active (PSMON_A_MEMBER_INACTIVE). */
enum psmon_inactive {
	PSMON_INACTIVE_NONE,		/* active: its master may send on it */
	PSMON_INACTIVE_DOWN,		/* administratively or link down */
	PSMON_INACTIVE_BACKUP,		/* a standby link (active-backup) */
	PSMON_INACTIVE_NOT_AGGREGATED,	/* 802.3ad/LACP: outside the active
					 * aggregator, or not distributing
					 */
	PSMON_INACTIVE_DISABLED,	/* the master does not send on it */
};

/* Directions (PSMON_A_LAG_EVENT_DIR). */
enum psmon_direction {
	PSMON_DIR_RX,
	PSMON_DIR_TX,
};

enum psmon_cmd {
	PSMON_CMD_UNSPEC,
	PSMON_CMD_LAG_NEW,	/* do: attach a LAG */
	PSMON_CMD_LAG_SET,	/* do: change a LAG's settings */
	PSMON_CMD_LAG_DEL,	/* do: detach a LAG */
	PSMON_CMD_LAG_GET,	/* do, dump: LAG state and counters */
	PSMON_CMD_PREFIX_NEW,	/* do: register one or more prefixes */
	PSMON_CMD_PREFIX_DEL,	/* do: unregister one or more prefixes */
	PSMON_CMD_PREFIX_GET,	/* do, dump: prefixes and counters */
	PSMON_CMD_LAG_ACK,	/* do: forget a LAG's recorded crossing */
	PSMON_CMD_LAG_NTF,	/* notification on PSMON_MCGRP_EVENTS */
	PSMON_CMD_PREFIX_FLUSH,	/* do: unregister every prefix */

	__PSMON_CMD_MAX
};

#define PSMON_CMD_MAX (__PSMON_CMD_MAX - 1)

/* Top-level attributes of every command. */
enum psmon_a {
	PSMON_A_UNSPEC,
	PSMON_A_LAG,		/* nest, psmon_a_lag */
	PSMON_A_PREFIX,		/* nest, psmon_a_prefix; repeated in NEW, DEL */
	/*
	 * flag, in PREFIX_NEW and PREFIX_DEL: more changes follow. The
	 * change is made but the lookup table is rebuilt with the first
	 * request without the flag (or a refused one, or within a second),
	 * so that a long run of requests costs one rebuild.
	 */
	PSMON_A_MORE,

	__PSMON_A_MAX
};

#define PSMON_A_MAX (__PSMON_A_MAX - 1)

enum psmon_a_lag {
	PSMON_A_LAG_UNSPEC,
	PSMON_A_LAG_PAD,
	PSMON_A_LAG_IFINDEX,		/* u32 */
	PSMON_A_LAG_IFNAME,		/* string */
	PSMON_A_LAG_KIND,		/* u32, enum psmon_lag_kind */
	PSMON_A_LAG_CAPACITY,		/* u64, bit/s; in requests: fixed capacity */
	PSMON_A_LAG_CAPACITY_AUTO,	/* u8; in requests: 1 returns to auto */
	PSMON_A_LAG_THRESHOLD,		/* u8, percent, 1..100 */
	PSMON_A_LAG_CLEAR,		/* u8, percent, 0..99, below threshold */
	PSMON_A_LAG_WINDOW,		/* u32, seconds, 1..3600 */
	PSMON_A_LAG_MEMBER,		/* nest, psmon_a_member; repeated */
	PSMON_A_LAG_RX_PACKETS,		/* u64, all frames on all members */
	PSMON_A_LAG_RX_BYTES,		/* u64 */
	PSMON_A_LAG_TX_PACKETS,		/* u64 */
	PSMON_A_LAG_TX_BYTES,		/* u64 */
	PSMON_A_LAG_UNMATCHED_RX_PACKETS,	/* u64, IP, no prefix matched */
	PSMON_A_LAG_UNMATCHED_RX_BYTES,		/* u64 */
	PSMON_A_LAG_UNMATCHED_TX_PACKETS,	/* u64 */
	PSMON_A_LAG_UNMATCHED_TX_BYTES,		/* u64 */
	PSMON_A_LAG_RX_BPS,		/* u64, bit/s, mean over the window, from
					 * the members' interface counters
					 */
	PSMON_A_LAG_TX_BPS,		/* u64, bit/s, mean over the window */
	PSMON_A_LAG_RX_UTIL,		/* u32, parts per million of capacity */
	PSMON_A_LAG_TX_UTIL,		/* u32, parts per million of capacity */
	PSMON_A_LAG_N1_CAPACITY,	/* u64, bit/s without the largest member */
	PSMON_A_LAG_ALERT,		/* u8, 1 while the alert is raised */
	PSMON_A_LAG_ALERT_SINCE,	/* u64, Unix seconds of the first crossing */
	PSMON_A_LAG_PEAK_UTIL,		/* u32, ppm, highest since attach or ack */
	PSMON_A_LAG_SAMPLES,		/* u32, seconds the rates cover */
	PSMON_A_LAG_EVENT,		/* u32, enum psmon_event */
	PSMON_A_LAG_EVENT_DIR,		/* u32, enum psmon_direction */
	PSMON_A_LAG_EVENT_UTIL,		/* u32, ppm at the event */
	PSMON_A_LAG_EVENT_TIME,		/* u64, Unix seconds */
	PSMON_A_LAG_EVENT_MEMBER,	/* string, member of an imbalance event */
	PSMON_A_LAG_MODE,		/* string, the master's mode ("802.3ad",
					 * "active-backup", "lacp", ...)
					 */
	PSMON_A_LAG_ACTIVE_CAPACITY,	/* u64, bit/s the active members carry */
	PSMON_A_LAG_ACTIVE_RX_UTIL,	/* u32, ppm of the active capacity */
	PSMON_A_LAG_ACTIVE_TX_UTIL,	/* u32, ppm of the active capacity */
	PSMON_A_LAG_DEGRADED,		/* u8, active capacity below capacity */
	PSMON_A_LAG_HOOK_RX_BPS,	/* u64, bit/s the hooks counted */
	PSMON_A_LAG_HOOK_TX_BPS,	/* u64, bit/s the hooks counted */
	PSMON_A_LAG_IF_RX_PACKETS,	/* u64, members' interface counters */
	PSMON_A_LAG_IF_RX_BYTES,	/* u64, since the LAG was attached */
	PSMON_A_LAG_IF_TX_PACKETS,	/* u64 */
	PSMON_A_LAG_IF_TX_BYTES,	/* u64 */
	PSMON_A_LAG_OVERLOAD,		/* u8, 1 while overloaded */

	__PSMON_A_LAG_MAX
};

#define PSMON_A_LAG_MAX (__PSMON_A_LAG_MAX - 1)

enum psmon_a_member {
	PSMON_A_MEMBER_UNSPEC,
	PSMON_A_MEMBER_PAD,
	PSMON_A_MEMBER_IFINDEX,		/* u32 */
	PSMON_A_MEMBER_IFNAME,		/* string */
	PSMON_A_MEMBER_SPEED,		/* u32, Mbit/s, 0 when unknown */
	PSMON_A_MEMBER_UP,		/* u8, 1 when the carrier is up */
	PSMON_A_MEMBER_RX_PACKETS,	/* u64, all frames */
	PSMON_A_MEMBER_RX_BYTES,	/* u64 */
	PSMON_A_MEMBER_TX_PACKETS,	/* u64 */
	PSMON_A_MEMBER_TX_BYTES,	/* u64 */
	PSMON_A_MEMBER_RX_BPS,		/* u64, bit/s, mean over the window, from
					 * the interface counters
					 */
	PSMON_A_MEMBER_TX_BPS,		/* u64, bit/s, mean over the window */
	PSMON_A_MEMBER_ACTIVE,		/* u8, 1 when the master may send on it */
	PSMON_A_MEMBER_INACTIVE,	/* u32, enum psmon_inactive */
	PSMON_A_MEMBER_IF_RX_PACKETS,	/* u64, the interface's own counters */
	PSMON_A_MEMBER_IF_RX_BYTES,	/* u64 (dev_get_stats(): ip -s link) */
	PSMON_A_MEMBER_IF_TX_PACKETS,	/* u64 */
	PSMON_A_MEMBER_IF_TX_BYTES,	/* u64 */
	PSMON_A_MEMBER_HOOK_RX_BPS,	/* u64, bit/s the hooks counted */
	PSMON_A_MEMBER_HOOK_TX_BPS,	/* u64, bit/s the hooks counted */

	__PSMON_A_MEMBER_MAX
};

#define PSMON_A_MEMBER_MAX (__PSMON_A_MEMBER_MAX - 1)

enum psmon_a_prefix {
	PSMON_A_PREFIX_UNSPEC,
	PSMON_A_PREFIX_PAD,
	PSMON_A_PREFIX_FAMILY,		/* u8, AF_INET or AF_INET6 */
	PSMON_A_PREFIX_ADDR,		/* binary, 4 or 16 bytes, network order */
	PSMON_A_PREFIX_PLEN,		/* u8 */
	PSMON_A_PREFIX_NAME,		/* string, < PSMON_NAME_SIZE */
	PSMON_A_PREFIX_RX_PACKETS,	/* u64, sum over LAGs */
	PSMON_A_PREFIX_RX_BYTES,	/* u64 */
	PSMON_A_PREFIX_TX_PACKETS,	/* u64 */
	PSMON_A_PREFIX_TX_BYTES,	/* u64 */
	PSMON_A_PREFIX_LAG,		/* nest, psmon_a_prefix_lag; repeated */

	__PSMON_A_PREFIX_MAX
};

#define PSMON_A_PREFIX_MAX (__PSMON_A_PREFIX_MAX - 1)

/* A prefix's counters on one LAG. */
enum psmon_a_prefix_lag {
	PSMON_A_PREFIX_LAG_UNSPEC,
	PSMON_A_PREFIX_LAG_PAD,
	PSMON_A_PREFIX_LAG_IFINDEX,	/* u32 */
	PSMON_A_PREFIX_LAG_IFNAME,	/* string */
	PSMON_A_PREFIX_LAG_RX_PACKETS,	/* u64 */
	PSMON_A_PREFIX_LAG_RX_BYTES,	/* u64 */
	PSMON_A_PREFIX_LAG_TX_PACKETS,	/* u64 */
	PSMON_A_PREFIX_LAG_TX_BYTES,	/* u64 */

	__PSMON_A_PREFIX_LAG_MAX
};

#define PSMON_A_PREFIX_LAG_MAX (__PSMON_A_PREFIX_LAG_MAX - 1)

#endif /* _UAPI_LINUX_PSMON_H */
