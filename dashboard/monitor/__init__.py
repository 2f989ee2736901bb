"""Everything the Monitor page (views/monitor.py) is made of.

drawing.py     the one rule: how a run is drawn for its state (live from the feed, or interactive)
controls.py    status, messages, Pause / Resume / Stop and the ways back (a fragment)
page.py        the run below the controls, as drawing.py says
live_part.py   a training run's live part as HTML, and the feed's state
feed.py        GET /api/live/<run id>: that state, polled by the page (mounted by dashboard/app.py)
feed_view.py   the browser script that polls the feed and swaps in the HTML the server built
figures.py     the run's charts, light or interactive, built once for all its viewers
quality_part.py, readout.py, html_text.py   the quality part, the progress readout, wording as HTML
audience.py    who watches which run, and so how often each page polls

The chart builders themselves are pure and live in components/ (charts.py, quality.py: plotly)
and gancore/charts/ (SVG, shared with the HTML reports): the Runs page draws quality figures too. Nothing is imported here: the server entry
imports feed.py before it listens, without loading torch or plotly.
"""
