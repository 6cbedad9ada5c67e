-- guise schema, version 3: a session's stop sequences are text a person
-- wrote (they often carry a character's name), so they are sealed like the
-- title rather than kept in the plaintext settings JSON. stop (encrypted)
-- is a JSON array of strings.

ALTER TABLE chat_sessions ADD COLUMN stop BLOB;
ALTER TABLE chat_sessions ADD COLUMN stop_nonce BLOB
	CHECK ((stop IS NULL) = (stop_nonce IS NULL));
