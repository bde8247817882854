#!/usr/bin/env bash
# Regenerates the vault fixtures with the REAL tool (Debian's ansible-vault,
# ansible-core 2.14), so that the Go tests prove parity with Ansible rather than
# with our own idea of the format. Every run draws fresh random salts, so the
# ciphertext changes; the plaintexts and passwords do not.
#
#   fleet/vault/testdata/make-fixtures.sh
#
# Output (all under this directory):
#   passwords/*.pass        test passwords (no real secret anywhere here)
#   plain/vars.yml          a whole vars file, as plaintext
#   plain/strings/NAME      the exact bytes of each encrypt_string value
#   vault/vars-*.yml        `ansible-vault encrypt` of plain/vars.yml
#   vault/inline.yml        `ansible-vault encrypt_string` outputs (`NAME: !vault |`)
#   vault/strings/NAME      the vault text of each inline value, un-indented
#   fuzz/FuzzVaultDecrypt/  seed corpus for the fuzz target (go test fuzz v1)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

command -v ansible-vault >/dev/null || { echo "ansible-vault not found (apt install ansible-core)" >&2; exit 1; }
python=/usr/bin/python3

# Keep the operator's own Ansible settings out of the fixtures.
unset ANSIBLE_VAULT_PASSWORD_FILE ANSIBLE_VAULT_IDENTITY_LIST ANSIBLE_VAULT_ID_MATCH
cfg=$(mktemp --suffix=.cfg)
trap 'rm -f "$cfg"' EXIT
export ANSIBLE_CONFIG=$cfg

rm -rf passwords plain vault fuzz
mkdir -p passwords plain/strings vault/strings fuzz/FuzzVaultDecrypt

# Password files. Ansible strips surrounding whitespace from a password file,
# so padded.pass opens the same vault as a file holding "straylight padded pw".
printf 'straylight-test-default\n' >passwords/default.pass
printf 'straylight-test-prod\n' >passwords/prod.pass
printf '  straylight padded pw \n\n' >passwords/padded.pass

cat >plain/vars.yml <<'EOF'
# group_vars/windows/vault.yml (test data, not real secrets)
ansible_user: straylight
ansible_password: "W1nRM-test-password"
litellm:
  port: 4000
  master_key: sk-straylight-test-master-key
EOF

ansible-vault encrypt --vault-password-file passwords/default.pass \
  --output vault/vars-default.yml plain/vars.yml
ansible-vault encrypt --vault-id prod@passwords/prod.pass \
  --output vault/vars-prod.yml plain/vars.yml
ansible-vault encrypt --vault-password-file passwords/padded.pass \
  --output vault/vars-padded.yml plain/vars.yml

# name, vault-id option, value (printf format, so \n is a newline)
strings=(
  'ansible_password|--vault-password-file passwords/default.pass|W1nRM p@ss; "quoted" & spaced'
  'litellm_master_key|--vault-id prod@passwords/prod.pass|sk-straylight-test-0123456789abcdef'
  'block_sized|--vault-password-file passwords/default.pass|exactly16bytes!!'
  'unicode_value|--vault-id prod@passwords/prod.pass|p\303\244ssw\303\266rd-\320\272\320\273\321\216\321\207'
  'multi_line|--vault-password-file passwords/default.pass|line one\nline two\n'
)

: >vault/inline.yml
for entry in "${strings[@]}"; do
  IFS='|' read -r name option value <<<"$entry"
  # shellcheck disable=SC2059 # the value is a printf format on purpose
  printf "$value" >"plain/strings/$name"
  # shellcheck disable=SC2086 # option holds two words on purpose
  block=$(ansible-vault encrypt_string $option --stdin-name "$name" <"plain/strings/$name")
  printf '%s\n' "$block" >>vault/inline.yml
  # The text the YAML loader hands to the decrypter: the block, un-indented.
  printf '%s\n' "$block" | sed '1d; s/^ *//' >"vault/strings/$name"
done

# Fuzz seed corpus: every fixture, plus a few hand-broken shapes.
corpus() { # name < data
  "$python" -c 'import json,sys; d=sys.stdin.buffer.read().decode("latin-1"); print("go test fuzz v1\n[]byte(" + json.dumps(d) + ")")' \
    >"fuzz/FuzzVaultDecrypt/$1"
}
for f in vault/vars-*.yml vault/strings/*; do
  corpus "fixture-$(basename "$f")" <"$f"
done
head -c 200 vault/vars-default.yml | corpus truncated
printf '$ANSIBLE_VAULT;1.1;AES256\n' | corpus header-only
printf '$ANSIBLE_VAULT;1.2;AES256;prod\n3a0a0a\n' | corpus empty-parts
printf '$ANSIBLE_VAULT;1.1;AES256\r\n' | corpus crlf-header
sed 's/^6/7/' vault/vars-default.yml | corpus bad-hex-digit

echo "fixtures written under $here" >&2
