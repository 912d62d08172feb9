# Validates JSON documents against a JSON Schema with Debian's python3-jsonschema (draft 2020-12,
# formats asserted). stdin: {"schema": {...}, "documents": [doc, ...]}. stdout: one JSON list per
# document of its error messages (empty when valid). Exit 2 if the schema itself is not valid
# against the draft's meta-schema.
import json
import sys

import jsonschema

request = json.load(sys.stdin)
schema = request["schema"]
validator_class = jsonschema.Draft202012Validator
try:
    validator_class.check_schema(schema)
except jsonschema.SchemaError as e:
    print("schema is not valid draft 2020-12: %s" % e.message, file=sys.stderr)
    sys.exit(2)
validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
out = []
for doc in request["documents"]:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    out.append(["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "-", e.message) for e in errors])
json.dump(out, sys.stdout)
