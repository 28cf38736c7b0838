"""Case stages as the law names them (DOMAIN.md). The transitions come with the lifecycle issue."""
from ..errors import N_

DETECTED = "detected"
WARNING = "warning"
STOP_WORK = "stop_work"
ENFORCEMENT = "enforcement"
CLOSED = "closed"
STAGES = (DETECTED, WARNING, STOP_WORK, ENFORCEMENT, CLOSED)
OPEN_STAGES = (DETECTED, WARNING, STOP_WORK, ENFORCEMENT)

STAGE_LABELS = {
    DETECTED: N_("Detected"),
    WARNING: N_("Record and warning"),
    STOP_WORK: N_("Stop work"),
    ENFORCEMENT: N_("Penalty and enforcement"),
    CLOSED: N_("Closed"),
}
