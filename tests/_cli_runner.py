"""Run the installed ``fluxasn`` console script as a subprocess (shared by the CLI and README tests)."""
from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

REPO = Path(__file__).resolve().parents[1]


def fluxasn_command() -> List[str]:
    """The console script installed beside this Python, else ``python -m fluxasn.cli``."""
    script = shutil.which("fluxasn", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "fluxasn.cli"]


def cli_env(extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    env = dict(os.environ)
    env.pop("FLUXASN_DEBUG", None)
    env.setdefault("MPLBACKEND", "Agg")
    env.update(extra or {})
    return env


def run_cli(args: Sequence[str], *, cwd=None, timeout: float = 300, env=None) -> subprocess.CompletedProcess:
    """Run ``fluxasn ARGS`` with stdout and stderr piped."""
    return subprocess.run(
        fluxasn_command() + [str(a) for a in args],
        capture_output=True, text=True, cwd=cwd, timeout=timeout, env=cli_env(env),
    )


def run_many(cases: Mapping[str, Sequence[str]], *, cwd=None, workers: int = 3,
             env=None) -> Dict[str, subprocess.CompletedProcess]:
    """Run several CLI invocations concurrently; returns name -> CompletedProcess."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(run_cli, args, cwd=cwd, env=env) for name, args in cases.items()}
        return {name: future.result() for name, future in futures.items()}


def run_in_terminal(args: Sequence[str], *, cwd=None, timeout: float = 300) -> (int, str):
    """Run ``fluxasn ARGS`` with stdout and stderr on a pseudo-terminal; returns (code, output)."""
    leader, follower = pty.openpty()
    env = cli_env({"COLUMNS": "120", "LINES": "40", "TERM": "xterm-256color"})
    process = subprocess.Popen(
        fluxasn_command() + [str(a) for a in args],
        stdin=follower, stdout=follower, stderr=follower, cwd=cwd, env=env, close_fds=True,
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                # drain what is left
                while select.select([leader], [], [], 0.1)[0]:
                    try:
                        data = os.read(leader, 65536)
                    except OSError:
                        data = b""
                    if not data:
                        break
                    chunks.append(data)
                break
        else:
            process.kill()
            raise TimeoutError(f"fluxasn {' '.join(map(str, args))} did not finish in {timeout} s")
    finally:
        os.close(leader)
    code = process.wait(timeout=30)
    return code, b"".join(chunks).decode("utf-8", "replace")
