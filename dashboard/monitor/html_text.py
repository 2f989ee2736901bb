"""The little Markdown our own wording uses (paragraphs, **bold**, *emphasis*, `code`) as HTML,
for the parts of a page drawn as HTML rather than by Streamlit (the Monitor's live feed).
Everything else is escaped: no tag in the text survives."""
from __future__ import annotations

import html
import re

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_EMPHASIS = re.compile(r"\*([^*]+)\*")


def paragraphs_html(text: str, style: str = "") -> str:
    out = []
    for paragraph in text.split("\n\n"):
        inner = html.escape(paragraph, quote=False)
        inner = _CODE.sub(r"<code>\1</code>", inner)
        inner = _BOLD.sub(r"<strong>\1</strong>", inner)
        inner = _EMPHASIS.sub(r"<em>\1</em>", inner)
        out.append(f'<p style="margin: 0 0 0.75rem; {style}">{inner}</p>')
    return "".join(out)
