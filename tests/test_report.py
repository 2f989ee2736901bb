"""The HTML reports (gancore/report/): one file per run or comparison, with its charts, pictures,
quality beside the line to compare with, settings and alerts, that references nothing outside
itself and shows a person's text as text. The browser half is in test_browser.py."""
from __future__ import annotations

import re

import pytest

from app_pages import open_app
from gancore import RunError, RunStore, make_config
from gancore.cli import main
from gancore.health import Alert
from gancore.report import comparison_report, report, run_report
from gancore.report.page import spread_evenly
from gancore.runs.compare import picture_steps, sample_files
from gancore.runs.launch import start_run
from gancore.runs.meta import RunMeta
from gancore.training.trainer import Event

HOSTILE_NAME = '<img src="http://example.com/x.png"> & "ring"'


def _tiny(variant: str, **kw):
    base = dict(device="cpu", steps=200, batch_size=32, log_every=20, sample_every=50, checkpoint_every=100,
                eval_every=200, num_samples=2000, hidden_dim=16)
    return make_config(variant, "ring8", **(base | kw))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three tiny finished ring8 runs: a named one with an alert and a note, one with a faster G,
    and a WGAN-GP one (critic scores, another loss)."""
    store = RunStore(tmp_path_factory.mktemp("report-runs"))
    made = {}
    for run_id, cfg, meta in (
            ("named", _tiny("vanilla"), RunMeta(name=HOSTILE_NAME, note="tried <b>half</b> the rate")),
            ("faster", _tiny("vanilla", lr_g=4e-4, sample_every=100), RunMeta(name="faster G")),
            ("critic", _tiny("wgan_gp", eval_every=0), RunMeta())):
        trainer, run = start_run(cfg, store, run_id, meta=meta)
        trainer.run()
        made[run_id] = run
    made["named"].record(Event("alert", 150, {"alert": Alert("mode_collapse", 120, "3 % as spread out").to_dict()}))
    return made


def _external_references(page: str) -> list[str]:
    """Every src / href / url(...) that would make the browser fetch something."""
    refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page) + re.findall(r"url\(([^)]*)\)", page)
    return [r for r in refs if not r.startswith(("data:", "#"))]


def test_a_run_report_holds_charts_pictures_quality_settings_and_alerts(runs):
    page = run_report(runs["named"])
    charts = re.findall(r'<svg class="gs-chart" data-points="(\d+)"', page)
    assert len(charts) >= 3 and all(int(n) > 0 for n in charts), "losses, scores and quality, each drawn"
    pictures = re.findall(r'<img src="data:image/png;base64,', page)
    assert len(pictures) == len(runs["named"].sample_files()) == 5, "every picture over time"
    assert 'type="range"' in page, "a slider over the pictures"
    assert "real vs real" in page and "Modes captured" in page, "quality beside its floor"
    assert "Training steps" in page and "Generator learning rate" in page
    assert "mode collapse" in page and "What to try" in page, "the alert, with what to try"
    assert "neither should go to zero" in page, "plain-word captions"
    assert _external_references(page) == [], "nothing outside the file"
    assert "default-src 'none'" in page, "and the browser is told to fetch nothing"


def test_a_persons_text_shows_as_text_never_as_markup(runs):
    page = run_report(runs["named"])
    assert HOSTILE_NAME not in page and "<b>half</b>" not in page
    assert "&lt;img src=&quot;http://example.com/x.png&quot;&gt; &amp; &quot;ring&quot;" in page
    assert "tried &lt;b&gt;half&lt;/b&gt; the rate" in page


def test_a_comparison_report_overlays_what_compares_and_says_why_not_for_the_rest(runs):
    page = comparison_report([runs["named"], runs["faster"], runs["critic"]])
    assert "The discriminator losses are different formulas" in page
    assert page.count("D(x) and D(G(z)) are probabilities") == 1, "one note for both score charts"
    assert "exponential moving average with weight 0.6" in page
    # one slider for all three runs: at each of its steps, one frame per run
    steps = re.findall(r'data-step\d+="step ([\d,]+)"', page)
    assert steps == [f"{s:,}" for s in picture_steps(sample_files([runs["named"], runs["faster"], runs["critic"]]))]
    assert len(re.findall(r'class="frame" data-frame=', page)) == 3 * len(steps)
    assert "its latest by step 150" in page, "a run that saved no picture then shows its last one"
    settings = page[page.index("Settings that differ"):]
    assert "Generator learning rate" in settings and "Training steps" not in settings, "only what differs"
    assert _external_references(page) == []


def test_smoothing_changes_the_drawn_lines(runs):
    pair = [runs["named"], runs["faster"]]
    assert comparison_report(pair, weight=0.0) != comparison_report(pair, weight=0.9)
    raw = comparison_report(pair, weight=0.0)
    assert "stroke-opacity" not in raw and "no smoothing" in raw, "no faint raw line under an unsmoothed one"
    assert "stroke-opacity" in comparison_report(pair, weight=0.9)


def test_report_takes_one_run_or_compares_two_to_six(runs):
    assert "What this run is" in report([runs["named"]])
    assert "The runs" in report([runs["named"], runs["critic"]])
    with pytest.raises(RunError, match="1 run or compares 2 to 6, got 0"):
        report([])
    with pytest.raises(RunError, match="1 run or compares 2 to 6, got 7"):
        report([runs["named"]] * 7)


def test_a_long_run_puts_at_most_24_pictures_in_its_report():
    assert spread_evenly(list(range(100)), 24)[0::23] == [0, 99] and len(spread_evenly(list(range(100)), 24)) == 24
    assert spread_evenly([1, 2, 3], 24) == [1, 2, 3]


def test_the_cli_writes_a_report_and_refuses_a_wrong_name(runs, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", "--run", str(runs["named"].path), "--run", str(runs["faster"].path),
                 "--out", str(out)]) == 0
    assert out.read_text().startswith("<!DOCTYPE html>") and "Comparison" in out.read_text()
    assert main(["report", "--run", str(runs["named"].path), "--out", str(tmp_path / "r.txt")]) == 2
    assert "out: must end in .html" in capsys.readouterr().err
    assert not (tmp_path / "r.txt").exists()


def test_the_compare_page_offers_the_comparison_as_a_report(runs, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(runs["named"].path.parent))
    at = open_app()
    at.query_params["runs"] = "named,critic"
    at.switch_page("views/compare.py")
    at.run()
    assert not at.exception
    [button] = [b for b in at.get("download_button") if "comparison as a report" in b.proto.label]
    assert not button.proto.disabled


def test_the_runs_page_offers_a_runs_report(runs, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(runs["named"].path.parent))
    at = open_app("views/runs.py", run="named")
    assert not at.exception
    [button] = [b for b in at.get("download_button") if b.proto.label == "Report (.html)"]
    assert not button.proto.disabled


def test_the_monitor_offers_the_runs_report_under_its_pictures(runs, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(runs["named"].path.parent))
    at = open_app("views/monitor.py", run="faster")
    assert not at.exception
    assert "Download a report of this run (.html)" in [b.proto.label for b in at.get("download_button")]
