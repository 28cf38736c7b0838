"""Case stages as the law names them (DOMAIN.md). The transitions come with the lifecycle issue."""
from ...models.vocabulary import Stage
from ..errors import N_

DETECTED, WARNING, STOP_WORK, ENFORCEMENT, CLOSED = Stage
STAGES = tuple(Stage)
OPEN_STAGES = tuple(stage for stage in Stage if stage is not Stage.CLOSED)

STAGE_LABELS: dict[str, str] = {
    DETECTED: N_("Detected"),
    WARNING: N_("Record and warning"),
    STOP_WORK: N_("Stop work"),
    ENFORCEMENT: N_("Penalty and enforcement"),
    CLOSED: N_("Closed"),
}
