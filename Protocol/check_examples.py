#!/usr/bin/env python3
"""Validates Protocol/Examples/*.json against the component schemas of Protocol/openapi.json.

OpenAPI 3.0 schema objects are almost JSON Schema; the one difference that matters here is
`nullable: true`, which this script turns into a JSON Schema type list (`["string", "null"]`).
The converted components are then used as a draft 2020-12 resource, and each example is checked
against `#/components/schemas/<Name>`.

A few deliberately broken variants of the push example are checked too, to make sure the schema
rejects what the server rejects (unknown keys, malformed clocks, fractional numbers).

Usage: python3 Protocol/check_examples.py        (needs the `jsonschema` package, 4.18 or later)
"""
import copy
import json
import sys
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HERE = Path(__file__).resolve().parent
SPEC_URI = "urn:kette:openapi"

# Example file -> component schema it is an instance of.
EXAMPLES = {
    "push-request.json": "PushRequest",
    "push-response.json": "PushResponse",
    "pull-page.json": "PullPage",
    "pull-page-redacted.json": "PullPage",
    "error.json": "Error",
    "pull-page-left.json": "PullPage",
    "digests.json": "DigestAnswer",
    "digest-buckets.json": "BucketListing",
    "digest-records-request.json": "RecordCheckRequest",
    "digest-records.json": "RecordCheck",
    "repair-request.json": "RepairRequest",
    "repair-response.json": "RepairAnswer",
}

# OpenAPI-only keywords without meaning in JSON Schema validation.
OPENAPI_ONLY = {"nullable", "example", "discriminator", "xml", "externalDocs", "deprecated", "readOnly", "writeOnly"}


def to_json_schema(node):
    """Converts one OpenAPI 3.0 schema object (recursively) to JSON Schema 2020-12."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: to_json_schema(value) for key, value in node.items() if key not in OPENAPI_ONLY}
    if node.get("nullable") is True:
        if "type" in node:
            converted["type"] = [node["type"], "null"]
            if "enum" in node and None not in node["enum"]:
                converted["enum"] = node["enum"] + [None]
        # OpenAPI 3.0.3: `nullable` without `type` has no effect, so nothing to add.
    if "$ref" in node:
        # In OpenAPI 3.0 a $ref's siblings are ignored; keep only the reference.
        return {"$ref": SPEC_URI + node["$ref"]}
    return converted


def validator_for(schema_name, components):
    document = {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": components}
    registry = Registry().with_resource(SPEC_URI, Resource(contents=document, specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"}, registry=registry)


def main():
    openapi = json.loads((HERE / "openapi.json").read_text(encoding="utf-8"))
    components = {"schemas": {name: to_json_schema(schema) for name, schema in openapi["components"]["schemas"].items()}}
    failures = 0

    for file_name, schema_name in EXAMPLES.items():
        instance = json.loads((HERE / "Examples" / file_name).read_text(encoding="utf-8"))
        errors = sorted(validator_for(schema_name, components).iter_errors(instance), key=lambda e: list(e.absolute_path))
        if errors:
            failures += 1
            print(f"FAIL {file_name} against {schema_name}:")
            for error in errors:
                location = "/".join(str(part) for part in error.absolute_path) or "(document)"
                print(f"    {location}: {error.message}")
        else:
            print(f"ok   {file_name} is a valid {schema_name}")

    # Variants the schema must reject, as the server does.
    push = json.loads((HERE / "Examples" / "push-request.json").read_text(encoding="utf-8"))
    broken = []
    variant = copy.deepcopy(push); variant["sudo"] = True
    broken.append(("an unknown top-level key", variant))
    variant = copy.deepcopy(push); variant["changeSets"][0]["priority"] = 1
    broken.append(("an unknown change-set key", variant))
    variant = copy.deepcopy(push); variant["changeSets"][0]["changes"][0]["districtId"] = "nordstadt"
    broken.append(("an unknown change key", variant))
    variant = copy.deepcopy(push); variant["changeSets"][0]["changes"][0]["hlc"] = "yesterday"
    broken.append(("a malformed clock", variant))
    variant = copy.deepcopy(push); variant["changeSets"][0]["changes"][0]["value"] = 1.5
    broken.append(("a fractional value", variant))
    variant = copy.deepcopy(push); variant["changeSets"][0]["changes"][0]["value"] = [1, 2]
    broken.append(("a list of numbers", variant))
    variant = copy.deepcopy(push); variant["changeSets"][0]["changes"][0]["type"] = "spaceship"
    broken.append(("an unknown record type", variant))
    variant = copy.deepcopy(push); del variant["changeSets"][0]["schemaVersion"]
    broken.append(("a change set without schemaVersion", variant))
    push_validator = validator_for("PushRequest", components)
    for description, instance in broken:
        if push_validator.is_valid(instance):
            failures += 1
            print(f"FAIL the schema accepts a push with {description}")
        else:
            print(f"ok   the schema rejects a push with {description}")

    # Variants it must accept: what the server accepts.
    variant = copy.deepcopy(push)
    variant["changeSets"][0]["author"] = None
    variant["changeSets"][0]["changes"][0]["base"] = None
    variant["changeSets"][0]["changes"][1]["value"] = None
    variant["changeSets"][0]["changes"][2]["value"] = 42
    variant["changeSets"][0]["changes"][3]["value"] = True
    if push_validator.is_valid(variant):
        print("ok   the schema accepts null author, null base and null, integer and boolean values")
    else:
        failures += 1
        print("FAIL the schema rejects null author, null base or a null, integer or boolean value")

    if failures:
        print(f"{failures} check(s) failed")
        return 1
    print("all examples match openapi.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
