# Reads a JSON list of YAML documents on stdin and prints, for each, the
# 1-based line PyYAML reports for its syntax error (0 when it parses).
import json
import sys

import yaml

out = []
for doc in json.load(sys.stdin):
    try:
        yaml.safe_load(doc)
        out.append({"line": 0})
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        out.append({"line": mark.line + 1})
json.dump(out, sys.stdout)
