"""Validate a stream of raw records, spread over worker processes when the file is large."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

from mailer.contacts.readers import RawRecord
from mailer.contacts.records import ContactData, validate_record
from mailer.contacts.regions import Taxonomy
from mailer.errors import DataError, Location

__all__ = ["PARALLEL_MIN_BYTES", "Result", "validate_records"]

# Below this a pool costs more than it saves (start-up ~50 ms); above it, validation (phone
# numbers above all) is most of an import's time and splits well over the cores.
PARALLEL_MIN_BYTES = 2_000_000
_CHUNK = 4000

Result = tuple[int, ContactData | list[DataError]]
_ErrorTuple = tuple[str, str | None, int | None, str | None]
_WireResult = tuple[int, ContactData | list[_ErrorTuple]]
_context: tuple[str, Taxonomy, tuple[str, ...]] | None = None


def _init(file: str, taxonomy: Taxonomy, regions: tuple[str, ...]) -> None:
    global _context  # per-worker state, set once by the pool initializer
    _context = (file, taxonomy, regions)


def _validate_chunk(chunk: Sequence[RawRecord]) -> list[_WireResult]:
    assert _context is not None
    file, taxonomy, regions = _context
    out: list[_WireResult] = []
    for raw in chunk:
        result = validate_record(raw, file, taxonomy, regions)
        if isinstance(result, list):
            # Exceptions lose their Location when pickled; send plain tuples instead.
            errors = [(e.message, *_where(e.location)) for e in result]
            out.append((raw.line, errors))
        else:
            out.append((raw.line, result))
    return out


def _where(location: Location | None) -> tuple[str | None, int | None, str | None]:
    if location is None:
        return None, None, None
    return location.file, location.line, location.field


def _unwire(item: _WireResult) -> Result:
    line, result = item
    if isinstance(result, ContactData):
        return line, result
    return line, [DataError(msg, Location(f, ln, fld)) for msg, f, ln, fld in result]


def _chunks(records: Iterable[RawRecord]) -> Iterator[list[RawRecord]]:
    it = iter(records)
    while chunk := list(islice(it, _CHUNK)):
        yield chunk


def validate_records(
    records: Iterable[RawRecord],
    file: str,
    taxonomy: Taxonomy,
    regions: Sequence[str],
    parallel: bool,
) -> Iterator[Result]:
    """(line, data or errors) for every record, in file order."""
    workers = min(os.cpu_count() or 1, 8)
    if not parallel or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for raw in records:
            yield raw.line, validate_record(raw, file, taxonomy, regions)
        return
    # fork: workers inherit the loaded modules and the taxonomy instead of re-importing them.
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init, initargs=(file, taxonomy, tuple(regions))
    ) as pool:
        for chunk in pool.map(_validate_chunk, _chunks(records)):
            for item in chunk:
                yield _unwire(item)
