// An Azure Workbook over Application Insights (docs/operations.md, "Read the workbook"): per trigger, its polls,
// their failures by cause, the events they counted, the triggers failing now, and each connection's calls to
// Intercom (its throttle use). It reads the app's log lines: `poll recorded: connection= trigger= cause=ok events=`,
// `poll failed: connection= trigger= cause= failures=` (shared/operations/recorder.py) and `intercom <method>
// <route> <status> ... connection=` (shared/intercom/client.py), from customDimensions where the host exports them.

param name string
param location string
param tags object = {}

@description('Resource id of the Application Insights component the app logs to.')
param applicationInsightsId string

// Every poll's outcome, one row per poll: connection, trigger, cause (ok or why it failed), events it counted.
var polls = '''
let polls = traces
| where message startswith "poll recorded:" or message startswith "poll failed:"
| extend connection = coalesce(tostring(customDimensions.connection), extract(@"connection=(\S+)", 1, message))
| extend trigger = coalesce(tostring(customDimensions.trigger), extract(@"trigger=(\S+)", 1, message))
| extend cause = coalesce(tostring(customDimensions.cause), extract(@"cause=(\w+)", 1, message))
| extend events = toint(extract(@"events=(\d+)", 1, message));
'''

var items = [
  {
    type: 1
    name: 'title'
    content: {
      json: '## Intercom connector: triggers\nPolls, failures by cause, events and throttle use per trigger and connection. What each cause means and what to do: docs/operations.md.'
    }
  }
  {
    type: 9
    name: 'parameters'
    content: {
      version: 'KqlParameterItem/1.0'
      parameters: [
        {
          id: 'time-range'
          version: 'KqlParameterItem/1.0'
          name: 'TimeRange'
          label: 'Time range'
          type: 4
          isRequired: true
          value: {
            durationMs: 86400000
          }
          typeSettings: {
            allowCustom: true
            selectableValues: [
              {
                durationMs: 3600000
              }
              {
                durationMs: 86400000
              }
              {
                durationMs: 604800000
              }
            ]
          }
        }
      ]
    }
  }
  {
    type: 3
    name: 'failing-now'
    content: {
      version: 'KqlItem/1.0'
      title: 'Triggers whose last poll failed'
      query: '${polls}polls\n| summarize arg_max(timestamp, cause, message) by connection, trigger\n| where cause != "ok"\n| project connection, trigger, cause, last_poll = timestamp, message'
      queryType: 0
      resourceType: 'microsoft.insights/components'
      timeContextFromParameter: 'TimeRange'
      visualization: 'table'
    }
  }
  {
    type: 3
    name: 'polls'
    content: {
      version: 'KqlItem/1.0'
      title: 'Polls per trigger'
      query: '${polls}polls\n| summarize polls = count() by trigger, bin(timestamp, {TimeRange:grain})'
      queryType: 0
      resourceType: 'microsoft.insights/components'
      timeContextFromParameter: 'TimeRange'
      visualization: 'timechart'
    }
  }
  {
    type: 3
    name: 'failures'
    content: {
      version: 'KqlItem/1.0'
      title: 'Failed polls by cause'
      query: '${polls}polls\n| where cause != "ok"\n| summarize failures = count() by cause, bin(timestamp, {TimeRange:grain})'
      queryType: 0
      resourceType: 'microsoft.insights/components'
      timeContextFromParameter: 'TimeRange'
      visualization: 'barchart'
    }
  }
  {
    type: 3
    name: 'events'
    content: {
      version: 'KqlItem/1.0'
      title: 'Events per trigger'
      query: '${polls}polls\n| where cause == "ok"\n| summarize events = sum(events) by trigger, bin(timestamp, {TimeRange:grain})'
      queryType: 0
      resourceType: 'microsoft.insights/components'
      timeContextFromParameter: 'TimeRange'
      visualization: 'timechart'
    }
  }
  {
    type: 3
    name: 'throttle'
    content: {
      version: 'KqlItem/1.0'
      title: 'Calls to Intercom per minute and connection (throttle use: the budget is THROTTLE_CALLS per THROTTLE_PERIOD_SECONDS)'
      query: 'traces\n| where message startswith "intercom "\n| extend connection = extract(@"connection=(\\S+)", 1, message)\n| summarize calls = count() by connection, bin(timestamp, 1m)'
      queryType: 0
      resourceType: 'microsoft.insights/components'
      timeContextFromParameter: 'TimeRange'
      visualization: 'timechart'
    }
  }
]

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, name)
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: name
    category: 'workbook'
    sourceId: applicationInsightsId
    version: 'Notebook/1.0'
    serializedData: string({
      version: 'Notebook/1.0'
      items: items
      fallbackResourceIds: [
        applicationInsightsId
      ]
    })
  }
}

output id string = workbook.id
