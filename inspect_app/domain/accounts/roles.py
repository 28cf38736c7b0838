"""The three roles and their names as users see them."""
from ...models.vocabulary import Role
from ..errors import N_

INSPECTOR, CHAIRMAN, ADMIN = Role.INSPECTOR, Role.CHAIRMAN, Role.ADMIN
ROLES = tuple(Role)

ROLE_LABELS = {
    INSPECTOR: N_("Inspector"),
    CHAIRMAN: N_("Ward chairman"),
    ADMIN: N_("Office administrator"),
}
