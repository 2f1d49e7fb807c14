/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks of everything psctl reads from the command line or a batch file.
 * Pure functions: no I/O, no global state. Each returns 0 on success or -1
 * with a message naming the bad token in err (without "Error: " and without
 * a newline).
 */
#ifndef PSCTL_PARSE_H
#define PSCTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/psmon.h>

/* Room for the text of any prefix: a full IPv6 address, "/128" and a NUL. */
#define PREFIX_STRLEN		(46 + 4)

#define IFNAME_MAXLEN		15	/* IFNAMSIZ - 1 */

#define PCT_MIN			1
#define PCT_MAX			100
#define SECS_MIN		1
#define SECS_MAX		3600

#define MATCH_NONE		(-1)
#define MATCH_AMBIGUOUS		(-2)

struct psctl_prefix {
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t plen;
	uint8_t addr[16];	/* network order; IPv4 uses the first 4 bytes */
};

/* An IANA special-purpose block that needs allow-reserved. */
struct reserved_range {
	struct psctl_prefix prefix;
	const char *text;	/* "10.0.0.0/8" */
	const char *kind;	/* "private" */
};

/* Arguments of "lag add" and "lag set": DEV [KEYWORD VALUE]... */
struct lag_args {
	const char *dev;
	bool has_capacity;
	bool capacity_auto;
	uint64_t capacity;	/* bit/s, when !capacity_auto */
	bool has_threshold;
	uint8_t threshold;
	bool has_clear;
	uint8_t clear;
	bool has_window;
	uint32_t window;
};

/* Arguments of "prefix add": PREFIX [name NAME] [allow-reserved] */
struct prefix_args {
	struct psctl_prefix prefix;
	bool has_name;
	char name[PSMON_NAME_SIZE];
	bool allow_reserved;
};

/*
 * iproute2-style abbreviations: arg selects the entry it is a prefix of.
 * Returns its index, MATCH_NONE, or MATCH_AMBIGUOUS; an exact match always
 * wins.
 */
int match_abbrev(const char *arg, const char *const *names, size_t n);

/* PREFIX: syntax, explicit length, length limits, host bits. */
int parse_prefix(const char *s, struct psctl_prefix *p, char *err, size_t len);

/* The first reserved range p overlaps, or NULL when p is publicly routable. */
const struct reserved_range *prefix_reserved(const struct psctl_prefix *p,
					     bool *outside_global);
/* 0 when p is publicly routable, else -1 and err names the range. */
int prefix_check_public(const struct psctl_prefix *p, char *err, size_t len);

/* Canonical text: "198.51.100.0/24", IPv6 compressed as in RFC 5952. */
void prefix_format(const struct psctl_prefix *p, char *buf, size_t len);

/* Build a prefix from kernel attributes; -1 when they do not make one. */
int prefix_from_raw(struct psctl_prefix *p, uint8_t family, const void *addr,
		    size_t addrlen, uint8_t plen);

int parse_name(const char *s, char *err, size_t len);
int parse_dev(const char *s, char *err, size_t len);
int parse_rate(const char *s, uint64_t *bps, char *err, size_t len);
int parse_pct(const char *what, const char *s, uint8_t *v, char *err,
	      size_t len);
int parse_secs(const char *what, const char *s, uint32_t *v, char *err,
	       size_t len);

int parse_lag_args(int argc, char **argv, struct lag_args *a, char *err,
		   size_t len);
int parse_prefix_add_args(int argc, char **argv, struct prefix_args *a,
			  char *err, size_t len);

/*
 * Split a batch line in place into at most max words separated by blanks.
 * A word starting with '#' starts a comment. Returns the number of words,
 * or -1 when there are more than max.
 */
int split_line(char *line, char **argv, int max);

#endif /* PSCTL_PARSE_H */
