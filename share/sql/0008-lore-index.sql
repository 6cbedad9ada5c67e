-- guise schema, lore index: a card's character_book as lore activation
-- reads it, in a compact binary form (lib/lore_index.h), sealed like the
-- card's other columns and written with it whenever the card is. It is
-- derived: never exported, and a row without one (written before, or whose
-- book does not read) is rendered from character_book as before.

ALTER TABLE characters ADD COLUMN lore_index BLOB;
ALTER TABLE characters ADD COLUMN lore_index_nonce BLOB
	CHECK ((lore_index IS NULL) = (lore_index_nonce IS NULL));
ALTER TABLE user_personas ADD COLUMN lore_index BLOB;
ALTER TABLE user_personas ADD COLUMN lore_index_nonce BLOB
	CHECK ((lore_index IS NULL) = (lore_index_nonce IS NULL));
