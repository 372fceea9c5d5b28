"""Reads of people and organisations, always scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from cme.accounts.models import Authority, Membership, PartnerAgency, User


def authorities_visible_to(user: User) -> QuerySet[Authority]:
    if user.is_staff:
        return Authority.objects.all()
    membership = user.membership
    if membership is None:
        return Authority.objects.none()
    return Authority.objects.filter(pk=membership.authority_id)


def users_visible_to(user: User) -> QuerySet[User]:
    """Administrators see the users who hold a membership in their own authority."""
    membership = user.membership
    if membership is None:
        return User.objects.none()
    return (
        User.objects.filter(memberships__authority_id=membership.authority_id)
        .distinct()
        .order_by("full_name", "email")
    )


def memberships_visible_to(user: User) -> QuerySet[Membership]:
    membership = user.membership
    if membership is None:
        return Membership.objects.none()
    return Membership.objects.filter(authority_id=membership.authority_id).select_related(
        "user", "authority", "establishment", "agency"
    )


def agencies_visible_to(user: User) -> QuerySet[PartnerAgency]:
    membership = user.membership
    if membership is None:
        return PartnerAgency.objects.none()
    return PartnerAgency.objects.filter(authority_id=membership.authority_id)
