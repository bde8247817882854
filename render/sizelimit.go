package render

import (
	"fmt"
	"strings"
)

// stringLimit is the longest string, in bytes, that straylight builds by
// repeating or padding one ('x' * n, ljust, center, zfill, a format
// width, indent, expandtabs). Python builds whatever it is asked for
// until memory runs out; a 16 MiB line is no configuration file's, and a
// width of 10¹⁰ would end the process rather than fail the template.
const stringLimit = 16 << 20

// sizeLimitError is a template asking for more than resultLimit items or
// stringLimit bytes. Code that has no error to return (a range unrolled
// for a filter, a string repeated inside a format spec) raises it as a
// panic, and protect returns it as the template's error.
type sizeLimitError struct {
	what  string
	size  float64
	limit int
	unit  string
}

func (e *sizeLimitError) Error() string {
	return fmt.Sprintf("%s would make %.4g %s: straylight refuses more than %d (Python would build them all in memory)", e.what, e.size, e.unit, e.limit)
}

// refuseItems panics with a sizeLimitError when count items exceed
// resultLimit.
func refuseItems(what string, count float64) {
	if count > resultLimit {
		panic(&sizeLimitError{what: what, size: count, limit: resultLimit, unit: "items"})
	}
}

// repeatString is strings.Repeat(s, n), refused past stringLimit bytes.
func repeatString(s string, n int) string {
	if n > 0 && float64(len(s))*float64(n) > stringLimit {
		panic(&sizeLimitError{what: "repeating a string", size: float64(len(s)) * float64(n), limit: stringLimit, unit: "bytes"})
	}
	return strings.Repeat(s, max(n, 0))
}

// keepSizeLimit, deferred by a caller that returns an error (a filter, a
// string method, a loop), turns a sizeLimitError panic below it into that
// error, so that gonja wraps it with the template's line; any other panic
// goes on to protect.
func keepSizeLimit(err *error) {
	r := recover()
	if r == nil {
		return
	}
	limit, ok := r.(*sizeLimitError)
	if !ok {
		panic(r)
	}
	*err = limit
}

// sizeLimited is fn's result, a size past straylight's limits its error.
func sizeLimited(fn func() (any, error)) (out any, err error) {
	defer keepSizeLimit(&err)
	return fn()
}
