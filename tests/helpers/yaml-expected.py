#!/usr/bin/env python3
"""Write guise.jsonl beside each yaml-test-suite case that has an in.json:
the suite's own expected documents, one compact JSON line each, in the form
test-tool writes (key order kept, UTF-8 unescaped). A development-time
helper: the checked-in files are its output, and the tests never run it."""
import glob
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "tests/data/yaml-test-suite/data"
for path in sorted(glob.glob(os.path.join(root, "**", "in.json"), recursive=True)):
    text = open(path, encoding="utf-8").read()
    decoder, i, docs = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        value, i = decoder.raw_decode(text, i)
        docs.append(value)
    with open(os.path.join(os.path.dirname(path), "guise.jsonl"), "w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
