"""The report of one run: what it is, how it went (alerts), its pictures over time, its losses and
scores, its quality beside the line to compare with, and its settings, in one HTML file."""
from __future__ import annotations

from ..charts.lines import loss_svg, score_svg
from ..charts.quality import measured, phase_end, quality_rows, quality_svgs
from ..config import SETTINGS, TrainConfig
from ..data import get_dataset_spec
from ..health.alerts import parse_alerts
from ..quality.measures import get_measure_spec, quality_kind
from ..registry import get_variant_spec, is_conditional
from ..runs.compare import probability_scores, same_settings
from ..runs.fork import parent_records
from ..runs.store import Run, RunStore, step_of
from ..sampling.previews import NoisePreview
from . import captions
from .page import charts, document, esc, paragraph, scrubber, section, spread_evenly, table

MAX_FRAMES = 24  # pictures over time in one report: a 10,000-step run saves 20 at the defaults


def run_report(run: Run) -> str:
    """The whole page for `run`, as HTML text."""
    state, cfg = run.state(), run.config()
    meta = state.meta
    metrics = parent_records(RunStore(run.path.parent), meta) + run.metrics()
    body = [summary(run, cfg),
            alerts_section(run.alerts()),
            pictures_section(run, cfg),
            training_section(metrics, cfg, meta.fork_step if meta.forked else None),
            quality_section(run.quality(), run.quality_floor(), cfg),
            settings_section(cfg)]
    return document(f"{state.label}: {cfg.model.variant} on {cfg.data.dataset}", body)


def summary(run: Run, cfg: TrainConfig) -> str:
    state, meta = run.state(cfg), run.meta()
    variant, dataset = get_variant_spec(cfg.model.variant), get_dataset_spec(cfg.data.dataset)
    seconds = (state.last_metrics or {}).get("wall_time")
    took = f", in {_duration(seconds)} of training" if seconds else ""
    parts = [
        paragraph(f"Variant {cfg.model.variant}: {variant.description}"),
        paragraph(f"Data {cfg.data.dataset}: {dataset.description}"),
        paragraph(f"Status: {state.status_words}, at step {state.step:,} of {state.total:,}{took}."),
    ]
    if meta.forked:
        parts.append(paragraph(f"A fork of run {meta.parent} at step {meta.fork_step:,}: its curves up to "
                               "that step are the parent's."))
    if meta.imported:
        parts.append(paragraph(f"Imported from a bundle of run {meta.source or 'unknown'}."))
    if meta.note:
        parts.append(paragraph(meta.note, "note"))
    parts.append(paragraph(captions.WHAT_A_GAN_IS.format(what=captions.words_of(dataset.kind)), "caption"))
    return section("What this run is", *parts)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds // 60 % 60} min"
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def alerts_section(records: list[dict]) -> str:
    """Every health alert the run raised (gancore/health), open or over; "" when none."""
    alerts = parse_alerts(records)
    if not alerts:
        return ""
    boxes = []
    for alert in alerts:
        kind = alert.words
        when = f"from step {alert.since:,}" + ("" if alert.open else f" to step {alert.closed_at:,} (over)")
        boxes.append(f'<div class="alert{"" if alert.open else " over"}"><strong>{esc(kind.title)}</strong> '
                     f"{esc(when)}: {esc(alert.what)}.<br>Why it matters: {esc(kind.why)}.<br>"
                     f"What to try: {esc(kind.advice)}.</div>")
    return section("What went wrong", paragraph("GAN Studio watches every run for the usual ways "
                                                "GAN training fails, and said this:"), *boxes)


def pictures_section(run: Run, cfg: TrainConfig) -> str:
    files = spread_evenly(run.sample_files(), MAX_FRAMES)
    if not files:
        return section("Pictures over time", paragraph(captions.NO_PICTURES))
    kind = get_dataset_spec(cfg.data.dataset).kind
    preview = get_variant_spec(cfg.model.variant).preview or NoisePreview
    steps = [step_of(f) for f in files]
    frames = [(f.read_bytes(), f"step {s:,}") for f, s in zip(files, steps)]
    shown = "" if len(files) == len(run.sample_files()) else (
        f" {len(files)} of the run's {len(run.sample_files())} pictures are in this file, evenly spread.")
    return section("Pictures over time",
                   paragraph(preview.words(kind, is_conditional(cfg)) + " Move the slider to see an "
                             "earlier step." + shown, "caption"),
                   scrubber(steps, [("", frames)]))


def training_section(metrics: list[dict], cfg: TrainConfig, fork_step: int | None) -> str:
    if not metrics:
        return section("How training went", paragraph(captions.NO_NUMBERS))
    probability = probability_scores(cfg)
    fork = (f" The curves up to step {fork_step:,} are the parent run's." if fork_step is not None else "")
    return section("How training went", charts(
        (loss_svg(metrics), captions.LOSSES + fork),
        (score_svg(metrics, not probability), captions.SCORES_PROBABILITY if probability else captions.SCORES_CRITIC)))


def quality_section(records: list[dict], floor: dict | None, cfg: TrainConfig) -> str:
    kind = quality_kind(cfg)
    done = measured(records)
    if kind is None or not done:
        return section("Quality", paragraph(captions.NO_QUALITY))
    spec = get_measure_spec(kind)
    end = phase_end(records)
    earlier = (f"end of the first phase (step {end['step']:,})", end) if end else None
    rows = quality_rows(done[-1], floor, spec.floor_words, earlier)
    return section(f"Quality at step {done[-1]['step']:,}",
                   paragraph(captions.QUALITY.format(how=spec.how, floor=spec.floor_words), "caption"),
                   table(rows),
                   charts(*[(svg, "") for svg in quality_svgs(records, floor, spec.floor_words)]))


def settings_section(cfg: TrainConfig) -> str:
    rows = [{"setting": s["label"], "value": SETTINGS[s["name"]].value_words(s["value"])}
            for s in same_settings({"run": cfg})]
    return section("Settings", paragraph("Every setting this run was started with.", "caption"), table(rows))
