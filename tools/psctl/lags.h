/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel says about its LAGs, copied out of the netlink answer so
 * that lag show, deadline, export, save and monitor can all use it.
 */
#ifndef PSCTL_LAGS_H
#define PSCTL_LAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"

#define LAG_DEVLEN	16	/* IFNAMSIZ */

struct lag_counters {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

struct lag_member {
	char dev[LAG_DEVLEN];
	uint32_t speed;		/* Mbit/s, 0 when unknown */
	bool up;
	struct lag_counters c;
	bool has_rates;
	uint64_t rx_bps, tx_bps;	/* from the interface counters */

	bool has_state;		/* the kernel reports active and why not */
	bool active;		/* the master may send on it now */
	uint32_t inactive;	/* enum psmon_inactive */
	struct lag_counters ifc;	/* the interface's own counters */
	uint64_t hook_rx_bps, hook_tx_bps;	/* what the hooks counted */
};

struct lag_info {
	char dev[LAG_DEVLEN];
	uint32_t kind;
	uint64_t capacity;	/* bit/s */
	bool capacity_auto;
	uint8_t threshold, clear;
	uint32_t window;
	struct lag_counters c, unmatched;

	bool has_rates;		/* the kernel reports rates and the alert */
	uint64_t rx_bps, tx_bps;
	uint32_t rx_util, tx_util;	/* ppm of the capacity */
	uint64_t n1_capacity;	/* bit/s, 0 when fewer than 2 members are up */
	bool alert;
	uint64_t alert_since;	/* Unix seconds, 0 when none */
	uint32_t peak;		/* ppm */
	uint32_t samples;	/* seconds the rates cover, 0: none yet */

	/* Member state (kernels that report it: has_state). */
	bool has_state;
	char mode[32];		/* "802.3ad", "active-backup", ... */
	uint64_t active_capacity;	/* bit/s the active members carry */
	uint32_t active_rx_util, active_tx_util;	/* ppm of it */
	bool degraded;		/* active capacity below capacity */
	bool overload;		/* degraded, at the threshold of active */
	uint64_t hook_rx_bps, hook_tx_bps;	/* what the hooks counted */
	struct lag_counters ifc;	/* members' interface counters */

	struct lag_member *members;
	size_t nmembers;
};

struct lag_list {
	struct lag_info *v;
	size_t n;
};

/*
 * Ask the kernel about one LAG (dev) or all of them (dev NULL) and append
 * them to list. Returns 0 or -errno (the kernel's, or -EBADMSG).
 */
int lags_fetch(struct nl *nl, const char *dev, struct lag_list *list);
void lags_free(struct lag_list *list);

const char *lag_kind_name(uint32_t kind);
/* Why a member is not active: "down", "backup", "not aggregated", ... */
const char *member_inactive_name(uint32_t why);

/* The larger direction of the utilisation of the active capacity, ppm. */
uint32_t lag_active_util(const struct lag_info *l);

/* The larger of the two directions, ppm. */
uint32_t lag_util(const struct lag_info *l);
/* Utilisation of a member in ppm of its speed; false when unknown. */
bool member_util(const struct lag_member *m, uint64_t bps, uint32_t *ppm);
/* bps in ppm of capacity, saturating; 0 when capacity is 0. */
uint32_t util_ppm(uint64_t bps, uint64_t capacity);

#endif /* PSCTL_LAGS_H */
