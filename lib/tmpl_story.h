/*
 * tmpl_story.h: the story string a render fills (DESIGN.md §8), from the
 * template embedded in the build (share/templates/story-string.hbs), or
 * from a file: a SillyTavern context preset (a JSON object with
 * story_string, and perhaps example_separator and chat_start), else a
 * template as it stands (one that opens with "{OOC: ...}" too: what is no
 * JSON object is text).
 *
 * struct g_tmpl_story owns its template and strings:
 * g_tmpl_story_release frees them.
 */
#ifndef GUISE_TMPL_STORY_H
#define GUISE_TMPL_STORY_H

#include "err.h"
#include "tmpl.h"

struct g_tmpl_story {
	struct g_tmpl *tmpl;
	char *separator, *chat_start; /* a context preset's, or NULL */
};

/* The story string of path, or with path NULL the embedded default: errors
 * as g_fileio_read and g_tmpl_parse (a preset's located in story_string),
 * 65 for a preset whose story_string is not a string. */
int g_tmpl_story_load(struct g_tmpl_story *s, const char *path, struct g_err *err);
void g_tmpl_story_release(struct g_tmpl_story *s);

#endif
