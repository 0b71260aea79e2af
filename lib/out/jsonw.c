/*
 * The JSON helpers shared by the JSON writers (jsonw.h): UTF-8 repair,
 * strings, keys, string arrays and the compact dump, written once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "out/jsonw.h"
#include "util/util.h"

char *sf_js_repair(const char *s)
{
	static const char repl[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0;
	char *buf;

	/* at most 3 output bytes per input byte, plus the NUL */
	if (n > (SIZE_MAX - 1) / 3 || (buf = malloc(n * 3 + 1)) == NULL)
		return NULL;
	while (i < n) {
		size_t len = sf_utf8_seq(u + i, n - i, NULL);

		if (len == 0) {
			memcpy(buf + o, repl, 3);
			o += 3;
			i++;
		} else {
			memcpy(buf + o, s + i, len);
			o += len;
			i += len;
		}
	}
	buf[o] = '\0';
	return buf;
}

json_t *sf_js_str(const char *s)
{
	json_t *v;
	char *fixed;

	if (s == NULL)
		return json_null();
	v = json_string(s);
	if (v != NULL)
		return v;
	/* json_string() refuses ill-formed UTF-8 (or ran out of memory) */
	fixed = sf_js_repair(s);
	if (fixed == NULL)
		return NULL;
	v = json_string(fixed);
	free(fixed);
	return v;
}

int sf_js_set(json_t *obj, const char *key, json_t *v)
{
	return json_object_set_new(obj, key, v);
}

json_t *sf_js_strv(char *const *v, size_t n)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		/* json_array_append_new takes the reference, also on failure */
		if (json_array_append_new(a, sf_js_str(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

char *sf_js_dump(json_t *v)
{
	char *text = v != NULL ? json_dumps(v, JSON_COMPACT) : NULL;

	json_decref(v);
	return text;
}
