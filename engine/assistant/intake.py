"""Intake: the brief a buyer gives in conversation (what, deadline, budget, references), the
package that fits it, and how promising the lead is."""

import datetime
import re

from engine.assistant.claims import NUMBER_WORDS

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
CURRENCY = r"(?:\$|usd|dollars?|bucks|eur|euros?|€|£|gbp|pounds?)"
BUDGET = re.compile(
    rf"(?:{CURRENCY}\s*(\d[\d,]*(?:\.\d\d)?)|(\d[\d,]*(?:\.\d\d)?)\s*{CURRENCY}"
    r"|budget\D{0,20}?(\d[\d,]*(?:\.\d\d)?))", re.I)
IN_SPAN = re.compile(r"\b(?:in|within|under|next)\s+(\d+|a|an|one|two|three|four|five|six|ten|a couple of|a few)"
                     r"\s+(day|week|month)s?\b", re.I)
DEADLINE_WORDS = re.compile(
    r"\b(today|tonight|tomorrow|asap|urgent(?:ly)?|this week|next week|this weekend|end of (?:the )?(?:week|month)"
    r"|next month|(?:by|on|before|until) (?:next )?(?:" + "|".join(WEEKDAYS) + r")"
    r"|(?:by|before|on) (?:the )?\d{1,2}(?:st|nd|rd|th)?(?: of)?(?: (?:" + "|".join(MONTHS) + r"))?"
    r"|(?:" + "|".join(MONTHS) + r") \d{1,2}(?:st|nd|rd|th)?|no rush|whenever)\b", re.I)
REFERENCES = re.compile(r"(https?://\S+|www\.\S+|\battach\w*|\breferences?\b|\bmoodboard\b|\bmood board\b"
                        r"|\bexamples?\b|\binspired by\b|\bsimilar to\b|\bstyle of\b|\blike (?:the|this|my|our)\b)", re.I)
URGENT_DAYS = 14


def budget_cents(message: str) -> int | None:
    """The budget a message names ("$120", "150 dollars", "budget is around 80"), in cents."""
    for match in BUDGET.finditer(message):
        raw = next(g for g in match.groups() if g)
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            continue
        if 1 <= value <= 1_000_000:
            return int(round(value * 100))
    return None


def deadline(message: str, today: datetime.date | None = None) -> tuple[str, int | None]:
    """(the deadline in the buyer's words, about how many days away it is) or ("", None)."""
    today = today or datetime.date.today()
    span = IN_SPAN.search(message)
    if span:
        count, unit = span.group(1).lower(), span.group(2).lower()
        n = {"a": 1, "an": 1, "a couple of": 2, "a few": 3}.get(count) or int(NUMBER_WORDS.get(count, count))
        return span.group(0), n * {"day": 1, "week": 7, "month": 30}[unit]
    words = DEADLINE_WORDS.search(message)
    if not words:
        return "", None
    text = words.group(0).lower()
    if text in ("no rush", "whenever"):
        return words.group(0), 60
    if text in ("today", "tonight", "asap") or text.startswith("urgent"):
        return words.group(0), 1
    if text == "tomorrow":
        return words.group(0), 1
    if "weekend" in text or text in ("this week", "end of week", "end of the week"):
        return words.group(0), max(1, 6 - today.weekday())
    if text == "next week":
        return words.group(0), 7 + max(0, 4 - today.weekday())
    if "month" in text:
        return words.group(0), 30
    day = next((i for i, name in enumerate(WEEKDAYS) if name in text), None)
    if day is not None:
        ahead = (day - today.weekday()) % 7 or 7
        return words.group(0), ahead + (7 if "next" in text else 0)
    number = re.search(r"\d{1,2}", text)
    month = next((i + 1 for i, name in enumerate(MONTHS) if name in text), None)
    if number:
        target_month = month or today.month
        year = today.year
        try:
            target = datetime.date(year, target_month, int(number.group(0)))
            if target < today:
                target = (datetime.date(year + 1, target_month, target.day) if month
                          else datetime.date(year + (target_month == 12), target_month % 12 + 1, target.day))
            return words.group(0), (target - today).days
        except ValueError:
            return words.group(0), None
    return words.group(0), None


def references(message: str) -> str:
    """The buyer's words about references (links, attachments, examples), or ""."""
    return message.strip()[:200] if REFERENCES.search(message) else ""


def best_package(packages: list[dict], budget: int | None, days: int | None) -> dict | None:
    """The fullest package of one gig within the budget and deadline; the cheapest if none fits
    both; None without a budget or a deadline."""
    if not packages or (budget is None and days is None):
        return None
    fitting = [p for p in packages if (budget is None or p["price_cents"] <= budget)
               and (days is None or p["delivery_days"] <= days)]
    if fitting:
        return max(fitting, key=lambda p: p["price_cents"])
    return min(packages, key=lambda p: p["price_cents"])


def lead_score(budget: int | None, days: int | None, fit: bool, packages: list[dict]) -> int:
    """0-3: a budget that reaches the cheapest package, a project that fits the gigs, a deadline
    within two weeks."""
    cheapest = min((p["price_cents"] for p in packages), default=None)
    return (int(budget is not None and cheapest is not None and budget >= cheapest) + int(fit)
            + int(days is not None and days <= URGENT_DAYS))
