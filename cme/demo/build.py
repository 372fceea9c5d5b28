"""Build the demo data (idempotently) and list the demo sign-ins.

This is fixture loading, not case work: it writes with the plain ORM in one transaction and records
no audit events. Every row is found by its natural key first, so a second run adds and changes
nothing; an establishment's roll is filled only while it has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from cme.accounts.models import Authority, Membership, PartnerAgency, Role, User
from cme.api.demo import build_api_tokens
from cme.cases.models import Case
from cme.core.models import Term
from cme.demo.cases import demo_cases
from cme.demo.catalogue import (
    AGENCIES,
    AUTHORITIES,
    DEFAULT_PUPILS,
    DEMO_PASSWORD,
    ESTABLISHMENTS,
    OTHER_ROLL_SHARE,
    USERS,
    AuthoritySpec,
)
from cme.demo.enquiries import THIRDSHIRE, build_enquiries
from cme.demo.intake import build_intake
from cme.demo.lpd import build_lpd
from cme.demo.panels import build_panels
from cme.demo.places import district_streets
from cme.demo.places_register import build_places_register
from cme.demo.provision import build_provision
from cme.demo.pupils import Area, RollMaker, UpnAllocator, academic_year_of, split_evenly
from cme.demo.returns import build_returns
from cme.demo.selfeval import build_selfeval
from cme.demo.terms import demo_terms
from cme.matching.demo import build_matching
from cme.registers.models import Establishment, Phase, RollEntry
from cme.returns.demo import build_ctf_clock

SERVICE_OPERATOR = "service_operator"
_BATCH = 2000
_ROLE_ORDER = {role.value: index for index, role in enumerate(Role)}


@dataclass(frozen=True)
class DemoCounts:
    authorities: int = 0
    establishments: int = 0
    agencies: int = 0
    users: int = 0
    pupils_on_roll: int = 0
    terms: int = 0
    cases: int = 0


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


def demo_data_exists() -> bool:
    """Whether any authority exists yet (demo or real): `cme demo --if-empty` then loads nothing."""
    return Authority.objects.exists()


def demo_counts() -> DemoCounts:
    """How many of each kind of row the demo's authorities have (counts only, no personal data)."""
    la_codes = [spec.la_code for spec in AUTHORITIES] + [THIRDSHIRE[1]]
    return DemoCounts(
        authorities=Authority.objects.filter(la_code__in=la_codes).count(),
        establishments=Establishment.objects.filter(la_code__in=la_codes).count(),
        agencies=PartnerAgency.objects.filter(authority__la_code__in=la_codes).count(),
        users=User.objects.filter(is_demo=True).count(),
        pupils_on_roll=RollEntry.objects.filter(establishment__la_code__in=la_codes).count(),
        terms=Term.objects.filter(authority__la_code__in=la_codes).count(),
        cases=Case.objects.filter(authority__la_code__in=la_codes).count(),
    )


@transaction.atomic
def demo_build(*, pupils: int = DEFAULT_PUPILS, today: date | None = None) -> DemoCounts:
    """Create whatever of the demo is missing; return how many rows of each kind this run made.

    `pupils` is Exampleshire's roll (Otherborough gets a fiftieth of it); `today` fixes the school
    year the pupils' year groups and dates of birth are worked out for, the school years given
    term dates, and the two years the cases are spread over. An authority that already has
    cases gets none.
    """
    if pupils < 0:
        raise ValueError("The number of pupils cannot be negative")
    today = today or timezone.localdate()
    before = demo_counts()
    authorities, _ = _authorities()
    establishments, new_establishments = _establishments()
    agencies, new_agencies = _agencies(authorities)
    _users(authorities, establishments, agencies)
    new_pupils = _rolls(establishments, pupils=pupils, today=today)
    demo_terms(authorities.values(), today)
    new_cases = demo_cases(authorities, establishments, today)
    build_intake(authorities["990"], today=today)  # referrals, contacts and a truancy sweep
    build_returns(authorities["990"], today=today)  # school returns and the EHE register
    build_ctf_clock(authorities["990"], today=today)  # CTF due dates; most past-due ones sent
    build_places_register(authorities["990"], today=today)  # places, some figures stale
    build_provision(authorities["990"], today=today)  # needs, brokering, monitoring, support
    build_panels(authorities["990"], today=today)  # fair access panels: decisions, some overdue
    build_selfeval(authorities["990"], today=today)  # two past self-evaluations
    build_api_tokens(authorities["990"])  # a school's token and a revoked agency token
    build_matching(authorities["990"])  # the matching index, and a few matches to review
    build_lpd(authorities.values(), today=today)  # lost CTFs in the LPD, and its activity
    build_enquiries(authorities, today=today)  # Thirdshire (992), the directory, enquiries
    after = demo_counts()  # Thirdshire and its people come with the enquiries
    return DemoCounts(
        authorities=after.authorities - before.authorities,
        establishments=new_establishments,
        agencies=new_agencies,
        users=after.users - before.users,
        pupils_on_roll=new_pupils,
        terms=after.terms - before.terms,
        cases=new_cases,
    )


def demo_logins() -> list[DemoLogin]:
    """One sign-in per demo user, by authority then role: only for printing in demo mode."""
    logins: list[tuple[tuple[str, int, str], DemoLogin]] = []
    users = User.objects.filter(is_demo=True).prefetch_related("memberships__authority")
    for user in users:
        memberships = sorted((m for m in user.memberships.all() if m.is_active), key=lambda m: m.pk)
        if memberships:
            la_code, role = memberships[0].authority.la_code, memberships[0].role
        elif user.is_staff:
            la_code, role = "~", SERVICE_OPERATOR
        else:
            continue
        key = (la_code, _ROLE_ORDER.get(role, len(_ROLE_ORDER)), user.email)
        logins.append((key, DemoLogin(role=role, email=user.email, password=DEMO_PASSWORD)))
    return [login for _, login in sorted(logins, key=lambda pair: pair[0])]


def _authorities() -> tuple[dict[str, Authority], int]:
    found: dict[str, Authority] = {}
    created_count = 0
    for spec in AUTHORITIES:
        authority, created = Authority.objects.get_or_create(
            la_code=spec.la_code, defaults={"name": spec.name}
        )
        found[spec.la_code] = authority
        created_count += created
    return found, created_count


def _establishments() -> tuple[dict[tuple[str, str], Establishment], int]:
    existing = {
        (e.la_code, e.number): e
        for e in Establishment.objects.filter(la_code__in={s.la_code for s in ESTABLISHMENTS})
    }
    taken_urns = set(Establishment.objects.exclude(urn=None).values_list("urn", flat=True))
    new: list[Establishment] = []
    for spec in ESTABLISHMENTS:
        if (spec.la_code, spec.number) in existing:
            continue
        establishment = Establishment(
            la_code=spec.la_code,
            number=spec.number,
            urn=None if spec.urn in taken_urns else spec.urn,
            name=spec.name,
            kind=spec.kind,
            phase=spec.phase,
            is_open=spec.is_open,
        )
        establishment.full_clean(validate_unique=False, validate_constraints=False)
        new.append(establishment)
    Establishment.objects.bulk_create(new)
    found = {
        (e.la_code, e.number): e
        for e in Establishment.objects.filter(la_code__in={s.la_code for s in ESTABLISHMENTS})
    }
    return found, len(new)


def _agencies(authorities: dict[str, Authority]) -> tuple[dict[str, PartnerAgency], int]:
    found: dict[str, PartnerAgency] = {}
    created_count = 0
    for spec in AGENCIES:
        agency, created = PartnerAgency.objects.get_or_create(
            authority=authorities[spec.la_code], name=spec.name, defaults={"kind": spec.kind}
        )
        found[spec.name] = agency
        created_count += created
    return found, created_count


def _users(
    authorities: dict[str, Authority],
    establishments: dict[tuple[str, str], Establishment],
    agencies: dict[str, PartnerAgency],
) -> int:
    created_count = 0
    password_hash = ""
    for spec in USERS:
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User.objects.create_user(
                spec.email, None, full_name=spec.full_name, is_demo=True, is_staff=spec.role is None
            )
            # Hash the shared demo password once: hashing is deliberately slow, ~0.3s a time.
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user.password = password_hash
            user.save(update_fields=["password"])
            created_count += 1
        elif not user.is_demo:
            continue  # a real account that happens to use a demo address: leave it alone
        if spec.la_code is None or spec.role is None:
            continue
        scope: dict[str, object] = {}
        if spec.establishment_number is not None:
            scope["establishment"] = establishments[(spec.la_code, spec.establishment_number)]
        if spec.agency_name is not None:
            scope["agency"] = agencies[spec.agency_name]
        Membership.objects.get_or_create(
            user=user, authority=authorities[spec.la_code], role=spec.role, defaults=scope
        )
    return created_count


def _rolls(
    establishments: dict[tuple[str, str], Establishment], *, pupils: int, today: date
) -> int:
    academic_year = academic_year_of(today)
    filled = set(
        RollEntry.objects.filter(establishment__in=establishments.values())
        .values_list("establishment_id", flat=True)
        .distinct()
    )
    fake = Faker("en_GB")
    allocator = UpnAllocator(RollEntry.objects.values_list("upn", flat=True).iterator())
    created = 0
    for authority in AUTHORITIES:
        total = pupils if authority.la_code == "990" else round(pupils * OTHER_ROLL_SHARE)
        specs = [s for s in ESTABLISHMENTS if s.la_code == authority.la_code]
        open_specs = [s for s in specs if s.is_open and s.size > 0]
        targets = split_evenly(total, [s.size for s in open_specs])
        to_fill = [
            (spec, count)
            for spec, count in zip(open_specs, targets, strict=True)
            if count and establishments[(spec.la_code, spec.number)].pk not in filled
        ]
        if not to_fill:
            continue
        maker = RollMaker(
            fake=fake,
            allocator=allocator,
            area=_area(authority, fake),
            primaries=[s.number for s in specs if s.years[0] == "R" and s.phase == Phase.PRIMARY],
            academic_year=academic_year,
            today=today,
        )
        for spec, count in to_fill:
            establishment = establishments[(spec.la_code, spec.number)]
            created += _save(
                RollEntry(establishment=establishment, **vars(pupil))
                for pupil in maker.pupils(spec, count)
            )
    return created


def _area(authority: AuthoritySpec, fake: Faker) -> Area:
    return Area(
        districts=tuple(district for district, _ in authority.districts),
        streets={
            district: district_streets(district, town, fake)
            for district, town in authority.districts
        },
    )


def _save(entries: Iterable[RollEntry]) -> int:
    batch: list[RollEntry] = []
    saved = 0
    for entry in entries:
        batch.append(entry)
        if len(batch) >= _BATCH:
            RollEntry.objects.bulk_create(batch)
            saved += len(batch)
            batch = []
    if batch:
        RollEntry.objects.bulk_create(batch)
        saved += len(batch)
    return saved
