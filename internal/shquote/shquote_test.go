package shquote

import (
	"os/exec"
	"testing"
)

// The expected words are what Python 3's shlex.quote prints for each input.
func TestQuoteIsShlexQuote(t *testing.T) {
	cases := map[string]string{
		"":                       "''",
		"plain":                  "plain",
		"a,b=c:d@e%f+":           "a,b=c:d@e%f+",
		"/opt/vllm-1.0/start.sh": "/opt/vllm-1.0/start.sh",
		"two words":              "'two words'",
		"it's":                   `'it'"'"'s'`,
		"$HOME":                  "'$HOME'",
		"é":                      "'é'",
		"a\nb":                   "'a\nb'",
	}
	for in, want := range cases {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAlwaysQuotesSafeWordsToo(t *testing.T) {
	if got := Always("plain"); got != "'plain'" {
		t.Errorf("Always(plain) = %q", got)
	}
}

// sh reads every quoted word back as the word itself.
func TestShellReadsTheWordsBack(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh:", err)
	}
	for _, word := range []string{"", "'", `"`, `\\`, "it's", `"double" and 'single'`, "$(id) `id` \\n", "$HOME", "*", "!x", `'"'"'`, "tab\there\nnewline", "é ü", "-n"} {
		for _, quote := range []func(string) string{Quote, Always} {
			out, err := exec.Command(sh, "-c", "printf %s "+quote(word)).Output()
			if err != nil || string(out) != word {
				t.Errorf("sh read %q back as %q (%v)", quote(word), out, err)
			}
		}
	}
}
