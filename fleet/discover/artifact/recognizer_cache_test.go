package artifact

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
