// The Flex Consumption plan (FC1) and the Python 3.11 Function App, with its app settings.
//
// Flex Consumption takes the runtime, the scale and the deployment package location from `functionAppConfig`;
// the app settings FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE,
// WEBSITE_CONTENTSHARE, WEBSITE_CONTENTAZUREFILECONNECTIONSTRING and SCM_DO_BUILD_DURING_DEPLOYMENT are
// deprecated there and are not set.
//
// Every app setting that carries a secret is a Key Vault reference, resolved by the platform with the app's
// user-assigned identity (keyVaultReferenceIdentity). The whole list of app settings is written on every
// deployment: a setting added by hand in the portal is gone after the next `azd provision`.

param name string
param planName string
param location string
param tags object = {}

@description('Resource id of the user-assigned identity of the app.')
param identityId string
@description('Client id of that identity (Application Insights authentication).')
param identityClientId string

param storageBlobEndpoint string
param deploymentContainerName string
param keyVaultUri string
param storageConnectionSecretName string
param applicationInsightsConnectionString string

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('The connector\'s plain app settings (main.bicep, connectorSettings).')
param connectorSettings object

@description('INTERCOM_CONNECTIONS: comma-separated names of the extra connections.')
param intercomConnections string = ''

@description('Comma-separated NAME=URL pairs: INTERCOM_BASE_URL__NAME of the extra connections.')
param intercomConnectionBaseUrls string = ''

@description('Key Vault secret holding CURSOR_SECRET; empty: not set.')
param cursorSecretName string = ''

@description('Comma-separated connections (`default` included by name) whose Intercom client secret is in Key Vault.')
param intercomWebhookConnections string = ''

// A versionless secret URI: the app follows the secret's latest version (rotation, docs/deploy.md).
var secretUriPrefix = '${keyVaultUri}secrets/'

var connectionNames = filter(map(split(intercomConnections, ','), n => trim(n)), n => !empty(n))
var baseUrlPairs = filter(map(split(intercomConnectionBaseUrls, ','), pair => trim(pair)), pair => contains(pair, '='))

// INTERCOM_ACCESS_TOKEN__<NAME> of every extra connection: Key Vault secret intercom-token-<name lowercased>.
var connectionTokenSettings = toObject(connectionNames, n => 'INTERCOM_ACCESS_TOKEN__${n}', n => '@Microsoft.KeyVault(SecretUri=${secretUriPrefix}intercom-token-${toLower(n)}/)')

// INTERCOM_CLIENT_SECRET[__<NAME>] of the connections that take webhooks: secret intercom-client-secret-<name>.
// Only the connections named get the setting: a reference to a secret that is not in the vault would stay unresolved,
// and the app refuses to start on an unresolved reference.
var webhookNames = filter(map(split(intercomWebhookConnections, ','), n => trim(n)), n => !empty(n))
var clientSecretSettings = toObject(webhookNames, n => (toLower(n) == 'default') ? 'INTERCOM_CLIENT_SECRET' : 'INTERCOM_CLIENT_SECRET__${n}', n => '@Microsoft.KeyVault(SecretUri=${secretUriPrefix}intercom-client-secret-${toLower(n)}/)')

// INTERCOM_BASE_URL__<NAME> of the extra connections that name one.
var connectionBaseUrlSettings = toObject(baseUrlPairs, pair => 'INTERCOM_BASE_URL__${trim(split(pair, '=')[0])}', pair => trim(substring(pair, indexOf(pair, '=') + 1)))

var secretSettings = {
  AzureWebJobsStorage: '@Microsoft.KeyVault(SecretUri=${secretUriPrefix}${storageConnectionSecretName}/)'
  INTERCOM_ACCESS_TOKEN: '@Microsoft.KeyVault(SecretUri=${secretUriPrefix}intercom-token-default/)'
}

var cursorSecretSettings = {
  CURSOR_SECRET: '@Microsoft.KeyVault(SecretUri=${secretUriPrefix}${cursorSecretName}/)'
}
var cursorSettings = empty(cursorSecretName) ? {} : cursorSecretSettings

var platformSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  INTERCOM_CONNECTIONS: join(connectionNames, ',')
}

var appSettings = union(connectorSettings, platformSettings, secretSettings, connectionTokenSettings, connectionBaseUrlSettings, cursorSettings, clientSecretSettings)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the app to deploy the service `api` (azure.yaml) to by this tag.
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: appSettings
  }
}

output name string = site.name
output id string = site.id
output uri string = 'https://${site.properties.defaultHostName}'
output hostName string = site.properties.defaultHostName
