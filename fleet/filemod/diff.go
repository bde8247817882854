package filemod

import udiff "github.com/aymanbagabas/go-udiff"

// unifiedDiff is difflib.unified_diff with Ansible's "before"/"after"
// headers and three lines of context.
func unifiedDiff(before, after string) string { return udiff.Unified("before", "after", before, after) }
