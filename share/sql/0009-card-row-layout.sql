-- guise schema, lore index form 2: the index (lib/lore_index.h) is now
-- written in a smaller form that a render reads without copying its
-- strings. The index is derived, so the first form is dropped rather than
-- converted (converting needs each user's key): a card without one renders
-- from its character_book as before, and gets the new form when next
-- written.

UPDATE characters SET lore_index = NULL, lore_index_nonce = NULL
	WHERE lore_index IS NOT NULL;
UPDATE user_personas SET lore_index = NULL, lore_index_nonce = NULL
	WHERE lore_index IS NOT NULL;
