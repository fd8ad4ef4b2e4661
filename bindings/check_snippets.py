"""usage: check_snippets.py [--write] [DOC]  (default README.md). --write refreshes every
marked block from its file.

Every fenced block of DOC preceded by `<!-- snippet: PATH -->`
must be exactly the file PATH (which a test compiles and runs). Exit 1 otherwise."""
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
default = os.path.join(root, "README.md")
args = [a for a in sys.argv[1:] if a != "--write"]
doc = args[0] if args else default
text = open(doc).read()
if "--write" in sys.argv:
    def refresh(m):
        body = open(os.path.join(root, m.group(1))).read().rstrip("\n")
        return "<!-- snippet: %s -->\n%s\n%s\n```\n" % (m.group(1), m.group(2), body)
    text = re.sub(r"<!-- snippet: (\S+) -->\n(```[a-z+]*)\n.*?\n```\n", refresh, text, flags=re.S)
    open(doc, "w").write(text)
blocks = re.findall(r"<!-- snippet: (\S+) -->\n```[a-z+]*\n(.*?)\n```\n", text, re.S)
bad = [path for path, body in blocks
       if open(os.path.join(root, path)).read().rstrip("\n") != body]
# README.md has unmarked blocks too (the C examples, run by c_tests/readme_examples.sh).
if bad or not blocks:
    print("snippets out of date or without a source file: %s (%d of %d blocks matched)"
          % (bad, len(blocks) - len(bad), len(blocks)))
    sys.exit(1)
print("README snippets: %d blocks, each identical to its tested file" % len(blocks))
