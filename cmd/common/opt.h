/*
 * opt.h: the long options of the commands' own, each written once: its
 * code, its name, whether it takes an argument, and the short letter it
 * shares, if any. A command lists the codes it takes (struct g_frame's
 * own); the frame builds getopt's table from this list, so an option means
 * the same wherever it appears, and adding one is a line here and a case
 * in the command. The shared options (-d -u -y ...) are lib/cli.h's.
 *
 * Where one name has two meanings in different commands, it has two codes:
 * `persona --character` picks a kind, `session-bind --character NAME`
 * names one (G_OPT_KIND_CHARACTER, G_OPT_CHARACTER).
 */
#ifndef GUISE_OPT_H
#define GUISE_OPT_H

#include <getopt.h>

#include "cli.h"

/* X(CODE, "name", has_arg, short letter or 0), by name */
#define G_OPT_LIST(X)                                                         \
	X(ALL, "all", no_argument, 0)                                         \
	X(ANY, "any", no_argument, 0) /* test-tool's */                       \
	X(API_KEY_FILE, "api-key-file", required_argument, 0)                 \
	X(AS, "as", required_argument, 0)                                     \
	X(BATCH, "batch", required_argument, 0)                               \
	X(CACERT, "cacert", required_argument, 0)                             \
	X(CASCADE, "cascade", no_argument, 0)                                 \
	X(CHARACTER, "character", required_argument, 0)                       \
	X(KIND_CHARACTER, "character", no_argument, 0)                        \
	X(CHARACTERS, "characters", no_argument, 0)                           \
	X(CLEAR, "clear", required_argument, 0)                               \
	X(CONNECT_TIMEOUT, "connect-timeout", required_argument, 0)           \
	X(CONTINUE, "continue", no_argument, 0)                               \
	X(DEFAULT, "default", no_argument, 0)                                 \
	X(DESCRIPTION, "description", required_argument, 0)                   \
	X(DRAFT, "draft", no_argument, 0)                                     \
	X(EMAIL, "email", required_argument, 0)                               \
	X(FAIL_FAST, "fail-fast", no_argument, 0)                             \
	X(FIX, "fix", no_argument, 0)                                         \
	X(FORMAT, "format", required_argument, 0)                             \
	X(FROM_CARD, "from-card", required_argument, 0)                       \
	X(FULL, "full", no_argument, 0)                                       \
	X(GLOBAL, "global", no_argument, 0)                                   \
	X(GREETING, "greeting", required_argument, 0)                         \
	X(IDLE_TIMEOUT, "idle-timeout", required_argument, 0)                 \
	X(IMPERSONATE, "impersonate", required_argument, 0)                   \
	X(KDF, "kdf", required_argument, 0)                                   \
	X(KEEP, "keep", no_argument, 0)                                       \
	X(KEEP_PARTIAL, "keep-partial", no_argument, 0)                       \
	X(LAST, "last", required_argument, 0)                                 \
	X(MESSAGE, "message", required_argument, 'm')                         \
	X(MODEL, "model", required_argument, 'm')                             \
	X(NAME, "name", required_argument, 0)                                 \
	X(NEW_PASSPHRASE_FD, "new-passphrase-fd", required_argument, 0)       \
	X(NEW_PASSPHRASE_FILE, "new-passphrase-file", required_argument, 0)   \
	X(NO_GREETING, "no-greeting", no_argument, 0)                         \
	X(NO_PERSONA, "no-persona", no_argument, 0)                           \
	X(NO_STREAM, "no-stream", no_argument, 0)                             \
	X(ON_CONFLICT, "on-conflict", required_argument, 0)                   \
	X(OUTPUT, "output", required_argument, 'o')                           \
	X(PASSPHRASE_FD, "passphrase-fd", required_argument, 0)               \
	X(PERSONA, "persona", required_argument, 0)                           \
	X(KIND_PERSONA, "persona", no_argument, 0)                            \
	X(PROGRESS, "progress", no_argument, 0)                               \
	X(PROVIDER, "provider", required_argument, 0)                         \
	X(RECORD, "record", no_argument, 0)                                   \
	X(RECORDS, "records", no_argument, 0)                                 \
	X(RECOVERY_KEY_FD, "recovery-key-fd", required_argument, 0)           \
	X(RECOVERY_KEY_FILE, "recovery-key-file", required_argument, 0)       \
	X(REGENERATE, "regenerate", no_argument, 0)                           \
	X(RETRIES, "retries", required_argument, 0)                           \
	X(ROLE, "role", required_argument, 0)                                 \
	X(SEED, "seed", required_argument, 0)                                 \
	X(SESSION, "session", required_argument, 's')                         \
	X(SET, "set", required_argument, 0)                                   \
	X(STATUS, "status", required_argument, 0)                             \
	X(STRICT, "strict", no_argument, 0)                                   \
	X(SWAP_MACROS, "swap-macros", no_argument, 0)                         \
	X(TEMPLATE, "template", required_argument, 0)                         \
	X(TEXT, "text", no_argument, 0)                                       \
	X(TIMEOUT, "timeout", required_argument, 0)                           \
	X(TITLE, "title", required_argument, 0)                               \
	X(TO, "to", required_argument, 0)                                     \
	X(TOKEN, "token", no_argument, 0)                                     \
	X(URL, "url", required_argument, 0)

/* The codes, from G_OPT_COMMAND up. An option with a short letter reaches
 * the command as its code all the same (`-m` and `--model` alike). */
#define G_OPT_ENUM_(code, name, has_arg, letter) G_OPT_##code,
enum g_opt {
	G_OPT_BEFORE_FIRST_ = G_OPT_COMMAND - 1,
	G_OPT_LIST(G_OPT_ENUM_) G_OPT_END_
};
#undef G_OPT_ENUM_

#define G_OPT_COUNT (G_OPT_END_ - G_OPT_COMMAND)

/* A set of codes, for what was given and what a subcommand takes: 128
 * bits (GCC's and Clang's __int128; __extension__ keeps -Wpedantic quiet). */
__extension__ typedef unsigned __int128 g_opt_set;
#define G_OPT_BIT(code) ((g_opt_set)1 << ((code) - G_OPT_COMMAND))
_Static_assert(G_OPT_COUNT <= 128, "g_opt_set holds 128 codes: make it wider");

/* A command's own[] as struct g_frame's own and nown. */
#define G_OPT_OWN(own) (own), sizeof(own) / sizeof((own)[0])

/* The getopt_long table of the codes own[0..n) and the shared options,
 * into table (G_OPT_TABLE_SIZE entries), ending with the zero entry. */
#define G_OPT_TABLE_SIZE (G_OPT_COUNT + 16)
void g_opt_table(const enum g_opt *own, size_t n, struct option *table);

/* The code among own[0..n) of what getopt returned (a code or a short
 * letter), or 0 if none of them. */
enum g_opt g_opt_code(const enum g_opt *own, size_t n, int opt);

/* The name of the code, without its dashes. */
const char *g_opt_name(enum g_opt code);

#endif
