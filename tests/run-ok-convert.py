#!/usr/bin/env python3
"""run-ok-convert.py: turn `run -0 --separate-stderr CMD` into `run_ok CMD`
where nothing after the run looks at $stderr (issue 13, STYLE 16).

  tests/run-ok-convert.py [-n] FILE...    (-n: list, change nothing)

run_ok (tests/common.bash) asserts exit 0 AND an empty stderr, so the
conversion only adds an assertion. A run counts as looking at $stderr if
"stderr", or a call of a function (of the file or tests/*.bash) whose body
mentions it (such as no_canary), appears after the command on its own line
or on any line up to the next run/run_ok, the end of its function or test
(a `}` in column 0) or the next @test. Those runs are left alone; so is
every run not expected to succeed. Running it twice changes nothing. A
converted run that then fails because its command writes to stderr on
success: put `run -0 --separate-stderr` back and assert that stderr.
"""
import glob
import os
import re
import sys

RUN = re.compile(r'\brun -0 --separate-stderr(?= |$)')
NEXT = re.compile(r'^\s*(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:run|run_ok)\b')
END = re.compile(r'^(\}|@test\b)')
FUNC = re.compile(r'^([A-Za-z_][A-Za-z0-9_]*)\(\)\s*\{(.*)$')


def stderr_helpers(lines):
    """Names of the file's functions whose body mentions stderr."""
    names, name, body = set(), None, ''
    for line in lines:
        m = FUNC.match(line)
        if m:
            name, body = m.group(1), m.group(2)
            if body.rstrip().endswith('}'):  # a one-line function
                if 'stderr' in body:
                    names.add(name)
                name = None
            continue
        if name:
            body += line
            if line.startswith('}'):
                if 'stderr' in body:
                    names.add(name)
                name = None
    return names


def convert(path, dry):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    helpers = stderr_helpers(lines)
    for lib in glob.glob(os.path.join(os.path.dirname(path) or '.', '*.bash')):
        with open(lib, encoding='utf-8') as f:
            helpers |= stderr_helpers(f.read().split('\n'))
    mentions = re.compile(r'stderr' + ''.join(r'|\b%s\b' % h for h in sorted(helpers)))
    changed = 0
    for i, line in enumerate(lines):
        m = RUN.search(line)
        if not m or line.lstrip().startswith('#'):
            continue
        looks = bool(mentions.search(line[m.end():]))
        for nxt in lines[i + 1:]:
            if END.match(nxt) or NEXT.match(nxt):
                break
            if mentions.search(nxt):
                looks = True
                break
        if looks:
            continue
        changed += 1
        if dry:
            print(f'{path}:{i + 1}: {line.strip()}')
        else:
            lines[i] = line[:m.start()] + 'run_ok' + line[m.end():]
    if changed and not dry:
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines))
    return changed


def main():
    args = sys.argv[1:]
    dry = bool(args) and args[0] == '-n'
    if dry:
        args = args[1:]
    total = 0
    for path in args:
        n = convert(path, dry)
        total += n
        if n:
            print(f'{n:5d} {path}', file=sys.stderr)
    print(f'{total:5d} runs converted' + (' (dry run)' if dry else ''), file=sys.stderr)


if __name__ == '__main__':
    main()
