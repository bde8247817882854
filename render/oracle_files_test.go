package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// filesSuite covers Ansible's path tests (files.py: exists, file,
// directory, link, link_exists, mount, same_file and their is_ aliases)
// on a folder the test makes: a file, a folder, a symlink to each, a
// dangling symlink and a path that is not there, written into the
// templates as absolute paths (ansible-playbook runs on this machine, so
// it sees them too). Outputs name no path (select's results go through
// basename), so the recorded outputs hold wherever the folder is.
func filesSuite(t *testing.T) oracleSuite {
	paths := strings.NewReplacer(filesFixture(t)...)
	cases := []oracleCase{
		{name: "files_exists", src: "{{ '@F@' is exists }} {{ '@D@' is exists }} {{ '@LF@' is exists }} {{ '@DANGLING@' is exists }} {{ '@MISSING@' is exists }} {{ '@DANGLING@' is link_exists }} {{ '@MISSING@' is link_exists }} {{ '@LF@' is link_exists }} {{ '@MISSING@' is not exists }} {{ '@DANGLING@' is not link_exists }}\n"},
		{name: "files_kinds", src: "{{ '@F@' is file }} {{ '@D@' is file }} {{ '@LF@' is file }} {{ '@DANGLING@' is is_file }} {{ '@D@' is directory }} {{ '@LD@' is directory }} {{ '@F@' is is_dir }} {{ '@MISSING@' is directory }} {{ '@LF@' is link }} {{ '@LD@' is is_link }} {{ '@DANGLING@' is link }} {{ '@F@' is link }} {{ '@MISSING@' is link }} {{ '@D@/' is directory }} {{ '@F@/' is file }} {{ '@LD@/' is link }}\n"},
		{name: "files_mount", src: "{{ '/' is mount }} {{ '@TMP@' is mount }} {{ '@D@' is is_mount }} {{ '@MISSING@' is mount }} {{ '@LD@' is mount }} {{ '/' is not mount }} {{ '@DANGLING@' is mount }}\n"},
		{name: "files_same", src: "{{ '@F@' is same_file('@LF@') }} {{ '@F@' is is_same_file('@D@') }} {{ '@LD@' is same_file('@D@/.') }} {{ '@F@' is same_file(f2='@F@') }} {{ '@F@' is not same_file('@D@') }}\n"},
		{name: "files_filters", src: "{{ ['@F@', '@D@', '@LF@', '@DANGLING@', '@MISSING@'] | select('file') | map('basename') | list }} {{ ['@F@', '@D@', '@LF@', '@DANGLING@', '@MISSING@'] | reject('exists') | map('basename') | list }} {{ ['@F@', '@D@', '@LD@'] | select('is_dir') | map('basename') | list }} {{ ['@LF@', '@DANGLING@', '@F@'] | select('link_exists') | reject('link') | map('basename') | list }} {{ ['/', '@TMP@'] | select('mount') | list }}\n"},
		{name: "files_qualified", src: "{{ '@F@' is ansible.builtin.exists }} {{ '@F@' is ansible.builtin.is_file }} {{ '@DANGLING@' is ansible.builtin.link_exists }} {{ '@D@' is ansible.legacy.directory }} {{ '@F@' is ansible.builtin.same_file('@LF@') }} {{ '/' is ansible.builtin.mount }} {{ ['@F@', '@D@'] | select('ansible.builtin.directory') | map('basename') | list }}\n"},
		{name: "files_when", src: "{% if '@F@' is file and '@DANGLING@' is not exists %}file, dangling{% endif %}|{% if '@MISSING@' is exists %}there{% else %}absent{% endif %}\n"},
		{name: "files_no_expansion", src: "{{ '~' is exists }} {{ '~/' is directory }} {{ '' is exists }} {{ '' is link_exists }} {{ '' is mount }} {{ 'no/such/path' is exists }}\n"},
		{name: "files_fd", src: "{{ 999 is exists }} {{ -1 is file }} {{ 999 is directory }}\n"},
		{name: "files_no_is_directory", src: "{{ '/' is is_directory }}\n", wantError: true},
		{name: "files_no_is_exists", src: "{{ '/' is is_exists }}\n", wantError: true},
		{name: "files_no_is_link_exists", src: "{{ '/' is is_link_exists }}\n", wantError: true},
		{name: "files_none", src: "{{ none is exists }}\n", wantError: true},
		{name: "files_float", src: "{{ 1.5 is file }}\n", wantError: true},
		{name: "files_list", src: "{{ ['@D@'] is directory }}\n", wantError: true},
		{name: "files_link_number", src: "{{ 1 is link }}\n", wantError: true},
		{name: "files_link_exists_none", src: "{{ none is link_exists }}\n", wantError: true},
		{name: "files_mount_number", src: "{{ 0 is mount }}\n", wantError: true},
		{name: "files_undefined", src: "{{ nothere is exists }}\n", wantError: true},
		{name: "files_same_missing", src: "{{ '@MISSING@' is same_file('@F@') }}\n", wantError: true},
		{name: "files_same_dangling", src: "{{ '@F@' is same_file('@DANGLING@') }}\n", wantError: true},
		{name: "files_same_no_argument", src: "{{ '@F@' is same_file }}\n", wantError: true},
		{name: "files_same_none", src: "{{ '@F@' is same_file(none) }}\n", wantError: true},
	}
	for i := range cases {
		cases[i].src = paths.Replace(cases[i].src)
	}
	return oracleSuite{name: "files", cases: cases}
}

// filesFixture makes the suite's folder and returns the templates'
// placeholders and the absolute paths they stand for.
func filesFixture(t *testing.T) []string {
	t.Helper()
	tmp := t.TempDir()
	path := func(name string) string { return filepath.Join(tmp, name) }
	if err := os.WriteFile(path("file.txt"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path("dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"link-to-file": path("file.txt"), "link-to-dir": path("dir"), "dangling": path("gone")} {
		if err := os.Symlink(target, path(link)); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"@TMP@", tmp, "@F@", path("file.txt"), "@D@", path("dir"), "@LF@", path("link-to-file"),
		"@LD@", path("link-to-dir"), "@DANGLING@", path("dangling"), "@MISSING@", path("missing")}
}
