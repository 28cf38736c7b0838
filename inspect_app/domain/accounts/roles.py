"""The three roles and their names as users see them."""
from ..errors import N_

INSPECTOR = "inspector"
CHAIRMAN = "chairman"
ADMIN = "admin"
ROLES = (INSPECTOR, CHAIRMAN, ADMIN)

ROLE_LABELS = {
    INSPECTOR: N_("Inspector"),
    CHAIRMAN: N_("Ward chairman"),
    ADMIN: N_("Office administrator"),
}
