"""Image quality in a judge's feature space: the formulas on known inputs, the judge cache (memory,
disk, tampering, threads), and whole evaluations of generators that draw from the real
distribution, from half of its classes, or ignore the class they are asked for."""
import json
import math
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
from scipy import linalg  # requirements-dev.txt: the reference for the FCD's matrix square root

from gancore import DataConfig, GanError, load_dataset
from gancore.data.base import DataInfo, Dataset
from gancore.quality import judges
from gancore.quality.images import (classifier_score, evaluate_images, frechet_distance, gaussian,
                                    knn_radii, manifold_measures, real_floor)
from gancore.quality.judges import clear_memory_cache, judge_for
from tiny_data import tiny_points

SIZE, CLASSES = 16, 4
MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


# ---- synthetic labelled images: class k is a bright quadrant k, plus noise --------------------
def draw(labels: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
    """labels (n,), noise (n, SIZE*SIZE) standard normal -> (n, 1, SIZE, SIZE) in [-1, 1]."""
    half = SIZE // 2
    x = torch.full((len(labels), 1, SIZE, SIZE), -0.8)
    for k in range(CLASSES):
        r, c = divmod(k, 2)
        x[labels == k, :, r * half:(r + 1) * half, c * half:(c + 1) * half] = 0.8
    return (x + 0.25 * noise.view_as(x)).clamp(-1, 1)


def pattern_data(n: int = 1200, seed: int = 0, name: str = "glyphs") -> Dataset:
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % CLASSES
    x = draw(y, torch.randn(n, SIZE * SIZE, generator=g))
    info = DataInfo(name, "image", (1, SIZE, SIZE), CLASSES, [str(k) for k in range(CLASSES)])
    return Dataset(x, y, info)


class PatternGenerator(nn.Module):
    """A stand-in generator drawing from the data's own distribution, restricted to `classes`.
    z[:, 0] picks the class when unconditional (or when `ignore_y`), the rest is pixel noise."""

    def __init__(self, classes=range(CLASSES), ignore_y: bool = False):
        super().__init__()
        self.latent_dim = 1 + SIZE * SIZE
        self.classes = torch.tensor(list(classes))
        self.ignore_y = ignore_y
        self.anchor = nn.Parameter(torch.zeros(1))  # gives it a device, as a real generator has
        self.modes_seen = []

    def forward(self, z, y=None):
        self.modes_seen.append(self.training)
        pick = (torch.special.ndtr(z[:, 0]) * len(self.classes)).long().clamp(max=len(self.classes) - 1)
        labels = self.classes[pick] if (y is None or self.ignore_y) else y.cpu()
        return draw(labels, z[:, 1:].cpu())


@pytest.fixture(autouse=True)
def judge_cache(tmp_path, monkeypatch):
    """Each test starts with no judge in memory and an empty disk cache of its own."""
    monkeypatch.setenv("GANCORE_CACHE_DIR", str(tmp_path / "cache"))
    clear_memory_cache()
    yield tmp_path / "cache" / "judges"
    clear_memory_cache()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One judge of the pattern data, shared by the evaluation tests (it trains in ~2 s)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GANCORE_CACHE_DIR", str(tmp_path_factory.mktemp("judge-cache")))
    data = pattern_data()
    judge = judge_for(data)
    mp.undo()
    return judge


def count_training(monkeypatch) -> list:
    calls = []
    real = judges.train_classifier

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(judges, "train_classifier", counting)
    return calls


# ---- the formulas ---------------------------------------------------------------------------
def test_frechet_distance_is_zero_for_a_set_with_itself_and_grows_with_a_shift():
    f = torch.randn(500, 16, generator=torch.Generator().manual_seed(0))
    mu, cov = gaussian(f)
    assert frechet_distance(mu, cov, mu, cov) < 1e-6
    shifts = [frechet_distance(mu, cov, *gaussian(f + s)) for s in (0.5, 1.0, 2.0)]
    assert shifts == sorted(shifts)
    assert shifts[1] == pytest.approx(16 * 1.0 ** 2, rel=1e-6), "a pure shift adds ||delta||^2"


def test_frechet_distance_matches_the_closed_form_and_scipy():
    # Diagonal covariances: FD = ||mu1 - mu2||^2 + sum (sqrt(a) - sqrt(b))^2
    a, b = np.array([1.0, 4.0, 9.0, 0.0]), np.array([4.0, 1.0, 9.0, 2.0])
    mu1, mu2 = np.zeros(4), np.array([1.0, 0, 0, 0])
    expected = 1.0 + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-9)
    # Non-commuting, rank-deficient covariances (as dead ReLU units give), against scipy's sqrtm
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 6)) @ rng.normal(size=(6, 8)), rng.normal(size=(40, 8))
    c1, c2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    ref = np.trace(c1) + np.trace(c2) - 2 * np.trace(linalg.sqrtm(c1 @ c2).real)
    assert frechet_distance(np.zeros(8), c1, np.zeros(8), c2) == pytest.approx(ref, rel=1e-6)


def test_classifier_score_is_k_for_sure_balanced_reads_and_one_for_a_single_class():
    k = 10
    balanced = torch.eye(k).repeat(20, 1)  # (200, 10): every class equally often, read with certainty
    assert classifier_score(balanced) == pytest.approx(k, rel=1e-6)
    one_class = torch.zeros(200, k)
    one_class[:, 3] = 1
    assert classifier_score(one_class) == pytest.approx(1.0, abs=1e-6)
    unsure = torch.full((200, k), 1 / k)
    assert classifier_score(unsure) == pytest.approx(1.0, abs=1e-6)


def clusters(n: int, modes, seed: int, dim: int = 16) -> torch.Tensor:
    """n points around the centres of `modes` (of 10 fixed, well separated centres), (n, dim)."""
    centres = 10 * torch.randn(10, dim, generator=torch.Generator().manual_seed(123))
    g = torch.Generator().manual_seed(seed)
    pick = torch.tensor(list(modes))[torch.randint(len(modes), (n,), generator=g)]
    return centres[pick] + torch.randn(n, dim, generator=g)


def prdc(real: torch.Tensor, fake: torch.Tensor) -> tuple[float, float, float, float]:
    return manifold_measures(real, knn_radii(real), fake, knn_radii(fake))


def test_precision_recall_density_coverage_of_identical_and_same_distributions():
    real = clusters(1000, range(10), seed=0)
    p, r, d, c = prdc(real, real.clone())
    assert (p, r, c) == (1.0, 1.0, 1.0)
    # each real ball holds exactly k points (its centre and k - 1 neighbours): density = kn / kn
    assert d == pytest.approx(1.0, abs=0.02)
    p, r, d, c = prdc(real, clusters(1000, range(10), seed=1))
    assert p > 0.85 and r > 0.85 and c > 0.9 and 0.8 < d < 1.2


def test_covering_half_the_modes_drops_recall_and_coverage_but_not_precision():
    real = clusters(1000, range(10), seed=0)
    p, r, d, c = prdc(real, clusters(1000, range(5), seed=1))
    assert p > 0.85, "every sample still looks real"
    assert r < 0.6 and c < 0.6, "half the real modes have no sample near them"
    far = prdc(real, clusters(1000, range(10), seed=1) + 50)  # nothing looks real
    assert far[0] == 0.0 and far[2] == 0.0 and far[3] == 0.0


def test_distances_in_chunks_give_the_same_answer(monkeypatch):
    real, fake = clusters(300, range(10), seed=0), clusters(250, range(6), seed=1)
    whole = prdc(real, fake)
    from gancore.quality import images
    monkeypatch.setattr(images, "DIST_CHUNK", 64)
    assert prdc(real, fake) == pytest.approx(whole)


# ---- the judge and its cache ----------------------------------------------------------------
def test_judge_is_trained_once_then_served_from_memory_then_from_disk(judge_cache, monkeypatch):
    calls = count_training(monkeypatch)
    data = pattern_data(400)
    first = judge_for(data)
    assert calls == [1] and not first.from_cache
    assert judge_for(data) is first, "the same process gets the same judge from memory"
    (path,) = judge_cache.glob("*.pt")
    state = torch.load(path, map_location="cpu", weights_only=True)  # plain data and tensors only
    assert state["fingerprint"] == first.fingerprint and state["num_classes"] == CLASSES
    assert state["shape"] == [1, SIZE, SIZE] and state["holdout_accuracy"] == first.holdout_accuracy
    assert not list(judge_cache.glob("*.tmp")), "the temporary file was renamed into place"

    clear_memory_cache()
    monkeypatch.setattr(judges, "train_classifier", lambda *a, **k: pytest.fail("trained again"))
    second = judge_for(data)
    assert second.from_cache and second.holdout_accuracy == first.holdout_accuracy
    for a, b in zip(first.classifier.state_dict().values(), second.classifier.state_dict().values()):
        assert torch.equal(a, b)
    assert not second.classifier.training


def test_other_data_gets_another_judge(judge_cache, monkeypatch):
    calls = count_training(monkeypatch)
    a = judge_for(pattern_data(400, seed=0))
    b = judge_for(pattern_data(400, seed=1))
    assert calls == [1, 1] and a.fingerprint != b.fingerprint
    assert len(list(judge_cache.glob("*.pt"))) == 2


@pytest.mark.parametrize("damage", ["fingerprint", "shape", "garbage", "truncated"])
def test_a_tampered_or_mismatched_cache_file_is_retrained_never_trusted(judge_cache, monkeypatch, damage):
    data = pattern_data(400)
    judge_for(data)
    (path,) = judge_cache.glob("*.pt")
    if damage in ("fingerprint", "shape"):
        state = torch.load(path, weights_only=True)
        state["fingerprint" if damage == "fingerprint" else "shape"] = "0" * 64 if damage == "fingerprint" else [3, 8, 8]
        torch.save(state, path)
    elif damage == "garbage":
        path.write_bytes(b"not a checkpoint at all")
    else:
        path.write_bytes(path.read_bytes()[:500])
    clear_memory_cache()
    calls = count_training(monkeypatch)
    judge = judge_for(data)
    assert calls == [1] and not judge.from_cache
    state = torch.load(path, weights_only=True)
    assert state["fingerprint"] == judge.fingerprint, "the bad file was replaced by a good one"


def test_a_pickled_object_in_the_cache_file_is_never_run(judge_cache, monkeypatch):
    data = pattern_data(400)
    judge_for(data)
    (path,) = judge_cache.glob("*.pt")
    torch.save({"format": 1, "payload": PatternGenerator()}, path)  # a pickled module, not plain data
    clear_memory_cache()
    calls = count_training(monkeypatch)
    assert not judge_for(data).from_cache and calls == [1]


def test_threads_asking_for_the_same_judge_train_it_once(monkeypatch):
    calls = count_training(monkeypatch)
    data = pattern_data(400)
    got, errors = [], []

    def ask():
        try:
            got.append(judge_for(data))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors and len(got) == 3 and calls == [1]
    assert got[0] is got[1] is got[2]


def test_an_unwritable_cache_only_warns(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("GANCORE_CACHE_DIR", str(blocker))
    with pytest.warns(UserWarning, match="could not be cached"):
        judge = judge_for(pattern_data(400))
    assert not judge.from_cache


def test_data_without_labels_or_images_gives_a_clear_error():
    data = pattern_data(400)
    with pytest.raises(GanError, match="no class labels"):
        judge_for(Dataset(data.x, None, DataInfo("folder", "image", (1, SIZE, SIZE))))
    with pytest.raises(GanError, match="points, not images"):
        judge_for(tiny_points())


# ---- whole evaluations ----------------------------------------------------------------------
def test_a_generator_of_the_real_distribution_scores_like_real_data(trained):
    g = PatternGenerator().train()
    q = evaluate_images(g, trained, conditional=False, n=400, seed=1)
    floor = real_floor(trained, n=400)
    assert q.samples == 400 and floor.samples == 400
    assert q.label_accuracy is None and q.per_class_accuracy is None
    assert q.precision > 0.8 and q.recall > 0.8 and q.coverage > 0.8 and 0.7 < q.density < 1.3
    assert q.classifier_score > 0.9 * CLASSES
    assert q.fcd < 3 * floor.fcd + 1.0
    assert g.training and g.modes_seen and not any(g.modes_seen), "sampled in eval mode, then restored"
    json.dumps(q.to_dict(), allow_nan=False)


def test_half_the_classes_drops_recall_coverage_and_the_score(trained):
    full = evaluate_images(PatternGenerator(), trained, conditional=False, n=400, seed=1)
    half = evaluate_images(PatternGenerator(classes=[0, 1]), trained, conditional=False, n=400, seed=1)
    assert half.precision > 0.8
    assert half.recall < 0.7 and half.coverage < 0.7
    assert half.classifier_score < 0.6 * full.classifier_score
    assert half.fcd > 5 * full.fcd


def test_conditional_label_accuracy_overall_and_per_class(trained):
    good = evaluate_images(PatternGenerator(), trained, conditional=True, n=400, seed=2)
    assert good.samples == 400 and len(good.per_class_accuracy) == CLASSES
    assert good.label_accuracy > 0.95 and min(good.per_class_accuracy) > 0.9
    deaf = evaluate_images(PatternGenerator(ignore_y=True), trained, conditional=True, n=400, seed=2)
    assert deaf.label_accuracy < 0.5, "a generator that ignores y draws the asked class ~1/K of the time"
    assert deaf.recall > 0.8, "...though its images are fine as images"


def test_the_real_floor_and_the_judge_on_real_images(trained):
    floor = real_floor(trained, n=10_000)  # capped at what the data holds: two disjoint halves
    assert floor.samples == trained.max_half == 600
    assert floor.label_accuracy > 0.95 and len(floor.per_class_accuracy) == CLASSES
    assert floor.precision > 0.8 and floor.recall > 0.8 and floor.coverage > 0.8
    assert real_floor(trained, n=10_000).to_dict() == floor.to_dict(), "computed once, the same after"
    assert trained.holdout_accuracy > 0.95


def test_a_generator_of_the_wrong_image_size_is_refused(trained):
    class Wrong(PatternGenerator):
        def forward(self, z, y=None):
            return torch.zeros(len(z), 1, 8, 8)

    with pytest.raises(GanError, match="shape"):
        evaluate_images(Wrong(), trained, conditional=False, n=50)


@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason="the MNIST test split is not in ../shared/data/mnist")
def test_the_mnist_judge_reads_held_out_digits_at_98_percent():
    data = load_dataset(DataConfig(dataset="mnist", data_dir=str(MNIST_DIR), split="test"), 0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # ~20 s; two threads on two busy cores wait on each other (50-120 s)
    try:
        judge = judge_for(data)
    finally:
        torch.set_num_threads(threads)
    assert judge.holdout_accuracy >= 0.98
    start = time.perf_counter()
    floor = real_floor(judge, n=2000)
    assert floor.label_accuracy >= 0.98 and floor.samples == 2000
    assert time.perf_counter() - start < 30
    assert math.isfinite(floor.fcd) and floor.fcd < 50
