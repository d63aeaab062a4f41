"""The admin's navigation grouped by the job to be done (Today, Members, Machines, …) instead of by app.

Models are placed by a rule table keyed by ``app_label.model`` (exact names first, then ``fnmatch`` patterns,
so a model another app registers later lands in the right group without an edit when its name says what it is:
``*invoice*`` → Billing, ``bridge.*`` → System). The table is data, ``navigation.toml`` beside this module. A model no rule names falls back to a group named after
its app, as Django would show it; ``makrx/tests/test_admin_site.py`` fails when a platform model lands there.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    description: str
    models: tuple[str, ...]


RULES_FILE = Path(__file__).with_name("navigation.toml")


def _load(path: Path) -> tuple[tuple[Group, ...], tuple[tuple[str, str], ...]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = tuple(
        Group(entry["key"], entry["name"], entry["description"], tuple(m.lower() for m in entry["models"]))
        for entry in data["group"]
    )
    keys = {group.key for group in groups}
    patterns = tuple((entry["match"].lower(), entry["group"]) for entry in data.get("pattern", []))
    unknown = {key for _, key in patterns} - keys
    if unknown:
        raise ValueError(f"{path.name}: patterns name unknown groups {sorted(unknown)}")
    return groups, patterns


GROUPS, PATTERNS = _load(RULES_FILE)
GROUP_BY_KEY = {group.key: group for group in GROUPS}

# Apps whose models must land in a named group (a model of theirs in an app fallback is a missing rule).
PLATFORM_APPS = ("makrx", "makerspace", "store", "bridge", "auth", "admin")

_POSITION = {label: index for group in GROUPS for index, label in enumerate(group.models)}
_EXACT = {label: group.key for group in GROUPS for label in group.models}


def group_for(label: str) -> str | None:
    """The group key of ``app_label.model`` (lower case), or None when no rule names it (app fallback)."""
    label = label.lower()
    if label in _EXACT:
        return _EXACT[label]
    for pattern, key in PATTERNS:
        if fnmatchcase(label, pattern):
            return key
    return None


def _page_entries(request) -> list[dict]:
    """The Today and Analytics pages, shown as the first rows of the Today group."""
    entries = []
    for name, url_name, object_name in (
        ("Today", "admin:makrx-today", "today"),
        ("Analytics", "admin:makrx-analytics", "analytics"),
    ):
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # a site without the shell's views (tests with a bare AdminSite)
            continue
        entries.append(
            {
                "model": None,
                "name": name,
                "object_name": object_name,
                "perms": {"add": False, "change": False, "delete": False, "view": True},
                "admin_url": url,
                "add_url": None,
                "view_only": True,
            }
        )
    return entries


def grouped_app_list(app_dict: dict, request) -> list[dict]:
    """Django's app list regrouped: one entry per group that has a model the user may see, in GROUPS order.

    Each entry keeps the shape Django's templates read (``name``, ``app_label``, ``app_url``, ``models``), so
    the index page and the sidebar render it unchanged; ``app_label`` is ``group-<key>`` for the CSS class.
    """
    grouped: dict[str, list[dict]] = {group.key: [] for group in GROUPS}
    fallback: dict[str, dict] = {}
    for app_label, app in app_dict.items():
        for model in app["models"]:
            label = f"{app_label}.{model['object_name']}".lower()
            key = group_for(label)
            model = {**model, "app_label": app_label, "label": label}
            if key is None:
                entry = fallback.setdefault(app_label, {**app, "models": [], "group": None})
                entry["models"].append(model)
            else:
                grouped[key].append(model)
    index_url = reverse("admin:index")
    result = []
    for group in GROUPS:
        models = sorted(grouped[group.key], key=lambda m: (_POSITION.get(m["label"], 999), str(m["name"])))
        if group.key == "today" and getattr(request.user, "is_staff", False):
            models = _page_entries(request) + models
        if not models:
            continue
        result.append(
            {
                "name": group.name,
                "app_label": f"group-{group.key}",
                "app_url": f"{index_url}#group-{group.key}",
                "has_module_perms": True,
                "models": models,
                "group": group.key,
                "description": group.description,
            }
        )
    for app in sorted(fallback.values(), key=lambda a: str(a["name"]).lower()):
        app["name"] = capfirst(str(app["name"]))
        app["models"].sort(key=lambda m: str(m["name"]))
        result.append(app)
    return result
