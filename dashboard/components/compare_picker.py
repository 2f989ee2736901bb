"""Choosing the 2-6 runs to compare: a multiselect of run labels that the URL (?runs=id1,id2,...)
restores, so a comparison can be linked. A link naming runs that are not here, or text that is
no run id, says which in words and picks the others."""
from __future__ import annotations

import streamlit as st

from dashboard.components.run_picker import shown_text
from gancore import RunError, validate_run_id
from gancore.runs.compare import MAX_RUNS, MIN_RUNS
from gancore.runs.state import RunState

PARAM = "runs"  # ?runs=id1,id2
KEY = "compare-runs"
_APPLIED = "compare-runs-url"  # the ?runs= text the picker last took its choice from or wrote


def link_params(run_ids: list[str]) -> dict[str, str]:
    """The query parameters of a link to the Compare page showing these runs."""
    return {PARAM: ",".join(run_ids)}


def read_link(raw: str | None, known: list[str]) -> tuple[list[str], list[str], list[str]]:
    """?runs= text -> (the known run ids it names, in its order, without repeats; the parts that
    are no run id; the well-formed ids of no run here)."""
    wanted, malformed, unknown = [], [], []
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            run_id = validate_run_id(part)
        except RunError:
            malformed.append(part)
            continue
        (wanted if run_id in known else unknown).append(run_id)
    return list(dict.fromkeys(wanted)), malformed, unknown


def link_problems(malformed: list[str], unknown: list[str], named: int) -> list[str]:
    """What is wrong with a link, one sentence each (URL text made safe by shown_text)."""
    out = []
    if unknown:
        out.append(f"This link names {_count(unknown, 'run')} that {'is' if len(unknown) == 1 else 'are'} "
                   f"not here: {', '.join(shown_text(u) for u in unknown)}.")
    if malformed:
        out.append(f"This link holds {_count(malformed, 'part')} that {'is' if len(malformed) == 1 else 'are'} "
                   f"not a run id: {', '.join(shown_text(m) for m in malformed)} (a run id is letters, "
                   "digits, '_', '-' and '.').")
    if named > MAX_RUNS:
        out.append(f"This link names {named} runs; Compare shows {MIN_RUNS} to {MAX_RUNS} at a time, "
                   f"so the first {MAX_RUNS} are picked.")
    return out


def _count(items: list, word: str) -> str:
    return f"{len(items)} {word}{'' if len(items) == 1 else 's'}"


def pick_runs(states: list[RunState]) -> list[str] | None:
    """The chosen run ids, in the order picked, when there are MIN_RUNS to MAX_RUNS; else None
    after saying what is allowed. The URL follows the choice."""
    labels = {s.run_id: s.label for s in states}
    raw = st.query_params.get(PARAM)
    if KEY not in st.session_state or st.session_state.get(_APPLIED) != raw:  # opened from a link
        wanted, malformed, unknown = read_link(raw, list(labels))
        for problem in link_problems(malformed, unknown, len(wanted)):
            st.warning(problem, icon=":material/link_off:")
        st.session_state[KEY] = wanted[:MAX_RUNS]
        st.session_state[_APPLIED] = raw
    chosen = st.multiselect(
        "Runs to compare", list(labels), key=KEY, max_selections=MAX_RUNS,
        format_func=lambda run_id: labels.get(run_id, run_id), placeholder="Pick 2 to 6 runs",
        help=f"{MIN_RUNS} to {MAX_RUNS} runs; each keeps its colour on every chart. The page's "
             "address names them, so a link opens the same comparison.")
    text = link_params(chosen)[PARAM]
    if chosen and raw != text:
        st.query_params[PARAM] = text
    elif not chosen and raw is not None:
        del st.query_params[PARAM]
    st.session_state[_APPLIED] = text if chosen else None
    if len(chosen) < MIN_RUNS:
        st.info(f"Pick {'at least ' + str(MIN_RUNS) if chosen else MIN_RUNS} runs to compare "
                f"(up to {MAX_RUNS}).", icon=":material/compare_arrows:")
        return None
    return chosen


def compare_link(states: list[RunState], key: str = "runs-compare") -> None:
    """The Runs page's way in: pick 2-6 runs (the newest two to begin with) and a link to the
    Compare page showing them."""
    if len(states) < MIN_RUNS:
        return
    st.subheader("Compare runs")
    labels = {s.run_id: s.label for s in states}
    chosen = st.multiselect("Runs to compare", list(labels), default=list(labels)[:MIN_RUNS], key=key,
                            max_selections=MAX_RUNS, format_func=lambda run_id: labels.get(run_id, run_id),
                            placeholder="Pick 2 to 6 runs",
                            help="their losses, scores, quality, pictures and settings side by side")
    if len(chosen) < MIN_RUNS:
        st.caption(f"Pick {MIN_RUNS} to {MAX_RUNS} runs to compare them.")
        return
    st.page_link("views/compare.py", label=f"Compare these {len(chosen)} runs",
                 icon=":material/compare_arrows:", query_params=link_params(chosen))
