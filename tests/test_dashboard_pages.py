"""Every page under Streamlit's AppTest: renders, starts runs, shows them live, generates, validates."""
import json
import re
import sys
import threading
import time
from pathlib import Path

import pytest
from app_pages import open_app
from gancore import RunStore, make_config
from gancore.runs.launch import start_run

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    yield tmp_path
    from dashboard import state

    for job in state._manager(str(tmp_path)).jobs():
        job.stop()
        if job.thread is not None:
            job.thread.join(timeout=30)


def _finished_run(runs_dir, variant="vanilla", dataset="ring8", **kw) -> str:
    cfg = make_config(variant, dataset, device="cpu", **kw)
    trainer, run = start_run(cfg, RunStore(runs_dir))
    trainer.run()
    return run.run_id


def _feed_html(at) -> list[str]:
    """The HTML a training run's page hands its browser script (monitor/feed_view.py) to show."""
    html = []
    for element in at.get("bidi_component"):
        data = json.loads(element.proto.json)
        html += [part for part in [*data["state"].values(), data["explanations"]] if isinstance(part, str)]
    return html


def _svg_charts(at) -> list[str]:
    """The light SVG charts (gancore/charts/svg_chart.py) the page drew."""
    return [chart for text in [m.value for m in at.markdown] + _feed_html(at)
            for chart in re.findall(r'<svg class="gs-chart".*?</svg>', text, re.S)]


def _readout(at) -> tuple[int, int]:
    """(step, total) of the page's progress readout (monitor/readout.py)."""
    found = [re.search(r'class="gs-readout" data-step="(\d+)" data-total="(\d+)"', text)
             for text in [m.value for m in at.markdown] + _feed_html(at)]
    step, total = next(f for f in found if f).groups()
    return int(step), int(total)


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [w.value for w in at.warning] + _feed_html(at)
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", [None, "views/monitor.py", "views/generate.py", "views/runs.py"])
def test_every_page_renders_with_no_runs(runs_dir, page):
    at = open_app(page)
    assert not at.exception
    if page:
        assert "No runs yet" in _texts(at)


@pytest.mark.parametrize("page", ["views/monitor.py", "views/generate.py", "views/runs.py"])
def test_every_page_renders_with_a_finished_run(runs_dir, page):
    run_id = _finished_run(runs_dir, steps=100, log_every=20)
    at = open_app(page, run=run_id)
    assert not at.exception and not at.error
    if page == "views/monitor.py":
        assert _readout(at) == (100, 100)
        assert "Finished" in _texts(at)
        assert len(at.get("plotly_chart")) == 2 and not _svg_charts(at), "an ended run's charts are interactive"


def test_starting_a_ring8_run_from_train_shows_it_running_in_monitor(runs_dir):
    at = open_app()
    assert at.selectbox(key="variant").value == "vanilla"
    at.text_input(key="vanilla-ring8-steps").set_value("200000")
    at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Monitor"]
    assert "vanilla-ring8" in str(at.query_params["run"])
    deadline = time.time() + 30
    while time.time() < deadline:
        at.run()
        step = _readout(at)[0]
        if step > 0:
            break
        time.sleep(0.5)
    assert step > 0, "the run advances in the background"
    assert "Running" in _texts(at)
    assert [b.label for b in at.button][:2] == ["Pause", "Stop"]


def test_a_just_started_run_shows_its_charts_at_once_and_refreshes_fast_until_its_first_numbers(runs_dir, monkeypatch):
    """The charts' frame (and so the browser's chart code) is there before the first point."""
    from dashboard import state
    from gancore.training.trainer import Trainer

    # The run's first step waits until the page is drawn, however busy the machine: a fresh run
    # logs at its 10th step, and a race with it would decide what this test sees.
    page_drawn, take_step = threading.Event(), Trainer.train_step
    monkeypatch.setattr(Trainer, "train_step", lambda self: (page_drawn.wait(120), take_step(self))[1])
    try:
        job = state.manager().start(make_config("vanilla", "ring8", device="cpu", steps=200_000))
        at = open_app("views/monitor.py", run=job.run_id)
    finally:
        page_drawn.set()
    assert not at.exception
    charts = _svg_charts(at)
    assert len(charts) == 2 and all('data-points="0"' in c for c in charts), "loss and score charts, empty"
    assert not at.get("plotly_chart"), "while it trains, no Plotly chart for the browser to redraw"
    assert "The first numbers appear after the first few steps." in _texts(at)


def test_a_paused_run_has_interactive_charts_and_a_training_one_light_drawings(runs_dir):
    from dashboard import state

    cfg = make_config("vanilla", "ring8", device="cpu", steps=200_000, log_every=20)
    job = state.manager().start(cfg)
    deadline = time.time() + 60
    while not job.snapshot().metrics and time.time() < deadline:
        time.sleep(0.2)
    at = open_app("views/monitor.py", run=job.run_id)
    assert not at.exception
    assert len(_svg_charts(at)) == 2 and not at.get("plotly_chart")
    assert "interactive (zoom, hover) when training is paused or ends" in _texts(at)
    job.pause()
    while job.snapshot().status != "paused" and time.time() < deadline:
        time.sleep(0.2)
    at.run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2 and not _svg_charts(at)


def test_with_many_viewers_each_page_refreshes_less_often_and_says_why(runs_dir):
    from dashboard import state

    at = open_app()
    at.text_input(key="vanilla-ring8-steps").set_value("200000")
    at.button[0].click().run()
    run_id = str(at.query_params["run"])
    for i in range(3):  # three other browser sessions on the same run
        state.audience().seen(f"other-{i}", run_id, 1.0)
    at.run()
    assert not at.exception
    assert "4 people are watching this run" in _texts(at)
    assert "every 2 seconds" in _texts(at)


def test_bad_fields_get_messages_beside_them_and_nothing_starts(runs_dir):
    at = open_app()
    at.text_input(key="vanilla-ring8-steps").set_value("0")
    at.text_input(key="vanilla-ring8-lr_g").set_value("-0.5")
    at.button[0].click().run()
    errors = [e.value for e in at.error]
    assert any(e.startswith("Training steps: must be between 1") for e in errors), errors
    assert any(e.startswith("Generator learning rate: must be above 0") for e in errors), errors
    assert [t.value for t in at.title] == ["Train a GAN"]
    assert not list(runs_dir.iterdir()), "no run folder for a refused start"


def test_generate_returns_an_image_for_a_chosen_class_of_a_conditional_run(runs_dir):
    run_id = _finished_run(runs_dir, "cgan", "glyphs", steps=20, batch_size=16, num_samples=200,
                           hidden_dim=32, log_every=10)
    at = open_app("views/generate.py", run=run_id)
    assert not at.exception
    class_box = [s for s in at.selectbox if s.label == "Class"][0]
    class_box.set_value("7").run()
    assert not at.exception and not at.error
    captions = [c for img in at.get("image") for c in img.captions]
    assert any(c.startswith("64 class 7") for c in captions), captions
    assert [b.label for b in at.get("download_button")][:1] == ["Download PNG"]


def test_a_run_id_from_the_url_is_validated(runs_dir):
    _finished_run(runs_dir, steps=20, log_every=10)
    at = open_app("views/monitor.py", run="../../etc")
    assert not at.exception
    assert any("This link names a run that does not exist here" in w.value for w in at.warning)
    assert at.selectbox(key="monitor-run").value is None, "no other run shown in its place"


def test_runs_page_resumes_a_stopped_run_and_deletes_with_confirmation(runs_dir):
    run_id = _finished_run(runs_dir, steps=40, log_every=10)
    at = open_app("views/runs.py")
    assert not at.exception
    delete = [b for b in at.button if b.label == "Delete"][0]
    assert delete.disabled, "delete needs the confirmation first"
    [c for c in at.checkbox if c.label.startswith("Yes, delete")][0].check().run()
    [b for b in at.button if b.label == "Delete"][0].click().run()
    assert not (runs_dir / run_id).exists()


def test_runs_page_resume_continues_a_finished_run(runs_dir):
    run_id = _finished_run(runs_dir, steps=40, log_every=10)
    at = open_app("views/runs.py")
    [n for n in at.number_input if n.label == "More steps"][0].set_value(40)
    [b for b in at.button if b.label == "Resume training"][0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Monitor"]
    from dashboard import state

    job = state._manager(str(runs_dir)).get(run_id)
    job.thread.join(timeout=60)
    assert RunStore(runs_dir).open(run_id).status()["step"] == 80


def test_after_a_restart_a_run_that_was_training_shows_interrupted_and_resumes(runs_dir):
    import subprocess

    run_id = _finished_run(runs_dir, steps=40, log_every=10)
    run = RunStore(runs_dir).open(run_id)
    # the training process "dies": its status still says running, its owner is gone
    code = f"from gancore.runs import Run; Run({str(run.path)!r}).write_status('running', 40)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
    at = open_app("views/runs.py")
    assert "Interrupted" in _texts(at)
    at = open_app("views/monitor.py", run=run_id)
    assert "Interrupted" in _texts(at) and not at.exception


def test_viewer_mode_hides_every_control(runs_dir, monkeypatch):
    monkeypatch.setenv("GANSTUDIO_READ_ONLY", "1")  # dashboard/access.py reads it at each check
    run_id = _finished_run(runs_dir, steps=20, log_every=10)
    for page in (None, "views/monitor.py", "views/runs.py"):
        at = open_app(page, run=run_id)
        labels = [b.label for b in at.button]
        assert not at.exception
        assert not {"Start training", "Stop", "Pause", "Resume training", "Delete"} & set(labels), labels
        if page != "views/monitor.py":
            assert "Viewer mode" in _texts(at)


def _mark(runs_dir, run_id, **status):
    from gancore.runs.store import Run

    Run(runs_dir / run_id).write_status(**status)


def test_a_diverged_run_offers_the_roll_back_and_it_halves_the_learning_rate(runs_dir):
    cfg = make_config("vanilla", "ring8", device="cpu", steps=100, log_every=10, checkpoint_every=20)
    trainer, run = start_run(cfg, RunStore(runs_dir))
    trainer.subscribe(lambda e: trainer.stop() if e.kind == "checkpoint" and e.step == 40 else None)
    trainer.run()
    run_id = run.run_id
    _mark(runs_dir, run_id, status="stopped", step=50,
          message="diverged at step 50: a loss became NaN or infinite. Roll back to the last healthy checkpoint")
    at = open_app("views/monitor.py", run=run_id)
    assert any("diverged at step 50" in w.value for w in at.warning)
    button = [b for b in at.button if b.label.startswith("Roll back")][0]
    button.click().run()
    from dashboard import state

    job = state._manager(str(runs_dir)).get(run_id)
    job.thread.join(timeout=60)
    cfg = RunStore(runs_dir).open(run_id).config()
    assert cfg.lr_g == make_config("vanilla", "ring8").lr_g * 0.5
    assert RunStore(runs_dir).open(run_id).status()["status"] == "finished"


def test_out_of_memory_offers_to_resume_with_the_batch_size_that_fits(runs_dir):
    run_id = _finished_run(runs_dir, steps=20, log_every=10, batch_size=64)
    _mark(runs_dir, run_id, status="stopped", step=20, fits_batch_size=16,
          message="ran out of memory at batch size 64; batch size 16 fits: resume with --batch-size 16")
    at = open_app("views/monitor.py", run=run_id)
    assert [b.label for b in at.button if b.label.startswith("Resume with")] == ["Resume with batch size 16"]


def test_train_page_offers_an_upload_box_for_image_folders(runs_dir):
    at = open_app()
    at.selectbox(key="variant").set_value("dcgan").run()
    at.selectbox(key="dataset-dcgan").set_value("folder").run()
    assert not at.exception
    # the upload widget itself is not driven by AppTest; its import is tested in test_uploads.py
    assert any("folder of images" in (w.value or "") for w in at.warning)
    assert at.text_input(key="dcgan-folder-data_dir").value == ""


def test_every_variant_and_dataset_renders_on_train_with_its_description(runs_dir):
    from gancore import get_dataset_spec, get_variant_spec, list_variants

    at = open_app()
    for variant in list_variants():
        at.selectbox(key="variant").set_value(variant).run()
        for label in at.selectbox(key=f"dataset-{variant}").options:
            dataset = label.split()[0]  # "mnist  (why it cannot be used now)"
            at.selectbox(key=f"dataset-{variant}").set_value(dataset).run()
            assert not at.exception, (variant, dataset)
            captions = [c.value for c in at.caption]
            assert get_variant_spec(variant).description in captions
            assert get_dataset_spec(dataset).description in captions


@pytest.mark.parametrize("variant,dataset", [("vanilla", "ring8"), ("wgan_gp", "ring8"), ("dcgan", "folder")])
def test_train_form_draws_one_widget_per_setting_its_declarations_show(runs_dir, variant, dataset):
    from gancore.config import SETTINGS
    from dashboard.components.form_spec import form_fields

    at = open_app()
    at.selectbox(key="variant").set_value(variant).run()
    at.selectbox(key=f"dataset-{variant}").set_value(dataset).run()
    prefix = f"{variant}-{dataset}-"
    widgets = [w for kind in ("number_input", "selectbox", "checkbox", "text_input") for w in at.get(kind)]
    drawn = {w.key[len(prefix):]: w for w in widgets if (w.key or "").startswith(prefix)}
    expected = [f.name for f in form_fields(variant, dataset)]
    assert sorted(drawn) == sorted(expected)
    assert all(drawn[name].label == SETTINGS[name].label for name in expected)


def test_monitor_resumes_a_stopped_run_where_it_stopped(runs_dir):
    cfg = make_config("vanilla", "ring8", device="cpu", steps=60, log_every=10, checkpoint_every=20)
    trainer, run = start_run(cfg, RunStore(runs_dir))
    trainer.subscribe(lambda e: trainer.stop() if e.kind == "checkpoint" and e.step == 20 else None)
    trainer.run()
    at = open_app("views/monitor.py", run=run.run_id)
    assert "Stopped" in _texts(at)
    [b for b in at.button if b.label == "Resume training"][0].click().run()
    assert not at.exception and not at.error
    from dashboard import state

    state._manager(str(runs_dir)).get(run.run_id).thread.join(timeout=60)
    assert RunStore(runs_dir).open(run.run_id).status()["status"] == "finished"
    assert RunStore(runs_dir).open(run.run_id).status()["step"] == 60


def test_a_broken_run_folder_does_not_hide_the_other_runs(runs_dir):
    run_id = _finished_run(runs_dir, steps=20, log_every=10)
    broken = runs_dir / "20200101-000000-broken"
    broken.mkdir()
    (broken / "config.json").write_text('{"model": {}, "not_a_setting": 1}')
    for page in ("views/monitor.py", "views/generate.py", "views/runs.py"):
        at = open_app(page)
        assert not at.exception, page
        assert run_id in [s.value for s in at.selectbox if s.label == "Run"], page


def test_monitor_shows_quality_beside_real_vs_real_and_runs_compares_it(runs_dir):
    run_a = _finished_run(runs_dir, steps=300, log_every=50, eval_every=100)
    run_b = _finished_run(runs_dir, steps=200, log_every=50, eval_every=100, seed=1)
    at = open_app("views/monitor.py", run=run_a)
    assert not at.exception
    assert "Quality" in [s.value for s in at.subheader]
    table = at.table[0].value
    assert list(table["measure"])[:2] == ["Modes captured", "High-quality samples"]
    assert list(table["real vs real"])[0] == "8", "the floor: real data scored the same way"
    assert "PacGAN protocol" in _texts(at)
    runs = open_app("views/runs.py")
    assert not runs.exception
    assert set(runs.multiselect(key="runs-compare").value) == {run_a, run_b}, "the newest two, to compare"
    [link] = [e for e in runs.get("page_link") if "Compare these 2 runs" in e.proto.label]
    assert set(link.proto.query_string.split("=", 1)[1].replace("%2C", ",").split(",")) == {run_a, run_b}
    assert "modes" in " ".join(str(v) for v in runs.dataframe[0].value["quality (last measured)"])


def test_monitor_says_when_a_dataset_has_no_quality_measure(runs_dir):
    run_id = _finished_run(runs_dir, dataset="spiral", steps=40, log_every=20)
    at = open_app("views/monitor.py", run=run_id)
    assert not at.exception
    assert "spiral is neither" in _texts(at)
