"""The training techniques any variant may switch on (hinge loss, spectral normalisation in D,
the R1 penalty, DiffAugment, learning rates scaled with the batch size): their math, their
checks, a few steps of training with each, and their CLI flags."""
import math

import pytest
import torch
import torch.nn as nn

from gancore import make_config
from gancore.config import SETTINGS, config_errors
from gancore.errors import ConfigError
from gancore.health.detectors import HealthContext
from gancore.registry import create_gan, d_loss_name, get_variant_spec, list_variants
from gancore.runs.state import RunState, RunView, Status
from gancore.training import augment as aug
from gancore.training.losses import (D_LOSSES, G_LOSSES, PROBABILITY_SCORES, SCORE_READOUT,
                                     r1_penalty)
from gancore.training.lr_scaling import lr_factor, rates_words
from gancore.training.spectral import LAYERS, spectral_normalise
from gancore.training.step import TwoPhaseStep
from gancore.training.trainer import Trainer, train
from tiny_data import tiny_images, tiny_points

LOSS_VARIANTS = [name for name in list_variants() if "loss" in get_variant_spec(name).settings]


def _points_cfg(variant="vanilla", **kw):
    return make_config(variant, "ring8", batch_size=16, steps=6, log_every=2, device="cpu",
                       eval_every=0, **kw)


def _image_cfg(variant="dcgan", **kw):
    return make_config(variant, "glyphs", batch_size=8, steps=4, log_every=2, device="cpu",
                       eval_every=0, base_channels=8, hidden_dim=32, **kw)


# ---- hinge ---------------------------------------------------------------------------------------
def test_hinge_pair_math():
    real, fake = torch.tensor([2.0, 0.5, -1.0]), torch.tensor([-3.0, 0.0, 1.0])
    # D: mean(relu(1 - real)) + mean(relu(1 + fake)) = (0 + 0.5 + 2) / 3 + (0 + 1 + 2) / 3
    assert D_LOSSES["hinge"](real, fake).item() == pytest.approx(5.5 / 3)
    assert G_LOSSES["hinge"](fake).item() == pytest.approx(2 / 3)  # -mean(fake)
    assert G_LOSSES["hinge"](torch.tensor([1.0, 3.0])).item() == pytest.approx(-2.0)


def test_hinge_scores_read_raw_like_a_critics():
    scores = torch.tensor([3.0, -2.0])
    assert torch.equal(SCORE_READOUT["hinge"](scores), scores)
    assert "hinge" not in PROBABILITY_SCORES and "bce" in PROBABILITY_SCORES


def test_the_bce_variants_offer_hinge_and_build_the_hinge_pair():
    assert {"vanilla", "dcgan", "cgan", "cdcgan"} <= set(LOSS_VARIANTS)
    data = tiny_points()
    for variant in (v for v in LOSS_VARIANTS if "points" in get_variant_spec(v).data_kinds):
        gan = create_gan(_points_cfg(variant, loss="hinge"), data.info)
        assert (gan.d_loss, gan.g_loss) == ("hinge", "hinge")
        gan = create_gan(_points_cfg(variant), data.info)
        assert (gan.d_loss, gan.g_loss) == ("bce", "nonsaturating")


def test_hinge_refuses_a_generator_loss_it_would_not_use():
    with pytest.raises(ConfigError) as err:
        _points_cfg(loss="hinge", g_loss="minimax")
    assert err.value.field == "g_loss" and "hinge" in str(err.value)


def test_a_hinge_run_reads_as_raw_scores_everywhere():
    """The Monitor's charts and wording, Compare and the health watch all go by the D loss."""
    cfg = _points_cfg(loss="hinge")
    assert d_loss_name(cfg) == "hinge"
    view = RunView.of(RunState("r", Status.RUNNING, cfg=cfg))
    assert view.raw_scores and view.d_loss == "hinge"
    assert not RunView.of(RunState("r", Status.RUNNING, cfg=_points_cfg())).raw_scores
    assert not HealthContext.of(100, create_gan(cfg, tiny_points().info)).probability_scores
    # a variant that does not offer the setting trains its own pair whatever the field says
    wgan = make_config("wgan_gp", "ring8")
    assert d_loss_name(wgan) == "wasserstein"


# ---- spectral normalisation ------------------------------------------------------------------------
def test_spectral_norm_divides_each_weight_by_its_largest_singular_value():
    torch.manual_seed(0)
    layer = spectral_normalise(nn.Sequential(nn.Linear(16, 8)))[0]
    for _ in range(30):  # one power iteration per training-mode forward
        layer(torch.randn(4, 16))
    assert torch.linalg.matrix_norm(layer.weight, ord=2).item() == pytest.approx(1.0, rel=1e-3)


@pytest.mark.parametrize("cfg, data", [(_points_cfg(spectral_norm=True), tiny_points()),
                                       (_image_cfg(spectral_norm=True), tiny_images(size=28))],
                         ids=["mlp", "conv"])
def test_spectral_norm_reaches_every_layer_of_d_only_and_checkpoints_round_trip(cfg, data):
    gan = create_gan(cfg, data.info)
    layers = [m for m in gan.discriminator.modules() if isinstance(m, LAYERS)]
    assert layers and all(hasattr(m, "parametrizations") for m in layers)
    assert not any(hasattr(m, "parametrizations") for m in gan.generator.modules())
    trainer = Trainer(cfg, data)
    trainer.run()
    state = trainer.checkpoint_state()
    assert any("parametrizations.weight.original" in key for key in state["discriminator"])
    resumed = Trainer(cfg.replace(steps=cfg.steps + 2), data, checkpoint=state)
    for key, value in state["discriminator"].items():
        assert torch.equal(resumed.gan.discriminator.state_dict()[key], value), key
    assert resumed.run() == Status.FINISHED


def test_spectral_norm_is_architecture_a_fork_cannot_change():
    assert SETTINGS["spectral_norm"].architecture


# ---- R1 ----------------------------------------------------------------------------------------------
class _Linear(nn.Module):
    """D(x) = w . x: its input gradient is w for every sample, so R1 = ||w||^2."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x, labels=None):
        return x @ self.w


def test_r1_is_the_mean_squared_gradient_norm_on_real_data():
    w = torch.tensor([3.0, 4.0])
    real = torch.randn(5, 2)
    penalty = r1_penalty(_Linear(w), real, torch.full((5, 2), 1e6), None)  # fakes play no part
    assert penalty.item() == pytest.approx(25.0)
    penalty.backward()  # differentiable in D's parameters (d/dw ||w||^2 = 2w)


def test_the_step_adds_half_gamma_times_r1_to_the_d_loss():
    data = tiny_points()
    losses = {}
    for gamma in (0.0, 4.0):
        torch.manual_seed(0)
        cfg = _points_cfg(r1_gamma=gamma)
        gan = create_gan(cfg, data.info)
        w = torch.tensor([3.0, 4.0])
        gan.discriminator = _Linear(w)
        opt_g = torch.optim.SGD(gan.generator.parameters(), lr=0.0)
        opt_d = torch.optim.SGD(gan.discriminator.parameters(), lr=0.0)
        step = TwoPhaseStep(gan, opt_g, opt_d, r1_gamma=gamma)
        torch.manual_seed(1)
        losses[gamma] = step.d_step(data.x[:16], None, None)[0].item()
    assert losses[4.0] - losses[0.0] == pytest.approx(4.0 / 2 * 25.0, rel=1e-5)


def test_r1_with_compile_is_refused():
    cfg = _points_cfg().replace(r1_gamma=1.0, compile=True)
    assert "torch.compile" in config_errors(cfg)["r1_gamma"]


# ---- DiffAugment ------------------------------------------------------------------------------------
def test_translation_shifts_each_image_by_at_most_an_eighth_filling_with_zero():
    torch.manual_seed(0)
    x = torch.arange(1, 1 + 4 * 16 * 16, dtype=torch.float32).view(4, 1, 16, 16)
    out = aug.translation(x)
    assert out.shape == x.shape
    padded = nn.functional.pad(x, (2, 2, 2, 2))  # zeros where a shift uncovers the border
    for i in range(4):
        fits = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                if torch.equal(out[i, 0], padded[i, 0, 2 + dy:18 + dy, 2 + dx:18 + dx])]
        assert fits, f"image {i} is not a shift of at most 2 pixels"


def test_cutout_zeroes_one_square_of_half_each_side_at_most():
    torch.manual_seed(0)
    x = torch.ones(64, 3, 16, 16)
    out = aug.cutout(x)
    zeroed = (out == 0).all(dim=1).flatten(1).sum(dim=1)  # pixels cut, per image
    assert zeroed.max().item() == 64 and zeroed.min().item() >= 16  # 8 x 8, partly outside at worst
    assert ((out == 0) | (out == 1)).all()


def test_color_changes_each_image_by_its_own_draw():
    torch.manual_seed(0)
    x = torch.rand(8, 3, 8, 8) * 2 - 1
    out = aug.DiffAugment(("color",))(x)
    assert out.shape == x.shape and not torch.allclose(out, x)
    gray = torch.rand(8, 1, 8, 8)
    assert torch.equal(aug.saturation(gray), gray)  # nothing to saturate in a gray image


def test_diffaugment_passes_gradients_to_the_images():
    x = torch.rand(4, 3, 16, 16, requires_grad=True)
    aug.DiffAugment(aug.parse_policy("color,translation,cutout"))(x).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_the_policy_is_a_comma_list_of_known_names():
    assert aug.parse_policy(" color, cutout ") == ("color", "cutout")
    assert aug.parse_policy("") == () and aug.augment_of(None) is None
    with pytest.raises(ValueError, match="color, translation, cutout"):
        aug.parse_policy("color,flip")


def test_diffaugment_is_refused_for_points_and_unknown_policies():
    assert "points" in config_errors(_points_cfg().replace(diffaugment="color"))["diffaugment"]
    errors = config_errors(_image_cfg().replace(diffaugment="colour"))
    assert "color, translation, cutout" in errors["diffaugment"]


def test_the_step_shows_d_augmented_images_in_both_phases():
    """Every D call sees the augmentation: count the calls through a recording augment."""
    data = tiny_images(size=28)
    cfg = _image_cfg()
    calls = []
    gan = create_gan(cfg, data.info)
    opt_g = torch.optim.Adam(gan.generator.parameters())
    opt_d = torch.optim.Adam(gan.discriminator.parameters())
    step = TwoPhaseStep(gan, opt_g, opt_d, augment=lambda x: calls.append(x.shape) or x)
    step(lambda: data.batch(8), None)
    assert len(calls) == 3  # phase (1): real and fake; phase (2): fake


# ---- learning rates scaled with the batch size ----------------------------------------------------
def test_rates_scale_with_the_batch_size_relative_to_the_variants_default():
    base = _points_cfg().replace(batch_size=1024)  # vanilla on points defaults to 256
    assert lr_factor(base) == 1.0 and rates_words(base) is None
    assert lr_factor(base.replace(lr_batch_scaling="linear")) == pytest.approx(4.0)
    assert lr_factor(base.replace(lr_batch_scaling="sqrt")) == pytest.approx(2.0)
    assert lr_factor(base.replace(lr_batch_scaling="sqrt", batch_size=256)) == 1.0
    assert "x2" in rates_words(base.replace(lr_batch_scaling="sqrt"))


def test_the_trainer_starts_from_the_scaled_rates_and_keeps_them_on_resume():
    data = tiny_points()
    cfg = _points_cfg(lr_batch_scaling="linear", lr_decay=False).replace(batch_size=64)  # 64 / 256
    trainer = Trainer(cfg, data)
    assert trainer.opt_g.param_groups[0]["lr"] == pytest.approx(cfg.lr_g / 4)
    assert trainer.opt_d.param_groups[0]["lr"] == pytest.approx(cfg.lr_d / 4)
    trainer.run()
    resumed = Trainer(cfg.replace(steps=8), data, checkpoint=trainer.checkpoint_state())
    assert resumed.opt_d.param_groups[0]["lr"] == pytest.approx(cfg.lr_d / 4)


# ---- a few steps with each technique, on an MLP and a conv variant ----------------------------------
TECHNIQUES = {"hinge": dict(loss="hinge"), "spectral_norm": dict(spectral_norm=True),
              "r1": dict(r1_gamma=1.0), "lr_batch_scaling": dict(lr_batch_scaling="sqrt"),
              "all": dict(loss="hinge", spectral_norm=True, r1_gamma=1.0, lr_batch_scaling="linear")}


@pytest.mark.parametrize("name", TECHNIQUES)
@pytest.mark.parametrize("kind", ["mlp", "conv"])
def test_a_few_steps_train_with_the_technique_on(name, kind):
    torch.manual_seed(0)
    settings = dict(TECHNIQUES[name])
    if kind == "mlp":
        cfg, data = _points_cfg("cgan", **settings), tiny_points()
    else:
        settings.update(diffaugment="color,translation,cutout") if name == "all" else None
        cfg, data = _image_cfg("cdcgan", **settings), tiny_images(size=28)
    trainer, records = train(cfg, data)
    assert trainer.status == Status.FINISHED and records
    assert all(math.isfinite(r[k]) for r in records for k in ("loss_d", "loss_g", "d_real", "d_fake"))


def test_a_few_steps_with_diffaugment_on_an_mlp_over_images():
    cfg, data = _image_cfg("vanilla", diffaugment="translation,cutout"), tiny_images(size=28)
    trainer, records = train(cfg, data)
    assert trainer.status == Status.FINISHED and math.isfinite(records[-1]["loss_d"])


def test_compiled_networks_with_spectral_norm_give_the_same_numbers():
    data = tiny_points()
    runs = []
    for compiled in (False, True):
        torch.manual_seed(0)
        runs.append(train(_points_cfg(spectral_norm=True, loss="hinge", compile=compiled), data)[1])
    for plain, compiled in zip(*runs):
        assert compiled["loss_d"] == pytest.approx(plain["loss_d"], rel=1e-3, abs=1e-4)


# ---- two processes (DDP): spectral normalisation's vectors and R1's double backward ---------------
@pytest.mark.parametrize("variant, settings", [
    ("vanilla", ["spectral_norm=true", "r1_gamma=1.0", "loss=hinge"]),
    ("dcgan", ["spectral_norm=true", "r1_gamma=1.0", "diffaugment=color,translation,cutout"])])
def test_the_techniques_train_under_torchrun_with_equal_weights_on_every_rank(variant, settings, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    worker = Path(__file__).parent / "ddp_worker.py"
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                           "--nproc_per_node", "2", str(worker), str(tmp_path), variant, *settings],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1)]
    assert ranks[0]["step"] == ranks[1]["step"] == 6
    weights = [{k: v for k, v in rank["discriminator"].items() if "original" in k} for rank in ranks]
    assert weights[0] and all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])


# ---- CLI -------------------------------------------------------------------------------------------
def test_each_technique_has_its_flag():
    from gancore.cli import build_parser

    args = build_parser().parse_args(
        ["train", "--loss", "hinge", "--spectral-norm", "on", "--r1-gamma", "10",
         "--diffaugment", "color,cutout", "--lr-batch-scaling", "sqrt"])
    assert (args.loss, args.spectral_norm, args.r1_gamma, args.diffaugment, args.lr_batch_scaling) == (
        "hinge", True, 10.0, "color,cutout", "sqrt")


def test_the_techniques_that_did_not_help_stay_off_by_default():
    cfg = make_config("dcgan", "glyphs")
    assert (cfg.model.loss, cfg.model.spectral_norm, cfg.model.r1_gamma, cfg.diffaugment,
            cfg.lr_batch_scaling) == ("bce", False, 0.0, None, "off")


def test_the_measured_defaults_average_g_and_augment_only_a_users_own_folder(tmp_path):
    """What bench/technique_sweep.py and bench/small_folder.py chose (docs/BENCHMARKS.md, QUALITY.md)."""
    for variant in ("dcgan", "cdcgan"):
        built_in = make_config(variant, "mnist")
        assert (built_in.lr_g, built_in.lr_d, built_in.g_ema_decay, built_in.diffaugment) == (1e-3, 1e-3, 0.999, None)
    own = make_config("dcgan", "folder", data_dir=str(tmp_path))
    assert own.diffaugment == "color,translation,cutout" and own.g_ema_decay == 0.999
    assert make_config("vanilla", "ring8").g_ema_decay == 0.999
    assert make_config("wgan_gp", "ring8").g_ema_decay == 0.0, "not measured there: off"
    turned_off = make_config("dcgan", "folder", data_dir=str(tmp_path), diffaugment="")  # --diffaugment ""
    assert aug.parse_policy(turned_off.diffaugment) == (), "an empty policy turns the folder's default off"


def test_the_train_page_shows_the_scaled_rates(tmp_path, monkeypatch):
    from app_pages import open_app

    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    at = open_app()
    at.selectbox(key="variant").set_value("vanilla").run()
    at.selectbox(key="dataset-vanilla").set_value("ring8").run()
    assert not any("scaled" in c.value for c in at.caption)
    at.selectbox(key="vanilla-ring8-lr_batch_scaling").set_value("sqrt").run()
    at.text_input(key="vanilla-ring8-batch_size").set_value("1024").run()
    assert not at.exception
    assert any(c.value.startswith("Learning rates scaled x2 for batch size 1,024") for c in at.caption)
    at.text_input(key="vanilla-ring8-batch_size").set_value("many").run()  # refused, not drawn
    assert not at.exception and not any("scaled" in c.value for c in at.caption)


def test_a_run_started_from_the_train_page_with_diffaugment_empty_is_valid(tmp_path, monkeypatch):
    """An empty text field reads as None: DiffAugment off, not a refused value."""
    from app_pages import open_app

    monkeypatch.setenv("GANCORE_RUNS_DIR", str(tmp_path))
    at = open_app()
    at.selectbox(key="variant").set_value("dcgan").run()
    at.selectbox(key="dataset-dcgan").set_value("glyphs").run()
    at.text_input(key="dcgan-glyphs-diffaugment").set_value("").run()
    assert not at.exception and not at.error
    at.text_input(key="dcgan-glyphs-diffaugment").set_value("color,flip").run()
    [b for b in at.button if b.label == "Start training"][0].click().run()
    assert any("color, translation, cutout" in e.value for e in at.error)
