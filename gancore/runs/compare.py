"""Comparing 2-6 runs: TensorBoard's smoothing, the settings that differ, which parts of the runs
share one axis (and in plain words why the others do not), and their pictures matched by step.

Pure logic over configs, records and file lists: the Compare page (dashboard/views/compare.py)
and the comparison report (gancore/report/) draw from it, so both say the same thing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..charts.lines import downsample, run_colours
from ..config import SETTINGS, TrainConfig
from ..errors import RunError
from ..quality.measures import quality_kind
from ..registry import d_loss_name, get_variant_spec
from .store import Run, step_of

MIN_RUNS, MAX_RUNS = 2, 6  # fewer is not a comparison; more lines than six do not read apart
DEFAULT_SMOOTHING = 0.6  # TensorBoard's default weight


# ---- smoothing -------------------------------------------------------------------------------
def smooth(values: list, weight: float) -> list:
    """TensorBoard's exponential moving average, debiased: last = w * last + (1 - w) * v, shown
    as last / (1 - w**n) after n real values, so the first points are not pulled towards 0.
    weight in [0, 1): 0 returns the values as they are. None and NaN (a step without the number)
    stay gaps and do not count in n."""
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not 0 <= weight < 1:
        raise RunError(f"smoothing: must be a number from 0 (none) up to but not including 1, got {weight!r}")
    last, n, out = 0.0, 0, []
    for value in values:
        if value is None or not math.isfinite(value):
            out.append(value)
            continue
        last = last * weight + (1 - weight) * value
        n += 1
        out.append(last / (1 - weight ** n))
    return out


def smoothed_points(records: list[dict], key: str, weight: float) -> list[dict]:
    """[{"step", "raw", "smooth"}] of the records holding `key`, smoothed over all of them before
    any are dropped for drawing (at most MAX_POINTS kept), so the smoothed line is the same
    however long the run."""
    pts = [r for r in records if r.get(key) is not None]
    values = smooth([r[key] for r in pts], weight)
    return downsample([{"step": r["step"], "raw": r[key], "smooth": s} for r, s in zip(pts, values)])


# ---- settings --------------------------------------------------------------------------------
def _uses(cfg: TrainConfig, name: str) -> bool:
    """Whether the run reads this setting: a variant's own (owner "variant") only where its
    variant names it; every other setting always."""
    return SETTINGS[name].owner != "variant" or name in get_variant_spec(cfg.model.variant).settings


def differing_settings(configs: dict[str, TrainConfig]) -> list[dict]:
    """The settings whose values are not the same in every run, in SETTINGS' order (train, model,
    data): [{"name": "lr_d", "label": "Discriminator learning rate", "values": {run_id: 0.0002,
    ...}, "used": {run_id: True, ...}}]. A variant's own setting (gp_lambda) that a run's variant
    does not read is "used": False there and is compared only between the runs that read it
    (every config holds every field, read or not; the variant row already shows the variants)."""
    flats = {run_id: cfg.flat() for run_id, cfg in configs.items()}
    out = []
    for name, s in SETTINGS.items():
        used = {run_id: _uses(cfg, name) for run_id, cfg in configs.items()}
        values = {run_id: flat.get(name) for run_id, flat in flats.items()}
        if len({repr(values[i]) for i in configs if used[i]}) > 1:
            out.append({"name": name, "label": s.label, "values": values, "used": used})
    return out


def same_settings(configs: dict[str, TrainConfig]) -> list[dict]:
    """The settings every run shares, in SETTINGS' order: [{"name", "label", "value"}] (the
    value of the first run that reads it; a variant's own setting only where some run does)."""
    differ = {d["name"] for d in differing_settings(configs)}
    out = []
    for name, s in SETTINGS.items():
        users = [cfg for cfg in configs.values() if _uses(cfg, name)]
        if name not in differ and users:
            out.append({"name": name, "label": s.label, "value": users[0].flat()[name]})
    return out


NOT_USED = "not used"  # a variant's own setting in a run of another variant


def settings_rows(configs: dict[str, TrainConfig], labels: dict[str, str]) -> list[dict]:
    """One row per differing setting: its label, then each run's value under its label."""
    rows = []
    for d in differing_settings(configs):
        row = {"setting": d["label"]}
        for run_id, value in d["values"].items():
            row[labels.get(run_id, run_id)] = SETTINGS[d["name"]].value_words(value) if d["used"][run_id] else NOT_USED
        rows.append(row)
    return rows


def shared_rows(configs: dict[str, TrainConfig]) -> list[dict]:
    """The settings all the runs share, with their value."""
    return [{"setting": d["label"], "value": SETTINGS[d["name"]].value_words(d["value"])} for d in same_settings(configs)]


# ---- what compares ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One quantity of the comparison and the runs that can share its axis.

    groups: run ids drawn on one axis together, in the order given; one group when all compare.
    A run without the quantity (a loss term its variant does not have) is in no group.
    why_not: the sentence the page shows when there is more than one group, else ""."""

    key: str  # a metrics key ("loss_d", "d_real", ...), "quality" or "samples"
    title: str
    groups: tuple[tuple[str, ...], ...]
    why_not: str = ""

    @property
    def compares(self) -> bool:
        return len(self.groups) <= 1

    @property
    def curve(self) -> bool:
        """A number logged with the metrics (a loss, a term, a score): drawn over steps, smoothed."""
        return self.key not in ("quality", "samples")


def d_loss_of(cfg: TrainConfig) -> str:
    """The D loss a run trains against (registry.d_loss_name)."""
    return d_loss_name(cfg)


def probability_scores(cfg: TrainConfig) -> bool:
    """D(x) and D(G(z)) are probabilities "real" in [0, 1], not unbounded critic values."""
    from ..training.losses import PROBABILITY_SCORES  # here: training's package imports runs

    return d_loss_of(cfg) in PROBABILITY_SCORES


def _data_identity(cfg: TrainConfig) -> tuple:
    """What the data is: every data setting except where its files may come from."""
    return tuple((name, value) for name, value in sorted(vars(cfg.data).items()) if name != "download")


def _group(ids: list[str], key) -> tuple[tuple[str, ...], ...]:
    groups: dict = {}
    for run_id in ids:
        groups.setdefault(key(run_id), []).append(run_id)
    return tuple(tuple(g) for g in groups.values())


def _names(ids, labels: dict[str, str]) -> str:
    words = [labels.get(i, i) for i in ids]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _split_words(groups, labels, say) -> str:
    """'a, b: <say(first of group)>; c: <...>' for a sentence's second half."""
    return "; ".join(f"{_names(g, labels)}: {say(g[0])}" for g in groups)


def compare_parts(configs: dict[str, TrainConfig], labels: dict[str, str] | None = None) -> list[Part]:
    """Which parts of these runs share one axis. Losses mean the same only for the same loss
    (and a generator loss with a variant's own terms added is another sum); D(x) and D(G(z))
    only where both are probabilities or both critic scores; quality measures are against a
    dataset, so only runs on the same data, measured the same way, share them; pictures always
    compare. `labels`: how each run reads in the sentences (RunState.label), else its id."""
    labels = labels or {}
    ids = list(configs)
    if not MIN_RUNS <= len(ids) <= MAX_RUNS:
        raise RunError(f"runs: compare {MIN_RUNS} to {MAX_RUNS} runs, got {len(ids)}")
    terms = {i: tuple(get_variant_spec(configs[i].model.variant).loss_terms) for i in ids}
    kinds = {i: quality_kind(configs[i]) for i in ids}
    parts = []

    def part(key, title, groups, why, say):
        """why: the first half of the sentence; say(run id): what that run's group is."""
        words = "" if len(groups) <= 1 else (
            f"{why} ({_split_words(groups, labels, say)}), so each has its own chart.")
        parts.append(Part(key, title, groups, words))

    def g_words(i):
        own = f" plus its {' and '.join(terms[i])} terms" if terms[i] else ""
        return f"{configs[i].model.g_loss} loss{own}"

    part("loss_d", "Discriminator loss", _group(ids, lambda i: d_loss_of(configs[i])),
         "The discriminator losses are different formulas", lambda i: f"{d_loss_of(configs[i])} loss")
    part("loss_g", "Generator loss", _group(ids, lambda i: (configs[i].model.g_loss, terms[i])),
         "The generator losses are different quantities", g_words)
    for term in dict.fromkeys(t for i in ids for t in terms[i]):
        # a term means what its variant says it means: only runs of one variant share it
        having = [i for i in ids if term in terms[i]]
        part(f"loss_{term}", f"Generator loss: its {term.replace('_', ' ')} term",
             _group(having, lambda i: configs[i].model.variant),
             f"The {term} term is each variant's own", lambda i: configs[i].model.variant)

    by_score = _group(ids, lambda i: probability_scores(configs[i]))
    for key, title in (("d_real", "D(x): score of real data"), ("d_fake", "D(G(z)): score of generated data")):
        part(key, title, by_score,
             "D(x) and D(G(z)) are probabilities of being real for a discriminator but "
             "unbounded scores for a critic",
             lambda i: "probabilities" if probability_scores(configs[i]) else "critic scores")

    by_data = _group(ids, lambda i: (_data_identity(configs[i]), kinds[i]))
    same_words = len({_data_words(configs[g[0]]) for g in by_data}) < len(by_data)

    def data_words(i):  # the measure's name too where two groups are on the same data
        measure = f" ({(kinds[i] or 'no').replace('_', ' ')} measures)" if same_words else ""
        return _data_words(configs[i]) + measure

    part("quality", "Quality", by_data,
         "Quality is measured against each run's own data, and these runs are on different "
         "data or measured differently", data_words)
    parts.append(Part("samples", "Pictures", (tuple(ids),)))
    return parts


def _data_words(cfg: TrainConfig) -> str:
    """'glyphs' or, where the size, colour or number of examples was chosen, 'glyphs (32 px,
    gray)': every data setting that _data_identity groups by, so two groups never read alike."""
    extra = [f"{cfg.data.image_size} px"] if cfg.data.image_size else []
    if cfg.data.num_samples:
        extra.append(f"{cfg.data.num_samples:,} examples")
    if cfg.data.channels:
        extra.append(SETTINGS["channels"].choice_words(cfg.data.channels))
    if cfg.data.split != SETTINGS["split"].choices[0]:
        extra.append(f"{cfg.data.split} split")
    if cfg.data.data_dir:
        extra.append(f"from {cfg.data.data_dir}")
    return cfg.data.dataset + (f" ({', '.join(extra)})" if extra else "")


def short_labels(states, run_ids: list[str]) -> dict[str, str]:
    """How each chosen run reads on the charts: its name, or its id when unnamed, or its full
    label ("name (id)") where two chosen runs share a name."""
    by_id = {s.run_id: s for s in states}
    names = [by_id[i].name for i in run_ids if by_id[i].name]
    return {i: by_id[i].label if not by_id[i].name or names.count(by_id[i].name) > 1 else by_id[i].name
            for i in run_ids}


def check_run_count(run_ids: list[str]) -> list[str]:
    """`run_ids` without repeats, when there are MIN_RUNS to MAX_RUNS of them; else RunError."""
    unique = list(dict.fromkeys(run_ids))
    if not MIN_RUNS <= len(unique) <= MAX_RUNS:
        raise RunError(f"runs: pick {MIN_RUNS} to {MAX_RUNS} different runs to compare, got {len(unique)}")
    return unique


# ---- pictures matched by step ----------------------------------------------------------------
@dataclass(frozen=True)
class MatchedPicture:
    run_id: str
    path: Path | None  # None: the run has no picture at or before the step yet
    step: int | None  # the step of `path`


def sample_files(runs: list[Run]) -> dict[str, list[Path]]:
    """Each run's saved pictures (samples/step_<n>.png), oldest first."""
    return {run.run_id: run.sample_files() for run in runs}


def picture_steps(files: dict[str, list[Path]]) -> list[int]:
    """Every step at which any of the runs saved a picture, ascending: one scrubber for all."""
    return sorted({step_of(p) for paths in files.values() for p in paths})


def pictures_at(files: dict[str, list[Path]], step: int) -> list[MatchedPicture]:
    """For each run (in `files`' order), its latest picture at or before `step`: runs that save
    pictures at other intervals still show what they looked like by then."""
    out = []
    for run_id, paths in files.items():
        before = [p for p in paths if step_of(p) <= step]
        latest = max(before, key=step_of) if before else None
        out.append(MatchedPicture(run_id, latest, step_of(latest) if latest else None))
    return out


def picture_caption(label: str, step: int | None, at: int) -> str:
    """Under one run's picture: whose it is and from which step (an earlier one when the run
    saved no picture at the scrubber's step)."""
    if step is None:
        return f"{label}: no picture yet at step {at:,}"
    return f"{label} · step {step:,}" + ("" if step == at else f" (its latest by step {at:,})")


class Compared:
    """2-6 runs, in the order given, with what a comparison draws of each: their states, labels
    (short_labels), configs, colours (one per run, the same on every chart), metrics, quality
    measurements and quality floors. Shared by the Compare page and the comparison report."""

    def __init__(self, runs: list[Run]):
        check_run_count([r.run_id for r in runs])
        self.runs = runs
        self.ids = [r.run_id for r in runs]
        self.states = {r.run_id: r.state() for r in runs}
        self.labels = short_labels(list(self.states.values()), self.ids)
        self.configs = {r.run_id: r.config() for r in runs}
        self.colours = run_colours(self.ids)
        self.metrics = {r.run_id: r.metrics() for r in runs}
        self.quality = {r.run_id: r.quality() for r in runs}
        self.floors = {r.run_id: r.quality_floor() for r in runs}
