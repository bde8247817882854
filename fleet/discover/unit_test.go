package discover

import "testing"

func TestUpstreamStripsExactlyOneProviderSegment(t *testing.T) {
	if got := (Route{Model: "openai/casperhansen/llama-3-8b-instruct-awq"}).Upstream(); got != "casperhansen/llama-3-8b-instruct-awq" {
		t.Fatalf("got %q", got)
	}
}
