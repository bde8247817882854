package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pathURLSuite covers the path filters (path_join, splitext, realpath,
// relpath, expanduser, expandvars, win_splitdrive, fileglob; normpath and
// commonpath, ansible-core 2.19's), the URL ones (urldecode, urlsplit),
// to_uuid, from_json, from_yaml_all, and the uri and task result tests
// (uri, url, urn, finished, started, reachable, unreachable; timedout,
// 2.19's). The controller's files are a folder the test makes, written
// into the templates as absolute paths; outputs name no path of it, nor
// $HOME, so the recorded outputs hold on any machine.
func pathURLSuite(t *testing.T) oracleSuite {
	paths := strings.NewReplacer(pathURLFixture(t)...)
	cases := append(pathCases(), urlCases()...)
	cases = append(cases, jsonYAMLCases()...)
	cases = append(cases, resultTestCases()...)
	for i := range cases {
		cases[i].src = paths.Replace(cases[i].src)
	}
	return oracleSuite{name: "pathurl", cases: cases}
}

// pathURLFixture makes the suite's folder: files to glob (a hidden one, a
// folder, links) and links to resolve (relative, dangling, a loop).
func pathURLFixture(t *testing.T) []string {
	t.Helper()
	tmp := t.TempDir()
	path := func(name string) string { return filepath.Join(tmp, name) }
	for _, dir := range []string{"dir", "glob", "glob/sub", "glob/sub.d"} {
		if err := os.Mkdir(path(dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, file := range []string{"file.txt", "glob/a.txt", "glob/b.txt", "glob/c.log", "glob/.hidden.txt", "glob/sub/d.txt", "glob/sub.d/e.txt", "glob/[x].txt", "glob/-.txt", "glob/!.txt"} {
		if err := os.WriteFile(path(file), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"link-to-file": path("file.txt"), "link-to-dir": path("dir"), "dangling": path("gone"),
		"relative": "dir/../file.txt", "loop1": "loop2", "loop2": "loop1", "glob/l.txt": "a.txt", "glob/dangling.txt": "gone.txt"}
	for link, target := range links {
		if err := os.Symlink(target, path(link)); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"@TMP@", tmp, "@G@", path("glob"), "@LF@", path("link-to-file"), "@LD@", path("link-to-dir"),
		"@DANGLING@", path("dangling"), "@REL@", path("relative"), "@LOOP@", path("loop1")}
}

func pathCases() []oracleCase {
	return []oracleCase{
		{name: "path_join", src: "{{ ['/etc', 'x', 'y.conf'] | path_join }} {{ 'a' | path_join }} {{ ['a', '/b', 'c'] | path_join }} {{ ['a/', 'b'] | path_join }} [{{ ['', 'b'] | path_join }}] {{ ['a', ''] | path_join }} {{ ('a', 'b') | path_join }} {{ ['é', 'ü'] | path_join }} [{{ '' | path_join }}]\n"},
		{name: "path_join_dict", src: "{{ {'a': 1} | path_join }}\n", wantError: true},
		{name: "path_join_empty", src: "{{ [] | path_join }}\n", wantError: true},
		{name: "path_join_number", src: "{{ ['a', 1] | path_join }}\n", wantError: true},
		{name: "path_join_none", src: "{{ none | path_join }}\n", wantError: true},
		{name: "splitext", src: "{{ 'a/b.tar.gz' | splitext }} {{ '.bashrc' | splitext }} {{ 'a/..b' | splitext }} {{ 'a.b/c' | splitext }} {{ 'x.' | splitext }} {{ '' | splitext }} {{ ('a.txt' | splitext) | first }} {{ ('a.txt' | splitext)[1] }} {{ '/x/...y.z' | splitext }}\n"},
		{name: "splitext_number", src: "{{ 5 | splitext }}\n", wantError: true},
		{name: "win_splitdrive", src: "{{ 'C:\\\\x\\\\y' | win_splitdrive }} {{ '//host/share/dir' | win_splitdrive }} {{ '\\\\\\\\?\\\\UNC\\\\srv\\\\share\\\\x' | win_splitdrive }} {{ 'x' | win_splitdrive }} {{ 'c:' | win_splitdrive }} {{ '//host' | win_splitdrive }} {{ '//host/' | win_splitdrive }} {{ '' | win_splitdrive }} {{ 'c:/a' | win_splitdrive | last }}\n"},
		{name: "realpath", src: "{% set base = '@TMP@' | realpath %}{{ '@LF@' | realpath | relpath(base) }} {{ '@LD@/../link-to-file' | realpath | relpath(base) }} {{ '@DANGLING@' | realpath | relpath(base) }} {{ '@REL@' | realpath | relpath(base) }} {{ '@LOOP@/x' | realpath | relpath(base) }} {{ '@TMP@/missing/../dir/./' | realpath | relpath(base) }} {{ '/' | realpath }} {{ '//' | realpath }} {{ '@LD@' | realpath == base ~ '/dir' }}\n"},
		{name: "realpath_none", src: "{{ none | realpath }}\n", wantError: true},
		{name: "relpath", src: "{{ '/a/b/c' | relpath('/a/d') }} {{ '/a' | relpath('/a') }} {{ '/a/b' | relpath('/') }} {{ '//a/./b/' | relpath('/a') }} {{ '/a/../b' | relpath(start='/x/y') }} {{ '/é/ü' | relpath('/é') }}\n"},
		{name: "relpath_empty", src: "{{ '' | relpath('/a') }}\n", wantError: true},
		{name: "relpath_number", src: "{{ 5 | relpath('/a') }}\n", wantError: true},
		{name: "expanduser", src: "{{ ('~' | expanduser) == lookup('env', 'HOME') }} {{ ('~/x/y' | expanduser) == lookup('env', 'HOME') ~ '/x/y' }} {{ '~root/x' | expanduser }} {{ '~nosuchuser_zz/x' | expanduser }} {{ 'a~' | expanduser }} [{{ '' | expanduser }}] {{ '/~' | expanduser }}\n"},
		{name: "expanduser_list", src: "{{ ['~'] | expanduser }}\n", wantError: true},
		{name: "expandvars", src: "{{ ('$HOME/x:${HOME}' | expandvars) == lookup('env', 'HOME') ~ '/x:' ~ lookup('env', 'HOME') }} {{ '$NO_SUCH_VAR_ZZ ${NO_SUCH_ZZ} $ ${} $$ $-x ${unclosed' | expandvars }} {{ 'no vars' | expandvars }} {{ ('a$HOME' | expandvars) == 'a' ~ lookup('env', 'HOME') }}\n"},
		{name: "expandvars_number", src: "{{ 5 | expandvars }}\n", wantError: true},
		{name: "normpath", src: "{{ '/a//b/./c/../d/' | normpath }} {{ '//a' | normpath }} {{ '///a' | normpath }} {{ '' | normpath }} {{ '../a/..' | normpath }} {{ 'a/../..' | normpath }} {{ '/../x' | normpath }} {{ './' | normpath }}\n", failsUnder: "2.14"},
		{name: "normpath_number", src: "{{ 5 | normpath }}\n", wantError: true},
		{name: "commonpath", src: "{{ ['/a/b/c', '/a/b/d', '/a/bc'] | commonpath }} {{ ['a/b', 'a/./b/c'] | commonpath }} {{ ['/x'] | commonpath }} {{ ['/', '/a'] | commonpath }} [{{ ['a', 'b'] | commonpath }}] {{ ('/a/x', '/a/y') | commonpath }}\n", failsUnder: "2.14"},
		{name: "commonpath_mixed", src: "{{ ['/a', 'a'] | commonpath }}\n", wantError: true},
		{name: "commonpath_string", src: "{{ '/a/b' | commonpath }}\n", wantError: true},
		{name: "commonpath_empty", src: "{{ [] | commonpath }}\n", wantError: true},
		{name: "fileglob", src: "{{ '@G@/*.txt' | fileglob | map('basename') | sort | list }} {{ '@G@/.*' | fileglob | map('basename') | list }} {{ '@G@/*' | fileglob | length }} {{ '@G@/*/*.txt' | fileglob | map('basename') | sort | list }} {{ '@G@/[ab].txt' | fileglob | map('basename') | sort | list }} {{ '@G@/[!a].txt' | fileglob | map('basename') | sort | list }} {{ '@G@/?.log' | fileglob | map('basename') | list }} {{ '@G@/nomatch*' | fileglob }} {{ '@G@/a.txt' | fileglob | map('basename') | list }} {{ '@G@/sub' | fileglob }} {{ '@G@/[[]x].txt' | fileglob | map('basename') | list }} {{ '@G@/[b-a].txt' | fileglob }} {{ '@G@/[a-c-].txt' | fileglob | map('basename') | sort | list }} {{ '@G@/[' | fileglob }} {{ '@G@/sub*/' | fileglob }} {{ '@G@/*.d/*' | fileglob | map('basename') | list }}\n"},
		{name: "fileglob_lookup", src: "{{ lookup('fileglob', '@G@/*.txt', wantlist=True) | map('basename') | sort | list }} {{ query('fileglob', '@G@/.*', '@G@/*.log') | map('basename') | list }}\n"},
		{name: "fileglob_number", src: "{{ 5 | fileglob }}\n", wantError: true},
		{name: "path_qualified", src: "{{ ['a', 'b'] | ansible.builtin.path_join }} {{ 'a.b' | ansible.legacy.splitext }} {{ 'c:x' | ansible.builtin.win_splitdrive }}\n"},
	}
}

func urlCases() []oracleCase {
	return []oracleCase{
		{name: "urldecode", src: "{{ 'a+b%20c%2Fd%e2%82%ac%zz%4' | urldecode }} {{ '%C3%A9é%e2%82' | urldecode }} [{{ '' | urldecode }}] {{ '%e2%82%ff%41' | urldecode }} {{ 'é%' | urldecode }} {{ '%f0%9f%98' | urldecode }} {{ '%ed%a0%80x' | urldecode }} {{ '%c0%af' | urldecode }}\n"},
		{name: "urldecode_number", src: "{{ 5 | urldecode }}\n", wantError: true},
		{name: "urlsplit", src: "{{ 'http://user:password@www.acme.com:9000/dir/index.html?query=term#fragment' | urlsplit }}\n{{ 'HTTP://User@EXAMPLE.com' | urlsplit }}\n{{ 'mailto:x@y' | urlsplit }}\n{{ 'http://[::1]:80/x' | urlsplit('hostname') }} {{ ('http://h:0080/' | urlsplit('port')) + 1 }} {{ '//h/p' | urlsplit('netloc') }} {{ '/p?q=1#f' | urlsplit('query') }} {{ '  http://x\t/y' | urlsplit('path') }} [{{ 'x' | urlsplit('scheme') }}] {{ 'x' | urlsplit('') }} {{ 'http://u:@h' | urlsplit('password') }} {{ 'http://[FE80::1%eTh0]/' | urlsplit('hostname') }} {{ 'a1+.-:b' | urlsplit('scheme') }} {{ '1a:b' | urlsplit('path') }} {{ 'http://é.com/' | urlsplit('hostname') }}\n"},
		{name: "urlsplit_ipv6", src: "{{ 'http://[::1/' | urlsplit }}\n", wantError: true},
		{name: "urlsplit_ipv4_brackets", src: "{{ 'http://[1.2.3.4]/' | urlsplit('path') }}\n", wantError: true},
		{name: "urlsplit_port_range", src: "{{ 'http://h:99999/' | urlsplit('path') }}\n", wantError: true},
		{name: "urlsplit_port_text", src: "{{ 'http://h:x/' | urlsplit('scheme') }}\n", wantError: true},
		{name: "urlsplit_unknown", src: "{{ 'http://h/' | urlsplit('nope') }}\n", wantError: true},
		{name: "urlsplit_number", src: "{{ 5 | urlsplit }}\n", wantError: true},
		{name: "to_uuid", src: "{{ 'wintermute' | to_uuid }} {{ 'x' | to_uuid(namespace='6ba7b810-9dad-11d1-80b4-00c04fd430c8') }} {{ 'x' | to_uuid('{6BA7B810-9dad-11d1-80b4-00c04fd430c8}') }} {{ 'x' | to_uuid('urn:uuid:6ba7b8109dad11d180b400c04fd430c8') }} {{ 5 | to_uuid }} {{ none | to_uuid }} {{ 'é' | to_uuid }} {{ [1, 'a'] | to_uuid }} {{ '' | to_uuid }}\n"},
		{name: "to_uuid_bad_namespace", src: "{{ 'x' | to_uuid('bad') }}\n", wantError: true},
		{name: "to_uuid_number_namespace", src: "{{ 'x' | to_uuid(5) }}\n", wantError: true},
		{name: "uri_tests", src: "{{ 'http://x' is uri }} {{ 'x' is uri }} {{ '' is uri }} {{ 'mailto:a@b' is url }} {{ 'file:///x' is url }} {{ 'http://x' is url(['https']) }} {{ 'http://x' is url(schemes=['http', 'https']) }} {{ 'urn:isbn:1' is urn }} {{ 'URN:x' is urn }} {{ 'http://[::1' is uri }} {{ none is uri }} {{ 0 is uri }} {{ 5 is uri }} {{ [] is url }} {{ none is urn }} {{ 'http://x' is uri('http') }} {{ 'ht://x' is uri('http') }} {{ 'x:y' is uri(['x']) }} {{ none is uri(['x']) }} {{ 'http://h:x/' is url }} {{ 'http://x' is not url }} {{ ['a'] is uri }} {{ 'x' is ansible.builtin.uri }}\n"},
		{name: "uri_undefined", src: "{{ nothere is uri }} {{ nothere is url }} {{ nothere is urn }}\n", failsUnder: "2.19"},
		{name: "urn_schemes", src: "{{ 'urn:x' is urn(['urn']) }}\n", wantError: true},
	}
}

func jsonYAMLCases() []oracleCase {
	return []oracleCase{
		{name: "from_json", src: "{{ '{\"b\": 1, \"a\": [1, 2.5, -0, -0.0, 1e2, 1E-2, true, false, null], \"b\": 2}' | from_json }}\n{{ '{\"z\": {\"y\": []}, \"a\": {}}' | from_json | to_json }} {{ '\"\\\\u00e9\\\\ud83d\\\\ude00\\\\n\\\\t\\\\/x\"' | from_json | to_json }} {{ '[NaN, Infinity, -Infinity]' | from_json }} {{ ' 5 ' | from_json }} {{ '\"s\"' | from_json }} {{ '1234567890123456789' | from_json }} {{ ('{\"a\": 1}' | from_json).a + 1 }} {{ '1e400' | from_json }} {{ '[1.5e-400, 0.1, 1.0]' | from_json }} {{ '\\n[ 1 ,\\r\\n2 ]\\t' | from_json }} {{ '\"é\"' | from_json }}\n"},
		{name: "from_json_markers", src: "{{ '{\"__ansible_unsafe\": \"x\"}' | from_json }}\n", failsUnder: "2.19"},
		{name: "from_json_type_marker", src: "{{ '[{\"a\": {\"b\": 1, \"__ansible_type\": \"x\"}}]' | from_json }}\n", failsUnder: "2.19"},
		{name: "from_json_empty", src: "{{ '' | from_json }}\n", wantError: true},
		{name: "from_json_trailing_comma", src: "{{ '{\"a\": 1,}' | from_json }}\n", wantError: true},
		{name: "from_json_extra", src: "{{ '[1] x' | from_json }}\n", wantError: true},
		{name: "from_json_number", src: "{{ 5 | from_json }}\n", wantError: true},
		{name: "from_json_none", src: "{{ none | from_json }}\n", wantError: true},
		{name: "from_json_single_quotes", src: "{{ \"{'a': 1}\" | from_json }}\n", wantError: true},
		{name: "from_json_leading_zero", src: "{{ '01' | from_json }}\n", wantError: true},
		{name: "from_json_control", src: "{{ '\"a\tb\"' | from_json }}\n", wantError: true},
		{name: "from_yaml_all", src: "{{ 'a: 1\\n---\\nb: [x, yes]\\n' | from_yaml_all | list }} {{ '---\\n---\\n' | from_yaml_all | list }} {{ '' | from_yaml_all | list }} [{{ none | from_yaml_all }}] {{ 5 | from_yaml_all }} {{ 'x: 1' | from_yaml_all | first }} {{ '--- 1\\n--- [2]\\n...\\n' | from_yaml_all | list | to_json }} {{ 'a: &x 1\\nb: *x\\n' | from_yaml_all | list }}\n"},
		{name: "from_yaml_all_bad", src: "{{ 'a: [' | from_yaml_all | list }}\n", wantError: true},
	}
}

func resultTestCases() []oracleCase {
	return []oracleCase{
		{name: "async_tests", src: "{{ {'finished': 1} is finished }} {{ {'finished': 0} is finished }} {{ {} is finished }} {{ {'finished': true} is finished }} {{ {'started': 1} is started }} {{ {'started': 1.0} is started }} {{ {} is started }} {{ {'started': 0} is started }} {{ {'finished': 1} is not finished }}\n"},
		{name: "async_tests_truth", src: "{{ {'started': 'yes'} is started }} {{ {'finished': 2} is finished }} {{ {'finished': none} is finished }}\n"},
		{name: "reachable_tests", src: "{{ {'unreachable': true} is unreachable }} {{ {} is unreachable }} {{ {} is reachable }} {{ {'unreachable': true} is reachable }} {{ {'unreachable': 0} is reachable }} {% if {'unreachable': 'x'} is unreachable %}u{% endif %}{% if {'unreachable': ''} is reachable %}r{% endif %}\n"},
		{name: "finished_string", src: "{{ 'x' is finished }}\n", wantError: true},
		{name: "started_list", src: "{{ [] is started }}\n", wantError: true},
		{name: "unreachable_string", src: "{{ 'x' is unreachable }}\n", wantError: true},
		{name: "reachable_none", src: "{{ none is reachable }}\n", wantError: true},
		{name: "timedout", src: "{{ {'timedout': {'period': 5}} is timedout }} {{ {} is timedout }} {{ {'timedout': {}} is timedout }} {{ {'timedout': false} is timedout }} {{ {'timedout': {'period': 0}} is timedout }}\n", failsUnder: "2.14"},
		{name: "timedout_number", src: "{{ {'timedout': 5} is timedout }}\n", wantError: true},
		{name: "timedout_string", src: "{{ 'x' is timedout }}\n", wantError: true},
	}
}
