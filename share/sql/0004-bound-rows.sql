-- guise schema, version 4: rows bound to their meaning (DESIGN.md §6).
-- A message's content and speaker name are now sealed in format 2, whose
-- associated data also holds the message's session, seq, role, speaker
-- kind and speaker id; a session's binding (a sealed empty string) holds
-- its character and active persona the same way. A migration has no key:
-- rows written before stay in format 1 (and sessions without a binding)
-- until `persona-encrypt verify --fix` or `rekey` re-seals them; reads
-- refuse them until then.

ALTER TABLE chat_sessions ADD COLUMN binding BLOB;
ALTER TABLE chat_sessions ADD COLUMN binding_nonce BLOB
	CHECK ((binding IS NULL) = (binding_nonce IS NULL));

-- Which users may still have rows from before binding: every user there is
-- now. Only for them do `verify --fix` and `rekey` take an unbound row and
-- seal it as it stands; both clear the mark once every row of the user is
-- bound, and a user made from now on never has it. For anyone else an
-- unbound row is an altered one (65), never sealed anew, so that nulling a
-- binding cannot launder a row moved with sqlite3.
ALTER TABLE users ADD COLUMN legacy_rows INTEGER NOT NULL DEFAULT 0
	CHECK (legacy_rows IN (0, 1));
UPDATE users SET legacy_rows = 1;
