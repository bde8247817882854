package benchrepo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteGeneratesEveryHost(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	if err := Write(root, Options{Hosts: 3, OutDir: out}); err != nil {
		t.Fatal(err)
	}
	inv, err := os.ReadFile(filepath.Join(root, "inventory", "hosts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{HostName(1), HostName(2), HostName(3), ProxyHost} {
		if !strings.Contains(string(inv), "        "+h+":\n") {
			t.Errorf("inventory lacks %s:\n%s", h, inv)
		}
		if st, err := os.Stat(filepath.Join(out, h)); err != nil || !st.IsDir() {
			t.Errorf("output directory of %s: %v", h, err)
		}
	}
	for _, p := range append([]string{"roles/windows-vllm-deploy/templates/vllm_config.yml.j2", "inventory/host_vars/gpu-0003.yml"}, Playbooks...) {
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			t.Error(err)
		}
	}
}

func TestWriteRejectsBadOptions(t *testing.T) {
	if err := Write(t.TempDir(), Options{Hosts: 0, OutDir: "/x"}); err == nil {
		t.Error("zero hosts accepted")
	}
	if err := Write(t.TempDir(), Options{Hosts: 1, OutDir: "relative"}); err == nil {
		t.Error("relative OutDir accepted")
	}
}
