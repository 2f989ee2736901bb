"""The Runs page's run bundles: "Download this run (.zip)" for the chosen run, and "Import a run
bundle", which brings one in as a read-only run (gancore/runs/bundle.py does the work)."""
from __future__ import annotations

import hashlib

import streamlit as st

from dashboard.components.errors import friendly_errors
from dashboard.components.owner import may_control
from gancore import RunStore
from gancore.data.uploads import UploadLimits
from gancore.runs.bundle import export_bundle, export_refusal, import_bundle
from gancore.runs.state import RunState

_IMPORTED = "bundle-imported"  # session: upload digest -> the run it became (a rerun must not re-import)


def download_bundle_button(where, store: RunStore, state: RunState) -> None:
    """The button in `where` (a container, e.g. the Open row); the .zip is built on the click.
    A run that cannot be exported (training, no checkpoint yet) gets a disabled button saying why."""
    run = store.open(state.run_id)
    why = export_refusal(run, state)
    where.download_button("Download this run (.zip)", data=lambda: export_bundle(run),
                          file_name=f"{state.run_id}.zip", mime="application/zip",
                          icon=":material/download:", disabled=why is not None, on_click="ignore",
                          help=why or "config, numbers, pictures and the generator's weights, for "
                                      "another GAN Studio to import as a read-only run",
                          key=f"bundle-download-{state.run_id}")


def import_bundle_box(store: RunStore) -> None:
    """The uploader; a bundle is imported once per upload, then named; a refused one says why."""
    if not may_control():
        return
    limits = UploadLimits.from_env()
    with st.expander("Import a run bundle"):
        upload = st.file_uploader(f"A run bundle (.zip) exported by GAN Studio (up to "
                                  f"{limits.max_upload_mb:g} MB); it becomes a read-only run",
                                  type=["zip"], key="bundle-upload")
        if upload is None:
            return
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        done = st.session_state.setdefault(_IMPORTED, {})
        if digest not in done:
            with friendly_errors("This bundle cannot be imported"):  # the message names the problem
                done[digest] = import_bundle(data, store, limits).run_id
        if digest in done:
            st.success(f"Imported as {done[digest]} (read-only): it is listed below.")
