"""Who uses CME: authorities, partner agencies, users and the roles they hold."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.contrib import auth
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

la_code_validator = RegexValidator(r"^\d{3}$", "Enter a 3-digit LA code, like 990")


class Authority(models.Model):
    """A local authority: the data owner. Nothing of one authority is visible to another's users."""

    name = models.CharField(max_length=120, unique=True)
    la_code = models.CharField("LA code", max_length=3, unique=True, validators=[la_code_validator])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.la_code})"


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    HEALTH = "health", "Health (GP, health visitor, school nurse)"
    EMERGENCY = "emergency", "Accident and emergency"
    HOUSING = "housing", "Housing"
    SOCIAL_CARE = "social_care", "Children's social care"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    SEN = "sen", "Special educational needs service"
    CONNEXIONS = "connexions", "Careers and youth support (Connexions)"
    EARLY_YEARS = "early_years", "Early years"
    VOLUNTARY = "voluntary", "Voluntary or community organisation"
    OTHER = "other", "Other"


class PartnerAgency(models.Model):
    """An organisation that refers children to the authority (§3.2.5.2)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=20, choices=AgencyKind.choices)
    is_active = models.BooleanField("Active", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner agencies"
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="agency_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """`cme createsuperuser` makes a service operator: it may add authorities, and sees no
        authority's data. Nobody is a Django superuser: roles decide everything."""
        extra["is_superuser"] = False
        extra.setdefault("is_staff", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. What they may do comes from their memberships, not from this row."""

    email = models.EmailField("Email address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField("Active", default=True)
    # Service operators who may create authorities; they see no case data through this flag.
    is_staff = models.BooleanField(default=False)
    # Fictional users created by `cme demo`; only these may skip the second factor, and only in demo mode.
    is_demo = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        # Django lets an active superuser past every check; CME never does. The rules decide.
        if not self.is_active:
            return False
        return any(
            backend.has_perm(self, perm, obj)
            for backend in auth.get_backends()
            if hasattr(backend, "has_perm")
        )

    @cached_property
    def membership(self) -> Membership | None:
        """The membership this user is acting under (the first active one)."""
        return (
            self.memberships.filter(is_active=True, authority__isnull=False)
            .select_related("authority", "establishment", "agency")
            .order_by("pk")
            .first()
        )


class Role(models.TextChoices):
    CME_OFFICER = "cme_officer", "CME officer"
    CME_MANAGER = "cme_manager", "CME manager"
    CASEWORKER = "caseworker", "Caseworker"
    SCHOOL_USER = "school_user", "School user"
    PARTNER = "partner", "Partner agency user"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class Membership(models.Model):
    """A user's role in one authority; school users are tied to an establishment, partners to an agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    establishment = models.ForeignKey(
        "registers.Establishment", on_delete=models.PROTECT, null=True, blank=True
    )
    agency = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, null=True, blank=True)
    is_active = models.BooleanField("Active", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["authority__name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role=Role.SCHOOL_USER, establishment__isnull=False, agency__isnull=True)
                    | Q(role=Role.PARTNER, agency__isnull=False, establishment__isnull=True)
                    | (
                        ~Q(role__in=[Role.SCHOOL_USER, Role.PARTNER])
                        & Q(establishment__isnull=True, agency__isnull=True)
                    )
                ),
                name="membership_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "authority", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.authority.name}"
