"""CRM sync (SPEC §7): the DynamoDB Streams consumer that keeps each learner's HubSpot contact up to date."""
