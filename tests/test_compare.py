"""Comparing runs (gancore/runs/compare.py): TensorBoard's smoothing, the settings that differ,
which parts share an axis and why the others do not, pictures matched by step; and the Compare
page opened from a ?runs= link."""
from __future__ import annotations

import json
import math
import re
import shutil

import pytest

from app_pages import APP
from gancore import RunError, RunStore, make_config
from gancore.config import SETTINGS
from gancore.runs.compare import (check_run_count, compare_parts, differing_settings, picture_steps,
                                  pictures_at, same_settings, sample_files, smooth)
from gancore.runs.launch import start_run
from gancore.runs.meta import RunMeta
from gancore.runs.store import step_of
from streamlit.testing.v1 import AppTest

TINY_RING = dict(device="cpu", hidden_dim=16, steps=200, batch_size=32, log_every=20, eval_every=0,
                 num_samples=2000)
NAMES = {"ring-a": "ring a", "ring-b": "ring b", "glyphs-c": "glyphs c"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Three tiny finished runs with different picture intervals: ring a (one quality
    measurement, a picture every 50 steps), ring b (lr_g lower, every 80) and glyphs c (a
    cdcgan, 20 steps, every 10). The first picture comes at the first log: step 20 for the ring
    runs. Returns the store."""
    store = RunStore(tmp_path_factory.mktemp("compare-runs"))
    configs = {
        "ring-a": make_config("vanilla", "ring8", **(TINY_RING | dict(sample_every=50, eval_every=200))),
        "ring-b": make_config("vanilla", "ring8", **(TINY_RING | dict(sample_every=80, lr_g=1e-4))),
        "glyphs-c": make_config("cdcgan", "glyphs", device="cpu", steps=20, batch_size=16, log_every=10,
                                sample_every=10, checkpoint_every=20, eval_every=0, base_channels=8),
    }
    for run_id, cfg in configs.items():
        trainer, _ = start_run(cfg, store, run_id, meta=RunMeta(name=NAMES[run_id]))
        trainer.run()
    return store


# ---- smooth ----------------------------------------------------------------------------------
def test_no_smoothing_returns_the_values_as_they_are():
    values = [3.0, -1.5, None, 2.25, 7]
    assert smooth(values, 0) == values
    assert smooth([], 0.6) == []


def test_smoothing_is_tensorboards_debiased_moving_average():
    # w = 0.5: last = 0.5, 1.25, 2.125; divided by 1 - 0.5**n = 0.5, 0.75, 0.875
    assert smooth([1.0, 2.0, 3.0], 0.5) == pytest.approx([1.0, 5 / 3, 17 / 7])
    # debiasing: a constant stays that constant from the first point on, not pulled towards 0
    assert smooth([4.0] * 5, 0.9) == pytest.approx([4.0] * 5)


def test_missing_numbers_stay_gaps_and_do_not_count():
    out = smooth([1.0, None, math.nan, 2.0, 3.0], 0.5)
    assert out[0] == pytest.approx(1.0) and out[1] is None and math.isnan(out[2])
    assert out[3:] == pytest.approx([5 / 3, 17 / 7]), "the gaps neither reset nor advance the average"


@pytest.mark.parametrize("weight", [-0.1, 1, 1.5, True, "0.5", None, math.nan])
def test_a_weight_outside_0_to_1_is_refused_in_words(weight):
    with pytest.raises(RunError, match=r"smoothing: must be a number from 0 \(none\) up to but not "
                                       r"including 1, got " + re.escape(repr(weight))):
        smooth([1.0, 2.0], weight)


# ---- settings --------------------------------------------------------------------------------
def _ring(**kw):
    return make_config("vanilla", "ring8", device="cpu", hidden_dim=16, **kw)


def test_two_runs_differing_in_one_rate_show_only_that_row():
    configs = {"a": _ring(lr_g=2e-4), "b": _ring(lr_g=1e-4)}
    [row] = differing_settings(configs)
    assert (row["name"], row["label"]) == ("lr_g", "Generator learning rate")
    assert row["values"] == {"a": 2e-4, "b": 1e-4} and row["used"] == {"a": True, "b": True}
    shared = {s["name"]: s["value"] for s in same_settings(configs)}
    assert "lr_g" not in shared and shared["lr_d"] == configs["a"].lr_d and shared["hidden_dim"] == 16
    assert "gp_lambda" not in shared, "a setting neither run's variant reads is not listed"


def test_a_variants_own_setting_is_compared_only_between_the_runs_that_read_it():
    vanilla, wgan = _ring(), make_config("wgan_gp", "ring8", device="cpu", hidden_dim=16)
    differ = {d["name"]: d for d in differing_settings({"v": vanilla, "w": wgan})}
    assert "variant" in differ and "gp_lambda" not in differ, "one reader: nothing to differ from"
    shared = {s["name"]: s["value"] for s in same_settings({"v": vanilla, "w": wgan})}
    assert shared["gp_lambda"] == wgan.flat()["gp_lambda"], "shown once, with its reader's value"

    steep = make_config("wgan_gp", "ring8", device="cpu", hidden_dim=16, gp_lambda=20.0)
    configs = {"v": vanilla, "w": wgan, "w2": steep}
    row = next(d for d in differing_settings(configs) if d["name"] == "gp_lambda")
    assert row["used"] == {"v": False, "w": True, "w2": True}
    assert (row["values"]["w"], row["values"]["w2"]) == (wgan.flat()["gp_lambda"], 20.0)


# ---- which parts compare ---------------------------------------------------------------------
CURVES = ["loss_d", "loss_g", "d_real", "d_fake"]


def _parts(configs, labels=None):
    return {p.key: p for p in compare_parts(configs, labels)}


def test_runs_of_one_variant_compare_on_every_part():
    parts = _parts({"a": _ring(lr_g=2e-4), "b": _ring(lr_g=1e-4), "c": _ring(seed=3)})
    assert list(parts) == CURVES + ["quality", "samples"]
    for part in parts.values():
        assert part.compares and part.groups == (("a", "b", "c"),) and part.why_not == ""
    assert [p.curve for p in parts.values()] == [True] * 4 + [False, False]


def test_a_critic_beside_a_discriminator_splits_losses_and_scores_in_words():
    configs = {"v": _ring(), "w": make_config("wgan_gp", "ring8", device="cpu", hidden_dim=16),
               "v2": _ring(seed=5)}
    parts = _parts(configs, {"v": "plain one", "w": "critic run", "v2": "plain two"})
    for key in CURVES:
        assert not parts[key].compares and parts[key].groups == (("v", "v2"), ("w",))
    assert parts["loss_d"].why_not == ("The discriminator losses are different formulas (plain one and "
                                       "plain two: bce loss; critic run: wasserstein loss), so each has "
                                       "its own chart.")
    assert "(plain one and plain two: nonsaturating loss; critic run: wasserstein loss)" in parts["loss_g"].why_not
    assert parts["d_real"].why_not == parts["d_fake"].why_not
    assert ("(plain one and plain two: probabilities; critic run: critic scores), so each has its own chart."
            in parts["d_real"].why_not)
    assert parts["quality"].compares and parts["samples"].compares, "same data; pictures always compare"


def test_different_data_splits_quality_only():
    parts = _parts({"r": _ring(), "g": make_config("cdcgan", "glyphs", device="cpu")}, {"r": "ring", "g": "digits"})
    assert [k for k, p in parts.items() if not p.compares] == ["quality"]
    assert parts["quality"].groups == (("r",), ("g",))
    assert "(ring: ring8; digits: glyphs), so each has its own chart." in parts["quality"].why_not


def test_the_same_dataset_of_another_size_splits_quality_and_says_so():
    parts = _parts({"r": _ring(), "small": _ring(num_samples=2000)})
    assert parts["quality"].groups == (("r",), ("small",))
    assert "(r: ring8; small: ring8 (2,000 examples))" in parts["quality"].why_not


def test_a_variants_own_loss_terms_are_parts_of_their_own():
    from gancore import get_variant_spec

    terms = list(get_variant_spec("srgan").loss_terms)
    assert terms == ["content", "adv"]
    configs = {"s": make_config("srgan", "glyphs", device="cpu"),
               "s2": make_config("srgan", "glyphs", device="cpu", adv_weight=0.01),
               "c": make_config("cdcgan", "glyphs", device="cpu")}
    parts = _parts(configs)
    assert list(parts) == ["loss_d", "loss_g"] + [f"loss_{t}" for t in terms] + ["d_real", "d_fake", "quality",
                                                                                 "samples"]
    for term in terms:
        part = parts[f"loss_{term}"]
        assert part.groups == (("s", "s2"),) and part.compares and part.curve, "the cdcgan has no such term"
        assert part.title == f"Generator loss: its {term} term"
    assert parts["loss_g"].groups == (("s", "s2"), ("c",))
    assert "(s and s2: nonsaturating loss plus its content and adv terms; c: nonsaturating loss)" \
        in parts["loss_g"].why_not
    assert parts["loss_d"].compares, "both train D with the BCE pair"
    # same data, measured differently: the words name the measures, or they would read alike
    assert parts["quality"].groups == (("s", "s2"), ("c",))
    assert "(s and s2: glyphs (super resolution measures); c: glyphs (images measures))" in parts["quality"].why_not


@pytest.mark.parametrize("count", [0, 1, 7])
def test_fewer_than_2_or_more_than_6_runs_are_refused(count):
    configs = {f"r{i}": _ring(seed=i) for i in range(count)}
    with pytest.raises(RunError, match=f"runs: compare 2 to 6 runs, got {count}"):
        compare_parts(configs)


def test_check_run_count_drops_repeats_and_refuses_too_few_or_too_many():
    assert check_run_count(["a", "b", "a", "c"]) == ["a", "b", "c"]
    with pytest.raises(RunError, match="pick 2 to 6 different runs to compare, got 1"):
        check_run_count(["a", "a"])
    with pytest.raises(RunError, match="got 7"):
        check_run_count([str(i) for i in range(7)])


# ---- pictures matched by step ----------------------------------------------------------------
def test_pictures_are_matched_by_step_across_different_intervals(runs):
    files = sample_files([runs.open(i) for i in NAMES])
    assert list(files) == list(NAMES)
    assert [step_of(p) for p in files["ring-a"]] == [20, 50, 100, 150, 200]
    assert [step_of(p) for p in files["ring-b"]] == [20, 80, 160, 200]
    assert [step_of(p) for p in files["glyphs-c"]] == [10, 20]
    assert picture_steps(files) == [10, 20, 50, 80, 100, 150, 160, 200]

    def at(step):
        return {m.run_id: m.step for m in pictures_at(files, step)}

    assert at(10) == {"ring-a": None, "ring-b": None, "glyphs-c": 10}, "no picture yet: None"
    assert at(80) == {"ring-a": 50, "ring-b": 80, "glyphs-c": 20}
    assert at(200) == {"ring-a": 200, "ring-b": 200, "glyphs-c": 20}
    [a, b, c] = pictures_at(files, 160)
    assert (a.run_id, a.path, b.path, c.path) == ("ring-a", files["ring-a"][3], files["ring-b"][2],
                                                  files["glyphs-c"][1])
    assert pictures_at(files, 5) == [type(a)(i, None, None) for i in NAMES]
    assert picture_steps({"x": [], "y": []}) == []


# ---- the Compare page ------------------------------------------------------------------------
def _open_compare(runs_param: str | None) -> AppTest:
    """The app opened at ?runs=<runs_param>, then switched to Compare as a link would land."""
    at = AppTest.from_file(APP, default_timeout=60)
    if runs_param is not None:
        at.query_params["runs"] = runs_param
    at.run()
    at.switch_page("views/compare.py")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Compare runs"]
    return at


def _captions(at) -> list[str]:
    """Each run's picture caption, or the caption standing in for a picture not there yet."""
    shown = [c for img in at.get("image") for c in img.captions]
    return shown + [c.value for c in at.caption if "no picture yet" in c.value]


def test_the_page_restores_a_linked_comparison_and_names_what_it_left_out(runs, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(runs.root))
    at = _open_compare("ring-a,ring-b,ghost-run,glyphs-c,../etc")
    warnings = [w.value for w in at.warning]
    assert any("names 1 run that is not here: `ghost-run`" in w for w in warnings), warnings
    assert any("1 part that is not a run id: `../etc`" in w for w in warnings), warnings
    assert at.multiselect(key="compare-runs").value == ["ring-a", "ring-b", "glyphs-c"]
    assert at.query_params["runs"] == "ring-a,ring-b,glyphs-c", "the address keeps only what is shown"

    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    titles = [c["layout"]["title"]["text"] for c in charts]
    assert titles[:4] == ["Discriminator loss", "Generator loss", "D(x): score of real data",
                          "D(G(z)): score of generated data"]
    assert {t["name"] for t in charts[0]["data"]} == set(NAMES.values()), "one axis, every run"
    assert len(charts) > 4, "ring a's quality measurement is drawn too"
    assert any("(ring a and ring b: ring8 (2,000 examples); glyphs c: glyphs)" in i.value for i in at.info)

    table, shared = at.dataframe  # the differing settings, then the shared ones in an expander
    assert list(table.value.columns) == ["setting", "ring a", "ring b", "glyphs c"]
    configs = {i: runs.open(i).config() for i in NAMES}
    assert list(table.value["setting"]) == [d["label"] for d in differing_settings(configs)]
    assert "Generator learning rate" in list(table.value["setting"])
    seed = SETTINGS["seed"].label
    assert seed not in list(table.value["setting"]) and seed in list(shared.value["setting"]), "same in all"

    scrubber = at.select_slider(key="compare-step")
    assert scrubber.value == 200
    assert sorted(_captions(at)) == ["glyphs c · step 20 (its latest by step 200)", "ring a · step 200",
                                     "ring b · step 200"]
    scrubber.set_value(80).run()
    assert sorted(_captions(at)) == ["glyphs c · step 20 (its latest by step 80)",
                                     "ring a · step 50 (its latest by step 80)", "ring b · step 80"]
    at.select_slider(key="compare-step").set_value(10).run()
    assert sorted(_captions(at)) == ["glyphs c · step 10", "ring a: no picture yet at step 10",
                                     "ring b: no picture yet at step 10"]
    assert not at.exception


def test_the_page_asks_for_2_to_6_runs_when_one_is_picked(runs, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(runs.root))
    at = _open_compare("ring-b")
    assert at.multiselect(key="compare-runs").value == ["ring-b"]
    assert any(i.value == "Pick at least 2 runs to compare (up to 6)." for i in at.info)
    assert not at.get("plotly_chart") and not at.dataframe


def test_the_page_says_when_there_are_not_2_runs_to_compare(runs, tmp_path, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    assert any("Comparing needs at least 2 runs; there are 0." in i.value for i in _open_compare(None).info)
    shutil.copytree(runs.root / "ring-a", tmp_path / "ring-a")
    at = _open_compare("ring-a")
    assert any("Comparing needs at least 2 runs; there is 1." in i.value for i in at.info)
    assert not at.get("multiselect") and not at.get("plotly_chart")
