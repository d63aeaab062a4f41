"""gunicorn's optional access log with the same URL-secret masking as the application's own access line."""

from __future__ import annotations

from gunicorn.glogging import Logger

from makrx.logging import redact_path, redact_query


def _redact_uri(uri: str) -> str:
    path, sep, query = uri.partition("?")
    return f"{redact_path(path)}{sep}{redact_query(query)}"


def _redact_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep:
        return _redact_uri(url)
    host, slash, tail = rest.partition("/")
    return f"{scheme}{sep}{host}{_redact_uri(slash + tail) if slash else ''}"


class MaskedAccessLogger(Logger):
    """Masks calendar/invite tokens in paths and secret-named query values in ``%(r)s``, ``%(U)s``, ``%(q)s``, ``%(f)s``."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        method, _, rest = atoms["r"].partition(" ")
        uri, _, protocol = rest.rpartition(" ")
        atoms["r"] = f"{method} {_redact_uri(uri)} {protocol}"
        atoms["U"] = redact_path(atoms.get("U") or "")
        atoms["q"] = redact_query(atoms.get("q") or "")
        if atoms.get("f") not in (None, "-"):
            atoms["f"] = _redact_url(atoms["f"])
        for key in ("{referer}i", "{raw_uri}e", "{path_info}e", "{query_string}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = _redact_url(atoms[key]) if key == "{referer}i" else _redact_uri(atoms[key])
        return atoms
