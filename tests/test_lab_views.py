"""What the 2D Lab shows besides D and the points: the JS divergence on a grid histogram, G's
manifold (a latent grid through G), the frames a scrubber looks back at, and a snapshot carrying
both."""
import math

import numpy as np
import pytest
import torch

from gancore import make_config
from gancore.lab2d import Lab2D
from gancore.lab_views import Frames, js_divergence, latent_mesh

BOX = (-2.0, 2.0, -2.0, 2.0)


def test_js_divergence_is_zero_for_the_same_points_and_ln2_for_disjoint_ones():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 2)) * 0.3
    assert js_divergence(a, a.copy(), BOX) == pytest.approx(0.0, abs=1e-12)
    left, right = a * 0.1 + [-1.5, 0], a * 0.1 + [1.5, 0]
    assert js_divergence(left, right, BOX) == pytest.approx(math.log(2))
    near = js_divergence(a, rng.normal(size=(500, 2)) * 0.3, BOX)
    assert 0 < near < js_divergence(a, a + [1.0, 0.0], BOX) < math.log(2)


def test_js_divergence_clips_outliers_and_refuses_nothing_silently():
    inside = np.zeros((10, 2))
    far = np.full((10, 2), 100.0)  # clipped into the top-right cell: still counted
    assert js_divergence(inside, far, BOX) == pytest.approx(math.log(2))
    assert math.isnan(js_divergence(inside, np.zeros((0, 2)), BOX))
    assert math.isnan(js_divergence(inside, np.full((3, 2), np.nan), BOX))


@pytest.mark.parametrize("latent", [2, 5])
def test_latent_mesh_is_g_on_a_latent_grid_and_a_slice_above_two_dims(latent):
    lab = Lab2D(make_config("vanilla", "ring8", device="cpu", num_samples=2000, latent_dim=latent))
    g = lab.gan.generator.eval()
    with torch.no_grad():
        mesh = latent_mesh(g, latent, None, side=7, reach=2.0)  # (7, 7, 2)
        assert mesh.shape == (7, 7, 2)
        z = torch.zeros(1, latent)
        z[0, 0], z[0, 1] = -2.0, 2.0  # column 0 (u = -2), last row (v = +2)
        np.testing.assert_allclose(mesh[6, 0], g(z, None)[0].numpy(), rtol=1e-5, atol=1e-6)


def test_a_snapshot_carries_the_divergence_and_the_mesh_only_when_asked():
    lab = Lab2D(make_config("vanilla", "ring8", device="cpu", num_samples=2000))
    plain, with_mesh = lab.snapshot(grid=10, n_points=100), lab.snapshot(grid=10, n_points=100, manifold=True)
    assert plain.mesh is None and with_mesh.mesh.shape == (15, 15, 2)
    assert 0 <= plain.js <= math.log(2) and plain.js == with_mesh.js
    assert np.isfinite(with_mesh.mesh).all()


def test_frames_keep_one_per_iteration_find_earlier_ones_and_drop_the_oldest():
    lab = Lab2D(make_config("vanilla", "ring8", device="cpu", num_samples=2000))
    frames = Frames(cap=3)
    for _ in range(2):
        frames.add(lab.snapshot(grid=4, n_points=10))  # a redraw at iteration 0 replaces, not adds
    assert frames.iterations() == [0]
    for _ in range(3):
        lab.step(iterations=2)
        frames.add(lab.snapshot(grid=4, n_points=10))
    assert frames.iterations() == [2, 4, 6] and len(frames) == 3
    assert frames.at(5).iteration == 4 and frames.at(1) is None
    its, js = frames.divergence()
    assert its == [2, 4, 6] and all(0 <= v <= math.log(2) for v in js)
