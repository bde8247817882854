package doctor_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/fleet/doctor"
	"github.com/straylight-fleet/straylight/remote"
)

// The same steps run over the local transport (a Linux proxy host): the
// Windows-only steps skip, the file steps use $TMPDIR and leave it empty.
func TestDoctorOverTheLocalTransport(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := doctor.Run(ctx, doctor.Input{Host: "localhost", Transport: remote.NewLocal(remote.LocalConfig{})})
	want := map[string]doctor.Status{
		doctor.StepConnect: doctor.Pass, doctor.StepPowerShell: doctor.Skip, doctor.StepStdin: doctor.Pass,
		doctor.StepRoundTrip: doctor.Pass, doctor.StepCleanup: doctor.Pass, doctor.StepExitCode: doctor.Pass,
		doctor.StepStderr: doctor.Skip, doctor.StepBackendModels: doctor.Skip, doctor.StepProxy: doctor.Skip,
		doctor.StepNvidiaSMI: doctor.Skip, doctor.StepDocker: doctor.Skip, // no backend: not a GPU host
	}
	for _, s := range r.Steps {
		if w, ok := want[s.Name]; ok && s.Status != w {
			t.Errorf("%s: %s (%s %s), want %s", s.Name, s.Status, s.Detail, s.Cause, w)
		}
	}
	left, err := os.ReadDir(tmp)
	if err != nil || len(left) != 0 {
		t.Errorf("left in TMPDIR: %v %v", left, err)
	}
}

// A host whose connection no transport serves fails its connect step with
// the reason, and the steps after it skip.
func TestDoctorNamesAMissingTransport(t *testing.T) {
	r := doctor.Run(context.Background(), doctor.Input{Host: "h", TransportErr: errors.New(`connection "paramiko" is not supported`)})
	if r.OK() || r.Steps[0].Name != doctor.StepConnect || r.Steps[0].Status != doctor.Fail ||
		!strings.Contains(r.Steps[0].Cause, `"paramiko" is not supported`) || r.Steps[0].Fix == "" {
		t.Fatalf("connect step %+v", r.Steps[0])
	}
	for _, s := range r.Steps[1:] {
		if s.Status != doctor.Skip {
			t.Errorf("%s: %s", s.Name, s.Status)
		}
	}
}
