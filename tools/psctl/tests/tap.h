/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP (version 13) output for the unit tests. */
#ifndef PSCTL_TAP_H
#define PSCTL_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static unsigned int tap_count, tap_failed;

static void __attribute__((format(printf, 4, 5)))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	char desc[512], *p;
	va_list ap;

	if (!tap_count)
		printf("TAP version 13\n");
	tap_count++;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	/* One line per test, whatever the inputs hold. */
	for (p = desc; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	printf("%sok %u - %s\n", pass ? "" : "not ", tap_count, desc);
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Compare strings, showing both on failure. */
static void __attribute__((format(printf, 5, 6)))
tap_is_str(const char *got, const char *want, const char *file, int line,
	   const char *fmt, ...)
{
	char name[512];
	va_list ap;
	int pass = !strcmp(got, want);

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	tap_ok(pass, file, line, "%s", name);
	if (!pass)
		printf("#   got:  \"%s\"\n#   want: \"%s\"\n", got, want);
}

#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static int tap_done(void)
{
	printf("1..%u\n", tap_count);
	if (tap_failed)
		printf("# %u of %u tests failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* PSCTL_TAP_H */
