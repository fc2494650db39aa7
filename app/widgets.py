"""Shared rendering helpers: money, HTML cards and tables from plain data."""

import html

MODALITY_LABEL = {"image": "Graphic design", "voice": "Voice-over", "text": "Copywriting"}
MODALITY_ICON = {"image": "🎨", "voice": "🎙️", "text": "✍️"}


def money(cents: int | None) -> str:
    """Cents as dollars: 4500 -> '$45.00'."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def parse_money(text) -> int:
    """'$45', '45.5' or 45 -> cents; raises ValueError on anything else."""
    value = str(text).strip().replace("$", "").replace(",", "")
    dollars, _, cents = value.partition(".")
    if not dollars.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
        raise ValueError(f"{text!r} is not an amount in dollars")
    return int(dollars) * 100 + int((cents or "0").ljust(2, "0"))


def esc(text) -> str:
    return html.escape(str(text or ""))


def starting_price(gigs: list[dict]) -> int | None:
    prices = [p["price_cents"] for g in gigs for p in g["packages"]]
    return min(prices) if prices else None


def creator_card(card: dict, thumbs: list[str], excerpt: str = "") -> str:
    """One creator in the directory: name, headline, samples, gigs with their packages."""
    samples = "".join(f'<img src="{uri}" alt="portfolio sample">' for uri in thumbs)
    if card["modality"] == "voice":
        samples = f'<div class="sig-voice">🎙️ {card["portfolio_count"]} voice samples — open the profile to listen</div>'
    elif card["modality"] == "text":
        samples = f'<blockquote class="sig-quote">{esc(excerpt)}</blockquote>'
    gigs = "".join(
        f'<li><b>{esc(g["title"])}</b><span>'
        + " · ".join(f'{esc(p["name"])} {money(p["price_cents"])} / {p["delivery_days"]}d'
                     for p in g["packages"]) + "</span></li>" for g in card["gigs"])
    online = '<span class="sig-online">● online</span>' if card.get("online") else ""
    return f"""<article class="sig-card">
  <header><span class="sig-badge">{MODALITY_ICON[card["modality"]]} {MODALITY_LABEL[card["modality"]]}</span>{online}
    <h3>{esc(card["display_name"])}</h3><p>{esc(card["headline"])}</p></header>
  <div class="sig-samples">{samples}</div>
  <ul class="sig-gigs">{gigs}</ul>
  <footer>From <b>{money(starting_price(card["gigs"]))}</b> · {card["portfolio_count"]} portfolio pieces</footer>
</article>"""


def directory_html(cards_html: list[str]) -> str:
    if not cards_html:
        return '<p class="sig-empty">No creators match. Clear the search to see everyone.</p>'
    return f'<section class="sig-directory">{"".join(cards_html)}</section>'


CSS = """
.sig-directory {display:grid; grid-template-columns:repeat(auto-fill,minmax(300px,1fr)); gap:16px;}
.sig-card {border:1px solid var(--border-color-primary); border-radius:14px; padding:14px;
  background:var(--background-fill-primary); box-shadow:0 1px 3px rgba(0,0,0,.06);}
.sig-card h3 {margin:6px 0 2px; font-size:1.15em;}
.sig-card p {margin:0; color:var(--body-text-color-subdued);}
.sig-badge {font-size:.8em; background:var(--color-accent-soft); border-radius:999px; padding:2px 10px;}
.sig-online {font-size:.8em; color:#16a34a; margin-left:8px;}
.sig-samples {display:flex; gap:6px; margin:10px 0; min-height:72px; align-items:center;}
.sig-samples img {width:72px; height:72px; object-fit:cover; border-radius:8px;}
.sig-voice {padding:10px; border-radius:8px; background:var(--background-fill-secondary); width:100%;}
.sig-quote {margin:0; font-style:italic; font-size:.9em; border-left:3px solid var(--color-accent); padding-left:8px;}
.sig-gigs {list-style:none; padding:0; margin:0 0 8px; font-size:.9em;}
.sig-gigs li {margin:4px 0;} .sig-gigs span {display:block; color:var(--body-text-color-subdued);}
.sig-card footer {font-size:.9em; border-top:1px solid var(--border-color-primary); padding-top:8px;}
.sig-empty {padding:24px; text-align:center;}
.sig-progress {height:10px; border-radius:5px; background:var(--background-fill-secondary); overflow:hidden;}
.sig-progress div {height:100%; background:var(--color-accent); transition:width .5s;}
"""


def model_choices(models: list[dict], unit: str) -> list[tuple[str, int]]:
    """Picker entries for published models: 'Name — $1.00 per <unit> (fidelity 0.93)' -> id."""
    return [(f"{m['display_name']} — {money(m['price_cents'])} per {unit} "
             f"(fidelity {m['fidelity']:.2f})", m["id"]) for m in models]
