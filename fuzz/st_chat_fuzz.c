/*
 * st_chat_fuzz: libFuzzer target for SillyTavern chat files (lib/st_chat):
 * each record of the input read as a header or a message. Oracle: a
 * message read, written back as SillyTavern writes it (from the record a
 * session would keep) and read again, has the same role and text, and
 * the same swipes: their count, the current one, each one's text.
 */
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "st_chat.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void round_trip(const struct g_st_chat_message *m)
{
	struct g_st_chat_message again;
	struct g_err err;
	json_t *rec = json_pack("{s:s, s:s%, s:{s:s?}, s:s}", "role", m->role, "content",
				m->content, m->len, "speaker", "name", m->name, "created_at",
				m->created_at[0] ? m->created_at : "2026-01-01T00:00:00.000Z");
	json_t *line = rec ? g_st_chat_message_out(rec, NULL, "User", "Char") : NULL;

	if (!line || g_st_chat_message(line, "again", 1, &again, &err) < 0 ||
	    strcmp(again.role, m->role) != 0 || again.len != m->len ||
	    memcmp(again.content, m->content, m->len) != 0)
		abort();
	json_decref(line);
	json_decref(rec);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct g_doc_reader *r = g_doc_reader_new_mem(data, size, "fuzz", G_DOC_AUTO,
						      G_DOC_RECORDS);
	struct g_st_chat_message m;
	struct g_err err;
	json_t *rec;
	long n = 0;

	if (!r)
		abort();
	while (g_doc_read(r, &rec, &err) > 0) {
		if (!(n++ == 0 && g_st_chat_is_header(rec)) &&
		    g_st_chat_message(rec, "fuzz", n, &m, &err) == 0)
			round_trip(&m);
		json_decref(rec);
	}
	g_doc_reader_free(r);
	return 0;
}
