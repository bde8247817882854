package sim

import "strings"

// The path-kind and set-path contracts (scripts/path-kind.ps1 and
// scripts/set-path.ps1), which win_file tasks send: what their bodies do
// on a Windows host, on the lab's filesystem. Timestamps are not modelled:
// touching an existing item changes nothing the lab keeps.

type psPathKind struct {
	Kind string `json:"kind"`
}

type psPathKinds struct {
	Kinds []string `json:"kinds"`
}

// contractPathKind answers each of the paths ('|' between them).
func (s *psSession) contractPathKind(c psContract) psFlow {
	paths, ok := s.param(c, "Paths")
	if !ok {
		return psFlow{exit: true, code: 1}
	}
	var kinds []string
	for _, p := range strings.Split(paths, "|") {
		kinds = append(kinds, s.host.fs.Kind(p))
	}
	return s.writeJSON(psPathKinds{Kinds: kinds})
}

func (s *psSession) contractSetPath(c psContract) psFlow {
	p, ok1 := s.param(c, "Path")
	state, ok2 := s.param(c, "State")
	kind, ok3 := s.param(c, "Kind")
	if !ok1 || !ok2 || !ok3 {
		return psFlow{exit: true, code: 1}
	}
	fs := s.host.fs
	now := fs.Kind(p)
	if now != kind {
		return s.fail(3, p+" is "+now+" on the host, the plan saw "+kind)
	}
	if f, done := s.setPath(p, state, now); done {
		return f
	}
	return s.writeJSON(psPathKind{Kind: fs.Kind(p)})
}

// setPath makes the change; done is true when it ended the script.
func (s *psSession) setPath(p, state, now string) (psFlow, bool) {
	fs := s.host.fs
	switch state {
	case "directory":
		if !fs.MkdirAll(p) {
			return s.fail(1, "Cannot create \""+p+"\" because a file or directory with the same name already exists."), true
		}
	case "absent":
		fs.RemoveAll(p)
	case "touch":
		return s.touch(p, now)
	default:
		return s.fail(2, "state "+state+" is not directory, absent or touch"), true
	}
	return psFlow{}, false
}

// touch creates an empty file where nothing is; its parent must exist
// (WriteAllBytes makes no directories).
func (s *psSession) touch(p, now string) (psFlow, bool) {
	if now != "absent" {
		return psFlow{}, false
	}
	if s.host.fs.Kind(psParentDir(p)) != "directory" {
		return s.fail(1, "Could not find a part of the path '"+p+"'."), true
	}
	s.host.fs.WriteFile(p, nil)
	return psFlow{}, false
}
