package remote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The samples under testdata/clixml are stderr as Windows PowerShell 5.1
// sends it through WinRM; each .txt is what a person should read.
func TestDecodeCLIXMLSamples(t *testing.T) {
	samples, _ := filepath.Glob(filepath.Join("testdata", "clixml", "*.clixml"))
	if len(samples) == 0 {
		t.Fatal("no samples in testdata/clixml")
	}
	for _, sample := range samples {
		t.Run(filepath.Base(sample), func(t *testing.T) {
			raw, err1 := os.ReadFile(sample)
			want, err2 := os.ReadFile(strings.TrimSuffix(sample, ".clixml") + ".txt")
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if got := DecodeCLIXML(string(raw)); got != string(want) {
				t.Errorf("DecodeCLIXML =\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func clixmlError(text string) string {
	return "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">" +
		"<S S=\"Error\">" + text + "</S></Objs>"
}

func TestDecodeCLIXMLEscapes(t *testing.T) {
	cases := []struct{ escaped, want string }{
		{"line_x000D__x000A_", "line\n"},
		{"tab_x0009_here", "tab\there"},
		{"rocket _xD83D__xDE80_", "rocket 🚀"},
		{"lower _x005f_", "lower _"},
		{"literal _x005F_x005F_", "literal _x005F_"},
		{"not hex _x00G1_", "not hex _x00G1_"},
		{"lone _xD83D_ surrogate", "lone \uFFFD surrogate"},
		{"&lt;xml&gt; &amp; quotes &quot;", `<xml> & quotes "`},
		{"unicode in hex range _x\u6100\u6200_", "unicode in hex range _x\u6100\u6200_"},
	}
	for _, tc := range cases {
		if got := DecodeCLIXML(clixmlError(tc.escaped)); got != tc.want {
			t.Errorf("DecodeCLIXML(%q) = %q, want %q", tc.escaped, got, tc.want)
		}
	}
}

func TestDecodeCLIXMLKeepsSurroundingText(t *testing.T) {
	got := DecodeCLIXML("warning: before\r\n" + clixmlError("boom_x000D__x000A_") + "after\r\n")
	if got != "warning: before\nboom\nafter\n" {
		t.Errorf("got %q", got)
	}
}

func TestDecodeCLIXMLLeavesOtherTextAlone(t *testing.T) {
	for _, in := range []string{
		"",
		"Access is denied.\r\n",
		"#< CLIXML\r\n<Objs Version=\"1.1.0.1\"><S S=\"Error\">never closed",
		"#< CLIXML\r\n<Objs Version=\"1.1.0.1\"><not closed properly</Objs>",
		"#< CLIXML\r\nplain text after the marker",
	} {
		if got := DecodeCLIXML(in); got != strings.ReplaceAll(in, "\r\n", "\n") {
			t.Errorf("DecodeCLIXML(%q) = %q, want it unchanged", in, got)
		}
	}
}

func TestDecodeCLIXMLErrorRecordObject(t *testing.T) {
	in := "#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">" +
		"<Obj S=\"Error\" RefId=\"0\"><TN RefId=\"0\"><T>System.Management.Automation.ErrorRecord</T></TN>" +
		"<ToString>docker : error during connect</ToString><MS><S N=\"ErrorCategory_Reason\">RemoteException</S></MS></Obj></Objs>"
	if got := DecodeCLIXML(in); got != "docker : error during connect\n" {
		t.Errorf("got %q", got)
	}
}

func TestDecodeCLIXMLInvalidUTF8(t *testing.T) {
	got := DecodeCLIXML(clixmlError("f\x81r"))
	if !utf8.ValidString(got) || !strings.HasPrefix(got, "f") || !strings.HasSuffix(got, "r") {
		t.Errorf("got %q, want valid UTF-8 around a replacement", got)
	}
}

func FuzzDecodeCLIXML(f *testing.F) {
	f.Add(clixmlError("boom_x000D__x000A_"))
	f.Add("#< CLIXML\r\n#< CLIXML\r\n<Objs><S>a</S></Objs><Objs><Obj S=\"x\"><ToString>b</ToString></Obj></Objs>tail")
	f.Add("#< CLIXML\r\n<Objs><S S=\"Error\">_xD83D__xDE80__x005F_x</S>")
	f.Fuzz(func(t *testing.T, in string) {
		out := DecodeCLIXML(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Errorf("valid input %q decoded to invalid UTF-8 %q", in, out)
		}
	})
}
