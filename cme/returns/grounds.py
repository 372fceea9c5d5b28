"""The grounds for deleting a pupil of compulsory school age from a school's admission register,
and what the local authority does on each: ONE table, `ACTIONS`.

Source: the School Attendance (Pupil Registration) (England) Regulations 2024 (SI 2024/208),
regulation 9(1) (the grounds) and regulation 13 (the return to the local authority).

The wording below is a paraphrase and the letters are the regulation's paragraphs as we understand
them. **The service owner must check both against the regulations as made (and any amendments)
before relying on them.** The coded values do not contain the letters, so correcting a letter
or a label changes no stored data.

Since 2024 two grounds need the school and the local authority to have made reasonable enquiries
together before the pupil may be deleted (continuous absence of 20 school days, and not returning
after a leave of absence): a return on those grounds is refused until the authority has recorded
the joint enquiries on the child's case (EnquiryKind.SCHOOL_JOINT, with a date).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Ground(models.TextChoices):
    """Regulation 9(1) grounds for deleting a pupil of compulsory school age (paraphrased)."""

    ATTENDANCE_ORDER_CHANGED = (
        "attendance_order_changed",
        "Registered under a school attendance order that the local authority has changed to "
        "name another school, or revoked because the child will be educated otherwise than "
        "at school",
    )
    ANOTHER_SCHOOL = (
        "another_school",
        "Registered as a pupil at another school",
    )
    DUAL_REGISTRATION_ENDED = (
        "dual_registration_ended",
        "Registered at more than one school, has stopped attending this one, and the other "
        "school has agreed to the deletion",
    )
    HOME_EDUCATED = (
        "home_educated",
        "Parent has told the school in writing that the child is being educated otherwise "
        "than at school (elective home education)",
    )
    MOVED_AWAY = (
        "moved_away",
        "Has stopped attending and no longer lives within a reasonable distance of the school",
    )
    NOT_RETURNED_FROM_LEAVE = (
        "not_returned_from_leave",
        "Has not come back within 10 school days of the end of a leave of absence, and the "
        "school and the local authority have jointly made reasonable enquiries without "
        "finding where the child is",
    )
    MEDICALLY_UNFIT = (
        "medically_unfit",
        "Certified by the school medical officer as unlikely to be fit to attend before "
        "the end of compulsory school age",
    )
    CONTINUOUS_ABSENCE = (
        "continuous_absence",
        "Absent without authorisation for at least 20 school days in a row, and the school "
        "and the local authority have jointly made reasonable enquiries without finding "
        "where the child is",
    )
    IN_CUSTODY = (
        "in_custody",
        "Detained under a court order for at least 4 months and not expected to return to "
        "the school afterwards",
    )
    DIED = "died", "Has died"
    LEAVING_AGE = (
        "leaving_age",
        "Will stop being of compulsory school age before the school next meets and will not "
        "stay on (or does not meet the sixth form's entry requirements)",
    )
    PERMANENTLY_EXCLUDED = "permanently_excluded", "Permanently excluded"
    NURSERY_NOT_TRANSFERRING = (
        "nursery_not_transferring",
        "Admitted to the nursery class and not moving up to reception at this school",
    )
    BOARDING_FEES_UNPAID = (
        "boarding_fees_unpaid",
        "A boarder at a maintained school whose board and lodging charges have not been paid",
    )
    PLACE_WITHDRAWN = (
        "place_withdrawn",
        "Offer of a place withdrawn because the application was fraudulent or intentionally "
        "misleading",
    )


class Action(models.TextChoices):
    """What the authority does when a return on a ground arrives."""

    TRACK_IF_NO_DESTINATION = (
        "track_if_no_destination",
        "Open a tracking case when no destination is known",
    )
    EHE_REGISTER = (
        "ehe_register",
        "Add the child to the elective home education register (a case only if the school "
        "has welfare concerns)",
    )
    REQUIRES_JOINT_ENQUIRIES = (
        "requires_joint_enquiries",
        "Refused until the joint enquiries are recorded on the child's case; then tracked",
    )
    OPEN_CASE = (
        "open_case",
        "Open a case: the authority must arrange education from the sixth school day",
    )
    CUSTODY = "custody", "Record it; no case (note it on any open case)"
    DIED = "died", "Record it; no case (note it on any open case)"
    NOTIFY_ONLY = "notify_only", "Record it; no case"


@dataclass(frozen=True)
class GroundRule:
    regulation: str  # as we understand it; see the module docstring
    action: Action


G, A = Ground, Action

ACTIONS: dict[Ground, GroundRule] = {
    G.ATTENDANCE_ORDER_CHANGED: GroundRule("reg 9(1)(a)", A.NOTIFY_ONLY),
    G.ANOTHER_SCHOOL: GroundRule("reg 9(1)(b)", A.TRACK_IF_NO_DESTINATION),
    G.DUAL_REGISTRATION_ENDED: GroundRule("reg 9(1)(c)", A.TRACK_IF_NO_DESTINATION),
    G.HOME_EDUCATED: GroundRule("reg 9(1)(d)", A.EHE_REGISTER),
    G.MOVED_AWAY: GroundRule("reg 9(1)(e)", A.TRACK_IF_NO_DESTINATION),
    G.NOT_RETURNED_FROM_LEAVE: GroundRule("reg 9(1)(f)", A.REQUIRES_JOINT_ENQUIRIES),
    G.MEDICALLY_UNFIT: GroundRule("reg 9(1)(g)", A.NOTIFY_ONLY),
    G.CONTINUOUS_ABSENCE: GroundRule("reg 9(1)(h)", A.REQUIRES_JOINT_ENQUIRIES),
    G.IN_CUSTODY: GroundRule("reg 9(1)(i)", A.CUSTODY),
    G.DIED: GroundRule("reg 9(1)(j)", A.DIED),
    G.LEAVING_AGE: GroundRule("reg 9(1)(k)", A.NOTIFY_ONLY),
    G.PERMANENTLY_EXCLUDED: GroundRule("reg 9(1)(l)", A.OPEN_CASE),
    G.NURSERY_NOT_TRANSFERRING: GroundRule("reg 9(1)(m)", A.NOTIFY_ONLY),
    G.BOARDING_FEES_UNPAID: GroundRule("reg 9(1)(n)", A.TRACK_IF_NO_DESTINATION),
    G.PLACE_WITHDRAWN: GroundRule("reg 9(1)(o)", A.TRACK_IF_NO_DESTINATION),
}

assert set(ACTIONS) == set(Ground), "every ground needs its action"


def rule_for(ground: Ground | str) -> GroundRule:
    return ACTIONS[Ground(ground)]


def needs_joint_enquiries(ground: Ground | str) -> bool:
    return rule_for(ground).action == Action.REQUIRES_JOINT_ENQUIRIES


def ground_label(ground: Ground | str) -> str:
    """ "reg 9(1)(b): Registered as a pupil at another school"."""
    rule = rule_for(ground)
    return f"{rule.regulation}: {Ground(ground).label}"
