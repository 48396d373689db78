"""The scan generator: Vietnamese administrative text laid out, painted and degraded.

`scan_text(text, level=, seed=)` gives a `Scan` (page images and ground-truth lines);
`write_scan(scan, path)` writes the PDF with `.gt.txt` and `.gt.json` beside it.
"""

from corpus.scangen.degrade import LEVELS, ScanLevel
from corpus.scangen.scan import GroundLine, Scan, ScannedPage, scan_text
from corpus.scangen.writer import write_scan

__all__ = ["LEVELS", "GroundLine", "Scan", "ScanLevel", "ScannedPage", "scan_text", "write_scan"]
