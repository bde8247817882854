package plan

import (
	"fmt"

	"github.com/straylight-fleet/straylight/remote"
)

// TransportFactory opens a transport to a host from its connection settings.
// It returns an error (shown as "not reachable: …") for connections it does
// not support.
type TransportFactory func(c Connection) (remote.Transport, error)

// DefaultTransports opens the transport Ansible would use for a connection:
// local and winrm are built; others are reported as not reachable.
func DefaultTransports(c Connection) (remote.Transport, error) {
	switch c.Kind {
	case "local":
		return remote.NewLocal(remote.LocalConfig{}), nil
	case "winrm":
		w, err := remote.NewWinRM(winrmConfig(c))
		if err != nil {
			return nil, err // not a typed nil inside the interface
		}
		return w, nil
	}
	return nil, fmt.Errorf("connection %q is not supported here (plan.Transports adds ssh; straylight speaks local, winrm and ssh)", c.Kind)
}

func winrmConfig(c Connection) remote.WinRMConfig {
	return remote.WinRMConfig{
		Host: c.Address, Port: c.Port, Scheme: c.Scheme, Transport: c.Transport,
		User: c.User, Password: c.Password,
		ServerCertValidation: c.CertValidation, CATrustPath: c.CATrustPath,
	}
}

// InsecureReason says why a connection is insecure ("" when it is not):
// WinRM over plain HTTP, or with certificate validation off.
func InsecureReason(c Connection) string {
	if c.Kind != "winrm" {
		return ""
	}
	w, err := remote.NewWinRM(winrmConfig(c))
	if err != nil {
		return ""
	}
	return w.InsecureReason()
}
