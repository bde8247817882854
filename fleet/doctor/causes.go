package doctor

import (
	"context"
	"errors"

	"github.com/straylight-fleet/straylight/remote"
)

// transportFailure explains an error of a transport call: the cause from
// the error's class, and the fix for it.
func transportFailure(err error) outcome {
	o := failed(err.Error(), "")
	switch {
	case errors.Is(err, remote.ErrAuth):
		o.cause = "the host refused the credentials: " + err.Error()
		o.fix = "check ansible_user and ansible_password (vault) and ansible_winrm_transport; NTLM over http " +
			"needs message encryption, which Windows requires unless AllowUnencrypted is set: prefer https (5986)"
	case errors.Is(err, remote.ErrTLS):
		o.cause = "the host's certificate did not verify: " + err.Error()
		o.fix = "set ansible_winrm_ca_trust_path to the CA that signed the WinRM certificate " +
			"(ansible_winrm_server_cert_validation: ignore only on a trusted network)"
	case errors.Is(err, context.DeadlineExceeded):
		o.cause = "no answer before the step's deadline: " + err.Error()
		o.fix = "the host or its WinRM service is slow (a cold Windows PowerShell start takes seconds): " +
			"check its load, or raise ansible_winrm_read_timeout_sec"
	case errors.Is(err, remote.ErrUnreachable):
		o.cause = "the host does not answer: " + err.Error()
		o.fix = "is it on? Check ansible_host and ansible_port; on the host: Enable-PSRemoting (or winrm quickconfig) " +
			"and a firewall rule for 5985/5986"
	}
	return o
}
