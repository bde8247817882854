package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// targetLog records every SetTargets.
type targetLog struct{ sets [][]status.Target }

func (l *targetLog) Run(context.Context, time.Duration, func(status.Snapshot)) <-chan struct{} {
	return nil
}
func (l *targetLog) SetTargets(h []status.Target, _ *status.ProxyTarget) { l.sets = append(l.sets, h) }
func (l *targetLog) Close() error                                        { return nil }

func repoTargets() ([]status.Target, *status.ProxyTarget) {
	return []status.Target{{Host: "armitage", VLLMURL: "http://127.0.0.1:8001", Basis: fleet.BasisNotReadYet}}, nil
}

func deployedTarget() []status.Target {
	return []status.Target{{Host: "armitage", VLLMURL: "http://127.0.0.1:8000", Undeployed: "repository differs: not deployed yet: port 8000 → 8001"}}
}

// Before any plan the monitor starts on the repository's values, saying
// so; the plan's targets replace them; the same targets again change
// nothing (the monitor keeps its transports).
func TestMonitorTargetsFollowThePlan(t *testing.T) {
	rt, log := &runtime{}, &targetLog{}
	rt.startWith(log, repoTargets)
	rt.retarget(deployedTarget(), nil)
	rt.retarget(deployedTarget(), nil)
	if len(log.sets) != 2 || log.sets[0][0].Basis != fleet.BasisNotReadYet || log.sets[1][0].VLLMURL != "http://127.0.0.1:8000" {
		t.Fatalf("SetTargets calls: %+v", log.sets)
	}
}

// A plan made before the monitor starts gives it its first targets.
func TestMonitorStartsOnAPlanMadeBefore(t *testing.T) {
	rt, log := &runtime{}, &targetLog{}
	rt.retarget(deployedTarget(), nil)
	rt.startWith(log, repoTargets)
	if len(log.sets) != 1 || log.sets[0][0].VLLMURL != "http://127.0.0.1:8000" {
		t.Fatalf("SetTargets calls: %+v", log.sets)
	}
}

// A failed plan keeps what an earlier plan found deployed; with none, the
// repository's values stand in and the note says the plan failed.
func TestFailedPlanKeepsTheDeployedTargets(t *testing.T) {
	rt, log := &runtime{}, &targetLog{}
	rt.startWith(log, repoTargets)
	hosts, proxy := repoTargets()
	rt.planFailed(hosts, proxy)
	if got := log.sets[len(log.sets)-1][0].Basis; !strings.HasPrefix(got, "the plan failed") {
		t.Fatalf("basis after a failed first plan: %q", got)
	}
	rt.retarget(deployedTarget(), nil)
	n := len(log.sets)
	hosts, proxy = repoTargets()
	rt.planFailed(hosts, proxy)
	if len(log.sets) != n {
		t.Fatalf("a failed plan replaced the deployed targets: %+v", log.sets[n:])
	}
}

// A host a deploy just finished ok runs the repository's values: the
// monitor compares with those at once, not with the old deployed ones
// until the next plan reads the host again; other hosts keep theirs, and a
// monitor without targets gets none.
func TestDeployedHostAdoptsTheRepositoryAtOnce(t *testing.T) {
	empty := &runtime{}
	empty.adoptRepository([]string{"armitage"}, deployedTarget())
	if empty.targeted || len(empty.hosts) != 0 {
		t.Fatalf("a runtime without targets got some: %+v", empty.hosts)
	}
	rt, log := &runtime{}, &targetLog{}
	rt.startWith(log, repoTargets)
	other := status.Target{Host: "wintermute", VLLMURL: "http://127.0.0.2:8000", Undeployed: "repository differs"}
	rt.retarget(append(deployedTarget(), other), nil)
	repository, _ := repoTargets()
	rt.adoptRepository([]string{"armitage"}, repository)
	got := log.sets[len(log.sets)-1]
	if got[0].VLLMURL != "http://127.0.0.1:8001" || got[0].Basis != "" || got[0].Undeployed != "" {
		t.Errorf("armitage after its deploy: %+v", got[0])
	}
	if got[1].VLLMURL != other.VLLMURL || got[1].Undeployed != other.Undeployed {
		t.Errorf("wintermute changed: %+v", got[1])
	}
}
