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
