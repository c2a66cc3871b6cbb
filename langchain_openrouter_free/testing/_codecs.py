"""Content codings a recorded body may arrive in: gzip, deflate, br and zstd.

A cassette stores the body as the server sent it; a compressed body hides any
key in it from redaction and from the secret scan. `decode_content` undoes
what the ``Content-Encoding`` header names, so the cassette can store the
decoded body instead (and drop the header); `sniff_decode` recognises a
compressed body whose header was already dropped, for the scan.

gzip and deflate come from the standard library; br and zstd from the
``brotli`` and ``zstandard`` packages (the ``testing`` extra), the same ones
httpx itself decodes with. Their public APIs are used rather than httpx's
private ``httpx._decoders``.
"""

from __future__ import annotations

import contextlib
import zlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["CassetteDecodeError", "decode_content", "sniff_decode"]

_ZSTD_MAGIC: Final = b"\x28\xb5\x2f\xfd"
_GZIP_MAGIC: Final = b"\x1f\x8b"


class CassetteDecodeError(ValueError):
    """A recorded body could not be decoded, so it could not be redacted."""


def _inflate(data: bytes, wbits: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    return decoder.decompress(data) + decoder.flush()


def _deflate(data: bytes) -> bytes:
    try:
        return _inflate(data, zlib.MAX_WBITS)
    except zlib.error:
        return _inflate(data, -zlib.MAX_WBITS)  # raw deflate, no zlib header


def _brotli(data: bytes) -> bytes:
    try:
        import brotli  # type: ignore[import-not-found, import-untyped, unused-ignore]  # noqa: PLC0415
    except ImportError as exc:
        msg = "a 'br' body needs the brotli package (the testing extra) to be redacted"
        raise CassetteDecodeError(msg) from exc
    return bytes(brotli.decompress(data))


def _zstd(data: bytes) -> bytes:
    try:
        import zstandard  # noqa: PLC0415
    except ImportError as exc:
        msg = "a 'zstd' body needs the zstandard package (the testing extra)"
        raise CassetteDecodeError(msg) from exc
    decoder = zstandard.ZstdDecompressor().decompressobj()
    return bytes(decoder.decompress(data))


_DECODERS: Final[dict[str, Callable[[bytes], bytes]]] = {
    "gzip": lambda data: _inflate(data, 16 + zlib.MAX_WBITS),
    "x-gzip": lambda data: _inflate(data, 16 + zlib.MAX_WBITS),
    "deflate": _deflate,
    "br": _brotli,
    "zstd": _zstd,
    "identity": lambda data: data,
}


def decode_content(body: bytes, content_encoding: str) -> bytes:
    """Undo every coding ``content_encoding`` lists (the last applied first).

    Args:
        body: The body as sent.
        content_encoding: The ``Content-Encoding`` header value ("" for none).

    Returns:
        The decoded body.

    Raises:
        CassetteDecodeError: An unknown coding, a missing decoder package, or
            a body that does not decode.
    """
    names = [n.strip().lower() for n in content_encoding.split(",") if n.strip()]
    for name in reversed(names):
        decoder = _DECODERS.get(name)
        if decoder is None:
            msg = f"unknown Content-Encoding {name!r}: the body cannot be redacted"
            raise CassetteDecodeError(msg)
        try:
            body = decoder(body)
        except CassetteDecodeError:
            raise
        except Exception as exc:  # zlib.error, brotli.error, ZstdError
            msg = f"the {name!r} body does not decode ({type(exc).__name__})"
            raise CassetteDecodeError(msg) from exc
    return body


def sniff_decode(body: bytes) -> bytes:
    """Decode a body that looks compressed though no header says so.

    gzip and zstd are told by their magic bytes; a body that is not UTF-8
    is tried as brotli and deflate. Anything else comes back unchanged.

    Args:
        body: Bytes from a cassette.

    Returns:
        The decoded bytes, or ``body``.
    """
    guesses = ["gzip"] if body.startswith(_GZIP_MAGIC) else []
    guesses += ["zstd"] if body.startswith(_ZSTD_MAGIC) else []
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        guesses += ["br", "deflate"]
    for name in guesses:
        with contextlib.suppress(CassetteDecodeError):
            return decode_content(body, name)
    return body
