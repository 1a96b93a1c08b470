# syntax=docker/dockerfile:1
#
# One image for every function in lambdas/. Each function picks its handler through the
# image CMD, which Terraform overrides per function (image_config.command), so a release
# is one build and one push however many functions there are.
#
# Build from the repository root, for the architecture the functions run on:
#   docker buildx build --platform linux/amd64 --provenance=false \
#     -f infra/docker/lambdas.Dockerfile -t <account>.dkr.ecr.<region>.amazonaws.com/hasura-core-lambdas:<tag> .

# AWS's Lambda base image for Python 3.11: the runtime interface client and the Python
# minor version are fixed by the tag; AWS republishes the tag with OS patches, and a
# deployment pins the digest of what was pushed (see infra/README.md).
#checkov:skip=CKV_DOCKER_2:A Lambda image: Lambda decides when the function runs and never reads HEALTHCHECK (the runtime API is its health signal).
#checkov:skip=CKV_DOCKER_3:A Lambda image: Lambda runs it as its own unprivileged sandbox user (sbx_user*), never as root, whatever USER says.
FROM public.ecr.aws/lambda/python:3.11

# Dependencies first, from the `lambda` extra of pyproject.toml (the single place versions
# are pinned), so code changes reuse this cached layer.
COPY pyproject.toml /tmp/build/pyproject.toml
RUN python - <<'PY'
import pathlib, tomllib
project = tomllib.loads(pathlib.Path("/tmp/build/pyproject.toml").read_text())["project"]
pathlib.Path("/tmp/build/requirements.txt").write_text("\n".join(project["optional-dependencies"]["lambda"]) + "\n")
PY
RUN pip install --no-cache-dir --requirement /tmp/build/requirements.txt --target "${LAMBDA_TASK_ROOT}" \
    && rm -rf /tmp/build

# The functions, their shared code and common/ (the project's one settings idiom, secret
# reader and error base); nothing else from the repository.
COPY common/ ${LAMBDA_TASK_ROOT}/common/
COPY lambdas/ ${LAMBDA_TASK_ROOT}/lambdas/

# Default handler for a plain `docker run`; every deployed function overrides it.
CMD ["lambdas.pre_token_generation.handler.handler"]
