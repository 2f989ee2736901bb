"""Drawing from generators: samples and grids (draw), pictures (pictures), generators rebuilt from
checkpoints (checkpoints), samples written to files (files)."""
from .checkpoints import load_checkpoint_bytes, load_generator
from .draw import class_grid, fixed_inputs, generate, interpolate, noise, sample
from .pictures import image_grid, picture, png_bytes, preview_png, scatter, to_raw_points, to_uint8

__all__ = ["load_checkpoint_bytes", "load_generator", "class_grid", "fixed_inputs", "generate",
           "interpolate", "noise", "sample", "image_grid", "picture", "png_bytes", "preview_png",
           "scatter", "to_raw_points", "to_uint8"]
