"""Filters the service needs: industries, exact legal statuses, open licence, grant date."""

from typing import Any

from matching import Filters, Matcher, PatentDoc

DOCS = [
    PatentDoc(
        "a",
        title="锂电池正极材料",
        industries=("5.2",),
        legal_status="valid",
        grant_date="2022-01-05",
    ),
    PatentDoc(
        "b",
        title="锂电池负极材料",
        industries=("3.6", "5.2"),
        legal_status="pending",
        open_license=True,
    ),
    PatentDoc("c", title="锂电池隔膜", legal_status="rejected", grant_date="2020-06-30"),
]


def _ids(**filters: Any) -> list[str]:
    matcher = Matcher.fit(DOCS)
    found = matcher.match("锂电池材料", k=10, filters=Filters(include_lapsed=True, **filters))
    return sorted(m.id for m in found)


def test_industry_tags_filter_any_of() -> None:
    assert _ids(industries=frozenset({"3.6"})) == ["b"]
    assert _ids(industries=frozenset({"5.2"})) == ["a", "b"]
    assert _ids(industries=frozenset({"9.9"})) == []


def test_exact_legal_statuses() -> None:
    assert _ids(legal_statuses=frozenset({"valid", "pending"})) == ["a", "b"]
    assert _ids(legal_statuses=frozenset({"rejected"})) == ["c"]


def test_open_licence_and_grant_date() -> None:
    assert _ids(open_license_only=True) == ["b"]
    assert _ids(granted_after="2021-12-31") == ["a"]  # no grant date: excluded
    assert _ids(granted_after="2022-01-05") == []  # strictly after


def test_cached_filter_masks_follow_updates() -> None:
    # The service repeats the same filter set every query; its cached mask must follow
    # removals, additions and status changes.
    matcher = Matcher.fit(DOCS)
    same = Filters(legal_statuses=frozenset({"valid", "pending"}), exclude_ids=frozenset({"b"}))

    def ids() -> list[str]:
        return sorted(m.id for m in matcher.match("锂电池材料", k=10, filters=same))

    assert ids() == ["a"]
    matcher.remove(["a"])
    assert ids() == []
    matcher.add([PatentDoc("d", title="锂电池电解液材料", legal_status="valid")])
    assert ids() == ["d"]
    matcher.update([PatentDoc("d", title="锂电池电解液材料", legal_status="rejected")])
    assert ids() == []
