package render

import (
	"testing"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Several keyword arguments a filter does not take: the error names the
// first by name, the same on every run (gonja hands them over as a map).
func TestBindNamesTheSameUnexpectedKeywordEachRun(t *testing.T) {
	va := &exec.VarArgs{KwArgs: map[string]*exec.Value{
		"zeta": exec.AsValue(1), "alpha": exec.AsValue(2), "mid": exec.AsValue(3), "indent": exec.AsValue(4),
	}}
	for range 20 {
		_, err := bind("to_nice_yaml", []string{"indent"}, va)
		if err == nil || err.Error() != "to_nice_yaml() got an unexpected keyword argument 'alpha'" {
			t.Fatalf("bind = %v", err)
		}
	}
}
