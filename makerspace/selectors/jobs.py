"""Service job reads: the jobs a user may see (staff: their spaces'; providers: theirs and open ones) with timeline."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse

from makerspace.models import ServiceJob, ServiceJobEvent, ServiceProvider
from makrx.auth import roles, scoping
from makrx.auth.scoping import SYSTEM


def job_visibility(user) -> Q | None:
    """The jobs ``user`` sees as a filter (None: all of them).

    Staff of a makerspace see all its jobs. A verified provider sees, in the makerspaces they work in, the jobs
    assigned to them and the received jobs nobody is assigned to (the ones they may accept).
    """
    if user is SYSTEM or roles.is_platform_admin(user):
        return None
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    visible = Q(makerspace_id__in=sorted(scoping.staffed_makerspace_ids(user)))
    provider = ServiceProvider.objects.filter(user=user, verified_at__isnull=False).first()
    if provider is not None:
        spaces = list(provider.makerspaces.values_list("pk", flat=True))
        visible |= Q(makerspace_id__in=spaces) & (
            Q(provider=provider) | Q(provider__isnull=True, status=ServiceJob.Status.RECEIVED)
        )
    return visible


def job_list(*, user) -> QuerySet[ServiceJob]:
    """Jobs ``user`` may see, newest first, with what the list shows joined in (one query per page)."""
    queryset = ServiceJob.objects.all()
    visible = job_visibility(user)
    if visible is not None:
        queryset = queryset.filter(visible)
    return queryset.select_related("makerspace", "provider", "machine", "material_item").order_by("-received_at", "-id")


def job_get(*, user, pk: int) -> ServiceJob | None:
    """One visible job with its timeline (events with their actors), or None."""
    return (
        job_list(user=user)
        .prefetch_related(
            Prefetch("events", queryset=ServiceJobEvent.objects.select_related("actor").order_by("at", "id"))
        )
        .filter(pk=pk)
        .first()
    )


def job_accept_path(job: ServiceJob) -> str:
    """The API path staff and providers accept the job at (the bridge answers it as ``accept_url``)."""
    return reverse("job-accept", kwargs={"pk": job.pk})
