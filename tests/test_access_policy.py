"""Every endpoint declares who may use it; anonymous users reach only the public ones."""
import pytest

from inspect_app.auth.access import PUBLIC
from inspect_app.domain.accounts.roles import ROLES

EXEMPT = {"static"}  # Flask's own static files: CSS and icons, no data


def _endpoints(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in EXEMPT]


def test_every_endpoint_declares_an_access_policy(app):
    missing = [rule.endpoint for rule in _endpoints(app)
               if getattr(app.view_functions[rule.endpoint], "access_policy", None) is None]
    assert missing == []


def test_policies_name_only_known_roles(app):
    for rule in _endpoints(app):
        policy = app.view_functions[rule.endpoint].access_policy
        assert policy == PUBLIC or (policy and set(policy) <= set(ROLES)), rule.endpoint


SAMPLE_UUID = "00000000-0000-4000-8000-000000000001"


def _sample_value(converter):
    kind = type(converter).__name__
    if kind == "UUIDConverter":
        return SAMPLE_UUID
    if kind == "UnicodeConverter":
        return "0" * 32  # photo public ids
    if kind == "AnyConverter":
        return sorted(converter.items)[0]  # a file format: docx, pdf, zip
    return 1


def _sample_url(rule):
    """The rule's URL with a sample value of the right kind for each argument."""
    values = {arg: _sample_value(rule._converters[arg]) for arg in rule.arguments}
    return rule.build(values)[1]


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_anonymous_users_are_refused_everywhere_but_public_views(app, client, db_snapshot):
    app.config["WTF_CSRF_ENABLED"] = False  # see the role check, not the CSRF check
    before = db_snapshot()
    checked = 0
    for rule in _endpoints(app):
        if app.view_functions[rule.endpoint].access_policy == PUBLIC:
            continue
        for method in _methods(rule):
            response = client.open(_sample_url(rule), method=method)
            assert response.status_code in (302, 401), (rule.endpoint, method)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login")
            checked += 1
    assert checked >= 40 and db_snapshot() == before


@pytest.mark.parametrize("username", ["kiemtra", "chutich", "quantri"])
def test_each_role_gets_exactly_what_its_policies_say(app, client, auth, demo_ward, username):
    auth.login(username, f"{username}-demo")
    role = {"kiemtra": "inspector", "chutich": "chairman", "quantri": "admin"}[username]
    for rule in _endpoints(app):
        policy = app.view_functions[rule.endpoint].access_policy
        if policy == PUBLIC or "GET" not in rule.methods:
            continue
        status = client.get(_sample_url(rule)).status_code
        if role in policy:
            assert status != 403, rule.endpoint
        else:
            assert status == 403, rule.endpoint


@pytest.mark.parametrize("username", ["kiemtra", "chutich", "quantri"])
def test_each_role_is_refused_every_change_its_policies_do_not_allow(app, client, auth, demo_ward, db_snapshot, username):
    """POST to every endpoint the role may not use: 403, and nothing stored."""
    auth.login(username, f"{username}-demo")
    role = {"kiemtra": "inspector", "chutich": "chairman", "quantri": "admin"}[username]
    app.config["WTF_CSRF_ENABLED"] = False  # see the role check, not the CSRF check
    before = db_snapshot()
    refused = []
    for rule in _endpoints(app):
        policy = app.view_functions[rule.endpoint].access_policy
        if policy == PUBLIC or role in policy:
            continue
        for method in _methods(rule):
            assert client.open(_sample_url(rule), method=method, data={"change": "role", "role": "admin"}).status_code == 403, \
                (rule.endpoint, method)
            refused.append(rule.endpoint)
    assert refused, "every role is refused something"
    if role == "inspector":
        assert {"admin.log", "admin.change_user", "admin.save_settings", "cases.decide", "cases.queue"} <= set(refused)
    assert db_snapshot() == before
