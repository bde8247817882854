package render

import "testing"

// jinjaData is group_vars/all of the Jinja2 filter oracle.
const jinjaData = `
ordered: {zeta: 1, alpha: 2, Mid: 3}
users:
  - {name: ann, city: NY, age: 30}
  - {name: bob, city: ca, age: 25}
  - {name: cid, city: CA, age: 30}
  - {name: dee, age: 41}
prose: "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs."
`

// jinjaSuite compares the Jinja2 3.1 builtin filters of filters_jinja.go
// and textwrap.go with Ansible's output.
func jinjaSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: jinjaData}
	cases := []oracleCase{
		{name: "reverse", src: "{{ 'héllo😀' | reverse }}|{{ [1, 2, 3] | reverse | list }}|{{ ordered | reverse | list }}|{{ range(4) | reverse | list }}|{{ '' | reverse }}|{{ [] | reverse | list }}|{{ (1, 'a') | reverse | list }}\n"},
		{name: "reverse_int", src: "{{ 5 | reverse }}\n", wantError: true},
		{name: "slice", src: "{{ [1, 2, 3, 4, 5, 6, 7] | slice(3) | list }}|{{ [1, 2, 3, 4, 5, 6, 7] | slice(3, 'x') | list }}|{{ 'abcdé' | slice(2) | list }}|{{ ordered | slice(2) | list }}|{{ range(5) | slice(2) | list }}|{{ [] | slice(2) | list }}|{{ [1] | slice(3, 0) | list }}|{{ [1, 2] | slice(-1) | list }}\n"},
		{name: "slice_zero", src: "{{ [1, 2] | slice(0) | list }}\n", wantError: true},
		{name: "batch", src: "{{ [1, 2, 3, 4, 5] | batch(2) | list }}|{{ [1, 2, 3, 4, 5] | batch(2, 'x') | list }}|{{ 'abcdé' | batch(2) | list }}|{{ ordered | batch(2) | list }}|{{ range(5) | batch(3, 0) | list }}|{{ [] | batch(2) | list }}|{{ [1, 2, 3] | batch(0) | list }}|{{ [1, 2, 3] | batch(5, none) | list }}\n"},
		{name: "batch_odd_counts", src: "{{ [1, 2, 3] | batch(2.0) | list }}|{{ [1, 2, 3] | batch('2') | list }}|{{ [1, 2, 3] | batch(true) | list }}|{{ [1, 2, 3] | batch(-1, 'x') | list }}|{{ ordered | dict2items | batch(2) | list }}\n"},
		{name: "batch_float_fill", src: "{{ [1, 2, 3] | batch(2.0, 'x') | list }}\n", wantError: true},
		{name: "batch_none", src: "{{ none | batch(2) | list }}\n", wantError: true},
		{name: "wordcount", src: "{{ 'a-b c.d' | wordcount }} {{ '' | wordcount }} {{ 'héllo wörld_x 日本 ٣٤' | wordcount }} {{ none | wordcount }} {{ 12 | wordcount }} {{ '  many   spaces\there\n' | wordcount }} {{ [1, 'ab'] | wordcount }}\n"},
		{name: "striptags", src: "[{{ '<p>a &amp; b</p>  <br/>\n c &lt;x&gt; &quot;q&quot; &#39;s&#39; &eacute; &#233; &#x41; &nbsp;z' | striptags }}]|[{{ '<!-- c <b> -->d<em>e</em> <unclosed' | striptags }}]|[{{ '' | striptags }}]|[{{ none | striptags }}]|[{{ 5 | striptags }}]|[{{ 'a <!-- open' | striptags }}]|[{{ '&amp &lt x &ampx &#0; &#128; &bogus;' | striptags }}]\n"},
		{name: "groupby", src: "{% for g in users | groupby('age') %}{{ g.grouper }}:{{ g.list | map(attribute='name') | list }} {{ g[0] }} {{ g[1] | length }};{% endfor %}\n{{ [[1, 'a'], [0, 'b'], [1, 'c']] | groupby(0) }}\n{{ [] | groupby('x') }}\n{{ [{'k': 'B', 'n': 1}, {'k': 'a', 'n': 2}, {'k': 'b', 'n': 3}] | groupby('k') }}\n{{ [{'k': 'B', 'n': 1}, {'k': 'a', 'n': 2}, {'k': 'b', 'n': 3}] | groupby('k', case_sensitive=true) | list }}\n{{ [{'a': {'b': 2}}, {'a': {'b': 1}}] | groupby('a.b') }}\n"},
		{name: "groupby_default", src: "{{ users | groupby('city', default='NY') }}\n{% for city, items in users | groupby('city', default='XX') %}{{ city }}={{ items | map(attribute='name') | join(',') }};{% endfor %}\n{{ users | groupby('city', default='NY', case_sensitive=true) | map('first') | list }}\n", failsUnder: "2.19"},
		{name: "groupby_tuples", src: "x{{ [(1, 'a'), (0, 'b')] | groupby(0) }}|{{ [[(1, 'a'), (0, 'b')] | groupby(0)] }}|{{ ([(1, 'a'), (0, 'b')] | groupby(0))[0] }}|{{ ([(1, 'a'), (0, 'b')] | groupby(0)) | first }}|{{ [(1, 'a')] | groupby(0) | list }}\n"},
		{name: "groupby_lone", src: "{{ [(1, 'a'), (0, 'b')] | groupby(0) }}"},
		{name: "groupby_grouper_map", src: "{{ users | groupby('age') | map(attribute='grouper') | list }}\n"},
		{name: "groupby_more", src: "{{ ordered | dict2items | groupby('value') }}|{{ [[1, 'a'], [1, 'b']] | groupby('0') }}|{{ [{'a': 1.0}, {'a': 1}, {'a': true}] | groupby('a') }}|{{ [{'a': 'É'}, {'a': 'é'}] | groupby('a') }}|{{ [{'a': none}] | groupby('a') }}|{{ (users | groupby('age'))[0].list[0].name }}|{{ users | groupby('age') | length }}\n"},
		{name: "groupby_dict_input", src: "{{ ordered | groupby('x') }}\n", wantError: true},
		{name: "groupby_missing", src: "{{ users | groupby('city') }}\n", wantError: true},
		{name: "groupby_mixed_types", src: "{{ [{'a': 1}, {'a': 'x'}] | groupby('a') }}\n", wantError: true},
		{name: "urlencode", src: "{{ 'a b&c/d?é=~_.-' | urlencode }}|{{ {'k y': 'v&w', 'n': 1, 'l': [1, 2], 'z': none} | urlencode }}|{{ [['a', 'b c'], ('d', '/')] | urlencode }}|{{ 5 | urlencode }}|{{ none | urlencode }}|{{ '' | urlencode }}|{{ ['ab', 'cd'] | urlencode }}|{{ ordered | urlencode }}\n"},
		{name: "urlencode_more", src: "{{ {'é': 'ü ö', 'a+b': '1=2'} | urlencode }}|{{ true | urlencode }}|{{ 1.5 | urlencode }}|{{ ['ab'] | urlencode }}|{{ [{'k': 1, 'v': 2}] | urlencode }}|{{ '%41 +' | urlencode }}|{{ [] | urlencode }}\n"},
		{name: "urlencode_bad_pair", src: "{{ [1, 2] | urlencode }}\n", wantError: true},
		{name: "wordwrap", src: "{{ prose | wordwrap }}\n--\n{{ prose | wordwrap(20) }}\n--\n{{ prose | wordwrap(20, wrapstring='<br>') }}\n--\n{{ 'supercalifragilisticexpialidocious word' | wordwrap(10) }}\n--\n{{ 'supercalifragilisticexpialidocious word' | wordwrap(10, false) }}\n--\n{{ 'first para that is long\nsecond  para\n\nthird' | wordwrap(10) }}\n"},
		{name: "wordwrap_hyphens", src: "{{ 'a well-known long-winded text-to-wrap here' | wordwrap(12) }}\n--\n{{ 'a well-known long-winded text-to-wrap here' | wordwrap(12, break_on_hyphens=false) }}\n--\n{{ 'extra-ordinarily-hyphenated-compound' | wordwrap(15) }}\n--\n{{ 'em--dash and so--on x---y' | wordwrap(6) }}\n--\n{{ 'ab-cd-ef-gh-ij 12-34-56 a_b-c_d' | wordwrap(5) }}\n--\n{{ '日本語のテキスト が ここに ある ÉÉÉÉÉÉÉÉ' | wordwrap(5) }}\n--\n[{{ '   leading   and trailing   ' | wordwrap(8) }}]\n--\n[{{ '' | wordwrap }}]\n--\n{{ 'x\ty\tzzzz\u3000q' | wordwrap(3) }}\n"},
		{name: "wordwrap_crlf", src: "{{ prose | wordwrap(30) }}\n{{ 'a b' | wordwrap(1, wrapstring='|') }}\n", opts: &TemplateOptions{NewlineSequence: "\r\n", TrimBlocks: true}},
		{name: "wordwrap_override", src: "#jinja2: newline_sequence:'\\r'\n{{ prose | wordwrap(30) }}\n"},
		{name: "wordwrap_variable", src: "{{ wrapped }}\n", taskVars: "wrapped: \"{{ prose | wordwrap(40) }}\"", opts: &TemplateOptions{NewlineSequence: "\r\n", TrimBlocks: true}},
		{name: "wordwrap_int", src: "{{ 12345 | wordwrap }}\n", wantError: true},
		{name: "wordwrap_zero", src: "{{ 'abc' | wordwrap(0) }}\n", wantError: true},
		{name: "truncate", src: "{{ 'foo bar baz qux' | truncate(9) }}|{{ 'foo bar baz qux' | truncate(9, true) }}|{{ 'foo bar baz qux' | truncate(11) }}|{{ 'foo bar baz qux' | truncate(11, false, '...', 0) }}|{{ 'héllo wörld ünïcode' | truncate(8, leeway=0) }}|{{ 'abcdefghijklmnop' | truncate(5, leeway=0) }}|{{ 'a b c d e f' | truncate(5, end='~', leeway=1) }}|{{ '' | truncate(3) }}|{{ ('x' * 300) | truncate | length }}\n"},
		{name: "truncate_none", src: "{{ none | truncate(3) }}\n", wantError: true},
		{name: "truncate_short", src: "{{ 'abcdefghij' | truncate(2, leeway=0) }}\n", wantError: true},
		{name: "title", src: "{{ 'hello-world (foo) [bar] {baz} <q> o\\'neil 3rd éclair ÉCLAIR x_y a.b' | title }}|{{ none | title }}|{{ 5 | title }}|{{ '' | title }}|{{ '  lead\ttab' | title }}|{{ 'ǆemal ßtraße' | title }}\n"},
		{name: "filesizeformat", src: "{{ 0 | filesizeformat }}|{{ 1 | filesizeformat }}|{{ 999 | filesizeformat }}|{{ 1000 | filesizeformat }}|{{ 1500000 | filesizeformat }}|{{ '2048' | filesizeformat(true) }}|{{ 1e30 | filesizeformat }}|{{ -5 | filesizeformat }}|{{ 1.5 | filesizeformat }}|{{ 1024 | filesizeformat(binary=true) }}|{{ 123456789 | filesizeformat }}|{{ true | filesizeformat }}|{{ 1e27 | filesizeformat }}|{{ 2.5e-1 | filesizeformat }}\n"},
		{name: "filesizeformat_str", src: "{{ 'x' | filesizeformat }}\n", wantError: true},
		{name: "xmlattr", src: "<a{{ {'class': 'a b', 'missing': none, 'id': 'x\"<>&\\'', 'n': 1, 't': true, 'l': [1, 'a']} | xmlattr }}>|<b{{ {'c': 'd'} | xmlattr(false) }}>|<c{{ {} | xmlattr }}>|<d{{ ordered | xmlattr }}>\n"},
		{name: "xmlattr_space_key", src: "<a{{ {'data x': 1} | xmlattr }}>\n", wantError: true},
		{name: "xmlattr_slash_key", src: "<a{{ {'a/b': 1} | xmlattr }}>\n", wantError: true},
		{name: "xmlattr_list", src: "<a{{ [1] | xmlattr }}>\n", wantError: true},
		{name: "escape", src: "{{ 'a<b>&\"\\'' | e }}|{{ none | escape }}|{{ 5 | e }}|{{ [1, '<'] | e }}|{{ '<' | e | e }}|{{ '<' | e | forceescape }}|{{ '<b>' | safe | e }}|{{ ('<' | e) ~ '<' }}|{{ '&amp;' | forceescape }}|{{ 'é' | e }}\n"},
		{name: "abs", src: "{{ -3 | abs }} {{ -2.5 | abs }} {{ true | abs }} {{ -0.0 | abs }} {{ 7 | abs }} {{ -1e20 | abs }}\n"},
		{name: "abs_str", src: "{{ 'x' | abs }}\n", wantError: true},
		{name: "abs_none", src: "{{ none | abs }}\n", wantError: true},
		{name: "attr", src: "{{ ({'a': 1} | attr('a')) is undefined }} {{ ('abc' | attr('upper'))() }} {{ (ordered | attr('keys'))() | list }}\n"},
		{name: "attr_dict_key", src: "{{ {'a': 1} | attr('a') }}\n", wantError: true},
		{name: "urlize", src: "{{ 'see www.example.com, http://x.org/a?b=1&c=2. and (https://ex.com/p_(q)) <http://a.io> mail me@host.org or mailto:x@y.co, not@ or a@b:c' | urlize }}\n{{ 'go to example.com or foo.net/path#frag and 192.168.1.1 http://192.168.1.1:8080/x https://[::1]/ http://xn--bcher-kva.example' | urlize }}\n"},
		{name: "urlize_options", src: "{{ 'http://example.com/a/very/long/path' | urlize(15) }}|{{ 'www.a.org' | urlize(nofollow=true) }}|{{ 'www.a.org' | urlize(target='_blank', rel='me  noopener') }}|{{ 'a@b.org mailto:c@d.org' | urlize(target='_blank', nofollow=true) }}|{{ 'ftp://f.org/x tel:+1234 ftp:// x' | urlize(extra_schemes=['ftp://', 'tel:']) }}|{{ 'http://é.com/ü' | urlize(3) }}|{{ 'http://a.com' | urlize(-3) }}|{{ none | urlize }}|{{ '' | urlize }}|{{ 'a\t b\n\nwww.c.org.' | urlize }}\n"},
		{name: "urlize_at_sign", src: "{{ '@a@b.org x' | urlize }}\n"},
		{name: "urlize_bad_scheme", src: "{{ 'x' | urlize(extra_schemes=['f']) }}\n", wantError: true},
	}
	return oracleSuite{name: "jinja", repo: repo, cases: cases}
}
