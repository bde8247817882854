package render

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// addTimeFilters registers Ansible's strftime (plugins/filter/core.py,
// the same at v2.14.18 and v2.19.14).
func addTimeFilters(filters map[string]filter) {
	filters["strftime"] = filter{params: []string{"second", "utc"}, fn: filterStrftime}
}

// filterStrftime is strftime(string_format, second=None, utc=False):
// time.strftime(string_format, time.gmtime(second) if utc else
// time.localtime(second)), second read as float(second), the current
// time when it is None. The controller's local time is Go's time.Local,
// which reads TZ and /etc/localtime as glibc does.
func filterStrftime(in any, args []any) (any, error) {
	format, ok := in.(string)
	if !ok {
		return nil, fmt.Errorf("TypeError: strftime() argument 1 must be str, not %s", typeName(in))
	}
	when, err := strftimeInstant(or(args[0], nil))
	if err != nil {
		return nil, err
	}
	c, err := newBrokenDownTime(when, pyTruthy(or(args[1], false)))
	if err != nil {
		return nil, err
	}
	return c.format(format)
}

// strftimeInstant is the second strftime formats: now for None, else
// float(second) floored to a whole second as time.localtime does
// (_PyTime_ROUND_FLOOR).
func strftimeInstant(second any) (time.Time, error) {
	if second == nil {
		return time.Now(), nil
	}
	f, ok := epochFloat(second)
	if !ok {
		//lint:ignore ST1005 Ansible's message, word for word
		return time.Time{}, fmt.Errorf("Invalid value for epoch value (%s)", pyStr(second))
	}
	if math.IsNaN(f) || math.Abs(f) > 1e15 {
		return time.Time{}, fmt.Errorf("ValueError: timestamp %s out of range", pyRepr(f))
	}
	return time.Unix(int64(math.Floor(f)), 0), nil
}

// epochFloat is Python's float(x) for the values a template passes.
func epochFloat(x any) (float64, bool) {
	switch v := x.(type) {
	case bool:
		return float64(boolToInt(v)), true
	case int:
		return float64(v), true
	case float64:
		return v, true
	case string:
		return parsePyFloat(v)
	}
	return 0, false
}

// brokenDownTime is the struct_time strftime formats: its instant in
// the local zone or UTC (gmtime's zone is named GMT).
type brokenDownTime struct {
	t      time.Time
	utc    bool
	locale timeLocale
}

// newBrokenDownTime is time.localtime(t), or time.gmtime(t) when utc,
// for the years whose printing straylight knows (1000 to 9999); a TZ
// that Go cannot read (a POSIX rule rather than a zone name) is refused
// where glibc would read it.
func newBrokenDownTime(t time.Time, utc bool) (brokenDownTime, error) {
	if utc {
		t = t.In(time.FixedZone("GMT", 0))
	} else if tz := os.Getenv("TZ"); tz != "" {
		if _, err := time.LoadLocation(strings.TrimPrefix(tz, ":")); err != nil {
			return brokenDownTime{}, fmt.Errorf("strftime: TZ=%s is not a time zone straylight can read", tz)
		}
		t = t.Local()
	} else {
		t = t.Local()
	}
	if t.Year() < 1000 || t.Year() > 9999 {
		return brokenDownTime{}, fmt.Errorf("strftime: straylight formats the years 1000 to 9999 only, not %d", t.Year())
	}
	return brokenDownTime{t: t, utc: utc, locale: currentTimeLocale()}, nil
}

// format is glibc's strftime of format: each %-conversion, with an
// optional flag (- _ 0 ^), replaced; text copied as it is.
func (c brokenDownTime) format(format string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		spec, width := conversionAt(format, i)
		text, err := c.conversion(spec)
		if err != nil {
			return "", err
		}
		b.WriteString(text)
		i += width - 1
	}
	return b.String(), nil
}

// conversionAt is the conversion starting at format[i] ("%-d", "%Y",
// or a lone "%" at the end) and its length in bytes.
func conversionAt(format string, i int) (string, int) {
	end := i + 1
	if end < len(format) && strings.IndexByte("-_0^#", format[end]) >= 0 {
		end++
	}
	if end < len(format) {
		end++
	}
	return format[i:end], end - i
}

// conversion is one conversion's text, or an error for one straylight
// does not render (an unknown letter, a width, the # flag, E and O, a
// flag on a word but ^, and ^ on %P, which glibc leaves lowercase).
func (c brokenDownTime) conversion(spec string) (string, error) {
	flag, letter := conversionParts(spec)
	if letter == 's' && !c.epochKnown() {
		return "", errors.New("strftime: %s with utc=True is glibc's mktime of the UTC fields read as local time: straylight renders it on a controller in UTC only")
	}
	if n, ok := c.numeric(letter); ok && flag != '#' {
		return padded(n, flag), nil
	}
	if text, ok := c.named(letter); ok && (flag == 0 || flag == '^' && letter != 'P') {
		if !c.locale.hasNames(letter) {
			return "", localeRefused(spec)
		}
		return upperIf(text, flag == '^'), nil
	}
	if text, ok, err := c.composite(letter); ok && flag == 0 {
		return text, err
	}
	return "", fmt.Errorf("strftime: straylight does not render the directive %q", spec)
}

// conversionParts splits "%-d" into its flag ('-', or 0 for none) and
// letter (0 for a lone "%").
func conversionParts(spec string) (flag, letter byte) {
	rest := spec[1:]
	if len(rest) == 2 {
		flag, rest = rest[0], rest[1:]
	}
	if len(rest) == 1 {
		letter = rest[0]
	}
	return flag, letter
}

// numericField is a number strftime pads: its value, its width and its
// padding ('0', or ' ' for %e, %k and %l).
type numericField struct {
	value int64
	width int
	pad   byte
}

// numeric is the numeric conversions of glibc's strftime.
func (c brokenDownTime) numeric(letter byte) (numericField, bool) {
	t := c.t
	isoYear, isoWeek := t.ISOWeek()
	fields := map[byte]numericField{
		'd': {int64(t.Day()), 2, '0'}, 'e': {int64(t.Day()), 2, ' '},
		'H': {int64(t.Hour()), 2, '0'}, 'k': {int64(t.Hour()), 2, ' '},
		'I': {int64(hour12(t)), 2, '0'}, 'l': {int64(hour12(t)), 2, ' '},
		'm': {int64(t.Month()), 2, '0'}, 'M': {int64(t.Minute()), 2, '0'},
		'S': {int64(t.Second()), 2, '0'}, 'j': {int64(t.YearDay()), 3, '0'},
		'y': {int64(t.Year() % 100), 2, '0'}, 'Y': {int64(t.Year()), 1, '0'},
		'C': {int64(t.Year() / 100), 2, '0'}, 'g': {int64(isoYear % 100), 2, '0'},
		'G': {int64(isoYear), 1, '0'}, 'V': {int64(isoWeek), 2, '0'},
		'U': {int64(weekOfYear(t, 0)), 2, '0'}, 'W': {int64(weekOfYear(t, 1)), 2, '0'},
		'u': {int64((int(t.Weekday())+6)%7 + 1), 1, '0'}, 'w': {int64(t.Weekday()), 1, '0'},
	}
	field, ok := fields[letter]
	if letter == 's' {
		return numericField{c.epochSeconds(), 1, '0'}, true
	}
	return field, ok
}

// hour12 is the hour on a 12-hour clock (12 for noon and midnight).
func hour12(t time.Time) int {
	if h := t.Hour() % 12; h != 0 {
		return h
	}
	return 12
}

// weekOfYear is %U (weeks starting on Sunday, firstDay 0) or %W
// (starting on Monday, firstDay 1): the days before the year's first
// such day are week 0.
func weekOfYear(t time.Time, firstDay int) int {
	yday := t.YearDay() - 1
	wday := (int(t.Weekday()) - firstDay + 7) % 7
	return (yday + 7 - wday) / 7
}

// epochSeconds is %s: glibc's mktime of the broken-down time, which
// for localtime's is the instant itself.
func (c brokenDownTime) epochSeconds() int64 { return c.t.Unix() }

// epochKnown tells whether %s is the instant: for gmtime's fields, mktime
// reads them as local standard time, the instant only where the local
// zone is UTC (straylight refuses %s with utc elsewhere).
func (c brokenDownTime) epochKnown() bool {
	if !c.utc {
		return true
	}
	local := c.t.Local()
	_, offset := local.Zone()
	return offset == 0 && !local.IsDST()
}

// padded is n printed as glibc's strftime pads it: to its width with
// its padding, '_' padding with spaces, '0' with zeros, '-' not at all.
func padded(n numericField, flag byte) string {
	digits := strconv.FormatInt(n.value, 10)
	pad := n.pad
	switch flag {
	case '-':
		return digits
	case '_':
		pad = ' '
	case '0':
		pad = '0'
	}
	if len(digits) >= n.width {
		return digits
	}
	return repeatString(string(pad), n.width-len(digits)) + digits
}

// named is the conversions that print words: day and month names,
// AM/PM, the zone's abbreviation and its offset (C locale's words).
func (c brokenDownTime) named(letter byte) (string, bool) {
	t := c.t
	switch letter {
	case 'a':
		return t.Weekday().String()[:3], true
	case 'A':
		return t.Weekday().String(), true
	case 'b', 'h':
		return t.Month().String()[:3], true
	case 'B':
		return t.Month().String(), true
	case 'p':
		return amPM(t), true
	case 'P':
		return strings.ToLower(amPM(t)), true
	case 'Z':
		name, _ := t.Zone()
		return name, true
	case 'z':
		return zoneOffset(t), true
	}
	return "", false
}

func amPM(t time.Time) string {
	if t.Hour() < 12 {
		return "AM"
	}
	return "PM"
}

// zoneOffset is %z: +hhmm or -hhmm.
func zoneOffset(t time.Time) string {
	_, offset := t.Zone()
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	return fmt.Sprintf("%s%02d%02d", sign, offset/3600, offset/60%60)
}

func upperIf(s string, upper bool) string {
	if upper {
		return strings.ToUpper(s)
	}
	return s
}

// composite is the conversions that stand for others (the C locale's
// %c, %x, %X, %r), and %n, %t and %%.
func (c brokenDownTime) composite(letter byte) (string, bool, error) {
	formats := map[byte]string{
		'c': "%a %b %e %H:%M:%S %Y", 'x': "%m/%d/%y", 'X': "%H:%M:%S", 'r': "%I:%M:%S %p",
		'D': "%m/%d/%y", 'F': "%Y-%m-%d", 'R': "%H:%M", 'T': "%H:%M:%S",
		'n': "\n", 't': "\t",
	}
	if letter == '%' {
		return "%", true, nil
	}
	format, ok := formats[letter]
	if !ok {
		return "", false, nil
	}
	if !c.locale.hasComposite(letter) {
		return "", true, localeRefused("%" + string(letter))
	}
	text, err := c.format(format)
	return text, true, err
}

// timeLocale is the locale Python's strftime prints in: Ansible's CLI
// calls setlocale(LC_ALL, ”), so the controller's LC_ALL, LC_TIME or
// LANG.
type timeLocale struct {
	name string
}

// currentTimeLocale is the LC_TIME locale the environment names.
func currentTimeLocale() timeLocale {
	for _, variable := range []string{"LC_ALL", "LC_TIME", "LANG"} {
		if name := os.Getenv(variable); name != "" {
			return timeLocale{name: name}
		}
	}
	return timeLocale{}
}

// isC tells whether the locale is C (or POSIX, or C.UTF-8), whose words
// and formats are the ones straylight prints.
func (l timeLocale) isC() bool {
	return l.name == "" || l.name == "C" || l.name == "POSIX" || strings.HasPrefix(l.name, "C.")
}

// hasNames tells whether the locale's day and month names and AM/PM are
// the C locale's: C, and English ones for the names (an English
// locale's AM/PM and zone conversions may differ, en_GB's am).
func (l timeLocale) hasNames(letter byte) bool {
	switch letter {
	case 'Z', 'z':
		return true
	case 'a', 'A', 'b', 'B', 'h':
		return l.isC() || strings.HasPrefix(l.name, "en_")
	}
	return l.isC()
}

// hasComposite tells whether the locale's %c, %x, %X and %r are the C
// locale's (other composites are the same in every locale).
func (l timeLocale) hasComposite(letter byte) bool {
	return l.isC() || strings.IndexByte("cxXr", letter) < 0
}

func localeRefused(spec string) error {
	return errors.New("strftime: " + spec + " depends on the controller's locale, which is not C: straylight does not render it")
}
