"""Decoding text files: UTF-8/UTF-16 with or without BOM, refusing binary data."""

from __future__ import annotations

from pipeline.errors import InputFileError


def decode_text(data: bytes, name: str) -> str:
    """Unicode text with `\\n` line ends, or a clear refusal naming the file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data[:4096]:
            raise InputFileError(name, "binary data, not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise InputFileError(
                name, f"not UTF-8 text (undecodable byte at offset {err.start})"
            ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
