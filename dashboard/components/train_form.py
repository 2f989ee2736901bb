"""The Train page's settings form: one widget per field, each with a slot for its error."""
from __future__ import annotations

import streamlit as st

from dashboard.components.form_spec import FieldSpec, choice_label, number_text, read_number


def _widget(spec: FieldSpec, default, key: str):
    if spec.kind == "choice":
        options = list(spec.options)
        index = options.index(default) if default in options else 0
        return st.selectbox(spec.label, options, index=index, key=key, help=spec.help,
                            format_func=lambda v, n=spec.name: choice_label(n, v))
    if spec.kind == "bool":
        return st.checkbox(spec.label, value=bool(default), key=key, help=spec.help)
    if spec.kind == "text":
        st.session_state.setdefault(key, default or "")  # an upload may have set it already
        value = st.text_input(spec.label, key=key, help=spec.help)
        return value.strip() or None
    # a number: typed as text, read by read_number, judged by gancore (form_spec's docstring)
    st.session_state.setdefault(key, number_text(spec, default))
    return read_number(spec, st.text_input(spec.label, key=key, help=spec.help))


def render_fields(specs: list[FieldSpec], defaults: dict, key_prefix: str, columns: int = 3):
    """Widgets in a grid. Returns ({field: value}, {field: error slot})."""
    values, slots = {}, {}
    cols = st.columns(columns)
    for i, spec in enumerate(specs):
        with cols[i % columns]:
            values[spec.name] = _widget(spec, defaults[spec.name], f"{key_prefix}-{spec.name}")
            slots[spec.name] = st.empty()
    return values, slots


def typed_values(specs: list[FieldSpec], defaults: dict, key_prefix: str) -> dict:
    """What the form holds now for `specs`, read from their widgets' state without drawing them
    (a picker drawn above the fields can follow what was typed or uploaded); a field the form has
    not drawn yet keeps its default."""
    values = {}
    for spec in specs:
        key = f"{key_prefix}-{spec.name}"
        if key not in st.session_state:
            values[spec.name] = defaults[spec.name]
        elif spec.kind == "text":
            values[spec.name] = (st.session_state[key] or "").strip() or None
        elif spec.kind in ("int", "float"):
            values[spec.name] = read_number(spec, st.session_state[key] or "")
        else:
            values[spec.name] = st.session_state[key]
    return values
