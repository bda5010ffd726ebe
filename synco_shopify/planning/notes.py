"""What a planner tells a person, as a code plus values, translated where
it is shown.

A planner returns ``Note`` objects, never finished sentences: the Odoo
side renders them in the reader's language with ``note.render(env._)``;
outside Odoo (pytest, the command-line launch suite, logs) ``str(note)`` is
the English text. Each planner module keeps its texts in a ``TEXTS`` dict
of ``code: _lt("English with %(name)s placeholders")`` and registers it
with ``register(TEXTS)``: ``_lt`` here only marks the text for Odoo's
``.pot`` extraction (Odoo's exporter reads the keywords ``_`` and ``_lt``
in every ``.py`` of the addon; ``_lt``, Odoo's name for a text translated
later, is the one meant for module-level texts), so this module stays free
of Odoo.
"""

from dataclasses import dataclass, field


def _lt(source):
    """Mark ``source`` for translation; it is translated when rendered."""
    return source


_TEXTS = {}


def register(texts):
    """Add a planner's ``{code: text}``; a code names one text only."""
    for code, text in texts.items():
        if _TEXTS.setdefault(code, text) != text:
            raise ValueError(f"note code {code!r} already names another text")
    return texts


@dataclass(frozen=True)
class Note:
    code: str
    values: dict = field(default_factory=dict, hash=False)
    # Notes rendered inside this one's %(parts)s, joined with "; ".
    parts: tuple = ()

    def render(self, translate=None):
        """The text in the reader's language: ``translate`` is Odoo's
        ``env._`` (source, **values) -> str; None gives English."""
        translate = translate or _english
        # A value may be a note itself (a label, a hold), shown in the same language.
        values = {
            key: value.render(translate) if isinstance(value, Note) else value
            for key, value in self.values.items()
        }
        if self.parts:
            values["parts"] = "; ".join(part.render(translate) for part in self.parts)
        return translate(_TEXTS[self.code], **values)

    def __str__(self):
        return self.render()


def note(code, **values):
    if code not in _TEXTS:
        raise KeyError(f"no text registered for note code {code!r}")
    return Note(code, values)


def render(value, translate=None):
    """A note, a list of notes (joined with "; ") or plain text, as text."""
    if isinstance(value, Note):
        return value.render(translate)
    if isinstance(value, list | tuple):
        return "; ".join(render(item, translate) for item in value)
    return value or ""


def _english(source, **values):
    return source % values if values else source
