package sim

import (
	"strings"
	"testing"
)

func TestAHostAddedToARunningLabServesAtTheReservedAddress(t *testing.T) {
	l, err := StartLab(manyHostsSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ip := l.ReserveAddress()
	spec := manyHostsSpec(2).GPUHosts[1]
	spec.Name = "molly"
	info, err := l.AddGPUHost(spec, ip)
	if err != nil {
		t.Fatal(err)
	}
	if info.IP != ip || info.WinRMHTTPSURL != "https://"+ip+":5986/wsman" {
		t.Fatalf("added host %+v, want it at %s", info, ip)
	}
	if _, ok := l.Host("molly"); !ok || l.FS("molly") == nil || l.VLLM("molly") == nil {
		t.Fatal("the lab does not list the added host")
	}
	waitState(t, l.VLLM("molly"), VLLMServing)
	if body, ok := tryGet(info.VLLMURL + "/v1/models"); !ok || !strings.Contains(body, "gpu001") {
		t.Fatalf("the added host's vLLM answers %q", body)
	}
}

func TestAddGPUHostRefusesATakenNameAndANonLoopbackAddress(t *testing.T) {
	l, err := StartLab(manyHostsSpec(1))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.AddGPUHost(manyHostsSpec(1).GPUHosts[0], l.ReserveAddress()); err == nil {
		t.Error("a second gpu000 was added")
	}
	spec := manyHostsSpec(2).GPUHosts[1]
	if _, err := l.AddGPUHost(spec, "localhost"); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("a non-loopback address: %v", err)
	}
}
