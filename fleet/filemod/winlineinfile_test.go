package filemod

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"testing"
)

// winStep is one win_lineinfile task of the module's integration test
// (community.windows 3b606203a2dc71ea8278a0581a51b3cacfd0677f,
// tests/integration/targets/win_lineinfile/tasks/main.yml), with the SHA-1
// win_stat reported on Windows afterwards (asserted there in CI) and the
// module's msg.
type winStep struct {
	at   string // main.yml line of the task
	args map[string]any
	sha1 string
	msg  string
}

func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// runWinSteps applies the steps in order to one file, as the integration
// test does, and checks each checksum and message.
func runWinSteps(t *testing.T, start string, exists bool, steps []winStep) {
	t.Helper()
	content := []byte(start)
	for _, s := range steps {
		a, err := ParseWinLineArgs(s.args)
		if err != nil {
			t.Fatalf("main.yml:%s: %v", s.at, err)
		}
		res, err := a.Apply(content, exists)
		if err != nil {
			t.Fatalf("main.yml:%s: %v", s.at, err)
		}
		if got := sha1Hex(res.Content); got != s.sha1 || res.Msg != s.msg || !res.Changed {
			t.Fatalf("main.yml:%s: sha1 %s msg %q changed %v, want %s %q changed\n%q", s.at, got, res.Msg, res.Changed, s.sha1, s.msg, res.Content)
		}
		content, exists = res.Content, true
	}
}

// The module's files/test.txt (win_copy'd as is: LF line ends; its SHA-1
// 5feac65e442c91f557fc90069ce6efc4d346ab51 is asserted at main.yml:40).
const winTestTxt = "This is line 1\nThis is line 2\nREF this is a line for backrefs REF\nThis is line 4\nThis is line 5\n"

func TestWinLineInFileMatchesTheModulesIntegrationChecksums(t *testing.T) {
	if sha1Hex([]byte(winTestTxt)) != "5feac65e442c91f557fc90069ce6efc4d346ab51" {
		t.Fatal("test.txt is not the module's")
	}
	p := map[string]any{"dest": `C:\tmp\test.txt`}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range p {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	runWinSteps(t, winTestTxt, true, []winStep{
		{at: "47", args: with("state", "present", "line", "New line at the beginning", "insertbefore", "BOF", "backup", true), sha1: "c61233b0ee2038aab41b5f30683c57b2a013b376", msg: "line added"},
		{at: "82", args: with("state", "present", "line", "New line at the end", "insertafter", "EOF"), sha1: "a91260ad67b00609cc0737ff70ac5170c6a519a8", msg: "line added"},
		{at: "102", args: with("line", "New line after line 1", "insertafter", "^This is line 1$"), sha1: "6ffbabdaa21ecb3593d32144de535598cfd7c6ea", msg: "line added"},
		{at: "122", args: with("line", "New line before line 5", "insertbefore", "^This is line 5$"), sha1: "49d988ad97fb4cce3ad795c8459f1cde231a891b", msg: "line added"},
		{at: "142", args: with("line", "This is line 3", "backrefs", "yes", "regexp", "^(REF).*$"), sha1: "6f9c2128f4c886f3c40c1f1cf50241d74f160437", msg: "line replaced"},
		{at: "163", args: with("state", "absent", "regexp", "^This is line 3$"), sha1: "4b7910c84bd1177b9013f277c85d5be55f384a36", msg: "1 line(s) removed"},
	})
}

func TestWinLineInFileCreatesAndAppendsWithEachNewline(t *testing.T) {
	create := map[string]any{"dest": `C:\tmp\new.txt`, "create": "yes", "insertbefore": "BOF", "line": "This is a new file"}
	last := func(kv ...string) map[string]any {
		m := map[string]any{"dest": `C:\tmp\new.txt`, "insertbefore": "EOF", "line": "This is the last line"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	// main.yml:420-456: created with CRLF (the module's WriteAllLines wrote
	// one empty line first), then appended with the windows newline.
	runWinSteps(t, "", false, []winStep{
		{at: "420", args: create, sha1: "84faac1183841c57434693752fc3debc91b9195d", msg: "line added"},
		{at: "440", args: last(), sha1: "6c6f51f98eb499852fbb7ef3b212c26752c25c31", msg: "line added"},
	})
	runWinSteps(t, "", false, []winStep{
		{at: "461", args: create, sha1: "84faac1183841c57434693752fc3debc91b9195d", msg: "line added"},
		{at: "481", args: last("newline", "unix"), sha1: "4aa2ad771bb1453406760eadee8234265d599dcf", msg: "line added"},
	})
	// main.yml:505-587: auto writes UTF-8 without a BOM, encoding utf-8 with
	// one, and auto keeps the BOM it finds.
	utf8 := map[string]any{"dest": `C:\tmp\u.txt`, "create": "yes", "insertbefore": "BOF", "line": "This is a new utf-8 file"}
	runWinSteps(t, "", false, []winStep{
		{at: "505", args: utf8, sha1: "b69fcbacca8291a4668f57fba91d7c022f1c3dc7", msg: "line added"},
		{at: "526", args: last("dest", `C:\tmp\u.txt`), sha1: "aeb246a40f614889534f4983f47c5567625ade53", msg: "line added"},
	})
	bom := map[string]any{"dest": `C:\tmp\u.txt`, "create": "yes", "encoding": "utf-8", "insertbefore": "BOF", "line": "This is a new utf-8 file"}
	runWinSteps(t, "", false, []winStep{
		{at: "549", args: bom, sha1: "d45344b2b3bf1cf90eae851b40612f5f37a88bbb", msg: "line added"},
		{at: "570", args: last("dest", `C:\tmp\u.txt`), sha1: "64c62066d06ea6c807a8fe98bc40c4903cf4c119", msg: "line added"},
	})
}

func TestWinLineInFileEOFAndEmptyFilesAndLineBreaksInTheLine(t *testing.T) {
	// main.yml:249: files/testnoeof.txt has no final newline.
	runWinSteps(t, "This is line 1\nThis is line 2", true, []winStep{{at: "249",
		args: map[string]any{"dest": `C:\t\noeof.txt`, "line": "New line at the end", "insertafter": "EOF"},
		sha1: "229852b09f7e9921fbcbb0ee0166ba78f7f7f261", msg: "line added"}})
	runWinSteps(t, "", true, []winStep{{at: "296",
		args: map[string]any{"dest": `C:\t\empty.txt`, "line": "New line at the end", "insertafter": "EOF"},
		sha1: "d3d34f11edda51be7ca5dcb0757cf3e1257c0bfe", msg: "line added"}})
	// main.yml:699-727: a literal backslash path, then one whose \r and \n
	// YAML made line breaks: written as they are (the SHA-1 at :727).
	runWinSteps(t, "", true, []winStep{
		{at: "699", args: map[string]any{"dest": `C:\t\lb.txt`, "line": `c:\return\new`}, sha1: "bb952ff0904eddf71a5f44b68d499672d45cc61f", msg: "line added"}, // the line alone (main.yml asserts only the end)
		{at: "706", args: map[string]any{"dest": `C:\t\lb.txt`, "line": "c:\return\new"}, sha1: "d2dfd11bc70526ff13a91153c76a7ae5595a845b", msg: "line added"},
	})
}

// winCase is a case derived from win_lineinfile.ps1's code (cited).
type winCase struct {
	name    string
	args    map[string]any
	before  string
	missing bool
	after   string
	changed bool
	err     string
}

func TestWinLineInFileRulesFromTheModule(t *testing.T) {
	cases := []winCase{
		{name: "a rewrite makes every line end CRLF (:15, :110)", args: map[string]any{"line": "b=2"},
			before: "a=1\nc=3\r\nd=4\re=5\n", after: "a=1\r\nc=3\r\nd=4\r\ne=5\r\nb=2\r\n", changed: true},
		{name: "no change leaves the bytes as they are (:213)", args: map[string]any{"line": "c=3"},
			before: "a=1\nc=3\r\n", after: "a=1\nc=3\r\n"},
		{name: "the regex's last match is replaced (:155-167)", args: map[string]any{"regex": "^port=", "line": "port=2"},
			before: "port=1\nx\nport=9\n", after: "port=1\r\nx\r\nport=2\r\n", changed: true},
		{name: "a regex that matches nothing appends, even when the line is there (:156-165)", args: map[string]any{"regex": "^nope", "line": "x"},
			before: "x\n", after: "x\r\nx\r\n", changed: true},
		{name: "insertafter: after the last match (:169-172)", args: map[string]any{"line": "new", "insertafter": "^#"},
			before: "# a\nv\n# b\nw\n", after: "# a\r\nv\r\n# b\r\nnew\r\nw\r\n", changed: true},
		{name: "insertbefore: before the last match (:173-175)", args: map[string]any{"line": "new", "insertbefore": "^#"},
			before: "# a\nv\n# b\n", after: "# a\r\nv\r\nnew\r\n# b\r\n", changed: true},
		{name: "insertafter with no match: at the end (:201)", args: map[string]any{"line": "new", "insertafter": "^zzz"},
			before: "a", after: "a\r\nnew", changed: true},
		{name: "bof in any case is BOF (PowerShell's -eq, :196)", args: map[string]any{"line": "new", "insertbefore": "bof"},
			before: "a\n", after: "new\r\na\r\n", changed: true},
		{name: "backrefs with no match: unchanged (:193-195)", args: map[string]any{"regex": "^(k)=(.*)$", "line": "$1: $2", "backrefs": true},
			before: "a=1\n", after: "a=1\n"},
		{name: "backrefs: .NET substitution in every match, the rest of the line kept (:182)", args: map[string]any{"regex": `(\w+)=(\d)`, "line": "${2}$1x$$", "backrefs": true},
			before: "a=1, b=2;\n", after: "1ax$, 2bx$;\r\n", changed: true},
		{name: "backrefs: a group that does not exist is literal", args: map[string]any{"regex": `^(a)`, "line": "$2$1$", "backrefs": true},
			before: "ab\n", after: "$2a$b\r\n", changed: true},
		{name: "backrefs giving the same line: unchanged (:187)", args: map[string]any{"regex": `^(a)=1$`, "line": "$1=1", "backrefs": true},
			before: "a=1\n", after: "a=1\n"},
		{name: "backrefs: empty matches only, each replaced as .NET does", args: map[string]any{"regex": `x*`, "line": "-", "backrefs": true},
			before: "abc\n", after: "-a-b-c-\r\n", changed: true},
		{name: "backrefs: empty and non-empty matches in one line are refused", args: map[string]any{"regex": `a*`, "line": "-", "backrefs": true},
			before: "baaac\n", err: "matches both empty and non-empty text"},
		{name: "backrefs: named and unnamed groups together are refused", args: map[string]any{"regex": `(?<k>\w+)=(\d)`, "line": "$1", "backrefs": true},
			before: "a=1\n", err: "mixes named and unnamed groups"},
		{name: "backrefs: ${name} and $0", args: map[string]any{"regex": `(?<k>[a-z]+)=(?<v>\d)`, "line": "${v}=${k} ($0)", "backrefs": true},
			before: "a=1\n", after: "1=a (a=1)\r\n", changed: true},
		{name: "the line is compared with case (-ceq, :164)", args: map[string]any{"line": "A=1"},
			before: "a=1\n", after: "a=1\r\nA=1\r\n", changed: true},
		{name: "absent removes the empty string after a final newline when it matches (:270-274)", args: map[string]any{"state": "absent", "regex": "^$"},
			before: "a\n\nb\n", after: "a\r\nb", changed: true},
		{name: "absent with no match: unchanged", args: map[string]any{"state": "absent", "line": "zzz"},
			before: "a\n", after: "a\n"},
		{name: "a UTF-8 BOM is kept (:383-434)", args: map[string]any{"line": "b"},
			before: "\xEF\xBB\xBFa\n", after: "\xEF\xBB\xBFa\r\nb\r\n", changed: true},
		{name: "create=false on a missing file fails with the module's message (:89-92)", args: map[string]any{"line": "b"},
			missing: true, err: `Path C:\t\f.txt does not exist !`},
		{name: "absent on a missing file fails (:249-251)", args: map[string]any{"state": "absent", "line": "b"},
			missing: true, err: `Path C:\t\f.txt does not exist !`},
		{name: "create then append at EOF: after the empty line WriteAllLines wrote (:94)", args: map[string]any{"line": "b", "create": true},
			missing: true, after: "\r\nb", changed: true},
		{name: "an empty line is no line (:446)", args: map[string]any{"line": ""},
			before: "a\n", err: "line= is required with state=present"},
		{name: "UTF-16 is refused", args: map[string]any{"line": "b"},
			before: "\xFF\xFEa\x00", err: "UTF-8 files only"},
		{name: "non-ASCII text under \\w is refused", args: map[string]any{"regex": `^\w+$`, "line": "b"},
			before: "é\n", err: "straylight does not guess"},
		{name: "a character outside the BMP is refused", args: map[string]any{"regex": `^.$`, "line": "b"},
			before: "😀\n", err: "Basic Multilingual Plane"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runWinCase(t, c) })
	}
}

func runWinCase(t *testing.T, c winCase) {
	c.args["path"] = `C:/t/f.txt`
	a, err := ParseWinLineArgs(c.args)
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Apply([]byte(c.before), !c.missing)
	switch {
	case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
		t.Fatalf("error %v, want %q", err, c.err)
	case c.err == "" && err != nil:
		t.Fatal(err)
	case c.err == "" && (string(res.Content) != c.after || res.Changed != c.changed):
		t.Fatalf("got %q changed %v, want %q changed %v", res.Content, res.Changed, c.after, c.changed)
	}
}

func TestWinLineArgsRefuseWhatStraylightDoesNotRun(t *testing.T) {
	for _, args := range []map[string]any{
		{"path": `C:\a`, "line": "x", "validate": "x %s"},
		{"path": `C:\a`, "line": "x", "encoding": "utf-16"},
		{"path": `C:\a`, "line": "x", "regex": `(?<=a)b`},
		{"path": `C:\a`, "line": "x", "regex": `(a)\1`},
		{"path": `C:\a`, "line": "x", "regex": `[a-z-[aeiou]]`},
		{"path": `C:\a`, "line": "x", "insertafter": `(?!x)`},
		{"path": `C:\a`, "line": "x", "regex": `(?P<n>a)`},
		{"path": `C:\a`, "line": "x", "regex": `\Qa.b\E`},
		{"path": `C:\a`, "line": "x", "regex": `\pL`},
		{"path": `C:\a`, "line": "x", "regex": `[[:alpha:]]`},
		{"path": `C:\a`, "line": "x", "regex": `(?U)a+`},
		{"path": `C:\a`, "line": "x", "regex": `\x{41}`},
		{"path": `%TEMP%\a`, "line": "x"},
		{"path": `C:\a`, "line": "x", "newline": "mac"},
		{"path": `C:\a`, "line": "x", "firstmatch": true},
	} {
		if _, err := ParseWinLineArgs(args); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
