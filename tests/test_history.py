"""A run's story in pictures: every saved grid on the Monitor, two steps side by side, and the
whole run as an animated GIF with the step on each frame."""
import io

from PIL import Image

from app_pages import open_app
from gancore import RunStore, make_config
from gancore.runs.launch import start_run
from gancore.sampling.animation import animation_gif, step_of, thinned


def _finished(tmp_path, monkeypatch, **kw):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    cfg = make_config("vanilla", "ring8", device="cpu", steps=200, log_every=20, sample_every=50,
                      eval_every=0, hidden_dim=16, **kw)
    trainer, run = start_run(cfg, RunStore(tmp_path))
    trainer.run()
    return run


def test_thinning_keeps_the_first_and_the_last_evenly():
    files = list(range(1000))
    picked = thinned(files, 10)
    assert len(picked) == 10 and picked[0] == 0 and picked[-1] == 999
    assert thinned(files[:5], 10) == files[:5]


def test_the_animation_has_a_frame_per_picture_with_its_step(tmp_path, monkeypatch):
    run = _finished(tmp_path, monkeypatch)
    files = run.sample_files()
    assert [step_of(f) for f in files] == [20, 50, 100, 150, 200], "a first picture at the first log"
    gif = Image.open(io.BytesIO(animation_gif(files)))
    assert gif.format == "GIF" and gif.n_frames == len(files)
    assert gif.size[1] > Image.open(files[0]).size[1], "a band above each picture holds its step"


def test_the_monitor_shows_any_earlier_picture_and_two_side_by_side(tmp_path, monkeypatch):
    run = _finished(tmp_path, monkeypatch)
    at = open_app("views/monitor.py", run=run.run_id)
    assert not at.exception
    slider = at.select_slider(key=f"history-{run.run_id}")
    assert slider.value == 200
    slider.set_value(50).run()
    assert "step 50" in [c for img in at.get("image") for c in img.captions]
    at.toggle(key=f"history-compare-{run.run_id}").set_value(True).run()
    captions = [c for img in at.get("image") for c in img.captions]
    assert "step 20" in captions and "step 200" in captions
    next(b for b in at.button if b.label == "Make an animation of the run").click().run()
    assert not at.exception
    assert any(b.label.startswith("Download the animation (GIF, 5 pictures)") for b in at.get("download_button"))


def test_the_cli_writes_the_animation_and_refuses_other_names(tmp_path, monkeypatch):
    import subprocess
    import sys

    run = _finished(tmp_path, monkeypatch)

    def gancore(*args):
        return subprocess.run([sys.executable, "-m", "gancore", *args], capture_output=True, text=True,
                              timeout=300, cwd=tmp_path)

    out = gancore("animate", "--run", str(run.path), "--out", "story.gif")
    assert out.returncode == 0, out.stderr
    assert "wrote 5 frames (of 5 pictures)" in out.stdout
    assert Image.open(tmp_path / "story.gif").n_frames == 5
    bad = gancore("animate", "--run", str(run.path), "--out", "story.mp4")
    assert bad.returncode == 2 and "must end in .gif" in bad.stderr and not (tmp_path / "story.mp4").exists()
