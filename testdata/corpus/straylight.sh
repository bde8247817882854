#!/bin/bash
# straylight --check on the 12 stand-in runs of docs/real-repositories.md
# (one run per repository: the most complete of runs.sh's), summarised by
# straylight-summary.py: hosts planned, file tasks planned natively (by
# module), handlers, and every unsupported task grouped by reason.
#
# With COMPARE=1 (the default), each run is followed by ansible-playbook
# --check --diff with the same arguments, and filestatus.py compares the
# changed/ok status of every file task.
#
# Needs: the snapshots under $MIRRORS (as runs.sh) and a straylight binary
# ($STRAYLIGHT, default: built from this checkout). Scratch copies go to
# $WORK; nothing is written into the snapshots, and --check writes nothing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
MIRRORS=${MIRRORS:-/work/.mirror}
WORK=${WORK:-/tmp/corpus-straylight}
OUT_DIR=${OUT_DIR:-/tmp/corpus-straylight-runs}
STRAYLIGHT=${STRAYLIGHT:-$WORK/straylight}
COMPARE=${COMPARE:-1}
# As runs.sh: the delegated runs of the docker_compose_v2 repositories need
# a community.docker >= 3.6 (README.md); Debian's bundle lacks the module.
NEWER_DOCKER=${NEWER_DOCKER:-/tmp/corpus-ansible9/coll}
BUNDLE=/usr/share/ansible/collections:/usr/lib/python3/dist-packages
mkdir -p "$WORK" "$OUT_DIR"
if [ ! -x "$STRAYLIGHT" ]; then
	(cd "$HERE/../.." && go build -o "$STRAYLIGHT" .) || exit 2
fi

copy() {
	local dir=$WORK/${1#*+}
	rm -rf "$dir" && mkdir -p "$dir"
	git -C "$MIRRORS/$1/repo" archive "$2" | tar -x -C "$dir"
	echo "$dir"
}

# run NAME PLAYBOOK [args]: straylight --check --json in the copy, with the
# stand-in inventory unless the args name one.
run() {
	local name=$1 playbook=$2
	shift 2
	local inv=(-i "$HERE/$name/standin.ini")
	case " $* " in *" -i "*) inv=() ;; esac
	(cd "$WORK/$name" && timeout 300 "$STRAYLIGHT" -C . --check --json "${inv[@]}" "$@" "$playbook" \
		>"$OUT_DIR/$name.json" 2>"$OUT_DIR/$name.err")
	echo "### $name ($playbook $*): exit $?"
	python3 "$HERE/straylight-summary.py" "$OUT_DIR/$name.json" || head -5 "$OUT_DIR/$name.err"
	[ "$COMPARE" = 1 ] || return 0
	(cd "$WORK/$name" && ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_NOCOLOR=1 timeout 600 \
		ansible-playbook --check --diff "${inv[@]}" "$@" "$playbook" \
		>"$OUT_DIR/$name.ansible.json" 2>"$OUT_DIR/$name.ansible.err")
	echo "  ansible-playbook --check --diff, same arguments: exit $?; file tasks, straylight against Ansible:"
	python3 "$HERE/filestatus.py" "$OUT_DIR/$name.json" "$OUT_DIR/$name.ansible.json" "$WORK/$name"
}

# compare_from NAME LABEL TASK PLAYBOOK [args]: where Ansible's check run stopped on a
# task that fails in check mode (no systemd as PID 1, no network), a second
# run --start-at-task TASK compares the file tasks after it.
compare_from() {
	local name=$1 label=$2 task=$3 playbook=$4
	shift 4
	[ "$COMPARE" = 1 ] || return 0
	local inv=(-i "$HERE/$name/standin.ini")
	(cd "$WORK/$name" && ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_NOCOLOR=1 timeout 600 \
		ansible-playbook --check --diff "${inv[@]}" "$@" --start-at-task "$task" "$playbook" \
		>"$OUT_DIR/$name.$label.ansible.json" 2>"$OUT_DIR/$name.$label.ansible.err")
	echo "  ansible-playbook --check --diff --start-at-task '$task': exit $?; file tasks, straylight against Ansible:"
	python3 "$HERE/filestatus.py" "$OUT_DIR/$name.json" "$OUT_DIR/$name.$label.ansible.json" "$WORK/$name" | grep -v "^  not reached"
}

copy wmeints+blackwell-vllm-playbook 8687b8314ad07a5db50a933251c2df20943aed0f >/dev/null
run blackwell-vllm-playbook playbook.yml
copy devjoe+dgx-ansible f769962fd0898939cfcb713e7a2bc260cfbc3762 >/dev/null
run dgx-ansible site.yml -e @"$HERE/dgx-ansible/standin-vars.yml"
compare_from dgx-ansible workdir "ollama : Populate human-facing workspace" site.yml -e @"$HERE/dgx-ansible/standin-vars.yml"
compare_from dgx-ansible vllm "vllm : Ensure vLLM workdir exists" site.yml -e @"$HERE/dgx-ansible/standin-vars.yml"
copy leberkaslabs+ansible-ollama-deployment 619365ac508a6c7f417358e2ec931f95c1f147a4 >/dev/null
run ansible-ollama-deployment ollama.yml -e @"$HERE/ansible-ollama-deployment/standin-vars.yml"
copy lucky-sideburn+litellm-lab c5dfdd4215abbceed01f28dea68f4c5ea0855c5f >/dev/null
run litellm-lab playbooks/site.yml -e @inventories/dev/group_vars/all.yml
copy CyVerse-Ansible+ansible-vllm 491796d450b435b02aec4f0e313304468b79dae6 >/dev/null
ANSIBLE_ROLES_PATH=$WORK run ansible-vllm tests/test.yml -e @"$HERE/ansible-vllm/standin-vars.yml"
copy jedmund+homelab c1e5e7dc524ec769ece5a1cf34dcb3bd29afaa0e >/dev/null
ANSIBLE_COLLECTIONS_PATH=$NEWER_DOCKER:$BUNDLE ANSIBLE_VAULT_PASSWORD_FILE=$HERE/homelab/standin-vault-pass run homelab deploy/ai.yml
copy louislepage+vllm-openwebui-deployment af63a1b3aa47e1b696fe28795877718d6e16f876 >/dev/null
cp "$HERE/vllm-openwebui-deployment/vars_secret.yml" "$WORK/vllm-openwebui-deployment/vars/vars_secret.yml"
ANSIBLE_COLLECTIONS_PATH=$NEWER_DOCKER:$BUNDLE run vllm-openwebui-deployment playbooks/start-vllm.yml
copy toshikimiyagawa+llm-homelab 11b4ef60ba34f00cc58b4862642c85245f9b41ab >/dev/null
run llm-homelab playbooks/20-ollama.yml
compare_from llm-homelab group "ollama : Create ollama system group" playbooks/20-ollama.yml
copy githubixx+ansible-collection-ai 5abc571bbdfa79ea27d22058f733a245382b115d >/dev/null
cp "$HERE/ansible-collection-ai/standin-play.yml" "$WORK/ansible-collection-ai/"
ANSIBLE_ROLES_PATH=$WORK/ansible-collection-ai/roles run ansible-collection-ai standin-play.yml
copy vpatel9202+ChimerAI 97a61e2a5ea474c244746a149ad038b969f644b9 >/dev/null
ANSIBLE_COLLECTIONS_PATH=$NEWER_DOCKER:$BUNDLE run ChimerAI chimerai.yml -i inventories/examples/single-server.yml --tags ollama,litellm -e @"$HERE/ChimerAI/standin-vars.yml"
copy rewse+ansible-playbooks e13e69eb162d0fe4c67c618f578fa7ebd17c3c98 >/dev/null
ANSIBLE_COLLECTIONS_PATH=$NEWER_DOCKER:$BUNDLE run ansible-playbooks singleton_int1.yml --tags litellm_litellm_init,litellm_litellm_config
copy Innovate-Lab+ansible-litellm-proxy 3a5c3e4bfe503f1c6755da82b7e67153de53c6be >/dev/null
ANSIBLE_COLLECTIONS_PATH=$NEWER_DOCKER:$BUNDLE run ansible-litellm-proxy playbooks/site.yml --tags litellm -e @"$HERE/ansible-litellm-proxy/standin-vars.yml"
