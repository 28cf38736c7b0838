"""The proposals waiting for the chairman as pages show them (the queue and the chairman's home):
each one's running clocks and what its approve / reject form needs."""
from flask_login import current_user

from ..domain.cases import case_actions, clocks, workflow
from ..extensions import db
from ..i18n import translate_error


def queue_context(proposals, context):
    """Template values for a list of waiting proposals: running clocks, who may decide, signing warnings, caps."""
    running = {}
    for proposal in proposals:
        case = proposal.violation
        running[proposal.id] = clocks.running_for(case, clocks.clocks_of(case, case.events,
                                                                          context.rules[clocks.LIMITATION].citation))
    return {"proposals": proposals, "running": running, "today": context.today, "rules": context.rules, "form": {},
            "errors": {}, **decision_context(proposals, context)}


def decision_context(proposals, context):
    """What the approve / reject forms need: who may decide which, the warnings before signing, the caps."""
    may_decide = {p.id: workflow.can_approve(workflow.ACTIONS[p.action], current_user.role) for p in proposals}
    warnings = {p.id: shown_warnings(case_actions.proposal_warnings(db.session, p.violation, p, current_user, context))
                for p in proposals if may_decide[p.id]}
    return {"may_decide": may_decide, "proposal_warnings": warnings, "fine_caps": context.caps()}


def shown_warnings(warnings):
    """Signing warnings as the forms show them: key, text in the reader's language, whether a tick is needed."""
    return [{"key": w.key, "text": translate_error(w.message), "blocking": w.blocking} for w in warnings]
