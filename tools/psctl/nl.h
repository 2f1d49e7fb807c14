/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thin layer over libmnl for one generic netlink family: requests that
 * wait for the kernel's acknowledgement, dumps, and the extended ack
 * (message and offset of the refused attribute). Functions return 0 or
 * -errno.
 */
#ifndef PSCTL_NL_H
#define PSCTL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define NL_EXT_MSG_LEN	256
#define NL_MAX_GROUPS	8
#define NL_NAME_LEN	16	/* GENL_NAMSIZ */

struct nl;

/* A generic netlink family: its id and multicast groups. */
struct nl_family {
	char name[NL_NAME_LEN];
	uint16_t id;
	unsigned int ngroups;
	struct {
		char name[NL_NAME_LEN];
		uint32_t id;
	} groups[NL_MAX_GROUPS];
};

/* Called for every data message of a reply; returns 0 or -errno. */
typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Open a generic netlink socket and resolve the family, whose messages
 * carry version. -ENOENT means the kernel does not know the family.
 */
int nl_open(struct nl **out, const char *family, uint8_t version);
void nl_close(struct nl *nl);

/* The family nl_open() resolved. */
const struct nl_family *nl_family(const struct nl *nl);
/* Messages go to family id from now on (after the family came back). */
void nl_set_family(struct nl *nl, const struct nl_family *f);
/* Ask the controller about another family (-ENOENT: unknown). */
int nl_get_family(struct nl *nl, const char *name, struct nl_family *f);
/*
 * A controller message (CTRL_CMD_NEWFAMILY, DELFAMILY, ...) into f; the
 * genetlink command is stored in cmd. -EBADMSG when it is malformed.
 */
int nl_parse_family(const struct nlmsghdr *nlh, uint8_t *cmd,
		    struct nl_family *f);
/* Id of the multicast group called name, 0 when f has none. */
uint32_t nl_family_group(const struct nl_family *f, const char *name);

/* Receive the multicast group's messages from now on. */
int nl_join(struct nl *nl, uint32_t group);
/* The socket, for poll(2). */
int nl_fd(const struct nl *nl);
/*
 * Read one datagram of notifications and run cb on each message in it.
 * -ENOBUFS: the socket overran and notifications were lost.
 */
int nl_recv_events(struct nl *nl, nl_cb cb, void *data);

/*
 * Start a request in buf: netlink and genetlink headers for cmd, with
 * NLM_F_REQUEST and flags (NLM_F_DUMP for a dump).
 */
struct nlmsghdr *nl_msg_start(struct nl *nl, void *buf, uint8_t cmd,
			      uint16_t flags);

/*
 * Send nlh and process the answer until the acknowledgement (with
 * NLM_F_ACK, added here for requests that are not dumps) or the end of the
 * dump. cb may be NULL. Returns the kernel's error, else the first error of
 * cb, else 0; the whole answer is read in every case. A dump the kernel
 * flags as interrupted (NLM_F_DUMP_INTR) is read again, up to three times,
 * before cb sees it; the last one is kept with a warning.
 */
int nl_request(struct nl *nl, struct nlmsghdr *nlh, nl_cb cb, void *data);

/* Extended ack of the last request: message ("" if none), offset. */
const char *nl_ext_msg(const struct nl *nl);
bool nl_ext_offset(const struct nl *nl, uint32_t *offs);

/*
 * Collect the attributes of a nest (or, with nest NULL, of a genetlink
 * message nlh) into tb[0..max], checking each known one against
 * types[type] (MNL_TYPE_UNSPEC accepts anything). Unknown attributes, from a
 * newer kernel, are ignored; a repeated one leaves its last copy in tb.
 * Returns -EBADMSG when an attribute is malformed.
 */
int nl_parse(const struct nlmsghdr *nlh, const struct nlattr *nest,
	     const enum mnl_attr_data_type *types, unsigned int max,
	     const struct nlattr **tb);

#endif /* PSCTL_NL_H */
