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
