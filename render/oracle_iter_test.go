package render

import "testing"

// iterSuite compares Jinja2's map, select, reject, selectattr, rejectattr
// and sort (render/filters_iter.go) with Ansible's output: dicts iterated
// in insertion order, dicts keeping their key order through a filter
// called by name, and a missing attribute failing the task.
func iterSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{
		groupVarsAll: "users: [{name: b, port: 1, grp: A}, {name: a, port: 2, grp: a}, {name: c, port: 3, grp: B}, {name: d, port: 3}]\n" +
			"d: {zeta: 1, alpha: 2, Mid: 3}\nwords: [b, A, a, B, c]\nnums: [3, 1, 2, 1]\npairs: ['a=1', 'b=2']",
	}
	cases := []oracleCase{
		{name: "map_dicts_in_order", src: "{{ d | map('upper') | list }} {{ d | map('length') | list }} {{ [{'b': 1, 'a': 2}] | map('to_json') | list }} {{ [d] | map('dict2items') | map('first') | list }}\n"},
		{name: "map_attribute", src: "{{ users | map(attribute='name') | list }} {{ users | map(attribute='grp', default='-') | list }} {{ users | map(attribute='grp', default='') | join(',') }} {{ [[1, 2], [3, 4]] | map(attribute=0) | list }} {{ [[1, 2], [3, 4]] | map(attribute='1') | list }} {{ [{'a': {'b': 1}}, {'a': {}}] | map(attribute='a.b', default=0) | list }}\n"},
		{name: "map_filters", src: "{{ 'ab' | map('upper') | list }} {{ none | map('upper') | list }} {{ pairs | map('split', '=') | list }} {{ dict(pairs | map('split', '=')) }} {{ nums | map('string') | join('-') }} {{ [none, 1] | map('default', 0) | list }} {{ [] | map('nosuchfilter') | list }} {{ ['a'] | map('upper') }}\n"},
		{name: "map_missing_attribute", src: "{{ users | map(attribute='grp') | list }}\n", wantError: true},
		{name: "map_default_none_is_no_default", src: "{{ users | map(attribute='grp', default=none) | list }}\n", wantError: true},
		{name: "map_unknown_filter", src: "{{ ['a'] | map('nosuchfilter') | list }}\n", wantError: true},
		{name: "map_without_filter", src: "{{ ['a'] | map() | list }}\n", wantError: true},
		{name: "map_unknown_keyword", src: "{{ ['a'] | map(attribute='x', foo=1) | list }}\n", wantError: true},
		{name: "select_reject", src: "{{ d | select('lt', 'b') | list }} {{ d | reject('lt', 'b') | list }} {{ nums | select('gt', 1) | list }} {{ nums | reject('odd') | list }} {{ [0, 1, '', 'a', none] | select | list }} {{ [0, 1, '', 'a', none] | reject | list }} {{ none | select | list }} {{ 'abc' | select('ne', 'b') | list }} {{ words | select('in', ['a', 'b']) | list }}\n"},
		{name: "selectattr_rejectattr", src: "{{ users | selectattr('port', 'gt', 1) | map(attribute='name') | list }} {{ users | rejectattr('port', '==', 3) | map(attribute='name') | list }} {{ users | selectattr('grp', 'defined') | map(attribute='name') | list }} {{ users | rejectattr('grp', 'undefined') | map(attribute='name') | list }} {{ users | selectattr('grp', 'undefined') | map(attribute='name') | list }} {{ users | selectattr('name', 'match', '^[ab]') | map(attribute='port') | sum }} {{ users | selectattr('port', 'in', [1, 2]) | list | length }} {{ users | selectattr('name', 'equalto', 'a') | first }}\n"},
		{name: "selectattr_missing_truth", src: "{{ users | selectattr('grp') | list }}\n", wantError: true},
		{name: "selectattr_missing_compared", src: "{{ users | selectattr('grp', 'eq', 'A') | list }}\n", wantError: true},
		{name: "select_unknown_test", src: "{{ ['a'] | select('nosuchtest') | list }}\n", wantError: true},
		{name: "selectattr_without_attribute", src: "{{ users | selectattr() | list }}\n", wantError: true},
		{name: "sort", src: "{{ d | sort }} {{ d | sort(reverse=true) }} {{ words | sort }} {{ words | sort(case_sensitive=true) }} {{ words | sort(reverse=true) }} {{ [1.5, 1, true] | sort }} {{ [[2, 'b'], [1, 'a'], [1, 'A']] | sort }} {{ 'cab' | sort }}\n" +
			"{{ users | sort(attribute='port') | map(attribute='name') | list }} {{ users | sort(attribute='port', reverse=true) | map(attribute='name') | list }} {{ users | sort(attribute='port,name') | map(attribute='name') | list }} {{ [[2, 1], [1, 2]] | sort(attribute='1', reverse=true) }}\n"},
		{name: "sort_one_item_missing_attribute", src: "{{ [{'a': 1}] | sort(attribute='missing') | length }}\n", failsUnder: "2.19"},
		{name: "groupby_tuples_through_iter_filters", src: "{{ users | groupby('port') | map(attribute='grouper') | list }} {{ users | groupby('port') | map(attribute='list') | map('length') | list }} {{ users | groupby('port') | selectattr('grouper', 'gt', 1) | map(attribute='grouper') | list }} {{ users | groupby('port') | sort(attribute='grouper', reverse=true) | map(attribute=0) | list }}\n"},
		{name: "sort_missing_attribute", src: "{{ users | sort(attribute='grp') | list }}\n", wantError: true},
		{name: "sort_mixed_types", src: "{{ [1, 'a'] | sort }}\n", wantError: true},
	}
	return oracleSuite{name: "iter", repo: repo, cases: cases}
}
