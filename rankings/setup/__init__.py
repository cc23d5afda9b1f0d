"""A new province sets itself up in the staff pages: agencies, criteria sets, staff, history.

Each import here reads a spreadsheet as people already keep it (`tables`), checks every
row and reports problems by row and column, shows a preview, and applies all or nothing.
"""
