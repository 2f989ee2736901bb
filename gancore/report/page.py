"""The building blocks of a report page: one HTML file with everything inside it.

Nothing is fetched when it opens: the style and the one small script are inline, the charts are
SVG text (gancore/charts) and the pictures are PNGs as data: URIs. Every piece of text that came
from a person or a file (a run's name, note, settings, alert numbers) is escaped here or by the
SVG builder, so a report can be mailed and opened safely anywhere.
"""
from __future__ import annotations

import base64
import html
import time

STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #31333f;
       max-width: 1180px; margin: 0 auto; padding: 1.5rem; line-height: 1.5; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #e6e9ef; }
.made { color: #6b7280; margin-top: 0; }
.note { background: #f8fafc; border-left: 4px solid #94a3b8; padding: 0.5rem 1rem; }
.alert { background: #fff7ed; border-left: 4px solid #ea580c; padding: 0.5rem 1rem; margin: 0.6rem 0; }
.alert.over { background: #f8fafc; border-color: #94a3b8; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts figure { flex: 1 1 480px; max-width: 580px; margin: 0; }
figcaption, .caption { color: #555b66; font-size: 0.92rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #e6e9ef; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f8fafc; }
.frames { display: flex; flex-wrap: wrap; gap: 1rem; }
.frames .column { flex: 1 1 260px; max-width: 420px; }
.frames img { width: 100%; image-rendering: pixelated; border: 1px solid #e6e9ef; }
.frame[hidden] { display: none; }
input[type=range] { width: 100%; max-width: 640px; }
.key span { margin-right: 1.6rem; white-space: nowrap; }
"""

# One script for every scrubber: a slider shows, in each of its columns, the frame of its index.
# A page read without scripts shows the frames the report marks as shown (the latest).
SCRIPT = """
document.querySelectorAll('.scrubber').forEach(function (box) {
  var slider = box.querySelector('input[type=range]');
  var label = box.querySelector('.at');
  function show() {
    box.querySelectorAll('.frame').forEach(function (f) { f.hidden = f.dataset.frame !== slider.value; });
    label.textContent = slider.dataset['step' + slider.value];
  }
  slider.addEventListener('input', show);
  show();
});
"""


def esc(text) -> str:
    return html.escape(str(text))


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def document(title: str, body: list[str]) -> str:
    made = time.strftime("%Y-%m-%d %H:%M")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            # no request may leave the file: nothing but inline style, inline script and data: images
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
            f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>{esc(title)}</h1><p class=\"made\">A GAN Studio report, made {made}. This one file holds "
            "everything it shows: it opens without a network connection.</p>"
            + "".join(body) + f"<script>{SCRIPT}</script></body></html>\n")


def section(title: str, *parts: str) -> str:
    return f"<section><h2>{esc(title)}</h2>{''.join(parts)}</section>"


def paragraph(text: str, cls: str = "") -> str:
    """Plain text as a paragraph (escaped)."""
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def charts(*figures: tuple[str, str]) -> str:
    """(svg, caption) pairs side by side; the SVG text is gancore/charts', already escaped."""
    return '<div class="charts">' + "".join(
        f"<figure>{svg}<figcaption>{esc(words)}</figcaption></figure>" for svg, words in figures) + "</div>"


def table(rows: list[dict]) -> str:
    """Rows of the same keys as a table, headed by the first row's keys; every cell escaped."""
    if not rows:
        return ""
    head = "".join(f"<th>{esc(k)}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{esc(row.get(k, ''))}</td>" for k in rows[0]) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def scrubber(steps: list[int], columns: list[tuple[str, list[tuple[bytes | None, str]]]]) -> str:
    """Pictures over time with one slider for all: `steps` the slider's positions; each column
    (a heading, and per position a PNG or None and its caption) shows its frame of the position.
    Without a script the last position shows."""
    last = len(steps) - 1
    step_words = " ".join(f'data-step{i}="step {s:,}"' for i, s in enumerate(steps))
    parts = [f'<div class="scrubber"><label>Step: <strong class="at">step {steps[-1]:,}</strong><br>'
             f'<input type="range" min="0" max="{last}" value="{last}" {step_words} '
             f'aria-label="step"></label><div class="frames">']
    for heading, frames in columns:
        parts.append(f'<div class="column">{f"<h3>{esc(heading)}</h3>" if heading else ""}')
        for i, (png, words) in enumerate(frames):
            picture = f'<img src="{data_uri(png)}" alt="{esc(words)}">' if png else ""
            parts.append(f'<figure class="frame" data-frame="{i}"{"" if i == last else " hidden"}>'
                         f"{picture}<figcaption>{esc(words)}</figcaption></figure>")
        parts.append("</div>")
    return "".join(parts) + "</div></div>"


def spread_evenly(items: list, most: int) -> list:
    """At most `most` of `items`, evenly spread, the first and the last always kept."""
    if len(items) <= most:
        return list(items)
    picks = {round(i * (len(items) - 1) / (most - 1)) for i in range(most)}
    return [items[i] for i in sorted(picks)]
