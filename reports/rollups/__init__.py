"""Statistics rollups and the map's grid: figures kept up to date by workers, so that readers never aggregate cases.

- marks.py: which rollup rows and map cells a case counts in; an event marks them stale in its own transaction.
- figures.py: one rollup row computed again from the cases it counts.
- mapcells.py: the map's grid cells, computed again from the cases in them.
- refresh.py: the worker's loop that takes stale marks and computes what they name; and the rebuild of everything.
- read.py: what the transparency site and /agencies/ read.
"""
