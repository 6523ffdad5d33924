#!/usr/bin/env python3
"""Validate OCSF events, one JSON object a line, against the official OCSF schema.

Run it with the Python that scripts/ensure-ocsf prints:

    revertwatch hunt examples --format ocsf | "$(scripts/ensure-ocsf)" scripts/validate-ocsf.py --version 1.4.0

The schema is the OCSF export that the PyPI package ocsf-json-schema ships (downloaded from
schema.ocsf.io, Apache-2.0), turned into JSON Schema (draft 2020-12) for each event's class
and the profiles it declares in metadata.profiles; jsonschema applies it. That checks every
attribute name, type, enum value, required attribute, string pattern (ip_t, hostname_t...)
and length, and the at_least_one / just_one constraints. The schema cannot say the rest, so
this script also checks:

  - metadata.version is the version asked for, and the class exists in it;
  - type_uid = class_uid * 100 + activity_id, and category_uid is the class's category;
  - a sibling caption (severity beside severity_id, type_name beside type_uid...) is the one
    the schema gives that id (unless the id is 99, Other), including the type_name of a
    related event's type_uid, which names another class;
  - timestamp_t values are epoch milliseconds (not seconds, not microseconds).

Every line is checked; each failure is printed as `line N: path: message`, and the exit code
is 1 when any line failed, 2 on a usage error.
"""

import argparse
import json
import sys

from jsonschema import Draft202012Validator
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema, get_packaged_versions

# 2001-09-09 and 5138-11-16 in milliseconds: anything outside is seconds or microseconds.
MIN_MS, MAX_MS = 10**12, 10**14


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", required=True, help="OCSF version the events must declare")
    parser.add_argument("--min-events", type=int, default=1, help="fail on fewer events than this")
    parser.add_argument("files", nargs="*", help="JSON Lines files (default: stdin)")
    args = parser.parse_args()

    if args.version not in get_packaged_versions():
        print(f"validate-ocsf: OCSF {args.version} is not packaged; have {sorted(get_packaged_versions())}",
              file=sys.stderr)
        return 2
    raw = get_ocsf_schema(version=args.version)
    checker = Checker(raw, args.version)

    failures, events = [], 0
    sources = [open(f, encoding="utf-8") for f in args.files] or [sys.stdin]
    for source in sources:
        name = getattr(source, "name", "<stdin>")
        for n, line in enumerate(source, 1):
            if not line.strip():
                failures.append(f"{name}:{n}: empty line")
                continue
            events += 1
            try:
                event = json.loads(line)
            except json.JSONDecodeError as e:
                failures.append(f"{name}:{n}: not JSON: {e}")
                continue
            failures.extend(f"{name}:{n}: {problem}" for problem in checker.check(event))

    if events < args.min_events:
        failures.append(f"only {events} events, expected at least {args.min_events}")
    for f in failures:
        print(f, file=sys.stderr)
    print(f"validate-ocsf: {events} events against OCSF {args.version}: "
          f"{'ok' if not failures else f'{len(failures)} problems'}", file=sys.stderr)
    return 1 if failures else 0


class Checker:
    def __init__(self, raw, version):
        self.raw = raw
        self.version = version
        self.embedded = OcsfJsonSchemaEmbedded(raw)
        self.validators = {}
        self.classes_by_uid = {c["uid"]: c for c in raw["classes"].values()}

    def check(self, event):
        if not isinstance(event, dict):
            return ["not a JSON object"]
        problems = []
        declared = (event.get("metadata") or {}).get("version")
        if declared != self.version:
            problems.append(f"metadata.version: {declared!r}, expected {self.version!r}")
        cls = self.classes_by_uid.get(event.get("class_uid"))
        if cls is None:
            return problems + [f"class_uid: {event.get('class_uid')!r} is no class of OCSF {self.version}"]
        profiles = (event.get("metadata") or {}).get("profiles") or []
        validator = self.validator(cls["name"], profiles)
        for error in sorted(validator.iter_errors(event), key=lambda e: list(e.absolute_path)):
            problems.append(f"{path(error.absolute_path)}: {error.message[:500]}")

        activity = event.get("activity_id")
        if isinstance(activity, int) and event.get("type_uid") != cls["uid"] * 100 + activity:
            problems.append(f"type_uid: {event.get('type_uid')!r} is not class_uid * 100 + activity_id")
        if event.get("category_uid") != cls["uid"] // 1000:
            problems.append(f"category_uid: {event.get('category_uid')!r}, class {cls['uid']} is in {cls['uid'] // 1000}")
        problems.extend(self.semantics(event, cls["attributes"], ""))
        return problems

    def validator(self, class_name, profiles):
        key = (class_name, tuple(sorted(profiles)))
        if key not in self.validators:
            schema = self.embedded.get_class_schema(class_name, list(profiles))
            Draft202012Validator.check_schema(schema)
            self.validators[key] = Draft202012Validator(schema)
        return self.validators[key]

    def semantics(self, obj, attributes, at):
        """Sibling captions and timestamp units, walking objects by the schema's definitions."""
        problems = []
        for name, value in obj.items():
            spec = attributes.get(name)
            if spec is None:
                continue  # unknown attributes are the JSON Schema's to report
            here = f"{at}{name}"
            kind = spec.get("type")
            values = value if isinstance(value, list) else [value]
            if kind == "object_t":
                target = self.raw["objects"].get(spec.get("object_type"), {}).get("attributes", {})
                for k, v in enumerate(values):
                    if isinstance(v, dict) and target:
                        sub = f"{here}[{k}]." if isinstance(value, list) else f"{here}."
                        problems.extend(self.semantics(v, target, sub))
            elif kind == "timestamp_t":
                for v in values:
                    if isinstance(v, int) and not MIN_MS <= v < MAX_MS:
                        problems.append(f"{here}: {v} is not epoch milliseconds")
            sibling = spec.get("sibling")
            if sibling and sibling in obj and isinstance(value, int) and value != 99:
                expected = self.caption(spec, name, value)
                if expected is not None and obj[sibling] != expected:
                    problems.append(f"{at}{sibling}: {obj[sibling]!r}, but {name} {value} is {expected!r}")
        return problems

    def caption(self, spec, name, value):
        enum = spec.get("enum")
        if enum:
            entry = enum.get(str(value))
            return entry.get("caption") if entry else None
        if name == "type_uid":
            # A related event's type: "<class caption>: <activity caption>".
            cls = self.classes_by_uid.get(value // 100)
            activity = cls and cls["attributes"].get("activity_id", {}).get("enum", {}).get(str(value % 100))
            if not activity:
                return f"(no class and activity of OCSF {self.version} has type_uid {value})"
            return f"{cls['caption']}: {activity['caption']}"
        return None


def path(parts):
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out or "(event)"


if __name__ == "__main__":
    sys.exit(main())
