"""What every handler receives (the engine) and how handlers are bound, guarded and authorised."""

import dataclasses
import functools
import inspect

import gradio as gr

from engine import Engine
from engine.errors import Forbidden, SignatureError


@dataclasses.dataclass(frozen=True)
class Ctx:
    """The handlers' context: one engine for the whole app; users come from each request."""
    engine: Engine

    @property
    def settings(self):
        return self.engine.settings


def bind(fn, ctx: Ctx):
    """Bind a handler `on_x(ctx, ..., request: gr.Request)` to ctx.

    Keeps the signature (minus ctx) so Gradio still passes gr.Request, and turns domain errors
    into gr.Error so the user sees their message.
    """
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def bound(*args, **kwargs):
            try:
                yield from fn(ctx, *args, **kwargs)
            except SignatureError as exc:
                raise gr.Error(str(exc), print_exception=False) from None
    else:
        @functools.wraps(fn)
        def bound(*args, **kwargs):
            try:
                return fn(ctx, *args, **kwargs)
            except SignatureError as exc:
                raise gr.Error(str(exc), print_exception=False) from None

    signature = inspect.signature(fn)
    bound.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])
    return bound


def current_user(ctx: Ctx, request: gr.Request | None) -> dict | None:
    """The logged-in user of this request, or None."""
    username = getattr(request, "username", None) if request is not None else None
    return ctx.engine.user(username)


def require(ctx: Ctx, request: gr.Request | None, *roles: str) -> dict:
    """The logged-in user when their role is one of `roles`; otherwise Forbidden."""
    user = current_user(ctx, request)
    if user is None:
        raise Forbidden("Please log in first.")
    return ctx.engine.require(user, *roles)
