"""CRM integration: inbound webhooks bring recordings in; a durable outbox writes each finished analysis back
to HubSpot, Salesforce or a generic signed webhook, exactly once."""
