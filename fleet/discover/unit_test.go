package discover

import (
	"slices"
	"testing"
)

func TestUpstreamStripsExactlyOneProviderSegment(t *testing.T) {
	if got := (Route{Model: "openai/casperhansen/llama-3-8b-instruct-awq"}).Upstream(); got != "casperhansen/llama-3-8b-instruct-awq" {
		t.Fatalf("got %q", got)
	}
}

// TestHostIndexAnswersAsHostForAPIBase: the index finds what the search
// host by host finds — the first host of an address and port, the address
// in any case, Unicode case folding (the Kelvin sign is a "k", the long s
// an "s"), nothing for
// another port or an unknown address, an error for what is not a URL.
func TestHostIndexAnswersAsHostForAPIBase(t *testing.T) {
	hosts := []GPUHost{
		{Name: "a", Address: "gpu-a.lan", Port: 8000},
		{Name: "a-again", Address: "GPU-A.lan", Port: 8000},
		{Name: "a-9000", Address: "gpu-a.lan", Port: 9000},
		{Name: "v6", Address: "::1", Port: 8000},
		{Name: "b", Address: "10.0.0.2", Port: 80},
		{Name: "some", Address: "some", Port: 8001},
	}
	withKelvin := append(slices.Clone(hosts), GPUHost{Name: "kelvin", Address: "\u212aelvin", Port: 8000})
	apiBases := []string{"http://gpu-a.lan:8000/v1", "http://Gpu-A.LAN:8000/v1", "http://gpu-a.lan:9000/v1",
		"http://gpu-a.lan:7000/v1", "http://[::1]:8000/v1", "http://10.0.0.2/v1", "https://10.0.0.2/v1",
		"http://kelvin:8000/v1", "http://\u212aelvin:8000/v1", "http://\u212aELVIN:8000/v1", "http://\u017fome:8001/v1", "http://nowhere:8000/v1",
		"not a url", ""}
	for _, hs := range [][]GPUHost{hosts, withKelvin, nil} {
		index := NewHostIndex(hs)
		for _, apiBase := range apiBases {
			want, wantErr := HostForAPIBase(apiBase, hs)
			got, err := index.ForAPIBase(apiBase)
			if (err != nil) != (wantErr != nil) || got != want {
				t.Errorf("%d hosts, %q: index gives %v, %v; the search %v, %v", len(hs), apiBase, got, err, want, wantErr)
			}
		}
	}
	if h, _ := NewHostIndex(hosts).ForAPIBase("http://GPU-a.lan:8000/v1"); h == nil || h.Name != "a" {
		t.Errorf("GPU-a.lan:8000 is %v, want the first host there, a", h)
	}
	if h, _ := NewHostIndex(withKelvin).ForAPIBase("http://kelvin:8000/v1"); h == nil || h.Name != "kelvin" {
		t.Errorf("kelvin:8000 is %v, want the host whose address starts with the Kelvin sign", h)
	}
	if h, _ := NewHostIndex(hosts).ForAPIBase("http://\u017fome:8001/v1"); h == nil || h.Name != "some" {
		t.Errorf("\u017fome:8001 is %v, want the host some (EqualFold folds the long s to s; strings.ToLower does not)", h)
	}
}
