/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PSMON_RATE_H
#define _PSMON_RATE_H

#include "psmon.h"

int psmon_rate_init(struct psmon_rate *r, u32 window);
int psmon_rate_resize(struct psmon_rate *r, u32 window);
void psmon_rate_free(struct psmon_rate *r);
u32 psmon_ppm(u64 bps, u64 capacity);
u32 psmon_rate_seconds(const struct psmon_rate *r);
u64 psmon_lag_n1_capacity(const struct psmon_lag *lag);

void psmon_sampler_init(struct psmon_net *pn);
void psmon_sampler_start(struct psmon_net *pn);
void psmon_sampler_stop(struct psmon_net *pn);
void psmon_lag_ack(struct psmon_lag *lag);

#endif /* _PSMON_RATE_H */
