"""Charts without a browser library: SVG line charts, the lines a run's charts draw, and quality
measures in words. Used by the live Monitor and by the HTML reports (gancore/report/)."""
