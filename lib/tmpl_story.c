/* tmpl_story.c: the default story string, a template file or a context
 * preset, parsed. */
#include "tmpl_story.h"

#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "embedded.h"
#include "fileio.h"

static int default_template(struct g_tmpl_story *s, struct g_err *err)
{
	size_t i;

	for (i = 0; i < g_embedded_templates_count; i++)
		if (strcmp(g_embedded_templates[i].name, "story-string.hbs") == 0) {
			s->tmpl = g_tmpl_parse((const char *)g_embedded_templates[i].data,
					       g_embedded_templates[i].len, "story-string.hbs", err);
			return s->tmpl ? 0 : -1;
		}
	return g_err_set(err, G_EX_SOFTWARE, "no default template in this build");
}

static char *preset_text(const json_t *preset, const char *key)
{
	const char *v = json_string_value(json_object_get(preset, key));

	return v ? strdup(v) : NULL;
}

int g_tmpl_story_load(struct g_tmpl_story *s, const char *path, struct g_err *err)
{
	struct g_file f = { 0 };
	const json_t *story = NULL;
	json_t *preset = NULL;
	struct g_err ignored;
	size_t i = 0;

	memset(s, 0, sizeof(*s));
	if (!path)
		return default_template(s, err);
	if (g_fileio_read(path, G_TMPL_MAX_BYTES * 2, &f, err) < 0)
		return -1;
	while (i < f.len && (f.data[i] == ' ' || f.data[i] == '\n' || f.data[i] == '\t' ||
			     f.data[i] == '\r'))
		i++;
	if (i < f.len && f.data[i] == '{')
		preset = g_doc_parse_json(f.data, f.len, path, &ignored);
	if (json_is_object(preset)) {
		story = json_object_get(preset, "story_string");
		if (!json_is_string(story)) {
			g_err_set(err, G_EX_DATAERR, "'%s': story_string: expected a string", path);
		} else {
			s->separator = preset_text(preset, "example_separator");
			s->chat_start = preset_text(preset, "chat_start");
			s->tmpl = g_tmpl_parse(json_string_value(story), json_string_length(story),
					       path, err);
			if (!s->tmpl)
				g_err_place(err, path, "story_string");
		}
	} else {
		s->tmpl = g_tmpl_parse((const char *)f.data, f.len, path, err);
	}
	json_decref(preset);
	g_fileio_release(&f);
	return s->tmpl ? 0 : -1;
}

void g_tmpl_story_release(struct g_tmpl_story *s)
{
	g_tmpl_free(s->tmpl);
	free(s->separator);
	free(s->chat_start);
	memset(s, 0, sizeof(*s));
}
