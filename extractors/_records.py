"""Helpers shared by the recognisers of civil records and identity documents (household registers, marriage
certificates, legal-representative certificates, permits and passports).

`other_title` of extractors/_classify caps a page whose head names another type; the generic words listed
under "other" there (证明书, 结婚证, 户口, 居民身份证) are part of these types' own titles, so here a title word
that lies inside one of the type's own titles does not count against it.
"""

from __future__ import annotations

from collections.abc import Sequence

from extractors._classify import PageEvidence, titles


def names_other_type(ev: PageEvidence, own: str, own_titles: Sequence[str]) -> bool:
    """The page's head names a type other than `own` (ignoring words inside `own_titles`)."""
    for code, words in titles().items():
        if code == own:
            continue
        foreign = [w for w in words if not any(w in t for t in own_titles)]
        if foreign and ev.title(foreign):
            return True
    return False
