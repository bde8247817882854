#!/usr/bin/env python3
"""Compare, task by task, the changed/ok status of every file task in a
`straylight --check --json` plan with an `ansible-playbook --check --diff`
run (json stdout callback) made with the same arguments (ours).

Usage: filestatus.py PLAN.json ANSIBLE.json REPO_COPY_DIR

File tasks: template, copy, file, lineinfile, blockinfile (and their
ansible.builtin names). Tasks are matched by host and the task's file:line
(Ansible's task path, relative to the copy; straylight's `at`). For each
Ansible result, straylight's side is: its native file task (changed when
its action is create or update, ok when none; a loop's items merged), the
task it handed to Ansible (via ansible: Ansible's own status), or absent
(straylight decided the task does not run: skipped), unless its plan
stopped on an error (straylight stopped). A task straylight
planned that Ansible never reported (the check run stopped before it) is
listed as not reached. Prints one line per task, then the counts:
agree / DIFFER / via ansible / not reached by Ansible / straylight stopped.
"""
import collections
import json
import os
import sys

import summarize

FILE_MODULES = {"template", "copy", "file", "lineinfile", "blockinfile"}


def short(action):
    return (action or "").split(".")[-1]


def ansible_results(path, root):
    """(host, file:line) -> (module, status) for every file-task result."""
    with open(path) as f:
        text = f.read()
    out = {}
    if "{" not in text:
        return out
    run, _ = json.JSONDecoder().raw_decode(text[text.index("{"):])
    prefix = os.path.realpath(root) + os.sep
    for play in run["plays"]:
        for task in play["tasks"]:
            where = task["task"].get("path", "")
            where = os.path.realpath(where.rsplit(":", 1)[0]).replace(prefix, "", 1) + ":" + where.rsplit(":", 1)[-1]
            for host, result in task["hosts"].items():
                module = short(result.get("action"))
                if module in FILE_MODULES:
                    out[(host, where)] = (module, merge(out.get((host, where), (None, None))[1], summarize.status(result)))
    return out


def merge(a, b):
    """A task run twice (a loop, an include run again) is changed if any run was."""
    for status in ("failed", "unreachable", "changed", "ok", "skipped"):
        if status in (a, b):
            return status
    return b


def straylight_results(path):
    """(host, file:line) -> (module, status, how) for the plan's file tasks,
    and whether the plan stopped on an error (then a task it does not list
    was never planned, rather than skipped)."""
    with open(path) as f:
        plan = json.load(f)
    stopped = any(f.get("severity") == "error" for f in plan.get("findings") or [])
    out = {}
    for h in plan.get("hosts") or []:
        for fc in h.get("files") or []:
            key = (h["host"], f"{fc['at']['file']}:{fc['at']['line']}")
            status = "changed" if fc["action"] in ("create", "update") else ("ok" if fc["action"] == "none" else fc["action"])
            out[key] = (fc["module"], merge(out.get(key, (None, None, None))[1], status), "native")
        for d in h.get("via_ansible") or []:
            key = (h["host"], f"{d['at']['file']}:{d['at']['line']}")
            if short(d["module"]) in FILE_MODULES:
                out[key] = (short(d["module"]), d["status"], "via ansible")
    return out, stopped


def main(plan_path, ansible_path, root):
    (ours, stopped), theirs = straylight_results(plan_path), ansible_results(ansible_path, root)
    counts = collections.Counter()
    for key in sorted(set(ours) | set(theirs)):
        host, where = key
        module, status, how = ours.get(key, (None, "skipped", "absent"))
        a_module, a_status = theirs.get(key, (module, None))
        if how == "absent" and stopped:
            verdict, status = "straylight stopped", "-"
        elif a_status is None:
            verdict = "not reached by Ansible"
        elif how == "via ansible":
            verdict = "via ansible"
        elif status == a_status:
            verdict = "agree"
        else:
            verdict = "DIFFER"
        counts[verdict] += 1
        print(f"  {verdict:<22} {a_module or module:<11} straylight {how} {status:<8} ansible {a_status or '-':<8} {where} [{host}]")
    print("  totals: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main(*sys.argv[1:4])
