# Reads a JSON list of documents on stdin and prints, for each, what
# Ansible's DataLoader makes of it, as JSON: {"ok": value} or {"err": msg}.
import json
import sys

from ansible.module_utils.common.json import AnsibleJSONEncoder
from ansible.parsing.dataloader import DataLoader

loader = DataLoader()
out = []
for doc in json.load(sys.stdin):
    try:
        value = loader.load(doc, file_name="doc.yml")
        out.append({"ok": json.loads(json.dumps(value, cls=AnsibleJSONEncoder))})
    except Exception as e:  # noqa: BLE001 - any failure is an answer
        out.append({"err": str(e).splitlines()[0] if str(e) else type(e).__name__})
json.dump(out, sys.stdout)
