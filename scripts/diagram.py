"""The stacks and the outputs each consumer reads, as a Mermaid diagram, from `cdktf.out/`.

    python scripts/diagram.py            # rewrite the diagram in docs/architecture.md
    python scripts/diagram.py --check    # exit 1 when the committed diagram is out of date

Edges come from the synthesized JSON itself: a consumer's references to
`data.terraform_remote_state.<producer>.outputs.<name>`, so the picture cannot drift from the
code (`tests/test_docs.py` runs `--check` on a fresh synth).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as `python scripts/diagram.py`: config/ is a sibling

from config.estate import STACKS  # noqa: E402

DOC = ROOT / "docs" / "architecture.md"
START, END = "<!-- diagram:start (scripts/diagram.py) -->", "<!-- diagram:end -->"
REFERENCE = re.compile(r"data\.terraform_remote_state\.(\w+)\.outputs\.(\w+)")


def stacks(outdir: Path) -> dict[str, dict[str, Any]]:
    manifest = json.loads((outdir / "manifest.json").read_text())["stacks"]
    return {
        name: json.loads((outdir / entry["synthesizedStackPath"]).read_text())
        for name, entry in manifest.items()
    }


def mermaid(synthesized: dict[str, dict[str, Any]]) -> str:
    order = list(STACKS)
    names = [n for n in order if n in synthesized] + sorted(set(synthesized) - set(order))
    lines = ["```mermaid", "graph LR"]
    for name in names:
        count = sum(len(v) for v in synthesized[name].get("resource", {}).values())
        published = len(synthesized[name].get("output", {}))
        lines.append(f'    {name}["{name}<br/>{count} resources, {published} outputs"]')
    for consumer in names:
        text = json.dumps(synthesized[consumer])
        used: dict[str, set[str]] = {}
        for producer, output in REFERENCE.findall(text):
            used.setdefault(producer, set()).add(output)
        for producer in sorted(used, key=names.index):
            label = "<br/>".join(sorted(used[producer]))
            lines.append(f'    {producer} -->|"{label}"| {consumer}')
    lines.append("```")
    return "\n".join(lines)


def replaced(document: str, diagram: str) -> str:
    if START not in document or END not in document:
        raise SystemExit(f"{DOC}: the markers {START} ... {END} are missing")
    head, rest = document.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{diagram}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/diagram.py", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "cdktf.out")
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if not (args.out / "manifest.json").is_file():
        print(f"error: {args.out} has no manifest.json: run `make synth` first", file=sys.stderr)
        return 2
    current = args.doc.read_text()
    wanted = replaced(current, mermaid(stacks(args.out)))
    if args.check:
        if wanted != current:
            print(f"{args.doc}: the diagram is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    args.doc.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
