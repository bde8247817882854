#!/usr/bin/python3
"""Count the playbook-language features an Ansible repository uses.

Usage: survey.py DIR [DIR...]

Walks every .yml/.yaml file, finds task lists (role tasks/ and handlers/
files, plays' tasks/pre_tasks/post_tasks/handlers, blocks) and prints:
modules by count, task keywords by count, the arguments given to
template/copy tasks, and the lookups and filters used in tasks and
templates. Written for docs/real-repositories.md; it reads the
repositories, never changes them.
"""
import collections
import os
import re
import sys

import yaml

KEYWORDS = {
    "name", "when", "loop", "with_items", "with_dict", "with_fileglob",
    "with_together", "with_subelements", "with_nested", "with_first_found",
    "loop_control", "register", "changed_when", "failed_when", "become",
    "become_user", "notify", "tags", "vars", "block", "rescue", "always",
    "ignore_errors", "delegate_to", "run_once", "until", "retries", "delay",
    "environment", "args", "no_log", "check_mode", "listen", "async", "poll",
    "local_action", "become_method", "diff", "any_errors_fatal", "throttle",
    "with_sequence", "with_lines", "debugger", "collections", "module_defaults",
    "connection", "delegate_facts", "timeout", "ignore_unreachable",
}
FILE_MODULES = {"template", "copy"}
PLAY_KEYS = ("pre_tasks", "tasks", "post_tasks", "handlers")


def short(module):
    for prefix in ("ansible.builtin.", "ansible.legacy."):
        if module.startswith(prefix):
            return module[len(prefix):]
    return module


def module_of(task):
    for key in task:
        if key not in KEYWORDS and not key.startswith("with_"):
            return key
    return None


class Survey:
    def __init__(self):
        self.modules = collections.Counter()
        self.keywords = collections.Counter()
        self.file_args = collections.Counter()
        self.handler_modules = collections.Counter()
        self.files_tasks = 0

    def task(self, task, in_handler):
        if not isinstance(task, dict):
            return
        for key in task:
            if key in KEYWORDS or key.startswith("with_"):
                self.keywords[key] += 1
        if "block" in task:
            for section in ("block", "rescue", "always"):
                self.tasks(task.get(section) or [], in_handler)
            return
        module = module_of(task)
        if module is None:
            return
        name = short(module)
        self.modules[name] += 1
        if in_handler:
            self.handler_modules[name] += 1
        if name in FILE_MODULES:
            self.files_tasks += 1
            args = task[module]
            if isinstance(args, dict):
                for arg in args:
                    self.file_args[name + ":" + arg] += 1
            else:
                self.file_args[name + ":(free-form)"] += 1

    def tasks(self, tasks, in_handler=False):
        if isinstance(tasks, list):
            for task in tasks:
                self.task(task, in_handler)

    def play(self, play):
        for key in PLAY_KEYS:
            self.tasks(play.get(key) or [], key == "handlers")
        for key in ("vars_files", "roles", "become", "gather_facts"):
            if key in play:
                self.keywords["play:" + key] += 1

    def document(self, path, doc):
        parts = path.split(os.sep)
        if isinstance(doc, list) and doc and isinstance(doc[0], dict):
            if any(k in doc[0] for k in ("hosts", "import_playbook")):
                for play in doc:
                    if isinstance(play, dict):
                        self.play(play)
                return
            if "tasks" in parts or "handlers" in parts or "playbooks" in parts:
                self.tasks(doc, "handlers" in parts)


JINJA_LOOKUP = re.compile(r"\b(?:lookup|query)\(\s*['\"]([\w.]+)")
JINJA_FILTER = re.compile(r"\|\s*([a-zA-Z_][\w.]*)")
FACT = re.compile(r"\b(ansible_(?:facts\[['\"]\w+|[a-z_0-9]+))")
NOT_FACTS = {"ansible_host", "ansible_user", "ansible_port", "ansible_connection",
             "ansible_python_interpreter", "ansible_become", "ansible_ssh_private_key_file",
             "ansible_become_password", "ansible_password", "ansible_check_mode"}


def jinja(text, lookups, filters, facts):
    for block in re.findall(r"\{[{%](.*?)[}%]\}", text, re.S):
        lookups.update(JINJA_LOOKUP.findall(block))
        filters.update(JINJA_FILTER.findall(block))
        facts.update(f for f in FACT.findall(block) if f not in NOT_FACTS)


def survey(root):
    s = Survey()
    lookups, filters = collections.Counter(), collections.Counter()
    tmpl_facts = collections.Counter()
    errors = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for fn in sorted(filenames):
            path = os.path.join(dirpath, fn)
            rel = os.path.relpath(path, root)
            if fn.endswith(".j2"):
                with open(path, errors="replace") as f:
                    jinja(f.read(), collections.Counter(), collections.Counter(), tmpl_facts)
                continue
            if not fn.endswith((".yml", ".yaml")):
                continue
            with open(path, errors="replace") as f:
                text = f.read()
            jinja(text, lookups, filters, collections.Counter())
            try:
                docs = list(yaml.safe_load_all(text))
            except yaml.YAMLError as err:
                errors.append(rel + ": " + str(err).splitlines()[0])
                continue
            for doc in docs:
                s.document(rel, doc)
    return s, lookups, filters, tmpl_facts, errors


def show(title, counter):
    items = ", ".join(f"{k} {v}" for k, v in counter.most_common())
    print(f"  {title}: {items or '-'}")


FEATURES = [
    ("file args (mode/owner/group/...)", lambda s: any(not k.endswith((":src", ":dest", ":content")) for k in s.file_args)),
    ("when", lambda s: s.keywords["when"] > 0),
    ("loop/with_*", lambda s: any(k == "loop" or k.startswith("with_") for k in s.keywords)),
    ("notify/handlers", lambda s: s.keywords["notify"] > 0),
    ("register", lambda s: s.keywords["register"] > 0),
    ("block", lambda s: s.keywords["block"] > 0),
    ("include/import_tasks", lambda s: s.modules["include_tasks"] + s.modules["import_tasks"] > 0),
    ("include/import_role", lambda s: s.modules["include_role"] + s.modules["import_role"] > 0),
    ("set_fact", lambda s: s.modules["set_fact"] > 0),
    ("include_vars/vars_files", lambda s: s.modules["include_vars"] + s.keywords["play:vars_files"] > 0),
    ("systemd/service module", lambda s: s.modules["systemd"] + s.modules["systemd_service"] + s.modules["service"] > 0),
    ("docker_compose_v2", lambda s: s.modules["community.docker.docker_compose_v2"] > 0),
    ("other container modules", lambda s: any((m.startswith(("community.docker.", "containers.podman", "kubernetes.core")) and not m.endswith("docker_compose_v2")) or m == "docker_image" for m in s.modules)),
    ("command/shell", lambda s: s.modules["command"] + s.modules["shell"] > 0),
    ("package modules (apt/package/pip)", lambda s: s.modules["apt"] + s.modules["package"] + s.modules["pip"] > 0),
    ("get_url/unarchive/git", lambda s: s.modules["get_url"] + s.modules["unarchive"] + s.modules["git"] > 0),
    ("lineinfile/blockinfile/ini_file", lambda s: any(m.split(".")[-1] in ("lineinfile", "blockinfile", "ini_file") for m in s.modules)),
]


def matrix(roots):
    rows = []
    for root in roots:
        s = survey(root)[0]
        rows.append((os.path.basename(root.rstrip("/")), [f(s) for _, f in FEATURES]))
    for i, (name, _) in enumerate(FEATURES):
        users = [r for r, flags in rows if flags[i]]
        print(f"{len(users):2d}  {name}: {', '.join(users)}")


def main():
    if sys.argv[1] == "--matrix":
        matrix(sys.argv[2:])
        return
    for root in sys.argv[1:]:
        s, lookups, filters, facts, errors = survey(root)
        print(f"== {root}  tasks={sum(s.modules.values())} file_tasks={s.files_tasks}")
        show("modules", s.modules)
        show("keywords", s.keywords)
        show("template/copy args", s.file_args)
        show("handler modules", s.handler_modules)
        show("lookups", lookups)
        show("filters", filters)
        show("facts in templates", facts)
        for err in errors:
            print("  yaml error: " + err)


if __name__ == "__main__":
    main()
