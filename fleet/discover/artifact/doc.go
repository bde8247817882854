// Package artifact recognises model servers and proxies in the files a
// deployment renders: compose files, systemd units (and Ollama drop-ins),
// shell scripts with `docker run` or native launch lines, Kubernetes
// workload manifests, vLLM and SGLang `--config` YAML, llama-swap configs
// and LiteLLM proxy configs; RecognizeContainer reads a container task's
// settings (ContainerSpec) the same way. It is pure: it reads bytes it is
// given and never touches the network or the file system.
//
// Recognize(path, content) is the one entry point. It returns Findings:
// Backends (kind, port, published host port, model, served names, API-key
// reference, container or unit, config file to read next) and Proxies
// (LiteLLM or llama-swap, with their Routes), each with the file and 1-based
// line it came from. Keys are never held: a Secret keeps a reference such as
// "os.environ/NAME", "$NAME", "env NAME", "file PATH" or "literal
// (redacted)". A reference counts only where something resolves it:
// os.environ/NAME in a LiteLLM config, $NAME in a command line; elsewhere
// (a server's --config file) it is the literal key and a note says so. YAML
// aliases and merge keys (<<: *anchor) are followed. A YAML file that does not parse, or whose known keys have the
// wrong shape, is an error naming file, line and key, and yields nothing; an
// unrelated file yields empty Findings. SplitCommands is the shell-word
// splitter behind every command line (quotes, escapes, continuations,
// comments, ; & | separators; nothing is expanded).
//
// Facts used, and where they were read (repository @ commit : file):
//
//   - vLLM: `vllm serve MODEL` takes the model positionally (or --model);
//     `python -m vllm.entrypoints.openai.api_server --model`; --port defaults
//     to 8000 (vllm/entrypoints/openai/cli_args.py, FrontendArgs.port);
//     --served-model-name takes several names and without it the model is
//     served under its path (vllm-project/vllm#2894); --api-key or env
//     VLLM_API_KEY guard /v1/*; --config FILE is YAML whose keys are the long
//     option names, command line first (vllm-project/vllm @ 2cda47d8 :
//     docs/configuration/serve_args.md). The vllm/vllm-openai image's
//     ENTRYPOINT is ["vllm", "serve"], so a compose command: or the words
//     after the image in `docker run` are its arguments. VLLM_PORT is not the
//     HTTP port but an internal one (docs/configuration/env_vars.md) and is
//     ignored.
//   - SGLang: `python -m sglang.launch_server --model-path|--model`, --port
//     30000, --host 127.0.0.1, --served-model-name (one name, default the
//     model path), --api-key, --config YAML with the same keys
//     (sgl-project/sglang @ 004813e1 : docs/advanced_features/server_arguments.md).
//     Its image (lmsysorg/sglang) has no entrypoint: the command is the
//     whole launch line.
//   - llama.cpp: `llama-server -m|--model FNAME` (env LLAMA_ARG_MODEL) or
//     -hf REPO; -a/--alias takes comma-separated names (LLAMA_ARG_ALIAS);
//     --port (LLAMA_ARG_PORT); --api-key (LLAMA_API_KEY), --api-key-file
//     (ggml-org/llama.cpp @ 00dc8057 : tools/server/README.md). The default
//     port was 8080 and becomes 9931 (notice in ggml-org/llama.cpp#26508;
//     the README at 00dc8057 already says 9931): a defaulted port is reported
//     as 8080 with a note. The server image's ENTRYPOINT is
//     /app/llama-server with LLAMA_ARG_HOST=0.0.0.0 (ggml-org/llama.cpp @
//     00d69466 : .devops/cuda.Dockerfile).
//     llama.app's `llama serve` takes llama-server's arguments and
//     LLAMA_ARG_* variables (githubixx/ansible-collection-ai @ 5abc571b :
//     roles/llama/README.md); in router mode it has no model.
//   - Ollama: `ollama serve`; OLLAMA_HOST sets the address, default
//     127.0.0.1:11434, a scheme without a port means 80 or 443
//     (ollama/ollama @ fb307609 : envconfig/config.go, Host); the image sets
//     OLLAMA_HOST=0.0.0.0:11434, ENTRYPOINT /bin/ollama, CMD serve (Dockerfile).
//   - TGI: text-generation-launcher --model-id (env MODEL_ID, default
//     bigscience/bloom-560m), -p/--port (env PORT) default 3000, --api-key
//     (env API_KEY) (huggingface/text-generation-inference @ db931fcf :
//     launcher/src/main.rs); its image sets PORT=80 and runs the launcher
//     through its entrypoint script (Dockerfile).
//   - llama-swap: models: maps a model id to cmd (required; comment lines
//     allowed), proxy (default http://localhost:${PORT}), aliases,
//     useModelName, env, macros; ${PORT} is assigned at load time from
//     startPort (default 5800); ${MODEL_ID} is the model's key
//     (mostlygeek/llama-swap @ 0bdb3720 : config.example.yaml). Its own
//     launch line takes -config FILE and -listen [host]:port, default :8080
//     (llama-swap.go); its image runs /app/llama-swap -config
//     /app/config.yaml (docker/llama-swap.Containerfile). A launch is a
//     Backend of kind llama-swap with that port and ConfigFile.
//   - the seed's config.yml: a top-level vllm: mapping with model,
//     served_model_name, port, ... which
//     examples/homelab/roles/windows-vllm-deploy/files/Start-VLLM.ps1
//     (Get-VllmArguments) passes to vLLM as --model, --served-model-name,
//     --port (each key the long option with _ for -); container_name names
//     its container.
//   - LiteLLM: model_list entries (model_name → litellm_params.model,
//     api_base, api_key, "os.environ/NAME" for environment references),
//     router_settings, litellm_settings, general_settings.master_key
//     (BerriAI/litellm docs: proxy/configs.md).
//   - Kubernetes: a workload's pod spec (Pod, Deployment, StatefulSet,
//     DaemonSet, ReplicaSet, Job, CronJob) lists containers whose command
//     replaces the image's ENTRYPOINT and args its CMD; env is name/value
//     pairs (valueFrom is the cluster's to resolve), ports containerPort
//     (Kubernetes API reference, Container). The port reported is the
//     pod's; a Service in front of it is not read.
//   - systemd drop-ins: UNIT.service.d/*.conf changes UNIT.service, whose
//     ExecStart stays the unit's; Ollama's installer writes ollama.service
//     with ExecStart=$BINDIR/ollama serve (ollama/ollama @ fb307609 :
//     scripts/install.sh), so a drop-in over it, or one that sets
//     OLLAMA_HOST, is that server (DropIn; fleet/discover folds it into
//     the unit when the repository renders the unit too).
//   - vLLM launcher images: an image whose repository is named vllm or
//     vllm-openai, with its entrypoint replaced by a script of the image,
//     runs vLLM with what the script reads from the environment: the port
//     from PORT, the served name from SERVED_MODEL_NAME (a note says so).
//   - An ExecStart whose last word has the next directive run into it
//     ("serveRestart=always": a template line ending in a Jinja block tag,
//     whose newline trim_blocks removes) starts no server: Findings.Problems
//     says so when the words before it would.
//
// Not handled: shell expansion ($(...), variables, heredocs), Dockerfile
// CMD/ENTRYPOINT lines, Kubernetes Services, the LiteLLM CLI's --port, and
// argparse prefix abbreviations (--served-model for --served-model-name).
package artifact
