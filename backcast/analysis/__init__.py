"""Results: the statistics, scores and ranks that every view and export shows.

Pure functions over plain rows (`data.load_workshop` reads them); no web imports. The methods are
described for researchers in docs/results.md.
"""
