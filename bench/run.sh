#!/bin/sh
# Times the whole `straylight --check` process (wall and CPU time, max RSS)
# on generated repositories of 10, 50 and 1,000 GPU hosts (local
# connection, the seed's role and template, dests in a temporary
# directory) and, where Ansible is installed,
# `ansible-playbook --check --diff` on the same 10- and 50-host repositories,
# then prints a Markdown table with the ratios (README.md, "Performance").
#
#   bench/run.sh                      # the defaults
#   bench/run.sh -runs 11 -ansible-sizes ""   # straylight only
#   BASELINE=<git revision> bench/run.sh  # and that revision's straylight,
#                                         # side by side in the same run
#
# Ansible is timed with the ansible-playbook on PATH (Debian's ansible-core
# 2.14 here) and, when .ci/venvs has made it, the newest ansible-core pip
# installs (2.19 or later, what most operators now run), a column each;
# -ansible BIN[,BIN] names others.
#
# Ansible takes about 16 s (10 hosts) and 65 s (50 hosts) on a 2-core machine.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# The release build: static (CGO_ENABLED=0, README "Install"), as both
# straylight and the baseline are built here.
CGO_ENABLED=0 go build -o "$tmp/straylight" .
go build -o "$tmp/bench" ./bench
if [ -n "${BASELINE:-}" ]; then
	mkdir "$tmp/baseline"
	git archive "$BASELINE" | tar -x -C "$tmp/baseline"
	(cd "$tmp/baseline" && CGO_ENABLED=0 go build -o "$tmp/straylight-baseline" .)
	set -- -baseline "$tmp/straylight-baseline" "$@"
fi
newest="${XDG_CACHE_HOME:-$HOME/.cache}/straylight/venv-ansible-core/bin/ansible-playbook"
if [ -x "$newest" ]; then
	set -- -ansible "ansible-playbook,$newest" "$@"
fi
"$tmp/bench" -straylight "$tmp/straylight" "$@"
