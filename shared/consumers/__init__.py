"""The trigger logs out to Logic Apps: the polling-trigger feed, subscriptions, callback rules, delivery."""
