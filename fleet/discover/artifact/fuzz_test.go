package artifact

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRecognize feeds every fixture, under each kind of file name, and its
// mutations to Recognize: it must never panic, and whatever it returns must
// point at the file it was given and a line inside it.
func FuzzRecognize(f *testing.F) {
	names := []string{"x.yaml", "x.service", "x.sh"}
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			for i := range names {
				f.Add(i, string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, nameIndex int, content string) {
		name := names[(nameIndex%len(names)+len(names))%len(names)]
		found, err := Recognize(name, []byte(content))
		if err != nil {
			if !found.Empty() {
				t.Fatalf("an error must come with nothing found: %v %+v", err, found)
			}
			return
		}
		checkSources(t, name, strings.Count(content, "\n")+1, found)
	})
}

func checkSources(t *testing.T, name string, lines int, found Findings) {
	var sources []Source
	for _, b := range found.Backends {
		sources = append(sources, b.Source)
	}
	for _, p := range found.Proxies {
		sources = append(sources, p.Source)
		for _, r := range p.Routes {
			sources = append(sources, r.Source)
		}
	}
	for _, s := range sources {
		if s.File != name || s.Line < 1 || s.Line > lines {
			t.Fatalf("source %v outside %s:1..%d", s, name, lines)
		}
	}
}
