"""Domain errors. Each message tells the user what happened and what to do; the app shows it as is."""


class SignatureError(Exception):
    """Base of every error a user may see."""


class InvalidInput(SignatureError):
    """The user's input cannot be accepted (bad file, empty field, out of range)."""


class Forbidden(SignatureError):
    """The user's role or ownership does not allow this action."""


class NotFound(SignatureError):
    """The thing asked for does not exist (or is not visible to this user)."""


class PaymentError(SignatureError):
    """A charge could not be made (insufficient funds, reused idempotency key)."""


class MissingBackend(SignatureError):
    """No model backend is available for this modality and profile; the message names the fix."""
