package render

import (
	"testing"
	"time"
)

// randomSuite compares the random, shuffle and strftime filters; it
// compares the random and shuffle filters with a seed, which
// Python's random.Random makes reproducible, with Ansible's output; the
// unseeded ones only where every draw prints the same.
func randomSuite(t *testing.T) oracleSuite {
	repo := oracleRepo{groupVarsAll: "cron_minute: \"{{ 59 | random(seed=inventory_hostname) }}\"\nhosts_list: [wintermute, armitage, motoko]\n"}
	cases := []oracleCase{
		{name: "random_cron_minute", src: "{{ 59 | random(seed=inventory_hostname) }} {{ cron_minute }} {{ 60 | random(seed=inventory_hostname ~ 'backup') }}\n{% for h in groups['all'] %}{{ h }}={{ 59 | random(seed=h) }} {{ 23 | random(start=1, seed=h) }}\n{% endfor %}"},
		{name: "random_hostvars_minute", src: "{% for h in groups['all'] %}{{ h }}={{ hostvars[h].cron_minute }} {% endfor %}\n{{ hostvars['armitage'].cron_minute | int + 1 }}\n"},
		{name: "random_qualified", src: "{{ 59 | ansible.builtin.random(seed='q') }} {{ [1, 2, 3] | ansible.builtin.shuffle(seed='q') }} {{ 59 | ansible.legacy.random(seed='q') }} {{ '%F' | ansible.builtin.strftime(0, utc=true) }}\n"},
		{name: "random_string_seeds", src: "{{ 100 | random(seed='') }} {{ 100 | random(seed='é日本😀') }} {{ 100 | random(seed='web-01.example.com') }} {{ 100 | random(seed='42') }} {{ 1000000 | random(seed='a b\\tc') }}\n"},
		{name: "random_number_seeds", src: "{{ 100 | random(seed=0) }} {{ 100 | random(seed=1) }} {{ 100 | random(seed=-1) }} {{ 100 | random(seed=42) }} {{ 100 | random(seed=4294967296) }} {{ 100 | random(seed=9223372036854775807) }} {{ 100 | random(seed=true) }} {{ 100 | random(seed=false) }}\n"},
		{name: "random_float_seeds", src: "{{ 100 | random(seed=1.5) }} {{ 100 | random(seed=-1.5) }} {{ 100 | random(seed=2.0) }} {{ 100 | random(seed=0.1) }} {{ 100 | random(seed=1e300) }} {{ 100 | random(seed=-1.0) }} {{ 100 | random(seed=123456789.123) }}\n"},
		{name: "random_big_ends", src: "{{ (2 ** 40) | random(seed='x') }} {{ 1099511627776 | random(seed=7) }} {{ 9223372036854775807 | random(seed='big') }} {{ 4294967297 | random(seed='w') }} {{ 4294967296 | random(seed='w') }}\n"},
		{name: "random_start_step", src: "{{ 100 | random(start=50, seed='s') }} {{ 100 | random(start=5, step=7, seed='s') }} {{ -3 | random(start=100, step=-4, seed='s') }} {{ 0 | random(start=10, step=-2, seed=3) }} {{ 10 | random(step=0, seed=1) }} {{ 10 | random(start=0, seed=1) }} {{ 10 | random(2, 3, 'pos') }} {{ 10 | random(start=2.0, seed=1) }} {{ 10 | random(start=-5, seed=9) }} {{ 10 | random(start=true, seed=9) }}\n"},
		{name: "random_choice", src: "{{ ['a', 'b', 'c', 'd'] | random(seed='x') }} {{ 'hello' | random(seed=3) }} {{ 'é日本😀' | random(seed='u') }} {{ hosts_list | random(seed=inventory_hostname) }} {{ range(10) | random(seed=5) }} {{ [[1, 2], {'k': 'v'}] | random(seed=2) }} {{ ['only'] | random(seed=none) }}\n"},
		{name: "random_bool_end", src: "{{ true | random(seed=1) }} {{ true | random }}\n"},
		{name: "random_result_int", src: "{{ (59 | random(seed='x')) + 1 }} {{ 59 | random(seed='x') | type_debug }} {{ 1 | random }} {{ (5 | random) < 5 }} {{ (10 | random(start=5)) >= 5 }}\n"},
		{name: "random_float_end", src: "{{ 1.5 | random }}\n", wantError: true},
		{name: "random_none_end", src: "{{ none | random }}\n", wantError: true},
		{name: "random_empty_list", src: "{{ [] | random }}\n", wantError: true},
		{name: "random_empty_string", src: "{{ '' | random(seed=1) }}\n", wantError: true},
		{name: "random_zero_end", src: "{{ 0 | random }}\n", wantError: true},
		{name: "random_negative_end", src: "{{ -5 | random(seed=1) }}\n", wantError: true},
		{name: "random_empty_step_range", src: "{{ 10 | random(start=20, step=2, seed=1) }}\n", wantError: true},
		{name: "random_list_with_start", src: "{{ [1, 2] | random(start=1) }}\n", wantError: true},
		{name: "random_list_seed", src: "{{ 10 | random(seed=[1]) }}\n", wantError: true},
		{name: "random_dict_seed", src: "{{ 10 | random(seed={'a': 1}) }}\n", wantError: true},
		{name: "random_float_start", src: "{{ 10 | random(start=1.5, seed=1) }}\n", wantError: true},
		{name: "random_string_start", src: "{{ 10 | random(start='3', seed=1) }}\n", wantError: true},
		{name: "random_dict_end", src: "{{ {'a': 1, 'b': 2} | random(seed=1) }}\n", wantError: true},
		{name: "shuffle_seeded", src: "{{ [1, 2, 3, 4, 5, 6, 7, 8] | shuffle(seed='x') }} {{ 'abcdef' | shuffle(seed=7) }} {{ {'a': 1, 'b': 2, 'c': 3} | shuffle(seed='k') }} {{ hosts_list | shuffle(seed=inventory_hostname) }} {{ range(6) | shuffle(seed=5) }} {{ [1, 2, 3] | shuffle(seed=1.5) }} {{ ['é', 'ü', '日'] | shuffle(seed='é') }}\n"},
		{name: "shuffle_odd_inputs", src: "{{ 5 | shuffle }} [{{ none | shuffle }}] {{ [] | shuffle }} {{ [1] | shuffle }} {{ [1, 2, 3] | shuffle(seed=[1]) }} {{ [3, 1, 2] | shuffle | sort }} {{ [1, 2, 3] | shuffle(seed=0) | sort }} {{ [1, 2, 3] | shuffle(seed='') | length }} {{ 5.5 | shuffle }}\n"},
	}
	return oracleSuite{name: "random", repo: repo, cases: append(cases, strftimeCases()...)}
}

// strftimeCases format fixed seconds in UTC, and now where every second
// prints alike; where the controller's locale is C (the oracle's
// machine's, which recorded them), with words and the C locale's
// formats; and where its zone is UTC too, in local time: the recorded
// outputs replay where they hold.
func strftimeCases() []oracleCase {
	cases := []oracleCase{
		{name: "strftime_utc_numbers", src: "{{ '%F %T %Z %z %j %V %U %W %G %g %C %u %w %k %l %I %e' | strftime(1704067199, utc=true) }}|{{ '%-d %-m %_m %0e %-H %_H %-j' | strftime(1704070800, true) }}\n"},
		{name: "strftime_now", src: "{{ '%Y' | strftime | length }} {{ ('%s' | strftime | int) > 1700000000 }} {{ ('%Y' | strftime(none) | int) >= 2025 }} {{ '%Z' | strftime(utc=true) }}\n"},
		{name: "strftime_bad_second", src: "{{ '%Y' | strftime('abc') }}\n", wantError: true},
		{name: "strftime_list_second", src: "{{ '%Y' | strftime([1]) }}\n", wantError: true},
		{name: "strftime_huge_second", src: "{{ '%Y' | strftime(1e20) }}\n", wantError: true},
		{name: "strftime_int_format", src: "{{ 5 | strftime(0) }}\n", wantError: true},
		{name: "strftime_none_format", src: "{{ none | strftime(0) }}\n", wantError: true},
	}
	if !currentTimeLocale().isC() {
		return cases
	}
	cases = append(cases, oracleCase{name: "strftime_utc", src: "{{ '%F %T %Z %z' | strftime(1700000000, utc=true) }}|{{ '%H %Z' | strftime(1700000000, true) }}|{{ '%c' | strftime(0, utc=1) }}|{{ '%c|%x|%X|%D|%r|%R|%T|%F|%C|%g|%G|%V|%U|%W|%u|%w|%k|%l|%h|%P|%n|%t|' | strftime(second, utc=true) }}|{{ '%-d %-m %_m %0e %^a %^B %-H %_H %-j %^b %^p %^Z' | strftime(1704070800, utc=true) }}\n", taskVars: "second: 1704067199"})
	if controllerOnUTC(0, 1700000000, 1704067199, 1704070800, -2000000000, 100000000000) {
		cases = append(cases, strftimeLocalCases()...)
	}
	return cases
}

// strftimeLocalCases format in the controller's local time and locale.
func strftimeLocalCases() []oracleCase {
	return []oracleCase{
		{name: "strftime_directives", src: "{{ '%Y-%m-%d %H:%M:%S %y %j %a %A %b %B %p %I %e %Z %z %s %%' | strftime(1700000000) }}\n{{ '%c|%x|%X|%D|%r|%R|%T|%F|%C|%g|%G|%V|%U|%W|%u|%w|%k|%l|%h|%P|%n|%t|' | strftime(second) }}\n{{ '%-d %-m %_m %0e %^a %^B %-H %_H %-j %^b %^p %^Z' | strftime(1704070800) }}\n", taskVars: "second: 1704067199"},
		{name: "strftime_seconds", src: "{{ '%F %T' | strftime('1700000000') }}|{{ '%F %T' | strftime(1700000000.9) }}|{{ '%F %T' | strftime(-1.5) }}|{{ '%F %T' | strftime(0) }}|{{ '%F %T' | strftime(true) }}|{{ '%F %T' | strftime(' 86400 ') }}|{{ '%F %T' | strftime('1e9') }}|{{ '%F %T' | strftime(100000000000) }}|{{ '%F %T' | strftime(-2000000000) }}\n"},
		{name: "strftime_local", src: "{{ '%H %Z' | strftime(1700000000, utc=false) }}|{{ '%s' | strftime(1700000000, utc=true) }}|{{ 'week %V, day %j; é日本 %%Y' | strftime(1700000000) }}|{{ '' | strftime(0) }}|{{ 'plain' | strftime(0) }}\n"},
	}
}

// controllerOnUTC tells whether the local zone is UTC at each second.
func controllerOnUTC(seconds ...int64) bool {
	for _, second := range seconds {
		if name, offset := time.Unix(second, 0).Local().Zone(); offset != 0 || name != "UTC" {
			return false
		}
	}
	return true
}
