// Package fileowner names a file's owner, as Python's
// pwd.getpwuid(os.stat(path).st_uid).pw_name does on the controller: the
// template module gives it to templates as template_uid. No library
// reads the owner portably (os.FileInfo.Sys is each system's own type),
// so each system has its file here.
package fileowner
