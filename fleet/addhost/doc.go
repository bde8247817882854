// Package addhost adds a host to the operator's repository like an
// existing one, the seed's "Adding New Windows vLLM Hosts" as one step: the
// template host's inventory entries are copied under the new name into the
// same groups of the same inventory files (fleet/inventory.InsertHost:
// only the new lines are added, everything else keeps its bytes), and its
// host_vars files are copied to host_vars/<new> with the values that name
// the template renamed, ansible_host set to the new address, and every
// vault value and vault-encrypted file encrypted afresh
// (fleet/hvedit.Doc.CopyFor).
//
// Prepare works everything out and writes nothing; Write stages every file
// beside its destination, checks that the inventory files still hold the
// bytes read, then renames them in, undoing the renames already made when
// one fails. Errors name the file and line, or the key, they are about.
package addhost
