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
