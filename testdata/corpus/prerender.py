#!/usr/bin/python3
"""Write what a --check --diff run says template/copy tasks would write.

Usage: prerender.py RUN.json ROOT
For every template/copy result whose destination lies under ROOT (a scratch
directory given through the stand-in vars), write the diff's "after" text
there, creating parent directories, with the mode the task asked for when
the result reports one. A second --check run then shows which file tasks
Ansible considers ok. Nothing outside ROOT is written.
"""
import json
import os
import sys


def results(run):
    for play in run["plays"]:
        for task in play["tasks"]:
            for result in task["hosts"].values():
                yield result


def main():
    path, root = sys.argv[1], os.path.realpath(sys.argv[2])
    with open(path) as f:
        text = f.read()
    run, _ = json.JSONDecoder().raw_decode(text[text.index("{"):])
    for result in results(run):
        if result.get("action", "").split(".")[-1] not in ("template", "copy"):
            continue
        diffs = result.get("diff") or []
        for diff in diffs if isinstance(diffs, list) else [diffs]:
            dest = result.get("invocation", {}).get("dest") or diff.get("after_header", "")
            if "after" not in diff or not os.path.realpath(dest).startswith(root + os.sep):
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w") as out:
                out.write(diff["after"])
            mode = result.get("invocation", {}).get("mode")
            if mode:
                os.chmod(dest, int(str(mode), 8))
            print("wrote", dest)


if __name__ == "__main__":
    main()
