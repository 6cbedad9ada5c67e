-- guise schema, swipes (DESIGN.md §4, §8 "Generation modes"): a message
-- has one or more versions, each with its own content, speaker, status,
-- model, usage and time. The current version stays where a message's
-- columns always were, so that reading a chat (the hot path) reads one row
-- a message as before and no existing row needs sealing anew (a migration
-- has no key); chat_messages only learns which version that is
-- (swipe_index, from 0 as SillyTavern's swipe_id) and how many there are.
-- The other versions are rows of chat_swipes, sealed in format 2 and bound
-- to their message's row and their index (vault.c): one moved to another
-- message or index fails to open. Making another version current trades
-- the two places, sealing each anew for where it goes.

ALTER TABLE chat_messages ADD COLUMN swipe_index INTEGER NOT NULL DEFAULT 0
	CHECK (swipe_index >= 0);
ALTER TABLE chat_messages ADD COLUMN swipe_count INTEGER NOT NULL DEFAULT 1
	CHECK (swipe_count >= 1 AND swipe_index < swipe_count);

CREATE TABLE chat_swipes (
	id TEXT PRIMARY KEY,
	message_id TEXT NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	swipe_index INTEGER NOT NULL CHECK (swipe_index >= 0),
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
	UNIQUE (message_id, swipe_index)
) STRICT;

-- A version has its message's owner.
CREATE TRIGGER chat_swipes_owner_insert BEFORE INSERT ON chat_swipes
WHEN NOT EXISTS (
	SELECT 1 FROM chat_messages m
	WHERE m.id = NEW.message_id AND m.user_id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'swipe belongs to another user than its message'); END;

CREATE TRIGGER chat_swipes_owner_update BEFORE UPDATE ON chat_swipes
WHEN NOT EXISTS (
	SELECT 1 FROM chat_messages m
	WHERE m.id = NEW.message_id AND m.user_id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'swipe belongs to another user than its message'); END;
