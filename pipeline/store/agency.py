"""The agency normaliser the store matches `responsible` with.

`pipeline.agencies.normalize_agency` is the project's one normaliser; until it exists
this module falls back to expanding the common abbreviations itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.vietnamese import nfc

_ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "KH&CN": "Khoa học và Công nghệ",
    "KHCN": "Khoa học và Công nghệ",
    "KH&ĐT": "Kế hoạch và Đầu tư",
    "KHĐT": "Kế hoạch và Đầu tư",
    "TT&TT": "Thông tin và Truyền thông",
    "TTTT": "Thông tin và Truyền thông",
    "GD&ĐT": "Giáo dục và Đào tạo",
    "GDĐT": "Giáo dục và Đào tạo",
    "NN&PTNT": "Nông nghiệp và Phát triển nông thôn",
    "NN&MT": "Nông nghiệp và Môi trường",
    "TN&MT": "Tài nguyên và Môi trường",
    "TNMT": "Tài nguyên và Môi trường",
    "LĐ-TB&XH": "Lao động - Thương binh và Xã hội",
    "LĐTBXH": "Lao động - Thương binh và Xã hội",
    "VH,TT&DL": "Văn hóa, Thể thao và Du lịch",
    "VHTTDL": "Văn hóa, Thể thao và Du lịch",
    "GTVT": "Giao thông vận tải",
}
_ABBREVIATION = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(k) for k in sorted(_ABBREVIATIONS, key=len, reverse=True))
    + r")(?!\w)",
    re.IGNORECASE,
)


def _expand_abbreviations(name: str) -> str:
    """The agency name with its abbreviations written out: `Sở KH&CN` → `Sở Khoa học và …`."""
    text = " ".join(nfc(name).split())
    return _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m[1].upper()], text)


normalize_agency: Callable[[str], str]
try:
    from pipeline.agencies import normalize_agency
except ImportError:
    normalize_agency = _expand_abbreviations
