#!/usr/bin/env python3
"""Fuzzes the running API with schemathesis, once per role: scripts/fuzz.sh is the entry point.

Each role's run loads the API's OpenAPI document, sends every documented operation generated requests
(valid and invalid ones) with that role's bearer token, and applies every schemathesis check to the answers.
Runs are reproducible (fixed seed, no state kept between runs) and bounded (examples per operation, a hard
wall time per role), and go to loopback addresses only. Any failure or error in any role exits 1.

Only the standard library: this runs on the system's python3 and calls the provisioned .tools/bin/st.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
ST = ROOT / ".tools" / "bin" / "st"
BASE_CONFIG = ROOT / "scripts" / "fuzz.toml"
PHASES = ("examples", "coverage", "fuzzing", "stateful")


def say(message: str) -> None:
    print(f"[fuzz] {message}", file=sys.stderr, flush=True)


def die(message: str, code: int = 2) -> None:
    print(f"[fuzz] ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        die(f"{name} must be an integer (got {raw!r})")
        raise  # unreachable


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        die(f"{name} must be a number (got {raw!r})")
        raise


def split_list(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]


def require_loopback(url: str, what: str) -> None:
    """This runner only ever talks to this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        die(f"{what} must be an http(s) URL, got {url!r}")
    host = parts.hostname
    if host == "localhost" or host.endswith(".localhost"):
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    die(f"{what} {url!r} is not a loopback address (localhost, 127.0.0.0/8, [::1]): the fuzzer targets this machine only")


def load_tokens(args: argparse.Namespace) -> dict[str, str]:
    if args.tokens:
        path = Path(args.tokens)
        if not path.is_file():
            die(f"tokens file {path} not found")
        source, raw = str(path), path.read_text(encoding="utf-8")
    elif os.environ.get("FUZZ_TOKENS"):
        source, raw = "FUZZ_TOKENS", os.environ["FUZZ_TOKENS"]
    else:
        die('no tokens: pass --tokens FILE or set FUZZ_TOKENS_FILE / FUZZ_TOKENS to JSON {"role": "token", ...}')
        raise
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        die(f"{source} is not JSON: {exc}")
        raise
    if not isinstance(data, dict) or not data or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in data.items()
    ):
        die(f'{source} must be a non-empty JSON object of role name to bearer token: {{"resident": "eyJ…"}}')
    tokens = {}
    for role, token in data.items():
        token = token.strip()
        if token.lower().startswith("bearer "):
            token = token[len("bearer ") :].strip()
        tokens[role] = token
    return tokens


def wfc_document(tokens: dict[str, str]) -> dict:
    """A Web Fuzzing Commons auth document: one entry per role, its token as a fixed Authorization header."""
    return {
        "schemaVersion": "0.2.0",
        "auth": [
            {"name": role, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {token}"}]}
            for role, token in tokens.items()
        ],
    }


def run_config(base: str, wfc_path: Path, role: str, peers: list[str]) -> str:
    """The committed config plus this run's identity. JSON strings are valid TOML basic strings."""
    text = base.rstrip("\n") + "\n\n# Added by scripts/fuzz.py for this run.\n[auth.wfc]\n"
    text += f"path = {json.dumps(str(wfc_path))}\nuser = {json.dumps(role)}\n"
    if peers:
        text += f"peers = {json.dumps(peers)}\n"
    tomllib.loads(text)  # fail here, not inside st, if it does not parse
    return text


def junit_summary(path: Path) -> str:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return "no JUnit report"
    cases = failures = errors = skipped = 0
    for case in root.iter("testcase"):
        cases += 1
        if case.find("failure") is not None:
            failures += 1
        elif case.find("error") is not None:
            errors += 1
        elif case.find("skipped") is not None:
            skipped += 1
    return f"{cases} operations: {failures} failed, {errors} errored, {skipped} skipped"


def run_role(cmd: list[str], env: dict[str, str], cwd: Path, log: Path, wall: float) -> tuple[int, bool]:
    """Runs st, its output both shown and kept in `log`; a run past `wall` seconds is killed (exit 124)."""
    timed_out = threading.Event()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
            errors="replace",
        )

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                time.sleep(5)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(wall, kill)
        timer.daemon = True
        timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                sys.stdout.write(line)
                out.write(line)
            rc = proc.wait()
        except KeyboardInterrupt:
            os.killpg(proc.pid, signal.SIGTERM)
            raise
        finally:
            timer.cancel()
        if timed_out.is_set():
            message = f"\n[fuzz] killed: the run took longer than FUZZ_TIMEOUT={wall:g}s\n"
            sys.stdout.write(message)
            out.write(message)
            return 124, True
        return rc, False


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/fuzz.sh",
        description="Fuzz the running API with schemathesis, once per role. Exit 1 on any failure.",
        epilog="Arguments after `--` go to `st run` as they are. Environment: see scripts/fuzz.sh.",
    )
    parser.add_argument(
        "--schema",
        default=os.environ.get("FUZZ_SCHEMA"),
        help="the OpenAPI document: its URL (FUZZ_SCHEMA; default <base-url>/openapi.json) or a file",
    )
    parser.add_argument(
        "--base-url",
        default=os.environ.get("FUZZ_BASE_URL"),
        help="the API's complete base URL, e.g. http://127.0.0.1:3000/api/v1 (FUZZ_BASE_URL); without it, the "
        "origin of the schema URL with the document's own `servers` path",
    )
    parser.add_argument(
        "--tokens",
        default=os.environ.get("FUZZ_TOKENS_FILE"),
        help='JSON file {"role": "bearer token", ...} (FUZZ_TOKENS_FILE; or the JSON itself in FUZZ_TOKENS)',
    )
    parser.add_argument(
        "--roles", default=os.environ.get("FUZZ_ROLES"), help="comma-separated roles to run (FUZZ_ROLES; default all)"
    )
    parser.add_argument(
        "--report-dir",
        default=os.environ.get("FUZZ_REPORT_DIR", str(ROOT / "data" / "fuzz")),
        help="where each role's JUnit report and output go (FUZZ_REPORT_DIR; default data/fuzz, git-ignored)",
    )
    parser.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if not ST.exists():
        die(f"{ST} is missing: run `bash scripts/provision.sh schemathesis`")

    if not args.schema and not args.base_url:
        die("give the API: --base-url URL (e.g. http://127.0.0.1:3000/api/v1) and/or --schema URL|FILE")
    schema = args.schema or args.base_url.rstrip("/") + "/openapi.json"
    schema_is_url = schema.startswith(("http://", "https://"))
    if schema_is_url:
        require_loopback(schema, "the schema URL")
    else:
        if not Path(schema).is_file():
            die(f"schema file {schema} not found")
        schema = str(Path(schema).resolve())
        if not args.base_url:
            die("a schema file needs --base-url")
    if args.base_url:
        require_loopback(args.base_url, "the base URL")
        target = ["--url", args.base_url]
    else:
        parts = urlsplit(schema)
        target = ["--origin", f"{parts.scheme}://{parts.netloc}"]

    tokens = load_tokens(args)
    roles = split_list(args.roles) or list(tokens)
    unknown = [role for role in roles if role not in tokens]
    if unknown:
        die(f"no token for role(s) {', '.join(unknown)} (tokens for: {', '.join(tokens)})")
    peers = split_list(os.environ.get("FUZZ_PEERS"))
    unknown = [peer for peer in peers if peer not in tokens]
    if unknown:
        die(f"FUZZ_PEERS names role(s) without a token: {', '.join(unknown)}")
    if len(peers) == 1:
        die("FUZZ_PEERS needs at least two roles (identities that must not see each other's objects)")

    max_examples = env_int("FUZZ_MAX_EXAMPLES", 20)
    seed = env_int("FUZZ_SEED", 20261202)
    workers = os.environ.get("FUZZ_WORKERS", "1")
    request_timeout = env_float("FUZZ_REQUEST_TIMEOUT", 10)
    wall = env_float("FUZZ_TIMEOUT", 600)
    wait_for_schema = env_float("FUZZ_WAIT_FOR_SCHEMA", 30)
    max_time = os.environ.get("FUZZ_MAX_TIME", "")
    phases = split_list(os.environ.get("FUZZ_PHASES")) or list(PHASES)
    bad = [p for p in phases if p not in PHASES]
    if bad:
        die(f"FUZZ_PHASES: unknown phase(s) {', '.join(bad)} (known: {', '.join(PHASES)})")
    exclude_checks = split_list(os.environ.get("FUZZ_EXCLUDE_CHECKS"))
    fail_on_warnings = split_list(os.environ.get("FUZZ_FAIL_ON_WARNINGS"))
    deterministic = os.environ.get("FUZZ_DETERMINISTIC", "") not in ("", "0", "false")

    report_root = Path(args.report_dir).resolve()
    report_root.mkdir(parents=True, exist_ok=True)
    base_text = BASE_CONFIG.read_text(encoding="utf-8")
    if fail_on_warnings:
        base_text += f"\n[warnings]\nfail-on = {json.dumps(fail_on_warnings)}\n"
    parameters = os.environ.get("FUZZ_PARAMETERS", "")
    if parameters:
        # Fixed values for named parameters (e.g. a real compound's id), so requests reach past the 404s.
        try:
            fixed = json.loads(parameters)
        except json.JSONDecodeError as err:
            die(f"FUZZ_PARAMETERS must be a JSON object of parameter name to value: {err}")
        if not isinstance(fixed, dict) or not all(isinstance(v, (str, int, float, bool)) for v in fixed.values()):
            die('FUZZ_PARAMETERS must be a JSON object of parameter name to value, e.g. {"compoundId": "c1"}')
        base_text += "\n[parameters]\n" + "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in fixed.items())

    # Nothing but loopback: no proxy may carry a request elsewhere.
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "*"
    env.setdefault("LC_ALL", "C.UTF-8")
    env["COLUMNS"] = env.get("COLUMNS", "120")

    results: list[tuple[str, int, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="gongzhi-fuzz-") as tmp_name:
        tmp = Path(tmp_name)
        os.chmod(tmp, 0o700)
        wfc_path = tmp / "auth.json"
        wfc_path.write_text(json.dumps(wfc_document(tokens)), encoding="utf-8")
        os.chmod(wfc_path, 0o600)
        for role in roles:
            out = report_root / role
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            config = tmp / f"{role}.toml"
            config.write_text(run_config(base_text, wfc_path, role, peers), encoding="utf-8")
            cmd = [
                str(ST),
                "--config-file",
                str(config),
                "run",
                schema,
                *target,
                "--checks",
                "all",
                *(["--exclude-checks", ",".join(exclude_checks)] if exclude_checks else []),
                "--phases",
                ",".join(phases),
                "--max-examples",
                str(max_examples),
                "--seed",
                str(seed),
                *(["--generation-deterministic"] if deterministic else []),
                *(["--max-time", max_time] if max_time else []),
                "--workers",
                workers,
                "--request-timeout",
                f"{request_timeout:g}",
                "--wait-for-schema",
                f"{wait_for_schema:g}",
                "--report",
                "junit",
                "--report-dir",
                str(out),
                "--report-junit-path",
                str(out / "junit.xml"),
                "--no-color",
                *args.extra,
            ]
            say(f"role {role}: st run {schema} ({', '.join(phases)}; {max_examples} examples; seed {seed})")
            started = time.monotonic()
            # The working directory is the scratch folder: nothing schemathesis may write lands in the repo.
            rc, _ = run_role(cmd, env, tmp, out / "output.txt", wall)
            elapsed = time.monotonic() - started
            summary = junit_summary(out / "junit.xml")
            results.append((role, rc, elapsed, summary))
            say(f"role {role}: exit {rc} in {elapsed:.1f}s, {summary}; report in {out}")

    failed = [role for role, rc, _, _ in results if rc != 0]
    for role, rc, elapsed, summary in results:
        say(f"  {role:<16} {'ok' if rc == 0 else f'FAILED (exit {rc})':<18} {elapsed:7.1f}s  {summary}")
    print(f"fuzz: {len(results) - len(failed)} passed, {len(failed)} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
