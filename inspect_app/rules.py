"""The domain's rule objects, built from the app's settings (config.py, instance/config.py) and the ward's
own settings (the admin's settings page): what a view or a command hands to the domain."""
from .domain.accounts.login_limits import LoginLimits
from .domain.cases.context import LifecycleContext
from .domain.cases.signing import fine_caps_from_config
from .domain.cases.ward_settings import effective_calendar, effective_rules
from .domain.field.field_reports import FieldRules
from .domain.field.patrols import PatrolRules
from .domain.ward_time import local_today


def patrol_rules(config):
    """The patrol settings as the domain wants them."""
    return PatrolRules(
        accuracy_limit_m=config["ACCURACY_WARNING_M"],
        future_tolerance_s=config["TRACK_FUTURE_TOLERANCE_S"],
        auto_end_after_h=config["PATROL_AUTO_END_HOURS"],
        max_speed_mps=config["TRACK_MAX_SPEED_MPS"],
        gap_s=config["TRACK_GAP_S"],
        gap_m=config["TRACK_GAP_M"],
    )


def field_rules(config, ward=None):
    """The field-report settings; the case code prefix comes from the ward when it is set up."""
    return FieldRules(
        nearby_radius_m=config["NEARBY_RADIUS_M"], max_photo_bytes=config["MAX_PHOTO_BYTES"],
        max_photo_pixels=config["MAX_PHOTO_PIXELS"], max_photos=config["MAX_PHOTOS_PER_RECORD"],
        code_prefix=ward.code_prefix if ward is not None else config["WARD_CODE_PREFIX"],
        outside_ward_max_m=config["OUTSIDE_WARD_MAX_M"],
        limitation=effective_rules(config["DEADLINE_RULES"], ward)["limitation"],
        calendar=effective_calendar(config["WARD_DAYS_OFF"], ward),
    )


def login_rules(config):
    """The failed-login limits as the domain wants them."""
    return LoginLimits(per_username=config["LOGIN_FAILURES_PER_USERNAME"],
                       per_address=config["LOGIN_FAILURES_PER_ADDRESS"])


def lifecycle_context(config, ward=None, today=None):
    """Deadline rules and working calendar (config, then the ward's settings), today (local), photo limits."""
    return LifecycleContext(
        rules=effective_rules(config["DEADLINE_RULES"], ward),
        calendar=effective_calendar(config["WARD_DAYS_OFF"], ward),
        today=today or local_today(), photo_rules=field_rules(config, ward),
        fine_caps=fine_caps_from_config(config["FINE_CAPS_VND"]),
    )
