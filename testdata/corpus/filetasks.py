#!/usr/bin/python3
"""List every template/copy result of the runs.sh runs as tab-separated rows.

Usage: filetasks.py OUT_DIR > file-tasks.tsv
Columns: run label, host, module, destination, status, and the task's
position in the run (1-based, counting every task of every play, the fact
gathering included). The destination comes from the module's invocation
(what Ansible resolved); task names are left out, being the repositories'
own text.
"""
import json
import os
import sys

import summarize


def rows(out_dir):
    for label in sorted(os.listdir(out_dir)):
        folder = os.path.join(out_dir, label)
        for fn in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            if fn.endswith(".json"):
                yield from file_results(label, os.path.join(folder, fn))


def file_results(label, path):
    with open(path) as f:
        text = f.read()
    if "{" not in text:
        return
    run, _ = json.JSONDecoder().raw_decode(text[text.index("{"):])
    position = 0
    for play in run["plays"]:
        for task in play["tasks"]:
            position += 1
            for host, result in task["hosts"].items():
                module = result.get("action", "").split(".")[-1]
                if module in ("template", "copy"):
                    yield [label, host, module, destination(result), summarize.status(result), str(position)]


def destination(result):
    """Where Ansible resolved the task to write, or why that is not shown."""
    if "censored" in result:
        return "(hidden: no_log)"
    if result.get("skipped"):
        return "(skipped before resolving)"
    if "results" in result:
        return ",".join(item.get("invocation", {}).get("dest") or item.get("dest", "?")
                        for item in result["results"])
    return result.get("invocation", {}).get("dest") or result.get("dest", "")


def main():
    print("\t".join(["run", "host", "module", "dest", "status", "task_position"]))
    for row in rows(sys.argv[1]):
        print("\t".join(row))


if __name__ == "__main__":
    main()
