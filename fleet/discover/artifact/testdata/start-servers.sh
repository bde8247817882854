#!/usr/bin/env bash
set -euo pipefail
# vLLM in a container, key from the environment
docker run -d --name vllm-llama --gpus all --ipc=host \
  -p 8003:8000 \
  -e VLLM_API_KEY \
  -v /srv/hf:/root/.cache/huggingface \
  vllm/vllm-openai:latest \
  --model meta-llama/Llama-3.1-8B-Instruct --max-model-len 8192

# llama.cpp natively, no --port: default applies
nohup ./llama-server -m /models/mistral-7b.Q4_K_M.gguf --alias mistral -c 4096 > /var/log/llama.log 2>&1 &

CUDA_VISIBLE_DEVICES=1 exec python3 -u -m sglang.launch_server --model-path "Qwen/Qwen2.5-1.5B" --served-model-name 'small qwen' --api-key "$SGLANG_KEY"
