"""python -m gancore sample: draw samples from a run's generator, or transform images with one that
reads them (--input: upscale with a super-resolution run, translate with a pix2pix run), chosen by
what the run's variant says its generator reads (VariantSpec.reads)."""
from __future__ import annotations

from pathlib import Path

from .errors import CliError
from .registry import get_variant_spec
from .runs.store import RunStore


def add_sample_parser(sub, typed) -> None:
    """The `sample` subcommand's flags; `typed(name, type)` parses a number naming its flag."""
    sample = sub.add_parser("sample", help="draw samples from a trained run, or transform images (--input) "
                                           "with a run whose generator reads them")
    sample.add_argument("--run", required=True, help="the run folder")
    sample.add_argument("--n", type=typed("n", int), default=64, help="how many samples")
    sample.add_argument("--label", type=typed("label", int), default=None, help="class to draw (conditional runs)")
    sample.add_argument("--seed", type=typed("seed", int), default=0)
    sample.add_argument("--checkpoint", default="latest.pt", help="checkpoint file name")
    sample.add_argument("--weights", choices=("ema", "raw"), default=None,
                        help="the generator's averaged weights (ema, kept when the run trained with "
                             "--g-ema-decay) or its raw weights; default: ema when the checkpoint has them")
    sample.add_argument("--out", required=True, help="FILE.png (picture) or FILE.npy (raw samples)")
    sample.add_argument("--input", default=None,
                        help="a run whose generator reads an image: a PNG/JPEG or a .npy of N x C x h x w uint8 "
                             "images (--out FILE.npy gets all N), upscaled (super-resolution) or translated "
                             "(pix2pix: at its own size when its sides suit, else at the size it trained at)")


# What a run's generator reads (VariantSpec.reads), in words for the errors of `sample`.
READS_WORDS = {"noise": "noise", "low_res_image": "a small image to upscale",
               "paired_image": "an input image to translate"}


def cmd_sample(args) -> int:
    from .sampling.files import write_samples

    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".npy"):
        raise CliError(f"out: must end in .png (picture) or .npy (raw samples), got {args.out!r}")
    if not 1 <= args.n <= 100_000:
        raise CliError(f"n: must be between 1 and 100,000, got {args.n}")
    run = RunStore().open_path(args.run)
    reads = get_variant_spec(run.config().model.variant).reads
    if args.input is not None:
        from .sampling.translation import write_translated
        from .sampling.upscaling import write_upscaled

        # what --input does, by what the generator reads: the writer and the word for its result
        writers = {"low_res_image": (write_upscaled, "upscaled"), "paired_image": (write_translated, "translated")}
        if reads not in writers:
            raise CliError(f"input: this run's generator reads {READS_WORDS.get(reads, reads)}, not an "
                           "image: leave out --input to draw samples")
        source = Path(args.input)
        if not source.is_file():
            raise CliError(f"input: no such file {args.input!r}")
        writer, done = writers[reads]
        count, shape = writer(run, source, out, checkpoint=args.checkpoint, weights=args.weights)
        print(f"wrote {count} {done} image{'s' if count > 1 else ''} ({' x '.join(map(str, shape))}) to {out}")
        return 0
    if reads != "noise":  # its generator reads an image, not noise: there is nothing to draw from
        raise CliError(f"input: this run's generator reads {READS_WORDS.get(reads, reads)}, not noise: "
                       "pass --input FILE (a .png, .jpg or .npy)")
    write_samples(run, out, n=args.n, seed=args.seed, label=args.label, checkpoint=args.checkpoint,
                  weights=args.weights)
    print(f"wrote {args.n} samples to {out}")
    return 0
