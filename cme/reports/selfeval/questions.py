"""The 22 questions of the self-evaluation checklist (guidance Appendix 2, 1.1), under the five
headings of §1.4.1, each with a short note of the evidence that shows "Achieved" (Appendix 2, 1.2).

The question texts follow the guidance; the evidence notes are a summary in our own words.
"""

from __future__ import annotations

from dataclasses import dataclass

from cme.reports.models import QUESTION_COUNT


@dataclass(frozen=True)
class Question:
    number: int
    heading: str
    text: str
    evidence_hint: str
    # The system itself holds evidence for this question (live figures in the evidence panel).
    has_live_evidence: bool = False


STRATEGY = "Strategic management and leadership"
NETWORKS = "Networks and points of contact"
SYSTEMS = "Information systems"
BROKERING = "Provision brokering services"
TRACKING = "Effective pupil tracking systems"
HEADINGS = (STRATEGY, NETWORKS, SYSTEMS, BROKERING, TRACKING)

QUESTIONS: tuple[Question, ...] = (
    Question(
        1,
        STRATEGY,
        "Does the authority have a written policy, agreed with partners, on children not "
        "receiving education?",
        "The policy, shared with health, education (all schools), social care, police, youth "
        "justice and housing: the current position, the scale of the problem, the multi-agency "
        "approach and how it is monitored.",
    ),
    Question(
        2,
        STRATEGY,
        "Are the arrangements for identifying children not receiving education embedded in the "
        "children's trust governance and planning, and in the cross-cutting arrangements for "
        "safeguarding and inter-agency co-operation?",
        "The arrangements appear in the children's trust's integrated processes.",
    ),
    Question(
        3,
        STRATEGY,
        "Do senior management and elected members monitor the processes and numbers regularly?",
        "Records of termly reports to senior managers and members, or the ready means to "
        "produce them.",
    ),
    Question(
        4,
        NETWORKS,
        "Has the authority identified the key stakeholders who can tell it about children and "
        "young people without educational provision in its area?",
        "A list of the agencies the named contact has spoken to, referred to or received "
        "details from, including the public.",
    ),
    Question(
        5,
        NETWORKS,
        "Has the authority provided and publicised notification routes for all key stakeholders?",
        "Documents showing the routes and how they were spread (letters, website, leaflets); "
        "stakeholders asked can say how they would notify.",
    ),
    Question(
        6,
        NETWORKS,
        "Does the authority have a named contact to receive details of children not receiving "
        "education?",
        "When contacted, the authority can name the person or people responsible.",
    ),
    Question(
        7,
        NETWORKS,
        "Are the responsibilities of this role, or of those it is delegated to, clear?",
        "The named people are easy to reach and can explain their role, its limits and who "
        "else is responsible.",
    ),
    Question(
        8,
        SYSTEMS,
        "Does the authority keep a database of children not in education, including those new "
        "to the area or the country?",
        "Accurate, verifiable figures no more than a month old, trends over time, and a "
        "description of how they are counted.",
        has_live_evidence=True,
    ),
    Question(
        9,
        SYSTEMS,
        "Does the database record the date a child was notified, the date the form of "
        "provision was determined and the date provision was accessed?",
        "Any case can show its dates of notification, of provision being identified and of "
        "access to it.",
        has_live_evidence=True,
    ),
    Question(
        10,
        SYSTEMS,
        "Does the authority monitor the number of children and young people in its area who "
        "are not receiving an education?",
        "Regular updates of the numbers to senior responsible officers, ideally from the same "
        "system as question 8.",
        has_live_evidence=True,
    ),
    Question(
        11,
        SYSTEMS,
        "Does the authority monitor the educational status of children in recognised "
        "vulnerable groups?",
        "How children in vulnerable groups are identified and how their education is "
        "monitored, using more than one source of data.",
        has_live_evidence=True,
    ),
    Question(
        12,
        SYSTEMS,
        "Are there clear access rules and procedures for fair and safe data processing?",
        "Staff who handle the data know the written rules, and any case followed through shows "
        "them applied.",
        has_live_evidence=True,
    ),
    Question(
        13,
        BROKERING,
        "Are there clear processes for securing the support of other agencies where needed, "
        "for example for welfare reasons?",
        "Written procedures agreed with the support services, and cases needing support that "
        "follow them.",
    ),
    Question(
        14,
        BROKERING,
        "Is there an agreed process for securing educational provision for children once found?",
        "Written procedures followed in practice, with records of any failure to secure provision.",
    ),
    Question(
        15,
        BROKERING,
        "Does the authority monitor how quickly children move into provision?",
        "Regular updates to senior officers on the time taken to access provision (for example "
        "mean, mode and range).",
        has_live_evidence=True,
    ),
    Question(
        16,
        BROKERING,
        "Can the authority see up-to-date information on places available at schools and with "
        "alternative providers?",
        "Figures no more than a month old on places available, at least by statutory and "
        "alternative provision, and how they are counted.",
        has_live_evidence=True,
    ),
    Question(
        17,
        TRACKING,
        "Does the authority keep a record of children who have left schools or alternative "
        "provision without a known destination?",
        "Figures no more than a month old on children who left without a known destination, "
        "and how they are counted.",
        has_live_evidence=True,
    ),
    Question(
        18,
        TRACKING,
        "Does the authority follow children up at regular intervals until they are registered "
        "with a new provider?",
        "Written follow-up procedures, a named person, and cases showing at least monthly "
        "follow-up until the child is registered.",
        has_live_evidence=True,
    ),
    Question(
        19,
        TRACKING,
        "Is there an agreed system with schools for children leaving provision?",
        "A written process agreed by all schools in the area, known to their staff and "
        "followed when a child leaves.",
    ),
    Question(
        20,
        TRACKING,
        "Does the authority support and encourage schools to transfer files through "
        "school-to-school (s2s)?",
        "Support and materials given to every school; staff in any school know the system.",
    ),
    Question(
        21,
        TRACKING,
        "Is there a named officer who administers s2s and is responsible for the Lost Pupil "
        "Database?",
        "When contacted, the authority can name the person or people responsible.",
    ),
    Question(
        22,
        TRACKING,
        "Does the authority upload to and download from the Lost Pupil Database?",
        "Records of uploads and downloads, at least monthly.",
        has_live_evidence=True,
    ),
)

assert len(QUESTIONS) == QUESTION_COUNT
assert [q.number for q in QUESTIONS] == list(range(1, QUESTION_COUNT + 1))

BY_NUMBER = {question.number: question for question in QUESTIONS}
LIVE_EVIDENCE = tuple(q.number for q in QUESTIONS if q.has_live_evidence)


def grouped() -> list[tuple[str, list[Question]]]:
    """The questions under their headings, in the guidance's order."""
    return [(heading, [q for q in QUESTIONS if q.heading == heading]) for heading in HEADINGS]
