/*
 * uuid.h: ids are UUIDv7 text (RFC 9562): 48 bits of Unix milliseconds, then
 * randomness, so ids sort by creation time and index well. Within a process,
 * ids made in the same millisecond still sort in the order they were made.
 */
#ifndef GUISE_UUID_H
#define GUISE_UUID_H

#include "err.h"

/* 36 characters and the NUL */
#define G_UUID_LEN 37

/* Write a new id into out; -1 with err set if the kernel gives no
 * randomness. */
int g_uuid7(char out[G_UUID_LEN], struct g_err *err);

#endif
