"""The assistant through the app's API (gradio_client): a buyer chats, the creator sees the
handoff and the brief in their inbox, reviews suggested answers and approves one."""

import pytest
from gradio_client.exceptions import AppError

from storage import assistant as store


def test_a_buyers_chat_reaches_the_creators_inbox(server, clients):
    engine = server["engine"]
    theo = engine.user("theo")
    history, _ = clients["buyer"].predict(theo["id"], "Can you knock 20% off the overlay pack?", [],
                                          api_name="/chat_send")
    assert "Can you knock" in str(history[0]["content"])
    assert "AI assistant" in str(history[-1]["content"]) and "passed your message on" in str(history[-1]["content"])
    inbox = clients["mara"].predict(api_name="/assistant_inbox")  # another creator sees none of it
    assert "knock 20%" not in str(inbox)
    handoffs = store.handoffs_for(engine.db, theo["id"])
    assert handoffs and handoffs[0]["topic"] == "Custom pricing or discounts"


def test_chat_needs_a_creator_and_a_message(server, clients):
    with pytest.raises(AppError, match="Pick a creator"):
        clients["buyer"].predict(None, "hello", [], api_name="/chat_send")
    with pytest.raises(AppError, match="Write a message"):
        clients["buyer"].predict(server["engine"].user("mara")["id"], "  ", [], api_name="/chat_send")
    with pytest.raises(AppError):
        clients["mara"].predict(server["engine"].user("theo")["id"], "hi", [], api_name="/chat_send")


def test_a_creator_reviews_and_approves_suggested_answers(server, clients):
    rows = clients["juniper"].predict(api_name="/assistant_suggest")
    table = rows["data"] if isinstance(rows, dict) else rows
    assert table and all(len(r) == 3 and r[1] and r[2] for r in table)
    edited = [[table[0][0], table[0][1], "Send me your product list and three words for your brand. Juniper"]]
    _, approved = clients["juniper"].predict({"headers": ["asked", "question", "answer"], "data": edited},
                                             api_name="/assistant_approve")
    answers = approved["data"] if isinstance(approved, dict) else approved
    assert any(r[2].endswith("three words for your brand. Juniper") for r in answers)
    history, _ = clients["buyer"].predict(server["engine"].user("juniper")["id"], table[0][1], [],
                                          api_name="/chat_send")
    assert "three words for your brand. Juniper" in str(history[-1]["content"])
