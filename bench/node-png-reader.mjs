// node-png-reader.mjs DIR: a baseline for reading PNG character cards.
// Parses every *.png in DIR (not recursive) with @lenml/char-card-reader
// (CharacterCard.from_file, the test oracle in tests/oracles, installed by
// scripts/install-deps) in one process and prints
//   node-reader: N cards in S s
// N the cards read, S the wall time of reading and parsing them all (after
// Node and the library have loaded). Note that from_file also
// base64-encodes each whole image (a fallback avatar): that is part of
// the library's cost.
//
// Exit status: 0 when every file was read as a card, 1 when some was not
// (each named on stderr; N counts the others), 2 usage or no library.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const dir = process.argv[2];
if (dir === undefined || process.argv.length > 3) {
	process.stderr.write("usage: node-png-reader.mjs DIR\n");
	process.exit(2);
}

// The package lives in tests/oracles/node_modules, which bare imports from
// bench/ would not find.
let CharacterCard;
try {
	const require = createRequire(new URL("../tests/oracles/", import.meta.url));
	({ CharacterCard } = require("@lenml/char-card-reader"));
} catch (e) {
	process.stderr.write(`node-png-reader: ${e.message.split("\n")[0]} (run scripts/install-deps)\n`);
	process.exit(2);
}

const files = readdirSync(dir).filter((f) => f.endsWith(".png")).sort();
let n = 0;
let status = 0;
const start = performance.now();
for (const f of files) {
	try {
		await CharacterCard.from_file(readFileSync(join(dir, f)));
		n++;
	} catch (e) {
		process.stderr.write(`node-png-reader: '${join(dir, f)}': ${e.message}\n`);
		status = 1;
	}
}
const s = (performance.now() - start) / 1000;
process.stdout.write(`node-reader: ${n} cards in ${s.toFixed(3)} s\n`);
process.exitCode = status;
