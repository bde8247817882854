package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/bench/benchrepo"
)

// BenchmarkCheck1000 runs the whole `straylight --check` in-process on
// bench/run.sh's 1,000-host repository (process start and package init
// excepted): the figure to profile with -cpuprofile and -memprofile.
func BenchmarkCheck1000(b *testing.B) { benchCheck(b, 1000) }

// BenchmarkCheck50 is the same at 50 hosts.
func BenchmarkCheck50(b *testing.B) { benchCheck(b, 50) }

// BenchmarkCheck10 is the same at 10 hosts.
func BenchmarkCheck10(b *testing.B) { benchCheck(b, 10) }

func benchCheck(b *testing.B, hosts int) {
	root := filepath.Join(b.TempDir(), "repo")
	if err := benchrepo.Write(root, benchrepo.Options{Hosts: hosts, OutDir: filepath.Join(b.TempDir(), "out")}); err != nil {
		b.Fatal(err)
	}
	b.Setenv("ANSIBLE_CONFIG", "")
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), []string{"-C", root, "--check"}, strings.NewReader(""), io.Discard, io.Discard); code != exitChanges {
			b.Fatalf("exit %d, want %d", code, exitChanges)
		}
	}
}
