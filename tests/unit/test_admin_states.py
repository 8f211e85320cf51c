"""The states /admin shows for an account, and the moment the next of them changes (the page is kept until
then: pages/admin.py, data_access/render_cache.keep_for)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest


@pytest.fixture(scope="module")
def admin():
    import app  # noqa: F401  (registers the pages)
    import pages.admin as page

    return page


NOW = datetime(2026, 12, 4, 10, 0, 0)


def account(expires_at=None, active=True):
    from auth.models import User

    return User(email="a@example.org", name="A", active=active, expires_at=expires_at)


def test_states_by_end_of_access(admin):
    assert admin.account_state(account(), NOW) == "actif"
    assert admin.account_state(account(NOW + timedelta(days=31)), NOW) == "actif"
    assert admin.account_state(account(NOW + timedelta(days=30)), NOW) == "expire bientôt"
    assert admin.account_state(account(NOW), NOW) == "expiré"
    assert admin.account_state(account(NOW + timedelta(days=3), active=False), NOW) == "désactivé"


def test_the_next_change_is_the_first_moment_a_state_turns(admin):
    in_40_days, in_10_days = NOW + timedelta(days=40), NOW + timedelta(days=10)
    # 40 days away: « expire bientôt » in 10 days; 10 days away: already soon, « expiré » in 10 days.
    assert admin.next_change([in_40_days], NOW) == in_40_days - timedelta(days=30)
    assert admin.next_change([in_10_days], NOW) == in_10_days
    assert admin.next_change([None, in_40_days, NOW + timedelta(days=31), in_10_days], NOW) == NOW + timedelta(days=1)
    # Past ends of access change nothing any more; no end of access: no change.
    assert admin.next_change([NOW - timedelta(days=1), NOW, None], NOW) is None
    assert admin.next_change([], NOW) is None
    # Each state the moment after: the next change really is where one turns.
    for end in (in_40_days, in_10_days):
        turn = admin.next_change([end], NOW)
        before, after = (admin.account_state(account(end), turn - timedelta(seconds=1)),
                         admin.account_state(account(end), turn))
        assert before != after, (end, turn)
