"""Loaded by scripts/schemathesis.sh through SCHEMATHESIS_HOOKS. Two adjustments to the tool itself,
neither to what it checks.

1. Works around a crash of the tool, not of the API: on Python 3.11, hypothesis' description of a
   filter lambda parses a large module with `ast` and CPython can raise SystemError ("AST
   constructor recursion depth mismatch"), which aborts schemathesis' coverage phase for an
   operation before any request is sent. The description is only a label; fall back to a plain one.

2. Tells the coverage phase that our `uri` and `date-time` patterns imply their format. For a
   string with a format, the phase tries to draw a value that matches the pattern and breaks the
   format. Every value our URL pattern (`^https?://host[:port][/path][?query][#fragment]$`, RFC 3986
   characters only) and our RFC 3339 pattern admit is a valid `uri` / `date-time`, so no such value
   exists; the tool knows that only for formats it has probes for (uuid, date) and otherwise spends
   4-12 s per field failing to find one, without caching the failure: about 90 s of a 112 s
   coverage phase, 9 fields. The probes below work as the tool's own do: the format is taken as
   implied only if a valid value matches the pattern and none of the near misses (all invalid for
   the format) does, so a looser pattern still gets its negative case. Checked once: with this part
   removed, the coverage phase is back to ~112 s and finds nothing more.
"""

import hypothesis.internal.lambda_sources as lambda_sources
import schemathesis.specs.openapi.coverage._schema as coverage_schema

_describe = lambda_sources._lambda_description


def _describe_or_placeholder(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _describe_or_placeholder

# A private table of the pinned version (scripts/schemathesis-requirements.txt): fail loudly on an
# upgrade that drops it rather than let the coverage phase quietly slow down again.
if not isinstance(getattr(coverage_schema, "_FORMAT_PROBES", None), dict):
    raise RuntimeError("schemathesis_hooks: _FORMAT_PROBES is gone; review hook 2 for this version")

coverage_schema._FORMAT_PROBES.setdefault(
    "uri",
    (
        ("https://example.com/a?b=c#d", "http://example.com"),
        (
            "https://exa mple.com",
            "https://example.com/a b",
            "https://example.com/%zz",
            "http://[::1",
            "https://example.com/<x>",
            "http://example.com/a\\b",
            'https://example.com/a"b',
            "https://example.com/{x}",
        ),
    ),
)
coverage_schema._FORMAT_PROBES.setdefault(
    "date-time",
    (
        ("2024-01-31T10:00:00Z", "2024-02-29T23:59:59.5+01:00"),
        (
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-04-31T10:00:00Z",
            "2024-01-31T24:00:00Z",
            "2024-01-31T10:60:00Z",
            "2024-01-31T10:00:00",
            "2024-01-31T10:00:00+24:00",
            "x2024-01-31T10:00:00Z",
            "2024-01-31T10:00:00Zx",
        ),
    ),
)
