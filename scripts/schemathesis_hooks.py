"""Loaded by scripts/schemathesis.sh through SCHEMATHESIS_HOOKS.

Works around a crash of the tool itself, not of the API: on Python 3.11, hypothesis' description
of a filter lambda parses a large module with `ast` and CPython can raise SystemError
("AST constructor recursion depth mismatch"), which aborts schemathesis' coverage phase for an
operation before any request is sent. The description is only a label; fall back to a plain one.
"""

import hypothesis.internal.lambda_sources as lambda_sources

_describe = lambda_sources._lambda_description


def _describe_or_placeholder(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _describe_or_placeholder
