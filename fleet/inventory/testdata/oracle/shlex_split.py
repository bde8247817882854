# Reads a JSON list of strings on stdin and prints shlex.split(s,
# comments=True) for each: {"ok": [...]} or {"err": msg}.
import json
import shlex
import sys

out = []
for text in json.load(sys.stdin):
    try:
        out.append({"ok": shlex.split(text, comments=True)})
    except ValueError as e:
        out.append({"err": str(e)})
json.dump(out, sys.stdout)
