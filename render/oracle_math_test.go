package render

import "testing"

// mathSuite covers Ansible's mathstuff filters and tests (unique, the set
// filters, product and the other itertools, log, pow, root,
// human_readable, human_to_bytes, rekey_on_member) and extract. The set
// filters' results are sorted where Python gives a set's order (hash
// order: 2.14 for two strings, 2.19 for any two iterables of hashable
// items), compared bare where both cores give a list's order (items
// Python cannot hash).
func mathSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{
		groupVarsAll: "users: [{name: b, id: 2}, {name: a, id: 1}, {name: b, id: 3}]\n" +
			"byname: {x: {name: a, v: 1}, y: {name: b, v: 2}}\nsizes: [0, 1, 1023, 1024, 1536, 1048576]",
		hostVars: map[string]string{"wintermute": "ansible_host: 10.0.0.1", "armitage": "ansible_host: 10.0.0.2"},
	}
	cases := []oracleCase{
		{name: "math_unique", src: "{{ ['a', 'A', 'b'] | unique }}|{{ ['a', 'A', 'b'] | unique(case_sensitive=true) }}|{{ 'aAbB' | unique }}|{{ {'a': 1, 'A': 2} | unique }}|" +
			"{{ range(3) | unique }}|{{ [1, 1.0, True, '1'] | unique }}|{{ [] | unique }}|{{ ['É', 'é', 'e'] | unique }}|{{ [none, none, 0] | unique }}|{{ [(1, 2), (1, 2)] | unique }}|{{ [('A',), ('a',)] | unique }}|{{ [[1, 'x'], [1, 'y']] | unique(attribute=0) }}|{{ [{'a': 1.0}, {'a': 1}] | unique(attribute='a') }}\n"},
		{name: "math_unique_dicts", src: "{{ [{'a': 1}, {'a': 1}, {'a': 2}] | unique }}|{{ users | unique(attribute='name') }}|{{ [{'a': 'X'}, {'a': 'x'}] | unique(attribute='a') }}|" +
			"{{ [{'a': 'X'}, {'a': 'x'}] | unique(attribute='a', case_sensitive=true) }}|{{ [[1], [1], [2]] | unique }}|{{ ['a', 'A', {'x': 1}] | unique }}|" +
			"{{ [{'a': {'b': 1}}, {'a': {'b': 1}}] | unique(attribute='a.b') }}|{{ [{'a': [1]}, {'a': [1]}] | unique(case_sensitive=true) }}\n" +
			"{% for u in users | unique(attribute='name') %}{{ u.id }}{% endfor %}\n"},
		{name: "math_unique_missing_attribute", src: "{{ [{'a': 1}, {'b': 1}, {'c': 2}] | unique(attribute='a') }}\n", wantError: true},
		{name: "math_unique_no_fallback", src: "{{ [{'a': 1}, {'a': 1}] | unique(case_sensitive=false) }}\n", wantError: true},
		{name: "math_unique_attribute_unhashable", src: "{{ [{'a': [1]}, {'a': [1]}] | unique(attribute='a') }}\n", wantError: true},
		{name: "math_unique_string_attribute", src: "{{ ['a', 'b'] | unique(attribute='x') }}\n", wantError: true},
		{name: "math_unique_none", src: "{{ none | unique }}\n", wantError: true},
		{name: "math_unique_int", src: "{{ 5 | unique }}\n", wantError: true},
		{name: "math_sets_hashable", src: "{{ [3, 1, 2, 1] | union([5, 4, 1]) | sort }}|{{ [3, 1, 2, 1] | intersect([2, 1, 9]) | sort }}|{{ [3, 1, 2, 1] | difference([2]) | sort }}|" +
			"{{ [3, 1, 2, 1] | symmetric_difference([2, 9, 9]) | sort }}|{{ 'abc' | union('cd') | sort }}|{{ 'abc' | intersect('cd') | list }}|{{ 'abc' | union('cd') | length }}|" +
			"{{ {'a': 1, 'b': 2} | intersect({'b': 2}) }}|{{ {'a': 1, 'b': 2} | difference(['b']) }}|{{ [1] | union([1.0, True]) }}|{{ [] | union([]) }}|{{ [1, 2] | intersect([]) }}|" +
			"{{ (1, 2) | union((2, 3)) | sort }}|{{ [] | symmetric_difference([1]) }}|{{ ['1', '23'] | intersect('123') | first }}|{{ [1, 2] | union([2, 3]) }}\n"},
		{name: "math_sets_unhashable", src: "{{ users | union([{'name': 'c'}]) }}|{{ users | intersect([users[0]]) }}|{{ users | difference([users[0]]) }}|" +
			"{{ users | symmetric_difference([users[0], {'name': 'c'}]) }}|{{ [[1], [2]] | union([[2], [3]]) }}|{{ [1, [2]] | intersect([[2], 1]) }}|{{ [[1], [1]] | difference([]) }}\n" +
			"{% for u in users | union([{'name': 'c'}]) %}{{ u.name }}{% endfor %}\n"},
		{name: "math_sets_str_list", src: "{{ 'abc' | union(['x']) | sort }}|{{ {'a': 1} | union({'b': 2}) | sort }}\n", failsUnder: "2.14"},
		{name: "math_intersect_int_in_string", src: "{{ [1, 2] | intersect('12') }}\n", failsUnder: "2.14"},
		{name: "math_union_none", src: "{{ none | union([1]) }}\n", wantError: true},
		{name: "math_union_with_none", src: "{{ [1] | union(none) }}\n", wantError: true},
		{name: "math_union_int", src: "{{ 5 | union([1]) }}\n", wantError: true},
		{name: "math_intersect_int", src: "{{ [1] | intersect(5) }}\n", wantError: true},
		{name: "math_union_missing", src: "{{ [1] | union }}\n", wantError: true},
		{name: "math_itertools", src: "{{ [1, 2] | product(['a', 'b'], [3]) | list }}|{{ [1, 2] | product(repeat=2) | list }}|{{ 'ab' | product('cd') | list }}|{{ [1, 2, 3] | permutations | list }}|" +
			"{{ [1, 2, 3] | permutations(2) | list }}|{{ [1, 2, 3] | combinations(2) | list }}|{{ [1, 2] | zip_longest([3]) | list }}|{{ [1, 2] | zip_longest([3], fillvalue='x') | list }}\n" +
			"{{ [1, 2] | zip_longest | list }}|{{ {'a': 1, 'b': 2} | permutations | list }}|{{ [] | product([1]) | list }}|{{ [1, 2] | permutations(5) | list }}|{{ range(3) | combinations(2) | list }}|" +
			"{{ [1, 2] | product([3]) | first }}|{{ [1, 2] | permutations(none) | list }}|{{ [1, 2] | product([3]) | length }}|{{ [1, 2, 3] | combinations(0) | list }}|{{ [1, 2] | permutations(true) | list }}|{{ [1, 2] | product | list }}\n" +
			"{{ [1, 2] | product([3]) }}|{{ [1, 2, 3] | combinations(2) }}|{% for a, b in [1, 2] | product(['x']) %}{{ a }}{{ b }},{% endfor %}|{{ [1, 2] | product(['x']) | map('join', '-') | list }}\n"},
		{name: "math_combinations_no_r", src: "{{ [1, 2, 3] | combinations | list }}\n", wantError: true},
		{name: "math_permutations_negative", src: "{{ [1, 2] | permutations(-1) | list }}\n", wantError: true},
		{name: "math_combinations_string_r", src: "{{ [1, 2] | combinations('2') | list }}\n", wantError: true},
		{name: "math_product_negative_repeat", src: "{{ [1, 2] | product(repeat=-1) | list }}\n", wantError: true},
		{name: "math_product_int", src: "{{ 5 | product([1]) | list }}\n", wantError: true},
		{name: "math_log", src: "{{ 100 | log }}|{{ 100 | log(10) }}|{{ 8 | log(2) }}|{{ 1000 | log(10) }}|{{ true | log(2) }}|{{ 10 | log(10.0) }}|{{ 2.5 | log }}|{{ 0.001 | log(10) }}|" +
			"{{ 1024 | log(2) }}|{{ 12345 | log(10) }}|{{ 3 | log(3) }}|{{ 1 | log }}|{{ 65536 | log(4) }}|{{ 0.5 | log(0.25) }}|{{ 1e100 | log(10) }}\n"},
		{name: "math_pow_root", src: "{{ 2 | pow(10) }}|{{ 2 | pow(0.5) }}|{{ 2.5 | pow(2) }}|{{ 9 | root }}|{{ 27 | root(3) }}|{{ 2 | root(2.0) }}|{{ 16 | root('4') }}|{{ 0 | pow(0) }}|" +
			"{{ -8 | pow(3) }}|{{ 10 | pow(-2) }}|{{ 1024 | root(10) }}|{{ 2 | root }}|{{ 1.5 | pow(1.5) }}|{{ 7 | pow(1 / 3) }}|{{ -2 | pow(-3) }}|{{ 0 | pow(2) }}|{{ 10 | pow(22) }}\n"},
		{name: "math_log_zero", src: "{{ 0 | log }}\n", wantError: true},
		{name: "math_log_negative", src: "{{ -1 | log }}\n", wantError: true},
		{name: "math_log_string", src: "{{ '8' | log }}\n", wantError: true},
		{name: "math_log_base_one", src: "{{ 8 | log(1) }}\n", wantError: true},
		{name: "math_log_none", src: "{{ none | log }}\n", wantError: true},
		{name: "math_pow_string", src: "{{ '2' | pow(2) }}\n", wantError: true},
		{name: "math_pow_overflow", src: "{{ 10 | pow(400) }}\n", wantError: true},
		{name: "math_pow_negative_fraction", src: "{{ -8 | pow(1 / 3) }}\n", wantError: true},
		{name: "math_pow_zero_negative", src: "{{ 0 | pow(-1) }}\n", wantError: true},
		{name: "math_root_negative", src: "{{ -1 | root }}\n", wantError: true},
		{name: "math_root_string", src: "{{ '9' | root }}\n", wantError: true},
		{name: "math_root_zero", src: "{{ 16 | root(0) }}\n", wantError: true},
		{name: "math_human_readable", src: "{% for s in sizes %}{{ s | human_readable }},{% endfor %}|{{ 1048576 | human_readable(isbits=true) }}|{{ 1048576 | human_readable(unit='K') }}|" +
			"{{ 1048576 | human_readable(unit='k') }}|{{ 10 | human_readable(unit='x') }}|{{ 2.5 | human_readable }}|{{ -5 | human_readable }}|{{ 1e30 | human_readable }}|" +
			"{{ 1024 | human_readable(true, 'B') }}|{{ 0.125 | human_readable }}|{{ 10 | human_readable(unit='') }}|{{ (3 * 1024 ** 4) | human_readable }}|{{ 5000000000 | human_readable(unit='G') }}|{{ ('inf' | float) | human_readable }}|{{ ('nan' | float) | human_readable }}|{{ ('-inf' | float) | human_readable }}|{{ true | human_readable }}|{{ 1023.999 | human_readable }}|{{ 1048575 | human_readable }}\n"},
		{name: "math_human_readable_precedence", src: "{{ 3 * 1024 ** 4 | human_readable }}\n", wantError: true},
		{name: "math_human_readable_string", src: "{{ '1024' | human_readable }}\n", wantError: true},
		{name: "math_human_readable_list", src: "{{ [1, 2] | human_readable }}\n", wantError: true},
		{name: "math_human_readable_unit_int", src: "{{ 1024 | human_readable(unit=5) }}\n", wantError: true},
		{name: "math_human_to_bytes_default_int", src: "{{ '10' | human_to_bytes(5) }}\n", wantError: true},
		{name: "math_human_to_bytes_default_empty", src: "{{ '10' | human_to_bytes('') }}\n", wantError: true},
		{name: "math_human_to_bytes_bool", src: "{{ true | human_to_bytes }}\n", wantError: true},
		{name: "math_human_readable_none", src: "{{ none | human_readable }}\n", wantError: true},
		{name: "math_human_to_bytes", src: "{{ '1K' | human_to_bytes }}|{{ '1KB' | human_to_bytes }}|{{ '1Kb' | human_to_bytes(isbits=true) }}|{{ '10' | human_to_bytes }}|{{ 10 | human_to_bytes('M') }}|" +
			"{{ '1.5 GB' | human_to_bytes }}|{{ '2MB ' | human_to_bytes }}|{{ '2 megabyte' | human_to_bytes }}|{{ '1 byte' | human_to_bytes }}|{{ '1b' | human_to_bytes }}|{{ '1B' | human_to_bytes }}|" +
			"{{ '.5K' | human_to_bytes }}|{{ '1.5' | human_to_bytes }}|{{ '2.5' | human_to_bytes }}|{{ '1k' | human_to_bytes }}|{{ '1Mb' | human_to_bytes(isbits=true) }}|" +
			"{{ '1 megabit' | human_to_bytes(isbits=true) }}|{{ 1.5 | human_to_bytes }}|{{ '1' | human_to_bytes('KB') }}|{{ '4 TB' | human_to_bytes }}|{{ '2 G' | human_to_bytes }}|{{ '7E' | human_to_bytes }}\n"},
		{name: "math_human_to_bytes_214", src: "{{ ' 2 MB' | human_to_bytes }}|{{ '2 megabytes' | human_to_bytes }}|{{ '1 bytes' | human_to_bytes }}\n", failsUnder: "2.19"},
		{name: "math_human_to_bytes_214_loose", src: "{{ '5.K' | human_to_bytes }}|{{ '1KBx' | human_to_bytes }}|{{ '1 kilobytes' | human_to_bytes }}|{{ '1 K 2' | human_to_bytes }}|{{ '1,5K' | human_to_bytes }}\n", failsUnder: "2.19"},
		{name: "math_human_to_bytes_214_bits", src: "{{ '1 Megabits' | human_to_bytes(isbits=true) }}|{{ '1e3' | human_to_bytes }}|{{ 1e20 | human_to_bytes }}\n", failsUnder: "2.19"},
		{name: "math_human_to_bytes_bits_as_bytes", src: "{{ '1Kb' | human_to_bytes }}\n", wantError: true},
		{name: "math_human_to_bytes_bytes_as_bits", src: "{{ '1KB' | human_to_bytes(isbits=true) }}\n", wantError: true},
		{name: "math_human_to_bytes_word", src: "{{ 'abc' | human_to_bytes }}\n", wantError: true},
		{name: "math_human_to_bytes_bad_suffix", src: "{{ '1X' | human_to_bytes }}\n", wantError: true},
		{name: "math_human_to_bytes_empty", src: "{{ '' | human_to_bytes }}\n", wantError: true},
		{name: "math_human_to_bytes_lower_mb", src: "{{ '1 mb' | human_to_bytes }}\n", wantError: true},
		{name: "math_human_to_bytes_none", src: "{{ none | human_to_bytes }}\n", wantError: true},
		{name: "math_human_to_bytes_bad_default", src: "{{ '1' | human_to_bytes('xx') }}\n", wantError: true},
		{name: "math_human_to_bytes_negative", src: "{{ '-1K' | human_to_bytes }}\n", wantError: true},
		{name: "math_rekey", src: "{{ users[:2] | rekey_on_member('name') }}|{{ byname | rekey_on_member('name') }}|{{ users | rekey_on_member('name', duplicates='overwrite') }}|" +
			"{{ [] | rekey_on_member('n') }}|{{ [{'n': 'a', 'v': 1}, {'n': 'b'}, {'n': 'a', 'v': 3}] | rekey_on_member('n', 'overwrite') }}\n" +
			"{% for k, v in (users | rekey_on_member('name', 'overwrite')).items() %}{{ k }}={{ v.id }},{% endfor %}\n"},
		{name: "math_rekey_duplicate", src: "{{ users | rekey_on_member('name') }}\n", wantError: true},
		{name: "math_rekey_bad_duplicates", src: "{{ users | rekey_on_member('name', duplicates='x') }}\n", wantError: true},
		{name: "math_rekey_missing_key", src: "{{ users | rekey_on_member('nope') }}\n", wantError: true},
		{name: "math_rekey_not_dicts", src: "{{ ['a'] | rekey_on_member('m') }}\n", wantError: true},
		{name: "math_rekey_string", src: "{{ 'abc' | rekey_on_member('m') }}\n", wantError: true},
		{name: "math_rekey_int", src: "{{ 5 | rekey_on_member('m') }}\n", wantError: true},
		{name: "math_rekey_list_key", src: "{{ [{'n': [1]}] | rekey_on_member('n') }}\n", wantError: true},
		{name: "math_extract", src: "{{ [0, 2] | map('extract', ['a', 'b', 'c']) | list }}|{{ ['x', 'y'] | map('extract', {'x': 1, 'y': 2}) | list }}|{{ 'x' | extract({'x': {'y': {'z': 3}}}, ['y', 'z']) }}|" +
			"{{ 'x' | extract({'x': {'y': 5}}, 'y') }}|{{ 'q' | extract({'x': 1}) | default('d') }}|{{ -1 | extract([1, 2]) }}|{{ 0 | extract('abc') }}|{{ 'x' | extract({'x': [1, 2]}, 1) }}|" +
			"{{ 'x' | extract({'x': {'y': 5}}, []) }}|{{ 'x' | extract({'x': {'y': 5}}, morekeys='y') }}|{{ 1 | extract(range(5)) }}|{{ 'x' | extract(byname, 'name') }}|{{ [1, 2] | zip_longest([3], [4, 5, 6]) | list }}|{{ 'ab' | permutations | map('join') | list }}\n" +
			"{{ groups['gpu'] | map('extract', hostvars, 'ansible_host') | list }}|{{ groups['gpu'] | map('extract', hostvars, ['inventory_hostname']) | join(',') }}|{{ 'y' | extract(byname) }}\n"},
		{name: "math_extract_missing", src: "{{ 'q' | extract({'x': 1}) }}\n", wantError: true},
		{name: "math_extract_out_of_range", src: "{{ 5 | extract([1]) }}\n", wantError: true},
		{name: "math_extract_none", src: "{{ 'x' | extract(none) }}\n", wantError: true},
		{name: "math_extract_string_index", src: "{{ '0' | extract([1]) }}\n", wantError: true},
		{name: "math_tests", src: "{{ (1 | float) is nan }}|{{ ('nan' | float) is nan }}|{{ 'nan' is nan }}|{{ 1 is nan }}|{{ none is nan }}|{{ [1] is nan }}|{{ ('nan' | float) is isnan }}|" +
			"{{ [1] is issubset([1, 2]) }}|{{ [1, 2] is issuperset([1]) }}|{{ 'ab' is issubset('abc') }}|{{ [3] is issubset([1, 2]) }}|{{ ('inf' | float) is nan }}|{{ [1, 2] is ansible.builtin.issuperset([3]) }}|{{ {'a': 1} is subset('ab') }}|{{ [] is subset([]) }}|{{ [1, 1] is superset([1.0, true]) }}|{{ (1 | float('nan')) is nan }}\n"},
		{name: "math_nan_undefined", src: "{{ nothing is nan }}\n", wantError: true},
		{name: "math_issubset_unhashable", src: "{{ [[1]] is issubset([[1], [2]]) }}\n", wantError: true},
		{name: "math_subset_unhashable", src: "{{ [1] is subset([[1], 1]) }}\n", wantError: true},
		{name: "math_issubset_int", src: "{{ [1] is issubset(5) }}\n", wantError: true},
		{name: "math_qualified", src: "{{ [1, 1] | ansible.builtin.unique }}|{{ [1] | ansible.builtin.union([2]) }}|{{ 8 | ansible.builtin.log(2) }}|{{ [1, 2] | ansible.builtin.product([3]) | list }}\n"},
	}
	return oracleSuite{name: "math", repo: repo, cases: cases}
}
