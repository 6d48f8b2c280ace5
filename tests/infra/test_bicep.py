"""infra/: what can be checked of the Bicep without a Bicep compiler (none installs from PyPI, npm or Debian here).

Every file parses with a Bicep grammar (pycep-parser); modules exist, get the parameters they declare and expose
the outputs used; interpolations name declared symbols; the resources, API versions, the Flex Consumption plan,
the Key Vault references, the roles and the app settings are the ones the app needs (README, interface §1,
shared/settings.py). Not checked: Azure's resource schemas, type checking, the Bicep linter, and deployment itself
(docs/deploy.md lists it all).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from shared import settings as app_settings
from tests.infra import bicep
from tests.infra.bicep import INFRA, MAIN, REPO

FUNCTION = INFRA / "modules" / "function.bicep"
KEYVAULT = INFRA / "modules" / "keyvault.bicep"
ROLES = INFRA / "modules" / "roles.bicep"
STORAGE = INFRA / "modules" / "storage.bicep"
PARAMETERS = INFRA / "main.parameters.json"
INTERFACE = REPO / "docs" / "interface.md"

# The API version of every resource type the template deploys (one version per type across the files).
API_VERSIONS = {
    "Microsoft.Resources/resourceGroups": "2024-03-01",
    "Microsoft.ManagedIdentity/userAssignedIdentities": "2023-01-31",
    "Microsoft.OperationalInsights/workspaces": "2023-09-01",
    "Microsoft.Insights/components": "2020-02-02",
    "Microsoft.Storage/storageAccounts": "2023-05-01",
    "Microsoft.Storage/storageAccounts/blobServices": "2023-05-01",
    "Microsoft.Storage/storageAccounts/blobServices/containers": "2023-05-01",
    "Microsoft.KeyVault/vaults": "2023-07-01",
    "Microsoft.KeyVault/vaults/secrets": "2023-07-01",
    "Microsoft.Authorization/roleAssignments": "2022-04-01",
    "Microsoft.Web/serverfarms": "2024-04-01",
    "Microsoft.Web/sites": "2024-04-01",
    "Microsoft.Web/sites/config": "2024-04-01",
    "Microsoft.Insights/actionGroups": "2023-01-01",
    "Microsoft.Insights/scheduledQueryRules": "2023-12-01",
    "Microsoft.Insights/workbooks": "2023-06-01",
}

# Built-in role definition ids (Azure's documentation lists them; the same in every subscription).
ROLE_IDS = {
    "storageBlobDataOwner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "storageTableDataContributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "storageQueueDataContributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "keyVaultSecretsUser": "4633458b-17de-408a-b874-0445c86b69e6",
    "keyVaultSecretsOfficer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "monitoringMetricsPublisher": "3913510d-42f4-4e42-8a64-420c390055eb",
}

# App settings the Flex Consumption plan deprecates (functionAppConfig carries them) or does not support.
FLEX_DEPRECATED = {
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_EXTENSION_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE",
    "WEBSITE_CONTENTSHARE",
    "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "SCM_DO_BUILD_DURING_DEPLOYMENT",
    "ENABLE_ORYX_BUILD",
    "WEBSITE_NODE_DEFAULT_VERSION",
    "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
    "WEBSITE_TIME_ZONE",
    "TZ",
}

# Settings whose value is a secret: in Azure each is a Key Vault reference, never a value.
SECRET_SETTINGS = {"AzureWebJobsStorage", "INTERCOM_ACCESS_TOKEN", "CURSOR_SECRET"}
KV_REFERENCE = re.compile(r"^@Microsoft\.KeyVault\(SecretUri=\$\{secretUriPrefix\}.+/\)$")
# Built-in Bicep functions used inside `${...}`.
FUNCTIONS_IN_STRINGS = {"environment", "toLower", "trim", "split", "take", "uniqueString", "subscription"}


def test_infra_has_the_expected_files() -> None:
    names = {path.relative_to(INFRA).as_posix() for path in bicep.BICEP_FILES}
    assert names == {
        "main.bicep",
        "modules/identity.bicep",
        "modules/monitoring.bicep",
        "modules/storage.bicep",
        "modules/keyvault.bicep",
        "modules/roles.bicep",
        "modules/function.bicep",
        "modules/alerts.bicep",
        "modules/workbook.bicep",
    }


@pytest.mark.parametrize("path", bicep.BICEP_FILES, ids=lambda p: p.relative_to(INFRA).as_posix())
def test_bicep_file_parses(path: Path) -> None:
    """A syntax error (unbalanced braces, a bad token, an unterminated string) fails the Bicep grammar."""
    document = bicep.parse(path)
    assert document.get("resources") or document.get("modules")


def test_the_grammar_refuses_broken_bicep() -> None:
    """The parser used above is not a rubber stamp."""
    broken = bicep.text(STORAGE).replace("properties: {\n        publicAccess: 'None'\n      }", "properties: {")
    assert broken != bicep.text(STORAGE)
    with pytest.raises(Exception, match=r"(?i)unexpected"):
        bicep._parser().parse(text=broken)


def test_main_targets_the_subscription_and_creates_the_resource_group() -> None:
    document = bicep.parse(MAIN)
    assert document["globals"]["scope"]["value"] == "subscription"
    assert [r["type"] for r in document["resources"].values()] == ["Microsoft.Resources/resourceGroups"]
    for name, module in bicep.modules().items():
        assert module["config"]["scope"] == "rg", name


def test_modules_exist_get_their_parameters_and_expose_the_outputs_used() -> None:
    used_outputs: dict[str, set[str]] = {}
    for node in bicep.walk(bicep.parse(MAIN)):
        chain = bicep.accessor(node)
        if chain and len(chain) >= 3 and chain[1] == "outputs":
            used_outputs.setdefault(chain[0], set()).add(chain[2])
    targets = set()
    for name, module in bicep.modules().items():
        target = bicep.module_path(module)
        assert target.exists(), f"module {name}: {target} is missing"
        targets.add(target)
        declared = bicep.parse(target).get("parameters", {})
        given = set(module["config"]["params"])
        assert given <= set(declared), f"module {name} gets unknown parameters {sorted(given - set(declared))}"
        required = {p for p, spec in declared.items() if spec.get("default") is None and "?" not in spec["type"]}
        assert required <= given, f"module {name} misses required parameters {sorted(required - given)}"
        outputs = set(bicep.parse(target).get("outputs", {}))
        missing = used_outputs.get(name, set()) - outputs
        assert not missing, f"main.bicep reads outputs {sorted(missing)} that module {name} does not have"
    assert targets == {p.resolve() for p in bicep.BICEP_FILES if p != MAIN}, "a module file is not used"


@pytest.mark.parametrize("path", bicep.BICEP_FILES, ids=lambda p: p.relative_to(INFRA).as_posix())
def test_interpolations_name_declared_symbols(path: Path) -> None:
    unknown = bicep.interpolated_names(path) - bicep.declared_symbols(path) - FUNCTIONS_IN_STRINGS
    assert not unknown, f"{path.name}: ${{...}} names undeclared {sorted(unknown)}"


def test_resource_types_and_api_versions() -> None:
    seen: dict[str, set[str]] = {}
    for path in bicep.BICEP_FILES:
        for resource in bicep.resources(path).values():
            seen.setdefault(resource["type"], set()).add(resource["api_version"])
    assert {kind: sorted(versions) for kind, versions in seen.items()} == {
        kind: [version] for kind, version in API_VERSIONS.items()
    }
    for version in API_VERSIONS.values():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", version), "a GA (non-preview) API version"


def test_flex_consumption_plan_fc1() -> None:
    plans = bicep.resources_of_type(FUNCTION, "Microsoft.Web/serverfarms")
    assert len(plans) == 1
    plan = bicep.body(next(iter(plans.values())))
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan["properties"]["reserved"] is True  # Linux


def test_function_app_python_311_on_flex() -> None:
    site = bicep.body(bicep.resources(FUNCTION)["site"])
    assert site["kind"] == "functionapp,linux"
    config = site["properties"]["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    storage = config["deployment"]["storage"]
    assert storage["type"] == "blobContainer"
    assert storage["value"] == "${storageBlobEndpoint}${deploymentContainerName}"
    assert storage["authentication"] == {
        "type": "UserAssignedIdentity",
        "userAssignedIdentityResourceId": "identityId",
    }
    assert set(config["scaleAndConcurrency"]) == {"maximumInstanceCount", "instanceMemoryMB"}
    assert site["properties"]["httpsOnly"] is True
    assert set(site["properties"]["siteConfig"]) <= {"minTlsVersion", "http20Enabled"}, "no appSettings/linuxFxVersion"
    for path in (MAIN, FUNCTION):
        memory = bicep.parse(path)["parameters"]["instanceMemoryMB"]
        assert set(bicep.decorator(memory, "allowed")) <= {512, 2048, 4096}
        assert memory["default"] == 2048
        count = bicep.parse(path)["parameters"]["maximumInstanceCount"]
        assert bicep.decorator(count, "min_value") >= 40
        assert bicep.decorator(count, "max_value") <= 1000


def test_deployment_container_is_created_in_the_storage_account() -> None:
    container = bicep.resources(STORAGE)["storage__blobServices__deploymentContainer"]
    assert bicep.body(container)["name"] == "deploymentContainerName"
    assert bicep.body(container)["properties"]["publicAccess"] == "None"
    main_params = bicep.modules()["storage"]["config"]["params"]
    api_params = bicep.modules()["api"]["config"]["params"]
    assert main_params["deploymentContainerName"] == api_params["deploymentContainerName"] == "deploymentContainerName"


def _app_settings() -> dict[str, Any]:
    """The app settings the template writes, by name (dynamic ones excluded): main.bicep's connectorSettings and
    the objects function.bicep unions into appSettings."""
    union = bicep.variable(FUNCTION, "appSettings")["function"]
    assert union["type"] == "union"
    parts = list(union["parameters"].values())
    assert parts == [
        "connectorSettings",
        "platformSettings",
        "secretSettings",
        "connectionTokenSettings",
        "connectionBaseUrlSettings",
        "cursorSettings",
        "clientSecretSettings",
    ]
    assert bicep.modules()["api"]["config"]["params"]["connectorSettings"] == "connectorSettings"
    settings: dict[str, Any] = dict(bicep.variable(MAIN, "connectorSettings"))
    for name in ("platformSettings", "secretSettings", "cursorSecretSettings"):
        settings.update(bicep.variable(FUNCTION, name))
    return settings


def test_site_writes_the_app_settings() -> None:
    settings = bicep.body(bicep.resources(FUNCTION)["site__settings"])
    assert settings["name"] == "appsettings"
    assert settings["properties"] == "appSettings"


def _documented_settings(markdown: str) -> set[str]:
    """The names in the first column of a markdown table headed `| name | default | meaning |`."""
    names: set[str] = set()
    in_table = False
    for line in markdown.splitlines():
        if line.startswith("| name | default | meaning |"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if in_table and not line.startswith("|---"):
            names |= set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", line.split("|")[1]))
    return names


def test_every_documented_setting_is_an_app_setting() -> None:
    documented = _documented_settings((REPO / "README.md").read_text()) | _documented_settings(INTERFACE.read_text())
    assert {"INTERCOM_ACCESS_TOKEN", "THROTTLE_CALLS", "TRIGGER_START", "MAX_BODY_BYTES"} <= documented
    # INTERCOM_CLIENT_SECRET is set only for the connections named in intercomWebhookConnections (checked below).
    missing = documented - set(_app_settings()) - {"INTERCOM_CLIENT_SECRET"}
    assert not missing, f"documented settings the template does not set: {sorted(missing)}"


def test_webhook_connections_read_their_client_secrets_from_key_vault() -> None:
    secrets = bicep.variable(FUNCTION, "clientSecretSettings")["function"]
    assert secrets["type"] == "toObject"
    assert secrets["parameters"]["arg_1"] == "webhookNames"
    key, value = secrets["parameters"]["arg_2"]["detail"], secrets["parameters"]["arg_3"]["detail"]
    # shared/settings.py: connection default reads INTERCOM_CLIENT_SECRET, connection N INTERCOM_CLIENT_SECRET__N.
    choice = key["expression"]["operator"]
    assert choice["type"] == "conditional"
    condition = choice["operands"]["condition"]["operator"]
    assert condition["type"] == "equals"
    assert condition["operands"]["operand_2"] == "default"
    assert choice["operands"]["true_value"] == "INTERCOM_CLIENT_SECRET"
    assert choice["operands"]["false_value"] == f"INTERCOM_CLIENT_SECRET__${{{key['var_1']}}}"
    assert KV_REFERENCE.match(value["expression"])
    assert "intercom-client-secret-${toLower(" in value["expression"]
    assert bicep.modules()["api"]["config"]["params"]["intercomWebhookConnections"] == "intercomWebhookConnections"
    assert bicep.parse(MAIN)["parameters"]["intercomWebhookConnections"]["default"] == ""


def test_extra_connections_read_their_tokens_from_key_vault() -> None:
    tokens = bicep.variable(FUNCTION, "connectionTokenSettings")["function"]
    assert tokens["type"] == "toObject"
    assert tokens["parameters"]["arg_1"] == "connectionNames"
    key, value = tokens["parameters"]["arg_2"]["detail"], tokens["parameters"]["arg_3"]["detail"]
    # shared/settings.py: connection N reads INTERCOM_ACCESS_TOKEN__N and INTERCOM_BASE_URL__N.
    assert key["expression"] == f"INTERCOM_ACCESS_TOKEN__${{{key['var_1']}}}"
    assert KV_REFERENCE.match(value["expression"])
    assert "intercom-token-${toLower(" in value["expression"]
    urls = bicep.variable(FUNCTION, "connectionBaseUrlSettings")["function"]
    assert urls["parameters"]["arg_2"]["detail"]["expression"].startswith("INTERCOM_BASE_URL__${")
    joined = bicep.variable(FUNCTION, "platformSettings")["INTERCOM_CONNECTIONS"]["function"]
    assert joined == {"type": "join", "parameters": {"input_array": "connectionNames", "delimiter": ","}}


def test_secret_settings_are_key_vault_references() -> None:
    settings = _app_settings()
    for name in SECRET_SETTINGS:
        assert KV_REFERENCE.match(settings[name]), f"{name} = {settings[name]!r}"
    assert settings["INTERCOM_ACCESS_TOKEN"].endswith("intercom-token-default/)")
    assert bicep.variable(FUNCTION, "secretUriPrefix") == "${keyVaultUri}secrets/"
    assert bicep.accessor(bicep.modules()["api"]["config"]["params"]["keyVaultUri"]) == ["keyVault", "outputs", "uri"]
    uri = bicep.parse(KEYVAULT)["outputs"]["uri"]["value"]
    assert bicep.accessor(uri) == ["vault", "properties", "vaultUri"]
    site = bicep.body(bicep.resources(FUNCTION)["site"])
    assert site["properties"]["keyVaultReferenceIdentity"] == "identityId"


def test_no_deprecated_or_loopback_settings() -> None:
    settings = _app_settings()
    assert not FLEX_DEPRECATED & set(settings)
    assert settings["WEBHOOK_ALLOW_LOOPBACK"] == "false"


def test_defaults_are_the_codes_defaults() -> None:
    defaults = bicep.variable(MAIN, "settingDefaults")
    code = app_settings.Settings(connections={}, storage_connection_string=SecretStr(""))
    assert defaults == {
        "INTERCOM_BASE_URL": app_settings.DEFAULT_BASE_URL,
        "INTERCOM_API_VERSION": app_settings.DEFAULT_API_VERSION,
        "THROTTLE_CALLS": str(code.throttle_calls),
        "THROTTLE_PERIOD_SECONDS": f"{code.throttle_period_seconds:g}",
        "POLL_SCHEDULE": app_settings.DEFAULT_POLL_SCHEDULE,
        "TRIGGER_START": "now",
        "POLL_LOOKBACK_SECONDS": str(code.poll_lookback_seconds),
        "EVENT_RETENTION_DAYS": f"{code.event_retention_days:g}",
        "MAX_BODY_BYTES": str(code.max_body_bytes),
    }
    assert defaults["INTERCOM_API_VERSION"] == "2.16"
    assert (defaults["THROTTLE_CALLS"], defaults["THROTTLE_PERIOD_SECONDS"]) == ("100", "60")
    # Each setting falls back to its default when its parameter is empty (azd passes unset variables as '').
    for name, value in bicep.variable(MAIN, "connectorSettings").items():
        if name not in defaults:
            continue
        operands = value["operator"]["operands"]
        parameter = operands["false_value"]
        assert operands["condition"] == {"function": {"type": "empty", "parameters": {"item_to_test": parameter}}}
        assert bicep.accessor(operands["true_value"]) == ["settingDefaults", name]
        assert bicep.parse(MAIN)["parameters"][parameter]["default"] == ""


def test_the_app_accepts_the_deployed_settings() -> None:
    """The settings as deployed (Key Vault references standing for their secrets) pass the app's validation."""
    env = {name: value for name, value in bicep.variable(MAIN, "settingDefaults").items()}
    env |= {"WEBHOOK_ALLOW_LOOPBACK": "false", "INTERCOM_CONNECTIONS": ""}
    env |= {"AzureWebJobsStorage": "UseDevelopmentStorage=true", "INTERCOM_ACCESS_TOKEN": "token-from-key-vault"}
    loaded = app_settings.load_settings(env)
    assert loaded.throttle_calls == 100
    assert list(loaded.connections) == ["default"]


def test_key_vault_uses_rbac_and_holds_only_the_storage_connection_string() -> None:
    vault = bicep.body(bicep.resources(KEYVAULT)["vault"])["properties"]
    assert vault["enableRbacAuthorization"] is True
    assert "accessPolicies" not in vault
    assert vault["enablePurgeProtection"]["operator"]["operands"]["false_value"] is None, "never false"
    secrets = bicep.resources_of_type(KEYVAULT, "Microsoft.KeyVault/vaults/secrets")
    assert [bicep.body(s)["name"] for s in secrets.values()] == ["storageConnectionSecretName"]
    assert bicep.variable(KEYVAULT, "storageConnectionSecretName") == "storage-connection-string"
    value = bicep.body(secrets["storageConnectionSecret"])["properties"]["value"]
    assert value.startswith(
        "DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys()"
    )
    storage = bicep.body(bicep.resources(STORAGE)["storage"])["properties"]
    assert storage["allowSharedKeyAccess"] is True, "the app's table client uses the connection string"
    assert storage["allowBlobPublicAccess"] is False
    assert storage["minimumTlsVersion"] == "TLS1_2"


def test_the_storage_connection_reaches_the_queue_service() -> None:
    """The app enqueues with azure-storage-queue and the host's queue trigger reads with the same AzureWebJobsStorage:
    the stored connection string must name the account and its endpoint suffix (every service's endpoint derives
    from them), not a table-only endpoint; identity-based `__queueServiceUri` settings would be ignored beside it."""
    secret = bicep.resources_of_type(KEYVAULT, "Microsoft.KeyVault/vaults/secrets")["storageConnectionSecret"]
    value = bicep.body(secret)["properties"]["value"]
    fields = dict(part.split("=", 1) for part in value.split(";"))
    assert fields["AccountName"] == "${storage.name}"
    assert fields["EndpointSuffix"] == "${environment().suffixes.storage}"
    assert not {"TableEndpoint", "QueueEndpoint", "BlobEndpoint"} & set(fields), "no single-service endpoint"
    assert not [name for name in _app_settings() if name.startswith("AzureWebJobsStorage__")]
    assert bicep.body(bicep.resources(STORAGE)["storage"])["kind"] == "StorageV2"  # tables, queues and blobs


def _role_assignments() -> list[tuple[str, str, str, str]]:
    """(scope, role variable, principal, principal type) of every role assignment in roles.bicep."""
    variables = bicep.parse(ROLES)["variables"]
    out = []
    for resource in bicep.resources_of_type(ROLES, "Microsoft.Authorization/roleAssignments").values():
        config = resource["config"]
        roles = [bicep.body(resource)["properties"]["roleDefinitionId"]["function"]["parameters"]["resource_name_1"]]
        loop = config.get("loop_type")
        if loop:
            assert roles == [loop["detail"]["item_name"]]
            roles = variables[loop["detail"]["array_name"]]["value"]
        props = bicep.body(resource)["properties"]
        for role in roles:
            out.append((bicep.body(resource)["scope"], role, props["principalId"], props["principalType"]))
    return out


def test_role_assignments_of_the_app_identity() -> None:
    variables = bicep.parse(ROLES)["variables"]
    for name, role_id in ROLE_IDS.items():
        assert variables[name]["value"] == role_id, name
    app = {(scope, role) for scope, role, principal, kind in _role_assignments() if principal == "appPrincipalId"}
    assert app == {
        ("storage", "storageBlobDataOwner"),
        ("storage", "storageTableDataContributor"),
        ("storage", "storageQueueDataContributor"),
        ("vault", "keyVaultSecretsUser"),
        ("applicationInsights", "monitoringMetricsPublisher"),
    }
    assert all(kind == "ServicePrincipal" for _, _, p, kind in _role_assignments() if p == "appPrincipalId")
    deployer = [(s, r) for s, r, p, _ in _role_assignments() if p == "deployerPrincipalId"]
    assert deployer == [("vault", "keyVaultSecretsOfficer")]
    params = bicep.modules()["roles"]["config"]["params"]
    assert bicep.accessor(params["appPrincipalId"]) == ["identity", "outputs", "principalId"]
    assert params["deployerPrincipalId"] == "principalId"


def test_the_app_runs_as_the_identity_that_holds_the_roles() -> None:
    site = bicep.body(bicep.resources(FUNCTION)["site"])
    assert site["identity"] == {"type": "UserAssigned", "userAssignedIdentities": {"'${identityId}'": {}}}
    params = bicep.modules()["api"]["config"]["params"]
    assert bicep.accessor(params["identityId"]) == ["identity", "outputs", "id"]
    assert bicep.modules()["api"]["config"]["dependsOn"] == ["roles"]
    auth = bicep.variable(FUNCTION, "platformSettings")["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]
    assert auth == "ClientId=${identityClientId};Authorization=AAD"
    insights = bicep.body(bicep.resources(INFRA / "modules" / "monitoring.bicep")["applicationInsights"])
    assert insights["properties"]["DisableLocalAuth"] is True


def _text_files() -> list[Path]:
    files = [p for p in INFRA.rglob("*") if p.is_file()]
    return [*files, REPO / "azure.yaml"]


LITERAL_SECRETS = [
    re.compile(r"AccountKey=(?!\$\{)"),
    re.compile(r"(?i)InstrumentationKey="),
    re.compile(r"SharedAccessSignature|[?&]sig="),
    re.compile(r"-----BEGIN"),
    re.compile(r"(?i)\bBearer\s+[A-Za-z0-9]"),
    re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/_-])"),  # base64-ish keys and tokens
]


@pytest.mark.parametrize("path", _text_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_literal_secrets(path: Path) -> None:
    content = path.read_text()
    for pattern in LITERAL_SECRETS:
        match = pattern.search(content)
        assert match is None, f"{path.name}: looks like a secret: {match.group(0)[:12]}..."


def test_no_secret_parameters() -> None:
    for path in bicep.BICEP_FILES:
        for name, spec in bicep.parse(path).get("parameters", {}).items():
            assert bicep.decorator(spec, "secure") is None, f"{path.name}: {name} is a secret parameter"
            if re.search(r"(?i)token|secret|password|key(?!Vault)", name):
                assert name.endswith(("Name", "Uri", "Protection")), f"{path.name}: {name} would carry a secret"
    values = json.loads(PARAMETERS.read_text())["parameters"]
    for name, spec in values.items():
        assert re.fullmatch(r"\$\{[A-Z_]+\}", spec["value"]), f"main.parameters.json {name}: an azd variable only"


def test_account_keys_flow_only_into_the_vault() -> None:
    for path in bicep.BICEP_FILES:
        count = bicep.text(path).count("listKeys(")
        assert count == (1 if path == KEYVAULT else 0), path.name
        assert "listKeys" not in json.dumps(bicep.parse(path).get("outputs", {})), f"{path.name}: an output leaks a key"


def test_azd_wiring() -> None:
    azure = yaml.safe_load((REPO / "azure.yaml").read_text())
    assert azure["infra"] == {"provider": "bicep", "path": "infra", "module": "main"}
    assert azure["services"] == {"api": {"project": ".", "language": "python", "host": "function", "remoteBuild": True}}
    site = bicep.body(bicep.resources(FUNCTION)["site"])
    tags = site["tags"]["function"]["parameters"]["arg_2"]
    assert tags == {"'azd-service-name'": "api"}
    outputs = set(bicep.parse(MAIN)["outputs"])
    assert {"AZURE_LOCATION", "AZURE_TENANT_ID", "SERVICE_API_NAME", "AZURE_KEY_VAULT_NAME"} <= outputs
    declared = bicep.parse(MAIN)["parameters"]
    given = json.loads(PARAMETERS.read_text())["parameters"]
    assert set(given) <= set(declared)
    required = {name for name, spec in declared.items() if spec.get("default") is None}
    assert required == {"environmentName", "location"} <= set(given)
    assert given["environmentName"]["value"] == "${AZURE_ENV_NAME}"
    assert given["location"]["value"] == "${AZURE_LOCATION}"
    assert given["principalId"]["value"] == "${AZURE_PRINCIPAL_ID}"


def test_host_json_fits_flex_consumption() -> None:
    """Flex Consumption needs extension bundle 4.x or later for non-.NET apps; the route prefix is the connector's
    basePath; the queue settings are ones the bundle's Storage extension reads."""
    host = json.loads((REPO / "host.json").read_text())
    low = re.match(r"[\[(]\s*(\d+)", host["extensionBundle"]["version"])
    assert low is not None
    assert int(low.group(1)) >= 4
    assert host["extensions"]["http"]["routePrefix"] == "api"
    # The queue trigger's settings, by the names Azure documents for the Storage extension 5.x (bundle 4.x).
    queues = host["extensions"]["queues"]
    assert set(queues) <= {
        "maxPollingInterval",
        "visibilityTimeout",
        "batchSize",
        "maxDequeueCount",
        "newBatchThreshold",
        "messageEncoding",
    }
    assert queues["messageEncoding"] == "base64"  # what the app's sender must encode with
    assert 1 <= queues["batchSize"] <= 32
    assert queues["maxDequeueCount"] == 5
