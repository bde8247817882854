package discover

import (
	"strings"
	"testing"
)

const renderedCfg = "vllm:\n  model: org/m\n  served_model_name: m-new\n  port: 8001\n"

// fileOf recognises a rendered and a deployed version of one config.yml.
func fileOf(t *testing.T, state FileState, deployed string) FileFindings {
	t.Helper()
	f := FileFindings{Dest: "/etc/vllm/config.yml", State: state}
	var err error
	if f.Rendered, err = RecognizeFileWith(new(Recognizer), f.Dest, "", []byte(renderedCfg)); err != nil {
		t.Fatal(err)
	}
	if state == FileDiffers {
		f.Deployed, err = RecognizeFileWith(new(Recognizer), f.Dest, "", []byte(deployed))
		if err != nil {
			f.DeployedErr = err.Error()
		}
	}
	return f
}

func repoServer() GPUHost {
	return GPUHost{Name: "gpu1", Kind: "vllm", Port: 8001, Model: "org/m", Served: []string{"m-new"}, Container: "vllm-gpu1"}
}

func TestDeployedServerReadsTheDeployedVersion(t *testing.T) {
	d := DeployedServer(repoServer(), []FileFindings{fileOf(t, FileDiffers, "vllm:\n  model: org/m\n  port: 8000\n")})
	if !d.Known || d.Server.Port != 8000 || strings.Join(d.Server.Served, ",") != "org/m" || d.Note != "" {
		t.Fatalf("got %+v", d)
	}
	want := `port 8000 → 8001; serves "org/m" → "m-new"`
	if got := strings.Join(d.Differs, "; "); got != want {
		t.Fatalf("differs %q, want %q", got, want)
	}
}

func TestDeployedServerInSyncIsTheRepositorys(t *testing.T) {
	d := DeployedServer(repoServer(), []FileFindings{fileOf(t, FileInSync, "")})
	if !d.Known || d.Server.Port != 8001 || len(d.Differs) != 0 || d.Note != "" {
		t.Fatalf("got %+v", d)
	}
}

// Whenever what is deployed is not known, the repository's server stands
// in and the note says why: never silently.
func TestDeployedServerFallsBackWithAReason(t *testing.T) {
	unread := fileOf(t, FileUnread, "")
	unread.DeployedErr = "not reachable: timeout"
	for name, c := range map[string]struct {
		files []FileFindings
		note  string
	}{
		"missing":      {[]FileFindings{fileOf(t, FileMissing, "")}, "is not on the host yet"},
		"unread":       {[]FileFindings{unread}, "could not be read: not reachable: timeout"},
		"bad yaml":     {[]FileFindings{fileOf(t, FileDiffers, "vllm: [\n")}, "is not readable"},
		"other server": {[]FileFindings{fileOf(t, FileDiffers, "# nothing here\nplain: text\n")}, "starts no server"},
		"no file":      {nil, "says how this server starts"},
	} {
		d := DeployedServer(repoServer(), c.files)
		if d.Known || d.Server.Port != 8001 || !strings.Contains(d.Note, c.note) || !strings.HasSuffix(d.Note, "compared with the repository") {
			t.Errorf("%s: %+v", name, d)
		}
	}
}

// A deployed file that holds a key: the findings keep a reference, and
// nothing the deployment says shows the key.
func TestDeployedServerNeverHoldsTheKey(t *testing.T) {
	const key = "sk-deployed-secret-1234"
	d := DeployedServer(repoServer(), []FileFindings{fileOf(t, FileDiffers, "vllm:\n  model: org/m\n  port: 8000\n  api_key: "+key+"\n")})
	if strings.Contains(strings.Join(d.Differs, " ")+d.Note+strings.Join(d.Server.Notes, " "), key) || d.Server.APIKey == key {
		t.Fatalf("the key leaked: %+v", d)
	}
}
