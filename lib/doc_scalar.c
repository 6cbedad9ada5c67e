/* doc_scalar.c: what a plain YAML scalar means, and when a string needs
 * quotes on the way out. Both sides of the same rule, so a value written as
 * YAML reads back as the same value. */
#include "doc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REAL_TEXT_MAX 64

/* Past the run of digits at *i in s[0..n): 0 if there is none. */
static int digits(const char *s, size_t n, size_t *i)
{
	size_t start = *i;

	while (*i < n && isdigit((unsigned char)s[*i]))
		(*i)++;
	return *i > start;
}

/* -?(0|[1-9][0-9]*), then optional fraction and exponent: JSON's number
 * grammar. Returns 0 if s is not a number; 1 for an integer form; 2 for a
 * form with a fraction or an exponent. */
static int json_number_form(const char *s, size_t n)
{
	size_t i = 0;
	int real = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (!digits(s, n, &i))
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		if (!digits(s, n, &i))
			return 0;
		real = 1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!digits(s, n, &i))
			return 0;
		real = 1;
	}
	return i == n ? 1 + real : 0;
}

static int is_word(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncmp(s, word, n) == 0;
}

json_t *g_doc_plain_scalar(const char *s, size_t n)
{
	char small[REAL_TEXT_MAX];
	char *text = small, *end;
	json_t *v = NULL;
	int form;

	if (n == 0 || is_word(s, n, "null"))
		return json_null();
	if (is_word(s, n, "true"))
		return json_true();
	if (is_word(s, n, "false"))
		return json_false();
	form = json_number_form(s, n);
	if (form && n >= sizeof(small) && !(text = malloc(n + 1)))
		return NULL;
	if (form) {
		memcpy(text, s, n);
		text[n] = '\0';
		errno = 0;
		if (form == 1) {
			long long i = strtoll(text, &end, 10);

			if (errno == 0)
				v = json_integer(i);
		} else {
			double d = strtod(text, &end);

			if (isfinite(d))
				v = json_real(d);
		}
		if (text != small)
			free(text);
	}
	/* Out of range, or not a JSON-schema form: the text itself. */
	return v ? v : json_stringn(s, n);
}

int g_doc_string_needs_quotes(const char *s, size_t n)
{
	static const char *const yaml11_words[] = {
		"y", "n", "yes", "no", "on", "off", "true", "false", "null",
		"~", ".inf", "-.inf", "+.inf", ".nan", "<<", "=",
	};
	json_t *as_plain;
	int not_string;
	size_t i;

	if (n == 0)
		return 1;
	if (isdigit((unsigned char)s[0]))
		return 1;
	if (n > 1 && strchr("+-.", s[0]) &&
	    (isdigit((unsigned char)s[1]) || s[1] == '.'))
		return 1;
	for (i = 0; i < sizeof(yaml11_words) / sizeof(*yaml11_words); i++)
		if (strlen(yaml11_words[i]) == n &&
		    strncasecmp(s, yaml11_words[i], n) == 0)
			return 1;
	as_plain = g_doc_plain_scalar(s, n);
	not_string = !json_is_string(as_plain);
	json_decref(as_plain);
	return not_string;
}

int g_doc_format_real(double v, char *buf, size_t size)
{
	int len = 0, precision, exponent;
	char *e;

	/* the fewest significant digits that read back as v */
	for (precision = 1; precision < 17; precision++) {
		snprintf(buf, size, "%.*e", precision - 1, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	snprintf(buf, size, "%.*e", precision - 1, v);
	e = strchr(buf, 'e');
	exponent = e ? (int)strtol(e + 1, NULL, 10) : 0;
	/* Positional notation where it is short, as JavaScript and Python do. */
	if (exponent >= -4 && exponent < 16) {
		int decimals = precision - 1 - exponent;

		len = snprintf(buf, size, "%.*f", decimals > 0 ? decimals : 0, v);
	} else {
		len = snprintf(buf, size, "%.*e", precision - 1, v);
	}
	if (!strpbrk(buf, ".eEn") && (size_t)len + 2 < size) {
		memcpy(buf + len, ".0", 3);
		len += 2;
	}
	return len;
}
