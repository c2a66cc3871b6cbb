"""Cassette tools: redaction hooks, a JSON matcher, ``yaml.gz`` files, a secret scan.

Everything here works on vcrpy's data (requests with ``method``, ``uri``,
``body`` and ``headers``; responses as ``{"status", "headers", "body"}``
dicts) without importing vcrpy at import time, so the module loads even
where vcrpy is not installed. The pytest plugin
(`langchain_openrouter_free.testing.pytest_plugin`) wires it into
pytest-recording; `build_vcr_config` and `register` also serve plain vcrpy::

    import vcr
    from langchain_openrouter_free.testing.cassettes import (
        build_vcr_config,
        register,
    )

    recorder = vcr.VCR()
    register(recorder)
    with recorder.use_cassette("chat.yaml.gz", **build_vcr_config()):
        ...

The secret scan is also a command::

    python -m langchain_openrouter_free.testing.cassettes tests/cassettes
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Self
from urllib.parse import urlsplit, urlunsplit

import yaml  # type: ignore[import-untyped, unused-ignore]

from langchain_openrouter_free.errors import redact_secrets
from langchain_openrouter_free.testing._cassette_scan import (
    ACCOUNT_ID_PATTERNS,
    CASSETTE_SUFFIXES,
    SECRET_PATTERNS,
    assert_no_secrets,
    find_secrets,
    iter_cassette_files,
    scan_cassette_for_secrets,
)
from langchain_openrouter_free.testing._codecs import decode_content
from langchain_openrouter_free.testing._normalize import (
    canonical_body,
    normalize_json_body,
    replace_uuids,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "ACCOUNT_ID_KEYS",
    "ACCOUNT_ID_PATTERNS",
    "CASSETTE_SUFFIXES",
    "KEPT_REQUEST_HEADERS",
    "KEPT_RESPONSE_HEADERS",
    "MATCHER_NAME",
    "MATCH_ON",
    "SECRET_PATTERNS",
    "SERIALIZER_NAME",
    "RequestScrubber",
    "ResponseScrubber",
    "YamlGzPersister",
    "YamlGzSerializer",
    "assert_no_secrets",
    "build_vcr_config",
    "find_secrets",
    "is_failed_attempt",
    "iter_cassette_files",
    "json_body_matcher",
    "load_cassette_data",
    "main",
    "normalize_json_body",
    "redact_text",
    "register",
    "scan_cassette_for_secrets",
    "uses_yaml_gz",
]

SERIALIZER_NAME: Final = "yaml.gz"
"""The serializer name and file suffix (without the dot) of our cassettes."""
MATCHER_NAME: Final = "openrouter_json_body"
"""The name `json_body_matcher` is registered under."""
MATCH_ON: Final = ("method", "path", "query", MATCHER_NAME)
"""Host-agnostic matching: method, URL path, query and normalized JSON body."""

KEPT_REQUEST_HEADERS: Final = frozenset({"accept", "content-type"})
"""Request headers written to cassettes; every other one is dropped
(``Authorization``, cookies, ``X-API-Key``, ``HTTP-Referer``, ``X-Title``,
``X-OpenRouter-Title``, ``User-Agent``, ...)."""
KEPT_RESPONSE_HEADERS: Final = frozenset(
    {
        "content-type",
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    }
)
"""Response headers written to cassettes. ``content-type`` must stay: httpx-sse
refuses a stream without ``text/event-stream``; the rate-limit headers let
recorded 429s replay faithfully. Cookies, request and generation ids, and
provider or edge headers are dropped."""

ACCOUNT_ID_KEYS: Final = frozenset(
    {
        "user_id",
        "creator_user_id",
        "workspace_id",
        "organization_id",
        "org_id",
        "app_id",
        "account_id",
        "owner_id",
    }
)
"""JSON keys whose string values are blanked in every body: they name the
account, workspace or organization that recorded. Inside a ``{"data": {...}}``
object (``/key``, ``/auth/key``, ``/credits``, ``/generation``) every
``*_id`` value is blanked except ``tool_call_id`` and ``generation_id``."""

REDACTED: Final = "REDACTED"
_LOADED_MARK: Final = "__openrouter_free_loaded__"
_FIRST_ERROR_STATUS: Final = 400
_JSON_STRING: Final = r'"(?:[^"\\]|\\.)*"'
_ACCOUNT_ID_VALUE: Final = re.compile(
    r'("(?:' + "|".join(sorted(ACCOUNT_ID_KEYS)) + r')"\s*:\s*)' + _JSON_STRING
)
_ANY_ID_VALUE: Final = re.compile(
    r'("(?!(?:tool_call|generation)_id")[A-Za-z0-9_]*_id"\s*:\s*)' + _JSON_STRING
)
_ENCODING_HEADERS: Final = frozenset({"content-encoding", "content-length"})
_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_NOT_JSON: Final = object()


# ----------------------------------------------------------------------------
# Redaction
# ----------------------------------------------------------------------------


def _is_data_object(text: str) -> bool:
    """Whether ``text`` is a ``{"data": {...}}`` JSON body (``/key`` and kin)."""
    if not text.lstrip().startswith("{") or '"data"' not in text:
        return False
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    return isinstance(parsed, dict) and isinstance(parsed.get("data"), dict)


def redact_text(text: str) -> str:
    """Replace key-like text and account ids in ``text``.

    Args:
        text: Any text, typically a request or response body.

    Returns:
        The text passed through `langchain_openrouter_free.errors.redact_secrets`
        (every `SECRET_PATTERNS` and `ACCOUNT_ID_PATTERNS` match and URL
        credentials replaced by ``REDACTED``), the string values of `ACCOUNT_ID_KEYS`
        blanked, and, in a ``{"data": {...}}`` body, every ``*_id`` string
        value but ``tool_call_id`` / ``generation_id`` blanked.
    """
    text = redact_secrets(text, replacement=REDACTED)  # the package's one rule
    ids = _ANY_ID_VALUE if _is_data_object(text) else _ACCOUNT_ID_VALUE
    return ids.sub(rf'\g<1>"{REDACTED}"', text)


def _map_body_text(body: Any, transform: Callable[[str], str]) -> Any:
    """Apply ``transform`` to a body; bytes stay bytes, even if not UTF-8.

    Bytes that are not UTF-8 are read with ``surrogateescape``, so the text
    around them is transformed too and the other bytes come back unchanged.
    """
    if isinstance(body, bytes):
        text = body.decode("utf-8", errors="surrogateescape")
        changed = transform(text)
        return body if changed == text else changed.encode("utf-8", "surrogateescape")
    if isinstance(body, str):
        return transform(body)
    return body


def _encoding_of(headers: Mapping[str, Any]) -> str:
    """The ``Content-Encoding`` of vcrpy response headers (values are lists)."""
    for name, value in headers.items():
        if name.lower() == "content-encoding":
            values = value if isinstance(value, list) else [value]
            return ", ".join(str(v) for v in values)
    return ""


def _redact_body(body: Any) -> Any:
    return _map_body_text(body, redact_text)


def _stable_body(body: Any) -> Any:
    return _map_body_text(body, replace_uuids)


def _normalize_uri(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.hostname in _LOOPBACK_HOSTS and parts.port is not None:
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        return urlunsplit(parts._replace(netloc=host))
    return uri


class RequestScrubber:
    """vcrpy ``before_record_request`` hook: what of a request is kept.

    vcrpy runs it on a copy of every request, when recording *and* when
    matching a live request against a cassette, so both sides look alike.
    Only `KEPT_REQUEST_HEADERS` survive; key-like text in the body is
    redacted; UUIDs in the body (random tool-call ids in few-shot examples)
    become ``<uuid>``, as the matcher compares them anyway; a loopback URL
    (such as FakeOpenRouter's) loses its ephemeral port. Re-recordings of the
    same requests therefore give the same bytes.
    """

    def __init__(self, *, keep_headers: Iterable[str] = KEPT_REQUEST_HEADERS) -> None:
        """Create the hook.

        Args:
            keep_headers: Request header names (any case) to keep.
        """
        self.keep_headers = frozenset(name.lower() for name in keep_headers)

    def __call__(self, request: Any) -> Any:
        """Scrub one vcrpy request in place.

        Args:
            request: A ``vcr.request.Request`` (already a copy).

        Returns:
            The same request.
        """
        for name in list(request.headers):
            if name.lower() not in self.keep_headers:
                del request.headers[name]
        request.uri = redact_text(_normalize_uri(request.uri))
        request.body = _stable_body(_redact_body(request.body))
        return request


def _text_of(body: Any) -> str:
    if isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return body if isinstance(body, str) else ""


def _carries_error(payload: Any) -> bool:
    """A top-level ``error``, or a choice with an ``error`` (generation failed)."""
    if not isinstance(payload, dict):
        return False
    if payload.get("error") is not None:
        return True
    choices = payload.get("choices")
    return isinstance(choices, list) and any(
        isinstance(c, dict) and c.get("error") is not None for c in choices
    )


def _sse_payloads(text: str) -> Iterable[Any]:
    for line in text.splitlines():
        if line.startswith("data:") and '"error"' in line:
            try:
                yield json.loads(line[len("data:") :])
            except ValueError:
                continue


def is_failed_attempt(response: Mapping[str, Any]) -> bool:
    """Whether a vcrpy response dict is a failed attempt.

    Failed: a status >= 400; or a 200 whose JSON body carries an ``error``
    (``{"error": ...}`` without choices, or a choice that failed), or whose
    SSE stream has an event with a top-level ``error`` (a failure after the
    answer started). OpenRouter sends both with status 200, and the client
    retries or raises on them exactly as on an error status.

    Args:
        response: ``{"status": {"code", "message"}, "headers", "body"}``.

    Returns:
        True for a failed attempt.
    """
    if int(response["status"]["code"]) >= _FIRST_ERROR_STATUS:
        return True
    text = _text_of(response.get("body"))
    if '"error"' not in text:
        return False
    if text.lstrip().startswith("{"):
        parsed = _parse_json(text)
        return parsed is not _NOT_JSON and _carries_error(parsed)
    return any(_carries_error(payload) for payload in _sse_payloads(text))


class ResponseScrubber:
    """vcrpy ``before_record_response`` hook: what of a response is kept.

    Failed attempts are not recorded unless ``record_errors`` says so: with
    ``allow_playback_repeats`` the first recorded answer to a request always
    replays, so a recorded 429 followed by a successful retry would replay as
    a 429 forever. A failed attempt is a status >= 400, or a 200 that carries
    an error (see `is_failed_attempt`). Only `KEPT_RESPONSE_HEADERS` survive,
    and key-like text and account ids in the body are redacted.

    vcrpy also runs this hook on every response loaded from a cassette;
    responses loaded by `YamlGzPersister` carry a mark and are kept as they
    are, so a cassette that holds an error replays it whatever the setting.
    """

    def __init__(
        self,
        *,
        record_errors: bool | Callable[[], bool] = False,
        keep_headers: Iterable[str] = KEPT_RESPONSE_HEADERS,
    ) -> None:
        """Create the hook.

        Args:
            record_errors: Record responses with status >= 400; a callable is
                asked on every response (the plugin's per-test switch).
            keep_headers: Response header names (any case) to keep.
        """
        self.record_errors = record_errors
        self.keep_headers = frozenset(name.lower() for name in keep_headers)

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """Return self, not a copy.

        pytest-recording deep-copies ``vcr_config`` for every test; a copy
        would freeze a ``record_errors`` switch that is read per response.

        Args:
            memo: ``copy.deepcopy``'s memo (unused).

        Returns:
            This hook.
        """
        return self

    def records_errors(self) -> bool:
        """Whether a failed response would be recorded right now.

        Returns:
            The current value of ``record_errors``.
        """
        if callable(self.record_errors):
            return bool(self.record_errors())
        return self.record_errors

    def __call__(self, response: dict[str, Any]) -> dict[str, Any] | None:
        """Scrub one vcrpy response dict, or drop it.

        Args:
            response: ``{"status": {"code", "message"}, "headers", "body"}``.

        Returns:
            The scrubbed response, or None to record nothing.
        """
        if response.pop(_LOADED_MARK, False):
            return response
        if is_failed_attempt(response) and not self.records_errors():
            return None
        headers = response.get("headers", {})
        body = response.get("body")
        if isinstance(body, dict) and isinstance(body.get("string"), bytes):
            body["string"] = decode_content(body["string"], _encoding_of(headers))
        response["headers"] = {
            name: value
            for name, value in headers.items()
            if name.lower() in self.keep_headers
            and name.lower() not in _ENCODING_HEADERS  # the body is stored decoded
        }
        if isinstance(body, dict) and "string" in body:
            body["string"] = _redact_body(body["string"])
        return response


# ----------------------------------------------------------------------------
# Matching
# ----------------------------------------------------------------------------


def _body_text(request: Any) -> str:
    body = request.body
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return str(body)


def _parse_json(text: str) -> Any:
    if not text.strip():
        return _NOT_JSON
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON


def _first_difference(left: Any, right: Any, where: str = "$") -> str | None:
    if isinstance(left, dict) and isinstance(right, dict):
        return _first_dict_difference(left, right, where)
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{where}: {len(left)} items != {len(right)} items"
        pairs = zip(left, right, strict=True)
        found = (
            _first_difference(a, b, f"{where}[{i}]") for i, (a, b) in enumerate(pairs)
        )
        return next((d for d in found if d), None)
    if left != right:
        return f"{where}: {left!r:.200} != {right!r:.200}"
    return None


def _first_dict_difference(
    left: dict[Any, Any], right: dict[Any, Any], where: str
) -> str | None:
    for key in sorted(set(left) | set(right), key=str):
        if key not in left or key not in right:
            return f"{where}.{key}: present on one side only"
        found = _first_difference(left[key], right[key], f"{where}.{key}")
        if found:
            return found
    return None


def json_body_matcher(r1: Any, r2: Any) -> None:
    """Match bodies that are equal after parsing and `normalize_json_body`.

    A vcrpy matcher. Bodies that are not JSON must be equal as text.

    Args:
        r1: The live request.
        r2: A recorded request.

    Raises:
        AssertionError: With the first differing JSON path, if they differ.
    """
    text1, text2 = _body_text(r1), _body_text(r2)
    if text1 == text2:
        return
    json1, json2 = _parse_json(text1), _parse_json(text2)
    if json1 is _NOT_JSON or json2 is _NOT_JSON:
        msg = f"bodies differ (not JSON): {text1[:200]!r} != {text2[:200]!r}"
        raise AssertionError(msg)
    difference = _first_difference(
        normalize_json_body(json1), normalize_json_body(json2)
    )
    if difference:
        msg = f"JSON bodies differ at {difference}"
        raise AssertionError(msg)


# ----------------------------------------------------------------------------
# The yaml.gz format (the one langchain-tests' CustomSerializer reads and writes)
# ----------------------------------------------------------------------------


def _request_to_dict(request: Any) -> dict[str, Any]:
    if isinstance(request, dict):
        return request
    return {
        "method": request.method,
        "uri": request.uri,
        "body": request.body,
        "headers": {name: [value] for name, value in request.headers.items()},
    }


def _without_mark(response: Any) -> Any:
    if isinstance(response, dict) and _LOADED_MARK in response:
        return {key: value for key, value in response.items() if key != _LOADED_MARK}
    return response


def _order_key(request: Mapping[str, Any]) -> tuple[str, str, str, bytes]:
    """What matching looks at (not the host), so matching requests tie."""
    body = request.get("body")
    raw = body.encode("utf-8") if isinstance(body, str) else body or b""
    parts = urlsplit(str(request.get("uri")))
    body_key = canonical_body(raw if isinstance(raw, bytes) else b"")
    return parts.path, parts.query, str(request.get("method")), body_key


class YamlGzSerializer:
    """Gzipped YAML, in the layout langchain-tests' ``CustomSerializer`` uses.

    ``{"requests": [{method, uri, body, headers}], "responses": [...]}``
    dumped with ``yaml.safe_dump`` (keys sorted; bytes become ``!!binary``)
    and gzipped with a zero timestamp, so the same interactions always give
    the same bytes. Interactions are ordered by request (URL, method,
    normalized body), keeping the recorded order among requests that match
    each other: concurrent requests (``batch``) are saved in the same order
    on every recording, and replay, which takes the first unplayed match,
    is unchanged. Cassettes written by either class load with the other.
    """

    @staticmethod
    def serialize(cassette_dict: Mapping[str, Any]) -> bytes:
        """Encode a cassette.

        Args:
            cassette_dict: vcrpy's ``{"requests": [...], "responses": [...]}``.

        Returns:
            The gzipped YAML bytes.
        """
        pairs = sorted(
            zip(
                [_request_to_dict(r) for r in cassette_dict["requests"]],
                [_without_mark(r) for r in cassette_dict["responses"]],
                strict=True,
            ),
            key=lambda pair: _order_key(pair[0]),
        )
        data = {
            "requests": [request for request, _ in pairs],
            "responses": [response for _, response in pairs],
        }
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=True)
        return gzip.compress(text.encode("utf-8"), mtime=0)

    @staticmethod
    def deserialize(data: bytes) -> dict[str, Any]:
        """Decode a cassette, turning requests back into vcrpy requests.

        Args:
            data: The gzipped YAML bytes.

        Returns:
            ``{"requests": [vcr.request.Request, ...], "responses": [...]}``.
        """
        from vcr.request import Request  # noqa: PLC0415 - vcrpy is optional

        cassette = load_cassette_data(data)
        cassette["requests"] = [Request(**r) for r in cassette["requests"]]
        return cassette


def load_cassette_data(data: bytes) -> dict[str, Any]:
    """Decode a ``yaml.gz`` cassette to plain data, without vcrpy.

    Args:
        data: The gzipped YAML bytes.

    Returns:
        ``{"requests": [dict, ...], "responses": [dict, ...]}``.

    Raises:
        ValueError: If the data is not a cassette in this layout.
    """
    loaded = yaml.safe_load(gzip.decompress(data).decode("utf-8"))
    if not isinstance(loaded, dict) or not {"requests", "responses"} <= set(loaded):
        msg = "not a yaml.gz cassette (expected 'requests' and 'responses')"
        raise ValueError(msg)
    return loaded


class YamlGzPersister:
    """vcrpy persister for `YamlGzSerializer` files (binary, not text).

    Other serializers are handed to vcrpy's ``FilesystemPersister``. Extra
    cassettes named in ``@pytest.mark.vcr("other.yaml.gz")`` are loaded too,
    as pytest-recording's own persister does; new interactions are saved
    only to the test's cassette.

    Responses loaded from a ``yaml.gz`` cassette carry an internal mark that
    tells `ResponseScrubber` to keep them as they are; the scrubber removes
    it, and no file this persister writes ever contains it.
    """

    def __init__(self, extra_paths: Iterable[str] = ()) -> None:
        """Create the persister.

        Args:
            extra_paths: Further cassette files to load (read-only).
        """
        self.extra_paths = list(extra_paths)

    def load_cassette(
        self, cassette_path: str | Path, serializer: Any
    ) -> tuple[list[Any], list[Any]]:
        """Load a cassette and the extra ones.

        Args:
            cassette_path: The test's cassette file.
            serializer: The serializer vcrpy picked from the config.

        Returns:
            ``(requests, responses)``.

        Raises:
            CassetteNotFoundError: If none of the files exists (vcrpy then
                records, or refuses to in record mode ``none``).
        """
        from vcr.persisters.filesystem import (  # noqa: PLC0415
            CassetteNotFoundError,
            FilesystemPersister,
        )

        requests: list[Any] = []
        responses: list[Any] = []
        for path in dict.fromkeys([str(cassette_path), *self.extra_paths]):
            if not Path(path).is_file():
                continue
            if isinstance(serializer, YamlGzSerializer):
                cassette = serializer.deserialize(Path(path).read_bytes())
                requests.extend(cassette["requests"])
                marked = ({**r, _LOADED_MARK: True} for r in cassette["responses"])
                responses.extend(marked)
            else:
                loaded = FilesystemPersister.load_cassette(path, serializer)
                requests.extend(loaded[0])
                responses.extend(loaded[1])
        if not requests:
            msg = f"no cassette at {cassette_path}"
            raise CassetteNotFoundError(msg)
        return requests, responses

    @staticmethod
    def save_cassette(
        cassette_path: str | Path, cassette_dict: dict[str, Any], serializer: Any
    ) -> None:
        """Write a cassette, creating its folder.

        Args:
            cassette_path: The file to write.
            cassette_dict: vcrpy's ``{"requests": [...], "responses": [...]}``.
            serializer: The serializer vcrpy picked from the config.
        """
        if not isinstance(serializer, YamlGzSerializer):
            from vcr.persisters.filesystem import FilesystemPersister  # noqa: PLC0415

            clean = {
                **cassette_dict,
                "responses": [
                    _without_mark(r) for r in cassette_dict.get("responses", [])
                ],
            }
            FilesystemPersister.save_cassette(cassette_path, clean, serializer)
            return
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(serializer.serialize(cassette_dict))


def build_vcr_config(
    *,
    record_errors: bool | Callable[[], bool] = False,
    cassette_library_dir: str | Path | None = None,
) -> dict[str, Any]:
    """The vcrpy options our cassettes need (no ``record_mode``: see below).

    ``record_mode`` is left out on purpose: pytest-recording lets a config
    value beat ``--record-mode``, and its own default, ``none``, never
    touches the network.

    Args:
        record_errors: Record failed attempts (status >= 400, or an error
            inside a 200); see `ResponseScrubber`.
        cassette_library_dir: Where cassettes live; omitted when None.

    Returns:
        Keyword arguments for ``VCR.use_cassette`` (or pytest-recording's
        ``vcr_config``). Call `register` on the VCR object first.
    """
    config: dict[str, Any] = {
        "serializer": SERIALIZER_NAME,
        "match_on": list(MATCH_ON),
        "before_record_request": RequestScrubber(),
        "before_record_response": ResponseScrubber(record_errors=record_errors),
        "decode_compressed_response": True,
        "allow_playback_repeats": True,
    }
    if cassette_library_dir is not None:
        config["cassette_library_dir"] = str(cassette_library_dir)
    return config


def register(vcr: Any) -> None:
    """Register our serializer, persister and matcher on a ``vcr.VCR``.

    The persister keeps any extra cassette paths pytest-recording's own
    persister was given.

    Args:
        vcr: The ``vcr.VCR`` instance.
    """
    extra_paths = getattr(vcr.persister, "extra_paths", ())
    vcr.register_serializer(SERIALIZER_NAME, YamlGzSerializer())
    vcr.register_persister(YamlGzPersister(extra_paths))
    vcr.register_matcher(MATCHER_NAME, json_body_matcher)


def uses_yaml_gz(vcr: Any) -> bool:
    """Whether pytest-recording set this ``vcr.VCR`` up for ``yaml.gz`` files.

    pytest-recording builds the VCR's ``path_transformer`` from the active
    config's ``serializer`` (it appends ``.<serializer>``), so a probe path
    tells which serializer the test's cassette uses.

    Args:
        vcr: The ``vcr.VCR`` instance pytest-recording made for one test.

    Returns:
        True when cassette paths get the ``.yaml.gz`` suffix.
    """
    transformer = getattr(vcr, "path_transformer", None)
    if not callable(transformer):
        return False
    try:
        probe = str(transformer("probe"))
    except Exception:  # noqa: BLE001 - a foreign transformer: not ours
        return False
    return probe.endswith(f".{SERIALIZER_NAME}")


def main(argv: list[str] | None = None) -> int:
    """Scan cassettes from the command line.

    Args:
        argv: Files and directories (default: ``sys.argv[1:]``, else ``.``),
            optionally ``--keys-only`` to report keys but not account ids
            (for third-party recordings that keep them on purpose).

    Returns:
        0 when clean, 1 when something was found.
    """
    parser = argparse.ArgumentParser(
        prog="python -m langchain_openrouter_free.testing.cassettes",
        description="Scan cassettes for key-like text and account ids.",
    )
    parser.add_argument("paths", nargs="*", default=["."])
    parser.add_argument(
        "--keys-only", action="store_true", help="do not report account ids"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    targets = args.paths or ["."]
    try:
        assert_no_secrets(targets, account_ids=not args.keys_only)
    except AssertionError as error:
        sys.stderr.write(f"{error}\n")
        return 1
    count = sum(1 for _ in iter_cassette_files(targets))
    sys.stdout.write(f"{count} cassette file(s) scanned, no key-like text found\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
