"""The SRGAN networks and the resampling they are trained and compared with."""
from types import SimpleNamespace

import pytest
import torch

from gancore.data.base import DataInfo
from gancore.data.resample import crop_to_multiple, downscale, upscale
from gancore.variants.networks_sr import SRDiscriminator, SRResNet, build_sr_pair


def images(n, c, h, w, seed=0):
    return torch.rand(n, c, h, w, generator=torch.Generator().manual_seed(seed)) * 2 - 1


@pytest.mark.parametrize("scale", [2, 4])
@pytest.mark.parametrize("channels", [1, 3])
def test_generator_and_discriminator_shapes(scale, channels):
    g, d = SRResNet(channels, scale, blocks=2, width=8), SRDiscriminator(channels, width=8)
    lr = images(2, channels, 6, 5)
    sr = g(lr)
    assert sr.shape == (2, channels, 6 * scale, 5 * scale)
    assert sr.min() >= -1 and sr.max() <= 1
    assert d(sr).shape == (2,)
    assert d(images(3, channels, 28, 28), torch.zeros(3, dtype=torch.long)).shape == (3,), \
        "any side; labels ignored"


@pytest.mark.parametrize("bicubic_skip", [True, False])
def test_every_parameter_gets_a_gradient(bicubic_skip):
    g, d = SRResNet(3, 4, blocks=2, width=8, bicubic_skip=bicubic_skip), SRDiscriminator(3, width=8)
    hr = images(4, 3, 16, 16)
    sr = g(downscale(hr, 4))
    (((sr - hr) ** 2).mean() + d(sr).mean()).backward()
    for name, p in [*g.named_parameters(prefix="G"), *d.named_parameters(prefix="D")]:
        assert p.grad is not None and p.grad.abs().sum() > 0, f"{name} got no gradient"


def test_make_inputs_is_the_downscaled_batch():
    g = SRResNet(3, 4, blocks=1, width=8)
    assert g.scale == 4 and g.num_classes == 0
    real = images(3, 3, 32, 32)
    (lr,) = g.make_inputs(real, torch.zeros(3, dtype=torch.long), torch.Generator())
    assert torch.equal(lr, downscale(real, 4)) and lr.shape == (3, 3, 8, 8)


def test_build_sr_pair_reads_the_config():
    cfg = SimpleNamespace(model=SimpleNamespace(scale=2, res_blocks=3, base_channels=8))
    g, d = build_sr_pair(cfg, DataInfo("photos", "image", (3, 32, 32)))
    assert g.scale == 2 and len([m for m in g.body if hasattr(m, "body")]) == 3
    assert g(images(1, 3, 16, 16)).shape == (1, 3, 32, 32) and d(images(2, 3, 32, 32)).shape == (2,)


def test_downscale_and_upscale_shapes_and_range():
    hr = images(2, 3, 24, 16)
    hr[:, :, ::2] = 1.0  # stripes: bicubic overshoots at such edges, the clamp must hold
    for scale in (2, 4):
        lr = downscale(hr, scale)
        assert lr.shape == (2, 3, 24 // scale, 16 // scale)
        assert lr.min() >= -1 and lr.max() <= 1
        for mode in ("bicubic", "nearest"):
            up = upscale(lr, scale, mode)
            assert up.shape == hr.shape and up.min() >= -1 and up.max() <= 1
    assert torch.equal(upscale(lr, 4, "nearest")[..., :4, :4], lr[..., :1, :1].expand(-1, -1, 4, 4))
    with pytest.raises(ValueError, match="multiples of the scale 4"):
        downscale(images(1, 3, 30, 32), 4)
    with pytest.raises(ValueError, match="upscale mode"):
        upscale(lr, 2, "bilinear")


def test_downscale_of_a_constant_image_is_that_constant():
    hr = torch.full((1, 3, 32, 32), 0.3)
    assert torch.allclose(downscale(hr, 4), torch.full((1, 3, 8, 8), 0.3), atol=1e-5)
    assert torch.allclose(upscale(downscale(hr, 2), 2), hr, atol=1e-5)


def test_crop_to_multiple():
    img = images(1, 3, 30, 27)
    assert crop_to_multiple(img, 4).shape == (1, 3, 28, 24)
    assert torch.equal(crop_to_multiple(img[0], 4), img[0, :, :28, :24]), "keeps the top-left corner"
    assert crop_to_multiple(img, 3).shape == (1, 3, 30, 27)
