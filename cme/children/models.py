"""A child: names, identifiers, addresses, family and the vulnerabilities that shape their case.

A child belongs to one authority. Location, school and contact details of a restricted child
(§3.9.3.2) are withheld from everyone without a grant: see `cme.children.restriction`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from cme.children.upn import normalise_upn, validate_upn


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    """DfE main ethnicity codes used in the school census."""

    WBRI = "WBRI", "White – British"
    WIRI = "WIRI", "White – Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy/Roma"
    WOTH = "WOTH", "Any other White background"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class SpecialNeeds(models.TextChoices):
    NONE = "none", "No special educational needs"
    SUPPORT = "sen_support", "SEN support"
    EHCP = "ehcp", "Education, health and care plan"
    UNKNOWN = "unknown", "Not known"


class VulnerableGroup(models.TextChoices):
    """The groups §2.2.1 names as most at risk of missing education."""

    OFFENDING = "offending", "Young offenders"
    REFUGE = "refuge", "Living in a refuge"
    HOMELESS = "homeless", "Homeless or in temporary accommodation"
    RUNAWAY = "runaway", "Runaway"
    MEDICAL = "medical", "Long-term medical or emotional problems"
    UNACCOMPANIED_ASYLUM = "unaccompanied_asylum", "Unaccompanied asylum seeker"
    REFUGEE_FAMILY = "refugee_family", "Refugee or asylum-seeking family"
    NEW_IMMIGRANT = "new_immigrant", "New immigrant family"
    LOOKED_AFTER = "looked_after", "Looked after"
    GRT = "grt", "Gypsy, Roma or Traveller"
    PRIVATELY_FOSTERED = "privately_fostered", "Privately fostered"
    YOUNG_CARER = "young_carer", "Young carer"
    TRANSIENT = "transient", "Transient family"
    TEENAGE_MOTHER = "teenage_mother", "Teenage mother"
    EXCLUDED = "excluded", "Permanently excluded"


def validate_upn_field(value: str) -> None:
    validate_upn(normalise_upn(value))


class Child(models.Model):
    authority = models.ForeignKey(
        "accounts.Authority", on_delete=models.PROTECT, related_name="children"
    )
    forename = models.CharField("Legal first name", max_length=100)
    middle_names = models.CharField("Middle names", max_length=150, blank=True)
    surname = models.CharField("Legal last name", max_length=100, db_index=True)
    preferred_forename = models.CharField("Preferred first name", max_length=100, blank=True)
    preferred_surname = models.CharField("Preferred last name", max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, blank=True)
    first_language = models.CharField(max_length=60, blank=True)
    upn = models.CharField(
        "UPN", max_length=13, blank=True, db_index=True, validators=[validate_upn_field]
    )
    country_of_origin = models.CharField(max_length=60, blank=True)
    special_needs = models.CharField(
        "Special educational needs",
        max_length=12,
        choices=SpecialNeeds.choices,
        default=SpecialNeeds.UNKNOWN,
    )
    child_in_need = models.BooleanField(default=False)
    child_protection_plan = models.BooleanField(default=False)
    looked_after = models.BooleanField(default=False)
    # Restricted (§3.9.3.2): refuge, escape from violence, witness protection.
    is_restricted = models.BooleanField("Restricted record", default=False)
    restriction_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["surname", "forename"]
        verbose_name_plural = "children"
        indexes = [
            models.Index(fields=["authority", "surname", "forename"], name="child_name_idx"),
            models.Index(fields=["authority", "date_of_birth"], name="child_dob_idx"),
            # Name search is a range on UPPER(name): one index per name column.
            models.Index(Upper("surname"), name="child_surname_upper_idx"),
            models.Index(Upper("forename"), name="child_forename_upper_idx"),
            models.Index(Upper("preferred_surname"), name="child_pref_surname_upper_idx"),
            models.Index(Upper("preferred_forename"), name="child_pref_forename_upper_idx"),
        ]

    def __str__(self) -> str:
        return f"child {self.pk}"

    @property
    def display_name(self) -> str:
        forename = self.preferred_forename or self.forename
        return f"{forename} {self.preferred_surname or self.surname}".strip()

    def clean(self) -> None:
        if self.upn:
            self.upn = normalise_upn(self.upn)
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth must be in the past"})
        if self.is_restricted and not self.restriction_reason.strip():
            raise ValidationError(
                {"restriction_reason": "Enter why this child's record is restricted"}
            )


class ChildVulnerability(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="vulnerabilities")
    group = models.CharField(max_length=24, choices=VulnerableGroup.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "group"], name="child_vulnerability_once")
        ]
        indexes = [models.Index(fields=["group", "child"], name="vulnerability_group_idx")]

    def __str__(self) -> str:
        return self.group


class NameKind(models.TextChoices):
    ALIAS = "alias", "Alias (also known as)"
    FORMER = "former", "Former name"
    PREFERRED = "preferred", "Preferred name"


class OtherName(models.Model):
    """Aliases and former names: searched like the legal name (§3.3.3.1)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="other_names")
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    forename = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, blank=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(Upper("surname"), name="other_surname_upper_idx"),
            models.Index(Upper("forename"), name="other_forename_upper_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} name"


class FormerUPN(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="former_upns")
    upn = models.CharField("UPN", max_length=13, db_index=True, validators=[validate_upn_field])

    class Meta:
        verbose_name = "former UPN"
        constraints = [models.UniqueConstraint(fields=["child", "upn"], name="former_upn_once")]

    def __str__(self) -> str:
        return "former UPN"


class Address(models.Model):
    """An address the child lived at, with dates; `is_current` marks where they live now."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField("Address line 1", max_length=120)
    line2 = models.CharField("Address line 2", max_length=120, blank=True)
    town = models.CharField("Town or city", max_length=80, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    lived_from = models.DateField(null=True, blank=True)
    lived_to = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_current", "-lived_from"]
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(is_current=True),
                name="one_current_address",
            )
        ]

    def __str__(self) -> str:
        return "address"

    def one_line(self) -> str:
        return ", ".join(p for p in [self.line1, self.line2, self.town, self.postcode] if p)


class Relationship(models.TextChoices):
    MOTHER = "mother", "Mother"
    FATHER = "father", "Father"
    STEP_PARENT = "step_parent", "Step-parent"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_RELATIVE = "other_relative", "Other relative"
    FOSTER_CARER = "foster_carer", "Foster carer"
    CORPORATE_PARENT = "corporate_parent", "Local authority (corporate parent)"
    OTHER = "other", "Other"


class Carer(models.Model):
    """A parent or carer; who has parental responsibility and who the child lives with."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="carers")
    full_name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    has_parental_responsibility = models.BooleanField(default=False)
    lives_with_child = models.BooleanField(default=False)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=250, blank=True)

    def __str__(self) -> str:
        return "carer"


class Sibling(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="siblings")
    full_name = models.CharField(max_length=150)
    date_of_birth = models.DateField(null=True, blank=True)
    # When the sibling has a record here too.
    record = models.ForeignKey(
        Child, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return "sibling"


GRANT_HOURS = 8


def grant_expiry() -> datetime:
    return timezone.now() + timedelta(hours=GRANT_HOURS)


class RestrictionGrant(models.Model):
    """A "break the seal": one person may see a restricted child's location, for a stated reason."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    granted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    # Sight of a protected location is for the task in hand, not for good.
    expires_at = models.DateTimeField(default=grant_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["child", "user"], name="grant_child_user_idx")]

    def __str__(self) -> str:
        return "restriction grant"
