package render

import (
	"os"
	"testing"
)

func readTestdata(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// seedSuite renders the seed's vllm_config.yml.j2 with the seed's role
// defaults, for the seed's hosts and for served_model_name present, absent
// and null, as template and as win_template (CRLF).
func seedSuite(t *testing.T) oracleSuite {
	seedTemplate := readTestdata(t, "testdata/seed/roles/windows-vllm-deploy/templates/vllm_config.yml.j2")
	repo := oracleRepo{
		roleDefaults: readTestdata(t, "testdata/seed/roles/windows-vllm-deploy/defaults/main.yml"),
		hostVars: map[string]string{
			"wintermute": readTestdata(t, "testdata/seed/host_vars/wintermute.yml"),
			"armitage":   readTestdata(t, "testdata/seed/host_vars/armitage.yml"),
		},
	}
	win := WinTemplateDefaults()
	cases := []oracleCase{
		{name: "seed_wintermute", src: seedTemplate, taskVars: "vllm: \"{{ hostvars['wintermute'].vllm }}\""},
		{name: "seed_wintermute_win", src: seedTemplate, opts: &win, taskVars: "vllm: \"{{ hostvars['wintermute'].vllm }}\""},
		{name: "seed_armitage_win", src: seedTemplate, opts: &win, taskVars: "vllm: \"{{ hostvars['armitage'].vllm }}\""},
		{name: "seed_no_served_name", src: seedTemplate, taskVars: "vllm:\n  model: m\n  port: 8001\n  enabled: false"},
		{name: "seed_null_served_name", src: seedTemplate, taskVars: "vllm:\n  model: m\n  served_model_name: null\n  quantization: ~\n  max_num_seqs: 4"},
		{name: "seed_empty_vllm", src: seedTemplate, taskVars: "vllm: {}"},
		{name: "seed_no_vllm", src: seedTemplate},
	}
	return oracleSuite{name: "seed", repo: repo, cases: cases}
}
