package fleet

import "strings"

// maskDiff masks secrets in a unified diff. A changed line whose old and new
// versions differ only in a secret would show as two identical masked lines,
// hiding that anything changed; such pairs become one context-style line
// saying a secret changed, without either value.
func maskDiff(diff string, secrets []string) string {
	if len(secrets) == 0 || diff == "" {
		return diff
	}
	lines := strings.SplitAfter(diff, "\n")
	var out []string
	for i := 0; i < len(lines); {
		minus, plus := changeBlock(lines, i)
		if len(minus) > 0 && len(minus) == len(plus) {
			out = append(out, pairMasked(minus, plus, secrets)...)
			i += len(minus) + len(plus)
			continue
		}
		out = append(out, maskSecrets(lines[i], secrets))
		i++
	}
	return strings.Join(out, "")
}

// changeBlock returns the run of "-" lines at i and the "+" lines after it.
func changeBlock(lines []string, i int) (minus, plus []string) {
	j := i
	for j < len(lines) && isDiffLine(lines[j], '-') {
		j++
	}
	k := j
	for k < len(lines) && isDiffLine(lines[k], '+') {
		k++
	}
	return lines[i:j], lines[j:k]
}

func isDiffLine(l string, c byte) bool {
	return len(l) > 0 && l[0] == c && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++")
}

func pairMasked(minus, plus, secrets []string) []string {
	var removed, added, same []string
	for i := range minus {
		m, p := maskSecrets(minus[i], secrets), maskSecrets(plus[i], secrets)
		if m[1:] == p[1:] && minus[i] != "" && minus[i][1:] != plus[i][1:] {
			same = append(same, "~"+strings.TrimRight(m[1:], "\r\n")+"    # secret value changed (not shown)\n")
			continue
		}
		removed, added = append(removed, m), append(added, p)
	}
	return append(append(removed, added...), same...)
}
