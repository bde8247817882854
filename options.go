package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// options are straylight's command line (README.md, "Command line").
type options struct {
	repo, inventory, limit  string
	extraVars               multiFlag
	tags, skipTags          multiFlag
	playbooks               []string // positional: the playbooks to run, as ansible-playbook takes them
	forks                   int
	check, apply, yes, json bool
	doctor                  bool
	restart, testRoute      string
	planOut, planIn         string
	skipUnsupported         bool
	whenIdle, noRollback    bool
	force                   bool
	showSecrets             bool
	diff                    bool // ansible-playbook's --diff, taken as given: the plan shows every diff
	vaultPasswordFile       string
	askVaultPass            bool
	demo                    bool
	serveLab                string
	labFaults               multiFlag
	version                 bool
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func newFlagSet(o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("straylight", flag.ContinueOnError)
	fs.SetOutput(stderr)
	both := func(p *string, short, long, def, usage string) {
		fs.StringVar(p, short, def, usage)
		fs.StringVar(p, long, def, usage)
	}
	both(&o.repo, "C", "repo", ".", "the Ansible repository")
	both(&o.inventory, "i", "inventory", "", "inventory file (default: ansible.cfg's, else inventory/hosts.yml, ...)")
	both(&o.limit, "l", "limit", "", "host pattern to limit the run to")
	fs.Var(&o.extraVars, "e", "extra vars K=V or @FILE (repeatable)")
	fs.Var(&o.extraVars, "extra-vars", "extra vars K=V or @FILE (repeatable)")
	fs.Var(&o.tags, "t", "only tasks tagged with these tags (comma-separated, repeatable)")
	fs.Var(&o.tags, "tags", "only tasks tagged with these tags (comma-separated, repeatable)")
	fs.Var(&o.skipTags, "skip-tags", "skip tasks tagged with these tags (comma-separated, repeatable)")
	fs.IntVar(&o.forks, "forks", 10, "hosts deployed in parallel")
	fs.BoolVar(&o.check, "check", false, "print the plan; exit 0 no changes, 2 changes, 1 error")
	fs.BoolVar(&o.diff, "D", false, "--check, --apply: as ansible-playbook's --diff (the plan always shows each change's diff)")
	fs.BoolVar(&o.diff, "diff", false, "--check, --apply: as ansible-playbook's --diff (the plan always shows each change's diff)")
	fs.BoolVar(&o.apply, "apply", false, "apply the plan; exit 0 success or nothing to do, 1 failure")
	fs.BoolVar(&o.doctor, "doctor", false, "check that each host does what straylight relies on; exit 0 all passed, 1 a step failed")
	fs.StringVar(&o.restart, "restart", "", "restart `HOST`'s backend, then its health gate and route tests; exit 0 success, 1 failure")
	fs.StringVar(&o.testRoute, "test-route", "", "stream a chat completion through LiteLLM's `ROUTE`; exit 0 it answered, 1 it did not")
	fs.BoolVar(&o.yes, "yes", false, "do not ask before applying or restarting")
	fs.BoolVar(&o.json, "json", false, "--check: one JSON plan; --apply, --restart, --test-route: JSON Lines events; --doctor: one JSON report")
	fs.StringVar(&o.planOut, "plan-out", "", "--check: save the plan to FILE")
	fs.StringVar(&o.planIn, "plan", "", "--apply: apply the saved plan FILE")
	fs.BoolVar(&o.skipUnsupported, "skip-unsupported", false, "apply hosts with unsupported tasks, skipping those tasks")
	fs.BoolVar(&o.whenIdle, "when-idle", false, "restart a host only after it has been idle long enough")
	fs.BoolVar(&o.force, "force", false, "--apply: deploy even when the static lint says a route will break")
	fs.BoolVar(&o.noRollback, "no-rollback", false, "leave a host as it is when its health gate or route test fails")
	fs.BoolVar(&o.showSecrets, "show-secrets", false, "print secret values in human output")
	fs.StringVar(&o.vaultPasswordFile, "vault-password-file", "", "vault password file")
	fs.BoolVar(&o.askVaultPass, "ask-vault-pass", false, "ask for the vault password")
	fs.BoolVar(&o.demo, "demo", false, "use the simulated lab")
	fs.StringVar(&o.serveLab, "serve-lab", "", "run the simulated lab until interrupted; write its repository to DIR")
	fs.Var(&o.labFaults, "lab-fault", "HOST:KIND fault for the lab (repeatable)")
	fs.BoolVar(&o.version, "version", false, "print the version")
	return fs
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := newFlagSet(&o, stderr)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.playbooks = fs.Args()
	return o, o.validate()
}

func (o options) validate() error {
	switch {
	case len(o.modes()) > 1 && (o.restart != "" || o.testRoute != ""):
		return fmt.Errorf("%s exclude each other", strings.Join(o.modes(), " and "))
	case o.check && o.apply:
		return fmt.Errorf("--check and --apply exclude each other")
	case o.doctor && (o.check || o.apply):
		return fmt.Errorf("--doctor excludes --check and --apply")
	case o.planOut != "" && !o.check:
		return fmt.Errorf("--plan-out needs --check")
	case o.planIn != "" && !o.apply:
		return fmt.Errorf("--plan needs --apply")
	case o.forks < 1:
		return fmt.Errorf("--forks must be at least 1")
	}
	return nil
}

// modes are the run modes given; at most one runs.
func (o options) modes() []string {
	var out []string
	for _, m := range []struct {
		on   bool
		name string
	}{{o.check, "--check"}, {o.apply, "--apply"}, {o.doctor, "--doctor"},
		{o.restart != "", "--restart"}, {o.testRoute != "", "--test-route"}} {
		if m.on {
			out = append(out, m.name)
		}
	}
	return out
}
