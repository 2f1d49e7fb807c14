/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PSMON_NETLINK_H
#define _PSMON_NETLINK_H

int psmon_genl_init(void);
void psmon_genl_exit(void);

#endif /* _PSMON_NETLINK_H */
