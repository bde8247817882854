# straylight_events: an Ansible stdout callback written for straylight
# (fleet/ansible/delegate). It prints one JSON line per event, each after a
# fixed prefix, so that straylight can stream a run's task results. It uses
# only CallbackBase, present in every ansible-core (the json callback lives
# in ansible.posix, which a bare pip install of ansible-core lacks).
from __future__ import annotations

DOCUMENTATION = """
    name: straylight_events
    type: stdout
    short_description: one JSON line per play, task and result, for straylight
    description:
        - Written by straylight to a temporary directory for the runs it delegates.
"""

import json
import sys

from ansible.playbook.handler import Handler
from ansible.plugins.callback import CallbackBase

PREFIX = "\x1estraylight "
NO_LOG = "the output has been hidden due to the fact that 'no_log: true' was specified for this result"
# What a module or action says when it skips only because the run is in
# check mode (ansible-core 2.14's and 2.19's modules/command.py,
# module_utils/basic.py, plugins/action/__init__.py and fetch.py): a real
# run runs it. raw says nothing (plugins/action/raw.py).
CHECK_MODE_SKIPS = ("would have run if not in check mode", "does not support check mode",
                    "check mode is not supported", "check mode not (yet) supported")
RAW = ("raw", "ansible.builtin.raw", "ansible.legacy.raw")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "straylight_events"

    def _emit(self, **event):
        sys.stdout.write(PREFIX + json.dumps(event, default=str) + "\n")
        sys.stdout.flush()

    def _task_fields(self, task):
        return dict(task=task.get_name(), path=task.get_path() or "", action=task.action or "",
                    handler=isinstance(task, Handler))

    def v2_playbook_on_play_start(self, play):
        self._emit(event="play", name=play.get_name())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._emit(event="task", **self._task_fields(task))

    def v2_playbook_on_handler_task_start(self, task):
        self._emit(event="task", **self._task_fields(task))

    def _result(self, result, status, ignored=False):
        res = result._result
        no_log = bool(res.get("_ansible_no_log")) or res.get("censored") == NO_LOG
        event = dict(event="result", host=result._host.get_name(), status=status, ignored=ignored,
                     no_log=no_log, **self._task_fields(result._task))
        if not no_log:
            event["msg"] = self._message(res, status)
            event["diff"] = self._diff(res)
        if status == "skipped":
            event["checkmode_skip"] = self._check_mode_skip(res, result._task)
        self._emit(**event)

    def _check_mode_skip(self, res, task):
        if res.get("skip_reason"):  # a condition was false
            return False
        if task.action in RAW:
            return True
        msgs = [res.get("msg")] + [r.get("msg") for r in res.get("results") or [] if isinstance(r, dict)]
        return any(skip in str(msg) for msg in msgs if msg for skip in CHECK_MODE_SKIPS)

    def _message(self, res, status):
        if status not in ("failed", "unreachable"):
            return ""
        parts = [str(res.get(key)) for key in ("msg", "stderr") if res.get(key)]
        for item in res.get("results") or []:
            if isinstance(item, dict) and item.get("failed") and item.get("msg"):
                parts.append(str(item.get("msg")))
        return "; ".join(parts)[:4000]

    def _diff(self, res):
        diffs = []
        for d in [res.get("diff")] + [r.get("diff") for r in res.get("results") or [] if isinstance(r, dict)]:
            if isinstance(d, list):
                diffs.extend(d)
            elif d:
                diffs.append(d)
        if not diffs:
            return ""
        try:
            return self._get_diff(diffs)
        except Exception as e:  # a diff Ansible itself could not print
            return "(diff not readable: %s)" % e

    def v2_runner_on_ok(self, result):
        self._result(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, "failed", ignored=bool(ignore_errors))

    def v2_runner_on_skipped(self, result):
        self._result(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._result(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for host in sorted(stats.processed.keys()):
            hosts[host] = stats.summarize(host)
        self._emit(event="stats", hosts=hosts)
