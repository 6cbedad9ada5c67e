-- guise schema, version 6: what a session carries for lore and the
-- author's note (DESIGN.md §8). Both sealed, as the title and stop are:
--   texts: a JSON object of the session's text settings, those a person
--     wrote (today {"note": ...}; a new one is a key, no migration);
--   lore_state: the lore's timed state (a JSON list of sticky, cooldown
--     and after-match effects), which llm-send --record writes with the
--     turn it came from.
-- The numbers (note_depth, note_role, note_interval, lore_scan_depth,
-- lore_budget) join the plain settings JSON.

ALTER TABLE chat_sessions ADD COLUMN texts BLOB;
ALTER TABLE chat_sessions ADD COLUMN texts_nonce BLOB
	CHECK ((texts IS NULL) = (texts_nonce IS NULL));
ALTER TABLE chat_sessions ADD COLUMN lore_state BLOB;
ALTER TABLE chat_sessions ADD COLUMN lore_state_nonce BLOB
	CHECK ((lore_state IS NULL) = (lore_state_nonce IS NULL));

-- A persona may go to the top or the bottom of the author's note
-- (SillyTavern's persona positions 2 and 3): position takes an_top and
-- an_bottom. SQLite widens a CHECK only by building the table again (its
-- "12 steps"): the store runs migrations with foreign keys off and checks
-- them before it commits, so nothing that points at a persona moves. The
-- columns are those of versions 1 and 2, in their order.
CREATE TABLE user_personas_new (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	spec TEXT NOT NULL DEFAULT 'user_persona_spec_v1',
	spec_version TEXT NOT NULL DEFAULT '1.0.0',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	content_hash BLOB,
	origin BLOB,
	origin_nonce BLOB,
	name BLOB,
	name_nonce BLOB,
	description BLOB,
	description_nonce BLOB,
	personality BLOB,
	personality_nonce BLOB,
	scenario BLOB,
	scenario_nonce BLOB,
	first_mes BLOB,
	first_mes_nonce BLOB,
	mes_example BLOB,
	mes_example_nonce BLOB,
	creator_notes BLOB,
	creator_notes_nonce BLOB,
	system_prompt BLOB,
	system_prompt_nonce BLOB,
	post_history_instructions BLOB,
	post_history_instructions_nonce BLOB,
	alternate_greetings BLOB,
	alternate_greetings_nonce BLOB,
	group_only_greetings BLOB,
	group_only_greetings_nonce BLOB,
	tags BLOB,
	tags_nonce BLOB,
	creator BLOB,
	creator_nonce BLOB,
	character_version BLOB,
	character_version_nonce BLOB,
	nickname BLOB,
	nickname_nonce BLOB,
	creator_notes_multilingual BLOB,
	creator_notes_multilingual_nonce BLOB,
	source BLOB,
	source_nonce BLOB,
	assets BLOB,
	assets_nonce BLOB,
	character_book BLOB,
	character_book_nonce BLOB,
	extensions BLOB,
	extensions_nonce BLOB,
	card_raw BLOB,
	card_raw_nonce BLOB,
	avatar BLOB,
	avatar_nonce BLOB,
	position TEXT NOT NULL DEFAULT 'in_prompt'
		CHECK (position IN ('in_prompt', 'at_depth', 'none', 'an_top', 'an_bottom')),
	depth INTEGER NOT NULL DEFAULT 2 CHECK (depth >= 0),
	role TEXT NOT NULL DEFAULT 'system'
		CHECK (role IN ('system', 'user', 'assistant')),
	extra BLOB,
	extra_nonce BLOB,
	CHECK ((extra IS NULL) = (extra_nonce IS NULL)),
	CHECK ((origin IS NULL) = (origin_nonce IS NULL)),
	CHECK ((name IS NULL) = (name_nonce IS NULL)),
	CHECK ((description IS NULL) = (description_nonce IS NULL)),
	CHECK ((personality IS NULL) = (personality_nonce IS NULL)),
	CHECK ((scenario IS NULL) = (scenario_nonce IS NULL)),
	CHECK ((first_mes IS NULL) = (first_mes_nonce IS NULL)),
	CHECK ((mes_example IS NULL) = (mes_example_nonce IS NULL)),
	CHECK ((creator_notes IS NULL) = (creator_notes_nonce IS NULL)),
	CHECK ((system_prompt IS NULL) = (system_prompt_nonce IS NULL)),
	CHECK ((post_history_instructions IS NULL) = (post_history_instructions_nonce IS NULL)),
	CHECK ((alternate_greetings IS NULL) = (alternate_greetings_nonce IS NULL)),
	CHECK ((group_only_greetings IS NULL) = (group_only_greetings_nonce IS NULL)),
	CHECK ((tags IS NULL) = (tags_nonce IS NULL)),
	CHECK ((creator IS NULL) = (creator_nonce IS NULL)),
	CHECK ((character_version IS NULL) = (character_version_nonce IS NULL)),
	CHECK ((nickname IS NULL) = (nickname_nonce IS NULL)),
	CHECK ((creator_notes_multilingual IS NULL) = (creator_notes_multilingual_nonce IS NULL)),
	CHECK ((source IS NULL) = (source_nonce IS NULL)),
	CHECK ((assets IS NULL) = (assets_nonce IS NULL)),
	CHECK ((character_book IS NULL) = (character_book_nonce IS NULL)),
	CHECK ((extensions IS NULL) = (extensions_nonce IS NULL)),
	CHECK ((card_raw IS NULL) = (card_raw_nonce IS NULL)),
	CHECK ((avatar IS NULL) = (avatar_nonce IS NULL)),
	UNIQUE (id, user_id)
) STRICT;

INSERT INTO user_personas_new SELECT * FROM user_personas;
DROP TABLE user_personas;
ALTER TABLE user_personas_new RENAME TO user_personas;
CREATE INDEX user_personas_by_user ON user_personas (user_id, content_hash);
