"""Tile-by-tile upscaling equals the whole-image pass, on small fully convolutional stand-ins."""
import pytest
import torch
import torch.nn as nn

from gancore.sampling.tiles import DEFAULT_TILE, MAX_INPUT_SIDE, receptive_radius, upscale_tiled


class TinySR(nn.Module):
    """An SRResNet in miniature: a 5 x 5 head, a residual block with a dilated conv and eval-mode
    BatchNorm, one conv + PixelShuffle(2) stage per x2, a 3 x 3 tail at the output's scale."""

    def __init__(self, scale: int = 2, channels: int = 3, width: int = 6):
        super().__init__()
        self.scale = scale
        self.head = nn.Sequential(nn.Conv2d(channels, width, 5, padding=2), nn.PReLU())
        self.block = nn.Sequential(nn.Conv2d(width, width, 3, padding=2, dilation=2), nn.BatchNorm2d(width),
                                   nn.ReLU(), nn.Conv2d(width, width, 3, padding=1))
        ups = []
        for _ in range({2: 1, 4: 2}[scale]):
            ups += [nn.Conv2d(width, 4 * width, 3, padding=1), nn.PixelShuffle(2), nn.PReLU()]
        self.up = nn.Sequential(*ups)
        self.tail = nn.Conv2d(width, channels, 3, padding=1)
        with torch.no_grad():  # running statistics that are not the identity, so eval mode matters
            self.block[1].running_mean.uniform_(-0.5, 0.5)
            self.block[1].running_var.uniform_(0.5, 2.0)

    def forward(self, x):
        h = self.head(x)
        return torch.tanh(self.tail(self.up(h + self.block(h))))


class Counting(nn.Module):
    """Counts its calls; upscales by a bilinear Upsample then a 3 x 3 conv."""

    def __init__(self):
        super().__init__()
        self.scale, self.calls = 2, 0
        self.net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Upsample(scale_factor=2, mode="bilinear"),
                                 nn.Conv2d(4, 1, 3, padding=1))

    def forward(self, x):
        self.calls += 1
        return self.net(x)


def _whole(g, lr):
    g.eval()
    with torch.no_grad():
        return g(lr)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def test_receptive_radius_counts_convs_on_the_input_scale():
    # head 2 + dilated 2 + block 1 + the first stage's conv 1 (at x1), then 1/2 for a conv at x2
    # and 1/4 at x4: the tail of x2 adds 1/2 (6.5 -> 7); x4's second stage 1/2, its tail 1/4 (6.75 -> 7)
    assert receptive_radius(TinySR(2)) == 7
    assert receptive_radius(TinySR(4)) == 7
    assert receptive_radius(Counting()) == 1 + 1 + 1  # conv, bilinear reach 1, conv 1/2 -> 2.5 -> 3


def test_receptive_radius_bounds_the_real_reach():
    """Which input pixels move one output pixel (by autograd): none beyond the computed radius."""
    g = TinySR(4).eval()
    lr = torch.randn(1, 3, 33, 33, requires_grad=True)
    out = g(lr)
    out[0, :, 16 * 4 + 1, 16 * 4 + 2].sum().backward()  # an output pixel of input pixel (16, 16)
    ys, xs = torch.nonzero(lr.grad[0].abs().sum(0) > 0, as_tuple=True)
    reach = int(max((ys - 16).abs().max(), (xs - 16).abs().max()))
    assert 0 < reach <= receptive_radius(g)


@pytest.mark.parametrize("scale, tile", [(2, 16), (4, 8), (4, 16)])
def test_tiled_equals_whole_on_odd_sizes(scale, tile):
    g = TinySR(scale)
    lr = torch.rand(2, 3, 37, 53) * 2 - 1  # neither side a multiple of the tile
    whole = _whole(g, lr)
    tiled = upscale_tiled(g, lr, tile=tile)
    assert tiled.shape == (2, 3, 37 * scale, 53 * scale)
    assert torch.allclose(tiled, whole, atol=1e-5)


def test_too_little_context_shows():
    """The test above is not vacuous: without context, tile seams differ from the whole pass."""
    g = TinySR(2)
    lr = torch.rand(1, 3, 37, 53) * 2 - 1
    assert not torch.allclose(upscale_tiled(g, lr, tile=8, overlap=0), _whole(g, lr), atol=1e-5)


def test_bilinear_upsample_tiles_exactly():
    g = Counting()
    lr = torch.rand(1, 1, 37, 53) * 2 - 1
    assert torch.allclose(upscale_tiled(g, lr, tile=10), _whole(g, lr), atol=1e-5)


def test_one_tile_is_one_whole_pass():
    g = Counting()
    lr = torch.rand(3, 1, 20, 24) * 2 - 1
    out = upscale_tiled(g, lr, tile=24)
    assert g.calls == 1 and out.shape == (3, 1, 40, 48)
    assert torch.allclose(out, _whole(g, lr), atol=1e-6)
    g.calls = 0
    upscale_tiled(g, lr, tile=10)  # 2 x 3 near-equal tiles
    assert g.calls == 6


def test_mode_is_given_back_and_no_graph_is_kept():
    g = TinySR(2).train()
    lr = torch.rand(1, 3, 20, 20, requires_grad=True)
    out = upscale_tiled(g, lr, tile=8)
    assert g.training and not out.requires_grad
    assert torch.allclose(out, _whole(g, lr.detach()), atol=1e-5)  # eval-mode BatchNorm was used


def test_layers_that_see_the_whole_image_are_refused():
    g = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.AdaptiveAvgPool2d(1))
    with pytest.raises(ValueError, match="not fully convolutional"):
        receptive_radius(g)
    with pytest.raises(ValueError, match="downsamples"):
        receptive_radius(nn.Sequential(nn.Conv2d(1, 2, 3, stride=2)))


def test_constants():
    assert 1 <= DEFAULT_TILE <= MAX_INPUT_SIDE


def test_the_srresnet_tiles_exactly():
    networks_sr = pytest.importorskip("gancore.variants.networks_sr")
    g = networks_sr.SRResNet(channels=3, scale=4, blocks=2, width=8)
    with torch.no_grad():
        for m in g.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    lr = torch.rand(1, 3, 37, 53) * 2 - 1
    # head 4 + 2 blocks of two 3x3 convs 4 + the 3x3 after them 1 + the stage convs 1 and 1/2
    # + the 9x9 tail at x4 4/4: 11.5 -> 12
    assert receptive_radius(g) == 12
    assert torch.allclose(upscale_tiled(g, lr, tile=16), _whole(g, lr), atol=1e-5)
