// ccardlib-check.mjs FILE...: what @risuai/ccardlib (0.4.2) thinks of
// each JSON character card. A test-only oracle, never shipped.
//
// For each FILE it prints one line, "<file> <result>", where result is
// what CCardLib.character.check() returned: v3, v2, v1 or unknown (its
// only failure value). check() validates against the spec's JSON schema
// (ajv, compiled in): spec must be exactly "chara_card_v2"/"chara_card_v3"
// and spec_version exactly "2.0"/"3.0", every data field of the spec
// must be present with its type, extra fields are allowed. It tries v3,
// then v2, then v1 (the six flat V1 fields at the top level). Before it
// validates, it deletes every key whose value is null, recursively, IN
// ITS ARGUMENT: so a null field counts as absent, and the caller's object
// is changed; hence the structuredClone.
//
// Exit status: 0 when every file was read and parsed as JSON (whatever
// check() said), 1 when some file could not be read or is not JSON (a
// message on stderr; the other files are still checked), 2 usage.
import { readFileSync } from "node:fs";
import { CCardLib } from "@risuai/ccardlib";

const files = process.argv.slice(2);
if (files.length === 0) {
	process.stderr.write("usage: ccardlib-check.mjs FILE...\n");
	process.exit(2);
}

let status = 0;
for (const file of files) {
	let card;
	try {
		card = JSON.parse(readFileSync(file, "utf8"));
	} catch (e) {
		process.stderr.write(`ccardlib-check: '${file}': ${e.message}\n`);
		status = 1;
		continue;
	}
	process.stdout.write(`${file} ${CCardLib.character.check(structuredClone(card))}\n`);
}
process.exitCode = status;
