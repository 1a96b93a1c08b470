"""The local Lambda Invoke API, run for cognito-local and the cron triggers.

It runs the real handlers of ``lambdas/``, each function in its own worker process with
its own environment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from devstack.lambda_runtime.cognito_fidelity import ENDPOINT_ENV
from devstack.lambda_runtime.config import RuntimeConfig
from devstack.services.http import HttpService, python_module_argv
from devstack.settings import StackSettings


class LambdaRuntimeService(HttpService):
    """``uvicorn devstack.lambda_runtime.app`` serving every function under ``lambdas/``.

    ``common_environment`` goes to every function (GraphQL endpoint, moto endpoint,
    admin-secret ARN, ...); ``function_environment`` adds or overrides per function.
    """

    def __init__(
        self,
        settings: StackSettings,
        common_environment: Mapping[str, str] | None = None,
        function_environment: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.config_path = settings.state_dir / "lambda_runtime" / "functions.json"
        super().__init__(
            settings, "lambda-runtime", settings.lambda_port,
            python_module_argv(
                "uvicorn", "devstack.lambda_runtime.app:app_from_environment", "--factory",
                "--host", "127.0.0.1", "--port", str(settings.lambda_port), "--no-access-log",
            ),
            description="AWS Lambda Invoke API (real handlers)",
            env={"LAMBDA_RUNTIME_CONFIG": str(self.config_path),
                 # Where the runtime does what Cognito does around a trigger (cognito_fidelity).
                 ENDPOINT_ENV: f"http://127.0.0.1:{settings.cognito_port}"},
        )
        self.common_environment = dict(common_environment or {})
        self.function_environment = {k: dict(v) for k, v in (function_environment or {}).items()}

    def set_environment(self, common: Mapping[str, str]) -> None:
        """Add variables every function gets (call before :meth:`start`)."""
        self.common_environment.update(common)

    def start(self) -> None:
        """Write the functions' configuration, then start the server."""
        raw = {
            "common_environment": self.common_environment,
            "functions": {k: {"environment": v} for k, v in self.function_environment.items()},
        }
        RuntimeConfig.from_dict(raw)  # fail here on a malformed configuration
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(json.dumps(raw, indent=2))
        self.config_path.chmod(0o600)  # it holds the functions' secrets
        super().start()
