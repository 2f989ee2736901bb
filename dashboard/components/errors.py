"""No raw tracebacks on screen: one sentence, and the details behind an expander."""
from __future__ import annotations

import traceback
from contextlib import contextmanager

import streamlit as st

from gancore import ConfigError, GanError


def show_error(sentence: str, detail: str | None = None) -> None:
    st.error(sentence)
    if detail:
        with st.expander("Details"):
            st.code(detail, language=None)


@contextmanager
def friendly_errors(what: str):
    """Run a block; a GanError shows its message, anything else a sentence plus details."""
    try:
        yield
    except ConfigError as exc:
        show_error(f"{what}: {exc.field.replace('_', ' ')}: {exc.message}")
    except GanError as exc:
        show_error(f"{what}: {exc}")
    except Exception as exc:  # noqa: BLE001  (the page must keep working)
        show_error(f"{what}: something went wrong ({type(exc).__name__}: {exc}).", traceback.format_exc())
