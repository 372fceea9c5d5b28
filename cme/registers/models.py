"""Registers the authority keeps: establishments, and the pupils on each one's roll."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from cme.accounts.models import la_code_validator

establishment_number_validator = RegexValidator(
    r"^\d{4}$", "Enter a 4-digit establishment number, like 2001"
)
urn_validator = RegexValidator(r"^\d{6,7}$", "Enter a URN of 6 or 7 digits, like 100001")


class EstablishmentKind(models.TextChoices):
    MAINTAINED = "maintained", "Maintained school"
    ACADEMY = "academy", "Academy"
    FREE = "free", "Free school"
    INDEPENDENT = "independent", "Independent school"
    SPECIAL = "special", "Special school"
    PRU = "pru", "Pupil referral unit"
    ALTERNATIVE = "alternative", "Alternative provision"
    CUSTODIAL = "custodial", "Custodial institution"


class Phase(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    PRIMARY = "primary", "Primary"
    MIDDLE = "middle", "Middle"
    SECONDARY = "secondary", "Secondary"
    ALL_THROUGH = "all_through", "All-through"
    SIXTEEN_PLUS = "16_plus", "16 plus"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Establishment(models.Model):
    """A provider (§3.3.1.2), identified by LA code and establishment number, and nationally by URN."""

    la_code = models.CharField("LA code", max_length=3, validators=[la_code_validator])
    number = models.CharField(
        "Establishment number", max_length=4, validators=[establishment_number_validator]
    )
    urn = models.CharField(
        "URN", max_length=7, unique=True, null=True, blank=True, validators=[urn_validator]
    )
    name = models.CharField(max_length=160)
    kind = models.CharField("Type", max_length=20, choices=EstablishmentKind.choices)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    is_open = models.BooleanField("Open", default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["la_code", "number"], name="establishment_dfe_number")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.dfe_number})"

    @property
    def dfe_number(self) -> str:
        return f"{self.la_code}/{self.number}"


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"


class RollEntry(models.Model):
    """A pupil on an establishment's roll, as the latest roll extract showed them."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="roll")
    upn = models.CharField("UPN", max_length=13, db_index=True)
    forename = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=100, blank=True)
    surname = models.CharField(max_length=100, db_index=True)
    preferred_forename = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(db_index=True)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    year_group = models.CharField(max_length=3, blank=True)
    address = models.CharField(max_length=250, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)
    admission_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["surname", "forename"]
        verbose_name_plural = "roll entries"
        constraints = [
            models.UniqueConstraint(fields=["establishment", "upn"], name="roll_entry_unique_upn")
        ]

    def __str__(self) -> str:
        return f"roll entry {self.pk}"
