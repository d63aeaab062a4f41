"""gunicorn's own access log (when switched on) masks URL secrets like the application's access line."""

import datetime
import types

from gunicorn.config import Config

from makrx.gunicorn_logging import MaskedAccessLogger


def _atoms(uri: str, referer: str = "-"):
    path, _, query = uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": referer,
    }
    response = types.SimpleNamespace(status="200 OK", sent=12, headers=[("X-Request-ID", "abc")])
    request = types.SimpleNamespace(headers=[("REFERER", referer)])
    logger = MaskedAccessLogger(Config())
    return logger.atoms(response, request, environ, datetime.timedelta(milliseconds=3))


def test_calendar_token_and_secret_query_values_are_masked():
    atoms = _atoms(
        "/api/v1/makerspace/calendar/s3cr3t-token/reservations.ics?api_key=k3y&page=2",
        referer="https://portal.example/invites/inv-t0ken/?signature=x",
    )
    line = " ".join(str(atoms[key]) for key in ("r", "U", "q", "f", "{referer}i"))
    for secret in ("s3cr3t-token", "k3y", "inv-t0ken", "signature=x"):
        assert secret not in line
    assert atoms["r"] == "GET /api/v1/makerspace/calendar/***/reservations.ics?api_key=***&page=2 HTTP/1.1"
    assert atoms["q"] == "api_key=***&page=2"
    assert atoms["f"] == "https://portal.example/invites/***/?signature=***"


def test_plain_urls_are_unchanged():
    atoms = _atoms("/api/v1/store/products/?page=3&ordering=-price")
    assert atoms["r"] == "GET /api/v1/store/products/?page=3&ordering=-price HTTP/1.1"
    assert atoms["U"] == "/api/v1/store/products/"


def test_gunicorn_config_uses_the_masking_logger():
    config = Config()
    namespace: dict = {}
    with open("gunicorn.conf.py") as handle:
        exec(compile(handle.read(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102 - our own config file
    config.set("logger_class", namespace["logger_class"])
    assert config.logger_class is MaskedAccessLogger
