# Reads a JSON list of strings on stdin and prints what Ansible's INI plugin
# makes of each value (ast.literal_eval, else the text), as JSON:
# {"ok": value} or {"raw": true} when the text is kept.
import ast
import json
import sys

out = []
for text in json.load(sys.stdin):
    try:
        v = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        out.append({"raw": True})
        continue
    except Exception as e:  # noqa: BLE001 - Ansible fails on these
        out.append({"fail": type(e).__name__})
        continue
    if isinstance(v, bytes):
        v = v.decode("utf-8", "surrogateescape")
    try:
        out.append({"ok": json.loads(json.dumps(v, default=list))})
    except Exception as e:  # noqa: BLE001
        out.append({"fail": type(e).__name__})
json.dump(out, sys.stdout)
