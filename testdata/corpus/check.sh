#!/bin/bash
# Run real ansible-playbook in --check --diff mode on a copy of a surveyed
# repository with one of our stand-in inventories, and summarise each task.
# Usage: check.sh REPO_COPY_DIR STANDIN_DIR PLAYBOOK [extra ansible-playbook args]
# The copy is made by the caller (git archive of the recorded commit); this
# script never writes into it. Output: $OUT_DIR (default /tmp/corpus-runs).
set -u
repo=$1 standin=$2 playbook=$3
shift 3
out=${OUT_DIR:-/tmp/corpus-runs}
mkdir -p "$out"
name=$(basename "$standin")
cd "$repo" || exit 2
ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_NOCOLOR=1 timeout 600 \
  ansible-playbook --check --diff -i "$standin/standin.ini" "$playbook" "$@" \
  >"$out/$name.json" 2>"$out/$name.err"
echo "rc=$?"
/usr/bin/python3 "$(dirname "$0")/summarize.py" "$out/$name.json" 2>/dev/null || head -3 "$out/$name.err"
