"""The sandbox's AWS side: a moto server, the template provisioner and the CloudWatch Logs shipper (SPEC §6).

Import from the modules (`sandbox.aws.provision.provision`, `sandbox.aws.moto_server.start_moto`,
`sandbox.aws.log_shipper.CloudWatchLogsHandler`); nothing is re-exported here, because a re-exported `provision`
function would shadow the `sandbox.aws.provision` module.
"""
