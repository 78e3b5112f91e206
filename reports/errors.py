"""Domain errors: what a step refuses, said so that a page or the API can show it as it is."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    http_status = 400
    code = "invalid"

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    default_message = _("This action is not possible.")


class NotAllowed(DomainError):
    """The person asking may not take this step on this case."""

    http_status = 403
    code = "not_allowed"
    default_message = _("You are not allowed to do this.")


class InvalidTransition(DomainError):
    """The step is not possible from the case's current state."""

    http_status = 409
    code = "invalid_state"
    default_message = _("This step is not possible in the case's current state.")


class InvalidInput(DomainError):
    http_status = 400
    code = "invalid"


class KeyReused(DomainError):
    """An Idempotency-Key sent again with a different request (IETF httpapi-idempotency-key-header: 422)."""

    http_status = 422
    code = "idempotency_key_reused"
    default_message = _(
        "This Idempotency-Key was already used for a different request. Use a new key for a new report."
    )
