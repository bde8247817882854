package inventory

import "testing"

// TestAddressShortcutsAgreeWithTheExpressions: the checks that spare
// compiling the address expressions answer as the expressions do.
func TestAddressShortcutsAgreeWithTheExpressions(t *testing.T) {
	for _, s := range []string{"gpu-0001", "web_1", "-web", "web-", "a", "", "ünï", "db[1:3]", "x y",
		"127.0.0.1", "10.0.0.256", "1.2.3", "1.2.3.4.5", "[1:3].0.0.1", "10.0.[1:9].1", "Web01"} {
		if got, want := isHostnameLabel(s), hostnameLabel().MatchString(s); got != want {
			t.Errorf("isHostnameLabel(%q) = %v, the expression %v", s, got, want)
		}
		if got, want := isIPv4(s), ipv4Address().MatchString(s); got != want {
			t.Errorf("isIPv4(%q) = %v, the expression %v", s, got, want)
		}
	}
	for _, s := range []string{"gpu-0001", "host:22", "[::1]:2222", "::1", "web[1:3]", "web[1:3]:22", "a:b"} {
		host, port, err := splitPort(s)
		wantHost, wantPort := s, 0
		for _, re := range []func(string) []string{bracketedHostPort().FindStringSubmatch, hostPort().FindStringSubmatch} {
			if m := re(wantHost); m != nil {
				wantHost, wantPort = m[1], atoiOr0(m[2])
			}
		}
		if err != nil || host != wantHost || port != wantPort {
			t.Errorf("splitPort(%q) = %q, %d, %v; want %q, %d", s, host, port, err, wantHost, wantPort)
		}
	}
}

func atoiOr0(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
