"""GAN Studio's pages: page setup and navigation, nothing else. Served by app.py, the server entry
(python -m streamlit run dashboard/app.py)."""
import streamlit as st

from dashboard.components.owner import owner_gate

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
    st.Page("views/compare.py", title="Compare", icon=":material/compare_arrows:"),
]
# Who may watch and control (components/owner.py): a page that needs the password it was not given
# is not run at all, so it sends nothing of a run to the browser; the URL keeps its ?run= for after.
shown = owner_gate()
page = st.navigation(PAGES, position="sidebar" if shown else "hidden")
if shown:
    page.run()
