"""The stacks and the outputs each consumer reads, as a Mermaid diagram, from `cdktf.out/`.

    python scripts/diagram.py            # rewrite the diagram in docs/architecture.md
    python scripts/diagram.py --check    # exit 1 when the committed diagram is out of date

Edges come from the synthesized JSON itself: a consumer's references to
`data.terraform_remote_state.<producer>.outputs.<name>`, so the picture cannot drift from the
code (`tests/test_docs.py` runs `--check` on a fresh synth).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as `python scripts/diagram.py`: config/ is a sibling

from config.errors import ConfigError  # noqa: E402
from config.estate import STACKS  # noqa: E402
from runtime import cli  # noqa: E402
from runtime.synthesized import Synthesized  # noqa: E402

DOC = ROOT / "docs" / "architecture.md"
START, END = "<!-- diagram:start (scripts/diagram.py) -->", "<!-- diagram:end -->"
REFERENCE = re.compile(r"data\.terraform_remote_state\.(\w+)\.outputs\.(\w+)")


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
    parser = cli.command("python scripts/diagram.py", __doc__)
    cli.out(parser)
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    try:
        synthesized = Synthesized(args.out).stacks()
    except ConfigError as err:
        return cli.one_line_error(err)
    current = args.doc.read_text()
    wanted = replaced(current, mermaid(synthesized))
    if args.check:
        if wanted != current:
            print(f"{args.doc}: the diagram is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    args.doc.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
