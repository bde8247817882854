package hvedit

import "testing"

func TestRenamedReplacesWholeWordsOnly(t *testing.T) {
	for in, want := range map[string]string{
		"qwen2.5-7b-armitage":    "qwen2.5-7b-molly",
		"vllm_armitage":          "vllm_molly",
		"armitages":              "armitages",
		"armitagearmitage":       "armitagearmitage",
		"armitage armitage":      "molly molly",
		`C:\dev\armitage\x`:      `C:\dev\molly\x`,
		"xarmitage-armitage.yml": "xarmitage-molly.yml",
		"":                       "",
	} {
		if got := Renamed(in, "armitage", "molly"); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
