"""The Monitor's live part of a training run (progress numbers, the two charts, the latest
picture, the charts' explanations, the Quality part) as HTML, and the key of what else the page
shows.

Built here, not in the page, because two callers draw the same thing: the Monitor page when it is
drawn, and the live feed (live_feed.py) that the page's browser polls between page redraws.
Pure: no streamlit; all text is escaped by the builders it calls or here.
"""
from __future__ import annotations

import base64
import html

from dashboard.components import wording
from dashboard.components.charts import LiveFigures, loss_svg, score_svg
from dashboard.components.html_text import paragraphs_html
from dashboard.components.quality import quality_svgs
from dashboard.components.quality_panel import quality_html
from dashboard.components.readout import readout_html
from dashboard.components.run_view import RunView
from gancore import get_dataset_spec

FIRST_NUMBERS_NOTE = "The first numbers appear after the first few steps."
FIRST_PICTURE_NOTE = "The first picture appears at the first sample step."
CAPTION = "color: rgba(49, 51, 63, 0.6); font-size: 0.875rem"
NOTHING_SHOWN = -2  # picture step / quality count of a page not drawn yet: live_state sends them


def page_key(view: RunView, viewers: int) -> str:
    """What the rest of the Monitor page shows and the live part does not: when it changes (the
    status, the number of viewers), the whole page is redrawn once."""
    return f"{view.status}|{viewers}"


def chart_explanations(view: RunView) -> str:
    """What the two charts mean, in plain words (Markdown)."""
    scores = wording.SCORES_WASSERSTEIN if view.wasserstein else wording.SCORES_BCE
    paragraphs = [f"**Losses.** {wording.LOSSES}", f"**Real vs fake scores.** {scores}"]
    if view.training:
        paragraphs.append("The charts become interactive (zoom, hover) when training is paused or ends.")
    return "\n\n".join(paragraphs)


def explanations_block(view: RunView) -> str:
    return f'<div style="{CAPTION}">{paragraphs_html(chart_explanations(view))}</div>'


def quality_block(view: RunView, figures: LiveFigures) -> str:
    """The Quality part with its heading; its charts come from the cache the page uses too."""
    def drawings(records, floor):
        return figures.get(view.run_id, "quality-svg", records, lambda r: quality_svgs(r, floor))
    return ('<h3 style="font-size: 1.5rem; font-weight: 600; margin: 1.5rem 0 0.5rem">Quality</h3>'
            + quality_html(view, drawings))


def readout_block(view: RunView) -> str:
    rate = view.metrics[-1]["images_per_s"] if view.metrics else None
    return readout_html(view.step, view.total, f"{rate:,.0f} images/s" if rate else "-",
                        wording.format_eta(view.eta_seconds()) if view.live else "-")


def chart_svgs(view: RunView, figures: LiveFigures) -> tuple[str, str]:
    """Losses and scores as SVG drawings (components/svg_chart.py), from the cache shared by the
    run's viewers (the same entries the page uses, so nothing is built twice)."""
    losses = figures.get(view.run_id, "losses-svg", view.metrics, loss_svg)
    scores = figures.get(view.run_id, "scores-svg", view.metrics,
                         lambda records: score_svg(records, view.wasserstein))
    return losses, scores


def charts_block(view: RunView, figures: LiveFigures) -> str:
    note = "" if view.metrics else f'<p style="{CAPTION}">{FIRST_NUMBERS_NOTE}</p>'
    return note + "\n".join(chart_svgs(view, figures))


def picture_caption(view: RunView) -> str:
    """What the sample picture shows, in one caption."""
    if view.cfg is not None and get_dataset_spec(view.cfg.data.dataset).kind == "points":
        return "Gray: real data. Red: what the generator makes from fixed noise."
    if view.conditional:
        return "Fixed noise, one row per class: the same inputs each time, so you see the same samples improve."
    return "Fixed noise: the same inputs each time, so you see the same samples improve."


def picture_block(view: RunView) -> str:
    """The latest sample picture inline (a data: URL, sent only when it changed), with its caption."""
    if not view.png:
        return f'<p style="{CAPTION}">{FIRST_PICTURE_NOTE}</p>'
    caption = html.escape(f"Samples at step {view.png_step:,}. {picture_caption(view)}")
    data = base64.b64encode(view.png).decode("ascii")
    return (f'<figure class="gs-picture" data-step="{view.png_step}" style="margin: 0">'
            f'<img src="data:image/png;base64,{data}" alt="{caption}" style="max-width: 100%">'
            f'<figcaption style="{CAPTION}; text-align: center">{caption}</figcaption></figure>')


def picture_step(view: RunView) -> int:
    """Which picture a page shows: the step of its sample, -1 for none yet."""
    return view.png_step if view.png else -1


def live_state(view: RunView, viewers: int, every: float, figures: LiveFigures, shown_picture: int,
               shown_quality: int) -> dict:
    """Everything the live part shows, as the live feed sends it (JSON-ready). The picture and
    the quality part are left out (None) when the page shows them as they are: they change
    least often, and the picture is the one large piece."""
    return {
        "key": page_key(view, viewers),
        "every": every,
        "readout": readout_block(view),
        "charts": charts_block(view, figures),
        "picture": picture_block(view) if picture_step(view) != shown_picture else None,
        "picture_step": picture_step(view),
        "quality": quality_block(view, figures) if len(view.quality) != shown_quality else None,
        "quality_count": len(view.quality),
    }
