-- guise schema, version 9: a card row laid out for reading.
--
-- The lore index (lib/lore_index.h) has a second form, smaller and read
-- without copying its strings. The index is derived, so the first form is
-- dropped rather than converted (converting needs each user's key): a card
-- without one renders from its character_book as before, and gets the new
-- form when next written.

UPDATE characters SET lore_index = NULL, lore_index_nonce = NULL
	WHERE lore_index IS NOT NULL;
UPDATE user_personas SET lore_index = NULL, lore_index_nonce = NULL
	WHERE lore_index IS NOT NULL;

-- A row's big values go last. SQLite reads a column by walking the row's
-- pages from its start, so every column after character_book, card_raw
-- and avatar (a card's book, the file it came from, its image: hundreds
-- of KiB each) cost reading them: extensions, extra and lore_index on
-- every render, position, depth and role on every persona read. Both
-- tables are built again with those three last (SQLite orders columns
-- only so: its "12 steps", run with foreign keys off, as 0006 did). Code
-- names every column; the order is only where the bytes are.
CREATE TABLE characters_new (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	spec TEXT NOT NULL DEFAULT 'chara_card_v3',
	spec_version TEXT NOT NULL DEFAULT '3.0',
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
	extensions BLOB,
	extensions_nonce BLOB,
	extra BLOB,
	extra_nonce BLOB,
	lore_index BLOB,
	lore_index_nonce BLOB
		CHECK ((lore_index IS NULL) = (lore_index_nonce IS NULL)),
	character_book BLOB,
	character_book_nonce BLOB,
	card_raw BLOB,
	card_raw_nonce BLOB,
	avatar BLOB,
	avatar_nonce BLOB,
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
	CHECK ((extensions IS NULL) = (extensions_nonce IS NULL)),
	CHECK ((extra IS NULL) = (extra_nonce IS NULL)),
	CHECK ((character_book IS NULL) = (character_book_nonce IS NULL)),
	CHECK ((card_raw IS NULL) = (card_raw_nonce IS NULL)),
	CHECK ((avatar IS NULL) = (avatar_nonce IS NULL)),
	UNIQUE (id, user_id)
) STRICT;

INSERT INTO characters_new (
	id, user_id, spec, spec_version, created_at, updated_at, content_hash, origin,
	origin_nonce, name, name_nonce, description, description_nonce, personality,
	personality_nonce, scenario, scenario_nonce, first_mes, first_mes_nonce, mes_example,
	mes_example_nonce, creator_notes, creator_notes_nonce, system_prompt, system_prompt_nonce,
	post_history_instructions, post_history_instructions_nonce, alternate_greetings,
	alternate_greetings_nonce, group_only_greetings, group_only_greetings_nonce, tags,
	tags_nonce, creator, creator_nonce, character_version, character_version_nonce, nickname,
	nickname_nonce, creator_notes_multilingual, creator_notes_multilingual_nonce, source,
	source_nonce, assets, assets_nonce, extensions, extensions_nonce, extra, extra_nonce,
	lore_index, lore_index_nonce, character_book, character_book_nonce, card_raw,
	card_raw_nonce, avatar, avatar_nonce)
SELECT
	id, user_id, spec, spec_version, created_at, updated_at, content_hash, origin,
	origin_nonce, name, name_nonce, description, description_nonce, personality,
	personality_nonce, scenario, scenario_nonce, first_mes, first_mes_nonce, mes_example,
	mes_example_nonce, creator_notes, creator_notes_nonce, system_prompt, system_prompt_nonce,
	post_history_instructions, post_history_instructions_nonce, alternate_greetings,
	alternate_greetings_nonce, group_only_greetings, group_only_greetings_nonce, tags,
	tags_nonce, creator, creator_nonce, character_version, character_version_nonce, nickname,
	nickname_nonce, creator_notes_multilingual, creator_notes_multilingual_nonce, source,
	source_nonce, assets, assets_nonce, extensions, extensions_nonce, extra, extra_nonce,
	lore_index, lore_index_nonce, character_book, character_book_nonce, card_raw,
	card_raw_nonce, avatar, avatar_nonce
FROM characters;
DROP TABLE characters;
ALTER TABLE characters_new RENAME TO characters;
CREATE INDEX characters_by_user ON characters (user_id, content_hash);

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
	extensions BLOB,
	extensions_nonce BLOB,
	extra BLOB,
	extra_nonce BLOB,
	position TEXT NOT NULL DEFAULT 'in_prompt'
		CHECK (position IN ('in_prompt', 'at_depth', 'none', 'an_top', 'an_bottom')),
	depth INTEGER NOT NULL DEFAULT 2 CHECK (depth >= 0),
	role TEXT NOT NULL DEFAULT 'system'
		CHECK (role IN ('system', 'user', 'assistant')),
	lore_index BLOB,
	lore_index_nonce BLOB
		CHECK ((lore_index IS NULL) = (lore_index_nonce IS NULL)),
	character_book BLOB,
	character_book_nonce BLOB,
	card_raw BLOB,
	card_raw_nonce BLOB,
	avatar BLOB,
	avatar_nonce BLOB,
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
	CHECK ((extensions IS NULL) = (extensions_nonce IS NULL)),
	CHECK ((extra IS NULL) = (extra_nonce IS NULL)),
	CHECK ((character_book IS NULL) = (character_book_nonce IS NULL)),
	CHECK ((card_raw IS NULL) = (card_raw_nonce IS NULL)),
	CHECK ((avatar IS NULL) = (avatar_nonce IS NULL)),
	UNIQUE (id, user_id)
) STRICT;

INSERT INTO user_personas_new (
	id, user_id, spec, spec_version, created_at, updated_at, content_hash, origin,
	origin_nonce, name, name_nonce, description, description_nonce, personality,
	personality_nonce, scenario, scenario_nonce, first_mes, first_mes_nonce, mes_example,
	mes_example_nonce, creator_notes, creator_notes_nonce, system_prompt, system_prompt_nonce,
	post_history_instructions, post_history_instructions_nonce, alternate_greetings,
	alternate_greetings_nonce, group_only_greetings, group_only_greetings_nonce, tags,
	tags_nonce, creator, creator_nonce, character_version, character_version_nonce, nickname,
	nickname_nonce, creator_notes_multilingual, creator_notes_multilingual_nonce, source,
	source_nonce, assets, assets_nonce, extensions, extensions_nonce, extra, extra_nonce,
	position, depth, role, lore_index, lore_index_nonce, character_book, character_book_nonce,
	card_raw, card_raw_nonce, avatar, avatar_nonce)
SELECT
	id, user_id, spec, spec_version, created_at, updated_at, content_hash, origin,
	origin_nonce, name, name_nonce, description, description_nonce, personality,
	personality_nonce, scenario, scenario_nonce, first_mes, first_mes_nonce, mes_example,
	mes_example_nonce, creator_notes, creator_notes_nonce, system_prompt, system_prompt_nonce,
	post_history_instructions, post_history_instructions_nonce, alternate_greetings,
	alternate_greetings_nonce, group_only_greetings, group_only_greetings_nonce, tags,
	tags_nonce, creator, creator_nonce, character_version, character_version_nonce, nickname,
	nickname_nonce, creator_notes_multilingual, creator_notes_multilingual_nonce, source,
	source_nonce, assets, assets_nonce, extensions, extensions_nonce, extra, extra_nonce,
	position, depth, role, lore_index, lore_index_nonce, character_book, character_book_nonce,
	card_raw, card_raw_nonce, avatar, avatar_nonce
FROM user_personas;
DROP TABLE user_personas;
ALTER TABLE user_personas_new RENAME TO user_personas;
CREATE INDEX user_personas_by_user ON user_personas (user_id, content_hash);

-- chat_sessions is built again after characters, as it was made after it
-- before: SQLite runs a deleted row's ON DELETE actions newest table
-- first, so a user's deletion removes their sessions before their
-- characters, which a session's RESTRICT would otherwise refuse.
CREATE TABLE chat_sessions_new (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	character_id TEXT NOT NULL REFERENCES characters (id) ON DELETE RESTRICT,
	title BLOB,
	title_nonce BLOB,
	settings TEXT NOT NULL DEFAULT '{}',
	history_limit INTEGER CHECK (history_limit >= 0),
	context_tokens INTEGER CHECK (context_tokens > 0),
	model_name TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	active_custom_persona_id TEXT
		REFERENCES user_personas (id) ON DELETE SET NULL,
	active_impersonated_character_id TEXT
		REFERENCES characters (id) ON DELETE SET NULL,
	stop BLOB,
	stop_nonce BLOB CHECK ((stop IS NULL) = (stop_nonce IS NULL)),
	binding BLOB,
	binding_nonce BLOB CHECK ((binding IS NULL) = (binding_nonce IS NULL)),
	texts BLOB,
	texts_nonce BLOB CHECK ((texts IS NULL) = (texts_nonce IS NULL)),
	lore_state BLOB,
	lore_state_nonce BLOB CHECK ((lore_state IS NULL) = (lore_state_nonce IS NULL)),
	CHECK ((title IS NULL) = (title_nonce IS NULL)),
	CHECK (active_custom_persona_id IS NULL
	       OR active_impersonated_character_id IS NULL),
	CHECK (active_impersonated_character_id IS NULL
	       OR active_impersonated_character_id <> character_id)
) STRICT;

INSERT INTO chat_sessions_new (
	id, user_id, character_id, title, title_nonce, settings, history_limit, context_tokens,
	model_name, created_at, updated_at, active_custom_persona_id,
	active_impersonated_character_id, stop, stop_nonce, binding, binding_nonce, texts,
	texts_nonce, lore_state, lore_state_nonce)
SELECT
	id, user_id, character_id, title, title_nonce, settings, history_limit, context_tokens,
	model_name, created_at, updated_at, active_custom_persona_id,
	active_impersonated_character_id, stop, stop_nonce, binding, binding_nonce, texts,
	texts_nonce, lore_state, lore_state_nonce
FROM chat_sessions;
DROP TABLE chat_sessions;
ALTER TABLE chat_sessions_new RENAME TO chat_sessions;
CREATE INDEX chat_sessions_by_user ON chat_sessions (user_id);
CREATE INDEX chat_sessions_by_character ON chat_sessions (character_id);
CREATE INDEX chat_sessions_by_persona ON chat_sessions (active_custom_persona_id);
CREATE INDEX chat_sessions_by_impersonated
	ON chat_sessions (active_impersonated_character_id);
CREATE TRIGGER chat_sessions_owner_insert BEFORE INSERT ON chat_sessions
WHEN NOT EXISTS (
	SELECT 1 FROM characters c
	WHERE c.id = NEW.character_id AND c.user_id = NEW.user_id)
OR (NEW.active_custom_persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p
	WHERE p.id = NEW.active_custom_persona_id AND p.user_id = NEW.user_id))
OR (NEW.active_impersonated_character_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM characters c
	WHERE c.id = NEW.active_impersonated_character_id
	AND c.user_id = NEW.user_id))
BEGIN SELECT RAISE(ABORT, 'session binds an object of another user'); END;
CREATE TRIGGER chat_sessions_owner_update BEFORE UPDATE ON chat_sessions
WHEN NOT EXISTS (
	SELECT 1 FROM characters c
	WHERE c.id = NEW.character_id AND c.user_id = NEW.user_id)
OR (NEW.active_custom_persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p
	WHERE p.id = NEW.active_custom_persona_id AND p.user_id = NEW.user_id))
OR (NEW.active_impersonated_character_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM characters c
	WHERE c.id = NEW.active_impersonated_character_id
	AND c.user_id = NEW.user_id))
BEGIN SELECT RAISE(ABORT, 'session binds an object of another user'); END;
