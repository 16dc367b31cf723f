"""The AWS snapshot's shape: one TypedDict per service section, as written to `evidence/_aws/<service>.json`.

Each section is `SectionMeta` (written by the snapshot for every service) plus the service's data (what its
collector returns). The data keys are `total=False` because a collector that raised leaves only the meta keys and
`errors["*"]` (`View.section` turns that into a failure before a rule reads anything); every present key has the
type given here. A boto3 object is described by the fields the collector keeps (`pick(source, Shape)` copies exactly
the keys of `Shape`), so each key is written once, here. Values are the JSON ones: datetimes are ISO-8601 strings
after `json_safe`.

`SectionGetter` and `ItemGetter` type `snapshot.get(service)` and `View.section`/`View.item` by service (and key);
tests/checks/aws/test_schema.py holds them to the TypedDicts below.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, TypedDict, overload

from environments import Environment

__all__ = [
    "ApiGatewayV2Section",
    "CloudFormationSection",
    "CloudWatchSection",
    "CognitoSection",
    "DynamoDBSection",
    "IamSection",
    "ItemGetter",
    "LambdaSection",
    "LogsSection",
    "SecretsManagerSection",
    "SectionGetter",
    "SectionMeta",
    "Sections",
    "SnapshotLike",
    "SnsSection",
    "SqsSection",
    "SsmSection",
    "StsSection",
    "fields",
]


def fields(shape: type) -> tuple[str, ...]:
    """The keys of a TypedDict, in declaration order (what a collector asks AWS for, or keeps)."""
    return tuple(shape.__annotations__)


class SectionMeta(TypedDict):
    service: str
    region: str
    endpoint: str | None
    collected_at: str
    duration_ms: float
    errors: dict[str, str]  # item → message; "*" = the whole collector failed


# --- sts ---------------------------------------------------------------------------------------------------------


class StsData(TypedDict, total=False):
    account: str | None


# --- cloudformation ----------------------------------------------------------------------------------------------


class StackDrift(TypedDict, total=False):
    StackDriftStatus: str
    LastCheckTimestamp: str


class StackFields(TypedDict, total=False):
    StackName: str
    StackId: str
    StackStatus: str
    StackStatusReason: str
    CreationTime: str
    LastUpdatedTime: str
    DriftInformation: StackDrift
    Outputs: list[dict[str, Any]]
    Tags: list[dict[str, str]]


class Stack(StackFields, total=False):
    Parameters: list[str]  # parameter names only (values may be secret)


class TemplateFunction(TypedDict):
    logical_id: str
    FunctionName: str | None  # None: a name the template computes in a way we cannot render
    MemorySize: int | None  # None = not declared: the deployer's default applies
    Timeout: int | None
    Runtime: str | None
    Handler: str | None


class TemplateAlarm(TypedDict):
    logical_id: str
    AlarmName: str | None


class TemplateCompositeAlarm(TemplateAlarm):
    AlarmRule: str | None
    ActionsEnabled: bool


class TemplateDomain(TypedDict):
    logical_id: str
    Domain: str | None
    ManagedLoginVersion: int | None


class TemplateSummary(TypedDict):
    source: str
    sha256: str
    resource_count: int
    functions: list[TemplateFunction]
    metric_alarms: list[TemplateAlarm]
    composite_alarms: list[TemplateCompositeAlarm]
    user_pool_domains: list[TemplateDomain]


class CloudFormationData(TypedDict, total=False):
    stack_name: str
    stack: Stack | None
    template: TemplateSummary | None


# --- lambda ------------------------------------------------------------------------------------------------------


class LoggingConfig(TypedDict, total=False):
    LogFormat: str
    ApplicationLogLevel: str
    SystemLogLevel: str
    LogGroup: str


class FunctionFields(TypedDict, total=False):
    FunctionName: str
    FunctionArn: str
    Runtime: str
    Handler: str
    MemorySize: int
    Timeout: int
    State: str
    StateReason: str
    LastUpdateStatus: str
    LastUpdateStatusReason: str
    LastModified: str
    Role: str
    Architectures: list[str]
    Version: str
    CodeSha256: str
    PackageType: str
    LoggingConfig: LoggingConfig


class Reference(TypedDict):
    service: str  # "ssm" or "secretsmanager"
    id: str


class EnvironmentSummary(TypedDict, total=False):
    """Variable names, never values. The API function's has `test_bypass_enabled`; the CRM consumer's has
    `token_values` (names of variables holding a token-like value) and `references`."""

    names: list[str]
    empty: list[str]
    test_bypass_enabled: bool
    token_values: list[str]
    references: dict[str, Reference]


class Function(FunctionFields, total=False):
    Environment: EnvironmentSummary


class Alias(TypedDict, total=False):
    Name: str
    AliasArn: str
    FunctionVersion: str
    RoutingConfig: dict[str, Any]


class Destination(TypedDict, total=False):
    Destination: str


class DestinationConfig(TypedDict, total=False):
    OnSuccess: Destination
    OnFailure: Destination


class EventSourceMapping(TypedDict, total=False):
    UUID: str
    EventSourceArn: str
    FunctionArn: str
    State: str
    StateTransitionReason: str
    LastProcessingResult: str
    StartingPosition: str
    BatchSize: int
    MaximumBatchingWindowInSeconds: int
    FunctionResponseTypes: list[str]
    BisectBatchOnFunctionError: bool
    MaximumRetryAttempts: int
    MaximumRecordAgeInSeconds: int
    ParallelizationFactor: int
    DestinationConfig: DestinationConfig


class CrmConsumer(TypedDict):
    function_name: str
    function: Function | None
    aliases: list[Alias] | None
    mappings: dict[str, list[EventSourceMapping] | None]  # table role → mappings on its stream (None: not listed)


class LambdaData(TypedDict, total=False):
    function_name: str
    function: Function | None
    aliases: list[Alias] | None
    versions: list[str] | None
    crm: CrmConsumer | None  # None while env crm.enabled is false


# --- iam ---------------------------------------------------------------------------------------------------------


class Role(TypedDict):
    RoleName: str
    Arn: str


class IamData(TypedDict, total=False):
    role: Role | None
    inline_policies: dict[str, Any]  # policy name → document (IAM JSON, any shape)
    attached_policies: dict[str, Any]  # policy ARN → default version's document


# --- dynamodb ----------------------------------------------------------------------------------------------------


class KeyElement(TypedDict):
    AttributeName: str
    KeyType: str


class Projection(TypedDict, total=False):
    ProjectionType: str
    NonKeyAttributes: list[str]


class Index(TypedDict, total=False):
    IndexName: str
    IndexStatus: str  # moto omits it
    KeySchema: list[KeyElement]
    Projection: Projection


class StreamSpecification(TypedDict, total=False):
    StreamEnabled: bool
    StreamViewType: str


class SSEDescription(TypedDict, total=False):
    Status: str
    SSEType: str
    KMSMasterKeyArn: str


class BillingModeSummary(TypedDict, total=False):
    BillingMode: str
    LastUpdateToPayPerRequestDateTime: str


class PointInTimeRecovery(TypedDict, total=False):
    PointInTimeRecoveryStatus: str
    EarliestRestorableDateTime: str
    LatestRestorableDateTime: str
    RecoveryPeriodInDays: int


class TableFields(TypedDict, total=False):
    TableName: str
    TableArn: str
    TableStatus: str
    KeySchema: list[KeyElement]
    StreamSpecification: StreamSpecification
    LatestStreamArn: str
    SSEDescription: SSEDescription
    BillingModeSummary: BillingModeSummary
    DeletionProtectionEnabled: bool
    ItemCount: int
    TableSizeBytes: int
    CreationDateTime: str


class Table(TableFields, total=False):
    GlobalSecondaryIndexes: list[Index]
    PointInTimeRecovery: PointInTimeRecovery | None  # None: continuous backups not described
    Tags: dict[str, str] | None  # None: tags not listed


class DynamoDBData(TypedDict, total=False):
    names: dict[str, str]  # table role → name
    tables: dict[str, Table | None]  # table role → table (None: not described)


# --- logs --------------------------------------------------------------------------------------------------------


class LogGroup(TypedDict, total=False):
    logGroupName: str
    retentionInDays: int
    storedBytes: int
    creationTime: int
    logGroupArn: str


class LogsData(TypedDict, total=False):
    log_group_name: str
    group: LogGroup | None
    crm_log_group_name: str | None
    crm_group: LogGroup | None
    checked_at_ms: int
    recent_window_s: int
    recent_event_ms: int | None
    last_stream_event_ms: int | None


# --- cloudwatch --------------------------------------------------------------------------------------------------


class Dimension(TypedDict):
    Name: str
    Value: str


class AlarmFields(TypedDict, total=False):
    """What metric and composite alarms share."""

    AlarmName: str
    AlarmArn: str
    StateValue: str
    ActionsEnabled: bool
    AlarmActions: list[str]
    OKActions: list[str]


class MetricAlarm(AlarmFields, total=False):
    Namespace: str
    MetricName: str
    Dimensions: list[Dimension]
    Statistic: str
    ExtendedStatistic: str
    Period: int
    EvaluationPeriods: int
    DatapointsToAlarm: int
    Threshold: float
    ComparisonOperator: str
    TreatMissingData: str
    StateReason: str
    StateUpdatedTimestamp: str
    InsufficientDataActions: list[str]


class CompositeAlarm(AlarmFields, total=False):
    AlarmRule: str


class Dashboard(TypedDict):
    DashboardName: str
    DashboardArn: str | None
    body: Any  # the parsed DashboardBody (None: it did not parse)


class CloudWatchData(TypedDict, total=False):
    alarm_prefix: str
    alarms: dict[str, MetricAlarm] | None  # None (not {}) when the listing failed
    composite_alarms: dict[str, CompositeAlarm] | None
    metrics_listed: dict[str, bool]  # alarm name → its metric appears in list_metrics
    dashboard_name: str
    dashboard: Dashboard | None


# --- sns ---------------------------------------------------------------------------------------------------------


class Topic(TypedDict, total=False):
    TopicArn: str
    DisplayName: str
    SubscriptionsConfirmed: str  # SNS attributes are strings
    SubscriptionsPending: str


class Subscription(TypedDict):
    Protocol: str | None
    confirmed: bool  # endpoints are e-mail addresses: never kept


class SnsData(TypedDict, total=False):
    configured: str | None  # env sns_topic (ARN or name)
    topic: Topic | None
    subscriptions: list[Subscription]


# --- cognito -----------------------------------------------------------------------------------------------------


class PasswordPolicy(TypedDict, total=False):
    MinimumLength: int
    RequireUppercase: bool
    RequireLowercase: bool
    RequireNumbers: bool
    RequireSymbols: bool
    PasswordHistorySize: int
    TemporaryPasswordValidityDays: int


class PoolPolicies(TypedDict, total=False):
    PasswordPolicy: PasswordPolicy


class UserPool(TypedDict, total=False):
    Id: str
    Name: str
    UsernameAttributes: list[str]
    UsernameConfiguration: dict[str, Any]
    AutoVerifiedAttributes: list[str]
    Policies: PoolPolicies
    MfaConfiguration: str
    AccountRecoverySetting: dict[str, Any]
    DeletionProtection: str
    Domain: str
    CustomDomain: str
    LastModifiedDate: str
    CreationDate: str


class ClientFields(TypedDict, total=False):
    ClientId: str
    ClientName: str
    AllowedOAuthFlowsUserPoolClient: bool
    AllowedOAuthFlows: list[str]
    AllowedOAuthScopes: list[str]
    CallbackURLs: list[str]
    LogoutURLs: list[str]
    DefaultRedirectURI: str
    SupportedIdentityProviders: list[str]
    ExplicitAuthFlows: list[str]
    PreventUserExistenceErrors: str
    EnableTokenRevocation: bool
    AccessTokenValidity: int
    IdTokenValidity: int
    RefreshTokenValidity: int
    TokenValidityUnits: dict[str, str]


class Client(ClientFields, total=False):
    HasSecret: bool  # the secret itself is never kept


class Domain(TypedDict, total=False):
    Domain: str
    Status: str
    UserPoolId: str
    CloudFrontDistribution: str
    ManagedLoginVersion: int  # moto does not report it
    Version: str


class CognitoData(TypedDict, total=False):
    user_pool_id: str | None
    client_id: str | None
    pool: UserPool | None
    client: Client | None
    domain_prefix: str | None
    domain_prefix_source: str
    domain: Domain | None


# --- apigatewayv2 ------------------------------------------------------------------------------------------------


class Cors(TypedDict, total=False):
    AllowOrigins: list[str]
    AllowCredentials: bool
    AllowHeaders: list[str]
    AllowMethods: list[str]
    ExposeHeaders: list[str]
    MaxAge: int


class Api(TypedDict, total=False):
    ApiId: str
    Name: str
    ProtocolType: str
    ApiEndpoint: str
    CorsConfiguration: Cors
    DisableExecuteApiEndpoint: bool


class Route(TypedDict, total=False):
    RouteId: str
    RouteKey: str
    Target: str
    AuthorizationType: str


class Integration(TypedDict, total=False):
    IntegrationId: str
    IntegrationType: str
    IntegrationMethod: str
    IntegrationUri: str
    PayloadFormatVersion: str
    TimeoutInMillis: int


class RouteSettings(TypedDict, total=False):
    ThrottlingBurstLimit: int
    ThrottlingRateLimit: float
    DetailedMetricsEnabled: bool
    LoggingLevel: str
    DataTraceEnabled: bool


class Stage(TypedDict, total=False):
    StageName: str
    AutoDeploy: bool
    DefaultRouteSettings: RouteSettings
    RouteSettings: dict[str, RouteSettings]
    LastUpdatedDate: str


class ApiGatewayV2Data(TypedDict, total=False):
    api_id: str | None
    api_id_source: str
    api: Api | None
    routes: list[Route] | None
    integrations: list[Integration] | None
    stages: list[Stage] | None


# --- sqs, ssm, secretsmanager (the CRM consumer's; empty while env crm.enabled is false) ---------------------------


class QueueAttributes(TypedDict, total=False):
    """The attributes asked for (GetQueueAttributes); the counts are kept as ints, the rest as SQS's strings."""

    QueueArn: str
    ApproximateNumberOfMessages: int
    ApproximateNumberOfMessagesNotVisible: int
    ApproximateNumberOfMessagesDelayed: int
    MessageRetentionPeriod: str
    SqsManagedSseEnabled: str
    KmsMasterKeyId: str
    CreatedTimestamp: str


class Queue(QueueAttributes, total=False):
    QueueName: str


class SqsData(TypedDict, total=False):
    dlq_name: str | None
    destinations: list[str]  # the SQS ARNs the consumer's mappings send failures to
    queues: dict[str, Queue | None]  # queue name → queue (None: not described)


class Parameter(TypedDict, total=False):
    Name: str
    ARN: str
    Type: str
    KeyId: str
    LastModifiedDate: str
    Version: int
    Tier: str
    DataType: str


class SsmData(TypedDict, total=False):
    token_parameter: str | None
    parameters: dict[str, Parameter | None]  # name → metadata (None: not found); a value is never read


class Secret(TypedDict, total=False):
    ARN: str
    Name: str
    KmsKeyId: str
    RotationEnabled: bool
    LastChangedDate: str
    DeletedDate: str


class SecretsManagerData(TypedDict, total=False):
    secrets: dict[str, Secret | None]  # secret id → metadata (None: not described)


# --- the sections -------------------------------------------------------------------------------------------------


class StsSection(SectionMeta, StsData): ...


class CloudFormationSection(SectionMeta, CloudFormationData): ...


class LambdaSection(SectionMeta, LambdaData): ...


class IamSection(SectionMeta, IamData): ...


class DynamoDBSection(SectionMeta, DynamoDBData): ...


class LogsSection(SectionMeta, LogsData): ...


class CloudWatchSection(SectionMeta, CloudWatchData): ...


class SnsSection(SectionMeta, SnsData): ...


class CognitoSection(SectionMeta, CognitoData): ...


class ApiGatewayV2Section(SectionMeta, ApiGatewayV2Data): ...


class SqsSection(SectionMeta, SqsData): ...


class SsmSection(SectionMeta, SsmData): ...


class SecretsManagerSection(SectionMeta, SecretsManagerData): ...


# Service name → section ("lambda" is a keyword, hence the call syntax). Partial: the report reads whatever files
# exist.
Sections = TypedDict(
    "Sections",
    {
        "sts": StsSection,
        "cloudformation": CloudFormationSection,
        "lambda": LambdaSection,
        "iam": IamSection,
        "dynamodb": DynamoDBSection,
        "logs": LogsSection,
        "cloudwatch": CloudWatchSection,
        "sns": SnsSection,
        "cognito": CognitoSection,
        "apigatewayv2": ApiGatewayV2Section,
        "sqs": SqsSection,
        "ssm": SsmSection,
        "secretsmanager": SecretsManagerSection,
    },
    total=False,
)


class SectionGetter(Protocol):
    """`get(service)`: the section of a service, typed by its name; a name only known at run time (a check's
    services) gets the meta keys, so a misspelt name leaves no data key to read."""

    @overload
    def __call__(self, service: Literal["sts"]) -> StsSection: ...
    @overload
    def __call__(self, service: Literal["cloudformation"]) -> CloudFormationSection: ...
    @overload
    def __call__(self, service: Literal["lambda"]) -> LambdaSection: ...
    @overload
    def __call__(self, service: Literal["iam"]) -> IamSection: ...
    @overload
    def __call__(self, service: Literal["dynamodb"]) -> DynamoDBSection: ...
    @overload
    def __call__(self, service: Literal["logs"]) -> LogsSection: ...
    @overload
    def __call__(self, service: Literal["cloudwatch"]) -> CloudWatchSection: ...
    @overload
    def __call__(self, service: Literal["sns"]) -> SnsSection: ...
    @overload
    def __call__(self, service: Literal["cognito"]) -> CognitoSection: ...
    @overload
    def __call__(self, service: Literal["apigatewayv2"]) -> ApiGatewayV2Section: ...
    @overload
    def __call__(self, service: Literal["sqs"]) -> SqsSection: ...
    @overload
    def __call__(self, service: Literal["ssm"]) -> SsmSection: ...
    @overload
    def __call__(self, service: Literal["secretsmanager"]) -> SecretsManagerSection: ...
    @overload
    def __call__(self, service: str) -> SectionMeta: ...
    def __call__(self, service: str) -> Any: ...  # the untyped signature, for typing.get_overloads


class ItemGetter(Protocol):
    """`View.item(service, key, *error_keys)`: the item a collector may have recorded as None, never None."""

    @overload
    def __call__(self, service: Literal["sts"], key: Literal["account"], *error_keys: str) -> str: ...
    @overload
    def __call__(self, service: Literal["cloudformation"], key: Literal["stack"], *error_keys: str) -> Stack: ...
    @overload
    def __call__(
        self, service: Literal["cloudformation"], key: Literal["template"], *error_keys: str
    ) -> TemplateSummary: ...
    @overload
    def __call__(self, service: Literal["lambda"], key: Literal["function"], *error_keys: str) -> Function: ...
    @overload
    def __call__(self, service: Literal["lambda"], key: Literal["aliases"], *error_keys: str) -> list[Alias]: ...
    @overload
    def __call__(self, service: Literal["lambda"], key: Literal["versions"], *error_keys: str) -> list[str]: ...
    @overload
    def __call__(self, service: Literal["lambda"], key: Literal["crm"], *error_keys: str) -> CrmConsumer: ...
    @overload
    def __call__(self, service: Literal["iam"], key: Literal["role"], *error_keys: str) -> Role: ...
    @overload
    def __call__(self, service: Literal["logs"], key: Literal["group"], *error_keys: str) -> LogGroup: ...
    @overload
    def __call__(self, service: Literal["logs"], key: Literal["crm_group"], *error_keys: str) -> LogGroup: ...
    @overload
    def __call__(
        self, service: Literal["cloudwatch"], key: Literal["alarms"], *error_keys: str
    ) -> dict[str, MetricAlarm]: ...
    @overload
    def __call__(
        self, service: Literal["cloudwatch"], key: Literal["composite_alarms"], *error_keys: str
    ) -> dict[str, CompositeAlarm]: ...
    @overload
    def __call__(self, service: Literal["cloudwatch"], key: Literal["dashboard"], *error_keys: str) -> Dashboard: ...
    @overload
    def __call__(self, service: Literal["sns"], key: Literal["topic"], *error_keys: str) -> Topic: ...
    @overload
    def __call__(self, service: Literal["cognito"], key: Literal["pool"], *error_keys: str) -> UserPool: ...
    @overload
    def __call__(self, service: Literal["cognito"], key: Literal["client"], *error_keys: str) -> Client: ...
    @overload
    def __call__(self, service: Literal["cognito"], key: Literal["domain"], *error_keys: str) -> Domain: ...
    @overload
    def __call__(self, service: Literal["apigatewayv2"], key: Literal["api_id"], *error_keys: str) -> str: ...
    @overload
    def __call__(self, service: Literal["apigatewayv2"], key: Literal["api"], *error_keys: str) -> Api: ...
    @overload
    def __call__(self, service: Literal["apigatewayv2"], key: Literal["routes"], *error_keys: str) -> list[Route]: ...
    @overload
    def __call__(
        self, service: Literal["apigatewayv2"], key: Literal["integrations"], *error_keys: str
    ) -> list[Integration]: ...
    @overload
    def __call__(self, service: Literal["apigatewayv2"], key: Literal["stages"], *error_keys: str) -> list[Stage]: ...
    def __call__(self, service: str, key: str, *error_keys: str) -> Any: ...  # likewise


class SnapshotLike(Protocol):
    """What the rules read: the environment and each service's section (InfraSnapshot, or a test's static one)."""

    env: Environment

    @property
    def get(self) -> SectionGetter: ...
