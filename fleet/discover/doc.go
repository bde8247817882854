// Package discover finds the serving system a repository describes: the
// model servers and the proxies with their routes.
//
// It takes in an opened repository (fleet/ansible). Three sources, merged:
//
//   - the seed's variables: a host's vllm mapping (GPU), the proxy's
//     litellm mapping with the LiteLLM config among its rendered files;
//   - every host's rendered files (ansible.Repo.DiscoveryFiles: every
//     template and copy task, those straylight leaves to Ansible included,
//     inside blocks, imported and included roles and task files, and once
//     per item of a loop over a list the repository holds),
//     each read by fleet/discover/artifact: compose files, systemd units,
//     docker run lines and scripts, vLLM/SGLang --config YAML, llama-swap
//     and LiteLLM configs. A server a vllm mapping already describes (same
//     host and port) is not repeated; a server's --config file is folded
//     into the line that loads it; API-key references ($NAME,
//     os.environ/NAME) are resolved from the host's variables;
//   - the tasks that start a server without a rendered file
//     (ansible.Repo.DiscoveryTasks' ModuleTasks, read whatever their
//     conditions, tasks.go): docker_container and podman_container tasks
//     (artifact.RecognizeContainer, the task's file:line as source),
//     kubernetes.core.k8s with an inline definition, a src or a template,
//     and compose files used in place — a `docker compose -f FILE up`
//     command or docker_compose_v2 whose file no task renders is read
//     from the repository at the same path (a folder and the file name at
//     least), as for a checkout on the host. A systemd drop-in over a unit
//     the repository renders too is folded into that unit's server, a
//     llama-swap launch line into the llama-swap of its config (its port),
//     and the models an `ollama pull` command task pulls become the served
//     names of the Ollama it pulls into (ollamapull.go);
//   - straylight.yml's backends: and proxies: entries, templated per host,
//     for what the files do not show (mapping.go).
//
// It gives out a Fleet: the GPU hosts (vllm mapping), the discovered
// Backends (kind, address and port, served names, container or unit,
// source file:line and the template behind it, API key — a secret never
// printed — with the reference it came from), the proxy and the discovered
// Proxies with their routes (each with its source line), the files that
// could not be read (Problems), and every host's connection. Serving lists
// every server a route can point at; HostForAPIBase (HostIndex for many
// routes at once) and RouteHosts tie a route's api_base to it; Label names
// a server uniquely (host, or host:port when a host runs several).
//
// DeployedServer pairs one of the repository's servers with the file
// that starts it (same kind and port among the rendered findings) and reads
// the host's version of that file (deployed.go): the server as deployed,
// what the repository would change in what it serves, or why that is not
// known. RecognizeFile runs the recognisers on any content (the plan gives
// it the host's bytes, then drops them).
//
// It reads; it neither plans, reaches hosts nor applies anything.
package discover
