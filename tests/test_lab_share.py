"""The 2D Lab's drawn data and links: a drawing becomes a dataset and a lab that learns it; a
link round-trips the settings and the drawing (not the weights); a damaged link names what is
wrong; a lab becomes a run's config, a drawn lab's on its saved drawing."""
import numpy as np
import pytest
import torch

from gancore import ConfigError, DataError, get_dataset_spec, load_dataset, make_config
from gancore.lab2d import Lab2D
from gancore.lab_knobs import knobs_of
from gancore.data.drawn import MAX_DRAWN, save_drawing
from gancore.lab_share import (PAD_BOX, decode_points, drawn_dataset, drawn_lab, encode_points,
                               lab_from_link, link_params, parse_link, run_config)

BLOB = np.random.default_rng(0).normal(size=(60, 2)) * 0.1 + [1.0, 1.0]  # a drawn blob at (1, 1)


def test_a_drawing_becomes_a_dataset_around_its_points():
    data = drawn_dataset(BLOB, n=3000)
    assert data.x.shape == (3000, 2) and data.y is None and data.info.name == "drawn"
    assert np.allclose(data.x.mean(0).numpy(), BLOB.mean(0), atol=0.03)


@pytest.mark.parametrize("points,words", [([[0, 0]] * 3, "between 10 and 400"),
                                          ([[0, 0]] * (MAX_DRAWN + 1), "between 10 and 400"),
                                          ([[0, 0, 0]] * 20, "pairs"), ([[9, 0]] * 20, "between -2 and 2"),
                                          ("not points", "pairs"), ([[float("nan"), 0]] * 20, "between -2 and 2")])
def test_a_bad_drawing_says_what_is_allowed(points, words):
    with pytest.raises(ConfigError) as err:
        drawn_dataset(points)
    assert err.value.field == "points" and words in err.value.message


def test_a_drawn_lab_learns_the_drawing():
    lab = drawn_lab(BLOB)
    assert lab.bounds == PAD_BOX + PAD_BOX and "drawn" in lab.describe()
    before = lab.snapshot(grid=8, n_points=300)
    lab.step(iterations=150)
    after = lab.snapshot(grid=8, n_points=300)
    gap = lambda s: np.linalg.norm(s.fake.mean(0) - [1.0, 1.0])  # noqa: E731
    assert gap(after) < 0.5 * gap(before) and after.js < before.js


def test_conditional_variants_refuse_a_drawing_by_name():
    with pytest.raises(ConfigError) as err:
        drawn_lab(BLOB, "cgan")
    assert "needs labels" in err.value.message


def test_a_link_round_trips_settings_and_drawing_but_not_weights():
    lab = drawn_lab(BLOB)
    lab.step(iterations=3)
    knobs = knobs_of(lab).__class__(lr_d=0.002, lr_g=0.0005, optimizer="SGD", loss="minimax", latent_dim=3)
    params = link_params(lab, knobs, 2, 1, points=BLOB)
    assert len("&".join(f"{k}={v}" for k, v in params.items())) < 400
    link = parse_link(params)
    assert link.knobs == knobs and (link.k_d, link.k_g) == (2, 1) and link.dataset == "drawn"
    assert np.abs(link.points - BLOB).max() <= (PAD_BOX[1] - PAD_BOX[0]) / 255 / 2 + 1e-9
    again = lab_from_link(link)
    assert again.iteration == 0 and knobs_of(again) == knobs and again.info.name == "drawn"
    built_in = parse_link(link_params(Lab2D(make_config("wgan_gp", "grid25", device="cpu")),
                                      knobs_of(Lab2D(make_config("wgan_gp", "grid25", device="cpu"))), 5, 1))
    assert built_in.points is None and lab_from_link(built_in).info.name == "grid25"


@pytest.mark.parametrize("change,field", [(dict(lr_d="fast"), "lr_d"), (dict(opt="Nadam"), "opt"),
                                          (dict(loss="hinge"), "loss"), (dict(kd="0"), "kd"),
                                          (dict(z=""), "z"), (dict(pts="@@@"), "pts"), (dict(pts="AAA"), "pts")])
def test_a_damaged_link_names_the_parameter(change, field):
    params = {**link_params(drawn_lab(BLOB), knobs_of(drawn_lab(BLOB)), 1, 1, points=BLOB), **change}
    with pytest.raises(ConfigError) as err:
        parse_link(params)
    assert err.value.field == field


def test_points_encode_to_two_bytes_each():
    assert len(decode_points(encode_points(BLOB))) == len(BLOB)
    assert len(encode_points(BLOB)) == -(-len(BLOB) * 2 * 4 // 3)


def test_a_lab_becomes_a_run_config_and_a_drawing_a_run_on_its_saved_points(tmp_path):
    lab = Lab2D(make_config("vanilla", "ring8", device="cpu", num_samples=2000))
    knobs = knobs_of(lab).__class__(lr_d=0.002, lr_g=0.001, optimizer="Adam", loss="Wasserstein + GP", latent_dim=2)
    cfg = run_config(lab, knobs, 5)
    assert (cfg.model.variant, cfg.data.dataset, cfg.n_critic, cfg.lr_d) == ("wgan_gp", "ring8", 5, 0.002)
    drawn = drawn_lab(BLOB)
    with pytest.raises(ConfigError, match="needs its drawing saved first"):
        run_config(drawn, knobs_of(drawn), 1)
    folder = save_drawing(BLOB, tmp_path)
    assert save_drawing(BLOB, tmp_path) == folder, "the same drawing, the same folder"
    cfg = run_config(drawn, knobs_of(drawn), 1, str(folder))
    assert (cfg.data.dataset, cfg.data.data_dir) == ("drawn", str(folder))
    data = load_dataset(cfg.data, 0)
    assert data.x.shape == (4000, 2) and abs(data.x.mean(0) - torch.tensor(BLOB).float().mean(0)).max() < 0.05


def test_a_bad_drawing_file_is_refused_in_words(tmp_path):
    (tmp_path / "points.json").write_text("[[0, 0]]")
    with pytest.raises(DataError, match="data_dir: .*draw between 10 and 400 points, got 1"):
        load_dataset(make_config("vanilla", "drawn", data_dir=str(tmp_path)).data, 0)
    (tmp_path / "points.json").write_text("not json")
    with pytest.raises(DataError, match="is not a drawing"):
        load_dataset(make_config("vanilla", "drawn", data_dir=str(tmp_path)).data, 0)
    assert "draw points in the 2D Lab" in str(get_dataset_spec("drawn").availability(
        make_config("vanilla", "drawn").data))
