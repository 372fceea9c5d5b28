"""What the demo builds: the authorities, their establishments, agencies and users.

Establishment numbers follow the DfE's conventions roughly: 1xxx pupil referral units and other
provision, 2xxx community and academy primaries, 3xxx church primaries, 4xxx secondaries (and
all-through and 16 plus), 5xxx church secondaries, 6xxx independent schools, 7xxx special schools.
"""

from __future__ import annotations

from dataclasses import dataclass

from cme.accounts.models import AgencyKind, Role
from cme.registers.models import EstablishmentKind, Phase, Sex

# One password for every demo user, known to whoever runs the demo. It passes Django's validators.
DEMO_PASSWORD = "lantern-harbour-pebble-demo"  # noqa: S105 - fictional accounts, printed by design
DEFAULT_PUPILS = 20_000
# Otherborough's roll, as a share of Exampleshire's.
OTHER_ROLL_SHARE = 0.02

K = EstablishmentKind
P = Phase

PRIMARY = ("R", "1", "2", "3", "4", "5", "6")
SECONDARY = ("7", "8", "9", "10", "11")
SIXTH_FORM = ("12", "13")
ALL_AGES = ("R", *PRIMARY[1:], *SECONDARY, *SIXTH_FORM)


@dataclass(frozen=True)
class AuthoritySpec:
    name: str
    la_code: str
    # Postcode districts of the area, each with its town; the first is the main town.
    districts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EstablishmentSpec:
    la_code: str
    number: str
    urn: str
    name: str
    kind: EstablishmentKind
    phase: Phase
    # Pupils on roll before scaling the authority's total to the size asked for.
    size: int
    years: tuple[str, ...]
    district: str
    is_open: bool = True
    sex: Sex | None = None  # a single-sex school

    @property
    def local_intake(self) -> bool:
        """Whether most pupils live near the school (mainstream state schools)."""
        return self.kind in {K.MAINTAINED, K.ACADEMY, K.FREE} and self.phase != P.SIXTEEN_PLUS

    @property
    def has_intake_year(self) -> bool:
        """Whether most pupils join at the start of the first year group (not special or AP)."""
        return self.phase != P.NOT_APPLICABLE


@dataclass(frozen=True)
class AgencySpec:
    la_code: str
    name: str
    kind: AgencyKind


@dataclass(frozen=True)
class UserSpec:
    la_code: str | None  # None: a service operator, who belongs to no authority
    role: Role | None
    email: str
    full_name: str
    establishment_number: str | None = None
    agency_name: str | None = None


EXAMPLESHIRE = AuthoritySpec(
    "Exampleshire Council",
    "990",
    (
        ("EX1", "Exampleton"),
        ("EX2", "Exampleton"),
        ("EX4", "Exampleton"),
        ("EX5", "Little Trialing"),
        ("EX8", "Sampleford"),
        ("EX10", "Demoport"),
        ("EX14", "Testbury"),
        ("EX15", "Mockbridge"),
    ),
)
OTHERBOROUGH = AuthoritySpec(
    "Otherborough Council",
    "991",
    (("OL1", "Otherborough"), ("OL4", "Otherborough"), ("OL8", "Lowmoor")),
)
AUTHORITIES = (EXAMPLESHIRE, OTHERBOROUGH)

SECONDARY_6 = (*SECONDARY, *SIXTH_FORM)

# number, name, type, phase, pupils (before scaling), year groups, postcode district
_Row = tuple[str, str, EstablishmentKind, Phase, int, tuple[str, ...], str]
MAINTAINED, ACADEMY, FREE, INDEPENDENT = K.MAINTAINED, K.ACADEMY, K.FREE, K.INDEPENDENT
SPECIAL, PRU, AP, CUSTODIAL = K.SPECIAL, K.PRU, K.ALTERNATIVE, K.CUSTODIAL
PRI, SEC, ALL, P16, NA = P.PRIMARY, P.SECONDARY, P.ALL_THROUGH, P.SIXTEEN_PLUS, P.NOT_APPLICABLE
_ROWS: tuple[_Row, ...] = (
    # Community and church primaries the authority maintains
    ("2001", "Meadow Lane Primary School", MAINTAINED, PRI, 420, PRIMARY, "EX1"),
    ("2002", "Brookfield Primary School", MAINTAINED, PRI, 315, PRIMARY, "EX2"),
    ("2003", "Hillside Primary School", MAINTAINED, PRI, 210, PRIMARY, "EX4"),
    ("2004", "Exampleton Park Primary School", MAINTAINED, PRI, 630, PRIMARY, "EX4"),
    ("2005", "Willow Green Primary School", MAINTAINED, PRI, 210, PRIMARY, "EX2"),
    ("2006", "Foxhollow Primary School", MAINTAINED, PRI, 105, PRIMARY, "EX5"),
    ("2007", "Kingsmead Primary School", MAINTAINED, PRI, 420, PRIMARY, "EX8"),
    ("2008", "Harbour View Primary School", MAINTAINED, PRI, 315, PRIMARY, "EX8"),
    ("2009", "Sampleford Community Primary School", MAINTAINED, PRI, 315, PRIMARY, "EX8"),
    ("2010", "Orchard Way Primary School", MAINTAINED, PRI, 315, PRIMARY, "EX10"),
    ("2011", "Little Trialing Primary School", MAINTAINED, PRI, 84, PRIMARY, "EX5"),
    ("2012", "Mockbridge Primary School", MAINTAINED, PRI, 210, PRIMARY, "EX15"),
    ("2013", "Station Road Primary School", MAINTAINED, PRI, 420, PRIMARY, "EX14"),
    ("2014", "Elm Tree Primary School", MAINTAINED, PRI, 210, PRIMARY, "EX14"),
    ("2015", "Castle Hill Primary School", MAINTAINED, PRI, 0, PRIMARY, "EX1"),
    ("2016", "Northgate Nursery and Primary School", MAINTAINED, PRI, 420, PRIMARY, "EX1"),
    ("3001", "St Mary's Church of England Primary School", MAINTAINED, PRI, 210, PRIMARY, "EX1"),
    ("3002", "St Joseph's Catholic Primary School", MAINTAINED, PRI, 315, PRIMARY, "EX2"),
    (
        "3003",
        "Holy Trinity Church of England Primary School",
        MAINTAINED,
        PRI,
        210,
        PRIMARY,
        "EX10",
    ),
    ("3004", "St Peter's Church of England Primary School", MAINTAINED, PRI, 105, PRIMARY, "EX15"),
    # Maintained secondaries
    ("4001", "Exampleton Community College", MAINTAINED, SEC, 1250, SECONDARY_6, "EX2"),
    ("4002", "Demoport School", MAINTAINED, SEC, 900, SECONDARY, "EX10"),
    ("4003", "Sampleford High School", MAINTAINED, SEC, 0, SECONDARY_6, "EX8"),
    ("5001", "St Aidan's Catholic High School", MAINTAINED, SEC, 950, SECONDARY_6, "EX4"),
    # Academies
    ("2101", "Castle Hill Primary Academy", ACADEMY, PRI, 420, PRIMARY, "EX1"),
    ("2102", "Riverside Primary Academy", ACADEMY, PRI, 315, PRIMARY, "EX4"),
    ("2103", "Oakfield Primary Academy", ACADEMY, PRI, 630, PRIMARY, "EX2"),
    ("2104", "Greenacres Primary Academy", ACADEMY, PRI, 315, PRIMARY, "EX14"),
    ("2105", "Beacon Hill Primary Academy", ACADEMY, PRI, 210, PRIMARY, "EX15"),
    ("2106", "Ashgrove Primary Academy", ACADEMY, PRI, 315, PRIMARY, "EX8"),
    ("2107", "The Willows Primary Academy", ACADEMY, PRI, 210, PRIMARY, "EX10"),
    ("2108", "Windmill Primary Academy", ACADEMY, PRI, 105, PRIMARY, "EX5"),
    ("2109", "Sandy Lane Primary Academy", ACADEMY, PRI, 420, PRIMARY, "EX8"),
    ("2110", "Moorside Primary Academy", ACADEMY, PRI, 210, PRIMARY, "EX14"),
    ("3101", "St Luke's Church of England Primary Academy", ACADEMY, PRI, 210, PRIMARY, "EX2"),
    ("3102", "St Bernadette's Catholic Primary Academy", ACADEMY, PRI, 210, PRIMARY, "EX10"),
    ("4101", "Sampleford Academy", ACADEMY, SEC, 1200, SECONDARY_6, "EX8"),
    ("4102", "Kingsway Academy", ACADEMY, SEC, 1400, SECONDARY_6, "EX1"),
    ("4103", "Testbury Academy", ACADEMY, SEC, 1000, SECONDARY_6, "EX14"),
    ("4104", "Mockbridge Academy", ACADEMY, SEC, 800, SECONDARY, "EX15"),
    ("4105", "Harbourside Academy", ACADEMY, SEC, 1050, SECONDARY, "EX10"),
    ("4106", "Exampleton Girls' Academy", ACADEMY, SEC, 900, SECONDARY_6, "EX4"),
    ("4107", "Northfield Academy", ACADEMY, ALL, 1500, ALL_AGES, "EX1"),
    ("5101", "Bishop Ridley Church of England Academy", ACADEMY, SEC, 1100, SECONDARY_6, "EX2"),
    # Free schools
    ("2201", "Discovery Primary School", FREE, PRI, 210, PRIMARY, "EX4"),
    ("2202", "Harbour Bilingual Primary School", FREE, PRI, 140, PRIMARY, "EX8"),
    ("4201", "Cornerstone Free School", FREE, SEC, 600, SECONDARY, "EX2"),
    ("4202", "Exampleshire Mathematics School", FREE, P16, 160, SIXTH_FORM, "EX1"),
    # Independent schools
    ("6001", "Exampleton Preparatory School", INDEPENDENT, PRI, 250, PRIMARY, "EX4"),
    ("6002", "Sampleford College", INDEPENDENT, SEC, 450, SECONDARY_6, "EX8"),
    ("6003", "St Hilda's School", INDEPENDENT, ALL, 600, ALL_AGES, "EX5"),
    ("6004", "Oak Tree Independent Special School", INDEPENDENT, NA, 45, ALL_AGES[3:12], "EX14"),
    ("6005", "Exampleton Steiner School", INDEPENDENT, ALL, 120, ALL_AGES[:12], "EX2"),
    # Special schools
    ("7001", "Fernbrook School", SPECIAL, NA, 160, ALL_AGES, "EX2"),
    ("7002", "Westfield School", SPECIAL, NA, 120, ALL_AGES, "EX8"),
    ("7003", "The Orchard Special Academy", SPECIAL, NA, 90, PRIMARY, "EX10"),
    ("7004", "Sunrise School", SPECIAL, NA, 80, SECONDARY_6, "EX14"),
    # Pupil referral units, alternative provision and custody
    ("1100", "Exampleshire Pupil Referral Unit", PRU, NA, 60, ALL_AGES[5:12], "EX2"),
    ("1101", "Exampleshire Hospital Education Service", PRU, NA, 30, ALL_AGES[1:14], "EX1"),
    ("1102", "Pathways Alternative Provision Academy", AP, NA, 40, ALL_AGES[9:12], "EX4"),
    ("1103", "New Horizons Learning Centre", AP, NA, 30, ALL_AGES[10:14], "EX10"),
    ("1104", "Exampleshire Secure Children's Home", CUSTODIAL, NA, 16, SECONDARY_6, "EX5"),
)
# Closed: Castle Hill and Sampleford High became academies (2101, 4101) with new numbers.
_CLOSED = {("990", "2015"), ("990", "4003")}
_SINGLE_SEX = {("990", "4106"): Sex.FEMALE}

_OTHER_ROWS: tuple[_Row, ...] = (
    ("2001", "Canal Side Primary School", MAINTAINED, PRI, 315, PRIMARY, "OL1"),
    ("2002", "Mill Street Primary School", MAINTAINED, PRI, 210, PRIMARY, "OL8"),
    ("4001", "Otherborough Academy", ACADEMY, SEC, 900, SECONDARY_6, "OL4"),
    ("7001", "Lime Tree School", SPECIAL, NA, 70, ALL_AGES, "OL1"),
    ("1100", "Otherborough Pupil Referral Unit", PRU, NA, 30, ALL_AGES[5:12], "OL4"),
)


def _specs(
    la_code: str,
    first_urn: int,
    rows: tuple[_Row, ...],
) -> tuple[EstablishmentSpec, ...]:
    return tuple(
        EstablishmentSpec(
            la_code=la_code,
            number=number,
            urn=str(first_urn + index),
            name=name,
            kind=kind,
            phase=phase,
            size=size,
            years=years,
            district=district,
            is_open=(la_code, number) not in _CLOSED,
            sex=_SINGLE_SEX.get((la_code, number)),
        )
        for index, (number, name, kind, phase, size, years, district) in enumerate(rows)
    )


ESTABLISHMENTS = _specs("990", 190001, _ROWS) + _specs("991", 191001, _OTHER_ROWS)

AGENCIES = (
    AgencySpec("990", "Exampleshire Police", AgencyKind.POLICE),
    AgencySpec("990", "Exampleshire Community Health Services", AgencyKind.HEALTH),
    AgencySpec("990", "Exampleton Hospital Emergency Department", AgencyKind.EMERGENCY),
    AgencySpec("990", "Exampleshire Housing Options", AgencyKind.HOUSING),
    AgencySpec("990", "Exampleshire Children's Social Care", AgencyKind.SOCIAL_CARE),
    AgencySpec("990", "Exampleshire Youth Justice Service", AgencyKind.YOUTH_JUSTICE),
    AgencySpec("990", "Sampleford Family Support Trust", AgencyKind.VOLUNTARY),
    AgencySpec("991", "Otherborough Police", AgencyKind.POLICE),
)

USERS = (
    UserSpec("990", Role.CME_OFFICER, "officer@exampleshire.example", "Priya Sharma"),
    UserSpec("990", Role.CME_MANAGER, "manager@exampleshire.example", "Daniel Okafor"),
    UserSpec("990", Role.CASEWORKER, "caseworker@exampleshire.example", "Hannah Lewis"),
    UserSpec(
        "990",
        Role.SCHOOL_USER,
        "school@exampleshire.example",
        "Gareth Price",
        establishment_number="4102",
    ),
    UserSpec(
        "990",
        Role.PARTNER,
        "partner@exampleshire.example",
        "Joanne Fletcher",
        agency_name="Exampleshire Police",
    ),
    UserSpec("990", Role.AUDITOR, "auditor@exampleshire.example", "Martin Hughes"),
    UserSpec("990", Role.ADMINISTRATOR, "admin@exampleshire.example", "Aisha Begum"),
    UserSpec("991", Role.ADMINISTRATOR, "admin@otherborough.example", "Colin Marsh"),
    UserSpec("991", Role.CME_OFFICER, "officer@otherborough.example", "Sunita Patel"),
    UserSpec(None, None, "operator@cme.example", "Sam Taylor"),
)

# How many cases the demo opens for each authority, by the stage they have reached, and how the
# closed ones ended. Exampleshire's add up to 300, Otherborough's to 20.
CASE_STAGES: dict[str, dict[str, int]] = {
    "990": {
        "received": 14,
        "checking": 22,
        "confirmed_missing": 16,
        "locating": 20,
        "assessing_needs": 16,
        "securing_provision": 16,
        "in_provision": 18,
        "tracking": 18,
    },
    "991": {
        "received": 1,
        "checking": 2,
        "confirmed_missing": 1,
        "locating": 2,
        "assessing_needs": 1,
        "securing_provision": 1,
        "in_provision": 2,
        "tracking": 2,
    },
}
CASE_OUTCOMES: dict[str, dict[str, int]] = {
    "990": {
        "found_on_roll": 34,
        "registered": 40,
        "home_educated": 16,
        "moved_la": 20,
        "moved_abroad": 14,
        "custody": 4,
        "not_school_age": 6,
        "whereabouts_unknown": 10,
        "died": 2,
        "not_cme": 14,
    },
    "991": {
        "found_on_roll": 2,
        "registered": 2,
        "home_educated": 1,
        "moved_la": 2,
        "not_cme": 1,
    },
}
# Children whose records are restricted (§3.9.3.2), per authority.
RESTRICTED_CHILDREN = {"990": 5, "991": 1}
