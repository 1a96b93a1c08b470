from __future__ import annotations

from pathlib import Path

import pytest

from devstack.hasura_project import actions_sdl, metadata_dir
from devstack.paths import HASURA_DIR
from tests.hasura.project_copy import copy_project

ACTIONS_GRAPHQL = '''type Mutation {
  """
  Sign in with email and password
  """
  login(
    args: LoginInput!
  ): LoginOutput
}

type Query {
  me: Me
}

input LoginInput {
  email: String!
  password: String!
}

type LoginOutput {
  id_token: String!
  user_id: String!
}

type Me {
  id: String!
}

enum Plan {
  FREE
  PRO
}

scalar timestamptz
'''

ACTIONS_YAML = """actions:
  - name: login
    definition:
      kind: synchronous
      handler: '{{ACTIONS_BASE_URL}}/login'
      forward_client_headers: false
      headers:
        - name: X-Action-Secret
          value_from_env: ACTION_SHARED_SECRET
    permissions:
      - role: anonymous
    comment: Sign in
  - name: me
    definition:
      kind: ''
      handler: '{{ACTIONS_BASE_URL}}/me'
      type: query
custom_types:
  enums:
    - name: Plan
  input_objects:
    - name: LoginInput
  objects:
    - name: LoginOutput
      relationships:
        - name: user
          type: object
          source: default
          remote_table:
            name: users
            schema: public
          field_mapping:
            user_id: id
    - name: Me
  scalars:
    - name: timestamptz
"""


def test_metadata_dir_reads_the_project_into_replace_metadata_json() -> None:
    """Metadata dir reads the project into replace metadata json.

    GIVEN the repository's metadata folder WHEN read THEN every table file is included under the
    default source and each part knows its file.
    """
    document = metadata_dir.read(HASURA_DIR)

    metadata = document.metadata
    assert metadata["version"] == 3
    [source] = metadata["sources"]
    assert source["configuration"]["connection_info"]["database_url"] == {
        "from_env": "HASURA_GRAPHQL_DATABASE_URL"
    }
    names = [t["table"]["name"] for t in source["tables"]]
    assert "users" in names
    assert "crypto_prices" in names
    index = names.index("users")
    file, inner = document.locate(("sources", 0, "tables", index, "select_permissions", 0))
    assert file.name == "public_users.yaml"
    assert inner == ("select_permissions", 0)


def test_metadata_dir_accepts_bare_include_tags(tmp_path: Path) -> None:
    """GIVEN tables.yaml written with bare !include tags WHEN read THEN they resolve too."""
    project = copy_project(tmp_path)
    tables = project / "metadata" / "databases" / "default" / "tables" / "tables.yaml"
    bare = tables.read_text().replace('"!include ', "!include ").replace('.yaml"', ".yaml")
    tables.write_text(bare)

    metadata = metadata_dir.read(project).metadata

    assert all(isinstance(t, dict) for t in metadata["sources"][0]["tables"])


def test_metadata_dir_reports_a_dangling_include_with_its_file(tmp_path: Path) -> None:
    """GIVEN tables.yaml naming a file that does not exist WHEN read THEN the error names both."""
    project = copy_project(tmp_path)
    tables = project / "metadata" / "databases" / "default" / "tables" / "tables.yaml"
    tables.write_text(tables.read_text() + '- "!include public_nope.yaml"\n')

    with pytest.raises(metadata_dir.MetadataDirError, match=r"public_nope\.yaml: file not found "
                       r"\(included from .*tables\.yaml\)"):
        metadata_dir.read(project)


def test_actions_sdl_merges_graphql_signatures_with_yaml_handlers() -> None:
    """Actions sdl merges graphql signatures with yaml handlers.

    GIVEN actions.graphql and actions.yaml WHEN merged THEN each action has its handler from YAML
    and its arguments/output type from SDL, and custom types carry fields and relationships.
    """
    import yaml

    actions, types = actions_sdl.merge(ACTIONS_GRAPHQL, yaml.safe_load(ACTIONS_YAML))

    login = next(a for a in actions if a["name"] == "login")
    assert login["definition"]["handler"] == "{{ACTIONS_BASE_URL}}/login"
    assert login["definition"]["type"] == "mutation"
    assert login["definition"]["arguments"] == [{"name": "args", "type": "LoginInput!"}]
    assert login["definition"]["output_type"] == "LoginOutput"
    assert login["comment"] == "Sign in"
    me = next(a for a in actions if a["name"] == "me")
    assert (me["definition"]["type"], me["definition"]["arguments"]) == ("query", [])
    login_output = next(o for o in types["objects"] if o["name"] == "LoginOutput")
    assert login_output["fields"] == [
        {"name": "id_token", "type": "String!"}, {"name": "user_id", "type": "String!"}
    ]
    assert login_output["relationships"][0]["remote_table"]["name"] == "users"
    assert types["enums"] == [{"name": "Plan", "values": [{"value": "FREE"}, {"value": "PRO"}]}]
    assert types["scalars"] == [{"name": "timestamptz"}]


def test_actions_sdl_split_then_merge_round_trips() -> None:
    """GIVEN merged actions JSON WHEN split into SDL + YAML and merged again THEN it is equal."""
    import yaml

    actions, types = actions_sdl.merge(ACTIONS_GRAPHQL, yaml.safe_load(ACTIONS_YAML))

    sdl, actions_yaml = actions_sdl.split(actions, types)

    assert actions_sdl.merge(sdl, actions_yaml) == (actions, types)


def test_actions_sdl_rejects_an_action_without_handler() -> None:
    """GIVEN an action in actions.graphql missing from actions.yaml WHEN merged THEN it says so."""
    with pytest.raises(actions_sdl.ActionsSdlError, match=r"signup.*not in actions\.yaml"):
        actions_sdl.merge("type Mutation { signup(email: String!): Boolean }", {"actions": []})


def test_metadata_dir_write_then_read_round_trips(tmp_path: Path) -> None:
    """Metadata dir write then read round trips.

    GIVEN metadata JSON with tables, actions and cron triggers WHEN written in the directory format
    and read back THEN the JSON is the same, and a dropped table's file is removed.
    """
    import yaml

    project = copy_project(tmp_path)
    original = metadata_dir.read(HASURA_DIR).metadata
    actions, types = actions_sdl.merge(ACTIONS_GRAPHQL, yaml.safe_load(ACTIONS_YAML))
    original = {**original, "actions": actions, "custom_types": types, "cron_triggers": [{
        "name": "prices", "webhook": "{{TRIGGERS_BASE_URL}}/prices", "schedule": "* * * * *",
        "include_in_metadata": True, "payload": {}, "comment": "Every minute",
    }]}
    tables = original["sources"][0]["tables"]
    shrunk = {**original, "sources": [{**original["sources"][0], "tables": tables[1:]}]}

    metadata_dir.write(project, original)
    assert metadata_dir.normalise(metadata_dir.read(project).metadata) == (
        metadata_dir.normalise(original)
    )
    metadata_dir.write(project, shrunk)
    tables_dir = project / "metadata" / "databases" / "default" / "tables"
    dropped = tables[0]["table"]

    assert metadata_dir.normalise(metadata_dir.read(project).metadata) == (
        metadata_dir.normalise(shrunk)
    )
    assert not (tables_dir / f"{dropped['schema']}_{dropped['name']}.yaml").exists()
    assert '"!include' in (project / "metadata" / "databases" / "databases.yaml").read_text() or (
        "'!include" in (project / "metadata" / "databases" / "databases.yaml").read_text()
    )
