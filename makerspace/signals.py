"""Signal receivers that only clear caches (business rules live in the services).

The pricing services clear a makerspace's cached cost rules on every write; these receivers catch the writes
that bypass them: cascades (a machine, plan or skill deleted with its rules), direct saves (shell, data
migrations) and changes to the skills a machine requires (skill premiums depend on them).
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from makerspace.models import CostRule, Equipment
from makerspace.services.pricing import pricing_cache_clear


@receiver(post_save, sender=CostRule, dispatch_uid="makerspace.pricing_cache.rule_saved")
@receiver(post_delete, sender=CostRule, dispatch_uid="makerspace.pricing_cache.rule_deleted")
def cost_rule_changed(sender, instance: CostRule, **kwargs) -> None:
    pricing_cache_clear(instance.makerspace_id)


@receiver(m2m_changed, sender=Equipment.required_skills.through, dispatch_uid="makerspace.pricing_cache.skills")
def required_skills_changed(sender, instance, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        # ``instance`` is the machine, or the skill when the relation is changed from the skill's side.
        pricing_cache_clear(instance.makerspace_id)
