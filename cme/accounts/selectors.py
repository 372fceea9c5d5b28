"""Reads of people and organisations, always scoped to what the user may see."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

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


# A second factor is TOTP or a security key; recovery codes only back one of those up.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def _own_authority_id(user: User) -> int | None:
    membership = user.membership
    return membership.authority_id if membership else None


def users_listed_for(user: User) -> QuerySet[User]:
    """The user list: each person with their roles here and whether they have a second factor.

    Roles come in one prefetch and the second factor as an EXISTS column, so the page costs the
    same number of queries however many people it shows.
    """
    authority_id = _own_authority_id(user)
    if authority_id is None:
        return User.objects.none()
    roles_here = Membership.objects.filter(authority_id=authority_id).order_by("role", "pk")
    return (
        users_visible_to(user)
        .annotate(
            has_second_factor=Exists(
                Authenticator.objects.filter(user_id=OuterRef("pk"), type__in=SECOND_FACTOR_TYPES)
            )
        )
        .prefetch_related(Prefetch("memberships", queryset=roles_here, to_attr="memberships_here"))
    )


def user_has_second_factor(person: User) -> bool:
    return bool(
        Authenticator.objects.filter(user_id=person.pk, type__in=SECOND_FACTOR_TYPES).exists()
    )


def memberships_of(user: User, person: User) -> QuerySet[Membership]:
    """`person`'s memberships in the user's authority only; those elsewhere stay out of sight."""
    return memberships_visible_to(user).filter(user_id=person.pk).order_by("role", "pk")
