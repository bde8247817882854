package ui

import (
	"slices"
	"time"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// firstPlanWait is how long the monitor's first probe waits for the first
// plan, so that it starts on what is deployed (the plan reads it) rather
// than on the repository's values; a slower plan retargets it when done.
const firstPlanWait = 3 * time.Second

// planned marks the first plan made (or failed): the monitor may start.
func (rt *runtime) planned() { rt.firstPlan.Do(func() { close(rt.planReady) }) }

// awaitFirstPlan waits for the first plan, at most firstPlanWait.
func (rt *runtime) awaitFirstPlan() {
	timer := time.NewTimer(firstPlanWait)
	defer timer.Stop()
	select {
	case <-rt.planReady:
	case <-timer.C:
	case <-rt.ctx.Done():
	}
}

// retarget points the monitor (once it runs) at the targets the latest
// plan gives: what is deployed. Unchanged targets leave it alone, so its
// transports and history stay.
func (rt *runtime) retarget(hosts []status.Target, proxy *status.ProxyTarget) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.targeted && sameTargets(rt.hosts, hosts) && sameProxy(rt.proxy, proxy) {
		return
	}
	rt.hosts, rt.proxy, rt.targeted = hosts, proxy, true
	if rt.monitor != nil {
		rt.monitor.SetTargets(hosts, proxy)
	}
}

// planFailed points a monitor that has no targets from a plan yet at the
// repository's, saying the plan failed; targets from an earlier plan stay
// (what was deployed then is still the best knowledge).
func (rt *runtime) planFailed(hosts []status.Target, proxy *status.ProxyTarget) {
	rt.mu.Lock()
	fromPlan := rt.targeted && !notReadYet(rt.hosts)
	rt.mu.Unlock()
	if fromPlan {
		return
	}
	for i := range hosts {
		hosts[i].Basis = "the plan failed, so what is deployed is not known: compared with the repository"
	}
	rt.retarget(hosts, proxy)
}

// notReadYet: the targets are the repository's, from before any plan.
func notReadYet(hosts []status.Target) bool {
	return len(hosts) > 0 && hosts[0].Basis == fleet.BasisNotReadYet
}

// startWith makes s the monitor, pointed at the latest targets if a plan
// gave some, else at fallback's (the repository's, saying so).
func (rt *runtime) startWith(s statusSource, fallback func() ([]status.Target, *status.ProxyTarget)) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.monitor = s
	if !rt.targeted && fallback != nil {
		rt.hosts, rt.proxy = fallback()
		rt.targeted = true
	}
	if rt.targeted {
		s.SetTargets(rt.hosts, rt.proxy)
	}
}

// sameTargets compares what the monitor probes and shows of each host.
func sameTargets(a, b []status.Target) bool {
	return slices.EqualFunc(a, b, func(x, y status.Target) bool {
		return x.Host == y.Host && x.VLLMURL == y.VLLMURL && slices.Equal(x.Expected, y.Expected) &&
			x.Container == y.Container && x.Unit == y.Unit && x.Kind == y.Kind && x.APIKey == y.APIKey &&
			x.Insecure == y.Insecure && x.IdleThreshold == y.IdleThreshold &&
			x.Undeployed == y.Undeployed && x.Basis == y.Basis && (x.Transport == nil) == (y.Transport == nil)
	})
}

func sameProxy(a, b *status.ProxyTarget) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Host == b.Host && a.URL == b.URL && a.MasterKey == b.MasterKey && slices.Equal(a.Routes, b.Routes)
}

// adoptRepository points the monitor at the repository's values for the
// hosts a deploy just finished ok: they run what the repository renders
// now, and the plan that will read it again takes seconds. Without this the
// row would compare the new model with the old deployed one until then.
func (rt *runtime) adoptRepository(deployed []string, repository []status.Target) {
	if len(deployed) == 0 {
		return
	}
	rt.mu.Lock()
	hosts, proxy := slices.Clone(rt.hosts), rt.proxy
	rt.mu.Unlock()
	if len(hosts) == 0 {
		return // the monitor has no targets yet: the next plan gives them
	}
	for i, t := range hosts {
		if slices.Contains(deployed, t.Host) {
			hosts[i] = repositoryTarget(t.Host, repository, t)
		}
	}
	rt.retarget(hosts, proxy)
}

// repositoryTarget is host's target from the repository's, deployed now:
// no basis to explain and nothing left undeployed.
func repositoryTarget(host string, repository []status.Target, current status.Target) status.Target {
	i := slices.IndexFunc(repository, func(t status.Target) bool { return t.Host == host })
	if i < 0 {
		return current
	}
	t := repository[i]
	t.Basis, t.Undeployed = "", ""
	return t
}
