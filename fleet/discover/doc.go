// Package discover finds the serving system a repository describes: the
// vLLM backends and the LiteLLM proxy with its routes.
//
// It takes in an opened repository (fleet/ansible): each host's templated
// variables (its vllm mapping; the litellm mapping of the proxy) and the
// proxy's rendered files (the LiteLLM config with a model_list). It gives
// out a Fleet: the GPU hosts with what they are configured to serve, where
// and under which container, the proxy with its address, master key and
// routes, and every host's connection. HostForAPIBase and RouteHosts tie a
// route's api_base to the backend that serves it.
//
// It reads; it neither plans, reaches hosts nor applies anything.
package discover
