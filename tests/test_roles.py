"""Every handler checks the caller's role itself: each seller and admin endpoint, called through
gradio_client by the wrong role or with no login at all, is refused and changes nothing."""

import hashlib

import httpx
import pytest
from gradio_client.exceptions import AppError

from tests.conftest import login

GUARDED = {"/studio_": "seller", "/assistant_": "seller", "/admin_": "admin"}


def endpoints(client) -> dict:
    return client.view_api(return_format="dict", print_info=False)["named_endpoints"]


def arguments(endpoint: dict) -> list:
    """Plausible arguments from the API description (no files: those would be fetched)."""
    return [None if p["component"] == "File" else p.get("example_input") for p in endpoint["parameters"]]


def guarded_endpoints(client) -> list[tuple[str, str, list]]:
    found = [(name, role, arguments(ep)) for name, ep in endpoints(client).items()
             for prefix, role in GUARDED.items() if name.startswith(prefix)]
    assert len(found) >= 12, "the scan found too few endpoints to be meaningful"
    return found


def database_fingerprint(server) -> str:
    return hashlib.sha256("\n".join(server["engine"].db.conn.iterdump()).encode()).hexdigest()


@pytest.mark.parametrize("caller", ["buyer", "mara", "admin"])
def test_wrong_roles_are_refused_by_every_guarded_endpoint(server, clients, caller):
    client = clients[caller]
    caller_role = {"buyer": "buyer", "mara": "seller", "admin": "admin"}[caller]
    before = database_fingerprint(server)
    refused = 0
    for name, role, args in guarded_endpoints(client):
        if role == caller_role:
            continue
        article = "an" if role == "admin" else "a"
        with pytest.raises(AppError, match=f"needs {article} {role} account"):
            client.predict(*args, api_name=name)
        refused += 1
    assert refused >= 2
    assert database_fingerprint(server) == before


def test_anonymous_callers_are_refused_everywhere(server, clients):
    names = list(endpoints(clients["buyer"]))
    assert "/admin_load" in names and "/tryouts_directory" in names
    with httpx.Client(base_url=server["url"], timeout=10) as http:
        for name in names:
            response = http.post(f"gradio_api/call{name}", json={"data": []})
            assert response.status_code == 401, name
    with pytest.raises(Exception, match="credentials were not provided|login"):
        from gradio_client import Client
        Client(server["url"], verbose=False)


def test_handlers_refuse_a_request_without_a_user(server):
    """The role check sits in the handler itself, not only in the login wall in front of it."""
    import gradio as gr

    from app.context import Ctx, bind
    import inspect

    from app.tabs import (admin, admin_guard, admin_money, assistant, seller_money, studio, studio_boundaries,
                          studio_model, tryouts, tryouts_models)

    ctx = Ctx(server["engine"])
    modules = (tryouts, tryouts_models, studio, studio_model, studio_boundaries, assistant, admin, admin_money,
               admin_guard, seller_money)
    handlers = [getattr(m, n) for m in modules for n in dir(m) if n.startswith("on_") and n != "on_wallet"]
    assert len(handlers) >= 23
    for handler in handlers:
        params = list(bind(handler, ctx).__signature__.parameters)
        with pytest.raises(gr.Error, match="log in"):
            result = bind(handler, ctx)(**{p: None for p in params})
            if inspect.isgenerator(result):
                list(result)


def test_the_right_role_is_served(clients):
    studio = clients["mara"].predict(api_name="/studio_load")
    assert "36 pieces" in studio[0]
    admin = clients["admin"].predict(api_name="/admin_load")
    assert "users" in admin[0] and "✅" in admin[4]
    html, _ = clients["buyer"].predict("", "", api_name="/tryouts_directory")
    assert "Mara Lind" in html and "Harold Finch" in html


def test_a_wrong_password_does_not_log_in(server):
    with pytest.raises(Exception):
        from gradio_client import Client
        Client(server["url"], auth=("buyer", "not-the-password"), verbose=False)
    assert login(server, "buyer") is not None
