#!/usr/bin/env python3
"""Lists the production Swift functions longer than a limit.

    scripts/long-functions.py [--max N] [--show-exempt] [PATH ...]

Counts every `func`, `init`, `deinit`, `subscript` and every closure assigned to a `let`
(`let handler: T = { ... }`) from the line of its keyword to the line of its closing brace, both
included, and prints those over N lines (default 60), longest first, as `path:line: name (L lines)`.
PATH defaults to the production code: Protocol/, Client/, Server/ and Sources/ (never Tests/ or
Fuzz/). Exits 1 when it printed any, else 0.

A function may stay long for a stated reason: a comment `// long-function: REASON` among the
comment and attribute lines right above its declaration exempts it. `--show-exempt` lists the
exempted ones with their reasons too. Strings (also multi-line and raw ones, with their
interpolations) and comments are skipped when braces are matched. Python 3 standard library only.
"""
import argparse
import os
import re
import sys

PRODUCTION = ["Protocol", "Client", "Server", "Sources"]
EXEMPTION = re.compile(r"//\s*long-function:\s*(\S.*)$")
DECLARATION = re.compile(
    r"\b(?:func\s+(?P<func>[^\s(<]+)|(?P<init>init)[?!]?\s*[(<]|(?P<deinit>deinit)\b|(?P<subscript>subscript)\s*[(<]"
    r"|let\s+(?P<let>[A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=\n]*)?=\s*\{)")
# A signature continues on the next line when that line starts like this.
CONTINUATION = re.compile(r"^\s*(->|throws|rethrows|async|where|\{)")


def blank_code(text):
    """`text` with the contents of comments and string literals replaced by spaces (newlines
    kept), so that braces and keywords left in it are code. Interpolations stay code."""
    out = list(text)
    i, n = 0, len(text)
    # Stack of what we are inside: ("code", paren depth) for code (the bottom one, and each string
    # interpolation), ("string", hashes, multiline) for a string literal.
    stack = [("code", 0)]

    def blank(start, end):
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        top = stack[-1]
        c = text[i]
        if top[0] == "code":
            if text.startswith("//", i):
                end = text.find("\n", i)
                end = n if end < 0 else end
                blank(i, end)
                i = end
            elif text.startswith("/*", i):
                depth, j = 1, i + 2
                while j < n and depth:
                    if text.startswith("/*", j):
                        depth, j = depth + 1, j + 2
                    elif text.startswith("*/", j):
                        depth, j = depth - 1, j + 2
                    else:
                        j += 1
                blank(i, j)
                i = j
            elif c == '"' or (c == "#" and re.match(r'#+"', text[i:i + 40])):
                hashes = len(text[i:]) - len(text[i:].lstrip("#"))
                j = i + hashes
                multiline = text.startswith('"""', j)
                j += 3 if multiline else 1
                stack.append(("string", hashes, multiline))
                i = j
            elif c == "(" and len(stack) > 1:
                stack[-1] = ("code", top[1] + 1)
                i += 1
            elif c == ")" and len(stack) > 1:
                if top[1] == 0:
                    stack.pop()  # the end of an interpolation: back in its string
                else:
                    stack[-1] = ("code", top[1] - 1)
                i += 1
            else:
                i += 1
        else:
            _, hashes, multiline = top
            closer = ('"""' if multiline else '"') + "#" * hashes
            escape = "\\" + "#" * hashes
            if text.startswith(escape + "(", i):
                blank(i, i + len(escape) + 1)
                stack.append(("code", 0))
                i += len(escape) + 1
            elif text.startswith(escape, i):
                blank(i, min(n, i + len(escape) + 1))
                i += len(escape) + 1
            elif text.startswith(closer, i):
                stack.pop()
                i += len(closer)
            else:
                if c != "\n":
                    out[i] = " "
                i += 1
    return "".join(out)


def closing_brace(code, open_index):
    """Index of the brace that closes the one at `open_index` (code is blanked)."""
    depth = 0
    for j in range(open_index, len(code)):
        if code[j] == "{":
            depth += 1
        elif code[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return None


def body_start(code, start):
    """Index of the `{` that opens the body of the declaration starting at `start`, or None when
    it has none (a protocol requirement)."""
    depth = 0
    j = start
    while j < len(code):
        c = code[j]
        if c in "([<":
            depth += 1
        elif c in ")]>" and depth > 0:
            if not (c == ">" and code[j - 1] == "-"):  # `->` is no closing bracket
                depth -= 1
        elif c == "{" and depth == 0:
            return j
        elif c == "}" and depth == 0:
            return None
        elif c == "\n" and depth == 0:
            line_end = code.find("\n", j + 1)
            following = code[j + 1:line_end if line_end >= 0 else len(code)]
            previous = code[code.rfind("\n", 0, j) + 1:j].rstrip()
            if not (CONTINUATION.match(following) or previous.endswith((",", "->", "&", ":", "="))):
                if following.strip():
                    return None
        j += 1
    return None


def exemption(lines, declaration_line):
    """The reason given in a `// long-function:` comment among the comment and attribute lines
    right above line `declaration_line` (0-based), or None."""
    k = declaration_line - 1
    while k >= 0:
        stripped = lines[k].strip()
        if not (stripped.startswith("//") or stripped.startswith("@") or stripped.startswith("*")
                or stripped.startswith("/*")):
            return None
        match = EXEMPTION.search(stripped)
        if match:
            return match.group(1).strip()
        k -= 1
    return None


def functions(path):
    """(line, name, length, exemption) for every function-like body in the file."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    code = blank_code(text)
    lines = text.split("\n")
    line_starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            line_starts.append(index + 1)

    def line_of(index):
        low, high = 0, len(line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if line_starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        return low

    found = []
    for match in DECLARATION.finditer(code):
        if match.group("let"):
            name, brace = match.group("let"), match.end() - 1
        else:
            name = match.group("func") or match.group("init") or match.group("deinit") or match.group("subscript")
            brace = body_start(code, match.end())
        if brace is None:
            continue
        end = closing_brace(code, brace)
        if end is None:
            continue
        first, last = line_of(match.start()), line_of(end)
        found.append((first + 1, name, last - first + 1, exemption(lines, first)))
    return found


def swift_files(paths):
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for directory, subdirectories, files in os.walk(path):
            subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
            for name in sorted(files):
                if name.endswith(".swift"):
                    yield os.path.join(directory, name)


def main():
    parser = argparse.ArgumentParser(description="Lists production Swift functions longer than a limit.")
    parser.add_argument("--max", type=int, default=60, help="the most lines a function may have (default 60)")
    parser.add_argument("--show-exempt", action="store_true", help="also list long functions exempted by a reason")
    parser.add_argument("paths", nargs="*", help="files or folders (default: Protocol Client Server Sources)")
    arguments = parser.parse_args()
    if arguments.max < 1:
        parser.error(f"--max must be at least 1; got {arguments.max}")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = arguments.paths or [os.path.relpath(os.path.join(root, p)) for p in PRODUCTION]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        parser.error("no such file or folder: " + ", ".join(missing))

    long, exempt = [], []
    for path in swift_files(paths):
        for line, name, length, reason in functions(path):
            if length > arguments.max:
                (exempt if reason else long).append((length, path, line, name, reason))
    for length, path, line, name, _ in sorted(long, key=lambda f: (-f[0], f[1], f[2])):
        print(f"{path}:{line}: {name} ({length} lines)")
    if arguments.show_exempt:
        for length, path, line, name, reason in sorted(exempt, key=lambda f: (-f[0], f[1], f[2])):
            print(f"{path}:{line}: {name} ({length} lines) exempt: {reason}")
    print(f"{len(long)} function(s) over {arguments.max} lines"
          + (f", {len(exempt)} more exempted with a reason" if exempt else ""), file=sys.stderr)
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main())
