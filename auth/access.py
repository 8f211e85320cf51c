"""Who may see what: the access rules declared by pages, the grants kept in the database, and the
decision for one principal. Pure: no Flask, no database here.

A *resource* is a dashboard path (``/mobilite``) or a section of one (``/mobilite#exploitation``).
A page declares ``access=`` in ``register_page``: ``"public"``, ``"authenticated"`` (any signed-in account),
``"admin"``, or a list of group slugs; it declares its internal sections with ``sections={name: [groups]}``.
Database grants add groups to a resource; they never make anything less restricted than "signed in".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PUBLIC = "public"
AUTHENTICATED = "authenticated"
ADMIN = "admin"

ALLOW, UNAUTHENTICATED, FORBIDDEN = 200, 401, 403


@dataclass(frozen=True)
class Principal:
    email: str | None = None
    name: str = ""
    groups: frozenset[str] = frozenset()
    is_admin: bool = False
    scopes: tuple[tuple[str, frozenset[str]], ...] = ()  # (group, communes) of the groups limited to communes

    @property
    def authenticated(self) -> bool:
        return self.email is not None

    def communes_through(self, groups: frozenset[str]) -> frozenset[str] | None:
        """The communes this principal may act on through ``groups`` (those granting a resource): None for
        all of them (an administrator, or one of those groups is not limited), else the union of their
        communes (empty: none of their groups grants it)."""
        if self.is_admin:
            return None
        limited = dict(self.scopes)
        through = self.groups & groups
        if any(group not in limited for group in through):
            return None
        return frozenset().union(*(limited[group] for group in through))


ANONYMOUS = Principal()

Access = str | frozenset[str]


def normalise_access(value) -> Access:
    if value in (None, PUBLIC):
        return PUBLIC
    if value in (AUTHENTICATED, ADMIN):
        return value
    if isinstance(value, (list, tuple, set, frozenset)) and value and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise ValueError(f"access must be 'public', 'authenticated', 'admin' or a list of groups, not {value!r}")


def rules_from_registry(registry: dict) -> dict[str, Access]:
    """resource -> declared access, for every page and declared section of the Dash page registry."""
    rules: dict[str, Access] = {}
    for page in registry.values():
        path = page["path"]
        rules[path] = normalise_access(page.get("access", PUBLIC))
        for section, groups in (page.get("sections") or {}).items():
            rules[f"{path}#{section}"] = normalise_access(groups)
    return rules


def home_pages(registry: dict) -> set[str]:
    """The pages a group may land on after signing in: every page but the error page."""
    return {page["path"] for page in registry.values()
            if page.get("module") != "pages.not_found_404" and page["path"] != "/404"}


def decide(principal: Principal, access: Access, granted: frozenset[str] = frozenset()) -> int:
    """ALLOW, UNAUTHENTICATED (sign in first) or FORBIDDEN (signed in, not granted)."""
    if access == PUBLIC:
        return ALLOW
    if not principal.authenticated:
        return UNAUTHENTICATED
    if principal.is_admin or access == AUTHENTICATED:
        return ALLOW
    if access == ADMIN:
        return FORBIDDEN
    return ALLOW if principal.groups & (access | granted) else FORBIDDEN


class Policy:
    def __init__(self, rules: dict[str, Access], grants: Callable[[], dict[str, frozenset[str]]]):
        self.rules = rules
        self._grants = grants  # database grants, read per decision batch by the caller's cache

    def access(self, resource: str) -> Access:
        if resource == PUBLIC:  # shell callbacks
            return PUBLIC
        # Fail closed: a resource nobody declared is for administrators only.
        return self.rules.get(resource, ADMIN)

    def decide(self, principal: Principal, resource: str) -> int:
        access = self.access(resource)
        if access == PUBLIC:
            return ALLOW
        if not principal.authenticated:  # grants never open anything to visitors: no database read for them
            return UNAUTHENTICATED
        return decide(principal, access, self._grants().get(resource, frozenset()))

    def allows(self, principal: Principal, resource: str) -> bool:
        return self.decide(principal, resource) == ALLOW

    def communes(self, principal: Principal, resource: str) -> frozenset[str] | None:
        """Where ``principal`` may act through ``resource`` (a form page): None for everywhere. Groups limited
        to some communes (``Group.communes``) narrow what their members may report on, not what they see."""
        access = self.access(resource)
        if not isinstance(access, frozenset):  # public, any account, administrators: not limited by groups
            return None
        return principal.communes_through(access | self._grants().get(resource, frozenset()))

    def resources(self) -> list[str]:
        return sorted(self.rules)

    def grantable(self) -> list[str]:
        return grantable(self.rules)


def grantable(rules: dict[str, Access]) -> list[str]:
    """The pages and sections a grant means something for: those restricted to groups (not the public
    ones, the signed-in users' own, the administration or the 404)."""
    return sorted(r for r, rule in rules.items() if isinstance(rule, frozenset))


# -- marking callbacks -----------------------------------------------------------------------------------
def section(name: str) -> Callable:
    """Mark a page callback as belonging to the page's section ``name`` (apply under ``@callback``)."""

    def mark(fn):
        fn._pilote_section = name
        return fn

    return mark


def shell_callback(fn):
    """Mark a callback of the shell (navbar, footer): public, it must not output page data."""
    fn._pilote_resource = PUBLIC
    return fn
