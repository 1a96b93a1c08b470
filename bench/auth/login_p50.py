"""Login latency: through the engine (action → Cognito → triggers → token) vs bare InitiateAuth.

Starts the whole local stack (the same entries as ``devstack up``) in a temporary state
folder on free ports, signs one user up, then times, in one run and interleaved:

* ``engine``: the ``login`` mutation over HTTP to the engine (engine → action service →
  cognito-local → PostAuthentication + PreTokenGeneration Lambdas → token);
* ``action``: the same call posted straight to the action service, as the engine posts it
  (Hasura's action body and the shared secret): no engine;
* ``cognito``: boto3 ``InitiateAuth`` straight to the same cognito-local (the same Lambdas);
* ``cognito_no_triggers``: ``InitiateAuth`` on a second cognito-local without triggers.

The breakdown of the engine's overhead over a bare ``InitiateAuth`` (p50 differences, and
the median of the differences within each round, steadier under load):
``engine - action`` is what the engine adds (GraphQL, the HTTP hop to the action service),
``action - cognito`` what the action service adds (its HTTP server, validation, the rate
limiter's Redis calls, boto3 in a worker thread).

Writes ``bench/results/auth_login.json`` and prints it. Usage::

    .venv/bin/python -m bench.auth.login_p50 [--logins 60]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from devstack import compose
from devstack.paths import REPO_ROOT
from devstack.ports import free_port
from devstack.services.cognito import CognitoLocal, CognitoService
from devstack.settings import StackSettings
from devstack.stack import Step, running_services, stop_all

CODE = "135790"
PASSWORD = "Bench-Passw0rd"  # noqa: S105 - a throwaway user in a throwaway pool
LOGIN = """mutation($e: String!, $p: String!) {
  login(email: $e, password: $p) { id_token expires_in } }"""


def _settings(state: Path) -> StackSettings:
    return dataclasses.replace(
        StackSettings.load(), state_dir=state, database_url=None, pg_port=free_port(),
        redis_port=free_port(), engine_port=free_port(), actions_port=free_port(),
        triggers_port=free_port(), cognito_port=free_port(), moto_port=free_port(),
        lambda_port=free_port())


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1] * 1000, 2),
        "min_ms": round(ordered[0] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def run(logins: int) -> dict[str, Any]:
    """Start the stack, measure, stop everything this run started; return the results."""
    os.environ["COGNITO_LOCAL_FIXED_CODE"] = CODE
    os.environ["RATE_LIMIT_ATTEMPTS"] = "1000000"  # the bench logs one user in many times
    os.environ.pop("HASURA_GRAPHQL_JWT_SECRET", None)
    with tempfile.TemporaryDirectory(prefix="bench-auth-") as tmp:
        state = Path(tmp)
        state.chmod(0o755)
        settings = _settings(state)
        entries = compose.build(settings)
        bare: CognitoLocal | None = None
        try:
            for entry in entries:
                entry.run() if isinstance(entry, Step) else entry.start()
            cognito = next(e for e in entries if isinstance(e, CognitoService))
            assert cognito.pool is not None
            bare = CognitoLocal(state / "bare-cognito", free_port(), "http://127.0.0.1:9",
                                state / "bare.log", state / "bare.pid", CODE, triggers={})
            bare.start()
            return _measure(settings, cognito, bare, logins)
        finally:
            if bare is not None:
                bare.stop()
            stop_all(settings, list(reversed(compose.service_names(settings))))
            assert not running_services(settings)


def _measure(settings: StackSettings, cognito: CognitoService, bare: CognitoLocal,
             logins: int) -> dict[str, Any]:
    pool = cognito.pool
    assert pool is not None
    email = f"bench-{int(time.time())}@example.com"
    http = httpx.Client(base_url=f"http://127.0.0.1:{settings.engine_port}", timeout=30)

    def gql(query: str, variables: dict[str, str]) -> Any:
        answer = http.post("/v1/graphql", json={"query": query, "variables": variables}).json()
        if "errors" in answer:
            raise RuntimeError(answer["errors"])
        return answer

    gql("mutation($e: String!, $p: String!) { signup(email: $e, password: $p, name: \"B\") "
        "{ user_id } }", {"e": email, "p": PASSWORD})
    gql("mutation($e: String!, $c: String!) { confirmSignup(email: $e, code: $c) { ok } }",
        {"e": email, "c": CODE})
    idp = cognito.server.client()
    bare_idp = bare.client()
    bare_pool = bare.ensure_pool()
    bare_idp.sign_up(ClientId=bare_pool.client_id, Username=email, Password=PASSWORD,
                     UserAttributes=[{"Name": "email", "Value": email}])
    bare_idp.confirm_sign_up(ClientId=bare_pool.client_id, Username=email,
                             ConfirmationCode=CODE)

    def engine_login() -> None:
        gql(LOGIN, {"e": email, "p": PASSWORD})

    actions = httpx.Client(base_url=f"http://127.0.0.1:{settings.actions_port}", timeout=30)
    action_body = json.dumps({
        "action": {"name": "login"}, "input": {"email": email, "password": PASSWORD},
        "session_variables": {"x-hasura-role": "anonymous"}, "request_query": LOGIN})

    def action_login() -> None:
        answer = actions.post("/login", content=action_body, headers={
            "content-type": "application/json",
            "x-action-secret": settings.action_shared_secret})
        if answer.status_code != 200:
            raise RuntimeError(answer.text)

    def cognito_login() -> None:
        idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})

    def bare_login() -> None:
        bare_idp.initiate_auth(ClientId=bare_pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})

    calls = {"engine": engine_login, "action": action_login, "cognito": cognito_login,
             "cognito_no_triggers": bare_login}
    for _ in range(5):  # warm the workers, connection pools and caches
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for index in range(logins):  # interleaved, so drift affects all alike
        for name, call in calls.items():
            samples[name].append(_timed(call))
        if (index + 1) % 10 == 0:
            print(f"  {index + 1}/{logins} logins of each kind", flush=True)
    http.close()
    actions.close()
    results = {name: _summary(values) for name, values in samples.items()}
    p50 = {name: result["p50_ms"] for name, result in results.items()}

    def paired(slower: str, faster: str) -> float:
        """Median of the per-round differences: the rounds share the machine's load."""
        return round(statistics.median(
            a - b for a, b in zip(samples[slower], samples[faster], strict=True)) * 1000, 2)

    return {
        "what": "login p50: engine login mutation vs bare cognito-local InitiateAuth",
        "logins": logins,
        "machine_cores": os.cpu_count(),
        "results": results,
        "load_average": os.getloadavg(),
        "engine_overhead_p50_ms": round(p50["engine"] - p50["cognito"], 2),
        "breakdown_p50_ms": {
            "engine (engine - action)": round(p50["engine"] - p50["action"], 2),
            "action service (action - cognito)": round(p50["action"] - p50["cognito"], 2),
            "cognito triggers (cognito - cognito_no_triggers)": round(
                p50["cognito"] - p50["cognito_no_triggers"], 2),
        },
        # The same differences taken within each round (one login of each kind, back to
        # back), then the median: steadier than a difference of p50s on a loaded machine.
        "engine_overhead_paired_median_ms": paired("engine", "cognito"),
        "breakdown_paired_median_ms": {
            "engine (engine - action)": paired("engine", "action"),
            "action service (action - cognito)": paired("action", "cognito"),
            "cognito triggers (cognito - cognito_no_triggers)": paired(
                "cognito", "cognito_no_triggers"),
        },
    }


def main() -> None:
    """Run and write ``bench/results/auth_login.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=60)
    args = parser.parse_args()
    results = run(args.logins)
    out = REPO_ROOT / "bench" / "results" / "auth_login.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
