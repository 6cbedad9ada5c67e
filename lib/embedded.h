/*
 * embedded.h: files from share/ compiled into the library at build time
 * (scripts/embed writes the tables), so an installed guise never looks for
 * them on disk. Each table is sorted by name; data is NUL-terminated and
 * len does not count the NUL.
 */
#ifndef GUISE_EMBEDDED_H
#define GUISE_EMBEDDED_H

#include <stddef.h>

struct g_embedded {
	const char *name; /* the file's base name, e.g. "0001-schema.sql" */
	const unsigned char *data;
	size_t len;
};

/* share/sql/NNNN-*.sql: the schema migrations, in order. */
extern const struct g_embedded g_embedded_sql[];
extern const size_t g_embedded_sql_count;

/* share/sql/pg/NNNN-*.sql: PostgreSQL's migrations, in order; NNNN is
 * the schema version each brings a database to (there may be gaps: the
 * first, 0009, makes the whole schema). There may be none (count 0). */
extern const struct g_embedded g_embedded_pg_sql[];
extern const size_t g_embedded_pg_sql_count;

/* share/templates/: the default story-string template and its kin. */
extern const struct g_embedded g_embedded_templates[];
extern const size_t g_embedded_templates_count;

#endif
