"""Records of the year's end that the register itself does not hold."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import SchoolClass, User


class PromotionOutcome(models.TextChoices):
    PROMOTED = "promoted", _("promoted")
    PROMOTED_WITH_HONOURS = "promoted_honours", _("promoted with honours")
    NOT_PROMOTED = "not_promoted", _("not promoted")
    GRADUATED = "graduated", _("completed school")
    GRADUATED_WITH_HONOURS = "graduated_honours", _("completed school with honours")


class PromotionDecision(models.Model):
    """What the teachers' council decided for one pupil of one class at the end of
    the school year. `proposed` is what the rules suggest from the annual grades;
    `outcome` is the decision, confirmed by the homeroom teacher and a school
    admin and approved by the council's resolution (number and date)."""

    Outcome = PromotionOutcome

    pupil = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="promotion_decisions", verbose_name=_("pupil")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="promotion_decisions",
        verbose_name=_("class"),
    )
    proposed = models.CharField(
        _("proposed by the rules"), max_length=20, choices=PromotionOutcome.choices, blank=True
    )
    outcome = models.CharField(
        _("decision"), max_length=20, choices=PromotionOutcome.choices, blank=True
    )
    resolution_number = models.CharField(_("resolution number"), max_length=50, blank=True)
    resolution_date = models.DateField(_("resolution date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    homeroom_confirmed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by the homeroom teacher"),
    )
    homeroom_confirmed_at = models.DateTimeField(
        _("confirmed by the homeroom teacher at"), null=True, blank=True
    )
    admin_confirmed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by the school"),
    )
    admin_confirmed_at = models.DateTimeField(
        _("confirmed by the school at"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("promotion decision")
        verbose_name_plural = _("promotion decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school_class"], name="yearend_decision_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.get_outcome_display() or self.get_proposed_display()

    @property
    def is_confirmed(self) -> bool:
        return bool(self.outcome and self.homeroom_confirmed_at and self.admin_confirmed_at)
