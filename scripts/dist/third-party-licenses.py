#!/usr/bin/env python3
"""Writes THIRD-PARTY-LICENSES.md: every crate compiled into the shipped binaries, its version,
its licence expression, and the licence texts it ships (LICENSE*, COPYING*, NOTICE*).

Usage: third-party-licenses.py OUTPUT PACKAGE... (workspace packages whose normal, non-dev
dependencies for x86_64-unknown-linux-gnu are listed; the workspace's own packages are not).

Reads `cargo metadata` (offline: Cargo.lock and the registry sources cargo already fetched).
Fails, naming the crate, when a dependency declares no licence.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TARGET = "x86_64-unknown-linux-gnu"
TEXT_PREFIXES = ("license", "licence", "copying", "notice", "unlicense")


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    output = Path(sys.argv[1])
    roots = sys.argv[2:]
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", TARGET],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    workspace = set(meta["workspace_members"])
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    by_name = {packages[i]["name"]: i for i in workspace}
    unknown = [r for r in roots if r not in by_name]
    if unknown:
        print(f"not workspace packages: {', '.join(unknown)}", file=sys.stderr)
        return 2

    # Normal dependencies only (kind null); build dependencies run at build time and are not
    # shipped, dev dependencies are for tests.
    seen: set[str] = set()
    stack = [by_name[r] for r in roots]
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            if any(k["kind"] is None for k in dep["dep_kinds"]):
                stack.append(dep["pkg"])

    shipped = sorted(
        (packages[p] for p in seen - workspace), key=lambda p: (p["name"], p["version"])
    )
    lines = [
        "# Third-party licences",
        "",
        f"The shipped binaries of authtoken ({', '.join(roots)}) contain these "
        f"{len(shipped)} crates, each under the licence named (an SPDX expression; where it "
        "offers a choice, authtoken uses it under any of them). Their licence texts follow.",
        "",
        "| Crate | Version | Licence |",
        "| --- | --- | --- |",
    ]
    missing = []
    for p in shipped:
        licence = p.get("license") or (
            f"see {p['license_file']}" if p.get("license_file") else None
        )
        if licence is None:
            missing.append(f"{p['name']} {p['version']}")
        lines.append(f"| {p['name']} | {p['version']} | {licence} |")
    if missing:
        print(f"crates without a declared licence: {', '.join(missing)}", file=sys.stderr)
        return 1
    # The same text (the Apache-2.0 licence, most often) is written once, with its crates.
    texts: dict[str, list[str]] = {}
    for p in shipped:
        crate_dir = Path(p["manifest_path"]).parent
        found = sorted(
            f
            for f in crate_dir.iterdir()
            if f.is_file() and f.name.lower().startswith(TEXT_PREFIXES)
        )
        if not found:
            print(f"note: {p['name']} {p['version']} ships no licence file", file=sys.stderr)
        for f in found:
            body = f.read_text(encoding="utf-8", errors="replace").strip()
            texts.setdefault(body, []).append(f"{p['name']} {p['version']} ({f.name})")
    for n, (body, users) in enumerate(texts.items(), 1):
        lines += ["", f"## Text {n}", "", "Used by: " + ", ".join(users) + ".", "", "```text"]
        lines += [body, "```"]
    output.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    print(f"{output}: {len(shipped)} crates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
