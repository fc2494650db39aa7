"""Set-up review: the questions buyers ask a creator most often, with the creator's own past
answer as a draft. The creator edits and approves them; approved answers are sent as written."""

import re

import numpy as np

from engine.assistant import claims
from storage import assistant as store

SAME_QUESTION = 0.7  # questions this similar are one question asked again
MAX_PROPOSALS = 8
GREETING = re.compile(r"^\s*(hi|hello|hey|dear)\b[^.!?\n]*[,!.\n]\s*", re.I)
SIGN_OFF = re.compile(r"\s*(cheers|best|thanks|thank you|kind regards|regards|all the best),?\s*\n?[^\n]{0,40}$", re.I)


def question_answer_pairs(db, seller_id: int) -> list[tuple[str, str]]:
    """(a buyer's question, the creator's next message) from the creator's past conversations."""
    pairs = []
    for convo in db.query("SELECT id FROM conversations WHERE seller_id = ?", [seller_id]):
        messages = list(db.query("SELECT sender, body FROM messages WHERE conversation_id = ? ORDER BY id",
                                 [convo["id"]]))
        for asked, answered in zip(messages, messages[1:]):
            if asked["sender"] == "buyer" and answered["sender"] == "seller" and "?" in asked["body"]:
                question = _question(asked["body"])
                if question:
                    pairs.append((question, answered["body"]))
    return pairs


def _question(message: str) -> str:
    """The last question sentence of a buyer's message."""
    asked = [s.strip() for s in claims.sentences(message) if s.strip().endswith("?")]
    return asked[-1] if asked else ""


def clean_answer(answer: str, allowed: frozenset) -> str:
    """A past reply made general: no greeting or sign-off, no claim the grounding lacks."""
    text = SIGN_OFF.sub("", GREETING.sub("", answer.strip())).strip()
    kept, _ = claims.keep_supported(text.replace("\n", " "), allowed)
    return kept


def proposals(db, embed, seller_id: int, allowed: frozenset) -> list[dict]:
    """The most frequent questions not yet approved: {question, answer (draft), asked}."""
    pairs = question_answer_pairs(db, seller_id)
    if not pairs:
        return []
    vectors = embed([q for q, _ in pairs])
    approved = [a["question"] for a in store.answers_for(db, seller_id)]
    approved_vectors = embed(approved) if approved else np.zeros((0, vectors.shape[1]))
    groups: list[list[int]] = []
    for index, vector in enumerate(vectors):
        home = next((g for g in groups if float(vectors[g[0]] @ vector) >= SAME_QUESTION), None)
        if home is None:
            groups.append([index])
        else:
            home.append(index)
    found = []
    for group in sorted(groups, key=len, reverse=True):
        centre = vectors[group].mean(axis=0)
        question = pairs[max(group, key=lambda i: float(vectors[i] @ centre))][0]
        if len(approved) and float((approved_vectors @ centre).max()) >= SAME_QUESTION:
            continue
        answers = [clean_answer(pairs[i][1], allowed) for i in group]
        answer = max(answers, key=len)
        if answer:
            found.append({"question": question, "answer": answer, "asked": len(group)})
        if len(found) == MAX_PROPOSALS:
            break
    return found
