"""Compare: 2-6 runs side by side: their curves on one step axis, their pictures at one step,
and the settings that differ. The address (?runs=id1,id2,...) names the runs, so it can be shared."""
import streamlit as st

from dashboard.components.compare_charts import colour_key_html
from dashboard.components.compare_curves import show_curves, show_quality, smoothing_slider
from dashboard.components.compare_picker import pick_runs
from dashboard.components.compare_pictures import show_pictures
from dashboard.components.compare_settings import show_settings
from dashboard.components.errors import friendly_errors
from dashboard.components.report_button import report_button
from dashboard.components.wording import plain
from dashboard.state import manager
from gancore.report import comparison_report
from gancore.runs.compare import Compared, compare_parts, sample_files

st.title("Compare runs")
st.write("Two to six runs side by side: losses and scores on one step axis, their pictures at the "
         "same step, and the settings that differ.")

store = manager().store
states = store.states()
if len(states) < 2:
    st.info(f"Comparing needs at least 2 runs; there {'is' if len(states) == 1 else 'are'} "
            f"{len(states)}. Start one on the Train page.")
    st.page_link("views/train.py", label="Go to Train", icon=":material/play_circle:")
    st.stop()

chosen = pick_runs(states)
if chosen is None:
    st.stop()

with friendly_errors("These runs cannot be compared"):
    runs = [store.open(run_id) for run_id in chosen]
    data = Compared(runs)
    names = data.labels
    parts = compare_parts(data.configs, {i: plain(names[i]) for i in chosen})
    st.markdown(colour_key_html(data.colours, names), unsafe_allow_html=True)

    st.subheader("Losses and scores")
    weight = smoothing_slider()
    report_button(st, lambda: comparison_report(runs, weight), "Download this comparison as a report (.html)",
                  f"comparison-{'-'.join(chosen)[:120]}.html", key="compare-report")
    show_curves(parts, data, weight)

    st.subheader("Quality")
    show_quality(next(p for p in parts if p.key == "quality"), data)

    st.subheader("Pictures at the same step")
    show_pictures(sample_files(runs), names)

    st.subheader("Settings that differ")
    show_settings(data.configs, names)
