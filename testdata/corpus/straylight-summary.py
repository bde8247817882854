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
    native = sum(modules.values())
    print(f"hosts {len(hosts)}; file tasks planned natively {native} "
          f"({', '.join(f'{m} {n}' for m, n in sorted(modules.items()))}); "
          f"handlers {handlers}; via ansible {sum(via.values())} "
          f"({', '.join(f'{s} {n}' for s, n in sorted(via.items()))}); "
          f"unsupported {unsupported}")
    for r, n in reasons.most_common():
        print(f"  unsupported x{n}: {r}")
    for f in plan.get("findings") or []:
        if f.get("severity") == "error":
            print(f"  error: {f.get('message', '')[:160]}")


if __name__ == "__main__":
    main(sys.argv[1])
