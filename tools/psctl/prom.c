// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "json.h"
#include "prom.h"

void prom_family(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void prom_label_value(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		switch (*s) {
		case '\\':
			fputs("\\\\", f);
			break;
		case '"':
			fputs("\\\"", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		default:
			n = utf8_len(s);
			if (!n) {
				fputs("\xef\xbf\xbd", f);
				break;
			}
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', f);
}

static struct prom_label common;

void prom_common_label(const char *name, const char *value)
{
	common.name = name;
	common.value = value;
}

void prom_sample(FILE *f, const char *name, const struct prom_label *labels,
		 size_t nlabels, const char *value)
{
	size_t i;

	fputs(name, f);
	if (nlabels || common.name) {
		fputc('{', f);
		for (i = 0; i < nlabels; i++) {
			fprintf(f, "%s%s=", i ? "," : "", labels[i].name);
			prom_label_value(f, labels[i].value);
		}
		if (common.name) {
			fprintf(f, "%s%s=", nlabels ? "," : "", common.name);
			prom_label_value(f, common.value);
		}
		fputc('}', f);
	}
	fprintf(f, " %s\n", value);
}

void prom_u64(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
}

void prom_i64(char *buf, size_t len, int64_t v)
{
	snprintf(buf, len, "%lld", (long long)v);
}

/* whole.frac with frac digits, trailing zeros dropped. */
static void decimal(char *buf, size_t len, uint64_t whole, uint64_t frac,
		    unsigned int digits)
{
	char f[24];
	size_t n;

	if (!frac) {
		snprintf(buf, len, "%llu", (unsigned long long)whole);
		return;
	}
	snprintf(f, sizeof(f), "%0*llu", (int)digits, (unsigned long long)frac);
	n = strlen(f);
	while (n && f[n - 1] == '0')
		f[--n] = '\0';
	snprintf(buf, len, "%llu.%s", (unsigned long long)whole, f);
}

void prom_ppm(char *buf, size_t len, uint64_t ppm)
{
	decimal(buf, len, ppm / 1000000, ppm % 1000000, 6);
}

void prom_bits_as_bytes(char *buf, size_t len, uint64_t bits)
{
	decimal(buf, len, bits / 8, bits % 8 * 125, 3);
}
