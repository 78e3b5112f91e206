"""The domain's writes. Every step of DESIGN.md's case life cycle is one function here.

Each step checks who is asking, locks the case, checks its state, changes it, appends its case event and
schedules what must follow (notifications, media processing) on commit, all in one transaction. Nothing
else writes cases.
"""

from .alerts import case_record_alert
from .camera_cases import case_submit_camera
from .common import hash_token
from .following import case_follow, follower_digest
from .lifecycle import (
    Submission,
    can_reopen,
    case_accept,
    case_add_note,
    case_assign,
    case_close,
    case_merge,
    case_progress,
    case_rate,
    case_reject,
    case_reopen,
    case_resolve,
    case_return,
    case_submit,
    case_verify,
    case_verify_automatically,
    reporter_has_access,
    reporter_reveal,
)
from .messages import message_from_reporter, message_to_reporter, messages_for_reporter, messages_for_staff

__all__ = [
    "Submission",
    "can_reopen",
    "case_accept",
    "case_add_note",
    "case_assign",
    "case_close",
    "case_follow",
    "case_merge",
    "case_progress",
    "case_rate",
    "case_record_alert",
    "case_reject",
    "case_reopen",
    "case_resolve",
    "case_return",
    "case_submit",
    "case_submit_camera",
    "case_verify",
    "case_verify_automatically",
    "follower_digest",
    "hash_token",
    "message_from_reporter",
    "message_to_reporter",
    "messages_for_reporter",
    "messages_for_staff",
    "reporter_has_access",
    "reporter_reveal",
]
