package remote

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kevinburke/ssh_config"
)

// sshOptions are -o options (and -J/-p/-l/-i) from ansible_ssh_*_args, keys
// lower-cased. As in ssh, the first value of a key wins, except IdentityFile
// which accumulates.
type sshOptions struct {
	values     map[string]string
	identities []string
	configFile string // -F
}

// sshOptionsUsed are the options straylight honours; sshOptionsInert are
// accepted and have no meaning for a Go client (connection sharing, logging).
var (
	sshOptionsUsed = []string{"hostname", "user", "port", "identityfile", "proxyjump",
		"stricthostkeychecking", "userknownhostsfile", "connecttimeout",
		"serveraliveinterval", "serveralivecountmax"}
	sshOptionsInert = []string{"controlmaster", "controlpersist", "controlpath", "compression",
		"loglevel", "gssapiauthentication", "forwardagent", "forwardx11", "requesttty",
		"preferredauthentications", "passwordauthentication", "pubkeyauthentication",
		"kbdinteractiveauthentication", "identitiesonly", "addkeystoagent", "hashknownhosts",
		"batchmode", "tcpkeepalive", "checkhostip", "visualhostkey", "updatehostkeys"}
)

// parseSSHArgs reads ansible_ssh_common_args + ansible_ssh_extra_args.
func parseSSHArgs(line string) (sshOptions, error) {
	opts := sshOptions{values: map[string]string{}}
	words, err := splitShellWords(line)
	if err != nil {
		return opts, fmt.Errorf("ansible_ssh_common_args/extra_args: %w", err)
	}
	for i := 0; i < len(words); i++ {
		flag, value, consumed, err := nextSSHFlag(words, i)
		if err != nil {
			return opts, fmt.Errorf("ansible_ssh_common_args/extra_args: %w", err)
		}
		i += consumed
		if err := opts.add(flag, value); err != nil {
			return opts, fmt.Errorf("ansible_ssh_common_args/extra_args: %w", err)
		}
	}
	return opts, nil
}

// nextSSHFlag reads one flag at words[i] ("-o X=Y", "-oX=Y", "-J h", "-p 22").
func nextSSHFlag(words []string, i int) (flag, value string, consumed int, err error) {
	word := words[i]
	if len(word) < 2 || word[0] != '-' || !strings.ContainsRune("oJpliF", rune(word[1])) {
		return "", "", 0, fmt.Errorf("%q: straylight reads -o, -J, -p, -l, -i and -F", word)
	}
	flag, value = word[:2], word[2:]
	if value == "" {
		if i+1 >= len(words) {
			return "", "", 0, fmt.Errorf("%s needs a value", flag)
		}
		value, consumed = words[i+1], 1
	}
	return flag, value, consumed, nil
}

func (o *sshOptions) add(flag, value string) error {
	switch flag {
	case "-J":
		return o.set("proxyjump", value)
	case "-p":
		return o.set("port", value)
	case "-l":
		return o.set("user", value)
	case "-i":
		return o.set("identityfile", value)
	case "-F":
		o.configFile = value
		return nil
	}
	key, val, ok := strings.Cut(value, "=")
	if !ok {
		key, val, ok = strings.Cut(strings.TrimSpace(value), " ")
	}
	if !ok {
		return fmt.Errorf("-o %q: want Key=Value", value)
	}
	return o.set(strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val))
}

func (o *sshOptions) set(key, value string) error {
	switch {
	case key == "identityfile":
		o.identities = append(o.identities, value)
	case key == "proxycommand":
		return errors.New("-o ProxyCommand is not supported: use ProxyJump (-J)")
	case contains(sshOptionsInert, key):
	case !contains(sshOptionsUsed, key):
		return fmt.Errorf("-o %s is not supported by straylight's SSH transport", key)
	default:
		if _, seen := o.values[key]; !seen {
			o.values[key] = value
		}
	}
	return nil
}

func contains(list []string, item string) bool {
	for _, entry := range list {
		if entry == item {
			return true
		}
	}
	return false
}

// splitShellWords splits like a POSIX shell: blanks separate words, quotes
// and backslashes group them. No expansion happens.
func splitShellWords(line string) ([]string, error) {
	sp := &shellSplitter{runes: []rune(line)}
	for sp.i = 0; sp.i < len(sp.runes); sp.i++ {
		sp.step(sp.runes[sp.i])
	}
	if sp.quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote in %q", sp.quote, line)
	}
	sp.endWord()
	return sp.words, nil
}

// shellSplitter is splitShellWords' state.
type shellSplitter struct {
	runes  []rune
	i      int
	words  []string
	word   strings.Builder
	inWord bool
	quote  rune // ' or " while inside quotes
}

func (sp *shellSplitter) step(c rune) {
	switch {
	case sp.quote != 0 && c == sp.quote:
		sp.quote = 0
	case sp.quote == '\'':
		sp.word.WriteRune(c)
	case c == '\\' && sp.escapes():
		sp.i++
		sp.add(sp.runes[sp.i])
	case sp.quote == '"':
		sp.word.WriteRune(c)
	case c == '\'' || c == '"':
		sp.quote, sp.inWord = c, true
	case c == ' ' || c == '\t' || c == '\n':
		sp.endWord()
	default:
		sp.add(c)
	}
}

// escapes: a backslash outside quotes escapes anything; inside double
// quotes only ", \, $ and `.
func (sp *shellSplitter) escapes() bool {
	if sp.i+1 >= len(sp.runes) {
		return false
	}
	return sp.quote == 0 || strings.ContainsRune(`"\$`+"`", sp.runes[sp.i+1])
}

func (sp *shellSplitter) add(c rune) {
	sp.word.WriteRune(c)
	sp.inWord = true
}

func (sp *shellSplitter) endWord() {
	if sp.inWord {
		sp.words, sp.inWord = append(sp.words, sp.word.String()), false
		sp.word.Reset()
	}
}

// sshConfigFile is a parsed ~/.ssh/config (nil: none).
type sshConfigFile struct {
	path string
	cfg  *ssh_config.Config
}

func loadSSHConfig(path, home string) (*sshConfigFile, error) {
	if path == "none" {
		return nil, nil
	}
	explicit := path != ""
	if !explicit {
		path = filepath.Join(home, ".ssh", "config")
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ssh config: %w", err)
	}
	defer f.Close()
	cfg, err := ssh_config.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("ssh config %s: %w", path, err)
	}
	return &sshConfigFile{path: path, cfg: cfg}, nil
}

func (c *sshConfigFile) get(name, key string) (string, error) {
	if c == nil {
		return "", nil
	}
	value, err := c.cfg.Get(name, key)
	if err != nil {
		return "", fmt.Errorf("ssh config %s: Host %s: %s: %w", c.path, name, key, err)
	}
	return value, nil
}

func (c *sshConfigFile) getAll(name, key string) []string {
	if c == nil {
		return nil
	}
	values, _ := c.cfg.GetAll(name, key)
	return values
}

// mergeSettings fills what the inventory left out from -o options, then
// ~/.ssh/config's block for the host. Ansible passes ansible_host to ssh as
// the destination, so the config's Host patterns match it (else the
// inventory name).
func mergeSettings(s *SSHSettings, opts sshOptions, cfg *sshConfigFile, home string) error {
	name := stringOr(s.Host, s.Alias)
	lookup := func(key string) (string, error) {
		if v, ok := opts.values[key]; ok {
			return v, nil
		}
		return cfg.get(name, key)
	}
	m := merger{lookup: lookup}
	s.Host = stringOr(strings.ReplaceAll(m.get("hostname"), "%h", name), name)
	s.User = stringOr(s.User, m.get("user"))
	if s.Port == 0 {
		s.Port = m.port("port")
	}
	s.IdentityFiles = append(s.IdentityFiles, opts.identities...)
	s.IdentityFiles = append(s.IdentityFiles, cfg.getAll(name, "IdentityFile")...)
	m.timing(s)
	m.hostKeys(s, home)
	if m.err != nil {
		return m.err
	}
	return finishSettings(s, m.get("proxyjump"), cfg, home)
}

func finishSettings(s *SSHSettings, proxyJump string, cfg *sshConfigFile, home string) error {
	jumps, err := parseProxyJump(proxyJump, cfg)
	if err != nil {
		return err
	}
	s.Jumps = jumps
	s.IdentityFiles = identityFiles(s.IdentityFiles, home, s)
	for i := range s.Jumps {
		s.Jumps[i].IdentityFiles = identityFiles(s.Jumps[i].IdentityFiles, home, s)
	}
	return s.check()
}

// merger reads options, remembering the first bad one.
type merger struct {
	lookup func(key string) (string, error)
	err    error
}

func (m *merger) get(key string) string {
	value, err := m.lookup(key)
	if err != nil && m.err == nil {
		m.err = err
	}
	return value
}

func (m *merger) port(key string) int {
	text := m.get(key)
	if text == "" {
		return 0
	}
	n, err := strconv.Atoi(text)
	if err != nil && m.err == nil {
		m.err = fmt.Errorf("%s %q is not a number", key, text)
	}
	return n
}

func (m *merger) seconds(key string) time.Duration {
	return time.Duration(m.port(key)) * time.Second
}

func (m *merger) timing(s *SSHSettings) {
	if s.ConnectTimeout == 0 {
		s.ConnectTimeout = m.seconds("connecttimeout")
	}
	s.KeepAliveInterval = m.seconds("serveraliveinterval")
	s.KeepAliveCountMax = m.port("serveralivecountmax")
}

func (m *merger) hostKeys(s *SSHSettings, home string) {
	switch strings.ToLower(m.get("stricthostkeychecking")) {
	case "no", "off":
		s.HostKeyChecking = false
	}
	files := strings.Fields(m.get("userknownhostsfile"))
	if len(files) == 0 {
		files = []string{"~/.ssh/known_hosts", "~/.ssh/known_hosts2"}
	}
	for _, f := range append(files, "/etc/ssh/ssh_known_hosts") {
		if f != "none" && f != "/dev/null" {
			s.KnownHostsFiles = append(s.KnownHostsFiles, expandHome(f, home))
		}
	}
}

// parseProxyJump reads "[user@]host[:port],..." ("none": no jump).
func parseProxyJump(value string, cfg *sshConfigFile) ([]SSHJump, error) {
	if value == "" || strings.EqualFold(value, "none") {
		return nil, nil
	}
	var jumps []SSHJump
	for _, hop := range strings.Split(value, ",") {
		jump, err := parseJump(strings.TrimSpace(hop), cfg)
		if err != nil {
			return nil, fmt.Errorf("ProxyJump %q: %w", value, err)
		}
		jumps = append(jumps, jump)
	}
	return jumps, nil
}

func parseJump(hop string, cfg *sshConfigFile) (SSHJump, error) {
	hop = strings.TrimPrefix(hop, "ssh://")
	var jump SSHJump
	if at := strings.LastIndex(hop, "@"); at >= 0 {
		jump.User, hop = hop[:at], hop[at+1:]
	}
	jump.Alias = hop
	if host, port, err := splitHostPortLoose(hop); err != nil {
		return SSHJump{}, err
	} else {
		jump.Alias, jump.Port = host, port
	}
	return resolveJump(jump, cfg)
}

// splitHostPortLoose accepts host, host:port, [v6] and [v6]:port.
func splitHostPortLoose(hop string) (string, int, error) {
	if !strings.Contains(hop, ":") || (strings.HasPrefix(hop, "[") && strings.HasSuffix(hop, "]")) {
		return strings.Trim(hop, "[]"), 0, nil
	}
	host, portText, ok := strings.Cut(hop, ":")
	if strings.HasPrefix(hop, "[") {
		end := strings.Index(hop, "]:")
		host, portText, ok = hop[1:end], hop[end+2:], end > 0
	}
	port, err := strconv.Atoi(portText)
	if !ok || err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("%q is not host:port", hop)
	}
	return host, port, nil
}

func resolveJump(jump SSHJump, cfg *sshConfigFile) (SSHJump, error) {
	m := merger{lookup: func(key string) (string, error) { return cfg.get(jump.Alias, key) }}
	jump.Host = stringOr(strings.ReplaceAll(m.get("hostname"), "%h", jump.Alias), jump.Alias)
	jump.User = stringOr(jump.User, m.get("user"))
	if jump.Port == 0 {
		jump.Port = m.port("port")
	}
	jump.IdentityFiles = cfg.getAll(jump.Alias, "IdentityFile")
	return jump, m.err
}

// identityFiles expands ~ and %d/%u/%h, and adds OpenSSH's default keys
// that exist when none were named.
func identityFiles(files []string, home string, s *SSHSettings) []string {
	if len(files) == 0 {
		for _, name := range []string{"id_rsa", "id_ecdsa", "id_ed25519"} {
			path := filepath.Join(home, ".ssh", name)
			if _, err := os.Stat(path); err == nil {
				files = append(files, path)
			}
		}
	}
	out := make([]string, 0, len(files))
	replacer := strings.NewReplacer("%d", home, "%u", s.User, "%h", s.Host, "%%", "%")
	for _, f := range files {
		out = append(out, expandHome(replacer.Replace(f), home))
	}
	return out
}

func passwdHome() (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", err
	}
	return u.HomeDir, nil
}
