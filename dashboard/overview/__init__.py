"""The centre's overview: the city's figures as tiles that open the cases behind them, trends by day and by month,
the open cases on a map, the wards shaded by their open or overdue cases, the agencies ranked by overdue cases; the
centre's table of every agency's figures; and the monthly report for the province's leaders (dashboard/
monthly_report.py).

- selectors.py: what the pages show, read from the statistics rollups (reports/rollups/read.py) wherever a rollup
  holds it; the figures by day are the one live count (a bounded, indexed read of the last 30 days).
- cameras.py: the camera figures.
- heatmap.py: the wards drawn as SVG on the server, shaded by a figure.
- views.py: the pages, the map's data, the exports and the PDF.
"""
