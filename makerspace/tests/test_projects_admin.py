"""Admin for projects, comments, BOM lines and providers: scoped lists and actions through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from makerspace.models import BOMLine, Project, ProjectComment, ServiceProvider
from makerspace.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(make_user):
    space, other = f.MakerspaceFactory(), f.MakerspaceFactory()
    manager = make_user("proj_manager", roles=["makerspace_admin"])
    f.MemberFactory(user=manager, makerspace=space, role="manager")
    client = Client()
    client.force_login(manager)
    return client, space, other


def test_project_screens_are_scoped_and_feature_goes_through_the_service(manager_client):
    client, space, other = manager_client
    public = f.ProjectFactory(makerspace=space, visibility="public", title="Robot arm")
    private = f.ProjectFactory(makerspace=space, visibility="private", title="Secret")
    hidden = f.ProjectFactory(makerspace=other, title="Elsewhere")
    page = client.get("/admin/makerspace/project/").content.decode()
    assert "Robot arm" in page and "Elsewhere" not in page
    client.post(
        "/admin/makerspace/project/",
        {"action": "feature", "_selected_action": [public.pk, private.pk, hidden.pk]},
    )
    assert Project.objects.get(pk=public.pk).featured_at is not None
    assert Project.objects.get(pk=private.pk).featured_at is None  # refused: not public
    assert Project.objects.get(pk=hidden.pk).featured_at is None  # outside the queryset
    assert client.get(f"/admin/makerspace/project/{public.pk}/change/").status_code == 200


def test_comment_remove_and_bom_transition_actions(manager_client):
    client, space, other = manager_client
    project = f.ProjectFactory(makerspace=space)
    comment = f.ProjectCommentFactory(project=project)
    client.post("/admin/makerspace/projectcomment/", {"action": "remove", "_selected_action": [comment.pk]})
    assert ProjectComment.objects.get(pk=comment.pk).removed_at is not None
    item = f.InventoryItemFactory(makerspace=space, stock=0)
    line = f.BOMLineFactory(project=project, inventory_item=item)
    for action in ("mark_ordered", "mark_received"):
        client.post("/admin/makerspace/bomline/", {"action": action, "_selected_action": [line.pk]})
    line.refresh_from_db()
    item.refresh_from_db()
    assert line.state == "received" and item.quantity == 2


def test_provider_verification_action(manager_client):
    client, space, other = manager_client
    mine = f.ServiceProviderFactory(makerspaces=[space], verified_at=None, display_name="Mine")
    theirs = f.ServiceProviderFactory(makerspaces=[other], verified_at=None, display_name="Theirs")
    page = client.get("/admin/makerspace/serviceprovider/").content.decode()
    assert "Mine" in page and "Theirs" not in page
    client.post("/admin/makerspace/serviceprovider/", {"action": "verify", "_selected_action": [mine.pk, theirs.pk]})
    assert ServiceProvider.objects.get(pk=mine.pk).verified_at is not None
    assert ServiceProvider.objects.get(pk=theirs.pk).verified_at is None
    assert client.get(f"/admin/makerspace/serviceprovider/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/makerspace/serviceprovider/{theirs.pk}/change/").status_code in (302, 403, 404)
    assert BOMLine.objects.count() == 0
