"""The live part of a training run's Monitor page (readout, the two charts, the latest picture, the
charts' explanations, the Quality part) as HTML: what the live feed sends and the browser script
swaps in (feed_view.py), and what the page is drawn with at first.

Which parts there are follows drawing.py: a training run's state carries all of them; a paused
run's carries none (its page is Streamlit's), only the page key its browser watches.
Pure: no streamlit; all text is escaped by the builders it calls or here.
"""
from __future__ import annotations

import base64
import html

from dashboard.components.run_view import RunView
from dashboard.monitor.drawing import (FIRST_PICTURE_NOTE, chart_explanations, charts_note, drawing_for,
                                       page_key, poll_seconds, samples_caption)
from dashboard.monitor.figures import LiveFigures, quality_charts, run_charts
from dashboard.monitor.html_text import paragraphs_html
from dashboard.monitor.quality_part import quality_html
from dashboard.monitor.readout import run_readout

CAPTION = "color: rgba(49, 51, 63, 0.6); font-size: 0.875rem"
NOTHING_SHOWN = -2  # picture step / quality count of a page not drawn yet: live_state sends them


def explanations_block(view: RunView) -> str:
    return f'<div style="{CAPTION}">{paragraphs_html(chart_explanations(view))}</div>'


def quality_block(view: RunView, figures: LiveFigures) -> str:
    """The Quality part with its heading; its charts come from the cache the run's viewers share."""
    return ('<h3 style="font-size: 1.5rem; font-weight: 600; margin: 1.5rem 0 0.5rem">Quality</h3>'
            + quality_html(view, quality_charts(view, figures)))


def charts_block(view: RunView, figures: LiveFigures) -> str:
    note = charts_note(view)
    return (f'<p style="{CAPTION}">{note}</p>' if note else "") + "\n".join(run_charts(view, figures))


def picture_block(view: RunView) -> str:
    """The latest sample picture inline (a data: URL, sent only when it changed), with its caption."""
    if not view.png:
        return f'<p style="{CAPTION}">{FIRST_PICTURE_NOTE}</p>'
    caption = html.escape(samples_caption(view))
    data = base64.b64encode(view.png).decode("ascii")
    return (f'<figure class="gs-picture" data-step="{view.png_step}" style="margin: 0">'
            f'<img src="data:image/png;base64,{data}" alt="{caption}" style="max-width: 100%">'
            f'<figcaption style="{CAPTION}; text-align: center">{caption}</figcaption></figure>')


def picture_step(view: RunView) -> int:
    """Which picture a page shows: the step of its sample, -1 for none yet."""
    return view.png_step if view.png else -1


def live_state(view: RunView, viewers: int, figures: LiveFigures, shown_picture: int, shown_quality: int) -> dict:
    """What the feed sends (JSON-ready): the page key, the poll interval and, while the run trains,
    the parts as HTML. The picture and the quality part are left out (None) when the page shows
    them as they are: they change least often, and the picture is the one large piece."""
    state = {"key": page_key(view, viewers), "every": poll_seconds(view, viewers),
             "readout": None, "charts": None, "picture": None, "picture_step": picture_step(view),
             "quality": None, "quality_count": len(view.quality)}
    if drawing_for(view).by_feed:
        state["readout"] = run_readout(view)
        state["charts"] = charts_block(view, figures)
        if picture_step(view) != shown_picture:
            state["picture"] = picture_block(view)
        if len(view.quality) != shown_quality:
            state["quality"] = quality_block(view, figures)
    return state
