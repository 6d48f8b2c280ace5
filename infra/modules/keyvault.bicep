// The Key Vault (RBAC authorization, no access policies) that holds every secret the app reads through Key Vault
// references:
//   storage-connection-string   written here, from the storage account's key (refreshed on every deployment)
//   intercom-token-default      the Intercom access token of the connection `default`: set after deployment
//   intercom-token-<name>       one per extra connection in INTERCOM_CONNECTIONS: set after deployment
// The token secrets are deliberately not resources of this template: a redeploy would overwrite the real token
// with a placeholder. docs/deploy.md shows `az keyvault secret set`.
//
// Public network access stays on: Flex Consumption cannot resolve Key Vault references to a network-restricted
// vault. Access is by Entra ID and RBAC only.

param name string
param location string
param tags object = {}
param storageAccountName string
param purgeProtection bool = false

@description('Days a deleted vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 7

var storageConnectionSecretName = 'storage-connection-string'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // `false` is refused once it has been `true`: leave the property out instead.
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource storageConnectionSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: storageConnectionSecretName
  properties: {
    contentType: 'Azure Storage connection string (AzureWebJobsStorage)'
    value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
output storageConnectionSecretName string = storageConnectionSecret.name
