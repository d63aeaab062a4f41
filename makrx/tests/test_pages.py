"""/api/v1/pages/: anyone reads published pages, drafts hidden from non-staff, staff write."""

from __future__ import annotations

import pytest

from makrx.models import Page

pytestmark = pytest.mark.django_db

LIST = "/api/v1/pages/"


@pytest.fixture
def pages():
    published = Page.objects.create(title="About", slug="about", body="Hello", published=True)
    draft = Page.objects.create(title="Secret plans", slug="secret", body="tbd", published=False)
    return published, draft


def test_anyone_reads_published_pages(api_client, pages):
    response = api_client.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [p["slug"] for p in body["results"]] == ["about"]
    assert set(body) == {"count", "next", "previous", "results"}


def test_drafts_are_hidden_from_non_staff(api_client, client_for, pages):
    assert api_client.get("/api/v1/pages/secret/").status_code == 404
    assert client_for().get("/api/v1/pages/secret/").status_code == 404
    assert [p["slug"] for p in client_for().get(LIST).json()["results"]] == ["about"]


@pytest.mark.parametrize("role", ["admin", "store_admin", "makerspace_admin", "super_admin"])
def test_staff_see_drafts(client_for, pages, role):
    client = client_for(roles=[role])

    assert {p["slug"] for p in client.get(LIST).json()["results"]} == {"about", "secret"}
    assert client.get("/api/v1/pages/secret/").status_code == 200


def test_staff_create_and_publishing_stamps_published_at(client_for):
    client = client_for(roles=["admin"])

    response = client.post(LIST, {"title": "Help Desk", "body": "Ask us.", "published": True}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "help-desk"
    assert body["published_at"] is not None
    page = Page.objects.get(slug="help-desk")
    assert page.published and page.published_at is not None


def test_staff_update_and_delete(client_for, pages):
    client = client_for(roles=["admin"])

    patched = client.patch("/api/v1/pages/secret/", {"published": True}, format="json")
    deleted = client.delete("/api/v1/pages/about/")

    assert patched.status_code == 200
    assert patched.json()["published"] is True
    assert deleted.status_code == 204
    assert list(Page.objects.values_list("slug", flat=True)) == ["secret"]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", LIST, {"title": "x"}),
        ("patch", "/api/v1/pages/about/", {"title": "x"}),
        ("delete", "/api/v1/pages/about/", None),
    ],
)
def test_non_staff_cannot_write(client_for, pages, method, path, payload):
    client = client_for(roles=["service_provider"])

    response = getattr(client, method)(path, payload, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Page.objects.get(slug="about").title == "About"


def test_anonymous_write_is_401(api_client, pages):
    response = api_client.post(LIST, {"title": "x"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": ""},
        {"title": "x" * 201},
        {"title": "ok", "slug": "not a slug!"},
        {"title": ["list"]},
        {"title": "ok", "published": "maybe"},
    ],
)
def test_bad_input_is_400(client_for, payload):
    response = client_for(roles=["admin"]).post(LIST, payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"]


def test_duplicate_slug_is_409(client_for, pages):
    response = client_for(roles=["admin"]).post(LIST, {"title": "About", "slug": "about"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"


def test_search_and_filter(client_for, pages):
    client = client_for(roles=["admin"])

    assert [p["slug"] for p in client.get(LIST, {"search": "Hello"}).json()["results"]] == ["about"]
    assert [p["slug"] for p in client.get(LIST, {"published": "false"}).json()["results"]] == ["secret"]


def test_page_size_is_capped_at_100(api_client):
    Page.objects.bulk_create(Page(title=f"P{i:03}", slug=f"p{i}", published=True) for i in range(105))

    body = api_client.get(LIST, {"page_size": 500}).json()

    assert len(body["results"]) == 100
    assert body["next"]


def test_list_query_count_is_fixed(api_client, django_assert_max_num_queries):
    Page.objects.bulk_create(Page(title=f"P{i:03}", slug=f"p{i}", published=True) for i in range(120))

    with django_assert_max_num_queries(2):
        small = api_client.get(LIST, {"page_size": 1})
    with django_assert_max_num_queries(2):
        large = api_client.get(LIST, {"page_size": 100})

    assert len(small.json()["results"]) == 1
    assert len(large.json()["results"]) == 100


def test_staff_list_query_count_is_fixed(client_for, django_assert_max_num_queries):
    client = client_for(roles=["admin"])
    Page.objects.bulk_create(Page(title=f"P{i:03}", slug=f"p{i}", published=i % 2 == 0) for i in range(120))

    with django_assert_max_num_queries(2):
        large = client.get(LIST, {"page_size": 100})

    assert len(large.json()["results"]) == 100


def test_page_admin_screens(admin_client, pages):
    assert admin_client.get("/admin/makrx/page/").status_code == 200
    assert admin_client.get("/admin/makrx/page/?q=About").status_code == 200
    assert admin_client.get(f"/admin/makrx/page/{pages[1].pk}/change/").status_code == 200

    response = admin_client.post(
        "/admin/makrx/page/", {"action": "publish", "_selected_action": [pages[1].pk]}, follow=True
    )

    assert response.status_code == 200
    pages[1].refresh_from_db()
    assert pages[1].published and pages[1].published_at is not None


# --- only platform administrators edit pages; bodies are sanitised -----------------------------------------------

HOSTILE_HTML = (
    '<p style="position:fixed" onclick="steal()">Terms<script>alert(1)</script></p>'
    '<img src="x.png" onerror="alert(2)">'
    '<a href="javascript:alert(3)">click</a>'
    "<svg onload=alert(4)><circle r=1></circle></svg>"
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>'
    '<img src="data:image/svg+xml,<svg onload=alert(5)>">'
    '<iframe src="https://evil.example"></iframe>'
    '<a href="https://makrx.example/help">help</a>'
)
HOSTILE_MARKERS = ("<script", "onerror", "onclick", "onload", "javascript:", "data:", "<svg", "<iframe", "style=")


def _assert_sanitised(body: str) -> None:
    lowered = body.lower()
    for marker in HOSTILE_MARKERS:
        assert marker not in lowered, (marker, body)
    assert "<p>Terms" in body
    assert 'href="https://makrx.example/help"' in body  # ordinary formatting and links survive


@pytest.mark.parametrize("role", ["store_admin", "makerspace_admin", "service_provider"])
@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", LIST, {"title": "Terms", "slug": "terms2"}),
        ("patch", "/api/v1/pages/about/", {"body": "rewritten"}),
        ("put", "/api/v1/pages/about/", {"title": "About", "body": "rewritten"}),
        ("delete", "/api/v1/pages/about/", None),
    ],
)
def test_only_platform_admins_write_pages(client_for, pages, role, method, path, payload):
    response = getattr(client_for(roles=[role]), method)(path, payload, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    about = Page.objects.get(slug="about")
    assert (about.title, about.body) == ("About", "Hello")
    assert not Page.objects.filter(slug="terms2").exists()


def test_the_page_service_refuses_non_platform_admins(make_user, pages):
    from makrx import errors, services

    for role in ("store_admin", "makerspace_admin"):
        with pytest.raises(errors.PermissionDenied):
            services.page_save(actor=make_user(roles=[role]), page=pages[0], body="x")
        with pytest.raises(errors.PermissionDenied):
            services.page_delete(actor=make_user(roles=[role]), page=pages[0])
    assert Page.objects.filter(slug="about", body="Hello").exists()


@pytest.mark.parametrize("role", ["admin", "super_admin"])
def test_hostile_html_is_sanitised_through_the_api(client_for, role):
    client = client_for(roles=[role])

    created = client.post(LIST, {"title": "Terms", "slug": "terms", "body": HOSTILE_HTML}, format="json")
    patched = client.patch("/api/v1/pages/terms/", {"body": HOSTILE_HTML + "<b>v2</b>"}, format="json")

    assert created.status_code == 201
    _assert_sanitised(created.json()["body"])
    assert patched.status_code == 200
    _assert_sanitised(patched.json()["body"])
    _assert_sanitised(Page.objects.get(slug="terms").body)
    assert "<b>v2</b>" in Page.objects.get(slug="terms").body


def test_hostile_html_is_sanitised_through_the_admin(admin_client):
    response = admin_client.post(
        "/admin/makrx/page/add/", {"title": "Privacy", "slug": "privacy", "body": HOSTILE_HTML, "published": "on"}
    )

    assert response.status_code == 302, response.content[:500]
    _assert_sanitised(Page.objects.get(slug="privacy").body)


@pytest.mark.parametrize("role", ["store_admin", "makerspace_admin"])
def test_page_admin_is_hidden_from_other_staff(client, make_user, pages, role):
    user = make_user(roles=[role])
    assert user.is_staff
    client.force_login(user)

    index = client.get("/admin/")
    changelist = client.get("/admin/makrx/page/")
    change = client.post(
        f"/admin/makrx/page/{pages[0].pk}/change/", {"title": "About", "slug": "about", "body": "<script>x</script>"}
    )
    delete = client.post(f"/admin/makrx/page/{pages[0].pk}/delete/", {"post": "yes"})

    assert index.status_code == 200
    assert "/admin/makrx/page/" not in index.content.decode()
    assert changelist.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    assert Page.objects.get(pk=pages[0].pk).body == "Hello"


def test_platform_admin_deletes_through_the_admin(admin_client, pages):
    response = admin_client.post(f"/admin/makrx/page/{pages[0].pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Page.objects.filter(pk=pages[0].pk).exists()
