// Alerts on what an operator must act on (docs/operations.md): trigger polls that log an ERROR with a cause
// (Intercom refused the token, or a defect), and failed function executions; both notify one action group, which
// e-mails `alertEmail` when it is given (empty: the alerts still fire and show in Azure Monitor, nobody is mailed).
//
// The app logs each failed poll with `connection=`, `trigger=` and `cause=` in the message, and as structured fields
// (customDimensions where the host exports them): the queries read either.

param namePrefix string
param location string
param tags object = {}

@description('Resource id of the Application Insights component the app logs to.')
param applicationInsightsId string

@description('E-mail address the alerts are sent to; empty: no e-mail receiver.')
param alertEmail string = ''

// Failed polls someone must act on: the app logs them at ERROR (severityLevel 3) with their cause.
var pollErrorsQuery = '''
traces
| where severityLevel >= 3
| extend cause = coalesce(tostring(customDimensions.cause), extract(@"cause=(\w+)", 1, message))
| where isnotempty(cause)
| extend connection = coalesce(tostring(customDimensions.connection), extract(@"connection=(\S+)", 1, message))
| extend trigger = coalesce(tostring(customDimensions.trigger), extract(@"trigger=(\S+)", 1, message))
| project timestamp, connection, trigger, cause, message
'''

// Function executions that failed: a timer that raised, or an HTTP answer of 5xx (4xx are the caller's mistakes).
var failedExecutionsQuery = '''
requests
| where success == false and not(resultCode startswith "4")
| project timestamp, operation_Name, resultCode
'''

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'intercom'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

resource pollErrors 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${namePrefix}-poll-errors'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Intercom connector: trigger polls fail (ERROR)'
    description: 'A trigger poll logged an ERROR with its cause (unauthorized, forbidden: Intercom refused the token; unexpected: a defect). One alert per connection, trigger and cause. docs/operations.md says what to do.'
    severity: 1
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    criteria: {
      allOf: [
        {
          query: pollErrorsQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'connection'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'trigger'
              operator: 'Include'
              values: [
                '*'
              ]
            }
            {
              name: 'cause'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

resource failedExecutions 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${namePrefix}-failed-executions'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Intercom connector: failed function executions'
    description: 'A function execution failed (a timer raised, or an HTTP answer of 5xx). One alert per function.'
    severity: 2
    enabled: true
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [
      applicationInsightsId
    ]
    criteria: {
      allOf: [
        {
          query: failedExecutionsQuery
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'operation_Name'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

output actionGroupId string = actionGroup.id
