package render

import (
	"testing"
	"time"
)

// strftimeFormat has every directive the strftime filter renders.
const strftimeFormat = "%Y-%m-%d %H:%M:%S %y %j %a %A %b %B %p %I %e %Z %z %s %% %c|%x|%X|%D|%r|%R|%T|%F|%C|%g|%G|%V|%U|%W|%u|%w|%k|%l|%h|%P|%-d|%_m|%0e|%^a|%^B"

// strftimeVectors are CPython 3.11.2's (glibc's) output in the C locale,
// generated with
//
//	TZ=zone python3 -c 'import time; print(time.strftime(strftimeFormat, time.localtime(second)))'
var strftimeVectors = []struct {
	zone   string
	second float64
	want   string
}{
	{"Europe/Berlin", 0, "1970-01-01 01:00:00 70 001 Thu Thursday Jan January AM 01  1 CET +0100 0 % Thu Jan  1 01:00:00 1970|01/01/70|01:00:00|01/01/70|01:00:00 AM|01:00|01:00:00|1970-01-01|19|70|1970|01|00|00|4|4| 1| 1|Jan|am|1| 1|01|THU|JANUARY"},
	{"Europe/Berlin", 1700000000, "2023-11-14 23:13:20 23 318 Tue Tuesday Nov November PM 11 14 CET +0100 1700000000 % Tue Nov 14 23:13:20 2023|11/14/23|23:13:20|11/14/23|11:13:20 PM|23:13|23:13:20|2023-11-14|20|23|2023|46|46|46|2|2|23|11|Nov|pm|14|11|14|TUE|NOVEMBER"},
	{"Europe/Berlin", 1711846799, "2024-03-31 01:59:59 24 091 Sun Sunday Mar March AM 01 31 CET +0100 1711846799 % Sun Mar 31 01:59:59 2024|03/31/24|01:59:59|03/31/24|01:59:59 AM|01:59|01:59:59|2024-03-31|20|24|2024|13|13|13|7|0| 1| 1|Mar|am|31| 3|31|SUN|MARCH"},
	{"Europe/Berlin", 1711846800, "2024-03-31 03:00:00 24 091 Sun Sunday Mar March AM 03 31 CEST +0200 1711846800 % Sun Mar 31 03:00:00 2024|03/31/24|03:00:00|03/31/24|03:00:00 AM|03:00|03:00:00|2024-03-31|20|24|2024|13|13|13|7|0| 3| 3|Mar|am|31| 3|31|SUN|MARCH"},
	{"Europe/Berlin", 1729990799, "2024-10-27 02:59:59 24 301 Sun Sunday Oct October AM 02 27 CEST +0200 1729990799 % Sun Oct 27 02:59:59 2024|10/27/24|02:59:59|10/27/24|02:59:59 AM|02:59|02:59:59|2024-10-27|20|24|2024|43|43|43|7|0| 2| 2|Oct|am|27|10|27|SUN|OCTOBER"},
	{"Europe/Berlin", 1729990800, "2024-10-27 02:00:00 24 301 Sun Sunday Oct October AM 02 27 CET +0100 1729990800 % Sun Oct 27 02:00:00 2024|10/27/24|02:00:00|10/27/24|02:00:00 AM|02:00|02:00:00|2024-10-27|20|24|2024|43|43|43|7|0| 2| 2|Oct|am|27|10|27|SUN|OCTOBER"},
	{"Europe/Berlin", 1735689599.9, "2025-01-01 00:59:59 25 001 Wed Wednesday Jan January AM 12  1 CET +0100 1735689599 % Wed Jan  1 00:59:59 2025|01/01/25|00:59:59|01/01/25|12:59:59 AM|00:59|00:59:59|2025-01-01|20|25|2025|01|00|00|3|3| 0|12|Jan|am|1| 1|01|WED|JANUARY"},
	{"Europe/Berlin", -86400.5, "1969-12-31 00:59:59 69 365 Wed Wednesday Dec December AM 12 31 CET +0100 -86401 % Wed Dec 31 00:59:59 1969|12/31/69|00:59:59|12/31/69|12:59:59 AM|00:59|00:59:59|1969-12-31|19|70|1970|01|52|52|3|3| 0|12|Dec|am|31|12|31|WED|DECEMBER"},
	{"America/New_York", 0, "1969-12-31 19:00:00 69 365 Wed Wednesday Dec December PM 07 31 EST -0500 0 % Wed Dec 31 19:00:00 1969|12/31/69|19:00:00|12/31/69|07:00:00 PM|19:00|19:00:00|1969-12-31|19|70|1970|01|52|52|3|3|19| 7|Dec|pm|31|12|31|WED|DECEMBER"},
	{"America/New_York", 1700000000, "2023-11-14 17:13:20 23 318 Tue Tuesday Nov November PM 05 14 EST -0500 1700000000 % Tue Nov 14 17:13:20 2023|11/14/23|17:13:20|11/14/23|05:13:20 PM|17:13|17:13:20|2023-11-14|20|23|2023|46|46|46|2|2|17| 5|Nov|pm|14|11|14|TUE|NOVEMBER"},
	{"America/New_York", 1711846799, "2024-03-30 20:59:59 24 090 Sat Saturday Mar March PM 08 30 EDT -0400 1711846799 % Sat Mar 30 20:59:59 2024|03/30/24|20:59:59|03/30/24|08:59:59 PM|20:59|20:59:59|2024-03-30|20|24|2024|13|12|13|6|6|20| 8|Mar|pm|30| 3|30|SAT|MARCH"},
	{"America/New_York", 1711846800, "2024-03-30 21:00:00 24 090 Sat Saturday Mar March PM 09 30 EDT -0400 1711846800 % Sat Mar 30 21:00:00 2024|03/30/24|21:00:00|03/30/24|09:00:00 PM|21:00|21:00:00|2024-03-30|20|24|2024|13|12|13|6|6|21| 9|Mar|pm|30| 3|30|SAT|MARCH"},
	{"America/New_York", 1729990799, "2024-10-26 20:59:59 24 300 Sat Saturday Oct October PM 08 26 EDT -0400 1729990799 % Sat Oct 26 20:59:59 2024|10/26/24|20:59:59|10/26/24|08:59:59 PM|20:59|20:59:59|2024-10-26|20|24|2024|43|42|43|6|6|20| 8|Oct|pm|26|10|26|SAT|OCTOBER"},
	{"America/New_York", 1729990800, "2024-10-26 21:00:00 24 300 Sat Saturday Oct October PM 09 26 EDT -0400 1729990800 % Sat Oct 26 21:00:00 2024|10/26/24|21:00:00|10/26/24|09:00:00 PM|21:00|21:00:00|2024-10-26|20|24|2024|43|42|43|6|6|21| 9|Oct|pm|26|10|26|SAT|OCTOBER"},
	{"America/New_York", 1735689599.9, "2024-12-31 18:59:59 24 366 Tue Tuesday Dec December PM 06 31 EST -0500 1735689599 % Tue Dec 31 18:59:59 2024|12/31/24|18:59:59|12/31/24|06:59:59 PM|18:59|18:59:59|2024-12-31|20|25|2025|01|52|53|2|2|18| 6|Dec|pm|31|12|31|TUE|DECEMBER"},
	{"America/New_York", -86400.5, "1969-12-30 18:59:59 69 364 Tue Tuesday Dec December PM 06 30 EST -0500 -86401 % Tue Dec 30 18:59:59 1969|12/30/69|18:59:59|12/30/69|06:59:59 PM|18:59|18:59:59|1969-12-30|19|70|1970|01|52|52|2|2|18| 6|Dec|pm|30|12|30|TUE|DECEMBER"},
	{"Asia/Kolkata", 0, "1970-01-01 05:30:00 70 001 Thu Thursday Jan January AM 05  1 IST +0530 0 % Thu Jan  1 05:30:00 1970|01/01/70|05:30:00|01/01/70|05:30:00 AM|05:30|05:30:00|1970-01-01|19|70|1970|01|00|00|4|4| 5| 5|Jan|am|1| 1|01|THU|JANUARY"},
	{"Asia/Kolkata", 1700000000, "2023-11-15 03:43:20 23 319 Wed Wednesday Nov November AM 03 15 IST +0530 1700000000 % Wed Nov 15 03:43:20 2023|11/15/23|03:43:20|11/15/23|03:43:20 AM|03:43|03:43:20|2023-11-15|20|23|2023|46|46|46|3|3| 3| 3|Nov|am|15|11|15|WED|NOVEMBER"},
	{"Asia/Kolkata", 1711846799, "2024-03-31 06:29:59 24 091 Sun Sunday Mar March AM 06 31 IST +0530 1711846799 % Sun Mar 31 06:29:59 2024|03/31/24|06:29:59|03/31/24|06:29:59 AM|06:29|06:29:59|2024-03-31|20|24|2024|13|13|13|7|0| 6| 6|Mar|am|31| 3|31|SUN|MARCH"},
	{"Asia/Kolkata", 1711846800, "2024-03-31 06:30:00 24 091 Sun Sunday Mar March AM 06 31 IST +0530 1711846800 % Sun Mar 31 06:30:00 2024|03/31/24|06:30:00|03/31/24|06:30:00 AM|06:30|06:30:00|2024-03-31|20|24|2024|13|13|13|7|0| 6| 6|Mar|am|31| 3|31|SUN|MARCH"},
	{"Asia/Kolkata", 1729990799, "2024-10-27 06:29:59 24 301 Sun Sunday Oct October AM 06 27 IST +0530 1729990799 % Sun Oct 27 06:29:59 2024|10/27/24|06:29:59|10/27/24|06:29:59 AM|06:29|06:29:59|2024-10-27|20|24|2024|43|43|43|7|0| 6| 6|Oct|am|27|10|27|SUN|OCTOBER"},
	{"Asia/Kolkata", 1729990800, "2024-10-27 06:30:00 24 301 Sun Sunday Oct October AM 06 27 IST +0530 1729990800 % Sun Oct 27 06:30:00 2024|10/27/24|06:30:00|10/27/24|06:30:00 AM|06:30|06:30:00|2024-10-27|20|24|2024|43|43|43|7|0| 6| 6|Oct|am|27|10|27|SUN|OCTOBER"},
	{"Asia/Kolkata", 1735689599.9, "2025-01-01 05:29:59 25 001 Wed Wednesday Jan January AM 05  1 IST +0530 1735689599 % Wed Jan  1 05:29:59 2025|01/01/25|05:29:59|01/01/25|05:29:59 AM|05:29|05:29:59|2025-01-01|20|25|2025|01|00|00|3|3| 5| 5|Jan|am|1| 1|01|WED|JANUARY"},
	{"Asia/Kolkata", -86400.5, "1969-12-31 05:29:59 69 365 Wed Wednesday Dec December AM 05 31 IST +0530 -86401 % Wed Dec 31 05:29:59 1969|12/31/69|05:29:59|12/31/69|05:29:59 AM|05:29|05:29:59|1969-12-31|19|70|1970|01|52|52|3|3| 5| 5|Dec|am|31|12|31|WED|DECEMBER"},
	{"Australia/Lord_Howe", 0, "1970-01-01 10:00:00 70 001 Thu Thursday Jan January AM 10  1 AEST +1000 0 % Thu Jan  1 10:00:00 1970|01/01/70|10:00:00|01/01/70|10:00:00 AM|10:00|10:00:00|1970-01-01|19|70|1970|01|00|00|4|4|10|10|Jan|am|1| 1|01|THU|JANUARY"},
	{"Australia/Lord_Howe", 1700000000, "2023-11-15 09:13:20 23 319 Wed Wednesday Nov November AM 09 15 +11 +1100 1700000000 % Wed Nov 15 09:13:20 2023|11/15/23|09:13:20|11/15/23|09:13:20 AM|09:13|09:13:20|2023-11-15|20|23|2023|46|46|46|3|3| 9| 9|Nov|am|15|11|15|WED|NOVEMBER"},
	{"Australia/Lord_Howe", 1711846799, "2024-03-31 11:59:59 24 091 Sun Sunday Mar March AM 11 31 +11 +1100 1711846799 % Sun Mar 31 11:59:59 2024|03/31/24|11:59:59|03/31/24|11:59:59 AM|11:59|11:59:59|2024-03-31|20|24|2024|13|13|13|7|0|11|11|Mar|am|31| 3|31|SUN|MARCH"},
	{"Australia/Lord_Howe", 1711846800, "2024-03-31 12:00:00 24 091 Sun Sunday Mar March PM 12 31 +11 +1100 1711846800 % Sun Mar 31 12:00:00 2024|03/31/24|12:00:00|03/31/24|12:00:00 PM|12:00|12:00:00|2024-03-31|20|24|2024|13|13|13|7|0|12|12|Mar|pm|31| 3|31|SUN|MARCH"},
	{"Australia/Lord_Howe", 1729990799, "2024-10-27 11:59:59 24 301 Sun Sunday Oct October AM 11 27 +11 +1100 1729990799 % Sun Oct 27 11:59:59 2024|10/27/24|11:59:59|10/27/24|11:59:59 AM|11:59|11:59:59|2024-10-27|20|24|2024|43|43|43|7|0|11|11|Oct|am|27|10|27|SUN|OCTOBER"},
	{"Australia/Lord_Howe", 1729990800, "2024-10-27 12:00:00 24 301 Sun Sunday Oct October PM 12 27 +11 +1100 1729990800 % Sun Oct 27 12:00:00 2024|10/27/24|12:00:00|10/27/24|12:00:00 PM|12:00|12:00:00|2024-10-27|20|24|2024|43|43|43|7|0|12|12|Oct|pm|27|10|27|SUN|OCTOBER"},
	{"Australia/Lord_Howe", 1735689599.9, "2025-01-01 10:59:59 25 001 Wed Wednesday Jan January AM 10  1 +11 +1100 1735689599 % Wed Jan  1 10:59:59 2025|01/01/25|10:59:59|01/01/25|10:59:59 AM|10:59|10:59:59|2025-01-01|20|25|2025|01|00|00|3|3|10|10|Jan|am|1| 1|01|WED|JANUARY"},
	{"Australia/Lord_Howe", -86400.5, "1969-12-31 09:59:59 69 365 Wed Wednesday Dec December AM 09 31 AEST +1000 -86401 % Wed Dec 31 09:59:59 1969|12/31/69|09:59:59|12/31/69|09:59:59 AM|09:59|09:59:59|1969-12-31|19|70|1970|01|52|52|3|3| 9| 9|Dec|am|31|12|31|WED|DECEMBER"},
}

// TestStrftimeMatchesGlibc formats in named zones (the oracle's machine
// is on UTC): DST changes, half-hour offsets, a negative second.
func TestStrftimeMatchesGlibc(t *testing.T) {
	for _, v := range strftimeVectors {
		zone, err := time.LoadLocation(v.zone)
		if err != nil {
			t.Skipf("no zone data: %v", err)
		}
		when, err := strftimeInstant(v.second)
		if err != nil {
			t.Fatal(err)
		}
		c := brokenDownTime{t: when.In(zone)}
		if got, err := c.format(strftimeFormat); err != nil || got != v.want {
			t.Errorf("%s %v:\ngot  %q (%v)\nwant %q", v.zone, v.second, got, err, v.want)
		}
	}
}

// TestStrftimeRefuses are the directives straylight does not guess.
func TestStrftimeRefuses(t *testing.T) {
	c := brokenDownTime{t: time.Unix(0, 0).UTC()}
	for _, format := range []string{"%Q", "%", "x%", "%5Y", "%Ey", "%Od", "%#Z", "%-a", "%^P", "%_c", "%:z"} {
		if got, err := c.format(format); err == nil {
			t.Errorf("%q: rendered %q", format, got)
		}
	}
	c.locale = timeLocale{name: "de_DE.UTF-8"}
	for _, format := range []string{"%a", "%c", "%x", "%p", "%r"} {
		if got, err := c.format(format); err == nil {
			t.Errorf("%q in de_DE: rendered %q", format, got)
		}
	}
	c.locale = timeLocale{name: "en_US.UTF-8"}
	if got, err := c.format("%a %B %Y %H %Z %z %F"); err != nil || got != "Thu January 1970 00 UTC +0000 1970-01-01" {
		t.Errorf("en_US: %q (%v)", got, err)
	}
}
