"""Stand-in assets for recording offline: a small PNG, PDF and WAV, generated.

LangChain's standard integration suite downloads an image, a PDF and a WAV
file from public URLs. Recording those tests offline, `FakeOpenRouter`
answers a ``GET`` of any path outside ``/api/v1`` that ends in ``.png``,
``.pdf`` or ``.wav`` with one of these files, so a cassette records the
download under its real path (matching ignores the host) and replays it
without the network. The bytes are generated here, identical on every run,
and are valid files of their type; they are not the suite's originals.
"""

from __future__ import annotations

import functools
import io
import math
import struct
import wave
import zlib
from typing import Final

__all__ = ["STAND_IN_SUFFIXES", "stand_in_asset", "stand_in_pdf", "stand_in_png"]

_PNG_SIZE: Final = 16
_WAV_RATE: Final = 8000
_WAV_SECONDS: Final = 0.25
_WAV_HZ: Final = 440.0
_WAV_AMPLITUDE: Final = 8000


def stand_in_png() -> bytes:
    """A 16x16 RGB PNG (a colour gradient), the same bytes on every run.

    Returns:
        The PNG file.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    size = _PNG_SIZE
    rows = b"".join(
        b"\x00" + b"".join(bytes((16 * x, 16 * y, 128)) for x in range(size))
        for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def stand_in_pdf() -> bytes:
    """A one-page PDF 1.4 with one line of text and a correct xref table.

    Returns:
        The PDF file.
    """
    text = b"BT /F1 18 Tf 20 50 Td (FakeOpenRouter stand-in document) Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        (
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 400 100]"
            b"/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>"
        ),
        b"<</Length %d>>\nstream\n%s\nendstream" % (len(text), text),
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stand_in_wav() -> bytes:
    """A quarter second of a 440 Hz tone: 8 kHz, mono, 16-bit PCM (``wave``).

    Returns:
        The WAV file.
    """
    frames = round(_WAV_RATE * _WAV_SECONDS)
    samples = b"".join(
        struct.pack(
            "<h",
            round(_WAV_AMPLITUDE * math.sin(2 * math.pi * _WAV_HZ * i / _WAV_RATE)),
        )
        for i in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_WAV_RATE)
        out.writeframes(samples)
    return buffer.getvalue()


STAND_IN_SUFFIXES: Final = {
    ".png": ("image/png", stand_in_png),
    ".pdf": ("application/pdf", stand_in_pdf),
    ".wav": ("audio/wav", stand_in_wav),
}
"""File suffix -> (content type, generator) of the stand-in assets."""


@functools.cache
def _generated(suffix: str) -> bytes:
    return STAND_IN_SUFFIXES[suffix][1]()


def stand_in_asset(path: str) -> tuple[str, bytes] | None:
    """The stand-in for a download path, by its suffix.

    Args:
        path: A URL path, e.g. ``/wikipedia/commons/6/6a/Bird.wav``.

    Returns:
        ``(content type, bytes)``, or None when the suffix is not
        ``.png``, ``.pdf`` or ``.wav``.
    """
    lowered = path.lower()
    for suffix, (content_type, _) in STAND_IN_SUFFIXES.items():
        if lowered.endswith(suffix):
            return content_type, _generated(suffix)
    return None
