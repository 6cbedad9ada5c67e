-- guise schema, version 2: a place for what a card carries beyond the
-- columns of version 1, so that import then export loses nothing.
-- extra (encrypted) is {"top": {...}, "data": {...}}: the card's other
-- top-level keys (SillyTavern's V1 copies among them) and the data keys
-- without a column of their own (creation_date, modification_date and any
-- unknown key).

ALTER TABLE characters ADD COLUMN extra BLOB;
ALTER TABLE characters ADD COLUMN extra_nonce BLOB
	CHECK ((extra IS NULL) = (extra_nonce IS NULL));
ALTER TABLE user_personas ADD COLUMN extra BLOB;
ALTER TABLE user_personas ADD COLUMN extra_nonce BLOB
	CHECK ((extra IS NULL) = (extra_nonce IS NULL));
