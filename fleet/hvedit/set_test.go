package hvedit

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestSetArmitageGPUUtilizationChangesOneLine(t *testing.T) {
	path := seedCopy(t, "armitage.yml")
	before := readString(t, path)
	res, err := Set(path, []string{"vllm", "gpu_memory_utilization"}, 0.9, Options{Name: "host_vars/armitage.yml"})
	if err != nil {
		t.Fatal(err)
	}
	after := readString(t, path)
	if diff := changedLines(t, before, after); !reflect.DeepEqual(diff, []int{12}) {
		t.Fatalf("changed lines %v, want [12]:\n%s", diff, after)
	}
	if want := strings.Replace(before, "gpu_memory_utilization: 0.85\n", "gpu_memory_utilization: 0.9\n", 1); after != want {
		t.Errorf("got\n%s\nwant\n%s", after, want)
	}
	if want := "host_vars/armitage.yml:12: vllm.gpu_memory_utilization 0.85 → 0.9"; res.Description != want {
		t.Errorf("description %q, want %q", res.Description, want)
	}
	if res.OldValue != 0.85 || res.NewValue != 0.9 || res.Added || res.Secret || string(res.OldFile) != before || string(res.NewFile) != after {
		t.Errorf("result %+v", res)
	}
}

func TestSetWintermuteKeepsKeyFixComment(t *testing.T) {
	path := seedCopy(t, "wintermute.yml")
	before := readString(t, path)
	if _, err := Set(path, []string{"vllm", "gpu_memory_utilization"}, 0.9, Options{}); err != nil {
		t.Fatal(err)
	}
	res, err := Set(path, []string{"vllm", "served_model_name"}, "llama31-8b-wintermute-v2", Options{})
	if err != nil {
		t.Fatal(err)
	}
	after := readString(t, path)
	if diff := changedLines(t, before, after); !reflect.DeepEqual(diff, []int{5, 10}) {
		t.Fatalf("changed lines %v, want [5 10]:\n%s", diff, after)
	}
	lines := strings.Split(after, "\n")
	if want := `  served_model_name: "llama31-8b-wintermute-v2"  # ← KEY FIX`; lines[4] != want {
		t.Errorf("line 5 = %q, want %q", lines[4], want)
	}
	if lines[9] != "  gpu_memory_utilization: 0.9" || lines[0] != "# vLLM Configuration" {
		t.Errorf("lines 1 and 10: %q %q", lines[0], lines[9])
	}
	if res.OldText != "llama31-8b-wintermute" || res.Line != 5 {
		t.Errorf("result %+v", res)
	}
}

func TestAddAbsentKeyAddsOneLineAtTheEndOfItsMapping(t *testing.T) {
	path := seedCopy(t, "wintermute.yml")
	before := readString(t, path)
	res, err := Set(path, []string{"vllm", "max_num_seqs"}, 1, Options{Name: "host_vars/wintermute.yml"})
	if err != nil {
		t.Fatal(err)
	}
	if want := before + "  max_num_seqs: 1\n"; readString(t, path) != want {
		t.Errorf("got\n%s\nwant\n%s", readString(t, path), want)
	}
	if !res.Added || res.Line != 16 || res.OldText != Unset || res.OldValue != nil {
		t.Errorf("result %+v", res)
	}
	if want := "host_vars/wintermute.yml:16: vllm.max_num_seqs (unset) → 1 (added)"; res.Description != want {
		t.Errorf("description %q", res.Description)
	}
}

func TestAddKeyInsideTheMappingBeforeFollowingKeys(t *testing.T) {
	text := "vllm:\n  port: 8000  # api\n\n  # tuning\n  model: \"m\"\n\nother: 1  # keep\n"
	got, _ := setText(t, text, []string{"vllm", "quantization"}, "awq")
	want := "vllm:\n  port: 8000  # api\n\n  # tuning\n  model: \"m\"\n  quantization: \"awq\"\n\nother: 1  # keep\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestAddKeyCreatesMissingParents(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"absent parent", "# host\nansible_host: localhost\n",
			"# host\nansible_host: localhost\nvllm:\n  max_num_seqs: 1\n"},
		{"empty file", "", "vllm:\n  max_num_seqs: 1\n"},
		{"comments only, no final newline", "# nothing yet", "# nothing yet\nvllm:\n  max_num_seqs: 1"},
		{"empty parent", "vllm:\nother: 2\n", "vllm:\n  max_num_seqs: 1\nother: 2\n"},
		{"null parent with a comment", "vllm: ~  # later\n", "vllm:  # later\n  max_num_seqs: 1\n"},
		{"four-space indentation", "a:\n    b: 1\n", "a:\n    b: 1\nvllm:\n    max_num_seqs: 1\n"},
		{"flow parent", "vllm: {port: 8000}\n", "vllm: {port: 8000, max_num_seqs: 1}\n"},
		{"empty flow parent", "vllm: {}\n", "vllm: {max_num_seqs: 1}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, res := setText(t, c.text, []string{"vllm", "max_num_seqs"}, 1)
			if got != c.want || !res.Added {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestAddDeeplyNestedKey(t *testing.T) {
	got, _ := setText(t, "vllm:\n  port: 1\n", []string{"vllm", "extra", "env", "HF_HOME"}, "/data/hf")
	want := "vllm:\n  port: 1\n  extra:\n    env:\n      HF_HOME: /data/hf\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCRLFFileKeepsItsLineEndings(t *testing.T) {
	seed := readString(t, seedCopy(t, "armitage.yml"))
	crlf := strings.ReplaceAll(seed, "\n", "\r\n")
	path := writeTemp(t, "armitage.yml", crlf)
	if _, err := Set(path, []string{"vllm", "gpu_memory_utilization"}, 0.9, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Set(path, []string{"vllm", "enable_prefix_caching"}, true, Options{}); err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(crlf, "0.85\r\n", "0.9\r\n", 1) + "  enable_prefix_caching: true\r\n"
	if got := readString(t, path); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

func TestBOMAndMissingFinalNewlineSurvive(t *testing.T) {
	text := "\ufeffvllm:\n  port: 8000\n  model: é"
	got, _ := setText(t, text, []string{"vllm", "model"}, "ü")
	if want := "\ufeffvllm:\n  port: 8000\n  model: \"ü\""; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got, _ = setText(t, text, []string{"vllm", "max_num_seqs"}, 2)
	if want := text + "\n  max_num_seqs: 2"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSetValuesOfEachType(t *testing.T) {
	text := "vllm:\n  v: old  # note\n"
	cases := []struct {
		value any
		want  string
	}{
		{8000, "8000"}, {int64(-3), "-3"}, {uint8(7), "7"}, {0.9, "0.9"}, {1.0, "1.0"}, {float32(0.5), "0.5"},
		{1e21, "1.0e+21"}, {2.5e-7, "2.5e-07"}, {true, "true"}, {false, "false"}, {nil, "null"},
		{"awq", "awq"}, {[]string{"a", "b c"}, "[a, b c]"}, {[]any{}, "[]"},
	}
	for _, c := range cases {
		got, res := setText(t, text, []string{"vllm", "v"}, c.value)
		if want := "vllm:\n  v: " + c.want + "  # note\n"; got != want {
			t.Errorf("%#v: got %q, want %q", c.value, got, want)
		}
		if !sameValue(decodeYAML(t, got)["vllm"].(map[string]any)["v"], res.NewValue) {
			t.Errorf("%#v does not read back", c.value)
		}
	}
}

func TestUnsupportedValueTypesAreRefused(t *testing.T) {
	d, _ := Parse("host_vars/x.yml", []byte("a: 1\n"), Options{})
	for _, v := range []any{map[string]any{"x": 1}, []any{1}, struct{}{}, "\xff"} {
		_, err := d.Set([]string{"a"}, v)
		wantKind(t, err, ErrInvalid, "host_vars/x.yml", "a:")
	}
}

func TestValidatorRefusesBeforeAnythingIsWritten(t *testing.T) {
	path := seedCopy(t, "armitage.yml")
	before := readString(t, path)
	validate := func(keyPath []string, v any) string {
		if f, ok := v.(float64); ok && keyPath[1] == "gpu_memory_utilization" && f > 1 {
			return "1.5 is out of range: must be in (0, 1]"
		}
		return ""
	}
	_, err := Set(path, []string{"vllm", "gpu_memory_utilization"}, 1.5, Options{Name: "host_vars/armitage.yml", Validate: validate})
	wantKind(t, err, ErrInvalid, "host_vars/armitage.yml:12: vllm.gpu_memory_utilization: ", "out of range")
	if readString(t, path) != before {
		t.Error("the file was written")
	}
}

func TestFileChangedOnDiskIsRefused(t *testing.T) {
	path := seedCopy(t, "armitage.yml")
	d, err := Read(path, Options{Name: "host_vars/armitage.yml"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Set([]string{"vllm", "port"}, 8001); err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(readString(t, path), "max_num_seqs: 1", "max_num_seqs: 4", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	wantKind(t, d.Save(), ErrChanged, "host_vars/armitage.yml")
	if readString(t, path) != edited {
		t.Error("the file was overwritten")
	}
}

func TestExpectedHashIsChecked(t *testing.T) {
	path := seedCopy(t, "armitage.yml")
	d, err := Read(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stale := d.SHA256()
	if _, err := Set(path, []string{"vllm", "port"}, 8001, Options{ExpectSHA256: stale}); err != nil {
		t.Fatal(err)
	}
	written := readString(t, path)
	_, err = Set(path, []string{"vllm", "port"}, 8002, Options{ExpectSHA256: stale})
	wantKind(t, err, ErrChanged, path)
	if readString(t, path) != written {
		t.Error("the file was written")
	}
}

func TestSeveralEditsThenOneSave(t *testing.T) {
	path := seedCopy(t, "armitage.yml")
	d, err := Read(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []struct {
		key   string
		value any
	}{{"port", 8001}, {"max_model_len", 8192}, {"enforce_eager", true}} {
		if _, err := d.Set([]string{"vllm", e.key}, e.value); err != nil {
			t.Fatal(err)
		}
	}
	if readString(t, path) != string(d.disk) {
		t.Fatal("Set wrote to disk")
	}
	if err := d.Save(); err != nil {
		t.Fatal(err)
	}
	vllm := decodeYAML(t, readString(t, path))["vllm"].(map[string]any)
	if vllm["port"] != 8001 || vllm["max_model_len"] != 8192 || vllm["enforce_eager"] != true || d.Changed() {
		t.Errorf("vllm = %v", vllm)
	}
}

func TestSaveKeepsModeAndWritesThroughSymlinks(t *testing.T) {
	path := seedCopy(t, "armitage.yml")
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	link := path + ".link"
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Set(link, []string{"vllm", "port"}, 8001, Options{}); err != nil {
		t.Fatal(err)
	}
	info, err := os.Lstat(link)
	if err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", info.Mode(), err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 || !strings.Contains(readString(t, path), "port: 8001") {
		t.Errorf("mode %v, text:\n%s", info.Mode().Perm(), readString(t, path))
	}
	entries, _ := os.ReadDir(strings.TrimSuffix(path, "armitage.yml"))
	if len(entries) != 2 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestCreateMissingFile(t *testing.T) {
	path := writeTemp(t, "x", "") + "-new.yml"
	_, err := Read(path, Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Read of a missing file: %v", err)
	}
	d, err := Read(path, Options{CreateMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Set([]string{"vllm", "port"}, 8000); err != nil {
		t.Fatal(err)
	}
	if err := d.Save(); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, path); got != "vllm:\n  port: 8000\n" {
		t.Errorf("got %q", got)
	}
}

func TestGetShowsTheCurrentValue(t *testing.T) {
	d, err := Read(seedCopy(t, "wintermute.yml"), Options{SecretKey: func(k string) bool { return k == "master_key" }})
	if err != nil {
		t.Fatal(err)
	}
	f, err := d.Get([]string{"vllm", "served_model_name"})
	if err != nil || f.Value != "llama31-8b-wintermute" || !f.Present || f.Line != 5 || f.Text != "llama31-8b-wintermute" {
		t.Errorf("field %+v, %v", f, err)
	}
	f, err = d.Get([]string{"vllm", "max_num_seqs"})
	if err != nil || f.Present || f.Text != Unset {
		t.Errorf("absent field %+v, %v", f, err)
	}
	if f, _ := d.Get([]string{"litellm", "master_key"}); !f.Secret {
		t.Errorf("master_key not secret: %+v", f)
	}
}

func TestErrorsNameFileLineAndKey(t *testing.T) {
	_, err := Parse("host_vars/bad.yml", []byte("vllm:\n  port: 8000\n bad: [\n"), Options{})
	wantKind(t, err, ErrSyntax, "host_vars/bad.yml:")
	d, _ := Parse("host_vars/x.yml", []byte("vllm: 3\n"), Options{})
	_, err = d.Set([]string{"vllm", "port"}, 1)
	wantKind(t, err, ErrUnsupported, "host_vars/x.yml:1: vllm: ", "not a mapping")
	_, err = Parse("host_vars/x.yml", []byte("a: 1\n---\nb: 2\n"), Options{})
	wantKind(t, err, ErrUnsupported, "host_vars/x.yml:", "more than one YAML document")
	_, err = Parse("host_vars/x.yml", []byte("- a\n"), Options{})
	wantKind(t, err, ErrUnsupported, "not a mapping")
}

func TestAnchorsAndAliasesAreNotEditedThrough(t *testing.T) {
	text := "base: &b\n  port: 1\nvllm: *b\nshared: &s 5\nuse: *s\n"
	d, _ := Parse("host_vars/x.yml", []byte(text), Options{})
	_, err := d.Set([]string{"vllm", "port"}, 2)
	wantKind(t, err, ErrUnsupported, "vllm", "alias")
	_, err = d.Set([]string{"base", "extra"}, 2)
	wantKind(t, err, ErrUnsupported, "base", "anchored")
	_, err = d.Set([]string{"shared"}, 6)
	wantKind(t, err, ErrUnsupported, "shared", "anchored")
	got, _ := setText(t, text, []string{"use"}, 7)
	if !strings.HasSuffix(got, "use: 7\n") {
		t.Errorf("replacing an alias: %q", got)
	}
}

func TestDuplicateKeysEditTheLastAsAnsibleReadsIt(t *testing.T) {
	got, _ := setText(t, "a: 1\nb: 2\na: 3\n", []string{"a"}, 4)
	if got != "a: 1\nb: 2\na: 4\n" {
		t.Errorf("got %q", got)
	}
}

func TestSettingTheSameValueChangesNothing(t *testing.T) {
	text := "vllm:\n  gpu_memory_utilization: 0.850  # tuned\n  port: '8000'\n"
	got, res := setText(t, text, []string{"vllm", "gpu_memory_utilization"}, 0.85)
	if got != text || res.Line != 2 || res.OldText != "0.85" {
		t.Errorf("got %q, result %+v", got, res)
	}
	got, _ = setText(t, text, []string{"vllm", "port"}, 8000)
	if got != "vllm:\n  gpu_memory_utilization: 0.850  # tuned\n  port: 8000\n" {
		t.Errorf("the string '8000' is not the integer 8000: %q", got)
	}
	k := testKeyring(t)
	vaulted := vaultedVars(t, k, "")
	d, _ := Parse("host_vars/motoko.yml", []byte(vaulted), Options{Vault: k})
	if res, err := d.Set([]string{"litellm", "master_key"}, oldSecret); err != nil || string(res.NewFile) != vaulted || !res.Vaulted {
		t.Errorf("re-setting a vault value re-encrypted it: %v", err)
	}
}

func TestOtherKeysOfAFileWithVaultValuesNeedNoPassword(t *testing.T) {
	text := vaultedVars(t, testKeyring(t), "")
	got, _ := setText(t, text, []string{"litellm", "port"}, 4001)
	if got != strings.Replace(text, "port: 4000", "port: 4001", 1) {
		t.Errorf("got\n%s", got)
	}
}
