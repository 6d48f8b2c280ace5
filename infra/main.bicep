// The Intercom connector on Azure: a Python 3.11 Function App on the Flex Consumption plan (FC1), its storage
// account (the host's storage and the connector's tables), Application Insights on a Log Analytics workspace,
// a Key Vault (RBAC) holding every secret the app reads, and the app's user-assigned managed identity.
// `azd up` deploys this and the code together (azure.yaml); docs/deploy.md has the steps and the az CLI way.
//
// No secret is a parameter or an app setting: the app settings that carry secrets are Key Vault references,
// the storage connection string is written into the vault by this deployment, and the Intercom tokens are set
// into the vault afterwards (`az keyvault secret set`), so a redeploy never overwrites them.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd: AZURE_ENV_NAME). Names the resource group and seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Azure region of every resource. It must offer the Flex Consumption plan: az functionapp list-flexconsumption-locations.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the person or pipeline that deploys (azd: AZURE_PRINCIPAL_ID). It gets Key Vault Secrets Officer on the vault, to set the Intercom tokens. Empty: no such assignment.')
param principalId string = ''

@description('Kind of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

// ---- Optional explicit names (empty: derived from environmentName) ----
param resourceGroupName string = ''
param functionAppName string = ''
param functionPlanName string = ''
param storageAccountName string = ''
param keyVaultName string = ''
param logAnalyticsName string = ''
param applicationInsightsName string = ''
param identityName string = ''

// ---- Flex Consumption scale ----
@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to (Flex Consumption: 40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

// ---- Connector settings (interface §1 and the README's settings table). None of them is a secret. ----
// Each may be empty (azd passes an unset environment variable as ''): empty means the default in settingDefaults.
@description('INTERCOM_BASE_URL of the connection `default`: https://api.intercom.io, https://api.eu.intercom.io or https://api.au.intercom.io.')
param intercomBaseUrl string = ''

@description('INTERCOM_API_VERSION, sent as Intercom-Version.')
param intercomApiVersion string = ''

@description('INTERCOM_CONNECTIONS: more connections, comma-separated names (letters and digits). Connection N reads its token from the Key Vault secret intercom-token-<n lowercased>.')
param intercomConnections string = ''

@description('Base URLs of the extra connections, comma-separated NAME=URL pairs (e.g. eu=https://api.eu.intercom.io). A connection not named here uses https://api.intercom.io.')
param intercomConnectionBaseUrls string = ''

@description('THROTTLE_CALLS: calls to Intercom per connection in any THROTTLE_PERIOD_SECONDS.')
param throttleCalls string = ''

@description('THROTTLE_PERIOD_SECONDS.')
param throttlePeriodSeconds string = ''

@description('POLL_SCHEDULE: NCRONTAB (six fields) of the trigger polls.')
param pollSchedule string = ''

@description('TRIGGER_START: `now`, or an ISO-8601 duration back such as P1D.')
param triggerStart string = ''

@description('POLL_LOOKBACK_SECONDS: how far behind its watermark each poll re-reads.')
param pollLookbackSeconds string = ''

@description('EVENT_RETENTION_DAYS: event-log rows older than this are pruned.')
param eventRetentionDays string = ''

@description('MAX_BODY_BYTES: larger request bodies get 413.')
param maxBodyBytes string = ''

@description('Name of a Key Vault secret holding CURSOR_SECRET (the key that signs cursors). Empty: the app derives it from the storage connection string, so rotating the storage key invalidates outstanding cursors.')
param cursorSecretName string = ''

@description('Connections that take Intercom webhook notifications (instant triggers), comma-separated names; `default` for the connection `default`. Each reads INTERCOM_CLIENT_SECRET[__NAME] from the Key Vault secret intercom-client-secret-<name lowercased>, which must be set before the app starts (docs/deploy.md). Empty: no webhooks, the polls alone feed the triggers.')
param intercomWebhookConnections string = ''

@description('E-mail address of whoever should hear when a trigger fails (the alerts of docs/operations.md). Empty: the alerts fire and show in Azure Monitor, and nobody is e-mailed.')
param alertEmail string = ''

@description('Turn on purge protection of the Key Vault (cannot be turned off again; blocks reusing the vault name for 7 days after a delete).')
param keyVaultPurgeProtection bool = false

// The connector's defaults (the same as the code's, shared/settings.py; tests/infra checks that they agree).
var settingDefaults = {
  INTERCOM_BASE_URL: 'https://api.intercom.io'
  INTERCOM_API_VERSION: '2.16'
  THROTTLE_CALLS: '100'
  THROTTLE_PERIOD_SECONDS: '60'
  POLL_SCHEDULE: '0 */2 * * * *'
  TRIGGER_START: 'now'
  POLL_LOOKBACK_SECONDS: '600'
  EVENT_RETENTION_DAYS: '7'
  MAX_BODY_BYTES: '65536'
}

// The plain (non-secret) app settings of the connector; function.bicep adds the Key Vault references.
var connectorSettings = {
  INTERCOM_BASE_URL: empty(intercomBaseUrl) ? settingDefaults.INTERCOM_BASE_URL : intercomBaseUrl
  INTERCOM_API_VERSION: empty(intercomApiVersion) ? settingDefaults.INTERCOM_API_VERSION : intercomApiVersion
  THROTTLE_CALLS: empty(throttleCalls) ? settingDefaults.THROTTLE_CALLS : throttleCalls
  THROTTLE_PERIOD_SECONDS: empty(throttlePeriodSeconds) ? settingDefaults.THROTTLE_PERIOD_SECONDS : throttlePeriodSeconds
  POLL_SCHEDULE: empty(pollSchedule) ? settingDefaults.POLL_SCHEDULE : pollSchedule
  TRIGGER_START: empty(triggerStart) ? settingDefaults.TRIGGER_START : triggerStart
  POLL_LOOKBACK_SECONDS: empty(pollLookbackSeconds) ? settingDefaults.POLL_LOOKBACK_SECONDS : pollLookbackSeconds
  EVENT_RETENTION_DAYS: empty(eventRetentionDays) ? settingDefaults.EVENT_RETENTION_DAYS : eventRetentionDays
  MAX_BODY_BYTES: empty(maxBodyBytes) ? settingDefaults.MAX_BODY_BYTES : maxBodyBytes
  // Loopback webhook callbacks are for development only: never in Azure.
  WEBHOOK_ALLOW_LOOPBACK: 'false'
}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var appName = !empty(functionAppName) ? functionAppName : 'func-${resourceToken}'
// A blob container name is 3-63 lowercase letters, digits and dashes.
var deploymentContainerName = 'app-package-${take(toLower(replace(appName, '_', '-')), 32)}-${take(resourceToken, 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: !empty(identityName) ? identityName : 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: !empty(logAnalyticsName) ? logAnalyticsName : 'log-${resourceToken}'
    applicationInsightsName: !empty(applicationInsightsName) ? applicationInsightsName : 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: !empty(storageAccountName) ? storageAccountName : 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: !empty(keyVaultName) ? keyVaultName : 'kv-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    purgeProtection: keyVaultPurgeProtection
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    appPrincipalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module api 'modules/function.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: appName
    planName: !empty(functionPlanName) ? functionPlanName : 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    keyVaultUri: keyVault.outputs.uri
    storageConnectionSecretName: keyVault.outputs.storageConnectionSecretName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    connectorSettings: connectorSettings
    intercomConnections: intercomConnections
    intercomConnectionBaseUrls: intercomConnectionBaseUrls
    cursorSecretName: cursorSecretName
    intercomWebhookConnections: intercomWebhookConnections
  }
  // The app reads Key Vault and its deployment container with its identity from its first start: roles first.
  dependsOn: [
    roles
  ]
}

// What an operator sees (docs/operations.md): alerts on failing triggers and failed executions, and a workbook.
module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: appName
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    alertEmail: alertEmail
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    name: 'Intercom connector (${appName})'
    location: location
    tags: tags
    applicationInsightsId: monitoring.outputs.applicationInsightsId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
