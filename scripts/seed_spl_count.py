#!/usr/bin/env python3
"""Count, independently of revertwatch, the rows the seed Splunk search would return on a
directory of CloudTrail logs (S3 files, arrays, JSON Lines, lookup-events), per operation.

It applies the SPL's AWS half as written: eventName in the list, errorCode empty (absent, null
or ""), IsSnapshotRestore by its regex on eventName, IsEphemeralReset for Stop/StartInstances,
and `where SuspicionScore > 0`. The numbers in crates/cli/tests/real_data.rs come from it.

    python3 scripts/seed_spl_count.py ../shared/data
"""
import collections
import gzip
import json
import os
import re
import sys

SEED = ["ImportSnapshot", "RestoreSnapshotTier", "CreateRestoreImageTask", "CopySnapshot", "RegisterImage",
        "AttachVolume", "ModifyVolume", "StopInstances", "StartInstances", "RunInstances"]
RESTORE = re.compile(r"(?i)(snapshot|RestoreImage|RegisterImage|ImportSnapshot|CopySnapshot|RestoreSnapshotTier|CreateRestoreImageTask)")


def records(obj):
    if isinstance(obj, list):
        for x in obj:
            yield from records(x)
    elif isinstance(obj, dict):
        if "Records" in obj:
            yield from records(obj["Records"])
        elif "CloudTrailEvent" in obj:
            yield json.loads(obj["CloudTrailEvent"])
        elif "eventName" in obj:
            yield obj


def main(root):
    counts = collections.Counter()
    for d, _, files in os.walk(root):
        for f in files:
            raw = open(os.path.join(d, f), "rb").read()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            text = raw.decode("utf-8", "replace").strip()
            if not text or text[0] not in "[{":
                continue
            try:
                objs = [json.loads(text)]
            except json.JSONDecodeError:
                objs = [json.loads(line) for line in text.splitlines() if line.strip()]
            for o in objs:
                for r in records(o):
                    name = r.get("eventName")
                    if name not in SEED or r.get("errorCode") not in (None, ""):
                        continue
                    score = (1 if RESTORE.search(name) else 0) + (1 if name in ("StopInstances", "StartInstances") else 0)
                    if score > 0:
                        counts[name] += 1
    for name, n in sorted(counts.items()):
        print(f"{name}\t{n}")
    print(f"total\t{sum(counts.values())}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
