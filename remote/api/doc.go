// Package api holds straylight's HTTP clients for vLLM's OpenAI-compatible
// server and for the LiteLLM proxy in front of it: model lists, health,
// Prometheus metrics, the streaming route test and the decoding of every error
// shape those servers produce. It is written from the byte fixtures in
// the repository's top-level testdata/wire (see NOTES.md there for the pitfalls it handles) and
// shares no code with the simulated lab in remote/sim.
//
// Entry points: NewVLLM (Models, Health, HealthDialFirst, Version, Metrics,
// Probe), NewLiteLLM
// (Liveliness, Readiness, Models, ModelInfo, Health), StreamChat (the route
// test), DecodeError (every error body into an *APIError with a Kind),
// ParseMetrics, TokenRate and SSEReader.
package api
