"""
The model ids the hub profile's `from_pretrained` accepts (issue 13): every id the APIBench API database names
(its `api_name`, and the ids in its `api_call`s) and every id the eval references load, written as one sorted
JSON list into the runtime (apieval_hub/model_ids.json) when the image is built.

    python3 sandbox/hub/model_ids.py HUGGINGFACE_API_JSONL REFERENCES_JSONL > model_ids.json

REFERENCES_JSONL holds {"code"} lines (bench/hub-census.ts writes them). Standard library only.
"""
import json
import re
import sys

ID_CALLS = [
    re.compile(r"from_pretrained\(\s*(?:pretrained_model_name_or_path\s*=\s*)?['\"]([^'\"]+)['\"]"),
    re.compile(r"\bmodel\s*=\s*['\"]([^'\"]+)['\"]"),
    re.compile(r"pipeline\(\s*['\"][^'\"]+['\"]\s*,\s*['\"]([^'\"]+)['\"]"),
]
LOOKS_LIKE_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?$")


def ids_in(text):
    for pattern in ID_CALLS:
        for m in pattern.finditer(text):
            if LOOKS_LIKE_ID.match(m.group(1)):
                yield m.group(1)


def main(api_db, references):
    ids = set()
    with open(api_db, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            name = rec.get("api_name")
            if isinstance(name, str) and LOOKS_LIKE_ID.match(name):
                ids.add(name)
            ids.update(ids_in(str(rec.get("api_call", ""))))
            ids.update(ids_in(str(rec.get("example_code", ""))))
    with open(references, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                ids.update(ids_in(json.loads(line)["code"]))
    json.dump(sorted(ids), sys.stdout, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
