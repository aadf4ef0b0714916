"""Reading pages as a person does: the links they show, and the forms with what they hold;
and filling those forms in as a new lead would, to follow a page's "still missing" links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.urls import resolve


@dataclass
class Form:
    action: str
    fields: dict[str, str | list[str]] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=dict)  # a select's option values


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (visible text, href)
        self.forms: list[Form] = []
        self._link: list | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._button: list | None = None
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "visually-hidden" in (a.get("class") or "") or self._hidden_depth:
            self._hidden_depth += 1
        if tag == "a" and a.get("href"):
            self._link = [a["href"], ""]
        elif tag == "form":
            self.forms.append(Form(action=a.get("action") or ""))
        elif not self.forms:
            return
        form = self.forms[-1] if self.forms else None
        if tag == "input" and form is not None and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                form.choices.setdefault(a["name"], []).append(a.get("value", "on"))
                if "checked" in a:
                    if kind == "checkbox":
                        form.fields.setdefault(a["name"], []).append(a.get("value", "on"))
                    else:
                        form.fields[a["name"]] = a.get("value", "on")
                elif kind == "checkbox":
                    form.fields.setdefault(a["name"], [])
            elif kind != "submit":
                form.fields[a["name"]] = a.get("value", "")
        elif tag == "select" and form is not None:
            self._select = a.get("name")
            form.fields.setdefault(self._select, "")
        elif tag == "option" and self._select and form is not None:
            form.choices.setdefault(self._select, []).append(a.get("value", ""))
            if "selected" in a:
                form.fields[self._select] = a.get("value", "")
        elif tag == "textarea" and form is not None:
            self._textarea = a.get("name")
            form.fields[self._textarea] = ""
        elif tag == "button":
            self._button = [""]

    def handle_endtag(self, tag):
        if self._hidden_depth:
            self._hidden_depth -= 1
        if tag == "a" and self._link:
            self.links.append((" ".join(self._link[1].split()), self._link[0]))
            self._link = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "button" and self._button is not None:
            if self.forms:
                self.forms[-1].buttons.append(" ".join(self._button[0].split()))
            self._button = None

    def handle_data(self, data):
        if self._link is not None and not self._hidden_depth:
            self._link[1] += data
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data
        if self._button is not None:
            self._button[0] += data


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    return reader


def link(html: str, text: str, *, inside: str | None = None) -> str:
    """The address of the first link whose visible text starts with ``text`` (looking only
    after the first occurrence of ``inside``, when given)."""
    if inside is not None:
        html = html[html.index(inside) :]
    for visible, href in read(html).links:
        if visible.startswith(text):
            return href
    raise AssertionError(f"No link “{text}” on the page")


def form(html: str, button: str | None = None) -> Form:
    """The page's form with the given button, or else its last form (the header's sign-out
    form comes first)."""
    forms = [found for found in read(html).forms if found.buttons]
    if button is None:
        return forms[-1]
    for found in forms:
        if any(text.startswith(button) for text in found.buttons):
            return found
    raise AssertionError(f"No form with the button “{button}” on the page")


# What a lead types into each form the walk and the methods' pages lead to; everything
# else stays as the form offers it.
TYPED = {
    "outcome_create": {
        "statement": "More children are ready for school",
        "why_it_matters": "A good start shapes the rest of a child's life.",
        "target_groups": "Children under five in low-income families",
        "places": "Northfield",
    },
    "outcome_edit": {"assumptions": "Nursery funding continues at today's level."},
    "indicator_create": {
        "code": "SR-01",
        "name": "Children ready for school",
        "unit": "percent",
        "direction": "higher",
        "frequency": "annual",
    },
    "reading_create": {"period": "2026-03-31", "value": "61.5"},
    "comparator_create": {"name": "England"},
    "comparator_reading_create": {"period": "2026-03-31", "value": "67.7"},
    "evidence_create": {"summary": "A third of families in Northfield use no early years service"},
    "target_create": {
        "baseline_value": "61.5",
        "baseline_date": "2026-03-31",
        "target_value": "68",
        "target_date": "2029-03-31",
    },
    "risk_create": {"description": "Nursery places close", "likelihood": "3", "impact": "4"},
    # Costing nothing extra, it is also Turn the Curve's no-cost idea.
    "option_create": {
        "title": "Home visits for families new to the area",
        "kind": "new",
        "cost": "0",
    },
    "option_decision": {"decision": "favoured", "decision_reason": "Best score and affordable."},
    "plan_edit": {
        "vision": "Every child in Northfield starts school ready to learn.",
        "vision_date": "2029-03-31",
    },
    "achievement_create": {"statement": "Nine in ten children in Northfield start school ready."},
    "achievement_edit": {"statement": "Nine in ten children in Northfield start school ready."},
    "finding_create": {"summary": "Families wait too long for a first visit"},
    # An action marked key on its own form (future-basing links one to each achievement).
    "action_edit": {"is_key": "on"},
    "action": {"note": "The first visits are booked."},  # an update, posted on the action's page
    "action_create": {
        "title": "Run 400 home visits in Northfield",
        "description": "Health visitors and family hubs visit 400 families new to Northfield.",
        "start": "2026-04-01",
        "due": "2027-03-31",
        "success_measure": "400 families visited by March 2027",
        "staff_time": "Two health visitors, half time",
        "expected_outputs": "400 visits",
        "monitoring": "Monthly count of visits at the partnership meeting",
    },
}


# The form a page's missing thing is put right with, where the page holds several.
BUTTONS = {"action": "Save the update"}


def fill(url: str, page_html: str, lead) -> tuple[str, dict]:
    """Where the page's form posts, and what the lead puts in it."""
    name = resolve(url.split("?")[0].split("#")[0]).url_name
    found = form(page_html, BUTTONS.get(name))
    data = {key: value for key, value in found.fields.items() if value not in ("", [])}
    data.pop("csrfmiddlewaretoken", None)
    # A list the form leaves unchosen: the lead takes its first choice.
    for key, values in found.choices.items():
        if found.fields.get(key) == "" and any(values):
            data[key] = next(value for value in values if value)
    data.update(TYPED.get(name, {}))
    if name in ("finding_create", "finding_edit") and found.choices.get("actions"):
        data["actions"] = found.choices["actions"][:1]  # the first action answers it
    if name == "achievement_actions":  # the first action leads to it, and is key
        data["actions"] = data["key"] = found.choices["actions"][:1]
    if name == "option_scores":
        data.update({key: "4" for key in found.fields if key.startswith("score_")})
    if name == "action_create":
        # The lead's own organisation leads it, and the lead owns it.
        data["lead_organisation"] = str(lead.memberships.get().organisation_id)
        data["owner"] = str(lead.pk)
    return (found.action or url), data


def put_right(client, back: str, html: str, lead) -> str:
    """Follow the first "still missing" link of a page (a step of the walk, a method's page),
    fill in its form, and come back to ``back``."""
    fix = link(html, "", inside='class="missing-list"')
    page = client.get(fix)
    assert page.status_code == 200, fix
    target, data = fill(fix, page.content.decode(), lead)
    response = client.post(target, data, follow=True)
    assert response.redirect_chain, f"{fix} refused {data}: {response.content.decode()[:3000]}"
    assert response.redirect_chain[-1][0] == back, response.redirect_chain
    return response.content.decode()


def missing_list(html: str) -> list[str]:
    """The texts of the page's "still missing" lines, for a test's failure message."""
    return re.findall(r'<ul class="missing-list">(.*?)</ul>', html, re.S)
