"""Writing one benchmark's section of a docs/ page: the section from its `## ` heading up to the
next one is replaced, or added at the end, so each benchmark rewrites only its own figures."""
from __future__ import annotations

import re
from pathlib import Path


def replace_section(path: Path, heading: str, lines: list[str]) -> None:
    """Put `lines` (starting with `heading`, a "## ..." line) in place of that section of `path`."""
    text = path.read_text()
    block = "\n".join(lines) + "\n"
    if heading in text:
        text = re.sub(re.escape(heading) + r".*?(?=\n## |\Z)", lambda _: block.rstrip("\n"), text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)
