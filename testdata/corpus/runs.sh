#!/bin/bash
# Every check-mode run recorded in docs/real-repositories.md, in order.
#
# Needs: the repositories' snapshots under $MIRRORS (the search tool's
# `fetch` puts them at /work/.mirror/<owner>+<name>/repo), Debian's
# ansible-playbook, and for the docker_compose_v2 runs a community.docker
# >= 3.6 in $NEWER_DOCKER (see README.md). Scratch copies go to $WORK,
# json results to $OUT_DIR; nothing is written into the snapshots and,
# apart from the redirected ansible-ollama-deployment runs (under
# $SCRATCH_ROOT), check mode writes nothing on this machine.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
MIRRORS=${MIRRORS:-/work/.mirror}
WORK=${WORK:-/tmp/corpus}
export OUT_DIR=${OUT_DIR:-/tmp/corpus-runs}
NEWER_DOCKER=${NEWER_DOCKER:-/tmp/corpus-ansible9/coll}
SCRATCH_ROOT=/tmp/corpus-root/ansible-ollama-deployment
BUNDLE=/usr/share/ansible/collections:/usr/lib/python3/dist-packages

# copy OWNER+NAME COMMIT: a fresh scratch copy of that commit at $WORK/NAME
copy() {
	local dir=$WORK/${1#*+}
	rm -rf "$dir" && mkdir -p "$dir"
	git -C "$MIRRORS/$1/repo" archive "$2" | tar -x -C "$dir"
	echo "$dir"
}

# run NAME LABEL PLAYBOOK [args]: check.sh on $WORK/NAME with stand-in NAME
run() {
	local name=$1 label=$2 playbook=$3
	shift 3
	echo "### $name: $label"
	OUT_DIR=$OUT_DIR/$label "$HERE/check.sh" "$WORK/$name" "$HERE/$name" "$playbook" "$@"
}

newer_docker() { export ANSIBLE_COLLECTIONS_PATH=$NEWER_DOCKER:$BUNDLE; }
bundle_only() { unset ANSIBLE_COLLECTIONS_PATH; }

bundle_only
copy wmeints+blackwell-vllm-playbook 8687b8314ad07a5db50a933251c2df20943aed0f >/dev/null
run blackwell-vllm-playbook blackwell playbook.yml

copy devjoe+dgx-ansible f769962fd0898939cfcb713e7a2bc260cfbc3762 >/dev/null
run dgx-ansible dgx-1 site.yml
run dgx-ansible dgx-2 site.yml --start-at-task "vllm : Ensure vLLM workdir exists" -e @"$HERE/dgx-ansible/standin-vars.yml"

copy leberkaslabs+ansible-ollama-deployment 619365ac508a6c7f417358e2ec931f95c1f147a4 >/dev/null
rm -rf "$SCRATCH_ROOT"
V=(-e @"$HERE/ansible-ollama-deployment/standin-vars.yml")
run ansible-ollama-deployment ollama-1 ollama.yml
run ansible-ollama-deployment ollama-2-redirected ollama.yml "${V[@]}"
/usr/bin/python3 "$HERE/prerender.py" "$OUT_DIR/ollama-2-redirected/ansible-ollama-deployment.json" "$SCRATCH_ROOT"
run ansible-ollama-deployment ollama-3-prerendered ollama.yml "${V[@]}"
run ansible-ollama-deployment ollama-4-image-drift ollama.yml "${V[@]}" -e ollama_docker_image=ollama/ollama:0.5.0
chmod 0644 "$SCRATCH_ROOT/opt/ollama/compose.override.yaml"
run ansible-ollama-deployment ollama-5-mode-drift ollama.yml "${V[@]}"
chmod 0640 "$SCRATCH_ROOT/opt/ollama/compose.override.yaml"
run ansible-ollama-deployment ollama-models ollama_models.yml

copy lucky-sideburn+litellm-lab c5dfdd4215abbceed01f28dea68f4c5ea0855c5f >/dev/null
G=(-e @inventories/dev/group_vars/all.yml)
run litellm-lab litellm-lab-1 playbooks/site.yml "${G[@]}"
run litellm-lab litellm-lab-2 playbooks/site.yml "${G[@]}" --start-at-task "litellm : Ensure LiteLLM config dir exists"
run litellm-lab litellm-lab-3 playbooks/transports_shell.yml "${G[@]}"

copy CyVerse-Ansible+ansible-vllm 491796d450b435b02aec4f0e313304468b79dae6 >/dev/null
ANSIBLE_ROLES_PATH=$WORK run ansible-vllm ansible-vllm-1 tests/test.yml
ANSIBLE_ROLES_PATH=$WORK run ansible-vllm ansible-vllm-2 tests/test.yml -e @"$HERE/ansible-vllm/standin-vars.yml"

copy jedmund+homelab c1e5e7dc524ec769ece5a1cf34dcb3bd29afaa0e >/dev/null
export ANSIBLE_VAULT_PASSWORD_FILE=$HERE/homelab/standin-vault-pass
run homelab homelab-sglang deploy/sglang.yml
run homelab homelab-vllm deploy/vllm.yml
run homelab homelab-ai-bundle deploy/ai.yml
newer_docker
run homelab homelab-ai deploy/ai.yml
unset ANSIBLE_VAULT_PASSWORD_FILE

copy louislepage+vllm-openwebui-deployment af63a1b3aa47e1b696fe28795877718d6e16f876 >/dev/null
run vllm-openwebui-deployment openwebui-1 playbooks/start-vllm.yml
cp "$HERE/vllm-openwebui-deployment/vars_secret.yml" "$WORK/vllm-openwebui-deployment/vars/vars_secret.yml"
run vllm-openwebui-deployment openwebui-2 playbooks/start-vllm.yml

bundle_only
copy toshikimiyagawa+llm-homelab 11b4ef60ba34f00cc58b4862642c85245f9b41ab >/dev/null
run llm-homelab llm-homelab-1 playbooks/20-ollama.yml
run llm-homelab llm-homelab-2 playbooks/20-ollama.yml --start-at-task "ollama : Create ollama system group"

copy githubixx+ansible-collection-ai 5abc571bbdfa79ea27d22058f733a245382b115d >/dev/null
export ANSIBLE_ROLES_PATH=$WORK/ansible-collection-ai/roles
for role in vllm ollama llama; do
	run ansible-collection-ai "collection-$role" "roles/$role/molecule/default/converge.yml"
done
cp "$HERE/ansible-collection-ai/standin-play.yml" "$WORK/ansible-collection-ai/"
run ansible-collection-ai collection-standin standin-play.yml --start-at-task "Validate vLLM configuration"
unset ANSIBLE_ROLES_PATH

newer_docker
copy vpatel9202+ChimerAI 97a61e2a5ea474c244746a149ad038b969f644b9 >/dev/null
I=(-i inventories/examples/single-server.yml --tags ollama,litellm)
run ChimerAI chimerai-1 chimerai.yml "${I[@]}"
run ChimerAI chimerai-2 chimerai.yml "${I[@]}" -e @"$HERE/ChimerAI/standin-vars.yml"

copy rewse+ansible-playbooks e13e69eb162d0fe4c67c618f578fa7ebd17c3c98 >/dev/null
run ansible-playbooks rewse singleton_int1.yml --tags litellm_litellm_init,litellm_litellm_config

copy Innovate-Lab+ansible-litellm-proxy 3a5c3e4bfe503f1c6755da82b7e67153de53c6be >/dev/null
run ansible-litellm-proxy innovate-1 playbooks/site.yml --tags litellm
run ansible-litellm-proxy innovate-2 playbooks/site.yml --tags litellm -i inventories/production/hosts.yml
