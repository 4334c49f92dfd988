"""What each risk flag means and what the account team can do about it (shown on the
portfolio and deal pages). Thresholds are those of ``graphsvc/analysis/flags.py``."""

from __future__ import annotations

from graphsvc.analysis.schemas import FlagCode

FLAG_HELP: dict[FlagCode, tuple[str, str]] = {
    FlagCode.DM_NEVER_CONTACTED: (
        "Nobody on our team has ever met, called or written to the top decision-maker "
        "about this deal.",
        "Plan a first contact: use a warm path (an ally who influences them, or their "
        "manager) and log the meeting here.",
    ),
    FlagCode.DM_NOT_RECENTLY_CONTACTED: (
        "The top decision-maker's last contact is older than the recent-contact window.",
        "Book a short update with them before the next stage.",
    ),
    FlagCode.DM_UNCONFIRMED: (
        "No committee member holds a decision-making role, so the top decision-maker is a guess.",
        "Find out who signs: add that person with a Decision Maker or Economic Buyer role.",
    ),
    FlagCode.SUPPORT_SHRINKING: (
        "The influence-weighted share of the committee on our side has fallen over the last weeks.",
        "Look at who moved it (the movers), and talk to them before it falls further.",
    ),
    FlagCode.NO_ALLY: (
        "Nobody on the committee is marked as an ally who works for our win.",
        "Win a champion: start with the next best contact and mark them ally once they help.",
    ),
    FlagCode.INFLUENTIAL_BLOCKER: (
        "One of the most influential members is a skeptic or a blocker.",
        "Understand their objection; reach them through someone they listen to.",
    ),
    FlagCode.NO_PATH_TO_DM: (
        "No ally or supporter reaches the top decision-maker along influence or reporting lines.",
        "Build a bridge: win over someone who influences the decision-maker.",
    ),
    FlagCode.SINGLE_THREADED: (
        "Every contact so far was with the same single person.",
        "Multi-thread: meet other members of the committee.",
    ),
    FlagCode.STALE: (
        "No interaction with the committee for weeks.",
        "Log the contacts you had, or plan the next one.",
    ),
    FlagCode.NO_NEXT_STEP: (
        "The latest interaction set no next step, or it is past.",
        "Agree the next step with the customer and record it with the interaction.",
    ),
    FlagCode.KEY_PERSON_STANCE_UNKNOWN: (
        "We do not know where one of the most influential members stands.",
        "Ask: set their stance once you know it.",
    ),
    FlagCode.MAP_INCOMPLETE: (
        "The committee map lacks a role the settings require (a decision-maker, an ally "
        "or champion, an executive sponsor).",
        "Add the missing people, or mark who plays the missing part.",
    ),
}


def flag_help(code: FlagCode | str) -> tuple[str, str]:
    return FLAG_HELP[FlagCode(code)]
