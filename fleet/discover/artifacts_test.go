package discover

import (
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
)

// copy src: config.yml, dest: /srv/litellm (a directory): Ansible writes
// /srv/litellm/config.yml, and discovery reads it as the YAML it is
// (rewse/ansible-playbooks does this, docs/real-repositories.md).
func TestCopyIntoADirectoryIsReadUnderTheSourceName(t *testing.T) {
	f := &ansible.FileTask{Dest: "/srv/litellm", Src: "roles/litellm/files/config.yml",
		Content: []byte("model_list:\n  - model_name: a\n    litellm_params:\n      model: openai/a\n      api_base: http://127.0.0.1:8000/v1\n")}
	fs, err := recognize(f)
	if err != nil || len(fs.Proxies) != 1 || len(fs.Proxies[0].Routes) != 1 {
		t.Fatalf("findings %+v, err %v", fs, err)
	}
	if got := fs.Proxies[0].Routes[0].Source.String(); got != "/srv/litellm/config.yml:2" {
		t.Fatalf("source %s", got)
	}
}

func TestKeyReferenceNames(t *testing.T) {
	for ref, want := range map[string]string{"$VLLM_API_KEY": "VLLM_API_KEY", "${K}": "K", "os.environ/MASTER": "MASTER",
		"env API_KEY": "API_KEY", "literal (redacted)": "", "file /run/key": ""} {
		if got := keyVarName(ref); got != want {
			t.Errorf("%q: %q, want %q", ref, got, want)
		}
	}
}
