/*
 * card_fields.h: the fields of V3's data (DESIGN.md §7), written once, in
 * the spec's order. Every list of them in C is made from these lines (an
 * X-macro, as jq's opcode_list.h): define the macros you need, then
 * include this file; one left undefined makes nothing, and both are
 * undefined after, so the file can be included again.
 *
 *   G_CARD_FIELD(name, type, required, column)    a field with a column
 *   G_CARD_FIELD_NO_COLUMN(name, type, required)  one kept in "extra"
 *
 * type: the value's shape, G_CARD_<type> of card.h. required: a card
 * without the field gets its empty value. column: the field's place among
 * a card row's encrypted columns in the order of the characters and
 * user_personas tables, the vault's walk (origin is 0; card_raw, avatar
 * and extra are 21 to 23).
 *
 * A new field is a line here (with the next place: 24) and a migration
 * adding <name> and <name>_nonce to both tables; tests/1018-card-fields.bats
 * checks that the two agree.
 */
#include "card.h" /* the types: an includer has it already, outside any list */

#ifndef G_CARD_FIELD
#define G_CARD_FIELD(name, type, required, column)
#endif
#ifndef G_CARD_FIELD_NO_COLUMN
#define G_CARD_FIELD_NO_COLUMN(name, type, required)
#endif

G_CARD_FIELD(name, TEXT, 1, 1)
G_CARD_FIELD(description, TEXT, 1, 2)
G_CARD_FIELD(tags, TEXTS, 1, 12)
G_CARD_FIELD(creator, TEXT, 1, 13)
G_CARD_FIELD(character_version, TEXT, 1, 14)
G_CARD_FIELD(mes_example, TEXT, 1, 6)
G_CARD_FIELD(extensions, OBJECT, 1, 20)
G_CARD_FIELD(system_prompt, TEXT, 1, 8)
G_CARD_FIELD(post_history_instructions, TEXT, 1, 9)
G_CARD_FIELD(first_mes, TEXT, 1, 5)
G_CARD_FIELD(alternate_greetings, TEXTS, 1, 10)
G_CARD_FIELD(personality, TEXT, 1, 3)
G_CARD_FIELD(scenario, TEXT, 1, 4)
G_CARD_FIELD(creator_notes, TEXT, 1, 7)
G_CARD_FIELD(character_book, BOOK, 0, 19)
G_CARD_FIELD(assets, ASSETS, 0, 18)
G_CARD_FIELD(nickname, TEXT, 0, 15)
G_CARD_FIELD(creator_notes_multilingual, TEXT_MAP, 0, 16)
G_CARD_FIELD(source, TEXTS, 0, 17)
G_CARD_FIELD(group_only_greetings, TEXTS, 1, 11)
G_CARD_FIELD_NO_COLUMN(creation_date, NUMBER, 0)
G_CARD_FIELD_NO_COLUMN(modification_date, NUMBER, 0)

#undef G_CARD_FIELD
#undef G_CARD_FIELD_NO_COLUMN
