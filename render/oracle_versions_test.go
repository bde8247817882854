package render

import "testing"

// versionsSuite covers Ansible's version test (and its old name
// version_compare): every operator, the loose, strict, semver and pep440
// version types, numbers meeting words in loose versions, and the errors
// core.py raises. abs is a filter in Jinja2 and, in Ansible, also a test
// of paths (files.py: os.path.isabs, alias is_abs), which refuses a number.
// The pep440 cases read every form of packaging's VERSION_PATTERN: epochs,
// local versions, the spellings it normalizes, numbers past int64, and
// what it refuses; version_pep440_folded_letter is the string packaging
// 23.0 (under Debian's 2.14) reads and 26 (the 2.19 venv's) refuses.
func versionsSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: "os_version: \"22.04\"\nkernel: 6.1.0-18-amd64\nfloat_version: 2.10\n"}
	cases := []oracleCase{
		{name: "version_operators", src: "{{ '2.14.18' is version('2.9', '>=') }} {{ '2.9' is version('2.9', '==') }} {{ '2.9' is version('2.9.0', '=') }} {{ '2.9' is version('2.9', 'eq') }} {{ '2.9' is version('2.10', '<') }} {{ '2.10' is version('2.9', 'lt') }} {{ '2.9' is version('2.9', '<=') }} {{ '3' is version('2.9', 'le') }} {{ '2.10' is version('2.9', '>') }} {{ '2.9' is version('2.9', 'gt') }} {{ '2.9' is version('2.9', 'ge') }} {{ '2.9' is version('2.8', '!=') }} {{ '2.9' is version('2.9', '<>') }} {{ '2.9' is version('2.9', 'ne') }} {{ '2.9' is version('2.9') }} {{ '2.9' is not version('2.9') }} {{ '1.2' is version_compare('1.10', 'lt') }} {{ '1.2' is version(version='1.3', operator='lt') }}\n"},
		{name: "version_loose", src: "{{ '1.0' is version('1', '>') }} {{ '1.01' is version('1.1', '==') }} {{ '1.0.0a' is version('1.0.0', '>') }} {{ '2.0-RC1' is version('2.0-RC2', '<') }} {{ '1.13++' is version('1.13', '>') }} {{ '5.5.kw' is version('5.5.ab', '>') }} {{ 'V1.10' is version('V1.9', 'gt') }} {{ '1.a' is version('1.a') }} {{ '1.0.0' is version('1.0', version_type='loose') }} {{ '99999999999999999999.1' is version('99999999999999999999.0', '>') }} {{ '1.2b3' is version('1.2b10', '<') }}\n"},
		{name: "version_numbers", src: "{{ 10 is version(9, '>') }} {{ float_version is version('2.9', '<') }} {{ '2.10' is version(2.9, '>') }} {{ kernel is version('6.1', '>=') }} {{ os_version is version('20.04', '>=') }} {{ os_version is version_compare('24.04', '<') }}\n"},
		{name: "version_select", src: "{{ ['1.0', '3.0', '2.0'] | select('version', '2.0', '>=') | list }} {{ ['1.0', '3.0'] | reject('version', '2.0', 'lt') | list }} {{ ['1.0.0', '3.0.0-rc1'] | select('version', '2.0.0', '>', version_type='semver') | list }}\n"},
		{name: "version_when", src: "{% if os_version is version('20.04', '>=') %}new{% else %}old{% endif %}|{% if kernel is version('5.15', '<') %}old kernel{% else %}recent kernel{% endif %}\n"},
		{name: "version_strict", src: "{{ '1.0' is version('1.0.0', strict=true) }} {{ '1.0a1' is version('1.0b1', '<', strict=true) }} {{ '1.0b1' is version('1.0', '<', version_type='strict') }} {{ '1.0.4a3' is version('1.0.4b1', 'lt', version_type='strict') }} {{ '0.5b3' is version('0.5a9', 'gt', version_type='strict') }} {{ '2.7.10' is version('2.7.9', '>', strict='yes') }} {{ '1.0' is version('1.0', strict=false) }} {{ '1.0.0a' is version('1.0.0', '>', strict=false) }}\n"},
		{name: "version_semver", src: "{{ '1.0.0-alpha' is version('1.0.0-alpha.1', '<', version_type='semver') }} {{ '1.0.0-alpha.1' is version('1.0.0-alpha.beta', '<', version_type='semver') }} {{ '1.0.0-alpha.beta' is version('1.0.0-beta', '<', version_type='semantic') }} {{ '1.0.0-beta.2' is version('1.0.0-beta.11', '<', version_type='semver') }} {{ '1.0.0-rc.1' is version('1.0.0', '<', version_type='semver') }} {{ '1.0.0+build.5' is version('1.0.0', '==', version_type='semver') }} {{ '2.10.0' is version('2.9.99', '>', version_type='semver', strict=none) }} {{ '1.0.0-x-y' is version('1.0.0-x', '>', version_type='semver') }}\n"},
		{name: "version_pep440", src: "{{ '1.0' is version('1.0.0', version_type='pep440') }} {{ '1.0.dev0' is version('1.0a1', '<', version_type='pep440') }} {{ '1.0a1' is version('1.0b2', '<', version_type='pep440') }} {{ '1.0b2' is version('1.0rc1', '<', version_type='pep440') }} {{ '1.0rc1' is version('1.0', '<', version_type='pep440') }} {{ '1.0' is version('1.0.post1', '<', version_type='pep440') }} {{ '1.0a1.dev1' is version('1.0a1', '<', version_type='pep440') }} {{ '1.0.post1.dev1' is version('1.0.post1', '<', version_type='pep440') }} {{ '1.0.post1.dev1' is version('1.0', '>', version_type='pep440') }} {{ '2.10' is version('2.9', '>', version_type='pep440') }} {{ ' 1.1 ' is version('1.1', version_type='pep440') }}\n"},
		{name: "version_loose_word_meets_number", src: "{{ '1.2b3' is version('1.2.3') }}\n", wantError: true},
		{name: "version_loose_word_meets_number_ne", src: "{{ '1.0' is version('1.x', '!=') }}\n", wantError: true},
		{name: "version_strict_invalid", src: "{{ '1' is version('1.0', strict=true) }}\n", wantError: true},
		{name: "version_strict_invalid_other", src: "{{ '1.0' is version('1.0.0.0', version_type='strict') }}\n", wantError: true},
		{name: "version_semver_invalid", src: "{{ '1.0' is version('1.0.0', version_type='semver') }}\n", wantError: true},
		{name: "version_semver_leading_zero", src: "{{ '1.0.0-01' is version('1.0.0', version_type='semver') }}\n", wantError: true},
		{name: "version_pep440_epoch", src: "{{ '1!1.0' is version('1.0', '>', version_type='pep440') }} {{ '1!1.0' is version('2.0', '>', version_type='pep440') }} {{ '0!2.0' is version('2.0', version_type='pep440') }} {{ '1!2.0' is version('2!0.1', '<', version_type='pep440') }} {{ '1!1.0.dev1' is version('9.9', 'gt', version_type='pep440') }} {{ '01!1' is version('1!1.0', 'eq', version_type='pep440') }} {{ '1!1.0' is version('2.0', '<', version_type='pep440') }}\n"},
		{name: "version_pep440_spellings", src: "{{ '1.0alpha1' is version('1.0a1', version_type='pep440') }} {{ '1.0-1' is version('1.0.post1', version_type='pep440') }} {{ '1.0.dev' is version('1.0.dev0', version_type='pep440') }} {{ 'v1.0' is version('1.0', version_type='pep440') }} {{ 'V1.0' is version('1', version_type='pep440') }} {{ '1.0RC1' is version('1.0rc1', version_type='pep440') }} {{ '1.0-c1' is version('1.0rc1', version_type='pep440') }} {{ '1.0_post2' is version('1.0.post2', version_type='pep440') }} {{ '1.0preview2' is version('1.0rc2', version_type='pep440') }} {{ '1.0pre' is version('1.0c', version_type='pep440') }} {{ '1.0.BETA.3' is version('1.0b3', version_type='pep440') }} {{ '1.0-r4' is version('1.0.post4', version_type='pep440') }} {{ '1.0rev' is version('1.0.post0', version_type='pep440') }} {{ '1.0-dev-2' is version('1.0.dev2', version_type='pep440') }} {{ '1.0a.post1' is version('1.0a0.post1', version_type='pep440') }} {{ '00001.00' is version('1', version_type='pep440') }} {{ '1.0post1dev1' is version('1.0.post1.dev1', version_type='pep440') }} {{ '1.0-0' is version('1.0', '==', version_type='pep440') }} {{ '1.0rc1' is version('1.0-c2', '<', version_type='pep440') }}\n"},
		{name: "version_pep440_order", src: "{{ '1.0.dev1' is version('1.0a0', '<', version_type='pep440') }} {{ '1.0.dev9' is version('1.0a1.dev0', '<', version_type='pep440') }} {{ '1.0rc9' is version('1.0', '<', version_type='pep440') }} {{ '1.0' is version('1.0.post0.dev0', '<', version_type='pep440') }} {{ '1.0.post1.dev0' is version('1.0.post1', '<', version_type='pep440') }} {{ '1.0.dev0' is version('1.0', '>', version_type='pep440') }} {{ '1.0+local' is version('1.0', '>', version_type='pep440') }} {{ '1.0+local' is version('1.0', '==', version_type='pep440') }} {{ '1.0+a' is version('1.0+1', '<', version_type='pep440') }} {{ '1.0+abc.5' is version('1.0+abc.10', '<', version_type='pep440') }} {{ '1.0+ABC.01' is version('1.0+abc.1', version_type='pep440') }} {{ '1.0+a-b_c' is version('1.0+a.b.c', version_type='pep440') }} {{ '1.0+abc' is version('1.0+abc.0', '<', version_type='pep440') }} {{ '1.0+ubuntu.1' is version('1.0.1', '<', version_type='pep440') }} {{ '1.0+1' is version('1.0.post0', '<', version_type='pep440') }} {{ '1234567890123456789012345.1' is version('1234567890123456789012344.9', '>', version_type='pep440') }} {{ '1.1234567890123456789012345' is version('1.999', '>', version_type='pep440') }} {{ '1.0+1234567890123456789012345' is version('1.0+999', '>', version_type='pep440') }} {{ '1.0.dev1234567890123456789012345' is version('1.0.dev9', '>', version_type='pep440') }} {{ '1.0000000000000000000000000' is version('1', version_type='pep440') }}\n"},
		{name: "version_pep440_invalid", src: "{{ 'banana' is version('1.0', version_type='pep440') }}\n", wantError: true},
		{name: "version_pep440_invalid_local", src: "{{ '1.0' is version('1.0+a..b', version_type='pep440') }}\n", wantError: true},
		{name: "version_pep440_non_ascii_digit", src: "{{ '\u0661.0' is version('1.0', version_type='pep440') }}\n", wantError: true},
		{name: "version_pep440_past_int_digits", src: "{{ '1.0' is version('1.' ~ '9' * 4301, version_type='pep440') }}\n", wantError: true},
		{name: "version_pep440_folded_letter", src: "{{ '1.0.po\u017ft1' is version('1.0.post1', version_type='pep440') }}\n", failsUnder: "2.19"},
		{name: "version_both_strict_and_type", src: "{{ '1.0' is version('1.0', strict=true, version_type='loose') }}\n", wantError: true},
		{name: "version_strict_false_and_type", src: "{{ '1.0' is version('1.0', strict=false, version_type='semver') }}\n", wantError: true},
		{name: "version_bad_operator", src: "{{ '1.0' is version('1.0', '=>') }}\n", wantError: true},
		{name: "version_bad_type", src: "{{ '1.0' is version('1.0', version_type='debian') }}\n", wantError: true},
		{name: "version_empty_value", src: "{{ '' is version('1.0') }}\n", wantError: true},
		{name: "version_empty_version", src: "{{ '1.0' is version('') }}\n", wantError: true},
		{name: "version_zero_value", src: "{{ 0 is version('1.0', '<') }}\n", wantError: true},
		{name: "version_undefined", src: "{{ nothere is version('1.0') }}\n", wantError: true},
		{name: "abs_filter", src: "{{ -3 | abs }} {{ -2.5 | abs }} {{ 4 | abs }}\n"},
		{name: "abs_test", src: "{{ '/etc/hosts' is abs }} {{ 'etc/hosts' is abs }} {{ '' is abs }} {{ '//srv' is is_abs }} {{ './x' is not abs }} {{ ['/a', 'b', '/c'] | select('abs') | list }} {{ ['/a', 'b'] | reject('is_abs') | list }} {{ '/etc' is ansible.builtin.abs }}\n"},
		{name: "abs_test_number", src: "{{ -3 is abs }}\n", wantError: true},
		{name: "abs_test_none", src: "{{ none is abs }}\n", wantError: true},
	}
	return oracleSuite{name: "versions", repo: repo, cases: cases}
}
