"""What the app says, in plain words, kept in one place."""
from __future__ import annotations

from gancore.runs.state import Status

STATUS_LABELS = {  # Streamlit markdown: a colour and, where it helps, why
    Status.CREATED: ":gray[Created]",
    Status.PREPARING: ":blue[Preparing] (loading data and building the networks)",
    Status.RUNNING: ":green[Running]",
    Status.PAUSED: ":orange[Paused]",
    Status.DIVERGED: ":red[Diverged] (paused: a loss became NaN or infinite)",
    Status.STOPPED: ":gray[Stopped]",
    Status.INTERRUPTED: ":orange[Interrupted] (the app restarted while it was training; it can be resumed)",
    Status.FINISHED: ":green[Finished]",
    Status.FAILED: ":red[Failed]",
    Status.UNKNOWN: ":gray[Unknown] (its status file cannot be read)",
}

SCORES_BCE = (
    "**D(x)** is how sure the discriminator is that *real* data is real; **D(G(z))** is how sure it "
    "is that *generated* data is real. Both are probabilities. In a healthy run they move towards "
    "each other around **0.5**, the line where the discriminator can no longer tell the two apart. "
    "D(x) near 1 with D(G(z)) near 0 for a long time means the discriminator is winning and the "
    "generator learns little; both stuck far from 0.5 with the pictures not improving is a warning sign.")

SCORES_WASSERSTEIN = (
    "For this critic (WGAN-GP) the scores are not probabilities: **D(x)** is the critic's average "
    "score of *real* data and **D(G(z))** of *generated* data. The gap between them estimates how far "
    "the generated distribution still is from the real one: in a healthy run it shrinks and settles.")

SCORES_HINGE = (
    "With the hinge loss the scores are not probabilities: **D(x)** is the discriminator's average "
    "raw score of *real* data and **D(G(z))** of *generated* data. It aims for real above +1 and "
    "generated below -1; a gap that stays well past 2 for a long time means the discriminator is "
    "winning, a gap near 0 that it can no longer tell the two apart.")
SCORES_BY_D_LOSS = {"bce": SCORES_BCE, "wasserstein": SCORES_WASSERSTEIN, "hinge": SCORES_HINGE}

LOSSES = (
    "The two networks play against each other, so neither loss should go to zero. A healthy run "
    "has both losses level off and wobble; a discriminator loss near zero means it wins outright "
    "(the generator gets no useful signal).")


def status_label(status: Status | str) -> str:
    return STATUS_LABELS.get(status, str(status))


def run_status_label(state) -> str:
    """A run's status (a RunState), where a finished run with open alerts is never plain green:
    ":orange[Finished with warnings]: the discriminator wins"."""
    if state.status == Status.FINISHED and state.warnings:
        return f":orange[Finished with warnings]: {state.warnings}"
    label = status_label(state.status)
    return f"{label} · open alerts: {state.warnings}" if state.warnings else label


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "estimating..."
    seconds = int(max(seconds, 0))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds // 60 % 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds} s"


def audience_note(viewers: int, refresh_s: float) -> str:
    """Why the page refreshes less often when many people watch."""
    return (f"{viewers} people are watching this run. So that watching does not slow training, "
            f"each page refreshes every {refresh_s:g} seconds.")


def origin_words(meta, labels: dict[str, str] | None = None) -> str:
    """Where a run came from (runs/meta.py), in a few words: "fork of <parent> at step 2,000",
    "imported (exported as <id>)", or "" for a run started here. `labels`: run id -> how the
    parent reads (its name), when the caller has them."""
    if meta.forked:
        parent = (labels or {}).get(meta.parent, meta.parent)
        return f"fork of {parent} at step {meta.fork_step:,}"
    if meta.imported:
        return f"imported (exported as {meta.source})" if meta.source else "imported"
    return ""


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~:$")


def plain(text: str) -> str:
    """User text (a run's name, an imported run's note) safe inside Streamlit markdown: every
    markdown character escaped, so it shows as typed and never becomes a link, an image (which
    the browser would fetch) or a colour."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in " ".join(text.split()))
