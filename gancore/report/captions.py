"""What a report says in words, for someone who has never trained a GAN. Plain text: the page
escapes it."""
from __future__ import annotations

WHAT_A_GAN_IS = (
    "A GAN is two networks trained against each other. The generator makes samples (here: "
    "{what}); the discriminator sees real ones and generated ones and learns to tell them apart. "
    "Each learns from the other: as the discriminator gets better at spotting fakes, the generator "
    "gets better at making samples it cannot tell from real ones.")

LOSSES = (
    "The two networks' losses. They play against each other, so neither should go to zero: in a "
    "healthy run both level off and wobble. A discriminator loss near zero means it wins "
    "outright and the generator gets no useful signal.")

SCORES_PROBABILITY = (
    "D(x) is how sure the discriminator is that real data is real; D(G(z)) how sure it is that "
    "generated data is real. In a healthy run they move towards each other around 0.5, where it "
    "can no longer tell the two apart. D(x) near 1 with D(G(z)) near 0 for long means the "
    "discriminator is winning.")

SCORES_CRITIC = (
    "This discriminator is a critic: its scores are not probabilities. D(x) is its average score "
    "of real data and D(G(z)) of generated data; the gap between them estimates how far the "
    "generated data still is from the real data, and in a healthy run it shrinks and settles.")

QUALITY = (
    "How good the generator is, measured every so often on a copy of it while it trained: {how} "
    "The column '{floor}' is the line to compare with.")

COMPARE_CURVES = (
    "Each run in its own colour. The bold line is smoothed (an exponential moving average with "
    "weight {weight:g}, as TensorBoard draws it); the faint line behind it is the number as it "
    "was logged.")

COMPARE_CURVES_RAW = "Each run in its own colour, each number drawn as it was logged (no smoothing)."

NO_NUMBERS = "This run has not logged any numbers yet."
NO_PICTURES = "This run has not saved a picture yet."
NO_QUALITY = ("This run has no quality measurements (it measures every 'Measure quality every N "
              "steps' steps when that setting is on).")


def words_of(kind: str) -> str:
    """What the generator makes, in a few words, by the kind of data."""
    return "points in a plane" if kind == "points" else "images"
