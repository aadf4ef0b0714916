"""Reading pages as a person does: the links they show, and the forms with what they hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


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
