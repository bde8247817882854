#!/bin/bash
# Repeat the repository runs of docs/real-repositories.md, "Survey 2": for each of
# the 8 repositories, a scratch copy of the recorded commit, the stand-ins
# copied where its README says, straylight --check --json, ansible-playbook
# --check --diff with the same arguments, and (where Ansible's run stops
# early) a second Ansible run on the stand-in play with ignore_errors; then
# filestatus.py and straylight-summary.py. Ours. Check mode only.
# Needs the snapshots under $MIRRORS (fetch github:<owner>/<name>) and a
# straylight binary ($STRAYLIGHT, default built from this checkout).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
MIRRORS=${MIRRORS:-/work/.mirror}
WORK=${WORK:-/tmp/survey2-runs}
OUT=${OUT:-$WORK/out}
STRAYLIGHT=${STRAYLIGHT:-$WORK/straylight}
COLL=/root/.cache/straylight/collections:/usr/share/ansible/collections:/usr/lib/python3/dist-packages
mkdir -p "$WORK" "$OUT"
[ -x "$STRAYLIGHT" ] || (cd "$HERE/../.." && go build -o "$STRAYLIGHT" .) || exit 2

copy() { # copy OWNER+NAME COMMIT NAME
	rm -rf "$WORK/$3" && mkdir -p "$WORK/$3" && git -C "$MIRRORS/$1/repo" archive "$2" | tar -x -C "$WORK/$3"
}
# run NAME INVENTORY PLAYBOOK IE_PLAYBOOK [args]: in $WORK/NAME
run() {
	local name=$1 inv=$2 pb=$3 ie=$4; shift 4
	(cd "$WORK/$name" &&
		timeout 600 "$STRAYLIGHT" -C . --check --json -i "$inv" "$@" "$pb" >"$OUT/$name.s.json" 2>"$OUT/$name.s.err"
		echo "### $name: straylight exit $?"
		ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_NOCOLOR=1 timeout 900 ansible-playbook --check --diff -i "$inv" "$@" "$pb" >"$OUT/$name.a.json" 2>"$OUT/$name.a.err"
		echo "  ansible-playbook exit $?"
		if [ "$ie" != - ]; then
			ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_NOCOLOR=1 timeout 900 ansible-playbook --check --diff -i "$inv" "$@" "$ie" >"$OUT/$name.a.ie.json" 2>"$OUT/$name.a.ie.err"
			echo "  ansible-playbook (ignore_errors stand-in $ie) exit $?"
		fi)
	if [ ! -s "$OUT/$name.s.json" ]; then
		head -3 "$OUT/$name.s.err"
		return
	fi
	python3 "$HERE/straylight-summary.py" "$OUT/$name.s.json"
	local a=$OUT/$name.a.json
	[ "$ie" != - ] && a=$OUT/$name.a.ie.json
	python3 "$HERE/filestatus.py" "$OUT/$name.s.json" "$a" "$WORK/$name" | tail -1
}

S=$HERE/llm-ansible
copy akshaypgore+llm-ansible 056dd5e13e0fecec283660b5747657849a7e3959 llm-ansible
cp "$S/standin-ignore-errors.yml" "$WORK/llm-ansible/"
run llm-ansible "$S/standin.ini" playbook.yaml standin-ignore-errors.yml

S=$HERE/ansible-dgx-collection
copy kmechlin+ansible-dgx-collection 96beb138a939ccecafdfd77d4e052630eadb4ab6 ansible-dgx-collection
cp "$S/standin.ini" "$WORK/ansible-dgx-collection/inventory/"
cp "$S/standin-play.yml" "$S/standin-play-ignore-errors.yml" "$WORK/ansible-dgx-collection/playbooks/"
mkdir -p "$WORK/colls/ansible_collections/zelos" && ln -sfn "$WORK/ansible-dgx-collection" "$WORK/colls/ansible_collections/zelos/dgx"
export ANSIBLE_COLLECTIONS_PATH=$WORK/colls:$COLL
run ansible-dgx-collection inventory/standin.ini playbooks/ai_serving.yml - -e @"$S/standin-vars.yml"   # finding 2: straylight stops
run ansible-dgx-collection inventory/standin.ini playbooks/standin-play.yml playbooks/standin-play-ignore-errors.yml -e @"$S/standin-vars.yml"
export ANSIBLE_COLLECTIONS_PATH=$COLL

S=$HERE/ansible-ollama-collection
copy ygalblum+ansible-ollama-collection 29bbb091401614f9a833f3720221eeedf04b7771 ansible-ollama-collection
cp "$S/standin-ignore-errors.yml" "$WORK/ansible-ollama-collection/playbooks/"
ANSIBLE_ROLES_PATH=$WORK/ansible-ollama-collection/roles run ansible-ollama-collection "$S/standin.ini" playbooks/install.yml playbooks/standin-ignore-errors.yml -e @"$S/standin-vars.yml" -e standin_dir="$S"

S=$HERE/ia-lab
copy stratecode+ia-lab 33aa59ec8f3d9addc6bd047050ec00593f5f03f9 ia-lab
cp "$S/standin.ini" "$WORK/ia-lab/"
cp "$S/standin-play.yml" "$S/standin-play-ignore-errors.yml" "$S/standin-play-all.yml" "$WORK/ia-lab/playbooks/"
sed '/- aider/d; /- orchestrator/d' "$S/standin-play-all.yml" >"$WORK/ia-lab/playbooks/standin-play-rest.yml"
sed 's/^  become: true/  become: true\n  ignore_errors: true/' "$WORK/ia-lab/playbooks/standin-play-rest.yml" >"$WORK/ia-lab/playbooks/standin-play-rest-ie.yml"
mkdir -p "$WORK/ia-lab/dist" && for b in codex-local-gateway-linux-amd64 orchestrator-go-linux-amd64; do echo "standin binary" >"$WORK/ia-lab/dist/$b"; done
(
	. "$S/standin.env"
	mkdir -p "$HOME"
	export LAB_AIDER_ENABLED=true
	run ia-lab standin.ini playbooks/standin-play.yml playbooks/standin-play-ignore-errors.yml
	run ia-lab standin.ini playbooks/standin-play-all.yml - -e @"$S/standin-vars.yml"   # finding 4
	export LAB_AIDER_ENABLED=false
	run ia-lab standin.ini playbooks/standin-play-rest.yml playbooks/standin-play-rest-ie.yml -e @"$S/standin-vars.yml"
)

S=$HERE/jays-remote-lab
copy Jaydee94+jays-remote-lab a16eae01aaff0d98092161ec18143d950c5aaccc jays-remote-lab
cp "$S/standin-ignore-errors.yml" "$WORK/jays-remote-lab/"
run jays-remote-lab "$S/standin.ini" site.yml standin-ignore-errors.yml

S=$HERE/local-llm-server
copy philbudden+local-llm-server 42eb54e6d4c4c9f8ef9a42ed808e658707c7d842 local-llm-server
cp "$S/standin.ini" "$WORK/local-llm-server/inventory/"
cp "$S/standin-ignore-errors.yml" "$WORK/local-llm-server/playbooks/"
run local-llm-server inventory/standin.ini playbooks/site.yml playbooks/standin-ignore-errors.yml -e ansible_system=Darwin

S=$HERE/local-llm-stack
copy binarobb+local-llm-stack 9a2d708ae0adc562f2148c9c713eeeed3621a36f local-llm-stack
(export HOME=$WORK/home; mkdir -p "$HOME"; run local-llm-stack "$S/standin.ini" site.yml -)

S=$HERE/taylor-ansible
copy awesomejt+taylor-ansible 79944d7875ab1ff1673c16bac79c489d30a7e1a0 taylor-ansible
cp "$S/standin-play.yml" "$WORK/taylor-ansible/"
run taylor-ansible "$S/standin.ini" standin-play.yml - -e @"$S/standin-vars.yml"
