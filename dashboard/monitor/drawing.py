"""How the Monitor draws a run: the one rule, read by the page, the live feed and the browser script.

- Training (preparing, running): the live part (readout, charts, picture, their explanations,
  quality) is HTML built on the server, with the charts as light SVG drawings
  (gancore/charts/svg_chart.py says why); the browser script shows it and swaps in the feed's newer
  HTML every few seconds, with no page rerun.
- Live but not training (paused, diverged): Streamlit draws the page once, with interactive
  Plotly charts (zoom, hover); the browser script still polls the feed, for the page key only, and
  asks for one page redraw when it changes (a Resume from another browser or the command line).
- Ended: drawn once, interactive; nothing polls.
Pure: no streamlit.
"""
from __future__ import annotations

from enum import Enum

from dashboard.components import wording
from dashboard.components.run_view import RunView
from dashboard.monitor.audience import refresh_seconds
from gancore import GanError, get_dataset_spec, get_variant_spec
from gancore.health import open_alerts

FIRST_NUMBERS_NOTE = "The first numbers appear after the first few steps."
FIRST_PICTURE_NOTE = "The first picture appears at the first sample step."
NO_NUMBERS_NOTE = "This run stopped before it logged any numbers."


class Drawing(Enum):
    LIVE = "live"  # the browser swaps in server-built HTML from the feed
    WATCHED = "watched"  # Streamlit draws it; the browser polls the feed for a change
    STILL = "still"  # Streamlit draws it; nothing polls

    @property
    def by_feed(self) -> bool:
        """The live part is the feed's HTML, shown and swapped by the browser script."""
        return self is Drawing.LIVE

    @property
    def polls(self) -> bool:
        """The page's browser asks the feed every few seconds (and so counts as a viewer)."""
        return self is not Drawing.STILL

    @property
    def interactive(self) -> bool:
        """Plotly charts; otherwise SVG drawings, cheap for the browser to swap every few seconds."""
        return self is not Drawing.LIVE


def drawing_for(view: RunView) -> Drawing:
    if view.training:
        return Drawing.LIVE
    return Drawing.WATCHED if view.live else Drawing.STILL


def page_key(view: RunView, viewers: int) -> str:
    """What the page shows and the feed does not swap in: when the feed's key differs from the one
    the page was drawn with, the browser asks for one page redraw. A page Streamlit drew itself
    (paused) shows its quality part too, and a measurement can land just after a pause. An
    alert opening or closing redraws the page too: its panel and buttons are Streamlit's."""
    alerts = ",".join(a.id for a in open_alerts(view.alerts))
    key = f"{view.status}|{viewers}" + (f"|{alerts}" if alerts else "")
    return key if drawing_for(view).by_feed else f"{key}|{len(view.quality)}"


def poll_seconds(view: RunView, viewers: int) -> float:
    """How often the page's browser asks the feed: shared by the run's viewers (audience.py);
    fast while a just-started run's first numbers are awaited."""
    return refresh_seconds(viewers, first_numbers_due=view.training and not view.metrics)


def shows_charts(view: RunView) -> bool:
    """A live run's charts show at once, empty until the first numbers; an ended run's only if
    it logged some (otherwise NO_NUMBERS_NOTE)."""
    return bool(view.metrics) or view.live


def charts_note(view: RunView) -> str | None:
    """The line above the charts while they wait for their first numbers, or while a variant's
    content-only steps keep the discriminator out (its scores chart starts when it joins)."""
    if view.live and not view.metrics:
        return FIRST_NUMBERS_NOTE
    if view.live and view.metrics[-1].get("phase") == "content only":
        return (f"Content-only phase: the generator learns from the content loss alone until step "
                f"{view.cfg.model.pretrain_steps:,}; then the discriminator joins and its scores appear.")
    return None


def chart_explanations(view: RunView) -> str:
    """What the two charts mean, in plain words (Markdown)."""
    scores = wording.SCORES_BY_D_LOSS.get(view.d_loss, wording.SCORES_BCE)
    paragraphs = [f"**Losses.** {wording.LOSSES}", f"**Real vs fake scores.** {scores}"]
    spec = _variant(view)
    if spec is not None and spec.loss_terms:
        paragraphs.insert(1, "**Its own loss terms** (log scale, beside the two above): " + "; ".join(
            f"`loss_{name}`, {words}" for name, words in spec.loss_terms.items()) + ".")
    pretrain = view.cfg.model.pretrain_steps if spec is not None and "pretrain_steps" in spec.settings else 0
    if pretrain:
        paragraphs.append(f"**Two phases.** Steps 1 to {pretrain:,} train the generator on its content "
                          "loss alone, as the paper's first stage; the discriminator joins after that, "
                          "so the scores chart starts there.")
    if not drawing_for(view).interactive:
        paragraphs.append("The charts become interactive (zoom, hover) when training is paused or ends. "
                          "Click a chart to see the picture of that step under \"Pictures over time\".")
    return "\n\n".join(paragraphs)


def data_kind(view: RunView) -> str:
    """The run's kind of data, "points" or "image", as its dataset's registration declares it
    ("image" for a dataset this install does not know: the common case)."""
    try:
        return get_dataset_spec(view.cfg.data.dataset).kind if view.cfg is not None else "image"
    except GanError:
        return "image"


def _variant(view: RunView):
    """The run's variant registration, or None (no config, or a variant this install lacks)."""
    try:
        return get_variant_spec(view.cfg.model.variant) if view.cfg is not None else None
    except GanError:
        return None


# What the progress picture shows for generators that read an image (VariantSpec.reads).
PICTURE_BY_INPUT = {
    "low_res_image": "Each row, left to right: the small input (its pixels enlarged), plain bicubic "
                     "enlarging, the generator's result, and the real image.",
    "paired_image": "Each row, left to right: the input, the generator's translation, and the real target.",
}


def picture_caption(view: RunView) -> str:
    """What the sample picture shows, in one caption (after "Samples at step N.")."""
    spec = _variant(view)
    if spec is not None and spec.reads in PICTURE_BY_INPUT:
        return PICTURE_BY_INPUT[spec.reads]
    if data_kind(view) == "points":
        return "Gray: real data. Red: what the generator makes from fixed noise."
    if view.conditional:
        return "Fixed noise, one row per class: the same inputs each time, so you see the same samples improve."
    return "Fixed noise: the same inputs each time, so you see the same samples improve."


def samples_caption(view: RunView) -> str:
    return f"Samples at step {view.png_step:,}. {picture_caption(view)}"
