"""The Train page's upload box for a dataset read from an uploaded folder: a .zip of class
folders or images (`folder`); a .zip of A/ and B/ folders or side-by-side pairs (paired data)."""
from __future__ import annotations

import streamlit as st

from gancore.data.paired_uploads import import_paired_images, import_paired_zip
from gancore.data.uploads import UploadError, UploadLimits, default_uploads_dir, import_images, import_zip

WHAT = {False: "your images: a .zip with one folder per class, or image files",
        True: "your pairs: a .zip with folders A/ (inputs) and B/ (targets) whose file names match, "
              "or images holding the input and the target side by side (input left)"}


def upload_box(data_dir_key: str, paired: bool = False) -> None:
    """Imports what is uploaded into the app's uploads folder and points the data folder field
    (session key `data_dir_key`) at it. Must run before that field is drawn. `paired`: the
    dataset reads input/target pairs, so the upload keeps their layout."""
    limits = UploadLimits.from_env()
    import_zip_, import_images_ = (import_paired_zip, import_paired_images) if paired else (import_zip, import_images)
    files = st.file_uploader(
        f"Upload {WHAT[paired]} (up to {limits.max_upload_mb:g} MB)",
        type=["zip", "png", "jpg", "jpeg", "bmp", "gif", "webp"], accept_multiple_files=True,
        key="upload-pairs" if paired else "upload")
    if not files:
        return
    try:
        zips = [f for f in files if f.name.lower().endswith(".zip")]
        if zips and len(files) > 1:
            raise UploadError("upload one .zip, or image files, not both at once")
        if zips:
            result = import_zip_(zips[0].getvalue(), default_uploads_dir(), limits)
        else:
            result = import_images_([(f.name, f.getvalue()) for f in files], default_uploads_dir(), limits)
    except UploadError as exc:
        st.error(f"This upload cannot be used: {exc}")
        return
    st.success(f"Ready: {result.summary()}.")
    st.session_state[data_dir_key] = result.folder
