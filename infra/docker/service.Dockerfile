# syntax=docker/dockerfile:1
#
# One image for the two HTTP services Hasura calls: the action service (actions/) and the
# event/cron trigger handlers (triggers/). Both are Starlette apps served on Lambda through
# Mangum; they share dependencies and settings code, so one build serves both functions,
# each selecting its handler through image_config.command in Terraform.
#
# Build from the repository root, for the architecture the functions run on:
#   docker buildx build --platform linux/amd64 --provenance=false \
#     -f infra/docker/service.Dockerfile -t <account>.dkr.ecr.<region>.amazonaws.com/hasura-core-service:<tag> .

# AWS's Lambda base image for Python 3.11 (see lambdas.Dockerfile for the pinning policy).
#checkov:skip=CKV_DOCKER_2:A Lambda image: Lambda decides when the function runs and never reads HEALTHCHECK (the runtime API is its health signal).
#checkov:skip=CKV_DOCKER_3:A Lambda image: Lambda runs it as its own unprivileged sandbox user (sbx_user*), never as root, whatever USER says.
FROM public.ecr.aws/lambda/python:3.11

# Dependencies first, from the runtime dependencies of pyproject.toml (the single place
# versions are pinned), so code changes reuse this cached layer.
COPY pyproject.toml /tmp/build/pyproject.toml
RUN python - <<'PY'
import pathlib, tomllib
project = tomllib.loads(pathlib.Path("/tmp/build/pyproject.toml").read_text())["project"]
pathlib.Path("/tmp/build/requirements.txt").write_text("\n".join(project["dependencies"]) + "\n")
PY
RUN pip install --no-cache-dir --requirement /tmp/build/requirements.txt --target "${LAMBDA_TASK_ROOT}" \
    && rm -rf /tmp/build

# The two services, the timeline (seed 004) and auction (seed 003) packages they share,
# common/ (the project's one error base, settings and secret reader) and lambdas/shared/
# (the auction queue message shapes); nothing else.
COPY common/ ${LAMBDA_TASK_ROOT}/common/
COPY actions/ ${LAMBDA_TASK_ROOT}/actions/
COPY triggers/ ${LAMBDA_TASK_ROOT}/triggers/
COPY timeline/ ${LAMBDA_TASK_ROOT}/timeline/
COPY auctions/ ${LAMBDA_TASK_ROOT}/auctions/
# The credit-history service (Athena), the same image with its own handler.
COPY credit_history/ ${LAMBDA_TASK_ROOT}/credit_history/
# The daily price archive the trigger service runs.
COPY price_archive/ ${LAMBDA_TASK_ROOT}/price_archive/
COPY lambdas/__init__.py ${LAMBDA_TASK_ROOT}/lambdas/__init__.py
COPY lambdas/shared/ ${LAMBDA_TASK_ROOT}/lambdas/shared/

# The action service by default; the trigger function overrides this with
# triggers.lambda_handler.handler.
CMD ["actions.lambda_handler.handler"]
