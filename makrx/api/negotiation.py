"""Content negotiation for machine endpoints (the bridge receivers): JSON whatever the Accept header says."""

from __future__ import annotations

from rest_framework.negotiation import BaseContentNegotiation


class JsonOnlyNegotiation(BaseContentNegotiation):
    """The view's first parser and renderer, without parsing ``Accept`` per request: a caller is another service
    that always reads JSON (a browser's ``Accept: text/html`` gets JSON too, never a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
