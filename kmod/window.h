/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PSMON_WINDOW_H
#define _PSMON_WINDOW_H

#include "psmon.h"

int psmon_window_set(struct psmon_lag *lag, u32 window);

#endif /* _PSMON_WINDOW_H */
