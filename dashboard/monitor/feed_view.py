"""The browser script of a live run's Monitor page (st.components.v2, in the page, no iframe): it
asks the live feed (feed.py) for the latest every few seconds and swaps in the HTML the server
built; when the feed's page key differs from the one the page was drawn with, it asks Streamlit
for one page redraw. It decides nothing itself (drawing.py does): it swaps the parts the page was
drawn with, all of them while the run trains, none on a paused run's page, which it only watches.
"""
from __future__ import annotations

import streamlit as st

from dashboard.components.owner import feed_token
from dashboard.monitor.history import pick_step

HTML = """<div class="gs-live">
<div class="gs-live-readout"></div>
<div style="display: flex; gap: 1rem; align-items: flex-start">
<div class="gs-live-charts" style="flex: 3 1 0; min-width: 0"></div>
<div class="gs-live-picture" style="flex: 2 1 0; min-width: 0"></div>
</div>
<div style="display: flex; gap: 1rem">
<div class="gs-live-explanations" style="flex: 3 1 0; min-width: 0"></div>
<div style="flex: 2 1 0"></div>
</div>
<div class="gs-live-quality"></div>
</div>"""

# One poll loop per component on the page: Streamlit calls this function again when the page is
# redrawn with new data, and does not always call the cleanup it returned first (seen in 1.67), so
# each call stops the loop the previous one left on the element. A loop also ends when its element
# leaves the page, or when it asks for a page redraw. A failed request (server busy or restarting)
# is simply retried at the next tick.
JS = """
export default function ({ parentElement, data, setTriggerValue }) {
  const part = (name) => parentElement.querySelector(".gs-live-" + name);
  // The parts this page was drawn with (drawing.py): the feed sends the same ones while the
  // drawing stays; null means "as shown" (or, on a paused run's page, "not this script's").
  const names = ["readout", "charts", "picture", "quality"];
  const parts = names.filter((name) => data.state[name] !== null);
  let shownPicture = -1;
  let shownQuality = -1;
  let every = data.state.every;
  let stopped = false;
  let timer = null;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };
  if (parentElement.gsStopFeed) parentElement.gsStopFeed();
  parentElement.gsStopFeed = stop;
  const paint = (state) => {
    for (const name of parts) {
      if (state[name] !== null) part(name).innerHTML = state[name];
    }
    shownPicture = state.picture_step;
    shownQuality = state.quality_count;
    every = state.every;
  };
  const poll = async () => {
    if (stopped || !parentElement.isConnected) return;
    try {
      const query = new URLSearchParams({
        viewer: data.viewer, picture_step: shownPicture, quality_count: shownQuality, every });
      if (data.token) query.set("token", data.token);  // only where watching needs the password
      const response = await fetch(data.url + "?" + query, { cache: "no-store" });
      if (response.status === 404 || response.status === 403) {
        // deleted (the page says so when redrawn), or no longer allowed (the page asks for the
        // password when redrawn)
        setTriggerValue("changed", response.status === 404 ? "gone" : "refused");
        return;
      }
      if (response.ok) {
        const state = await response.json();
        if (stopped) return;
        paint(state);  // first: a just-started run's first numbers show before the page redraw
        if (state.key !== data.state.key) {
          setTriggerValue("changed", state.key);  // the rest of the page changed: redraw it whole
          return;
        }
      }
    } catch (error) {
      // no answer this time; the next tick asks again
    }
    if (!stopped) timer = setTimeout(poll, every * 1000);
  };
  // A click on a chart with a step axis (gancore/charts/svg_chart.py's data-step-*) asks for that step's picture
  // (history.py); one handler per element, replaced at each call.
  parentElement.onclick = (event) => {
    const svg = event.target.closest("svg[data-step-lo]");
    if (!svg) return;
    const box = svg.getBoundingClientRect();
    const d = svg.dataset;
    const x = ((event.clientX - box.left) / box.width) * Number(d.width);
    const share = (x - Number(d.plotLeft)) / Number(d.plotWidth);
    if (share < 0 || share > 1) return;
    const lo = Number(d.stepLo), hi = Number(d.stepHi);
    setTriggerValue("picked", Math.round(lo + share * (hi - lo)));
  };
  // The element outlives a page redraw: what an earlier drawing painted into it goes first.
  for (const name of names) if (!parts.includes(name)) part(name).innerHTML = "";
  part("explanations").innerHTML = data.explanations === null ? "" : data.explanations;
  paint(data.state);
  timer = setTimeout(poll, every * 1000);
  return stop;
}
"""

_live_feed = st.components.v2.component("gs_live_feed", html=HTML, js=JS, isolate_styles=False)


def show_feed(run_id: str, url: str, viewer: str, state: dict, explanations: str | None) -> None:
    """`state`: live_part.live_state(...) as the page is drawn; `url`: the run's feed;
    `explanations`: the charts' explanations as HTML (they do not change), None where the page
    drew them itself. A session that unlocked with the owner password hands its script the
    feed's token too (dashboard/access.py), which the feed asks for when watching needs it."""
    _live_feed(data={"url": url, "viewer": viewer, "token": feed_token(viewer), "state": state,
                     "explanations": explanations},
               key="gs-live-feed", on_changed_change=lambda: None,
               on_picked_change=lambda: pick_step(run_id, _trigger("gs-live-feed", "picked")))


def _trigger(key: str, name: str):
    value = st.session_state.get(key)
    return getattr(value, name, None) if not isinstance(value, dict) else value.get(name)
