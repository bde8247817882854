// Package pyfmt formats values the way Python prints them, for output that
// must match Ansible's byte for byte (fleet/inventory compares with
// ansible-inventory's JSON, render prints like Jinja2).
package pyfmt

import (
	"fmt"
	"strconv"
	"strings"
)

// FiniteFloat is Python's repr of a finite float: the shortest digits that
// round-trip, scientific notation below 1e-4 and from 1e16, and a ".0" on
// whole numbers. Callers spell NaN and the infinities their own way (JSON
// and Python differ).
func FiniteFloat(f float64) string {
	sci := strconv.FormatFloat(f, 'e', -1, 64)
	mantissa, expText, _ := strings.Cut(sci, "e")
	exp, _ := strconv.Atoi(expText)
	if exp < -4 || exp >= 16 {
		return fmt.Sprintf("%se%s%02d", mantissa, expSign(exp), abs(exp))
	}
	fixed := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(fixed, ".") {
		fixed += ".0"
	}
	return fixed
}

func expSign(exp int) string {
	if exp < 0 {
		return "-"
	}
	return "+"
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
