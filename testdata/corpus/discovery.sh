#!/bin/bash
# Issue 11's measure on the corpus of docs/real-repositories.md: straylight
# --check --json on every repository that deploys a server (16 of 17; alta3
# declares none), with the stand-ins of this folder, then
# discovery-summary.py compares the backends, proxies and routes discovered
# with the ones found by hand (expected.json): found / by hand per
# repository and in total, and what was not found.
#
# Needs: the snapshots under $MIRRORS (see runs.sh) and a straylight binary
# ($STRAYLIGHT, default: built from this checkout). Scratch copies go to
# $WORK (stand-in files are copied into them, never into the snapshots);
# --check writes nothing and no probe reaches a host (the stand-ins are
# local-connection hosts; a live probe would only try loopback).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
MIRRORS=${MIRRORS:-/work/.mirror}
WORK=${WORK:-/tmp/corpus-discovery}
OUT_DIR=${OUT_DIR:-/tmp/corpus-discovery-runs}
STRAYLIGHT=${STRAYLIGHT:-$WORK/straylight}
mkdir -p "$WORK" "$OUT_DIR"
if [ ! -x "$STRAYLIGHT" ]; then
	(cd "$HERE/../.." && go build -o "$STRAYLIGHT" .) || exit 2
fi

copy() {
	local dir=$WORK/${1#*+}
	rm -rf "$dir" && mkdir -p "$dir"
	git -C "$MIRRORS/$1/repo" archive "$2" | tar -x -C "$dir"
}

# run NAME PLAYBOOKS [args]: straylight --check --json in the copy, with
# the stand-in inventory unless the args name one. PLAYBOOKS may hold
# several, space separated.
run() {
	local name=$1 playbooks=$2
	shift 2
	local inv=(-i "$HERE/$name/standin.ini")
	case " $* " in *" -i "*) inv=() ;; esac
	# shellcheck disable=SC2086 # playbooks is a list
	(cd "$WORK/$name" && timeout 300 "$STRAYLIGHT" -C . --check --json "${inv[@]}" "$@" $playbooks \
		>"$OUT_DIR/$name.json" 2>"$OUT_DIR/$name.err")
	echo "$name: exit $?" >&2
}

copy CyVerse-Ansible+ansible-vllm 491796d450b435b02aec4f0e313304468b79dae6
ANSIBLE_ROLES_PATH=$WORK run ansible-vllm tests/test.yml -e @"$HERE/ansible-vllm/standin-vars.yml"
copy wmeints+blackwell-vllm-playbook 8687b8314ad07a5db50a933251c2df20943aed0f
run blackwell-vllm-playbook playbook.yml
copy louislepage+vllm-openwebui-deployment af63a1b3aa47e1b696fe28795877718d6e16f876
cp "$HERE/vllm-openwebui-deployment/vars_secret.yml" "$WORK/vllm-openwebui-deployment/vars/vars_secret.yml"
run vllm-openwebui-deployment playbooks/start-vllm.yml
copy k8soneill+vllm-machine-setup b0866749e5c8dc4d976c3d0219994d1e21589caf
run vllm-machine-setup playbook.yml
copy devjoe+dgx-ansible f769962fd0898939cfcb713e7a2bc260cfbc3762
run dgx-ansible site.yml -e @"$HERE/dgx-ansible/standin-vars.yml"
copy githubixx+ansible-collection-ai 5abc571bbdfa79ea27d22058f733a245382b115d
cp "$HERE/ansible-collection-ai/standin-play.yml" "$WORK/ansible-collection-ai/"
ANSIBLE_ROLES_PATH=$WORK/ansible-collection-ai/roles run ansible-collection-ai standin-play.yml
copy dryvist+ansible-proxmox-ai 3950876d4c50bbe0fdc0079f1d846b72c3b0a00c
cp "$HERE/ansible-proxmox-ai/standin.yml" "$WORK/ansible-proxmox-ai/inventory/standin.yml"
run ansible-proxmox-ai playbooks/site.yml -i inventory/standin.yml -e @"$HERE/ansible-proxmox-ai/standin-vars.yml"
copy jedmund+homelab c1e5e7dc524ec769ece5a1cf34dcb3bd29afaa0e
ANSIBLE_VAULT_PASSWORD_FILE=$HERE/homelab/standin-vault-pass run homelab "deploy/ai.yml deploy/sglang.yml deploy/vllm.yml"
copy lucky-sideburn+litellm-lab c5dfdd4215abbceed01f28dea68f4c5ea0855c5f
run litellm-lab playbooks/site.yml -e @inventories/dev/group_vars/all.yml
copy Innovate-Lab+ansible-litellm-proxy 3a5c3e4bfe503f1c6755da82b7e67153de53c6be
run ansible-litellm-proxy playbooks/site.yml --tags litellm -e @"$HERE/ansible-litellm-proxy/standin-vars.yml"
copy rewse+ansible-playbooks e13e69eb162d0fe4c67c618f578fa7ebd17c3c98
run ansible-playbooks singleton_int1.yml --tags litellm_litellm_init,litellm_litellm_config
copy vpatel9202+ChimerAI 97a61e2a5ea474c244746a149ad038b969f644b9
run ChimerAI chimerai.yml -i inventories/examples/single-server.yml --tags ollama,litellm -e @"$HERE/ChimerAI/standin-vars.yml"
copy leberkaslabs+ansible-ollama-deployment 619365ac508a6c7f417358e2ec931f95c1f147a4
run ansible-ollama-deployment "ollama.yml ollama_models.yml" -e @"$HERE/ansible-ollama-deployment/standin-vars.yml"
copy toshikimiyagawa+llm-homelab 11b4ef60ba34f00cc58b4862642c85245f9b41ab
run llm-homelab playbooks/20-ollama.yml
copy michaelckearney+dgx-spark dc7337a8d1eb634bff4fbb56ab0b133e15312788
run dgx-spark ansible/playbook.yml
copy cradle8810+ansible_hayaworld 4d23c9b763c8fb291ea9c2b451fb4f8f2b7fdcd6
mkdir -p "$WORK/ansible_hayaworld/standin"
cp "$HERE/ansible_hayaworld/standin-play.yml" "$WORK/ansible_hayaworld/standin/"
ANSIBLE_ROLES_PATH=$WORK/ansible_hayaworld/roles run ansible_hayaworld standin/standin-play.yml

python3 "$HERE/discovery-summary.py" "$HERE/expected.json" "$OUT_DIR"
