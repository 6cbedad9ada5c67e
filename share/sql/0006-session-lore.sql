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
