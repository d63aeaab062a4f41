"""Projects: visibility per viewer, comments, forks (with the BOM), likes and bookmarks, batched view counts,
trending equal to a brute-force computation."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from makerspace.models import BOMLine, Project, ProjectBookmark, ProjectLike, ProjectViewDay
from makerspace.selectors import projects as project_selectors
from makerspace.services import project_views
from makerspace.services import projects as project_services
from makerspace.tests.factories import (
    BOMLineFactory,
    InventoryItemFactory,
    MakerspaceFactory,
    MemberFactory,
    ProjectCommentFactory,
    ProjectFactory,
    UserFactory,
)
from makrx.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from makrx.tests.races import run_concurrently

pytestmark = pytest.mark.django_db
BASE = "/api/v1/makerspace/projects"


@pytest.fixture
def world(client_for):
    space, other = MakerspaceFactory(), MakerspaceFactory()
    owner = MemberFactory(makerspace=space).user
    people = {
        "owner": owner,
        "member": MemberFactory(makerspace=space).user,
        "collaborator": MemberFactory(makerspace=other).user,
        "staff": MemberFactory(makerspace=space, role="staff").user,
        "staff_other": MemberFactory(makerspace=other, role="staff").user,
    }
    projects = {
        vis: ProjectFactory(owner=owner, makerspace=space, visibility=vis, title=f"{vis} project")
        for vis in ("public", "members", "private")
    }
    for project in projects.values():
        row = project_services.collaborator_invite(
            actor=owner, project=project, user=people["collaborator"], role="editor"
        )
        project_services.collaborator_accept(actor=people["collaborator"], project=project)
        assert row.pk
    return space, people, projects


VISIBLE = {
    "anonymous": {"public"},
    "member": {"public", "members"},
    "collaborator": {"public", "members", "private"},
    "staff": {"public", "members", "private"},
    "staff_other": {"public"},
    "owner": {"public", "members", "private"},
}


@pytest.mark.parametrize("viewer", list(VISIBLE))
def test_visibility_for_anonymous_member_collaborator_and_staff(world, api_client, client_for, viewer):
    space, people, projects = world
    client = api_client if viewer == "anonymous" else client_for(people[viewer])
    listed = {row["title"] for row in client.get(f"{BASE}/", {"page_size": 100}).json()["results"]}
    assert listed == {f"{vis} project" for vis in VISIBLE[viewer]}
    for vis, project in projects.items():
        status = client.get(f"{BASE}/{project.pk}/").status_code
        assert status == (200 if vis in VISIBLE[viewer] else 404), (viewer, vis)


def test_only_owner_editors_and_staff_edit(world, client_for):
    space, people, projects = world
    project = projects["members"]
    assert client_for(people["member"]).patch(f"{BASE}/{project.pk}/", {"title": "x"}, format="json").status_code == 403
    for who in ("owner", "collaborator", "staff"):
        response = client_for(people[who]).patch(f"{BASE}/{project.pk}/", {"title": f"by {who}"}, format="json")
        assert response.status_code == 200, (who, response.content)
    assert (
        client_for(people["staff_other"]).patch(f"{BASE}/{project.pk}/", {"title": "x"}, format="json").status_code
        == 404
    )


def test_feature_is_for_staff_and_public_projects_only(world, client_for, api_client):
    space, people, projects = world
    assert client_for(people["owner"]).post(f"{BASE}/{projects['public'].pk}/feature/").status_code == 403
    refused = client_for(people["staff"]).post(f"{BASE}/{projects['members'].pk}/feature/", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_public")
    assert (
        client_for(people["staff"]).post(f"{BASE}/{projects['public'].pk}/feature/", {}, format="json").status_code
        == 200
    )
    featured = api_client.get(f"{BASE}/featured/").json()["results"]
    assert [row["id"] for row in featured] == [projects["public"].pk]


def test_comments_thread_one_level_edit_by_author_remove_by_staff(world, client_for):
    space, people, projects = world
    project = projects["members"]
    member = client_for(people["member"])
    top = member.post(f"{BASE}/{project.pk}/comments/", {"body": "How?"}, format="json").json()
    reply = (
        client_for(people["owner"])
        .post(f"{BASE}/{project.pk}/comments/", {"body": "Like this", "parent": top["id"]}, format="json")
        .json()
    )
    nested = member.post(f"{BASE}/{project.pk}/comments/", {"body": "Thanks", "parent": reply["id"]}, format="json")
    assert nested.json()["parent"] == top["id"]  # a reply to a reply joins the thread
    assert (
        client_for(people["owner"])
        .patch(f"{BASE}/{project.pk}/comments/{top['id']}/", {"body": "hijack"}, format="json")
        .status_code
        == 403
    )
    edited = member.patch(f"{BASE}/{project.pk}/comments/{top['id']}/", {"body": "How exactly?"}, format="json")
    assert edited.json()["edited_at"] is not None
    assert client_for(people["staff"]).delete(f"{BASE}/{project.pk}/comments/{top['id']}/").status_code == 204
    rows = {row["id"]: row for row in member.get(f"{BASE}/{project.pk}/comments/").json()["results"]}
    assert rows[top["id"]]["removed"] is True and rows[top["id"]]["body"] == ""
    again = member.patch(f"{BASE}/{project.pk}/comments/{top['id']}/", {"body": "back"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "comment_removed")
    with pytest.raises(PermissionDenied):
        project_services.comment_remove(actor=people["staff_other"], comment=ProjectCommentFactory(project=project))


def test_fork_copies_description_tags_and_bom_and_links_the_original(world, client_for):
    space, people, projects = world
    original = projects["public"]
    original.tags.set(project_services._tags(["robot", "arduino"]))
    item = InventoryItemFactory(makerspace=space, store_sku="ST-PLA", stock=10)
    item_only = InventoryItemFactory(makerspace=space, store_sku="", stock=10)
    BOMLineFactory(project=original, inventory_item=item, store_sku="", quantity=Decimal("3"), state="consumed")
    BOMLineFactory(project=original, inventory_item=item_only, store_sku="", quantity=Decimal("1"))
    BOMLineFactory(project=original, store_sku="RES-1K", quantity=Decimal("10"), unit_cost=Decimal("0.10"))

    same = client_for(people["member"]).post(f"{BASE}/{original.pk}/fork/", {}, format="json")
    assert same.status_code == 201, same.content
    fork = Project.objects.get(pk=same.json()["id"])
    assert (fork.owner, fork.forked_from, fork.visibility) == (people["member"], original, "private")
    assert fork.description == original.description
    assert set(fork.tags.values_list("name", flat=True)) == {"robot", "arduino"}
    lines = list(fork.bom_lines.order_by("id").values_list("inventory_item", "store_sku", "quantity", "state"))
    assert lines == [
        (item.pk, "ST-PLA", Decimal("3"), "needed"),
        (item_only.pk, "", Decimal("1"), "needed"),
        (None, "RES-1K", Decimal("10"), "needed"),
    ]
    other_space = MakerspaceFactory()
    MemberFactory(makerspace=other_space, user=people["collaborator"])
    elsewhere = project_services.project_fork(actor=people["collaborator"], project=original, makerspace=other_space)
    assert list(elsewhere.bom_lines.order_by("id").values_list("inventory_item", "store_sku")) == [
        (None, "ST-PLA"),
        (None, "RES-1K"),
    ]
    with pytest.raises(NotFound):
        project_services.project_fork(actor=people["staff_other"], project=projects["private"])
    assert BOMLine.objects.filter(project=original).count() == 3  # the original is untouched


def test_like_and_bookmark_are_idempotent_on_double_submit(world, client_for):
    space, people, projects = world
    client = client_for(people["member"])
    project = projects["public"]
    for _ in range(2):
        assert client.post(f"{BASE}/{project.pk}/like/").json() == {"liked": True, "like_count": 1}
        assert client.post(f"{BASE}/{project.pk}/bookmark/").json() == {"bookmarked": True}
    assert ProjectLike.objects.filter(project=project).count() == 1
    assert ProjectBookmark.objects.filter(project=project).count() == 1
    row = client.get(f"{BASE}/{project.pk}/").json()
    assert (row["like_count"], row["liked"], row["bookmarked"]) == (1, True, True)
    for _ in range(2):
        assert client.post(f"{BASE}/{project.pk}/unlike/").json() == {"liked": False, "like_count": 0}
    assert client.get(f"{BASE}/{project.pk}/like/").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_likes_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs separate PostgreSQL connections")
    project = ProjectFactory(visibility="public")
    user = UserFactory()
    outcomes = run_concurrently(
        lambda index: (
            project_services.project_like(actor=user, project=project)
            if index % 2
            else project_services.project_bookmark(actor=user, project=project)
        ),
        8,
        reraise=True,
    )
    assert set(outcomes) <= {1, True}
    assert ProjectLike.objects.filter(project=project).count() == 1
    assert ProjectBookmark.objects.filter(project=project).count() == 1


def test_views_are_counted_in_the_cache_and_flushed_in_batches(world, api_client, client_for):
    space, people, projects = world
    project = projects["public"]
    with CaptureQueriesContext(connection) as captured:
        for _ in range(5):
            assert api_client.get(f"{BASE}/{project.pk}/").status_code == 200
    assert not [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    client_for(people["member"]).get(f"{BASE}/{projects['members'].pk}/")
    api_client.get(f"{BASE}/{projects['private'].pk}/")  # hidden: not counted
    project.refresh_from_db()
    assert project.view_count == 0
    assert project_views.project_views_flush() == 6
    assert project_views.project_views_flush() == 0  # counters were taken: nothing twice
    project.refresh_from_db()
    assert project.view_count == 5
    assert ProjectViewDay.objects.get(project=project).views == 5
    assert Project.objects.get(pk=projects["private"].pk).view_count == 0
    api_client.get(f"{BASE}/{project.pk}/")
    project_views.project_views_flush()
    assert ProjectViewDay.objects.get(project=project).views == 6


def test_trending_equals_a_brute_force_computation():
    rng = random.Random(11)
    now = timezone.now()
    space = MakerspaceFactory()
    users = [UserFactory() for _ in range(12)]
    projects = [
        ProjectFactory(makerspace=space, visibility=rng.choice(["public", "public", "members"])) for _ in range(25)
    ]
    likes, days = [], []
    for project in projects:
        for user in rng.sample(users, rng.randint(0, 8)):
            likes.append(ProjectLike(project=project, user=user, created_at=now - timedelta(days=rng.uniform(0, 30))))
        for offset in rng.sample(range(0, 30), rng.randint(0, 6)):
            days.append(
                ProjectViewDay(project=project, day=(now - timedelta(days=offset)).date(), views=rng.randint(1, 40))
            )
    ProjectLike.objects.bulk_create(likes)
    ProjectViewDay.objects.bulk_create(days)

    since = now - timedelta(days=14)
    first_day = (now - timedelta(days=13)).date()
    expected = []
    for project in projects:
        if project.visibility != "public":
            continue
        recent_likes = sum(1 for like in likes if like.project_id == project.pk and like.created_at >= since)
        recent_views = sum(d.views for d in days if d.project_id == project.pk and d.day >= first_day)
        score = 3 * recent_likes + recent_views
        if score > 0:
            expected.append((score, project.created_at, project.pk))
    expected.sort(key=lambda row: (-row[0], -row[1].timestamp(), -row[2]))

    got = list(project_selectors.project_trending_list(user=None, now=now).values_list("trending_score", "pk"))
    assert got == [(score, pk) for score, _, pk in expected]
    assert len(got) > 5


def test_list_query_counts_do_not_grow_with_the_page(world, client_for):
    space, people, projects = world
    for n in range(8):
        project = ProjectFactory(makerspace=space, visibility="public")
        project.tags.set(project_services._tags([f"t{n}", "common"]))
        ProjectLike.objects.create(project=project, user=people["member"], created_at=timezone.now())
        ProjectCommentFactory(project=project)
    client = client_for(people["member"])
    for url in (f"{BASE}/", f"{BASE}/trending/", f"{BASE}/featured/", f"{BASE}/{projects['public'].pk}/comments/"):
        counts = []
        for size in (1, 100):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, {"page_size": size}).status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1], url


def test_invitations(world, client_for):
    space, people, projects = world
    project = projects["private"]
    newcomer = MemberFactory(makerspace=space).user
    with pytest.raises(PermissionDenied):
        project_services.collaborator_invite(actor=people["staff"], project=project, user=newcomer, role="viewer")
    response = client_for(people["owner"]).post(
        f"{BASE}/{project.pk}/collaborators/", {"user": newcomer.pk, "role": "viewer"}, format="json"
    )
    assert response.status_code == 201 and response.json()["pending"] is True
    assert client_for(newcomer).get(f"{BASE}/{project.pk}/").status_code == 404  # not yet accepted
    assert client_for(newcomer).post(f"{BASE}/{project.pk}/collaborators/accept/").status_code == 200
    assert client_for(newcomer).get(f"{BASE}/{project.pk}/").status_code == 200
    assert client_for(newcomer).patch(f"{BASE}/{project.pk}/", {"title": "x"}, format="json").status_code == 403
    with pytest.raises(ConflictError):
        project_services.collaborator_invite(actor=people["owner"], project=project, user=newcomer, role="editor")
    with pytest.raises(ValidationError):
        project_services.project_create(actor=people["owner"], makerspace=space, title=" ")


def test_milestones_are_kept_by_editors_and_seen_by_readers(world, client_for):
    space, people, projects = world
    project = projects["members"]
    created = client_for(people["collaborator"]).post(
        f"{BASE}/{project.pk}/milestones/", {"title": "Prototype", "due_date": "2027-01-15"}, format="json"
    )
    assert created.status_code == 201, created.content
    milestone_id = created.json()["id"]
    done = client_for(people["owner"]).patch(
        f"{BASE}/{project.pk}/milestones/{milestone_id}/", {"completed": True}, format="json"
    )
    assert done.json()["completed_at"] is not None
    assert (
        client_for(people["member"]).post(f"{BASE}/{project.pk}/milestones/", {"title": "x"}, format="json").status_code
        == 403
    )
    listed = client_for(people["member"]).get(f"{BASE}/{project.pk}/milestones/").json()["results"]
    assert [row["title"] for row in listed] == ["Prototype"]
