"""Which provinces' records a user may see: the rule every admin list, form and dashboard applies."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from provinces.models import AdminUnit

from .models import Membership

_CACHE = "_ocop_province_ids"

OUTSIDE_SCOPE = _("This record belongs to a province outside yours.")
NATIONAL_ONLY = _("Only an administrator can record this for the whole country.")


def province_ids(user) -> frozenset[int] | None:
    """Ids of the provinces whose records `user` may see, None for the whole country.

    A unit's scope is the unit and, for a current province, every legacy province merged into it.
    Administrators, superusers and leadership with no unit are national; anyone else without a
    unit sees nothing. Kept on the user object, which lives for one request.
    """
    if _CACHE not in user.__dict__:
        user.__dict__[_CACHE] = _province_ids(user)
    return user.__dict__[_CACHE]


def _province_ids(user) -> frozenset[int] | None:
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return None
    membership = Membership.objects.filter(user=user).prefetch_related("units").first()
    if membership is None:
        return frozenset()
    units = list(membership.units.all())
    if membership.role == Membership.Role.ADMIN or (membership.role == Membership.Role.LEADERSHIP and not units):
        return None
    return frozenset(pk for unit in units for pk in unit.lineage_ids)


def units_q(paths: tuple[str, ...], ids) -> Q:
    """Records whose unit, reached by any of `paths` ("province", "issuer__parent"…), is in `ids`."""
    q = Q()
    for path in paths:
        q |= Q(**{f"{path}__in": ids})
    return q


def covers(ids, unit: AdminUnit | None) -> bool:
    """Whether a record of `unit` (a province, district or commune; None: national) is in scope `ids`."""
    if ids is None:
        return True
    while unit is not None:
        if unit.pk in ids:
            return True
        unit = unit.parent
    return False


def refusal(ids, unit: AdminUnit | None):
    """Why a record of `unit` (None: national) may not be written in scope `ids`, or None when it may.

    The one write rule: the admin's forms and every import row ask it.
    """
    if covers(ids, unit):
        return None
    return NATIONAL_ONLY if unit is None else OUTSIDE_SCOPE
