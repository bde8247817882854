// Package doctor is straylight's conformance run against real hosts
// (`straylight --doctor`): before the first deploy, it checks step by step
// that a host does what straylight relies on — the transport connects and
// authenticates, PowerShell is the expected version, 1 MB streams through
// stdin, a write/read/hash/backup round trip works in a scratch directory
// that is then removed, exit codes and stderr survive, nvidia-smi and docker
// answer for this user, the backend serves its model and its metrics, and
// the proxy answers with its key and its routes' upstreams serve what the
// routes name.
//
// Every step calls the same code the engine uses (remote.Transport's
// methods, remote/api's clients), never a copy, so a step that passes here
// is the engine's path passing. Each step reports pass, fail or skip, how
// long it took, and on failure the likely cause and the fix. Nothing on the
// host changes outside the scratch directory, which is removed at the end
// even when a step fails.
//
// A host without a Backend is not a GPU host: its nvidia-smi and docker
// steps skip. A host whose connection no transport serves (Input.TransportErr)
// fails its connect step with the reason.
//
// The package imports only remote/...; fleet.Session.Doctor builds the
// Inputs from the repository (the engine's transports, each GPU host's vLLM,
// the proxy with its key and routes) for the CLI's --doctor.
package doctor
