// The Function App's user-assigned managed identity. User-assigned rather than system-assigned so that its roles
// (Key Vault, storage) exist before the app does, and the app's Key Vault references resolve from its first start.

param name string
param location string
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
