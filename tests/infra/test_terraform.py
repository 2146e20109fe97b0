"""The Terraform parses (python-hcl2), every reference resolves, and what it derives from the
route table agrees with the code: triggers, TTL collections, settings, the URL map's order.

No machine here reaches Google, so ``terraform validate`` and ``apply`` cannot run in CI;
``make checkov`` adds the policy checks (see docs/decisions/050).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from infra.bundle import DEFAULT_OUT
from infra.local.routes import function_for_path, load_table, template_pattern
from shared.config import Settings
from tests.infra.terraform_config import INFRA, is_declared, literal, load

ROOT = INFRA.parent


def test_every_file_parses_and_declares_something() -> None:
    config = load()
    assert len(config.files) >= 8
    assert all(parsed for parsed in config.files.values())
    assert len(config.resources) > 30


def test_every_reference_resolves() -> None:
    config = load()
    unresolved = sorted(
        {f"{f}: {ref}" for f, ref in config.references() if not is_declared(config, ref)}
    )
    assert not unresolved, unresolved


@pytest.mark.parametrize(
    "reference",
    ["var.nope", "local.nope", "data.google_project.nope", "google_pubsub_topic.nope", "module.x"],
)
def test_an_unknown_reference_is_noticed(reference: str) -> None:
    assert not is_declared(load(), reference)


def test_variables_are_typed_and_described_and_outputs_include_the_base_url() -> None:
    config = load()
    for block in config.files["variables.tf"]["variable"]:
        for name, body in block.items():
            assert "type" in body and literal(body.get("description")), name
    assert {"project_id", "region", "name_prefix", "domain"} <= config.variables
    assert {"api_base_url", "load_balancer_ip"} <= config.outputs


def test_checkov_skips_give_a_reason() -> None:
    for path in INFRA.glob("*.tf"):
        for check, reason in re.findall(r"#checkov:skip=(CKV\w+):?(.*)", path.read_text()):
            assert len(reason.strip()) > 15, f"{path.name}: skip of {check} needs a reason"


def test_every_cloudevent_function_is_triggered_by_a_declared_topic() -> None:
    functions, _ = load_table()
    topics = {k: literal(v) for k, v in load().locals["topics"].items()}
    for spec in functions.values():
        if spec.kind != "cloudevent":
            continue
        trigger = spec.extra.get("trigger")
        assert trigger in topics, (
            f'{spec.name}: give it "trigger": one of {sorted(topics)} in infra/routes.json'
        )


def test_topic_names_are_the_settings_defaults() -> None:
    topics = {k: literal(v) for k, v in load().locals["topics"].items()}
    for setting, name in topics.items():
        assert getattr(Settings(), setting) == name, setting


def test_every_environment_variable_is_one_the_code_reads() -> None:
    sources = "".join(p.read_text() for p in (ROOT / "shared").rglob("*.py"))
    sources += "".join(p.read_text() for p in (ROOT / "functions").rglob("*.py"))
    env = load().locals["common_env"]
    names = set(env) | {"VV_STREAM_MAX_SECONDS"}
    for name in names:
        assert f'"{name}"' in sources, f"{name} is set by Terraform but read nowhere"


def test_ttl_policies_cover_every_collection_with_expiring_documents() -> None:
    declared = {literal(c) for c in load().locals["ttl_collections"]}
    for path in (ROOT / "shared" / "adapters").glob("firestore_*.py"):
        text = path.read_text()
        if "TTL" not in text:
            continue
        constants = set(re.findall(r'^[A-Z_]+ = "([a-z_]+)"$', text, flags=re.M))
        assert constants & declared, f"{path.name}: its TTL collection has no TTL policy"


def test_firestore_indexes_file_has_a_shape_terraform_reads() -> None:
    path = INFRA / "firestore.indexes.json"
    if not path.exists():
        assert "fileexists(local.indexes_file)" in str(load().locals["indexes"])
        return
    for index in json.loads(path.read_text())["indexes"]:
        assert index["collectionGroup"] and index.get("queryScope", "COLLECTION")
        for f in index["fields"]:
            kinds = {"order", "arrayConfig", "vectorConfig"} & set(f)
            assert f["fieldPath"] and len(kinds) == 1, f


def test_bundles_are_read_where_infra_bundle_writes_them() -> None:
    assert DEFAULT_OUT == ROOT / "build" / "bundles"
    assert "/../build/bundles/${name}.zip" in load().locals["bundle_zips"]


# The load balancer's URL map (load_balancer.tf) orders its route rules by this key, then
# takes the first rule that matches; literal rules also match with a trailing slash.
ORDER_EXPRESSION = (
    '${[for key in sort([for p in local.endpoint_paths : format("%03d%s", '
    'length(regexall("\\\\{", p)), p)]) : substr(key, 3, -1)]}'
)


def _url_map_function(path: str) -> str | None:
    _, endpoints = load_table()
    owners = {e.path: e.function for e in endpoints}
    for rule in sorted(owners, key=lambda p: f"{p.count('{'):03d}{p}"):
        matched = (
            re.fullmatch(template_pattern(rule).pattern.removesuffix("/?$")[1:], path)
            if "{" in rule
            else path in (rule, rule + "/")
        )
        if matched:
            return owners[rule]
    return None


def _probe_paths() -> set[str]:
    _, endpoints = load_table()
    segments = {s for e in endpoints for s in e.path.split("/") if s and "{" not in s}
    probes = set()
    for e in endpoints:
        if "{" not in e.path:
            probes |= {e.path, e.path + "/"}
            continue
        probes |= {re.sub(r"\{\w+\}", fill, e.path) for fill in {"abc_1", *segments}}
    return probes


def test_url_map_order_is_the_one_emulated_here() -> None:
    assert load().locals["ordered_paths"] == ORDER_EXPRESSION


def test_url_map_routes_every_path_as_the_local_gateway_does() -> None:
    _, endpoints = load_table()
    for path in {e.path for e in endpoints}:
        assert len({e.function for e in endpoints if e.path == path}) == 1, path
    for probe in sorted(_probe_paths()):
        assert _url_map_function(probe) == function_for_path(probe), probe


def test_api_base_url_output_is_under_api_v2() -> None:
    body = load().files["outputs.tf"]["output"][0]['"api_base_url"']
    assert literal(body["value"]).endswith("/api/v2")


def test_cloud_build_deploys_with_project_and_region_substitutions() -> None:
    text = (ROOT / "cloudbuild.yaml").read_text()
    for needed in ("_REGION", "$PROJECT_ID", "_TF_STATE_BUCKET", "_DOMAIN", ".ci/run"):
        assert needed in text, needed
    assert "infra.bundle" in text and "terraform" in text and "apply" in text


def test_every_function_source_folder_exists() -> None:
    functions, _ = load_table()
    for spec in functions.values():
        assert Path(ROOT / spec.source).is_dir(), spec.source


def test_deployed_functions_run_as_production_with_the_secrets_their_code_requires() -> None:
    """Production never falls back to the public development secrets (decision 006): every
    function and the relay get VV_ENVIRONMENT=production, and each function that refuses to
    start without a secret (tests/security/test_startup_secrets.py) is granted it."""
    from tests.security.test_startup_secrets import NEEDS

    config = load()
    assert literal(config.locals["common_env"]["VV_ENVIRONMENT"]) == "production"
    for tf in ("functions.tf", "relay.tf"):
        assert "merge(local.common_env" in (INFRA / tf).read_text(), tf
    variables = {key: literal(s["env"]) for key, s in config.locals["secrets"].items()}
    overrides = config.locals["access_overrides"]
    for function, variable in NEEDS.items():
        granted = {variables[literal(s)] for s in overrides[function].get("secrets", [])}
        assert variable in granted, f"{function} needs {variable}"


def test_iam_is_no_broader_than_the_code_needs() -> None:
    """The relay manages only its own doorbell subscriptions (not the push subscriptions that
    feed the worker and events ingest); the worker, which renders nothing, has no grant on
    the derived bucket; no function holds a project-wide Pub/Sub or Storage role."""
    from shared.adapters.pubsub_doorbell import SUBSCRIPTION_PREFIX

    config = load()
    binding = config.resources["google_project_iam_member.listener_subscriptions"]
    (condition,) = binding["condition"]
    expression = literal(condition["expression"]).replace('\\"', '"')
    assert expression == (
        f'resource.name.startsWith("projects/${{var.project_id}}/subscriptions/{SUBSCRIPTION_PREFIX}")'
    )

    worker = config.locals["access_overrides"]["processing_worker"]
    assert set(worker["buckets"]) == {"media"}
    assert literal(worker["buckets"]["media"]) == "roles/storage.objectViewer"
    worker_code = [
        ROOT / "functions/processing_worker",
        *(ROOT / "shared/services").glob("processing*.py"),
    ]
    for path in worker_code:
        for source in [path] if path.is_file() else path.rglob("*.py"):
            assert "derived" not in source.read_text(), source

    for name, body in config.resources.items():
        if name.startswith("google_project_iam_member."):
            role = literal(body["role"]) if isinstance(body["role"], str) else ""
            assert not role.startswith(("roles/pubsub", "roles/storage")), name
