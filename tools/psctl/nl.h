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

struct nl;

/* Called for every data message of a reply; returns 0 or -errno. */
typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Open a generic netlink socket and resolve the family, whose messages
 * carry version. -ENOENT means the kernel does not know the family.
 */
int nl_open(struct nl **out, const char *family, uint8_t version);
void nl_close(struct nl *nl);

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
 * cb, else 0; the whole answer is read in every case.
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
