"""The whole company as a reader, for documents produced without a viewer in front of them: the
quarterly quality report, the management review's inputs, the assessor package. Each of those is a
company-level record whose own pages already restrict who may open it; the satisfaction selectors
(scoped by `opsqm.accounts.access`) then see every project, as an org-wide user would."""

from __future__ import annotations


class _WholeCompany:
    is_authenticated = True
    is_active = True
    is_org_wide = True
    is_superuser = False
    is_anonymous = False
    role = "system"
    pk = None
    id = None

    def __str__(self) -> str:
        return "whole-company"


WHOLE_COMPANY = _WholeCompany()
