#!/usr/bin/env python3
"""Checks a PDF the way an archive or an accessibility auditor would.

Usage: conformance.py FILE.pdf PROFILES [EXPECT.json]

PROFILES is a comma list of page-validation profiles ("2b", "3b", "ua1").
Each is validated by `page` (page-validation on PyPI, an independent Rust
validator that passes veraPDF's corpus). EXPECT, when given, is a JSON object
{"headings": [...], "ids": [...]} of what the structure tree must hold: every
finding title as a heading element (H1..H6) with that title, every id as a
named destination `finding-<id>`. Every Figure must carry a non-empty /Alt,
and the document must have an outline.

Prints one JSON object: {"profiles": {profile: {"compliant", "passed",
"total", "failures": [[rule, message], ...]}}, "structure": [problems...],
"headings": n, "figures": n, "figure_alts": [each Figure's /Alt, in tree order]}.
"""

import json
import re
import subprocess
import sys

import page


def ends_with_cr(path, number):
    """Whether object `number` is a stream whose data, by its /Length, ends
    with a CR right before the LF that precedes `endstream`.

    typst 0.15.1 writes `stream\n` + data + `\nendstream`; when compressed
    data happens to end in 0x0D, a validator reads CR LF as the end-of-line
    and finds /Length one byte long (PDF/A clause 6.1.7.1). This is typst's
    writer, not the report, and is reported apart as `typst-cr`.
    """
    data = open(path, "rb").read()
    at = data.find(b"\n%d 0 obj" % number)
    start = data.find(b"stream\n", at) + len(b"stream\n")
    head = data[at:start]
    length = re.search(rb"/Length (\d+)", head)
    if at < 0 or not length:
        return False
    end = start + int(length.group(1))
    return data[end - 1 : end] == b"\r" and data[end : end + 10] == b"\nendstream"


def validate(path, profiles):
    out = {}
    for profile in profiles:
        report = page.validate_pdf(path, profile=profile)
        failures, known = [], []
        for f in report.failures:
            stream = "STREAM-LENGTH" in f.rule_id and f.object_id is not None
            if stream and ends_with_cr(path, f.object_id.object_number):
                known.append([f.rule_id, f.message, f.object_id.object_number])
            else:
                failures.append([f.rule_id, f.message])
        out[profile] = {
            "compliant": report.is_compliant,
            "passed": report.rules.passed,
            "total": report.rules.total,
            "failures": failures,
            "typst-cr": known,
        }
    return out


def qpdf_objects(path):
    raw = subprocess.run(
        ["qpdf", "--json", "--json-key=qpdf", path],
        check=True,
        capture_output=True,
    ).stdout
    return json.loads(raw)["qpdf"][1]


def text(value):
    if isinstance(value, str) and value.startswith("u:"):
        return value[2:]
    return value


def structure(path, expect):
    objs = qpdf_objects(path)

    def get(ref):
        if isinstance(ref, str) and ref.endswith(" R"):
            return objs.get("obj:" + ref, {}).get("value")
        return ref

    root = get(objs["trailer"]["value"]["/Root"])
    problems = []
    headings, figures = [], []
    seen = set()

    def walk(ref):
        key = ref if isinstance(ref, str) else None
        if key in seen:
            return
        if key:
            seen.add(key)
        node = get(ref)
        if not isinstance(node, dict):
            return
        tag = node.get("/S", "")
        if tag in ("/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"):
            headings.append(text(node.get("/T", "")) or "")
        if tag == "/Figure":
            figures.append(text(node.get("/Alt", "")) or "")
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, (str, dict)):
                walk(kid)

    if "/StructTreeRoot" not in root:
        problems.append("no structure tree")
    else:
        walk(root["/StructTreeRoot"])
    for number, alt in enumerate(figures, 1):
        if not alt.strip():
            problems.append(f"figure {number} of {len(figures)} has no /Alt")
    outlines = get(root.get("/Outlines"))
    if not isinstance(outlines, dict) or not outlines.get("/First"):
        problems.append("no outline")
    names = get(root.get("/Names")) or {}
    dests = get(names.get("/Dests")) or {}
    pairs = list(dests.get("/Names", []))
    for kid in dests.get("/Kids", []):
        pairs += get(kid).get("/Names", [])
    destinations = {text(n) for n in pairs[::2]}
    for title in expect.get("headings", []):
        if not any(title in h for h in headings):
            problems.append(f"no heading element holds {title!r}")
    for ident in expect.get("ids", []):
        if f"finding-{ident}" not in destinations:
            problems.append(f"no named destination finding-{ident}")
    return problems, len(headings), figures


def main():
    path, profiles = sys.argv[1], [p for p in sys.argv[2].split(",") if p]
    expect = (json.loads(open(sys.argv[3]).read()) if len(sys.argv) > 3 else None) or {}
    problems, headings, figures = structure(path, expect)
    print(
        json.dumps(
            {
                "profiles": validate(path, profiles),
                "structure": problems,
                "headings": headings,
                "figures": len(figures),
                "figure_alts": figures,
            }
        )
    )


if __name__ == "__main__":
    main()
