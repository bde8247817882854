package ansible

import (
	"fmt"
	"strconv"
)

// Connection is how straylight reaches a host, from Ansible's connection
// variables (docs/ansible-semantics.md). Password never appears in String().
type Connection struct {
	Host           string // inventory name
	Kind           string // winrm, local, ssh
	Address        string // ansible_host, else the inventory name
	Port           int    // 0: the transport's default
	User           string
	Password       string
	Scheme         string // ansible_winrm_scheme
	Transport      string // ansible_winrm_transport
	CertValidation string // ansible_winrm_server_cert_validation
	CATrustPath    string // ansible_winrm_ca_trust_path
	// Vars looks up the host's templated, vault-decrypted variables (the
	// play's scope): what the SSH transport reads its settings from. Never
	// serialized.
	Vars func(name string) (any, bool) `json:"-"`
}

func (c Connection) String() string {
	if c.Port != 0 {
		return fmt.Sprintf("%s %s:%d", c.Kind, c.Address, c.Port)
	}
	return fmt.Sprintf("%s %s", c.Kind, c.Address)
}

// connectionFrom reads the connection variables from a host's templated
// lookup function. ansible_connection beats the play's connection keyword.
func connectionFrom(host, playConnection string, get func(string) (any, bool)) Connection {
	c := Connection{Host: host, Kind: "ssh", Address: host, Vars: get}
	if playConnection != "" {
		c.Kind = playConnection
	}
	str := func(name string, into *string) {
		if v, ok := get(name); ok && v != nil {
			*into = fmt.Sprint(v)
		}
	}
	str("ansible_connection", &c.Kind)
	str("ansible_host", &c.Address)
	str("ansible_user", &c.User)
	str("ansible_password", &c.Password)
	str("ansible_winrm_scheme", &c.Scheme)
	str("ansible_winrm_transport", &c.Transport)
	str("ansible_winrm_server_cert_validation", &c.CertValidation)
	str("ansible_winrm_ca_trust_path", &c.CATrustPath)
	if v, ok := get("ansible_port"); ok && v != nil {
		c.Port, _ = strconv.Atoi(fmt.Sprint(v))
	}
	return c
}

// APIAddress is where straylight reaches a host's HTTP services: its address,
// except that a local connection without ansible_host is this machine, so
// its name is not looked up (ansible_connection: local never resolves it).
func (c Connection) APIAddress() string {
	if c.Kind == "local" && c.Address == c.Host {
		return "127.0.0.1"
	}
	return c.Address
}
