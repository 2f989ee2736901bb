"""The SVG line charts a training run's Monitor shows: well-formed, bounded, honest about gaps."""
import math
import xml.etree.ElementTree as ET

import pytest

from gancore.charts.lines import MAX_POINTS, loss_svg, score_svg  # noqa: E402
from gancore.charts.quality import quality_svgs  # noqa: E402
from gancore.charts.svg_chart import TOP, Guide, Line, log_ticks, nice_ticks, svg_line_chart  # noqa: E402

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == NS + "svg" and root.get("class") == "gs-chart"
    return root


def _records(n: int) -> list[dict]:
    return [{"step": 10 * i, "loss_d": 1.3 + 0.01 * i, "loss_g": 0.7, "d_real": 0.6, "d_fake": 0.4} for i in range(n)]


@pytest.mark.parametrize("lo, hi, expected", [
    (0.0, 1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (0.0, 12_000.0, [0.0, 2000.0, 4000.0, 6000.0, 8000.0, 10_000.0, 12_000.0]),
    (0.31, 0.97, [0.4, 0.5, 0.6, 0.7, 0.8, 0.9]),
    (-1.5, 1.5, [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]),
])
def test_ticks_are_round_numbers_inside_the_range(lo, hi, expected):
    assert nice_ticks(lo, hi) == pytest.approx(expected)


def test_log_ticks_are_powers_of_ten_with_twos_and_fives_over_a_short_range():
    assert log_ticks(6.0, 500.0) == pytest.approx([10.0, 100.0])  # three decades: powers only
    assert log_ticks(6.0, 90.0) == pytest.approx([10.0, 20.0, 50.0])


def test_a_chart_draws_every_finite_point_and_leaves_gaps_for_missing_ones():
    line = Line("loss", "#000", [0, 1, 2, 3, 4], [1.0, None, 2.0, math.nan, 3.0])
    root = _parse(svg_line_chart("t", [line], "y"))
    assert root.get("data-points") == "3"
    path = root.find(f"{NS}path")
    assert path.get("d").count("M") == 3, "a new stroke after each gap, no line across it"
    assert path.find(f"{NS}title").text == "loss: 3 at the latest point"


def test_text_is_escaped_and_an_empty_chart_says_so():
    root = _parse(svg_line_chart("<script>alert(1)</script>", [Line("a & b", "#000", [], [])], "y",
                                 empty_note="waiting"))
    assert root.get("data-points") == "0"
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "<script>alert(1)</script>" in texts and "a & b" in texts and "waiting" in texts
    assert root.find(f".//{NS}script") is None


def test_a_fixed_range_keeps_values_inside_the_plot_and_guides_are_drawn():
    root = _parse(svg_line_chart("t", [Line("p", "#000", [0, 1], [0.5, 7.0])], "y", y_range=(0.0, 1.0),
                                 guides=[Guide(0.5, "half")]))
    d = root.find(f"{NS}path").get("d")
    ys = [float(seg.split(" ")[1]) for seg in d.replace("L", "|").replace("M", "|").strip("|").split("|")]
    assert min(ys) == pytest.approx(TOP), "7.0 is drawn at the top of a 0..1 axis, not above the chart"
    assert "half" in [t.text for t in root.iter(f"{NS}text")]


def test_a_long_history_makes_a_small_drawing():
    svg = loss_svg(_records(100_000))
    root = _parse(svg)
    assert int(root.get("data-points")) <= 2 * MAX_POINTS
    assert len(svg) < 40_000, "what the browser receives each second stays small"


def test_scores_have_the_half_line_for_probabilities_only():
    bce = [t.text for t in _parse(score_svg(_records(10), wasserstein=False)).iter(f"{NS}text")]
    wgan = [t.text for t in _parse(score_svg(_records(10), wasserstein=True)).iter(f"{NS}text")]
    assert "0.5: D cannot tell" in bce and "0.5: D cannot tell" not in wgan
    assert "probability 'real'" in bce and "critic score" in wgan


def test_quality_drawings_for_mixtures_and_images():
    points = [{"step": 1000 * i, "modes": i, "total_modes": 8, "high_quality": 0.9} for i in range(1, 5)]
    (modes,) = quality_svgs(points)
    root = _parse(modes)
    assert root.get("data-points") == "8" and root.findall(f".//{NS}circle"), "lines with markers"
    images = [{"step": 500 * i, "fcd": 100.0 / i, "precision": 0.8, "recall": 0.5, "coverage": 0.6,
               "label_accuracy": 0.9} for i in range(1, 4)]
    shares, fcd = quality_svgs(images, floor={"fcd": 6.0, "precision": 0.9})
    assert _parse(shares).get("data-points") == "12"
    labels = [t.text for t in _parse(fcd).iter(f"{NS}text")]
    assert "10" in labels and "100" in labels, "FCD on a log axis, ticks at powers of ten"
    assert "real vs real" in labels
    assert quality_svgs([{"step": 1, "error": "boom"}]) == []


def test_huge_tick_labels_are_short_enough_to_fit_beside_the_axis():
    from gancore.charts.svg_chart import _label
    assert [_label(v, 1e10) for v in (0, 1e10, 3e10)] == ["0", "10B", "30B"]
    assert [_label(v, 5e5) for v in (5e5, 1.5e6)] == ["500,000", "1.5M"]
    assert _label(12_000, 2_000) == "12,000" and _label(0.25, 0.05) == "0.25"
