//go:build !unix

package fileowner

import "os"

// Of is "": this system's files have no POSIX owner (Ansible's
// controller is POSIX; straylight on Windows has no template_uid to give).
func Of(os.FileInfo) string { return "" }
