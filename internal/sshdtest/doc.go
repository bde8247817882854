// Package sshdtest starts a real OpenSSH server (/usr/sbin/sshd) on a free
// loopback port for tests: a generated host key, a client key, two test
// users (one logging in with the key or a password and allowed sudo
// without a password, one whose sudo asks for its password), and TCP
// forwarders that can cut or silence a connection.
//
// The server needs root (sshd switches to the logged-in user, and the users
// and the sudo rule are created on the machine). Without root or sshd a
// test skips with a message naming what is missing; with
// STRAYLIGHT_REQUIRE_ORACLES=1 it fails instead.
package sshdtest
