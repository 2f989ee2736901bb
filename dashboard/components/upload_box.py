"""The Train page's upload box for the `folder` dataset: a .zip of class folders, or images."""
from __future__ import annotations

import streamlit as st

from gancore.data.uploads import UploadError, UploadLimits, default_uploads_dir, import_images, import_zip


def upload_box(data_dir_key: str) -> None:
    """Imports what is uploaded into the app's uploads folder and points the data folder field
    (session key `data_dir_key`) at it. Must run before that field is drawn."""
    limits = UploadLimits.from_env()
    files = st.file_uploader(
        f"Upload your images: a .zip with one folder per class, or image files "
        f"(up to {limits.max_upload_mb:g} MB)",
        type=["zip", "png", "jpg", "jpeg", "bmp", "gif", "webp"], accept_multiple_files=True,
        key="upload")
    if not files:
        return
    try:
        zips = [f for f in files if f.name.lower().endswith(".zip")]
        if zips and len(files) > 1:
            raise UploadError("upload one .zip, or image files, not both at once")
        if zips:
            result = import_zip(zips[0].getvalue(), default_uploads_dir(), limits)
        else:
            result = import_images([(f.name, f.getvalue()) for f in files], default_uploads_dir(), limits)
    except UploadError as exc:
        st.error(f"This upload cannot be used: {exc}")
        return
    st.success(f"Ready: {result.summary()}.")
    st.session_state[data_dir_key] = result.folder
