-- guise schema, version 5: stored lorebooks and where they are attached
-- (DESIGN.md §8 "Lore"). A book is one row: its name, the book itself (a
-- V3 character_book, SillyTavern's own fields under each entry's
-- extensions) and where it came from, all sealed; the keyed content_hash
-- makes re-importing the same book `unchanged`, as for cards.

CREATE TABLE lorebooks (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	content_hash BLOB,
	origin BLOB,
	origin_nonce BLOB,
	name BLOB,
	name_nonce BLOB,
	book BLOB,
	book_nonce BLOB,
	CHECK ((origin IS NULL) = (origin_nonce IS NULL)),
	CHECK ((name IS NULL) = (name_nonce IS NULL)),
	CHECK ((book IS NULL) = (book_nonce IS NULL)),
	UNIQUE (id, user_id)
) STRICT;

CREATE INDEX lorebooks_by_user ON lorebooks (user_id, content_hash);

-- A book attached to one session, persona or character, or to none of
-- them (global: every chat of the user). Rows go in the order attached
-- (rowid), which is the order the render scans them in.
CREATE TABLE lore_bindings (
	book_id TEXT NOT NULL REFERENCES lorebooks (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	session_id TEXT REFERENCES chat_sessions (id) ON DELETE CASCADE,
	persona_id TEXT REFERENCES user_personas (id) ON DELETE CASCADE,
	character_id TEXT REFERENCES characters (id) ON DELETE CASCADE,
	created_at TEXT NOT NULL,
	CHECK ((session_id IS NOT NULL) + (persona_id IS NOT NULL)
	       + (character_id IS NOT NULL) <= 1)
) STRICT;

CREATE UNIQUE INDEX lore_bindings_once ON lore_bindings
	(book_id, ifnull(session_id, ''), ifnull(persona_id, ''), ifnull(character_id, ''));
CREATE INDEX lore_bindings_by_user ON lore_bindings (user_id);
CREATE INDEX lore_bindings_by_session ON lore_bindings (session_id);
CREATE INDEX lore_bindings_by_persona ON lore_bindings (persona_id);
CREATE INDEX lore_bindings_by_character ON lore_bindings (character_id);

-- Same owner: the book and what it is attached to are the binding's
-- user's, so a row forced in with the sqlite3 command is refused too.
CREATE TRIGGER lore_bindings_owner_insert BEFORE INSERT ON lore_bindings
WHEN NOT EXISTS (
	SELECT 1 FROM lorebooks b WHERE b.id = NEW.book_id AND b.user_id = NEW.user_id)
OR (NEW.session_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM chat_sessions s WHERE s.id = NEW.session_id AND s.user_id = NEW.user_id))
OR (NEW.persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p WHERE p.id = NEW.persona_id AND p.user_id = NEW.user_id))
OR (NEW.character_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM characters c WHERE c.id = NEW.character_id AND c.user_id = NEW.user_id))
BEGIN SELECT RAISE(ABORT, 'lore binding binds an object of another user'); END;

CREATE TRIGGER lore_bindings_owner_update BEFORE UPDATE ON lore_bindings
WHEN NOT EXISTS (
	SELECT 1 FROM lorebooks b WHERE b.id = NEW.book_id AND b.user_id = NEW.user_id)
OR (NEW.session_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM chat_sessions s WHERE s.id = NEW.session_id AND s.user_id = NEW.user_id))
OR (NEW.persona_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM user_personas p WHERE p.id = NEW.persona_id AND p.user_id = NEW.user_id))
OR (NEW.character_id IS NOT NULL AND NOT EXISTS (
	SELECT 1 FROM characters c WHERE c.id = NEW.character_id AND c.user_id = NEW.user_id))
BEGIN SELECT RAISE(ABORT, 'lore binding binds an object of another user'); END;

-- A book moved to another user with sqlite3 would leave its bindings
-- pointing across users: refused the same way.
CREATE TRIGGER lorebooks_owner_update BEFORE UPDATE OF user_id ON lorebooks
WHEN EXISTS (SELECT 1 FROM lore_bindings x WHERE x.book_id = NEW.id AND x.user_id <> NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'lore binding binds an object of another user'); END;
