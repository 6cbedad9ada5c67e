/* db_pg_lib.c: libpq loaded when a PostgreSQL store is first opened
 * (db_pg.h says why it is not linked). */
#define G_DB_PG_LIB_IMPL
#include "db_pg.h"

#include <dlfcn.h>
#include <stddef.h>

struct g_pq g_pq;

/* Each call's name and its place in g_pq. */
#define CALL(name) { #name, offsetof(struct g_pq, name) }
static const struct {
	const char *name;
	size_t at;
} calls[] = {
	CALL(PQclear),
	CALL(PQresultStatus),
	CALL(PQresultErrorField),
	CALL(PQntuples),
	CALL(PQgetlength),
	CALL(PQftype),
	CALL(PQerrorMessage),
	CALL(PQtransactionStatus),
	CALL(PQstatus),
	CALL(PQgetvalue),
	CALL(PQgetisnull),
	CALL(PQfinish),
	CALL(PQexecParams),
	CALL(PQexec),
	CALL(PQcmdTuples),
	CALL(PQsetNoticeProcessor),
	CALL(PQprepare),
	CALL(PQnfields),
	CALL(PQfreemem),
	CALL(PQexecPrepared),
	CALL(PQconninfoParse),
	CALL(PQconninfoFree),
	CALL(PQconnectionNeedsPassword),
	CALL(PQconnectionUsedPassword),
	CALL(PQconnectdbParams),
	CALL(PQcmdStatus),
};

int g_db_pg_lib_load(struct g_err *err)
{
	static int loaded;
	void *lib, *fn;
	size_t i;

	if (loaded)
		return 0;
	if (!(lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL)))
		return g_err_set(err, G_EX_UNAVAILABLE,
				 "a PostgreSQL store needs libpq, which did not load (%s)", dlerror());
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		if (!(fn = dlsym(lib, calls[i].name))) {
			dlclose(lib);
			return g_err_set(err, G_EX_UNAVAILABLE, "libpq.so.5 has no %s", calls[i].name);
		}
		/* a function's address as POSIX hands it over */
		*(void **)(void *)((char *)&g_pq + calls[i].at) = fn;
	}
	loaded = 1;
	return 0;
}
