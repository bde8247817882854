#!/usr/bin/python3
"""Summarise an ansible-playbook run made with the json stdout callback.

Usage: ANSIBLE_STDOUT_CALLBACK=json ansible-playbook ... > run.json
       summarize.py run.json

Prints one line per task and host: status (changed, ok, skipped, failed,
unreachable), the module, the task name and, for a failure, the first
line of its message. Then the per-module totals for the file modules
(template, copy) that docs/real-repositories.md records.
"""
import collections
import json
import sys

FILE_MODULES = ("template", "copy", "ansible.builtin.template", "ansible.builtin.copy")


def status(result):
    if result.get("unreachable"):
        return "unreachable"
    if result.get("failed"):
        return "failed"
    if result.get("skipped"):
        return "skipped"
    if result.get("changed"):
        return "changed"
    return "ok"


def first_line(result):
    msg = result.get("msg") or result.get("stderr") or ""
    if isinstance(msg, list):
        msg = " ".join(str(m) for m in msg)
    return str(msg).strip().splitlines()[0][:160] if str(msg).strip() else ""


def main():
    with open(sys.argv[1]) as f:
        text = f.read()
    run, _ = json.JSONDecoder().raw_decode(text[text.index("{"):])
    totals = collections.Counter()
    for play in run["plays"]:
        print(f"PLAY {play['play']['name']}")
        for task in play["tasks"]:
            name = task["task"]["name"]
            for host, result in task["hosts"].items():
                action = result.get("action", "?")
                st = status(result)
                line = f"  {st:<11} {action:<36} {name} [{host}]"
                if st in ("failed", "unreachable"):
                    line += " :: " + first_line(result)
                print(line)
                if action in FILE_MODULES:
                    totals[(action.split(".")[-1], st)] += 1
    print("STATS", json.dumps(run.get("stats", {})))
    print("FILE TASKS", ", ".join(f"{m} {s} {n}" for (m, s), n in sorted(totals.items())) or "-")


if __name__ == "__main__":
    main()
