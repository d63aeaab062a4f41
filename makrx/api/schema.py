"""OpenAPI post-processing: the shared error schema on every operation."""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["detail", "code", "request_id"],
    "properties": {
        "detail": {"type": "string", "description": "A human sentence."},
        "code": {"type": "string", "description": "A machine code to switch on."},
        "request_id": {"type": "string", "nullable": True},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Field errors, for validation failures.",
        },
    },
}

_DEFAULT_ERRORS = {
    "400": "Invalid input.",
    "401": "Missing or invalid credentials.",
    "403": "Not allowed.",
    "404": "Not found.",
    "429": "Rate limited; see Retry-After.",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            secured = bool(operation.get("security")) and operation.get("security") != [{}]
            for status, description in _DEFAULT_ERRORS.items():
                if status in ("401", "403") and not secured:
                    continue
                if status == "400" and method in {"get", "delete"}:
                    continue
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
    return result
