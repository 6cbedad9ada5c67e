/* lore_literal.c: the longest text a regex key's every match must hold,
 * so that the byte-pair filter (lore_match.h) can pass over a text that
 * lacks it without running the regex, nor compiling it. Only what is
 * certain counts: a pattern with a top-level alternative, an inline option
 * or verb, or an escape that stands for something else gives nothing. */
#include "lore_match.h"

#include <string.h>

/* Where the character class starting at p[i] ('[') ends, past its ']'. */
static size_t class_end(const char *p, size_t len, size_t i)
{
	i++;
	if (i < len && p[i] == '^')
		i++;
	if (i < len && p[i] == ']')
		i++;
	while (i < len && p[i] != ']') {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '[' && i + 1 < len && p[i + 1] == ':') /* [:alpha:] */
			for (i += 2; i + 1 < len && !(p[i] == ':' && p[i + 1] == ']'); i++)
				;
		i++;
	}
	return i + 1;
}

/* Whether the pattern is one alternative throughout at its top level,
 * without inline options, verbs or \Q. */
static int plain_structure(const char *p, size_t len)
{
	size_t i = 0;
	long depth = 0;

	while (i < len) {
		if (p[i] == '\\') {
			if (i + 1 < len && p[i + 1] == 'Q')
				return 0;
			i += 2;
			continue;
		}
		if (p[i] == '[') {
			i = class_end(p, len, i);
			continue;
		}
		if (p[i] == '(') {
			if (i + 1 < len && p[i + 1] == '*')
				return 0;
			if (i + 1 < len && p[i + 1] == '?' && (i + 2 >= len || p[i + 2] != ':'))
				return 0;
			depth++;
		} else if (p[i] == ')') {
			depth--;
		} else if (p[i] == '|' && depth <= 0) {
			return 0;
		}
		i++;
	}
	return 1;
}

/* A character that stands for itself in every match: ASCII, not special,
 * and when caseless not one whose case has a form beyond ASCII (the
 * Kelvin sign is a k, the long s an s). */
static int literal_char(char c, int caseless)
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x80 || u < 0x20 || strchr("\\^$.|?*+()[]{}", c))
		return 0;
	return !caseless || !strchr("kKsS", c);
}

size_t g_lore_literal(const char *p, size_t len, int caseless, size_t *at)
{
	size_t i = 0, start = 0, best = 0, best_at = 0, depth = 0;

	*at = 0;
	if (!plain_structure(p, len))
		return 0;
	while (i <= len) {
		int keep = i < len && depth == 0 && literal_char(p[i], caseless);
		/* a character a quantifier may leave out is not required */
		int optional = keep && i + 1 < len && strchr("?*{", p[i + 1]);

		if (!keep || optional) {
			if (i - start > best) {
				best = i - start;
				best_at = start;
			}
			if (i < len && p[i] == '\\') {
				/* an escape that names a class or a code point: give up */
				if (i + 1 < len && ((p[i + 1] >= 'a' && p[i + 1] <= 'z') ||
						    (p[i + 1] >= 'A' && p[i + 1] <= 'Z') ||
						    (p[i + 1] >= '0' && p[i + 1] <= '9')) &&
				    p[i + 1] != 'b' && p[i + 1] != 'B')
					return 0;
				i++;
			} else if (i < len && p[i] == '[') {
				i = class_end(p, len, i) - 1;
			} else if (i < len && p[i] == '(') {
				depth++;
			} else if (i < len && p[i] == ')' && depth) {
				depth--;
			}
			i++;
			start = i;
			continue;
		}
		i++;
		if (i < len && p[i] == '+') { /* required once, then as it likes */
			if (i - start > best) {
				best = i - start;
				best_at = start;
			}
			i++;
			start = i;
		}
	}
	*at = best_at;
	return best;
}
