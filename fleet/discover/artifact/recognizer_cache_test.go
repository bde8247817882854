package artifact

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// TestRecognizerReadsAYAMLFileOnceAndAnswersAsRecognize: a Recognizer's
// second reading of a file (same name, same content) answers as Recognize
// does, another name gets findings and errors of its own name, and a file
// that does not parse keeps failing.
func TestRecognizerReadsAYAMLFileOnceAndAnswersAsRecognize(t *testing.T) {
	var rz Recognizer
	for _, fixture := range []string{"vllm-config.yaml", "litellm-config.yaml", "docker-compose.yml", "bad-indent.yaml"} {
		content, err := os.ReadFile(filepath.Join("testdata", fixture))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"/srv/a/" + fixture, "/srv/a/" + fixture, "/srv/b/" + fixture} {
			got, gotErr := rz.Recognize(name, content)
			want, wantErr := Recognize(name, content)
			if !reflect.DeepEqual(got, want) || errText(gotErr) != errText(wantErr) {
				t.Errorf("%s: %+v, %v; Recognize: %+v, %v", name, got, gotErr, want, wantErr)
			}
			if gotErr != nil && !strings.Contains(gotErr.Error(), name) {
				t.Errorf("%s: the error does not name the file: %v", name, gotErr)
			}
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestRecognizerAnswersAreTheCallers: what one caller changes in its
// findings (a source set, a note appended) never shows in another's.
func TestRecognizerAnswersAreTheCallers(t *testing.T) {
	var rz Recognizer
	content, err := os.ReadFile(filepath.Join("testdata", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := rz.Recognize("/srv/compose.yml", content)
	if len(first.Backends) == 0 {
		t.Fatal("the compose fixture describes no backend")
	}
	first.Backends[0].Source.File = "changed"
	first.Backends[0].Notes = append(first.Backends[0].Notes, "a note of the first caller")
	second, _ := rz.Recognize("/srv/compose.yml", content)
	want, _ := Recognize("/srv/compose.yml", content)
	if !reflect.DeepEqual(second, want) {
		t.Errorf("the second caller sees the first's changes: %+v", second.Backends[0])
	}
}

// TestRecognizerReadsAScriptOnceAndAnswersAsRecognize: shell text read
// again under other names, as the same start script copied to every host,
// answers as a Recognizer of its own would, each answer naming its own
// file; a script whose quote is left open keeps failing, naming the file.
func TestRecognizerReadsAScriptOnceAndAnswersAsRecognize(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("testdata", "start-servers.sh"))
	if err != nil {
		t.Fatal(err)
	}
	var rz Recognizer
	for _, content := range [][]byte{script, []byte("vllm serve m --port 8001 'unterminated\n")} {
		for _, name := range []string{"/srv/a/start.sh", "/srv/b/start.sh", "/srv/a/start.sh", "/srv/c/run"} {
			got, gotErr := rz.Recognize(name, content)
			want, wantErr := Recognize(name, content)
			if !reflect.DeepEqual(got, want) || errText(gotErr) != errText(wantErr) {
				t.Errorf("%s: %+v, %v; Recognize: %+v, %v", name, got, gotErr, want, wantErr)
			}
			for _, b := range got.Backends {
				if b.Source.File != name {
					t.Errorf("%s: a backend's source names %q", name, b.Source.File)
				}
			}
		}
	}
	if first, _ := rz.Recognize("/srv/a/start.sh", script); len(first.Backends) < 2 {
		t.Fatalf("the script fixture starts %d servers; the test needs two", len(first.Backends))
	}
}

// TestRecognizerScriptAnswersAreTheCallers: hosts read the same script in
// parallel (run with -race) and change their findings; no change reaches
// another caller's copy.
func TestRecognizerScriptAnswersAreTheCallers(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("testdata", "start-servers.sh"))
	if err != nil {
		t.Fatal(err)
	}
	var rz Recognizer
	want, _ := Recognize("/srv/start.sh", script)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			got, _ := rz.Recognize("/srv/start.sh", script)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("caller %d sees another's changes: %+v", i, got)
			}
			got.Backends[0].Source.File = "changed"
			got.Backends[0].Notes = append(got.Backends[0].Notes, "a note of one caller")
			got.Backends[1].Port++
		})
	}
	wg.Wait()
}
