"""Signing an AppTest in as one of the demo accounts, without going through the form.

The sign-in form itself is tested in tests/test_sign_in.py; the other page tests only need a
signed-in reader of a given role.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from data_access.accounts import DEMO_ACCOUNTS, User
from data_access.scope import Role
from pages.common import USER_KEY

DEMO_USERS = {
    role.value: User(
        username=username, display_name=display_name, role=role, province_code=province_code
    )
    for username, display_name, role, province_code in DEMO_ACCOUNTS
}


def sign_in(app: AppTest, *, role: str = Role.LEADERSHIP.value) -> AppTest:
    """Put the demo user of ``role`` into the app's session, as a successful sign-in does."""
    app.session_state[USER_KEY] = DEMO_USERS[role]
    return app
