"""Research exports of a workshop: CSV, XLSX, JSON and a Frictionless data package.

Every format is made from the same tables (`tables.py`), which are made from the same rows and
results as the API's /results, so all of them agree. Column names are English in every language;
the codebook (docs/results.md, the README sheet, the package's descriptions) explains each one.
A study's export (`study.py`) stacks its workshops' tables and adds the study's own.
"""
