/*
 * store_migrate.h: schema versions (private to store*.c). The schema is the
 * sequence of share/sql/NNNN-*.sql files; PRAGMA user_version says how many
 * of them a file has had.
 */
#ifndef GUISE_STORE_MIGRATE_H
#define GUISE_STORE_MIGRATE_H

#include "store.h"

/* Refuse a file that is newer than this build or not ours; reads only. */
int g_store_migrate_check_version(struct g_store *s, struct g_err *err);
/* Apply what is missing, in one BEGIN IMMEDIATE transaction. */
int g_store_migrate(struct g_store *s, struct g_err *err);
/* Read meta (the database id) into s. */
int g_store_migrate_load_meta(struct g_store *s, struct g_err *err);

#endif
