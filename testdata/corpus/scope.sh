#!/bin/bash
# Make the "serving path" copies that docs/real-repositories.md counts
# features on: for the large repositories only the playbooks and roles that
# deploy the inference servers, for the small ones everything. Reads the
# scratch copies in $WORK (runs.sh or `git archive` makes them), writes
# $SCOPE, then prints survey.py --matrix.
set -eu
WORK=${WORK:-/tmp/corpus}
SCOPE=${SCOPE:-/tmp/corpus-scope}
HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf "$SCOPE" && mkdir -p "$SCOPE"
scope() {
	local name=$1
	shift
	for p in "$@"; do
		mkdir -p "$SCOPE/$name/$(dirname "$p")"
		cp -r "$WORK/$name/$p" "$SCOPE/$name/$p"
	done
}
scope ansible-proxmox-ai playbooks/llm-serving.yml roles/vllm roles/llama_cpp roles/llm_router roles/ollama
scope homelab deploy/ai.yml deploy/sglang.yml deploy/vllm.yml roles/ai roles/sglang roles/vllm roles/gpu_tools
scope ansible-playbooks singleton_int1.yml roles/litellm roles/docker
scope ansible_hayaworld llama.yml roles/ollama
scope ChimerAI chimerai.yml roles/ollama roles/litellm
scope ansible-litellm-proxy playbooks roles/litellm roles/common roles/ssl
scope vllm-machine-setup playbook.yml roles/vllm
scope ansible-collection-ai roles/vllm roles/ollama roles/llama
scope llm-homelab playbooks/20-ollama.yml roles/ollama
scope llm-the-alta3-way ansible/default.yml ansible/roles/llama.cpp ansible/roles/webui
for name in ansible-vllm blackwell-vllm-playbook vllm-openwebui-deployment dgx-ansible litellm-lab ansible-ollama-deployment dgx-spark; do
	cp -r "$WORK/$name" "$SCOPE/$name"
done
cd "$SCOPE"
/usr/bin/python3 "$HERE/survey.py" --matrix * | sort -rn
