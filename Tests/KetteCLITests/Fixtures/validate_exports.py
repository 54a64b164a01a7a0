#!/usr/bin/env python3
"""Validates a `kette export hsds` or `kette export oparl` directory against the official JSON schemas.

    validate_exports.py hsds DIR [STANDARDS_DIR]
    validate_exports.py oparl DIR [STANDARDS_DIR]

STANDARDS_DIR holds hsds-3.0/ and oparl-1.1/schema/; without it, the copy in the repository's
Tests/Standards is used. Every row (HSDS) or object (OParl, with the
objects it embeds) is validated with jsonschema, formats included (uuid, date, date-time, email).
Beyond the schemas it checks what they cannot express: ids are unique, references point at rows or
objects of the export, and OParl ids and references are http(s) URLs. Prints one line per problem
and exits 1 if there is any, else prints a summary and exits 0.
"""
import json
import os
import sys

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# Tests/KetteCLITests/Fixtures/ -> Tests/Standards
VENDORED_STANDARDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Standards")

problems = []


def problem(text):
    problems.append(text)


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def validator_set(schema_dir, names):
    """Validators by schema file name, resolving the schemas' relative $refs among each other."""
    schemas = {name: load(os.path.join(schema_dir, name)) for name in names}
    registry = Registry().with_resources(
        (name, Resource.from_contents(schema, default_specification=DRAFT202012)) for name, schema in schemas.items())
    return {name: Draft202012Validator({"$ref": name}, registry=registry, format_checker=FormatChecker())
            for name in schemas}


def check(validator, instance, where):
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in error.absolute_path)
        problem(f"{where}{'/' + path if path else ''}: {error.message}")


# HSDS: file name -> (schema, {field: table it references})
HSDS_TABLES = {
    "organizations.json": ("organization.json", {}),
    "services.json": ("service.json", {"organization_id": "organizations.json"}),
    "locations.json": ("location.json", {"organization_id": "organizations.json"}),
    "service_at_location.json": ("service_at_location.json", {"service_id": "services.json", "location_id": "locations.json"}),
    "service_areas.json": ("service_area.json", {"service_id": "services.json"}),
    "schedules.json": ("schedule.json", {"service_id": "services.json", "location_id": "locations.json"}),
    "languages.json": ("language.json", {"service_id": "services.json"}),
    "contacts.json": ("contact.json", {"service_id": "services.json", "organization_id": "organizations.json"}),
    "accessibility.json": ("accessibility.json", {"location_id": "locations.json"}),
    "taxonomies.json": ("taxonomy.json", {}),
    "taxonomy_terms.json": ("taxonomy_term.json", {"taxonomy_id": "taxonomies.json"}),
    "attributes.json": ("attribute.json", {"taxonomy_term_id": "taxonomy_terms.json"}),
}
LINK_ENTITIES = {"service": "services.json", "organization": "organizations.json", "location": "locations.json"}


def validate_hsds(directory, standards):
    schema_dir = os.path.join(standards, "hsds-3.0")
    names = [n for n in os.listdir(schema_dir) if n.endswith(".json") and n != "openapi.json"]
    validators = validator_set(schema_dir, names)
    tables = {}
    for file_name, (schema, _) in HSDS_TABLES.items():
        path = os.path.join(directory, file_name)
        if not os.path.exists(path):
            problem(f"{file_name}: missing")
            continue
        rows = load(path)
        if not isinstance(rows, list):
            problem(f"{file_name}: not a JSON array")
            continue
        tables[file_name] = rows
        ids = set()
        for index, row in enumerate(rows):
            check(validators[schema], row, f"{file_name}[{index}]")
            if row.get("id") in ids:
                problem(f"{file_name}[{index}]: id {row.get('id')} used twice")
            ids.add(row.get("id"))
    ids = {name: {row.get("id") for row in rows} for name, rows in tables.items()}
    for file_name, (_, references) in HSDS_TABLES.items():
        for index, row in enumerate(tables.get(file_name, [])):
            for field, target in references.items():
                if field in row and row[field] not in ids.get(target, set()):
                    problem(f"{file_name}[{index}].{field}: {row[field]} is not in {target}")
    for index, row in enumerate(tables.get("attributes.json", [])):
        target = LINK_ENTITIES.get(row.get("link_entity"))
        if target is None or row.get("link_id") not in ids.get(target, set()):
            problem(f"attributes.json[{index}]: link {row.get('link_entity')}/{row.get('link_id')} points at nothing")
    return sum(len(rows) for rows in tables.values())


OPARL_LISTS = {
    "organizations.json": "Organization",
    "meetings.json": "Meeting",
    "memberships.json": "Membership",
    "persons.json": "Person",
    "papers.json": "Paper",
}


def is_url(value):
    return isinstance(value, str) and (value.startswith("https://") or value.startswith("http://")) and " " not in value


def validate_oparl(directory, standards):
    schema_dir = os.path.join(standards, "oparl-1.1", "schema")
    validators = validator_set(schema_dir, [n for n in os.listdir(schema_dir) if n.endswith(".json")])
    objects = {}  # id -> type name
    count = 0

    def visit(kind, obj, where):
        nonlocal count
        count += 1
        check(validators[f"{kind}.json"], obj, where)
        for key, value in obj.items():
            # OParl's "url" format is not one jsonschema knows, so ids and references are checked here.
            if key == "id" or key in ("body", "organization", "onBehalfOf", "person", "meeting", "membership", "participant", "paper"):
                for item in (value if isinstance(value, list) else [value]):
                    if isinstance(item, str) and not is_url(item):
                        problem(f"{where}.{key}: {item!r} is not an http(s) URL")
        if obj.get("id") in objects:
            problem(f"{where}: id {obj.get('id')} used twice")
        objects[obj.get("id")] = kind
        if obj.get("deleted") is True:
            extra = set(obj) - {"id", "type", "deleted", "created", "modified"}
            if extra:
                problem(f"{where}: deleted object still carries {sorted(extra)}")
        if kind == "Meeting":
            if "location" in obj:
                visit("Location", obj["location"], where + ".location")
            for index, item in enumerate(obj.get("agendaItem", [])):
                visit("AgendaItem", item, f"{where}.agendaItem[{index}]")
                if item.get("order") != index:
                    problem(f"{where}.agendaItem[{index}].order is {item.get('order')}, expected {index}")

    body_path = os.path.join(directory, "body.json")
    body = load(body_path) if os.path.exists(body_path) else problem("body.json: missing")
    if body is not None:
        visit("Body", body, "body.json")
    lists = {}
    for file_name, kind in OPARL_LISTS.items():
        path = os.path.join(directory, file_name)
        if not os.path.exists(path):
            problem(f"{file_name}: missing")
            continue
        page = load(path)
        if not isinstance(page, dict) or not isinstance(page.get("data"), list) or "pagination" not in page or "links" not in page:
            problem(f"{file_name}: not an OParl list page (data, pagination, links)")
            continue
        if page["pagination"].get("totalElements") != len(page["data"]):
            problem(f"{file_name}: pagination.totalElements is not the number of objects")
        lists[file_name] = page["data"]
        for index, obj in enumerate(page["data"]):
            visit(kind, obj, f"{file_name}[{index}]")
    if body is not None:
        for key, file_name in (("organization", "organizations.json"), ("meeting", "meetings.json"),
                               ("person", "persons.json"), ("paper", "papers.json"), ("membership", "memberships.json")):
            if not str(body.get(key, "")).endswith("/" + file_name):
                problem(f"body.json.{key}: {body.get(key)!r} does not name {file_name}")

    # References between objects resolve within the export.
    def expect(reference, kind, where):
        if objects.get(reference) != kind:
            problem(f"{where}: {reference} is no {kind} of the export")
    for index, obj in enumerate(lists.get("meetings.json", [])):
        for reference in obj.get("organization", []):
            expect(reference, "Organization", f"meetings.json[{index}].organization")
        for reference in obj.get("participant", []):
            expect(reference, "Person", f"meetings.json[{index}].participant")
    for index, obj in enumerate(lists.get("memberships.json", [])):
        for key in ("organization", "onBehalfOf"):
            if key in obj:
                expect(obj[key], "Organization", f"memberships.json[{index}].{key}")
    for index, obj in enumerate(lists.get("organizations.json", [])):
        for reference in obj.get("membership", []):
            expect(reference, "Membership", f"organizations.json[{index}].membership")
        if "body" in obj:
            expect(obj["body"], "Body", f"organizations.json[{index}].body")
    return count


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("hsds", "oparl"):
        print(__doc__, file=sys.stderr)
        return 2
    standard, directory = sys.argv[1:3]
    standards = sys.argv[3] if len(sys.argv) == 4 else VENDORED_STANDARDS
    count = (validate_hsds if standard == "hsds" else validate_oparl)(directory, standards)
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} problems in {count} objects", file=sys.stderr)
        return 1
    print(f"{standard}: {count} objects valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
