// png-read.mjs FILE...: what @lenml/char-card-reader (1.1.1) reads from
// each PNG character card. A test-only oracle, never shipped.
//
// For each FILE it prints one JSON line:
//   {"file":FILE,"spec":S,"spec_version":V,"data":D}
// from `await CharacterCard.from_file(buffer)` (a Uint8Array or
// ArrayBuffer; a Node Buffer will do). What the library does:
//  - It walks the PNG chunks without checking CRCs and looks only at tEXt
//    (zTXt and iTXt are never decoded). The card is the text of the first
//    tEXt chunk keyed exactly "ccv3" if there is one, else of the first
//    keyed "chara" or "character_card" (case-insensitive): ccv3 wins.
//  - That text is base64-decoded with Buffer.from(text, "base64"), which
//    skips characters outside the alphabet, then read as UTF-8 (bad bytes
//    become U+FFFD) and JSON.parse'd.
//  - The result is spread over {spec:"chara_card_v1", spec_version:"1.0",
//    data:{}} and kept unchanged as card.raw_data. S and V are the getters
//    card.spec and card.spec_version (raw_data's value, "unknown" when it
//    is empty); D is card.raw_data.data, the card's data object exactly as
//    in the file (not the library's normalised toSpecV2/V3 view). For a
//    flat V1 card D is {} and S/V are chara_card_v1/1.0 by default.
//  - It also base64-encodes the whole image as a fallback avatar data URL
//    (not printed).
// A file the library refuses gives {"file":FILE,"error":MESSAGE}, e.g.
// "Failed to extract chara card data from image" (no usable tEXt chunk),
// "Unsupported image format", or a JSON.parse message.
//
// Exit status: 0 when every file was read, 1 when some file gave an error
// line (the others are still read), 2 usage.
import { readFileSync } from "node:fs";
import { CharacterCard } from "@lenml/char-card-reader";

const files = process.argv.slice(2);
if (files.length === 0) {
	process.stderr.write("usage: png-read.mjs FILE...\n");
	process.exit(2);
}

let status = 0;
for (const file of files) {
	let line;
	try {
		const card = await CharacterCard.from_file(readFileSync(file));
		line = { file, spec: card.spec, spec_version: card.spec_version, data: card.raw_data.data };
	} catch (e) {
		line = { file, error: e.message };
		status = 1;
	}
	process.stdout.write(JSON.stringify(line) + "\n");
}
process.exitCode = status;
