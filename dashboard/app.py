"""GAN Studio: page setup and navigation, nothing else. Run: streamlit run dashboard/server.py
(server.py serves this script and warms torch up when the server starts)."""
import sys
from pathlib import Path

# `streamlit run dashboard/...` puts dashboard/ on sys.path, not the repository root where
# gancore lives; add the root so `import gancore` works from a plain checkout (no install step).
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

st.set_page_config(page_title="GAN Studio", page_icon=":material/blur_on:", layout="wide")

# The page scripts live in views/, not pages/: a folder named pages/ beside this script switches
# Streamlit to its old multipage mode until st.navigation first runs, so a server's first request
# for a link such as /monitor?run=<id> would run that page alone, without this file.
PAGES = [
    st.Page("views/train.py", title="Train", icon=":material/play_circle:", default=True),
    st.Page("views/monitor.py", title="Monitor", icon=":material/monitoring:"),
    st.Page("views/lab.py", title="2D Lab", icon=":material/scatter_plot:"),
    st.Page("views/generate.py", title="Generate", icon=":material/auto_awesome:"),
    st.Page("views/runs.py", title="Runs", icon=":material/folder_open:"),
]
st.navigation(PAGES).run()
