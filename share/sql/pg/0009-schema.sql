-- guise schema for PostgreSQL, version 9: in one file, the tables SQLite
-- has after share/sql/0001..0009 (DESIGN.md §5 "A shared store:
-- PostgreSQL"), so an empty database goes from version 0 straight to 9.
-- A later version comes as a pair: share/sql/000N-x.sql for SQLite and
-- share/sql/pg/000N-x.sql here, which alters in place (no rebuilds: the
-- constraints are named so that one can be dropped and added again).
--
-- The runner, not this file, owns the transaction and the version. For a
-- database with no tables at all it runs, in one transaction:
--   BEGIN;
--   SELECT pg_advisory_xact_lock(<guise's fixed 64-bit key>);
--   re-read meta's schema_version (no meta table: 0; another session may
--     have migrated meanwhile, then stop here);
--   this file (no BEGIN or COMMIT in it, not meant to run twice);
--   INSERT INTO meta (key, value) VALUES ('schema_version', '9');
--   COMMIT;
-- This file writes meta's other two rows: db_id and application.
--
-- Translated from SQLite as lib/db-portability.md "Schema" says: the same
-- tables, columns in SQLite's order, NOT NULLs, defaults, CHECKs (named:
-- <table>_<column>_check for one column's, <table>_<column>_pair for a
-- sealed column and its nonce, both NULL or neither), foreign keys with
-- the same ON DELETE, indexes of the same names. BLOB is BYTEA, INTEGER
-- BIGINT, TEXT is TEXT COLLATE "C" (bytewise, as SQLite orders). A table
-- that lib/ orders or pages by rowid has a last column of that name,
-- numbering rows in the order they were inserted. The ownership rules
-- (SQLite's RAISE(ABORT) triggers) are PL/pgSQL functions raising the same
-- words as class 23 (integrity_constraint_violation): the store reports
-- them as SQLite's (65).

CREATE TABLE meta (
	key TEXT COLLATE "C" PRIMARY KEY,
	value TEXT COLLATE "C" NOT NULL
);

-- The database id names unlock-cache keys and is bound into every
-- ciphertext's associated data: 32 lower-case hex digits, as SQLite's.
-- application marks the database as guise's (SQLite's application_id).
INSERT INTO meta (key, value) VALUES
	('db_id', replace(gen_random_uuid()::text, '-', '')),
	('application', 'guise');

-- default_persona_id's foreign key waits for user_personas (below).
CREATE TABLE users (
	id TEXT COLLATE "C" PRIMARY KEY,
	username TEXT COLLATE "C" NOT NULL UNIQUE,
	email TEXT COLLATE "C",
	role TEXT COLLATE "C" NOT NULL DEFAULT 'user',
	account_status TEXT COLLATE "C" NOT NULL DEFAULT 'active',
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	kdf_alg TEXT COLLATE "C" NOT NULL,
	kdf_opslimit BIGINT NOT NULL,
	kdf_memlimit BIGINT NOT NULL,
	kek_salt BYTEA NOT NULL,
	dek_wrapped BYTEA NOT NULL,
	dek_nonce BYTEA NOT NULL,
	dek_version BIGINT NOT NULL DEFAULT 1
		CONSTRAINT users_dek_version_check CHECK (dek_version >= 1),
	recovery_dek_wrapped BYTEA,
	recovery_nonce BYTEA,
	default_persona_id TEXT COLLATE "C",
	legacy_rows BIGINT NOT NULL DEFAULT 0
		CONSTRAINT users_legacy_rows_check CHECK (legacy_rows IN (0, 1)),
	CONSTRAINT users_recovery_pair
		CHECK ((recovery_dek_wrapped IS NULL) = (recovery_nonce IS NULL))
);

-- A card's columns as SQLite's after version 9: its big values (the book,
-- the file it came from, the image) last.
CREATE TABLE characters (
	id TEXT COLLATE "C" PRIMARY KEY,
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	spec TEXT COLLATE "C" NOT NULL DEFAULT 'chara_card_v3',
	spec_version TEXT COLLATE "C" NOT NULL DEFAULT '3.0',
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	content_hash BYTEA,
	origin BYTEA,
	origin_nonce BYTEA,
	name BYTEA,
	name_nonce BYTEA,
	description BYTEA,
	description_nonce BYTEA,
	personality BYTEA,
	personality_nonce BYTEA,
	scenario BYTEA,
	scenario_nonce BYTEA,
	first_mes BYTEA,
	first_mes_nonce BYTEA,
	mes_example BYTEA,
	mes_example_nonce BYTEA,
	creator_notes BYTEA,
	creator_notes_nonce BYTEA,
	system_prompt BYTEA,
	system_prompt_nonce BYTEA,
	post_history_instructions BYTEA,
	post_history_instructions_nonce BYTEA,
	alternate_greetings BYTEA,
	alternate_greetings_nonce BYTEA,
	group_only_greetings BYTEA,
	group_only_greetings_nonce BYTEA,
	tags BYTEA,
	tags_nonce BYTEA,
	creator BYTEA,
	creator_nonce BYTEA,
	character_version BYTEA,
	character_version_nonce BYTEA,
	nickname BYTEA,
	nickname_nonce BYTEA,
	creator_notes_multilingual BYTEA,
	creator_notes_multilingual_nonce BYTEA,
	source BYTEA,
	source_nonce BYTEA,
	assets BYTEA,
	assets_nonce BYTEA,
	extensions BYTEA,
	extensions_nonce BYTEA,
	extra BYTEA,
	extra_nonce BYTEA,
	lore_index BYTEA,
	lore_index_nonce BYTEA,
	character_book BYTEA,
	character_book_nonce BYTEA,
	card_raw BYTEA,
	card_raw_nonce BYTEA,
	avatar BYTEA,
	avatar_nonce BYTEA,
	rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
	CONSTRAINT characters_origin_pair CHECK ((origin IS NULL) = (origin_nonce IS NULL)),
	CONSTRAINT characters_name_pair CHECK ((name IS NULL) = (name_nonce IS NULL)),
	CONSTRAINT characters_description_pair CHECK ((description IS NULL) = (description_nonce IS NULL)),
	CONSTRAINT characters_personality_pair CHECK ((personality IS NULL) = (personality_nonce IS NULL)),
	CONSTRAINT characters_scenario_pair CHECK ((scenario IS NULL) = (scenario_nonce IS NULL)),
	CONSTRAINT characters_first_mes_pair CHECK ((first_mes IS NULL) = (first_mes_nonce IS NULL)),
	CONSTRAINT characters_mes_example_pair CHECK ((mes_example IS NULL) = (mes_example_nonce IS NULL)),
	CONSTRAINT characters_creator_notes_pair CHECK ((creator_notes IS NULL) = (creator_notes_nonce IS NULL)),
	CONSTRAINT characters_system_prompt_pair CHECK ((system_prompt IS NULL) = (system_prompt_nonce IS NULL)),
	CONSTRAINT characters_post_history_instructions_pair CHECK ((post_history_instructions IS NULL) = (post_history_instructions_nonce IS NULL)),
	CONSTRAINT characters_alternate_greetings_pair CHECK ((alternate_greetings IS NULL) = (alternate_greetings_nonce IS NULL)),
	CONSTRAINT characters_group_only_greetings_pair CHECK ((group_only_greetings IS NULL) = (group_only_greetings_nonce IS NULL)),
	CONSTRAINT characters_tags_pair CHECK ((tags IS NULL) = (tags_nonce IS NULL)),
	CONSTRAINT characters_creator_pair CHECK ((creator IS NULL) = (creator_nonce IS NULL)),
	CONSTRAINT characters_character_version_pair CHECK ((character_version IS NULL) = (character_version_nonce IS NULL)),
	CONSTRAINT characters_nickname_pair CHECK ((nickname IS NULL) = (nickname_nonce IS NULL)),
	CONSTRAINT characters_creator_notes_multilingual_pair CHECK ((creator_notes_multilingual IS NULL) = (creator_notes_multilingual_nonce IS NULL)),
	CONSTRAINT characters_source_pair CHECK ((source IS NULL) = (source_nonce IS NULL)),
	CONSTRAINT characters_assets_pair CHECK ((assets IS NULL) = (assets_nonce IS NULL)),
	CONSTRAINT characters_extensions_pair CHECK ((extensions IS NULL) = (extensions_nonce IS NULL)),
	CONSTRAINT characters_extra_pair CHECK ((extra IS NULL) = (extra_nonce IS NULL)),
	CONSTRAINT characters_lore_index_pair CHECK ((lore_index IS NULL) = (lore_index_nonce IS NULL)),
	CONSTRAINT characters_character_book_pair CHECK ((character_book IS NULL) = (character_book_nonce IS NULL)),
	CONSTRAINT characters_card_raw_pair CHECK ((card_raw IS NULL) = (card_raw_nonce IS NULL)),
	CONSTRAINT characters_avatar_pair CHECK ((avatar IS NULL) = (avatar_nonce IS NULL)),
	UNIQUE (id, user_id)
);

CREATE INDEX characters_by_user ON characters (user_id, content_hash);

CREATE TABLE user_personas (
	id TEXT COLLATE "C" PRIMARY KEY,
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	spec TEXT COLLATE "C" NOT NULL DEFAULT 'user_persona_spec_v1',
	spec_version TEXT COLLATE "C" NOT NULL DEFAULT '1.0.0',
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	content_hash BYTEA,
	origin BYTEA,
	origin_nonce BYTEA,
	name BYTEA,
	name_nonce BYTEA,
	description BYTEA,
	description_nonce BYTEA,
	personality BYTEA,
	personality_nonce BYTEA,
	scenario BYTEA,
	scenario_nonce BYTEA,
	first_mes BYTEA,
	first_mes_nonce BYTEA,
	mes_example BYTEA,
	mes_example_nonce BYTEA,
	creator_notes BYTEA,
	creator_notes_nonce BYTEA,
	system_prompt BYTEA,
	system_prompt_nonce BYTEA,
	post_history_instructions BYTEA,
	post_history_instructions_nonce BYTEA,
	alternate_greetings BYTEA,
	alternate_greetings_nonce BYTEA,
	group_only_greetings BYTEA,
	group_only_greetings_nonce BYTEA,
	tags BYTEA,
	tags_nonce BYTEA,
	creator BYTEA,
	creator_nonce BYTEA,
	character_version BYTEA,
	character_version_nonce BYTEA,
	nickname BYTEA,
	nickname_nonce BYTEA,
	creator_notes_multilingual BYTEA,
	creator_notes_multilingual_nonce BYTEA,
	source BYTEA,
	source_nonce BYTEA,
	assets BYTEA,
	assets_nonce BYTEA,
	extensions BYTEA,
	extensions_nonce BYTEA,
	extra BYTEA,
	extra_nonce BYTEA,
	position TEXT COLLATE "C" NOT NULL DEFAULT 'in_prompt'
		CONSTRAINT user_personas_position_check
		CHECK (position IN ('in_prompt', 'at_depth', 'none', 'an_top', 'an_bottom')),
	depth BIGINT NOT NULL DEFAULT 2 CONSTRAINT user_personas_depth_check CHECK (depth >= 0),
	role TEXT COLLATE "C" NOT NULL DEFAULT 'system'
		CONSTRAINT user_personas_role_check CHECK (role IN ('system', 'user', 'assistant')),
	lore_index BYTEA,
	lore_index_nonce BYTEA,
	character_book BYTEA,
	character_book_nonce BYTEA,
	card_raw BYTEA,
	card_raw_nonce BYTEA,
	avatar BYTEA,
	avatar_nonce BYTEA,
	rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
	CONSTRAINT user_personas_origin_pair CHECK ((origin IS NULL) = (origin_nonce IS NULL)),
	CONSTRAINT user_personas_name_pair CHECK ((name IS NULL) = (name_nonce IS NULL)),
	CONSTRAINT user_personas_description_pair CHECK ((description IS NULL) = (description_nonce IS NULL)),
	CONSTRAINT user_personas_personality_pair CHECK ((personality IS NULL) = (personality_nonce IS NULL)),
	CONSTRAINT user_personas_scenario_pair CHECK ((scenario IS NULL) = (scenario_nonce IS NULL)),
	CONSTRAINT user_personas_first_mes_pair CHECK ((first_mes IS NULL) = (first_mes_nonce IS NULL)),
	CONSTRAINT user_personas_mes_example_pair CHECK ((mes_example IS NULL) = (mes_example_nonce IS NULL)),
	CONSTRAINT user_personas_creator_notes_pair CHECK ((creator_notes IS NULL) = (creator_notes_nonce IS NULL)),
	CONSTRAINT user_personas_system_prompt_pair CHECK ((system_prompt IS NULL) = (system_prompt_nonce IS NULL)),
	CONSTRAINT user_personas_post_history_instructions_pair CHECK ((post_history_instructions IS NULL) = (post_history_instructions_nonce IS NULL)),
	CONSTRAINT user_personas_alternate_greetings_pair CHECK ((alternate_greetings IS NULL) = (alternate_greetings_nonce IS NULL)),
	CONSTRAINT user_personas_group_only_greetings_pair CHECK ((group_only_greetings IS NULL) = (group_only_greetings_nonce IS NULL)),
	CONSTRAINT user_personas_tags_pair CHECK ((tags IS NULL) = (tags_nonce IS NULL)),
	CONSTRAINT user_personas_creator_pair CHECK ((creator IS NULL) = (creator_nonce IS NULL)),
	CONSTRAINT user_personas_character_version_pair CHECK ((character_version IS NULL) = (character_version_nonce IS NULL)),
	CONSTRAINT user_personas_nickname_pair CHECK ((nickname IS NULL) = (nickname_nonce IS NULL)),
	CONSTRAINT user_personas_creator_notes_multilingual_pair CHECK ((creator_notes_multilingual IS NULL) = (creator_notes_multilingual_nonce IS NULL)),
	CONSTRAINT user_personas_source_pair CHECK ((source IS NULL) = (source_nonce IS NULL)),
	CONSTRAINT user_personas_assets_pair CHECK ((assets IS NULL) = (assets_nonce IS NULL)),
	CONSTRAINT user_personas_extensions_pair CHECK ((extensions IS NULL) = (extensions_nonce IS NULL)),
	CONSTRAINT user_personas_extra_pair CHECK ((extra IS NULL) = (extra_nonce IS NULL)),
	CONSTRAINT user_personas_lore_index_pair CHECK ((lore_index IS NULL) = (lore_index_nonce IS NULL)),
	CONSTRAINT user_personas_character_book_pair CHECK ((character_book IS NULL) = (character_book_nonce IS NULL)),
	CONSTRAINT user_personas_card_raw_pair CHECK ((card_raw IS NULL) = (card_raw_nonce IS NULL)),
	CONSTRAINT user_personas_avatar_pair CHECK ((avatar IS NULL) = (avatar_nonce IS NULL)),
	UNIQUE (id, user_id)
);

CREATE INDEX user_personas_by_user ON user_personas (user_id, content_hash);

ALTER TABLE users ADD CONSTRAINT users_default_persona_id_fkey
	FOREIGN KEY (default_persona_id) REFERENCES user_personas (id) ON DELETE SET NULL;

-- Made after characters, as on SQLite. Deleting a user removes their
-- sessions and their characters in one statement; a character's RESTRICT
-- is checked once the statement's cascades are done, when its sessions
-- are gone (the suite proves it).
CREATE TABLE chat_sessions (
	id TEXT COLLATE "C" PRIMARY KEY,
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	character_id TEXT COLLATE "C" NOT NULL REFERENCES characters (id) ON DELETE RESTRICT,
	title BYTEA,
	title_nonce BYTEA,
	settings TEXT COLLATE "C" NOT NULL DEFAULT '{}',
	history_limit BIGINT
		CONSTRAINT chat_sessions_history_limit_check CHECK (history_limit >= 0),
	context_tokens BIGINT
		CONSTRAINT chat_sessions_context_tokens_check CHECK (context_tokens > 0),
	model_name TEXT COLLATE "C",
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	active_custom_persona_id TEXT COLLATE "C"
		REFERENCES user_personas (id) ON DELETE SET NULL,
	active_impersonated_character_id TEXT COLLATE "C"
		REFERENCES characters (id) ON DELETE SET NULL,
	stop BYTEA,
	stop_nonce BYTEA,
	binding BYTEA,
	binding_nonce BYTEA,
	texts BYTEA,
	texts_nonce BYTEA,
	lore_state BYTEA,
	lore_state_nonce BYTEA,
	rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
	CONSTRAINT chat_sessions_title_pair CHECK ((title IS NULL) = (title_nonce IS NULL)),
	CONSTRAINT chat_sessions_stop_pair CHECK ((stop IS NULL) = (stop_nonce IS NULL)),
	CONSTRAINT chat_sessions_binding_pair CHECK ((binding IS NULL) = (binding_nonce IS NULL)),
	CONSTRAINT chat_sessions_texts_pair CHECK ((texts IS NULL) = (texts_nonce IS NULL)),
	CONSTRAINT chat_sessions_lore_state_pair
		CHECK ((lore_state IS NULL) = (lore_state_nonce IS NULL)),
	CONSTRAINT chat_sessions_one_active_persona
		CHECK (active_custom_persona_id IS NULL OR active_impersonated_character_id IS NULL),
	CONSTRAINT chat_sessions_impersonated_not_own
		CHECK (active_impersonated_character_id IS NULL
		       OR active_impersonated_character_id <> character_id)
);

CREATE INDEX chat_sessions_by_user ON chat_sessions (user_id);
CREATE INDEX chat_sessions_by_character ON chat_sessions (character_id);
CREATE INDEX chat_sessions_by_persona ON chat_sessions (active_custom_persona_id);
CREATE INDEX chat_sessions_by_impersonated
	ON chat_sessions (active_impersonated_character_id);

CREATE TABLE chat_messages (
	id TEXT COLLATE "C" PRIMARY KEY,
	session_id TEXT COLLATE "C" NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	seq BIGINT NOT NULL CONSTRAINT chat_messages_seq_check CHECK (seq >= 1),
	role TEXT COLLATE "C" NOT NULL
		CONSTRAINT chat_messages_role_check CHECK (role IN ('user', 'assistant', 'system')),
	content BYTEA,
	content_nonce BYTEA,
	speaker_kind TEXT COLLATE "C" NOT NULL DEFAULT 'none'
		CONSTRAINT chat_messages_speaker_kind_check
		CHECK (speaker_kind IN ('custom', 'impersonated', 'none')),
	speaker_id TEXT COLLATE "C",
	speaker_name BYTEA,
	speaker_name_nonce BYTEA,
	status TEXT COLLATE "C" NOT NULL DEFAULT 'complete'
		CONSTRAINT chat_messages_status_check CHECK (status IN ('complete', 'partial')),
	model TEXT COLLATE "C",
	input_tokens BIGINT
		CONSTRAINT chat_messages_input_tokens_check CHECK (input_tokens >= 0),
	output_tokens BIGINT
		CONSTRAINT chat_messages_output_tokens_check CHECK (output_tokens >= 0),
	created_at TEXT COLLATE "C" NOT NULL,
	swipe_index BIGINT NOT NULL DEFAULT 0
		CONSTRAINT chat_messages_swipe_index_check CHECK (swipe_index >= 0),
	swipe_count BIGINT NOT NULL DEFAULT 1
		CONSTRAINT chat_messages_swipe_count_check
		CHECK (swipe_count >= 1 AND swipe_index < swipe_count),
	CONSTRAINT chat_messages_content_pair
		CHECK ((content IS NULL) = (content_nonce IS NULL)),
	CONSTRAINT chat_messages_speaker_name_pair
		CHECK ((speaker_name IS NULL) = (speaker_name_nonce IS NULL)),
	UNIQUE (session_id, seq)
);

CREATE TABLE chat_swipes (
	id TEXT COLLATE "C" PRIMARY KEY,
	message_id TEXT COLLATE "C" NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	swipe_index BIGINT NOT NULL
		CONSTRAINT chat_swipes_swipe_index_check CHECK (swipe_index >= 0),
	content BYTEA,
	content_nonce BYTEA,
	speaker_kind TEXT COLLATE "C" NOT NULL DEFAULT 'none'
		CONSTRAINT chat_swipes_speaker_kind_check
		CHECK (speaker_kind IN ('custom', 'impersonated', 'none')),
	speaker_id TEXT COLLATE "C",
	speaker_name BYTEA,
	speaker_name_nonce BYTEA,
	status TEXT COLLATE "C" NOT NULL DEFAULT 'complete'
		CONSTRAINT chat_swipes_status_check CHECK (status IN ('complete', 'partial')),
	model TEXT COLLATE "C",
	input_tokens BIGINT
		CONSTRAINT chat_swipes_input_tokens_check CHECK (input_tokens >= 0),
	output_tokens BIGINT
		CONSTRAINT chat_swipes_output_tokens_check CHECK (output_tokens >= 0),
	created_at TEXT COLLATE "C" NOT NULL,
	CONSTRAINT chat_swipes_content_pair
		CHECK ((content IS NULL) = (content_nonce IS NULL)),
	CONSTRAINT chat_swipes_speaker_name_pair
		CHECK ((speaker_name IS NULL) = (speaker_name_nonce IS NULL)),
	UNIQUE (message_id, swipe_index)
);

CREATE TABLE lorebooks (
	id TEXT COLLATE "C" PRIMARY KEY,
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL,
	content_hash BYTEA,
	origin BYTEA,
	origin_nonce BYTEA,
	name BYTEA,
	name_nonce BYTEA,
	book BYTEA,
	book_nonce BYTEA,
	rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
	CONSTRAINT lorebooks_origin_pair CHECK ((origin IS NULL) = (origin_nonce IS NULL)),
	CONSTRAINT lorebooks_name_pair CHECK ((name IS NULL) = (name_nonce IS NULL)),
	CONSTRAINT lorebooks_book_pair CHECK ((book IS NULL) = (book_nonce IS NULL)),
	UNIQUE (id, user_id)
);

CREATE INDEX lorebooks_by_user ON lorebooks (user_id, content_hash);

-- A book attached to one session, persona or character, or to none of
-- them (global). Rows go in the order attached (rowid), the order the
-- render scans them in.
CREATE TABLE lore_bindings (
	book_id TEXT COLLATE "C" NOT NULL REFERENCES lorebooks (id) ON DELETE CASCADE,
	user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	session_id TEXT COLLATE "C" REFERENCES chat_sessions (id) ON DELETE CASCADE,
	persona_id TEXT COLLATE "C" REFERENCES user_personas (id) ON DELETE CASCADE,
	character_id TEXT COLLATE "C" REFERENCES characters (id) ON DELETE CASCADE,
	created_at TEXT COLLATE "C" NOT NULL,
	rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
	CONSTRAINT lore_bindings_one_target
		CHECK (num_nonnulls(session_id, persona_id, character_id) <= 1)
);

-- A book is attached to a place once, the global place (all NULL)
-- included: coalesce as SQLite's ifnull (no id is '').
CREATE UNIQUE INDEX lore_bindings_once ON lore_bindings
	(book_id, coalesce(session_id, ''), coalesce(persona_id, ''),
	 coalesce(character_id, ''));
CREATE INDEX lore_bindings_by_user ON lore_bindings (user_id);
CREATE INDEX lore_bindings_by_session ON lore_bindings (session_id);
CREATE INDEX lore_bindings_by_persona ON lore_bindings (persona_id);
CREATE INDEX lore_bindings_by_character ON lore_bindings (character_id);

-- Same owner everywhere: a default persona, a session's character and
-- active persona, a message's session, a swipe's message, a lore
-- binding's book and place. One function per rule; the triggers keep
-- SQLite's names (one before INSERT, one before UPDATE), so that a row
-- forced in with psql is refused too.
CREATE FUNCTION users_default_persona_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.default_persona_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM user_personas p
		WHERE p.id = NEW.default_persona_id AND p.user_id = NEW.id)
	THEN
		RAISE EXCEPTION 'default persona belongs to another user'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER users_default_persona_owner_insert BEFORE INSERT ON users
	FOR EACH ROW EXECUTE FUNCTION users_default_persona_owner();
CREATE TRIGGER users_default_persona_owner_update BEFORE UPDATE ON users
	FOR EACH ROW EXECUTE FUNCTION users_default_persona_owner();

CREATE FUNCTION chat_sessions_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (
		SELECT 1 FROM characters c
		WHERE c.id = NEW.character_id AND c.user_id = NEW.user_id)
	OR (NEW.active_custom_persona_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM user_personas p
		WHERE p.id = NEW.active_custom_persona_id AND p.user_id = NEW.user_id))
	OR (NEW.active_impersonated_character_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM characters c
		WHERE c.id = NEW.active_impersonated_character_id
		AND c.user_id = NEW.user_id))
	THEN
		RAISE EXCEPTION 'session binds an object of another user'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER chat_sessions_owner_insert BEFORE INSERT ON chat_sessions
	FOR EACH ROW EXECUTE FUNCTION chat_sessions_owner();
CREATE TRIGGER chat_sessions_owner_update BEFORE UPDATE ON chat_sessions
	FOR EACH ROW EXECUTE FUNCTION chat_sessions_owner();

CREATE FUNCTION chat_messages_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (
		SELECT 1 FROM chat_sessions s
		WHERE s.id = NEW.session_id AND s.user_id = NEW.user_id)
	THEN
		RAISE EXCEPTION 'message belongs to another user than its session'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER chat_messages_owner_insert BEFORE INSERT ON chat_messages
	FOR EACH ROW EXECUTE FUNCTION chat_messages_owner();
CREATE TRIGGER chat_messages_owner_update BEFORE UPDATE ON chat_messages
	FOR EACH ROW EXECUTE FUNCTION chat_messages_owner();

CREATE FUNCTION chat_swipes_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (
		SELECT 1 FROM chat_messages m
		WHERE m.id = NEW.message_id AND m.user_id = NEW.user_id)
	THEN
		RAISE EXCEPTION 'swipe belongs to another user than its message'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER chat_swipes_owner_insert BEFORE INSERT ON chat_swipes
	FOR EACH ROW EXECUTE FUNCTION chat_swipes_owner();
CREATE TRIGGER chat_swipes_owner_update BEFORE UPDATE ON chat_swipes
	FOR EACH ROW EXECUTE FUNCTION chat_swipes_owner();

CREATE FUNCTION lore_bindings_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (
		SELECT 1 FROM lorebooks b WHERE b.id = NEW.book_id AND b.user_id = NEW.user_id)
	OR (NEW.session_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM chat_sessions s
		WHERE s.id = NEW.session_id AND s.user_id = NEW.user_id))
	OR (NEW.persona_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM user_personas p
		WHERE p.id = NEW.persona_id AND p.user_id = NEW.user_id))
	OR (NEW.character_id IS NOT NULL AND NOT EXISTS (
		SELECT 1 FROM characters c
		WHERE c.id = NEW.character_id AND c.user_id = NEW.user_id))
	THEN
		RAISE EXCEPTION 'lore binding binds an object of another user'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER lore_bindings_owner_insert BEFORE INSERT ON lore_bindings
	FOR EACH ROW EXECUTE FUNCTION lore_bindings_owner();
CREATE TRIGGER lore_bindings_owner_update BEFORE UPDATE ON lore_bindings
	FOR EACH ROW EXECUTE FUNCTION lore_bindings_owner();

-- A book moved to another user would leave its bindings pointing across
-- users: refused the same way.
CREATE FUNCTION lorebooks_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (
		SELECT 1 FROM lore_bindings x
		WHERE x.book_id = NEW.id AND x.user_id <> NEW.user_id)
	THEN
		RAISE EXCEPTION 'lore binding binds an object of another user'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER lorebooks_owner_update BEFORE UPDATE OF user_id ON lorebooks
	FOR EACH ROW EXECUTE FUNCTION lorebooks_owner();
