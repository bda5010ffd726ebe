#!/usr/bin/env python3
"""Getting Odoo for scripts/test.sh and scripts/run.sh when none is found.

Odoo-free and standard library only (``packaging`` is imported where a
virtual environment's pip carries it), called by scripts/lib.sh and tested
by tests/test_odoo_setup.py:

    odoo_setup.py may-fetch                  # exit 0, or 3 and why not
    odoo_setup.py fetch 19 --cache DIR       # prints "<python> <source dir>"
    odoo_setup.py adapt requirements.txt OUT # the requirement rule, with PyPI

``fetch`` makes ``DIR/odoo19/``: ``src/`` (a shallow clone of the version's
branch), ``venv/`` (a virtual environment with that tree's requirements,
adapted by ``adapt_requirements``) and, only once both are complete, the
marker ``synco-complete.json``. A folder without the marker (a clone or an
install cut halfway) is removed and made again; one made from another
source, ref or Python likewise.

Exit codes: 0 done, 1 failed (stdout: one sentence, the cause and the next
step), 3 fetching is off (stdout: why, and how to get Odoo instead).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ODOO_GIT = "https://github.com/odoo/odoo.git"
MARKER = "synco-complete.json"
PYPI_SIMPLE = "https://pypi.org/simple"

# Requirements Odoo lists that only optional features need: left out, named.
OPTIONAL = {
    "python-ldap": "only the LDAP sign-in module (auth_ldap) needs it, and it compiles "
    "against OpenLDAP's headers",
}
# The same releases published as self-contained wheels (no compiler, no libpq
# headers): Odoo's own Docker image and Debian packages use the binary build.
RENAMED = {"psycopg2": "psycopg2-binary"}
# Not in Odoo's requirements.txt, needed by Odoo's own browser tests (tours).
EXTRA = ["websocket-client"]

REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*"
    r"(?:==\s*(?P<pin>[^\s;#]+))?\s*(?:;(?P<marker>[^#]*))?(?:#.*)?$"
)


class SetupError(Exception):
    """A failure said in one sentence: the cause, then the next step."""


def _packaging():
    """``packaging`` itself, or the copy inside pip (a fresh venv has pip)."""
    try:
        from packaging import markers, tags, utils, version
    except ImportError:  # pragma: no cover - depends on the interpreter
        from pip._vendor.packaging import markers, tags, utils, version
    return markers, tags, utils, version


# -- the decision ------------------------------------------------------------


def fetch_decision(env: dict[str, str]) -> tuple[bool, str]:
    """Whether the scripts may download Odoo (and a PostgreSQL) here.

    ``SYNCO_NO_FETCH=1`` never fetches; nor does CI (``CI=true``) unless it
    names a source with ``SYNCO_ODOO_GIT``: a CI run finds its Odoos, it
    does not download them behind anyone's back. Returns (allowed, why not).
    """
    if env.get("SYNCO_NO_FETCH", "") not in ("", "0"):
        return False, "fetching is off (SYNCO_NO_FETCH=1)"
    if env.get("CI", "").lower() in ("true", "1") and not env.get("SYNCO_ODOO_GIT"):
        return False, "a CI run (CI=true) fetches nothing unless SYNCO_ODOO_GIT names a source"
    return True, ""


def odoo_source(major: str, env: dict[str, str]) -> tuple[str, str]:
    """(git URL, ref) to fetch Odoo ``major`` from: SYNCO_ODOO_GIT (a URL or
    a local repository) and SYNCO_ODOO_REF, else Odoo's public repository and
    the version's branch. A local path becomes a file:// URL, so that the
    clone is shallow as from a server."""
    url = env.get("SYNCO_ODOO_GIT") or ODOO_GIT
    if "://" not in url and not re.match(r"^[\w.-]+@[\w.-]+:", url):
        url = Path(url).expanduser().resolve().as_uri()
    return url, env.get("SYNCO_ODOO_REF") or f"{major}.0"


# -- the cache ---------------------------------------------------------------


def cache_state(folder: Path, want: dict[str, str]) -> str:
    """The cache folder's state: "absent", "cut" (no complete marker, or its parts are gone: made
    halfway), "stale" (complete, from another source, ref or Python) or
    "ready"."""
    if not folder.exists():
        return "absent"
    try:
        have = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return "cut"
    if not (folder / "src" / "odoo-bin").is_file() or not _venv_python(folder).exists():
        return "cut"
    if any(have.get(key) != value for key, value in want.items()):
        return "stale"
    return "ready"


def _runs(python: Path) -> bool:
    try:
        return subprocess.run([str(python), "-c", "pass"], capture_output=True).returncode == 0
    except OSError:
        return False


def _venv_python(folder: Path) -> Path:
    return folder / "venv" / "bin" / "python"


def python_range(src: Path) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Odoo's own (MIN_PY_VERSION, MAX_PY_VERSION), read from its source
    (odoo/release.py in 19, odoo/__init__.py in 18)."""
    for name in ("odoo/release.py", "odoo/__init__.py"):
        try:
            text = (src / name).read_text()
        except OSError:
            continue
        found = {
            key: tuple(int(n) for n in re.findall(r"\d+", value))[:2]
            for key, value in re.findall(r"^(MIN|MAX)_PY_VERSION\s*=\s*\(([^)]*)\)", text, re.M)
        }
        if "MIN" in found and "MAX" in found:
            return found["MIN"], found["MAX"]
    return None


def check_python(src: Path, major: str, current: tuple[int, int]) -> None:
    bounds = python_range(src)
    if bounds is None:
        return
    low, high = bounds
    if not low <= current <= high:
        raise SetupError(
            f"Python {current[0]}.{current[1]} is outside Odoo {major}'s supported range "
            f"{low[0]}.{low[1]} to {high[0]}.{high[1]}: install a Python in that range and "
            f"run again with SYNCO_ODOO_PYTHON=/path/to/python3.{high[1]}."
        )


# -- the requirement rule ----------------------------------------------------


@dataclass
class Adapted:
    """Odoo's requirements.txt as installed here, and what changed."""

    lines: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    built: list[str] = field(default_factory=list)


def adapt_requirements(
    text: str,
    wheel_versions: Callable[[str], Iterable[str]],
    environment: dict[str, str] | None = None,
) -> Adapted:
    """The one rule for installing an Odoo's own requirements.txt here.

    Odoo pins the releases of the distributions it supports (Debian 12,
    Ubuntu 24.04); several of those releases never had a wheel for today's
    Pythons, and building them needs compilers and C headers. For each line
    that applies to this Python (its marker holds):

    1. a requirement only an optional feature needs (``OPTIONAL``:
       python-ldap) is left out, and named;
    2. ``psycopg2`` becomes ``psycopg2-binary``, the same release as a
       self-contained wheel (``RENAMED``);
    3. a pin with a wheel for this Python stays as it is;
    4. a pin without one moves to the nearest newer release that has one
       (final releases only, post-releases count, yanked ones do not);
    5. a pin with no wheel in any newer release stays, and pip builds it
       from source (sdist-only packages such as ofxparse, pure Python).

    Lines whose marker excludes this Python, unpinned lines and comments are
    kept as they are. ``wheel_versions(name)`` gives the versions of
    ``name`` that have a wheel this Python can install (``index_wheels``
    asks the package index; the tests inject their own); ``environment``
    overrides the marker variables (tests name a Python version).
    """
    markers, _, utils, version = _packaging()
    out = Adapted()
    for line in text.splitlines():
        match = REQUIREMENT.match(line)
        marker = match and (match["marker"] or "").strip()
        if not match or (marker and not markers.Marker(marker).evaluate(environment)):
            out.lines.append(line)
            continue
        name = utils.canonicalize_name(match["name"])
        if name in OPTIONAL:
            out.left_out.append(f"{match['name']} ({OPTIONAL[name]})")
            continue
        new_name = RENAMED.get(name, match["name"])
        pin = match["pin"]
        new_pin = pin and _nearest_wheel(pin, wheel_versions(new_name), version)
        if pin and new_pin is None:
            out.built.append(f"{new_name}=={pin}")
            new_pin = pin
        if (new_name, new_pin) == (match["name"], pin):
            out.lines.append(line)
            continue
        was = f"{match['name']}=={pin}" if pin else match["name"]
        now = f"{new_name}=={new_pin}" if pin else new_name
        end = match.end("pin") if pin else match.end("name")
        out.lines.append(now + line[end:])
        out.changed.append(f"{was} -> {now}")
    return out


def _nearest_wheel(pin: str, available: Iterable[str], version) -> str | None:
    """``pin`` if it has a wheel, else the nearest newer final release that
    has one, else None (pip builds ``pin`` from source)."""
    wanted = version.Version(pin)
    releases = []
    for text in available:
        try:
            release = version.Version(text)
        except version.InvalidVersion:
            continue
        if release == wanted:
            return pin
        if release > wanted and not release.is_prerelease:
            releases.append(release)
    return str(min(releases)) if releases else None


def index_wheels(name: str, index: str | None = None) -> list[str]:
    """Versions of ``name`` with a non-yanked wheel this Python can install,
    from the package index's simple API (PEP 691 JSON, or its HTML page):
    ``PIP_INDEX_URL``, else PyPI."""
    _, tags, utils, _ = _packaging()
    index = (index or os.environ.get("PIP_INDEX_URL") or PYPI_SIMPLE).rstrip("/")
    url = f"{index}/{utils.canonicalize_name(name)}/"
    accept = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            body = answer.read().decode()
            is_json = "json" in answer.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise SetupError(
            f"The package index {index} answered {error.code} for {name}: try again later, "
            "or set PIP_INDEX_URL to a mirror."
        ) from error
    except (urllib.error.URLError, OSError) as error:
        raise SetupError(
            f"Cannot reach the package index {index} ({getattr(error, 'reason', error)}): "
            "connect this machine to the internet, or set PIP_INDEX_URL to a mirror."
        ) from error
    if is_json:
        files = [(f["filename"], bool(f.get("yanked"))) for f in json.loads(body)["files"]]
    else:
        files = [
            (filename, "data-yanked" in attrs)
            for attrs, filename in re.findall(r"<a\s([^>]*)>([^<]+)</a>", body)
        ]
    here = set(tags.sys_tags())
    found = set()
    for filename, yanked in files:
        if yanked or not filename.endswith(".whl"):
            continue
        try:
            _, release, _, wheel_tags = utils.parse_wheel_filename(filename)
        except (utils.InvalidWheelFilename, ValueError):
            continue
        if wheel_tags & here:
            found.add(str(release))
    return sorted(found)


def prefetch(names: Iterable[str], lookup: Callable[[str], list[str]]) -> dict[str, list[str]]:
    """``lookup`` for every name at once, a few at a time (one index request
    each): ``adapt_requirements`` then reads the answers."""
    names = sorted(set(names))
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(names, pool.map(lookup, names), strict=True))


def adapt_file(source: Path, target: Path) -> Adapted:
    """Adapts an Odoo's requirements.txt for this Python, asking the index."""
    text = source.read_text()
    names = [m["name"] for m in map(REQUIREMENT.match, text.splitlines()) if m and m["pin"]]
    names += [RENAMED[n.lower()] for n in names if n.lower() in RENAMED]
    answers = prefetch(names, index_wheels)
    adapted = adapt_requirements(text, lambda name: answers.get(name, []))
    header = [
        f"# {source} adapted by scripts/odoo_setup.py (adapt_requirements):",
        *(f"#   {change}" for change in adapted.changed),
        *(f"#   left out: {name}" for name in adapted.left_out),
    ]
    target.write_text("\n".join([*header, *adapted.lines, *EXTRA]) + "\n")
    return adapted


# -- fetching ----------------------------------------------------------------


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _run_git(args: list[str], url: str, ref: str, major: str) -> None:
    """git with its progress shown; a failure becomes one plain sentence."""
    process = subprocess.Popen(["git", *args], stderr=subprocess.PIPE)
    tail = b""
    assert process.stderr is not None
    for chunk in iter(lambda: process.stderr.read1(4096), b""):
        sys.stderr.buffer.write(chunk)
        sys.stderr.flush()
        tail = (tail + chunk)[-4000:]
    if process.wait() == 0:
        return
    last = [x for x in re.split(r"[\r\n]+", tail.decode(errors="replace")) if x.strip()]
    detail = last[-1].strip() if last else f"git exited with {process.returncode}"
    text = tail.decode(errors="replace").lower()
    unreachable = ("could not resolve", "unable to access", "failed to connect", "unreachable")
    if any(s in text for s in (*unreachable, "timed out", "connection refused")):
        raise SetupError(
            f"Odoo {major} could not be downloaded from {url}: the network or that server is not "
            f"reachable ({detail}); connect this machine, or set SYNCO_ODOO_GIT to a local "
            f"copy of Odoo's repository, or ODOO{major}_PATH to an Odoo you already have."
        )
    if "couldn't find remote ref" in text or "not our ref" in text:
        raise SetupError(
            f"{url} has no {ref}: set SYNCO_ODOO_REF to a branch, tag or commit it holds."
        )
    raise SetupError(
        f"git could not fetch Odoo {major} ({ref}) from {url} ({detail}); run again "
        "(a cut download is started over), or set SYNCO_ODOO_GIT to another copy."
    )


def _clone(src: Path, url: str, ref: str, major: str) -> str:
    """A shallow clone of ``ref`` (branch, tag or commit) into ``src``."""
    say(f"== downloading Odoo {major} ({ref}) from {url} into {src} (a shallow clone)")
    subprocess.run(["git", "init", "-q", str(src)], check=True)
    progress = ["--progress"] if sys.stderr.isatty() else []
    _run_git(["-C", str(src), "fetch", "--depth", "1", *progress, url, ref], url, ref, major)
    subprocess.run(["git", "-C", str(src), "checkout", "-q", "FETCH_HEAD"], check=True)
    commit = subprocess.run(
        ["git", "-C", str(src), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    if not (src / "odoo-bin").is_file():
        raise SetupError(f"{url} at {ref} holds no odoo-bin: set SYNCO_ODOO_GIT to Odoo's source.")
    return commit


def pip_failure(log: str, major: str, python: str, log_path: Path) -> SetupError:
    """The cause of a failed ``pip install`` of Odoo's requirements, read in its log."""
    built = re.findall(r"Failed (?:to build|building wheel for) ([\w.-]+)", log)
    if built:
        return SetupError(
            f"{built[-1]} did not build for Python {python} (no wheel of it suits this Python, "
            f"so pip compiled it, and that failed; log: {log_path}): install what it needs to "
            "compile (a C compiler, Python's headers, the library's -dev package), or use "
            "another Python with SYNCO_ODOO_PYTHON."
        )
    if re.search(r"NewConnectionError|name resolution|Network is unreachable|ProxyError", log):
        return SetupError(
            f"pip could not reach the package index for Odoo {major}'s requirements (log: "
            f"{log_path}): connect this machine to the internet, or set PIP_INDEX_URL to a mirror."
        )
    missing = re.findall(r"No matching distribution found for (\S+)", log)
    if missing:
        return SetupError(
            f"The package index has no {missing[-1]} for Python {python} (log: {log_path}): "
            "use another Python with SYNCO_ODOO_PYTHON, or ODOO_PATH for an Odoo you have."
        )
    lines = [x for x in log.splitlines() if x.strip()]
    return SetupError(
        f"pip could not install Odoo {major}'s requirements ({lines[-1] if lines else '?'}; "
        f"log: {log_path}): fix that and run again (the half-made environment is redone)."
    )


def _install(folder: Path, major: str) -> None:
    venv, python = folder / "venv", _venv_python(folder)
    say(f"== a virtual environment for Odoo {major}: {venv}")
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    if made.returncode != 0:
        raise SetupError(
            f"{sys.executable} could not make a virtual environment "
            f"({made.stderr.strip()[-200:]}): install its venv module "
            "(Debian: apt install python3-venv), or set SYNCO_ODOO_PYTHON."
        )
    adapted = folder / "requirements.adapted.txt"
    here = Path(__file__).resolve()
    adapt = [
        str(python),
        str(here),
        "adapt",
        str(folder / "src" / "requirements.txt"),
        str(adapted),
    ]
    answer = subprocess.run(adapt, capture_output=True, text=True)
    sys.stderr.write(answer.stderr)
    if answer.returncode != 0:
        raise SetupError(answer.stdout.strip() or "adapting Odoo's requirements failed")
    log_path = folder / "pip.log"
    say(f"== installing Odoo {major}'s requirements ({adapted}; log: {log_path}); minutes")
    with log_path.open("w") as log:
        done = subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-r",
                str(adapted),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        raise pip_failure(log_path.read_text(errors="replace"), major, version, log_path)


def fetch(
    major: str, cache: Path, env: dict[str, str], current: tuple[int, int] | None = None
) -> tuple[Path, Path]:
    """Odoo ``major`` in ``cache``: reused when complete, else made (for
    this Python, or a ``current`` (major, minor) the tests name)."""
    url, ref = odoo_source(major, env)
    current = current or sys.version_info[:2]
    want = {"git": url, "ref": ref, "python": f"{current[0]}.{current[1]}"}
    folder = cache / f"odoo{major}"
    state = cache_state(folder, want)
    if state == "ready" and _runs(_venv_python(folder)):
        return _venv_python(folder), folder / "src"
    if state == "ready":
        state = "cut"  # its interpreter no longer runs (its base Python went away)
    if state == "cut":
        say(f"== {folder} was left half-made (a cut download or install): starting it over")
    elif state == "stale":
        say(f"== {folder} holds Odoo from another source, ref or Python: making it again")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.monotonic()
    commit = _clone(folder / "src", url, ref, major)
    check_python(folder / "src", major, current)
    cloned = time.monotonic()
    _install(folder, major)
    (folder / MARKER).write_text(json.dumps({**want, "commit": commit}, indent=1) + "\n")
    done = time.monotonic()
    say(
        f"== Odoo {major} ready in {folder} ({commit[:12]}): download {cloned - started:.0f} s, "
        f"virtual environment {done - cloned:.0f} s"
    )
    return _venv_python(folder), folder / "src"


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    command = argv[0] if argv else ""
    try:
        if command == "may-fetch":
            allowed, why = fetch_decision(env)
            print(why)
            return 0 if allowed else 3
        if command == "fetch" and len(argv) == 4 and argv[2] == "--cache":
            allowed, why = fetch_decision(env)
            if not allowed:
                print(why)
                return 3
            python, src = fetch(argv[1], Path(argv[3]), env)
            print(python, src)
            return 0
        if command == "adapt" and len(argv) == 3:
            adapted = adapt_file(Path(argv[1]), Path(argv[2]))
            for change in adapted.changed:
                say(f"   {change}")
            for name in adapted.left_out:
                say(f"   left out: {name}")
            for name in adapted.built:
                say(f"   built from source: {name} (no wheel for this Python)")
            return 0
    except SetupError as error:
        print(error)
        return 1
    except KeyboardInterrupt:
        print("Interrupted: the half-made folder is started over next time.")
        return 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
