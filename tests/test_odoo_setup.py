"""scripts/odoo_setup.py: getting Odoo on a fresh machine, without Odoo and
without the network (the package index is injected, or a local HTTP server;
the git source is a local repository)."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import odoo_setup
from odoo_setup import SetupError, adapt_requirements, cache_state, fetch_decision

PY311 = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux"}
PY312 = {"python_version": "3.12", "python_full_version": "3.12.3", "sys_platform": "linux"}


# -- found / fetch / don't fetch ----------------------------------------------


@pytest.mark.parametrize(
    "env, allowed",
    [
        ({}, True),
        ({"SYNCO_NO_FETCH": "0"}, True),
        ({"SYNCO_NO_FETCH": "1"}, False),
        ({"CI": "true"}, False),
        ({"CI": "true", "SYNCO_ODOO_GIT": "/srv/odoo.git"}, True),
        ({"CI": "true", "SYNCO_ODOO_GIT": "/srv/odoo.git", "SYNCO_NO_FETCH": "1"}, False),
    ],
)
def test_fetch_decision_ci_and_no_fetch_never_fetch(env, allowed):
    ok, why = fetch_decision(env)
    assert ok is allowed
    assert bool(why) is not allowed


def test_odoo_source_defaults_to_odoos_public_repository_and_the_versions_branch():
    assert odoo_setup.odoo_source("18", {}) == ("https://github.com/odoo/odoo.git", "18.0")


def test_odoo_source_a_local_path_becomes_a_file_url_and_the_ref_is_taken(tmp_path):
    env = {"SYNCO_ODOO_GIT": str(tmp_path), "SYNCO_ODOO_REF": "v19-tag"}
    assert odoo_setup.odoo_source("19", env) == (tmp_path.as_uri(), "v19-tag")
    ssh = {"SYNCO_ODOO_GIT": "git@example.org:odoo/odoo.git"}
    assert odoo_setup.odoo_source("19", ssh)[0] == "git@example.org:odoo/odoo.git"


# -- the cache: reuse and repair ----------------------------------------------

WANT = {"git": "file:///srv/odoo", "ref": "19.0", "python": "3.11"}


def _complete(folder: Path, **marker) -> None:
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "odoo-bin").write_text("")
    (folder / "venv" / "bin").mkdir(parents=True)
    (folder / "venv" / "bin" / "python").write_text("")
    (folder / odoo_setup.MARKER).write_text(json.dumps({**WANT, **marker}))


def test_cache_state_absent_cut_stale_ready(tmp_path):
    folder = tmp_path / "odoo19"
    assert cache_state(folder, WANT) == "absent"
    (folder / "src").mkdir(parents=True)
    assert cache_state(folder, WANT) == "cut"  # a clone cut halfway: no marker
    _complete(tmp_path / "ok")
    assert cache_state(tmp_path / "ok", WANT) == "ready"
    _complete(tmp_path / "other", git="https://example.org/odoo.git")
    assert cache_state(tmp_path / "other", WANT) == "stale"
    _complete(tmp_path / "gone")
    (tmp_path / "gone" / "venv" / "bin" / "python").unlink()
    assert cache_state(tmp_path / "gone", WANT) == "cut"
    _complete(tmp_path / "garbled")
    (tmp_path / "garbled" / odoo_setup.MARKER).write_text("{")
    assert cache_state(tmp_path / "garbled", WANT) == "cut"


def _git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def odoo_repo(tmp_path):
    """A local git repository shaped like Odoo's 19.0 branch (three files)."""
    repo = tmp_path / "odoo-repo"
    (repo / "odoo").mkdir(parents=True)
    (repo / "odoo-bin").write_text("#!/usr/bin/env python3\n")
    (repo / "requirements.txt").write_text("polib==1.1.1\n")
    (repo / "odoo" / "release.py").write_text(
        "MIN_PY_VERSION = (3, 10)\nMAX_PY_VERSION = (3, 13)\n"
    )
    _git("init", "-q", "-b", "19.0", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "odoo", cwd=repo)
    return repo


@pytest.fixture
def installs(monkeypatch):
    """Replaces the virtual environment's making (pip, the index) by a record."""
    made = []

    def install(folder, major):
        (folder / "venv" / "bin").mkdir(parents=True)
        python = folder / "venv" / "bin" / "python"
        python.write_text("#!/bin/sh\nexit 0\n")
        python.chmod(0o755)
        made.append(folder)

    monkeypatch.setattr(odoo_setup, "_install", install)
    return made


def test_fetch_clones_once_then_reuses_the_complete_cache(tmp_path, odoo_repo, installs):
    env = {"SYNCO_ODOO_GIT": str(odoo_repo)}
    python, src = odoo_setup.fetch("19", tmp_path / "cache", env)
    assert (src / "odoo-bin").is_file()
    assert python == tmp_path / "cache" / "odoo19" / "venv" / "bin" / "python"
    marker = json.loads((tmp_path / "cache" / "odoo19" / odoo_setup.MARKER).read_text())
    assert marker["git"] == odoo_repo.as_uri() and marker["ref"] == "19.0" and marker["commit"]
    assert odoo_setup.fetch("19", tmp_path / "cache", env) == (python, src)
    assert len(installs) == 1  # the second call reused it
    python.write_text("#!/bin/sh\nexit 1\n")  # its base Python went away
    odoo_setup.fetch("19", tmp_path / "cache", env)
    assert len(installs) == 2


def test_fetch_starts_a_half_made_cache_over(tmp_path, odoo_repo, installs):
    folder = tmp_path / "cache" / "odoo19"
    (folder / "src" / "odoo").mkdir(parents=True)
    (folder / "src" / "odoo-bin").write_text("cut")  # a clone cut before the marker
    (folder / "leftover").write_text("")
    odoo_setup.fetch("19", tmp_path / "cache", {"SYNCO_ODOO_GIT": str(odoo_repo)})
    assert not (folder / "leftover").exists()
    assert (folder / "src" / "odoo-bin").read_text().startswith("#!")
    assert cache_state(folder, {"git": odoo_repo.as_uri(), "ref": "19.0"}) == "ready"


def test_fetch_a_missing_ref_says_so_and_leaves_no_complete_cache(tmp_path, odoo_repo, installs):
    with pytest.raises(SetupError, match=r"has no 18\.0: set SYNCO_ODOO_REF"):
        odoo_setup.fetch("18", tmp_path / "cache", {"SYNCO_ODOO_GIT": str(odoo_repo)})
    assert cache_state(tmp_path / "cache" / "odoo18", {}) == "cut"
    assert installs == []


def test_fetch_an_unreachable_source_names_the_cause_and_the_next_step(tmp_path, installs):
    env = {"SYNCO_ODOO_GIT": "http://127.0.0.1:9/odoo.git"}
    with pytest.raises(SetupError, match=r"not reachable.*SYNCO_ODOO_GIT.*ODOO19_PATH"):
        odoo_setup.fetch("19", tmp_path / "cache", env)


def test_fetch_refuses_a_python_outside_odoos_range(tmp_path, odoo_repo, installs):
    env = {"SYNCO_ODOO_GIT": str(odoo_repo)}
    with pytest.raises(SetupError, match=r"Python 3\.14 is outside Odoo 19's supported range"):
        odoo_setup.fetch("19", tmp_path / "cache", env, current=(3, 14))
    assert installs == []


def test_python_range_reads_odoo_18_and_19_layouts(tmp_path):
    (tmp_path / "odoo").mkdir()
    (tmp_path / "odoo" / "__init__.py").write_text(
        "MIN_PY_VERSION = (3, 10)\nMAX_PY_VERSION = (3, 12)\n"
    )
    assert odoo_setup.python_range(tmp_path) == ((3, 10), (3, 12))
    for major, tree in (("18", Path("/opt/odoo18")), ("19", Path("/opt/odoo19"))):
        if tree.is_dir():
            low, high = odoo_setup.python_range(tree)
            assert low == (3, 10) and high >= (3, 12), major


# -- the requirement rule -----------------------------------------------------

FIXTURE = """\
# a comment stays
cbor2==5.4.2 ; python_version < '3.12'
cbor2==5.6.2 ; python_version >= '3.12'
lxml==4.9.3
ofxparse==0.21
oldonly==1.0
psycopg2==2.9.5 ; python_version == '3.11'
python-ldap==3.4.0 ; sys_platform != 'win32' and python_version < '3.12'
pytz  # no version pinning
pypiwin32 ; sys_platform == 'win32'
"""

INDEX = {
    # versions with a wheel for "this Python"
    "cbor2": ["5.4.1", "5.4.3rc1", "5.4.5", "5.6.2", "5.4.6"],
    "lxml": ["4.9.3", "5.0.0"],
    "ofxparse": [],  # sdist only
    "oldonly": ["0.9"],  # wheels only for older releases
    "psycopg2-binary": ["2.9.5"],
}


def test_adapt_requirements_rule_on_a_hand_written_file():
    asked = []

    def wheels(name):
        asked.append(name)
        return INDEX[name]

    out = adapt_requirements(FIXTURE, wheels, PY311)
    assert out.lines == [
        "# a comment stays",
        "cbor2==5.4.5 ; python_version < '3.12'",  # nearest newer final release with a wheel
        "cbor2==5.6.2 ; python_version >= '3.12'",  # not for 3.11: left as it is
        "lxml==4.9.3",  # the pin has a wheel
        "ofxparse==0.21",  # no wheel anywhere: built
        "oldonly==1.0",  # no newer wheel: built
        "psycopg2-binary==2.9.5 ; python_version == '3.11'",
        "pytz  # no version pinning",
        "pypiwin32 ; sys_platform == 'win32'",
    ]
    assert out.changed == [
        "cbor2==5.4.2 -> cbor2==5.4.5",
        "psycopg2==2.9.5 -> psycopg2-binary==2.9.5",
    ]
    assert [x.split(" ")[0] for x in out.left_out] == ["python-ldap"]
    assert out.built == ["ofxparse==0.21", "oldonly==1.0"]
    assert "psycopg2" not in asked and "pytz" not in asked  # renamed first; unpinned: not asked


def test_adapt_requirements_follows_the_markers_of_another_python():
    out = adapt_requirements(FIXTURE, INDEX.__getitem__, PY312)
    assert "cbor2==5.4.2 ; python_version < '3.12'" in out.lines  # not for 3.12: untouched
    assert "cbor2==5.6.2 ; python_version >= '3.12'" in out.lines
    assert "psycopg2==2.9.5 ; python_version == '3.11'" in out.lines
    assert out.left_out == []  # python-ldap's line is for < 3.12 only


REAL = [("18", Path("/opt/odoo18/requirements.txt")), ("19", Path("/opt/odoo19/requirements.txt"))]


@pytest.mark.parametrize("major, path", REAL)
@pytest.mark.parametrize("environment", [PY311, PY312], ids=["py311", "py312"])
def test_adapt_odoos_real_requirements_when_every_pin_has_a_wheel(major, path, environment):
    if not path.is_file():
        pytest.skip(f"no Odoo {major} source at {path.parent} on this machine")
    text = path.read_text()
    out = adapt_requirements(text, lambda name: [_pin_of(text, name, environment)], environment)
    assert [c.split(" -> ")[1].split("==")[0] for c in out.changed] == ["psycopg2-binary"]
    assert [x.split(" ")[0] for x in out.left_out] == ["python-ldap"]
    assert out.built == []
    assert len(out.lines) == len(text.splitlines()) - 1  # only python-ldap's line went


@pytest.mark.parametrize("major, path", REAL)
def test_adapt_odoos_real_requirements_on_311_as_pypi_serves_them(major, path):
    """The pins PyPI has no cp311 wheel for (cbor2 5.4.2, rjsmin 1.2.0,
    vobject 0.9.6.1; cbor2 5.4.4 is yanked) move to the next release that
    has one; ofxparse, sdist only, is built."""
    if not path.is_file():
        pytest.skip(f"no Odoo {major} source at {path.parent} on this machine")
    text = path.read_text()
    no_wheel = {"cbor2": ["5.4.5", "5.6.2"], "rjsmin": ["1.2.1", "1.2.2"],
                "vobject": ["0.9.7"], "ofxparse": []}  # fmt: skip

    def wheels(name):
        return no_wheel[name] if name in no_wheel else [_pin_of(text, name, PY311)]

    out = adapt_requirements(text, wheels, PY311)
    assert out.changed == [
        "cbor2==5.4.2 -> cbor2==5.4.5",
        "psycopg2==2.9.5 -> psycopg2-binary==2.9.5",
        "rjsmin==1.2.0 -> rjsmin==1.2.1",
        "vobject==0.9.6.1 -> vobject==0.9.7",
    ]
    assert out.built == ["ofxparse==0.21"]


def _pin_of(text, name, environment):
    """The version ``text`` pins ``name`` to for ``environment``."""
    markers = odoo_setup._packaging()[0]
    name = {"psycopg2-binary": "psycopg2"}.get(name, name)
    for line in text.splitlines():
        match = odoo_setup.REQUIREMENT.match(line)
        if match and match["name"] == name and match["pin"]:
            marker = (match["marker"] or "").strip()
            if not marker or markers.Marker(marker).evaluate(environment):
                return match["pin"]
    raise AssertionError(f"{name} not pinned for {environment}")


# -- the index lookup, over HTTP, without the network -------------------------

FILES = [
    ("demo-1.0-py3-none-any.whl", None),
    ("demo-1.1-py3-none-any.whl", "broken"),  # yanked
    ("demo-1.2-cp27-cp27m-win32.whl", None),  # not for this Python
    ("demo-1.3.tar.gz", None),  # an sdist
    ("demo-1.4-py2.py3-none-any.whl", None),
]


@pytest.fixture
def index():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/simple/demo/":
                self.send_error(404)
                return
            if "json" in self.headers.get("Accept", "") and not self.server.html:
                kind = "application/vnd.pypi.simple.v1+json"
                files = [{"filename": f, "yanked": y or False} for f, y in FILES]
                body = json.dumps({"files": files}).encode()
            else:
                kind = "text/html"
                body = "".join(
                    f'<a href="x" {"data-yanked" if y else ""}>{f}</a>\n' for f, y in FILES
                ).encode()
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.html = False
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.mark.parametrize("html", [False, True], ids=["pep691-json", "html"])
def test_index_wheels_keeps_installable_non_yanked_wheels(index, html):
    index.html = html
    url = f"http://127.0.0.1:{index.server_address[1]}/simple"
    assert odoo_setup.index_wheels("Demo", url) == ["1.0", "1.4"]
    assert odoo_setup.index_wheels("absent", url) == []


def test_index_wheels_unreachable_index_says_what_to_do():
    with pytest.raises(SetupError, match=r"Cannot reach the package index.*PIP_INDEX_URL"):
        odoo_setup.index_wheels("demo", "http://127.0.0.1:9/simple")


# -- pip's failures, said plainly ---------------------------------------------


@pytest.mark.parametrize(
    "log, says",
    [
        (
            "  error: subprocess-exited-with-error\n"
            "  ERROR: Failed building wheel for python-ldap\nFailed to build python-ldap\n",
            r"^python-ldap did not build for Python 3\.11 .*a C compiler",
        ),
        (
            "WARNING: Retrying ... NewConnectionError('Failed to establish a new connection')\n"
            "ERROR: Could not find a version that satisfies the requirement lxml==4.9.3\n"
            "ERROR: No matching distribution found for lxml==4.9.3\n",
            r"^pip could not reach the package index.*PIP_INDEX_URL",
        ),
        (
            "ERROR: No matching distribution found for lxml==4.9.3\n",
            r"^The package index has no lxml==4\.9\.3 for Python 3\.11",
        ),
    ],
)
def test_pip_failure_names_the_cause_and_the_next_step(log, says):
    error = odoo_setup.pip_failure(log, "19", "3.11", Path("/c/pip.log"))
    assert error.args[0].count(": ") >= 1 and "/c/pip.log" in error.args[0]
    assert __import__("re").search(says, error.args[0])


# -- scripts/lib.sh's find_odoo: the decision as the scripts take it ----------

ROOT = Path(__file__).resolve().parents[1]


def _find_odoo(tmp_path, **env):
    """scripts/lib.sh's find_odoo with no Odoo named: prints FOUND or why not."""
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    base.update(SYNCO_ODOO_CONF="/dev/null", SYNCO_CACHE=str(tmp_path / "cache"), **env)
    script = (
        'root=$1; source "$root/scripts/lib.sh"; find_odoo && echo FOUND || echo "$ODOO_MISSING"'
    )
    script = script.replace("; ", "\n")
    out = subprocess.run(
        ["bash", "-c", script, "-", str(ROOT)], env=base, capture_output=True, text=True
    )
    if out.stdout.startswith("FOUND"):
        pytest.skip("python3 imports an Odoo on this machine: nothing to fetch")
    return out.stdout.strip()


def test_lib_find_odoo_in_ci_fetches_nothing_and_says_how_to_get_odoo(tmp_path):
    said = _find_odoo(tmp_path, CI="true")
    assert said.startswith("no Odoo 18 19 here: set ODOO_PATH")
    assert "Odoo 19 was not fetched: a CI run (CI=true) fetches nothing" in said
    assert not (tmp_path / "cache").exists()


def test_lib_find_odoo_fetches_and_a_failed_fetch_is_one_plain_sentence(tmp_path):
    said = _find_odoo(tmp_path, SYNCO_ODOO_GIT=str(tmp_path / "no-such-repo"), SYNCO_ODOO="18")
    assert said.startswith("git could not fetch Odoo 18 (18.0) from file://")
    assert said.endswith("or set SYNCO_ODOO_GIT to another copy.")
    assert cache_state(tmp_path / "cache" / "odoo18", {}) == "cut"  # started over next time
