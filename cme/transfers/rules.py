"""Who may do what with Common Transfer Files.

A school user uploads, previews and imports CTFs for their own school only; the CME team
(officers and managers) does so for its whole authority. A CTF is sent from a case by a CME
officer or manager of the case's authority; a restricted child's export also needs a CME
manager's grant, which the service checks.
"""

from __future__ import annotations

from typing import Any

from cme.accounts.models import Role
from cme.accounts.rules import is_cme_manager, is_cme_officer, is_school_user
from cme.core.permissions import add_perm, predicate


@predicate
def is_own_upload(user: Any, upload: Any) -> bool:
    membership = getattr(user, "membership", None)
    if membership is None or upload is None or upload.authority_id != membership.authority_id:
        return False
    if membership.role == Role.SCHOOL_USER:
        return (
            membership.establishment_id is not None
            and upload.establishment_id == membership.establishment_id
        )
    return True


@predicate
def is_case_in_own_authority(user: Any, case: Any) -> bool:
    membership = getattr(user, "membership", None)
    return (
        membership is not None and case is not None and case.authority_id == membership.authority_id
    )


is_cme_team = is_cme_officer | is_cme_manager

add_perm("transfers.upload_ctf", is_school_user | is_cme_team)
add_perm("transfers.view_upload", (is_school_user | is_cme_team) & is_own_upload)
add_perm("transfers.import_ctf", (is_school_user | is_cme_team) & is_own_upload)
# A file's pupils matched to the authority's children: linked and shown to the CME team only.
add_perm("transfers.see_matched_records", is_cme_team)
# Sending a CTF from a case: asked with the case; the page also needs cases.change_case.
add_perm("transfers.export_ctf", is_cme_team & is_case_in_own_authority)
add_perm("transfers.grant_export", is_cme_manager & is_case_in_own_authority)
