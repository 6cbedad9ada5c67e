-- guise schema, version 1 (DESIGN.md §5).
-- Encrypted columns are BLOB ciphertext plus <column>_nonce BLOB: both NULL
-- is unset, an encrypted empty string is empty. Plaintext is limited to ids,
-- owners, timestamps, spec labels, settings numbers and keyed hashes.
-- Ownership rules that a foreign key cannot say (an object bound to another
-- object must have the same owner) are triggers, so a row forced in with the
-- sqlite3 command is refused too.

CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- The database id names unlock-cache keys and is bound into every
-- ciphertext's associated data.
INSERT INTO meta (key, value) VALUES ('db_id', lower(hex(randomblob(16))));

CREATE TABLE users (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	email TEXT,
	role TEXT NOT NULL DEFAULT 'user',
	account_status TEXT NOT NULL DEFAULT 'active',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	kdf_alg TEXT NOT NULL,
	kdf_opslimit INTEGER NOT NULL,
	kdf_memlimit INTEGER NOT NULL,
	kek_salt BLOB NOT NULL,
	dek_wrapped BLOB NOT NULL,
	dek_nonce BLOB NOT NULL,
	dek_version INTEGER NOT NULL DEFAULT 1 CHECK (dek_version >= 1),
	recovery_dek_wrapped BLOB,
	recovery_nonce BLOB,
	default_persona_id TEXT REFERENCES user_personas (id) ON DELETE SET NULL,
	CHECK ((recovery_dek_wrapped IS NULL) = (recovery_nonce IS NULL))
) STRICT;

CREATE TABLE characters (
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
	character_book BLOB,
	character_book_nonce BLOB,
	extensions BLOB,
	extensions_nonce BLOB,
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
	CHECK ((character_book IS NULL) = (character_book_nonce IS NULL)),
	CHECK ((extensions IS NULL) = (extensions_nonce IS NULL)),
	CHECK ((card_raw IS NULL) = (card_raw_nonce IS NULL)),
	CHECK ((avatar IS NULL) = (avatar_nonce IS NULL)),
	UNIQUE (id, user_id)
) STRICT;

CREATE INDEX characters_by_user ON characters (user_id, content_hash);

CREATE TABLE user_personas (
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
		CHECK (position IN ('in_prompt', 'at_depth', 'none')),
	depth INTEGER NOT NULL DEFAULT 2 CHECK (depth >= 0),
	role TEXT NOT NULL DEFAULT 'system'
		CHECK (role IN ('system', 'user', 'assistant')),
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

CREATE INDEX user_personas_by_user ON user_personas (user_id, content_hash);

CREATE TABLE chat_sessions (
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
	CHECK ((title IS NULL) = (title_nonce IS NULL)),
	CHECK (active_custom_persona_id IS NULL
	       OR active_impersonated_character_id IS NULL),
	CHECK (active_impersonated_character_id IS NULL
	       OR active_impersonated_character_id <> character_id)
) STRICT;

CREATE INDEX chat_sessions_by_user ON chat_sessions (user_id);
CREATE INDEX chat_sessions_by_character ON chat_sessions (character_id);
CREATE INDEX chat_sessions_by_persona ON chat_sessions (active_custom_persona_id);
CREATE INDEX chat_sessions_by_impersonated
	ON chat_sessions (active_impersonated_character_id);

CREATE TABLE chat_messages (
	id TEXT PRIMARY KEY,
	session_id TEXT NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL CHECK (seq >= 1),
	role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
	content BLOB,
	content_nonce BLOB,
	speaker_kind TEXT NOT NULL DEFAULT 'none'
		CHECK (speaker_kind IN ('custom', 'impersonated', 'none')),
	speaker_id TEXT,
	speaker_name BLOB,
	speaker_name_nonce BLOB,
	status TEXT NOT NULL DEFAULT 'complete'
		CHECK (status IN ('complete', 'partial')),
	model TEXT,
	input_tokens INTEGER CHECK (input_tokens >= 0),
	output_tokens INTEGER CHECK (output_tokens >= 0),
	created_at TEXT NOT NULL,
	CHECK ((content IS NULL) = (content_nonce IS NULL)),
	CHECK ((speaker_name IS NULL) = (speaker_name_nonce IS NULL)),
	UNIQUE (session_id, seq)
) STRICT;

-- Same owner everywhere: a default persona, a session's character and
-- active persona, a message's session.
CREATE TRIGGER users_default_persona_owner_insert BEFORE INSERT ON users
WHEN NEW.default_persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p
	WHERE p.id = NEW.default_persona_id AND p.user_id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'default persona belongs to another user'); END;

CREATE TRIGGER users_default_persona_owner_update BEFORE UPDATE ON users
WHEN NEW.default_persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p
	WHERE p.id = NEW.default_persona_id AND p.user_id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'default persona belongs to another user'); END;

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

CREATE TRIGGER chat_messages_owner_insert BEFORE INSERT ON chat_messages
WHEN NOT EXISTS (
	SELECT 1 FROM chat_sessions s
	WHERE s.id = NEW.session_id AND s.user_id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'message belongs to another user than its session'); END;

CREATE TRIGGER chat_messages_owner_update BEFORE UPDATE ON chat_messages
WHEN NOT EXISTS (
	SELECT 1 FROM chat_sessions s
	WHERE s.id = NEW.session_id AND s.user_id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'message belongs to another user than its session'); END;
