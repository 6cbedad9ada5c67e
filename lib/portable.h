/*
 * portable.h: sealing the text fields of a record for its user, in a form
 * that travels outside the store (persona-encrypt seal / open).
 *
 * Every string value of the record is replaced by a self-describing object
 *   {"guise_sealed": 1, "user": ID, "dek_version": N,
 *    "nonce": BASE64URL, "ciphertext": BASE64URL}
 * except the top-level keys that say what a record is: kind, id, spec,
 * spec_version, created_at, updated_at. The associated data binds each
 * value to its user, key version, the record's id and its place in the
 * record (a JSON Pointer, and whether each step is into an object or an
 * array), so a sealed value moved to another field, record or user does
 * not open. A record without an "id" gets a "guise_seal_id" while sealed,
 * for the same binding; open takes it away again.
 */
#ifndef GUISE_PORTABLE_H
#define GUISE_PORTABLE_H

#include <jansson.h>
#include <stdio.h>

#include "doc.h"

#include "userkey.h"

/* Seal in place; the count of values sealed, or -1 with err set (65 for a
 * record that holds a sealed value already: sealing twice would make a
 * record that no open gives back). */
long g_portable_seal(const struct g_userkey *k, json_t *record,
		     struct g_err *err);

/* Open in place; the count of values opened, or -1 with err set (65: a
 * value that fails, or was sealed for another user or key version). */
long g_portable_open(const struct g_userkey *k, json_t *record,
		     struct g_err *err);

/* seal and open as a filter: each record of in (format as --input) sealed
 * (sealing 1) or opened, then written to out, until the end or the first
 * failure: -1 with err set, a record's own failure located "'name':
 * record N" (from 1). */
int g_portable_filter(const struct g_userkey *k, int sealing, FILE *in, const char *name,
		      enum g_doc_format format, struct g_doc_writer *out, struct g_err *err);

#endif
