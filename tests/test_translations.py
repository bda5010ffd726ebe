"""The committed translation templates are not stale: every text the code
marks for translation (``_("...")``, ``env._("...")``, ``notes._lt("...")``,
the calls Odoo's exporter reads) is in the addon's ``i18n/<addon>.pot``,
and every entry the exporter took from the code is still in it. Fields,
views and data are exported from a database: ``scripts/make_pot.sh``
regenerates the whole template."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADDONS = ["synco_shopify", "synco_shopify_mrp"]
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def code_texts(addon_dir):
    """{text: first place} of every literal first argument of a call to a
    function or method named ``_`` or ``_lt`` in the addon's Python files."""
    texts = {}
    for path in sorted(Path(addon_dir).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            arg = node.args[0]
            if (
                name in ("_", "_lt")
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
            ):
                texts.setdefault(arg.value, f"{path.relative_to(addon_dir.parent)}:{node.lineno}")
    return texts


def _unquote(line):
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), body)


def pot_entries(path):
    """[(msgid, references)] of a .pot file (the header left out)."""
    entries, refs, msgid, in_msgid = [], [], None, False
    for line in [*path.read_text().splitlines(), ""]:
        if line.startswith("#:"):
            refs += line[2:].split()
        elif line.startswith("msgid "):
            msgid, in_msgid = _unquote(line), True
        elif line.startswith('"') and in_msgid:
            msgid += _unquote(line)
        elif line.startswith("msgstr"):
            in_msgid = False
        elif not line.strip() and msgid is not None:
            if msgid:
                entries.append((msgid, refs))
            refs, msgid, in_msgid = [], None, False
    return entries


@pytest.mark.parametrize("addon", ADDONS)
def test_pot_holds_every_text_of_the_code(addon):
    texts = code_texts(ROOT / addon)
    pot = ROOT / addon / "i18n" / f"{addon}.pot"
    if not texts and not pot.exists():
        pytest.skip(f"{addon} marks no text for translation")
    assert pot.exists(), f"{pot.relative_to(ROOT)} is missing: run scripts/make_pot.sh"
    entries = pot_entries(pot)
    msgids = {msgid for msgid, _ in entries}
    missing = [f"{where}: {text!r}" for text, where in texts.items() if text not in msgids]
    assert not missing, "not in the template (run scripts/make_pot.sh):\n" + "\n".join(missing)
    gone = [
        msgid
        for msgid, refs in entries
        if refs and all(r.startswith("code:") for r in refs) and msgid not in texts
    ]
    assert not gone, "in the template, no longer in the code (run scripts/make_pot.sh):\n" + (
        "\n".join(map(repr, gone))
    )


def test_the_check_reads_what_the_exporter_reads(tmp_path):
    """The check itself: the calls it finds, and a template's entries."""
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.py").write_text(
        'self.env._("Shop %(name)s", name=n)\nnotes._lt("Held")\n_("a" "b")\n'
        'other("no")\n_(f"{x}")\nlogger.info("no")\n'
    )
    assert set(code_texts(tmp_path / "x")) == {"Shop %(name)s", "Held", "ab"}
    pot = tmp_path / "x.pot"
    pot.write_text(
        'msgid ""\nmsgstr ""\n"Project-Id-Version: x\\n"\n\n'
        "#. module: x\n#: code:addons/x/a.py:0\n"
        'msgid ""\n"Two \\"quoted\\" "\n"lines %s"\nmsgstr ""\n'
    )
    assert pot_entries(pot) == [('Two "quoted" lines %s', ["code:addons/x/a.py:0"])]
