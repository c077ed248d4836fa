"""A build changes site/, the zip and content/ all together or not at all: failures, kill -9, Ctrl-C,
unwritable paths, a full disk, two builds at once; and the `bibsite` command as pip installs it."""
from __future__ import annotations

import errno
import hashlib
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, copy_project, run_build

ENV = dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH="1700000000")


def snapshot(project: Path) -> dict:
    """Return {path: SHA-256} of every file in content/, site/ and dist/ (the published state)."""
    state = {}
    for name in ("content", "site", "dist"):
        for path in sorted((project / name).rglob("*")):
            if path.is_file():
                state[path.relative_to(project).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def part(state: dict, name: str) -> dict:
    return {path: digest for path, digest in state.items() if path.startswith(name + "/")}


def add_seeds(project: Path, count: int, tag: str = "") -> None:
    """Add count new abstracts (in English, each its own words) as a seed file of their own."""
    entries = [f"Regional security cooperation study {tag}{n}: the Shanghai Cooperation Organization and "
               f"its member states {tag}{n} review border confidence measures, number {n} of {count}."
               for n in range(count)]
    (project / "seeds" / "abstracts" / f"extra{tag}.txt").write_text("\n\n".join(entries) + "\n", encoding="utf-8")


def build(project: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(project / "build.py"), *args], cwd=project,
                          env=dict(ENV, PYTHONPATH=str(project)), capture_output=True, text=True, timeout=600,
                          **kwargs)


def start(project: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(project / "build.py")], cwd=project,
                            env=dict(ENV, PYTHONPATH=str(project)), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for_staging(project: Path, proc: subprocess.Popen) -> None:
    """Wait until the build is writing its staged site (well into the build, before the publish)."""
    deadline = time.monotonic() + 120
    while not list(project.glob(".site.building-*")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """A built project (the old state), and what a build after adding 30 seed entries gives (the new one)."""
    base = copy_project(tmp_path_factory.mktemp("old"))
    assert build(base).returncode == 0
    new = tmp_path_factory.mktemp("new") / "p"
    shutil.copytree(base, new, symlinks=True)
    add_seeds(new, 30)
    assert build(new).returncode == 0
    return base, snapshot(base), snapshot(new)


def fresh(states, tmp_path: Path) -> Path:
    """Return a copy of the built old-state project, with the new seed entries added."""
    project = tmp_path / "p"
    shutil.copytree(states[0], project, symlinks=True)
    add_seeds(project, 30)
    return project


def test_a_broken_template_after_a_new_seed_entry_changes_nothing(states, tmp_path):
    project = fresh(states, tmp_path)
    template = project / "templates" / "abstract.html"
    template.write_text(template.read_text(encoding="utf-8") + "{% endif %}\n", encoding="utf-8")
    proc = build(project)
    assert proc.returncode == 1 and proc.stderr.startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(project) == states[1]
    assert not [p for p in project.rglob("*.tmp")]


def test_a_failed_build_after_metadata_exports_leaves_content_byte_identical(states, tmp_path):
    # The exports fill empty fields of records already in content/ (updated records) and add new ones:
    # both must wait, staged, for the publish of a build that succeeds.
    project = tmp_path / "p"
    shutil.copytree(states[0], project, symlinks=True)
    for path in (ROOT / "tests" / "fixtures" / "metadata").iterdir():
        shutil.copy2(path, project / "seeds" / "metadata" / path.name)
    template = project / "templates" / "abstract.html"
    good = template.read_bytes()
    template.write_bytes(good + b"{% endif %}\n")
    proc = build(project)
    assert proc.returncode == 1 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr, proc.stderr
    assert "metadata: " in proc.stdout  # the exports were read and matched before the failure
    assert snapshot(project) == states[1]
    assert not [p for p in project.rglob("*.tmp")] and not list(project.glob(".site.*"))
    template.write_bytes(good)
    assert build(project).returncode == 0
    content_before, content_after = part(states[1], "content"), part(snapshot(project), "content")
    updated = [path for path in content_before if content_after[path] != content_before[path]]
    assert updated and set(content_after) > set(content_before)  # the same exports do update and add, once published


def test_kill_9_anywhere_leaves_the_old_or_the_new_state_and_the_next_build_recovers(states, tmp_path):
    from bibsite import pipeline
    old, new = states[1], states[2]
    chance = random.Random(17)
    for attempt in range(5):
        project = fresh(states, tmp_path / str(attempt))
        proc = start(project)
        wait_for_staging(project, proc) if attempt % 2 else None
        time.sleep(chance.uniform(0, 2.5))
        proc.kill()
        proc.communicate()
        # A kill while the zip is written leaves its hidden temporary file beside it (recover removes it):
        # not a published file, so not part of the state compared here.
        killed = {path: digest for path, digest in snapshot(project).items()
                  if not (path.startswith("dist/.") and path.endswith(".tmp"))}
        for name in ("content", "site", "dist"):
            assert part(killed, name) in (part(old, name), part(new, name)), (attempt, name)
        pipeline.recover(pipeline.Project(project))  # what the next build does first
        after = snapshot(project)
        assert after in (old, new), attempt
        assert build(project).returncode == 0
        assert snapshot(project) == new
        assert not [p for p in project.rglob("*.tmp")] and not list(project.glob(".site.*"))


def test_stale_temporary_records_and_staging_folders_are_removed(states, tmp_path):
    project = fresh(states, tmp_path)
    stale = [project / "content" / "abstracts" / ".0123456789.yaml.abcd1234.tmp", project / "dist" / ".regional-security-bibliography.zip.abcd.tmp"]
    for path in stale:
        path.write_text("half", encoding="utf-8")
    (project / ".site.building-dead1").mkdir()
    (project / ".site.building-dead1" / "index.html").write_text("old", encoding="utf-8")
    assert build(project).returncode == 0
    assert not (project / ".site.building-dead1").exists()
    assert not (project / "content" / "abstracts" / ".0123456789.yaml.abcd1234.tmp").exists()
    assert snapshot(project) == states[2]


def test_ctrl_c_prints_one_line_and_changes_nothing(states, tmp_path):
    project = fresh(states, tmp_path)
    proc = start(project)
    wait_for_staging(project, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert err.splitlines()[-1:] == ["interrupted, nothing changed"] and "Traceback" not in err, err
    assert snapshot(project) == states[1]
    assert not list(project.glob(".site.*")) and not [p for p in project.rglob("*.tmp")]


def test_two_builds_at_once_take_turns(states, tmp_path):
    project = fresh(states, tmp_path)
    first = start(project)
    wait_for_staging(project, first)
    second = start(project)
    results = [p.communicate(timeout=300) + (p.returncode,) for p in (first, second)]
    assert [code for _, _, code in results] == [0, 0], results
    assert "another build is running" in results[1][1]
    assert snapshot(project) == states[2]


def test_a_full_disk_is_one_error_line_and_changes_nothing(states, tmp_path, monkeypatch, capsys):
    import gc

    from bibsite import cli, output
    project = fresh(states, tmp_path)

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(output, "write_json", full)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", ENV["SOURCE_DATE_EPOCH"])
    try:
        code = cli.run("build", project)
    finally:
        gc.enable()
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and "No space left on device" in err, err
    assert "free some disk space" in err
    assert snapshot(project) == states[1]
    assert not list(project.glob(".site.*")) and not [p for p in project.rglob("*.tmp")]


def test_serve_on_a_busy_port_is_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, str(ROOT / "build.py"), "--serve", "--port", str(port),
                               "--root", str(tmp_path)], env=ENV, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"error: 127.0.0.1:{port}: cannot serve there (Address already in use) "
                                        "— try another --port"], proc.stderr


# --- as a user who is not root (chmod does not stop root) ------------------------------------------

def nobody_project(states) -> Path:
    """Return a copy of the built old-state project with new seed entries, owned by nobody, in a
    folder anyone can reach."""
    holder = Path(tempfile.mkdtemp(prefix="bibsite-nobody-", dir="/tmp"))
    holder.chmod(0o755)
    project = holder / "p"
    shutil.copytree(states[0], project, symlinks=True)
    add_seeds(project, 30)
    (holder / "tmp").mkdir()
    user = pwd.getpwnam("nobody")
    for path in [holder / "tmp", project, *project.rglob("*")]:
        os.lchown(path, user.pw_uid, user.pw_gid)
    return project


SYSTEM_PYTHON = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"


def build_as_nobody(project: Path) -> subprocess.CompletedProcess:
    user = pwd.getpwnam("nobody")

    def become_nobody():
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    # This Python may live where nobody cannot reach (a root-only pyenv): run the system's Python of the
    # same version, given the dependencies on its path.
    python = SYSTEM_PYTHON if Path(SYSTEM_PYTHON).is_file() else sys.executable
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env = dict(ENV, PYTHONPATH=os.pathsep.join([str(project), *deps]), HOME=str(project.parent / "tmp"),
               TMPDIR=str(project.parent / "tmp"))
    return subprocess.run([python, str(project / "build.py")], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600, preexec_fn=become_nobody)


needs_root = pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true",
                                reason="switching to the user nobody needs root")


@needs_root
@pytest.mark.parametrize("folder", ["site", "dist", "content/abstracts", "content", "."])
def test_an_unwritable_folder_is_one_line_changes_nothing_and_does_not_wedge_later_builds(states, folder):
    project = nobody_project(states)
    try:
        (project / folder).chmod(0o555)
        proc = build_as_nobody(project)
        shown = "./" if folder == "." else f"{folder}/"
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert proc.stderr.splitlines() == [f"error: {shown}: is not writable — make it writable (chmod -R u+w, "
                                            "or build as its owner), then build again"], proc.stderr
        assert snapshot(project) == states[1]
        (project / folder).chmod(0o755)
        proc = build_as_nobody(project)
        assert proc.returncode == 0, proc.stderr
        assert snapshot(project) == states[2]
        assert not list(project.glob(".site.*"))
    finally:
        shutil.rmtree(project.parent, ignore_errors=True)


@needs_root
def test_a_read_only_cache_still_builds_with_a_warning(states):
    project = nobody_project(states)
    try:
        for path in [project / ".cache", *(project / ".cache").rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        proc = build_as_nobody(project)
        assert proc.returncode == 0, proc.stderr
        assert "warning: .cache/: cannot be written" in proc.stderr and "Traceback" not in proc.stderr
        assert snapshot(project) == states[2]
    finally:
        shutil.rmtree(project.parent, ignore_errors=True)


# --- the command pip installs ----------------------------------------------------------------------

def test_pip_install_gives_a_bibsite_command(states, tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", "node_modules", "site", "dist", ".cache",
                                                               ".git", "__pycache__", "test-artifacts", "*.egg-info",
                                                               "build"))
    shutil.copy2(ROOT / "build.py", source / "build.py")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    # The venv sees this project's dependencies (and pip) where .venv has them; --no-deps: pip fetches only the build backend.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site_packages / "project-deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(source)],
                   check=True, capture_output=True, timeout=300)
    bibsite = venv / "bin" / "bibsite"
    version = subprocess.run([str(bibsite), "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == "bibsite 0.1.0", version
    project = tmp_path / "project"
    shutil.copytree(states[0], project, symlinks=True)
    add_seeds(project, 2)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    checked = subprocess.run([str(bibsite), "check", "--root", str(project)], capture_output=True, text=True,
                             cwd=tmp_path, env=env)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines()[-1] == "check: 23 records valid; nothing written"
    imported = subprocess.run([str(python), "-c", "import bibsite; print(bibsite.__file__)"], capture_output=True,
                              text=True, cwd=tmp_path, env=env)
    assert imported.stdout.startswith(str(venv)), imported.stdout  # the installed copy, not the checkout
