"""The dashboard's pure builders, without a Streamlit server: charts, form fields, wording, rows."""
from dataclasses import fields
from pathlib import Path

import pytest

from gancore import (DataConfig, RunStore, default_values, get_dataset_spec, get_variant_spec,
                     list_datasets, list_variants, make_config)
from gancore.config import SETTINGS
from gancore.quality.measures import measure_kind
from gancore.runs.launch import start_run
from gancore.runs.state import RunState


from dashboard.components import wording  # noqa: E402
from dashboard.components.charts import MAX_POINTS, downsample, loss_figure, score_figure  # noqa: E402
from dashboard.components.form_spec import advanced_fields, field_label, main_fields  # noqa: E402
from dashboard.components.run_view import view_from_disk  # noqa: E402
from dashboard.components.runs_table import runs_rows  # noqa: E402
from dashboard.monitor.audience import Audience, refresh_seconds  # noqa: E402
from dashboard.monitor.figures import LiveFigures  # noqa: E402


def _records(n: int) -> list[dict]:
    return [{"step": i, "loss_d": 1.0, "loss_g": 0.7, "d_real": 0.6, "d_fake": 0.4,
             "images_per_s": 1000.0} for i in range(1, n + 1)]


@pytest.mark.parametrize("n", [0, 1, MAX_POINTS, MAX_POINTS + 1, 100_000])
def test_downsample_is_bounded_ordered_and_keeps_both_ends(n):
    records = _records(n)
    out = downsample(records)
    assert len(out) <= MAX_POINTS
    assert [r["step"] for r in out] == sorted(r["step"] for r in out)
    if n:
        assert out[0] is records[0] and out[-1] is records[-1]


def test_long_histories_send_a_bounded_figure():
    records = _records(100_000)
    for fig in (loss_figure(records), score_figure(records, wasserstein=False)):
        assert all(len(trace.x) <= MAX_POINTS for trace in fig.data)
        assert len(fig.data) == 2
    assert len(loss_figure(records).to_json()) < 100_000, "what the browser receives stays small"


def test_the_half_line_is_drawn_for_probabilities_only():
    bce = score_figure(_records(10), wasserstein=False)
    assert any(shape.y0 == 0.5 for shape in bce.layout.shapes)
    assert tuple(bce.layout.yaxis.range) == (0, 1)
    wgan = score_figure(_records(10), wasserstein=True)
    assert not wgan.layout.shapes and wgan.layout.yaxis.range is None


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_run_with_no_numbers_yet_refreshes_every_quarter_second_whoever_watches():
    assert [refresh_seconds(n, first_numbers_due=True) for n in (1, 10)] == [0.25, 0.25]


def test_the_refresh_budget_is_shared_by_a_run_s_viewers():
    assert [refresh_seconds(n) for n in (0, 1, 2, 3, 4, 5, 10, 20)] == [2, 2, 2, 2, 2, 3, 5, 10]
    clock = FakeClock()
    audience = Audience(clock)
    for i in range(4):
        audience.seen(f"v{i}", "run-a", refresh_seconds(4))
    audience.seen("w", "run-b", 1.0)
    assert audience.count("run-a") == 4 and audience.count("run-b") == 1
    clock.now = 5.0  # run-b's viewer (1 s interval) is gone after 2 intervals + 2 s; run-a's stay
    assert audience.count("run-b") == 0 and audience.count("run-a") == 4
    clock.now = 6.5
    assert audience.count("run-a") == 0, "viewers who stopped refreshing have left"


def test_live_figures_are_built_at_most_once_a_second_and_shared():
    clock = FakeClock()
    figures = LiveFigures(max_age=1.0, clock=clock)
    records = _records(50)
    first = figures.get("r", "losses", records, loss_figure)
    assert figures.get("r", "losses", records, loss_figure) is first, "same data: the same figure"
    records.append({**records[-1], "step": 51})
    clock.now = 0.5
    assert figures.get("r", "losses", records, loss_figure) is first, "newer data, but < 1 s: shared"
    clock.now = 1.2
    fresh = figures.get("r", "losses", records, loss_figure)
    assert fresh is not first and fresh.data[0].x[-1] == 51
    other = figures.get("r", "losses", _records(10)[5:], loss_figure)  # another history, same id
    assert other is not fresh and other.data[0].x[0] == 6, "a different history is rebuilt at once"
    assert figures.builds == 3


def test_live_figures_hold_a_bounded_number_of_runs():
    figures = LiveFigures(max_runs=3)
    for i in range(20):
        figures.get(f"run{i}", "losses", _records(3), loss_figure)
    assert len(figures._entries) <= 6


def _combinations():
    for variant in list_variants():
        for dataset in list_datasets():
            if get_dataset_spec(dataset).kind in get_variant_spec(variant).data_kinds:
                yield variant, dataset


@pytest.mark.parametrize("variant,dataset", list(_combinations()))
def test_the_form_shows_every_setting_the_run_uses_once(variant, dataset):
    vspec, dspec = get_variant_spec(variant), get_dataset_spec(dataset)
    shown = [f.name for f in main_fields(variant, dataset) + advanced_fields(variant, dataset)]
    assert len(shown) == len(set(shown))
    # hidden: data fields this source does not read, and model choices the variant fixes
    may_hide = {f.name for f in fields(DataConfig)} - set(dspec.fields)
    if vspec.conditional != "optional" or not dspec.labelled:
        may_hide.add("conditional")
    if len(vspec.g_losses) == 1:
        may_hide.add("g_loss")
    may_hide |= {n for n, s in SETTINGS.items() if s.owner == "variant"} - set(vspec.settings)
    if vspec.reads != "noise":  # it reads a picture: no noise to size
        may_hide |= {n for n, s in SETTINGS.items() if s.needs_noise}
    if measure_kind(variant, dataset) is None:  # judged by its pictures: no quality to stop at
        may_hide |= {n for n, s in SETTINGS.items() if s.needs_quality}
    hidden = set(default_values(variant, dataset)) - set(shown) - {"variant", "dataset"}
    assert hidden <= may_hide, f"settings with no widget: {sorted(hidden - may_hide)}"
    assert all(f.help for f in main_fields(variant, dataset)), "every main setting explains itself"


def test_every_setting_has_a_label_in_words():
    assert all(s.label for s in SETTINGS.values()), "every declared setting has a label"
    assert field_label("lr_g") == "Generator learning rate"


def test_every_status_has_words():
    for status in ("preparing", "running", "paused", "diverged", "finished", "stopped", "failed",
                   "interrupted"):
        assert wording.status_label(status) != status


@pytest.mark.parametrize("seconds,text", [(None, "estimating..."), (-3, "0 s"), (42.7, "42 s"),
                                          (125, "2 min 5 s"), (3 * 3600 + 120, "3 h 2 min")])
def test_time_left_reads_naturally(seconds, text):
    assert wording.format_eta(seconds) == text


def test_runs_rows_format_the_last_numbers():
    summary = RunState("r1", "stopped", step=1200, total=12000, updated=0,
                       last_metrics={"loss_d": 1.23456, "d_fake": 0.5},
                       cfg=make_config("vanilla", "ring8"))
    row = runs_rows([summary])[0]
    assert (row["status"], row["warnings"], row["variant"]) == ("stopped", "", "vanilla")
    assert row["step"] == "1,200 / 12,000"
    assert (row["loss D"], row["loss G"], row["D(G(z))"], row["updated"]) == ("1.235", "", "0.500", "")
    assert row["quality (last measured)"] == ""
    summary.last_quality = {"step": 1000, "modes": 7, "total_modes": 8, "high_quality": 0.912, "reverse_kl": 0.1}
    assert runs_rows([summary])[0]["quality (last measured)"] == "7/8 modes, 91 % high quality"
    summary.last_quality = {"step": 1000, "fcd": 1.234, "label_accuracy": 0.9712, "precision": 0.8, "recall": 0.7}
    assert runs_rows([summary])[0]["quality (last measured)"] == (
        "FCD 1.23, label accuracy 97.1 %, precision 80 % / recall 70 %")


def test_a_finished_run_is_read_back_from_its_folder(tmp_path):
    cfg = make_config("vanilla", "ring8", device="cpu", steps=20, log_every=5, sample_every=10)
    trainer, run = start_run(cfg, RunStore(tmp_path))
    trainer.run()
    view = view_from_disk(run.run_id, RunStore(tmp_path))
    assert (view.status, view.step, view.total, view.live, view.controllable) == ("finished", 20, 20, False, False)
    assert [m["step"] for m in view.metrics] == [5, 10, 15, 20]
    assert view.png[:8] == b"\x89PNG\r\n\x1a\n" and view.png_step == 20
    assert not view.raw_scores and not view.conditional


def test_no_pages_folder_beside_the_app():
    """A dashboard/pages/ folder puts Streamlit in its old multipage mode until st.navigation
    first runs: a fresh server's first request for /monitor?run=<id> would skip navigation.py."""
    assert not (Path(__file__).resolve().parents[1] / "dashboard" / "pages").exists()


def test_the_readout_is_one_well_formed_block_with_a_bounded_bar():
    import xml.etree.ElementTree as ET

    from dashboard.monitor.readout import readout_html

    block = readout_html(250, 1000, "1,234 images/s", "<3 s")
    root = ET.fromstring(block)  # well-formed, text escaped
    assert root.get("data-step") == "250" and root.get("data-total") == "1000"
    bar = next(e for e in root.iter() if e.get("role") == "progressbar")
    assert "width: 25.00%" in bar[0].get("style")
    assert [t for t in root.itertext()][-6:] == ["Step", "250 / 1,000", "Speed", "1,234 images/s", "Time left", "<3 s"]
    over = ET.fromstring(readout_html(1200, 1000, "-", "-"))
    assert "width: 100.00%" in next(e for e in over.iter() if e.get("role") == "progressbar")[0].get("style")


def test_checkpoints_are_named_by_their_step_latest_too(tmp_path):
    from dashboard.components.generator_cache import checkpoint_label, checkpoint_names
    from gancore import RunStore, make_config

    run = RunStore(tmp_path).create(make_config("vanilla", "ring8", device="cpu"), "r1")
    for step in (2000, 4000, 6500):
        run.save_checkpoint({"step": step}, keep=3)
    names = checkpoint_names(run)
    assert [checkpoint_label(run, n) for n in names] == ["latest (step 6,500)", "step 6,500", "step 4,000",
                                                          "step 2,000"]
