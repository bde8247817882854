#!/usr/bin/env python3
"""Summarise one `straylight --check --json` plan (ours): hosts, file tasks
planned natively by module, handlers, unsupported tasks grouped by reason,
error findings."""
import collections
import json
import sys


def reason_kind(reason):
    """The reason's first clause (module or keyword named, details cut)."""
    return reason.split(": straylight")[0][:100]


TEMPLATE_COPY = {"template", "copy", "win_template", "win_copy"}


def template_copy_tasks(hosts):
    """The template/copy tasks (host, file:line) planned natively, and those
    via ansible or unsupported."""
    def key(h, x):
        return (h["host"], x["at"]["file"], x["at"]["line"])
    native = {key(h, f) for h in hosts for f in h.get("files") or []
              if f["module"].split(".")[-1] in TEMPLATE_COPY}
    other = {key(h, x) for h in hosts
             for x in (h.get("via_ansible") or []) + (h.get("unsupported") or [])
             if (x.get("module") or "").split(".")[-1] in TEMPLATE_COPY}
    return native, other


def main(path):
    with open(path) as f:
        plan = json.load(f)
    hosts = plan.get("hosts") or []
    modules = collections.Counter()
    reasons = collections.Counter()
    handlers = unsupported = 0
    via = collections.Counter()
    for h in hosts:
        for fc in h.get("files") or []:
            modules[fc["module"]] += 1
        handlers += len(h.get("handlers") or [])
        for v in h.get("via_ansible") or []:
            via[v["status"]] += 1
        for u in h.get("unsupported") or []:
            unsupported += 1
            reasons[reason_kind(u["reason"])] += 1
    tc_native, tc_other = template_copy_tasks(hosts)
    native = sum(modules.values())
    print(f"hosts {len(hosts)}; file tasks planned natively {native} "
          f"({', '.join(f'{m} {n}' for m, n in sorted(modules.items()))}); "
          f"handlers {handlers}; via ansible {sum(via.values())} "
          f"({', '.join(f'{s} {n}' for s, n in sorted(via.items()))}); "
          f"unsupported {unsupported}")
    print(f"  template/copy tasks (a loop's items once): native {len(tc_native)}, "
          f"via ansible or unsupported {len(tc_other)}")
    for r, n in reasons.most_common():
        print(f"  unsupported x{n}: {r}")
    for f in plan.get("findings") or []:
        if f.get("severity") == "error":
            print(f"  error: {f.get('message', '')[:160]}")


if __name__ == "__main__":
    main(sys.argv[1])
