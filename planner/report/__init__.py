"""Reports of a comparison: the output workbook and the summary JSON."""
