package render

import "testing"

// collectionsSuite covers Python's list and dict methods as templates call
// them: results (None for the mutators), errors, a mutation seen by later
// reads in the same render (loops, aliases, items of a variable) and by no
// later task (variables_after, hostvars_after). Cases run in this order in
// one play.
func collectionsSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{
		groupVarsAll: "l: [3, 1, 2, 1]\nd: {a: 1, b: 2}\nnested: {items: [1], sub: {k: v}}\nusers: [{name: a}, {name: b}]\nemails: [ops]\nwebhooks: []",
		hostVars:     map[string]string{"wintermute": "gl: [1]"},
	}
	cases := []oracleCase{
		{name: "coll_idiom", src: "{% set alert_types = [] %}\n{% if emails | length > 0 %}{% set _ = alert_types.append('email') %}{% endif %}\n" +
			"{% if webhooks | length > 0 %}{% set _ = alert_types.append('webhook') %}{% endif %}\n{% if l %}{% set _ = alert_types.append('slack') %}{% endif %}\n" +
			"alerts:\n{% for t in alert_types %}\n  - type: {{ t }}\n{% endfor %}\n"},
		{name: "coll_list_methods", src: "{% set a = [1] %}{{ a.append(2) }}|{{ a.extend([3, 4]) }}|{{ a.extend('xy') }}|{{ a.insert(0, 0) }}|{{ a.insert(-1, 'm') }}|{{ a.insert(99, 'e') }}|{{ a }}\n" +
			"{{ a.pop() }}|{{ a.pop(0) }}|{{ a.pop(-2) }}|{{ a }}\n" +
			"{% set b = [3, 1, 2, 1] %}{{ b.index(2) }}|{{ b.index(1, 2) }}|{{ b.count(1) }}|{{ b.remove(1) }}|{{ b }}|{{ b.reverse() }}|{{ b }}|{{ b.sort() }}|{{ b }}|{{ b.sort(reverse=true) }}|{{ b }}\n" +
			"{% set c = b.copy() %}{{ c.clear() }}{{ c }}|{{ b }}|{{ b.append(none) }}{{ b }}|{% set s = ['b', 'a'] %}{{ s.sort() }}{{ s | join(',') }}\n"},
		{name: "coll_dict_methods", src: "{% set e = {'a': 1, 'b': 2} %}{{ e.update({'c': 3}) }}|{{ e.update(z=9) }}|{{ e.update([('p', 0)]) }}|{{ e.update({'a': 5}) }}|{{ e }}\n" +
			"{{ e.pop('a') }}|{{ e.pop('q', 'dflt') }}|{{ e }}|{{ e.setdefault('q', 7) }}|{{ e.setdefault('b', 7) }}|{{ e.setdefault('n') }}|{{ e }}\n" +
			"{{ e.popitem() }}|{{ e }}|{% set f = e.copy() %}{{ f.clear() }}{{ f }}|{{ e }}|{{ e.get('b') }}|{{ e.keys() | list }}|{{ e.values() | list }}|{{ e.items() | list }}|{{ {}.fromkeys(['x', 'y'], 0) }}\n"},
		{name: "coll_kwargs_order", src: "{{ dict(port=80, name='x') }}|{{ dict(port=80, name='x') | to_json }}|{{ dict({'k': 0}, z=1, a=2) }}|{{ dict([('q', 1)], b=2, a=3) | list }}\n" +
			"{% set e = {'m': 0} %}{{ e.update(z=1, y=2) }}{{ e }}|{% set ns = namespace(z=1, a=2) %}{{ ns.z }}{{ ns.a }}|{{ dict(z=1, a=2).items() | list }}\n"},
		{name: "coll_kwargs_shadowed", src: "{% macro dict(a, b) %}{{ a }}{{ b }}{% endmacro %}{{ dict(b=1, a=2) }}|{% set e = {} %}{{ e.update(b=1, a=2) }}{{ e }}|{{ {'n': dict} is mapping }}\n"},
		{name: "coll_kwargs_nested", src: "{{ dict(z=dict(y=1, x=2), a=[dict(q=1, p=2)], m=(dict(d=1, c=2) | dict2items)) | to_json }}\n"},
		{name: "coll_nested", src: "{% set by = {} %}{% for u in users %}{% set _ = by.setdefault(u.name, []).append(loop.index) %}{% endfor %}{{ by }}\n" +
			"{% set rows = [] %}{% for i in [1, 2] %}{% set _ = rows.append({'i': i}) %}{% endfor %}{% for r in rows %}{% set _ = r.update(j=r.i * 2) %}{% endfor %}{{ rows }}\n" +
			"{% set m = {'k': []} %}{% set _ = m['k'].append(1) %}{% set _ = m.k.append(2) %}{{ m }}|{% set ns = namespace(items=[]) %}{% for i in [1, 2] %}{% set _ = ns.items.append(i) %}{% endfor %}{{ ns.items }}|" +
			"{% set ns2 = namespace() %}{% set ns2.l = [] %}{% for i in [3, 4] %}{% set _ = ns2.l.append(i) %}{% endfor %}{{ ns2.l }}|{{ ns2.l.pop() }}{{ ns2.l }}\n"},
		{name: "coll_variables", src: "{% set _ = l.append(9) %}{{ l }}|{% for i in [1, 2] %}{% set _ = d.update({'k' ~ i: i}) %}{% endfor %}{{ d }}\n" +
			"{% set n = nested %}{% set _ = nested['items'].append(2) %}{% set _ = n.sub.update(x=1) %}{{ n }}|{{ nested }}\n" +
			"{% for u in users %}{% set _ = u.update(seen=true) %}{% endfor %}{{ users }}\n"},
		{name: "coll_hostvars", src: "{% set _ = hostvars['wintermute'].gl.append(5) %}{{ hostvars['wintermute'].gl }}|{% set g = hostvars['wintermute'].gl %}{% set _ = g.append(6) %}{{ g }}\n"},
		{name: "coll_variables_after", src: "{{ l }}|{{ d }}|{{ nested }}|{{ users }}|{{ hostvars['wintermute'].gl }}\n"},
		{name: "coll_remove_missing", src: "{% set a = [1] %}{{ a.remove(9) }}\n", wantError: true},
		{name: "coll_pop_missing", src: "{% set e = {'a': 1} %}{{ e.pop('zz') }}\n", wantError: true},
		{name: "coll_index_missing", src: "{{ l.index(42) }}\n", wantError: true},
		{name: "coll_append_no_argument", src: "{{ l.append() }}\n", wantError: true},
		{name: "coll_sort_mixed", src: "{% set a = [1, 'a'] %}{{ a.sort() }}\n", wantError: true},
		{name: "coll_popitem_empty", src: "{% set e = {} %}{{ e.popitem() }}\n", wantError: true},
	}
	return oracleSuite{name: "collections", repo: repo, cases: cases}
}
