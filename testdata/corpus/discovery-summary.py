#!/usr/bin/env python3
"""Compare what `straylight --check --json` discovered in each corpus
repository with what was found by hand (expected.json): backends by kind
(a LiteLLM proxy counts when its config or its container is found), and
LiteLLM routes by the name clients send. Ours; see discovery.sh."""
import collections
import json
import os
import sys

KIND = {"llamacpp": "llama.cpp"}  # expected.json's spelling -> straylight's


def found_kinds(plan):
    """Kinds discovered: every backend, and every LiteLLM proxy."""
    kinds = collections.Counter(b["kind"] for b in plan.get("backends") or [])
    for p in plan.get("proxies") or []:
        if p["kind"] == "litellm":
            kinds["litellm"] += 1
    return kinds


def sources(plan, kind):
    """Where each server of the kind was found (the template behind it)."""
    found = [b for b in plan.get("backends") or [] if b["kind"] == kind]
    found += [p for p in plan.get("proxies") or [] if p["kind"] == kind]
    return [f["source"] + (f" (from {f['template']})" if f.get("template") else "") for f in found]


def compare(repo, plan):
    """(backends found, by hand, routes found, by hand, misses, sources)."""
    want = collections.Counter(KIND.get(b["kind"], b["kind"]) for b in repo["backends"])
    have = found_kinds(plan)
    misses, where = [], []
    nb = 0
    for kind, n in sorted(want.items()):
        got = min(n, have[kind])
        nb += got
        if got < n:
            misses.append(f"{n - got} {kind}")
        where += [f"{kind} {s}" for s in sources(plan, kind)[:n]]
    routes = collections.Counter(r["route"] for r in plan.get("routes") or [])
    nr = 0
    for r in repo["routes"]:
        if routes[r["alias"]] > 0:
            routes[r["alias"]] -= 1
            nr += 1
        else:
            misses.append(f"route {r['alias']}")
    return nb, len(repo["backends"]), nr, len(repo["routes"]), misses, where


def main(expected_path, out_dir):
    with open(expected_path) as f:
        expected = json.load(f)
    totals = [0, 0, 0, 0]
    found_at = []
    print("| repository | backends found / by hand | routes found / by hand | not found |")
    print("|---|---|---|---|")
    for repo in expected["repositories"]:
        name = repo["repo"].split("/")[1]
        path = os.path.join(out_dir, name + ".json")
        if not repo["backends"] and not repo["routes"]:
            continue
        try:
            with open(path) as f:
                plan = json.load(f)
        except (OSError, ValueError) as e:
            plan = {}
            print(f"{name}: no plan ({e})", file=sys.stderr)
        nb, wb, nr, wr, misses, where = compare(repo, plan)
        for i, v in enumerate((nb, wb, nr, wr)):
            totals[i] += v
        routes = f"{nr} / {wr}" if wr else "–"
        print(f"| {name} | {nb} / {wb} | {routes} | {', '.join(misses)} |")
        found_at += [f"- {name}: {w}" for w in where]
    nb, wb, nr, wr = totals
    print("\nFound at (kind, source file:line):")
    print("\n".join(found_at))
    print(f"\nTotals: backends {nb} / {wb} ({100 * nb / wb:.0f}%), routes {nr} / {wr} ({100 * nr / wr:.0f}%)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
