"""The Generate page for a run whose generator translates pictures, under AppTest: what it says the
generator does, each way of giving it an input (a drawing handed over by the pad, an example kept
out of training, an upload), the held-out grid, and one clear message for bad input."""
import base64
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from app_pages import open_app
from dashboard.components.generate_translate import DRAW, HELD_OUT, OWN
from gancore import RunStore, make_config
from gancore.runs.launch import start_run

PAD = "translate-pad"  # the pad's key (generate_translate._drawn)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    runs = tmp_path_factory.mktemp("translate-runs")
    cfg = make_config("pix2pix", "sketch2glyphs", steps=20, batch_size=8, base_channels=8, num_samples=200,
                      eval_every=0, log_every=10, device="cpu")
    trainer, run = start_run(cfg, RunStore(runs), "p2p")
    trainer.run()
    return runs


@pytest.fixture
def page(run_folder, monkeypatch):
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(run_folder))
    return open_app("views/generate.py", run="p2p")


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _drawing(png: str | None = "seven") -> dict:
    """What the pad hands over: a 280-pixel canvas, white strokes on black, as a PNG data URL."""
    if png != "seven":
        return {"png": png, "strokes": []}
    canvas = Image.new("L", (280, 280), 0)
    points = [(80, 60), (200, 60), (120, 220)]
    ImageDraw.Draw(canvas).line(points, fill=255, width=20)
    url = "data:image/png;base64," + base64.b64encode(_png(canvas)).decode()
    return {"png": url, "strokes": [{"w": 20, "p": [list(p) for p in points]}]}


def _captions(at) -> list[str]:
    return [c for img in at.get("image") for c in img.captions if c]


def _pad_data(at) -> dict:
    import json

    [pad] = [e for e in at.get("bidi_component") if e.proto.component_name == "gs_sketch_pad"]
    return json.loads(pad.proto.json)


def _way(at, way: str):
    [radio] = [r for r in at.radio if r.label == "What to translate"]
    return radio.set_value(way).run()


def test_the_page_says_what_the_generator_does_and_offers_each_way_of_input(page):
    at = page
    assert not at.exception and not at.error
    assert any(m.value.startswith("This generator turns a thin sketch of a digit") for m in at.markdown)
    [radio] = [r for r in at.radio if r.label == "What to translate"]
    assert radio.options == [DRAW, HELD_OUT, OWN] and radio.value == DRAW
    data = _pad_data(at)
    assert data["side"] == 28 and data["strokes"] == [], "an empty pad for 28-pixel pictures"
    assert any("Draw on the black square" in i.value for i in at.info)
    assert "Examples kept out of training" in [s.value for s in at.subheader]
    assert len(at.get("image")) == 1, "the held-out grid, and no translation before a drawing"


def test_a_drawing_is_translated_beside_what_the_generator_reads_and_survives_a_detour(page):
    at = page
    at.session_state[PAD] = {"drawing": _drawing()}
    at.run()
    assert not at.exception and not at.error
    assert _captions(at) == ["what the generator reads (28 x 28)", "its translation (28 x 28)"]
    assert [b.label for b in at.get("download_button")] == ["Download the translation (PNG)"]
    assert len(_pad_data(at)["strokes"]) == 1, "the strokes go back to the pad, to redraw it"
    at = _way(at, HELD_OUT)
    at = _way(at, DRAW)
    assert _captions(at) == ["what the generator reads (28 x 28)", "its translation (28 x 28)"], \
        "the drawing is still there after looking at an example"
    assert len(_pad_data(at)["strokes"]) == 1
    at.session_state[PAD] = {"drawing": _drawing(None)}  # Clear
    at.run()
    assert not _captions(at) and any("Draw on the black square" in i.value for i in at.info)


def test_a_drawing_that_is_not_a_picture_gets_one_message(page):
    at = page
    for png in ("data:image/png;base64,bm90IGEgcGljdHVyZQ==", "javascript:alert(1)", "data:image/png;base64,%%%"):
        at.session_state[PAD] = {"drawing": _drawing(png)}
        at.run()
        assert not at.exception
        assert [e.value for e in at.error] == ["The drawing cannot be translated: the drawing did not arrive as "
                                               "a picture; press Clear and draw again"], png


def test_an_example_kept_out_of_training_is_shown_beside_its_real_target(page):
    at = _way(page, HELD_OUT)
    assert not at.exception and not at.error
    assert _captions(at) == ["what the generator reads (28 x 28)", "its translation (28 x 28)",
                             "the real target (28 x 28)"]
    [number] = [n for n in at.number_input if n.label.startswith("Example (1 to ")]
    number.set_value(5).run()
    assert not at.exception and not at.error and len(_captions(at)) == 3
    assert "Download the translation (PNG)" in [b.label for b in at.get("download_button")]


def test_an_upload_is_translated_and_a_bad_one_gets_a_clear_message(page):
    at = _way(page, OWN)
    assert not at.exception and not at.error and not _captions(at)
    sketch = Image.new("L", (40, 60), 0)
    ImageDraw.Draw(sketch).line([(20, 10), (20, 50)], fill=255, width=2)
    at.file_uploader[0].set_value(("one.png", _png(sketch), "image/png")).run()
    assert not at.exception and not at.error
    assert _captions(at) == ["what the generator reads (40 x 60)", "its translation (40 x 60)"], "its own size"
    [size] = [r for r in at.radio if r.label == "Translate it at"]
    size.set_value("the size the generator learned at (28 x 28)").run()
    assert _captions(at) == ["what the generator reads (28 x 28)", "its translation (28 x 28)"]

    paper = Image.new("L", (30, 30), 255)  # dark lines on white, 30 pixels: swapped on request, resized
    ImageDraw.Draw(paper).line([(15, 5), (15, 25)], fill=0, width=2)
    at.file_uploader[0].set_value(("paper.png", _png(paper), "image/png")).run()
    assert any("mostly light" in i.value for i in at.info)
    assert any("Made 28 x 28" in c.value for c in at.caption)
    [swap] = [c for c in at.checkbox if c.label == "Swap black and white"]
    swap.check().run()
    assert not at.exception and _captions(at)[0] == "what the generator reads (28 x 28)"

    at.file_uploader[0].set_value(("broken.png", b"not a picture at all", "image/png")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("This picture cannot be translated: this file is not a "
                                                     "picture"), errors
    huge = Image.new("L", (4100, 8), 0)
    at.file_uploader[0].set_value(("huge.png", _png(huge), "image/png")).run()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "4100 x 8 pixels" in errors[0] and "4096" in errors[0], errors
    assert not _captions(at), "nothing translated from a refused picture"


def test_without_control_there_is_no_upload(run_folder, monkeypatch):
    from dashboard import access

    monkeypatch.setenv("GANCORE_RUNS_DIR", str(run_folder))
    monkeypatch.setenv(access.PASSWORD_ENV, "a-password-nobody-gave")
    at = open_app("views/generate.py", run="p2p")
    assert not at.exception
    [radio] = [r for r in at.radio if r.label == "What to translate"]
    assert radio.options == [DRAW, HELD_OUT] and not at.get("file_uploader")


def test_when_the_examples_cannot_be_loaded_drawing_still_works_and_the_page_says_why(run_folder, monkeypatch):
    from dashboard.components import generate_translate
    from gancore import DataError

    def missing(*args, **kwargs):
        raise DataError("data_dir", "no MNIST files in ./nowhere")

    monkeypatch.setattr(generate_translate, "load_dataset", missing)
    generate_translate.held_out_pairs.clear()  # nothing cached from the tests before
    monkeypatch.setenv("GANCORE_RUNS_DIR", str(run_folder))
    at = open_app("views/generate.py", run="p2p")
    assert not at.exception and not at.error
    assert any("cannot be shown here: data_dir: no MNIST files" in c.value for c in at.caption)
    at.session_state[PAD] = {"drawing": _drawing()}
    at.run()
    assert _captions(at) == ["what the generator reads (28 x 28)", "its translation (28 x 28)"]
    at = _way(at, HELD_OUT)
    assert [e.value for e in at.error] == ["The examples kept out of training cannot be loaded: data dir: "
                                           "no MNIST files in ./nowhere"]
    generate_translate.held_out_pairs.clear()
