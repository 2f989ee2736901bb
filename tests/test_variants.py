"""Generated from the registry: a new variant is tested the moment it is registered (timm style)."""
import pytest
import torch

from gancore import create_gan, get_dataset_spec, get_variant_spec, list_datasets, list_variants, make_config
from gancore.training.step import TwoPhaseStep
from tiny_data import tiny_images, tiny_pairs, tiny_points


def _cases():
    for name in list_variants():
        spec = get_variant_spec(name)
        conds = {"never": [False], "always": [True], "optional": [False, True]}[spec.conditional]
        for kind in spec.data_kinds:
            for cond in conds:
                sizes = spec.image_sizes if kind == "image" and spec.image_sizes else [28]
                for size in (sizes if kind == "image" else [None]):
                    yield pytest.param(name, kind, cond, size, id=f"{name}-{kind}{size or ''}{'-cond' if cond else ''}")


def _setup(variant, kind, conditional, size):
    torch.manual_seed(0)
    if kind == "points":
        data = tiny_points()
        cfg = make_config(variant, "ring8", batch_size=16, conditional=conditional)
    elif kind == "paired":
        data = tiny_pairs()
        cfg = make_config(variant, data.info.name, batch_size=8, base_channels=8)
    else:
        channels = 3 if size in (32, 64) else 1  # colour too, where folders would give it
        data = tiny_images(size=size, channels=channels)
        cfg = make_config(variant, "glyphs", batch_size=8, conditional=conditional,
                          image_size=None if size == 28 else size, base_channels=8, hidden_dim=32)
    gan = create_gan(cfg, data.info)
    opt_g = torch.optim.Adam(gan.generator.parameters(), 1e-3)
    opt_d = torch.optim.Adam(gan.discriminator.parameters(), 1e-3)
    step = TwoPhaseStep(gan, opt_g, opt_d, n_critic=1, gp_lambda=cfg.model.gp_lambda)
    return cfg, data, gan, step


@pytest.mark.parametrize("variant,kind,conditional,size", list(_cases()))
def test_shapes_gradients_and_phases(variant, kind, conditional, size):
    cfg, data, gan, step = _setup(variant, kind, conditional, size)
    real, labels = data.batch(cfg.batch_size)
    g_inputs = gan.generator.make_inputs(real, labels)
    fake = gan.generator(*g_inputs)
    assert fake.shape == real.shape, "G makes samples shaped like the data"
    # paired data's inputs always reach D (it judges pairs); labels only when conditional
    d_y = labels if (gan.conditional or kind == "paired") else None
    scores = gan.discriminator(real, d_y)
    assert scores.shape[0] == cfg.batch_size, "D scores each sample (or each patch of it)"
    assert torch.isfinite(fake).all() and torch.isfinite(scores).all()
    if kind != "points":
        assert fake.min() >= -1 and fake.max() <= 1, "images end in tanh"

    lab = d_y
    g_before = [p.detach().clone() for p in gan.generator.parameters()]
    d_before = [p.detach().clone() for p in gan.discriminator.parameters()]

    # (1) D step: every D parameter gets a gradient and moves; G is untouched
    loss_d, d_real, d_fake, fake = step.d_step(real, lab, None, keep_fake=True)
    assert torch.isfinite(loss_d) and torch.isfinite(d_real) and torch.isfinite(d_fake)
    for name, p in gan.discriminator.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), f"D.{name} got no gradient"
    assert all(torch.equal(a, b) for a, b in zip(g_before, gan.generator.parameters())), \
        "phase (1) must leave G's parameters unchanged"
    assert any(not torch.equal(a, b) for a, b in zip(d_before, gan.discriminator.parameters()))

    # (2) G step through a frozen D: every G parameter gets a gradient; D is untouched
    d_after_phase1 = [p.detach().clone() for p in gan.discriminator.parameters()]
    g_losses = step.g_step(fake, lab, real)
    assert "g" in g_losses and all(torch.isfinite(v) for v in g_losses.values())
    assert set(g_losses) - {"g"} == set(get_variant_spec(variant).loss_terms), \
        "every own term of the G loss is logged, and explained in words"
    for name, p in gan.generator.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), f"G.{name} got no gradient"
    assert all(torch.equal(a, b) for a, b in zip(d_after_phase1, gan.discriminator.parameters())), \
        "phase (2) must leave D's parameters unchanged"
    assert all(p.requires_grad for p in gan.discriminator.parameters()), "D is unfrozen afterwards"


@pytest.mark.parametrize("variant", list_variants())
def test_a_variant_registers_its_defaults_and_a_description(variant):
    spec = get_variant_spec(variant)
    assert spec.description and spec.data_kinds and spec.g_losses
    datasets = [d for d in list_datasets() if get_dataset_spec(d).kind in spec.data_kinds
                and (get_dataset_spec(d).labelled or spec.conditional != "always")]
    assert datasets, "some registered data it can train on"
    for dataset in datasets:  # its defaults apply: "any", then the data kind, then the dataset
        kind = get_dataset_spec(dataset).kind
        declared = {**spec.defaults.get("any", {}), **spec.defaults.get(kind, {}), **spec.defaults.get(dataset, {})}
        flat = make_config(variant, dataset).flat()
        assert {key: flat[key] for key in declared} == declared, dataset
        assert flat["g_loss"] == spec.g_losses[0], "the first generator loss is the default"


def test_mlp_networks_on_images_normalise_g_and_project_the_label_in_d():
    """cgan and vanilla on MNIST collapsed with plain MLPs (docs/QUALITY.md): on images G has
    BatchNorm and conditional D reads the label by projection; on points both stay plain."""
    data = tiny_images(size=28, channels=1)
    gan = create_gan(make_config("cgan", "glyphs", hidden_dim=32), data.info)
    assert any(isinstance(m, torch.nn.BatchNorm1d) for m in gan.generator.modules())
    d = gan.discriminator
    assert d.projection and not any(isinstance(m, torch.nn.BatchNorm1d) for m in d.modules())
    x = torch.randn(4, *data.info.shape)
    same = torch.zeros(4, dtype=torch.long)
    with torch.no_grad():
        torch.nn.init.normal_(d.embed.weight)
        assert not torch.allclose(d(x, same), d(x, same + 1)), "the label changes D's score"
    points = create_gan(make_config("cgan", "ring8", hidden_dim=32), tiny_points().info)
    assert not any(isinstance(m, torch.nn.BatchNorm1d) for m in points.generator.modules())
    assert not points.discriminator.projection


@pytest.mark.parametrize("variant,kind,conditional,size", list(_cases()))
def test_a_content_only_step_trains_g_alone(variant, kind, conditional, size):
    """Variants with content-only steps first (SRGAN's SRResNet stage): D neither trains nor is
    asked; G still learns. Variants without own terms have no such step."""
    cfg, data, gan, step = _setup(variant, kind, conditional, size)
    if gan.g_terms is None:
        assert gan.pretrain_steps == 0, "content-only steps need a content term"
        return
    d_before = [p.detach().clone() for p in gan.discriminator.parameters()]
    g_before = [p.detach().clone() for p in gan.generator.parameters()]
    result = step(lambda: data.batch(cfg.batch_size), None, adversarial=False)
    assert not result.scores and "loss_d" not in result.logged(), "no D numbers in a content-only step"
    assert all(torch.equal(a, b) for a, b in zip(d_before, gan.discriminator.parameters()))
    assert all(p.grad is None for p in gan.discriminator.parameters()), "D was not even asked"
    assert any(not torch.equal(a, b) for a, b in zip(g_before, gan.generator.parameters()))
