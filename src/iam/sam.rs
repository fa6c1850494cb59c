//! The policies AWS SAM generates: policy templates, connector profiles, and what SAM adds to the
//! roles it generates for `AWS::Serverless::Function` and `AWS::Serverless::StateMachine`.
//!
//! The templates and profiles are the SAM transform's own data (`rules/wiring/*.json`, generated
//! by `scripts/gen_sam_policy_data.py` from PyPI `aws-sam-translator`, Apache-2.0; see
//! `rules/README.md`), embedded and parsed on first use. What SAM adds to a generated role
//! outside those files is written in its code; [`implicit_function_policies`] and
//! [`implicit_state_machine_policies`] restate it by hand, citing the source files.
//!
//! Everything here is pure: the caller says what the template wrote (as `Fn::Sub` text) and gets
//! statements back. A resource is `Fn::Sub` text — `${AWS::Partition}`, `${Queue.Arn}` and
//! `${Param}` are variables, `${!x}` is a literal `${x}` — or `*`. Whatever cannot be expanded
//! faithfully (an unknown name, a missing argument, a form of the data this module does not read)
//! gives `None`: unknown, never a guess.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

const TEMPLATES_JSON: &str = include_str!("../../rules/wiring/sam-policy-templates.json");
const PROFILES_JSON: &str = include_str!("../../rules/wiring/sam-connector-profiles.json");

/// One statement SAM generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamStatement {
    /// `Effect: Allow` (every statement SAM's data holds today is one).
    pub effect_allow: bool,
    /// Action patterns as written (`sqs:ReceiveMessage`, `s3:GetObject*`; SAM's own code writes
    /// some in lower case, like `sns:publish`: IAM action names are case-insensitive).
    pub actions: Vec<String>,
    /// `Fn::Sub` text of each resource, or `*`.
    pub resources: Vec<String>,
    /// The statement has a `Condition` (or, for a Lambda permission, a source restriction), so it
    /// may not apply to every request.
    pub conditional: bool,
}

impl SamStatement {
    fn allow(actions: &[&str], resources: Vec<String>) -> Self {
        SamStatement {
            effect_allow: true,
            actions: actions.iter().map(|a| a.to_string()).collect(),
            resources,
            conditional: false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The embedded data

#[derive(Deserialize)]
struct TemplatesFile {
    templates: BTreeMap<String, Template>,
}

#[derive(Deserialize)]
struct Template {
    parameters: Vec<String>,
    statements: Vec<Value>,
}

#[derive(Deserialize)]
struct ProfilesFile {
    /// Source type -> destination type -> profile.
    profiles: BTreeMap<String, BTreeMap<String, Profile>>,
    /// By type: what an `Id` reference stands for.
    resources: BTreeMap<String, ConnectorResource>,
}

/// What SAM reads of a connector end given by `Id`.
#[derive(Deserialize)]
struct ConnectorResource {
    /// `Arn`, `Name`, `Id`, `Qualifier`, `Url`: CloudFormation values with `%{logicalId}`.
    outputs: BTreeMap<String, Value>,
    /// The property naming its role (a string), or `{"Function": "GetEventsRuleRole"}`.
    #[serde(default)]
    role: Option<Value>,
}

#[derive(Deserialize)]
struct Profile {
    #[serde(rename = "type")]
    kind: String,
    source_policy: bool,
    /// `[name, grant]` pairs in SAM's order.
    categories: Vec<(String, Value)>,
    /// The accepted permission combinations, when SAM restricts them.
    #[serde(default)]
    valid: Option<Vec<Vec<String>>>,
}

fn templates() -> Option<&'static BTreeMap<String, Template>> {
    static DATA: OnceLock<Option<BTreeMap<String, Template>>> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str::<TemplatesFile>(TEMPLATES_JSON)
            .ok()
            .map(|f| f.templates)
    })
    .as_ref()
}

fn profiles_file() -> Option<&'static ProfilesFile> {
    static DATA: OnceLock<Option<ProfilesFile>> = OnceLock::new();
    DATA.get_or_init(|| serde_json::from_str(PROFILES_JSON).ok())
        .as_ref()
}

fn profiles() -> Option<&'static BTreeMap<String, BTreeMap<String, Profile>>> {
    profiles_file().map(|p| &p.profiles)
}

// ---------------------------------------------------------------------------------------------
// Fn::Sub text

/// A literal as `Fn::Sub` text: `${` is escaped as `${!`.
fn literal_as_sub(text: &str) -> String {
    text.replace("${", "${!")
}

/// Replace each `${name}` of Sub `text` for which `lookup` has an answer; `${!…}` escapes and
/// names `lookup` leaves alone (`None` inside `Some`) are kept. `None` when `lookup` fails.
fn substitute(text: &str, lookup: &dyn Fn(&str) -> Option<Option<String>>) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Some(out);
        };
        let name = &after[..end];
        if name.starts_with('!') {
            out.push_str(&rest[start..start + 2 + end + 1]);
        } else {
            match lookup(name)? {
                Some(value) => out.push_str(&value),
                None => out.push_str(&rest[start..start + 2 + end + 1]),
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The Sub text of a policy template value: a literal, `Fn::Sub` (string or `[text, map]`),
/// `Ref` of a template parameter, `Fn::Join` of those. `args` gives the Sub text of a parameter.
fn template_value(
    value: &Value,
    parameters: &[String],
    args: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    match value {
        Value::String(s) => Some(literal_as_sub(s)),
        Value::Object(map) if map.len() == 1 => {
            let (key, inner) = map.iter().next()?;
            match (key.as_str(), inner) {
                ("Ref", Value::String(name)) => {
                    // SAM resolves only `Ref`s of the template's own parameters.
                    parameters.iter().any(|p| p == name).then(|| args(name))?
                }
                ("Fn::Sub", Value::String(text)) => Some(text.clone()),
                ("Fn::Sub", Value::Array(pair)) if pair.len() == 2 => {
                    let text = pair[0].as_str()?;
                    let vars = pair[1].as_object()?;
                    let mut values = BTreeMap::new();
                    for (var, v) in vars {
                        values.insert(var.as_str(), template_value(v, parameters, args)?);
                    }
                    substitute(text, &|name| Some(values.get(name).cloned()))
                }
                ("Fn::Join", Value::Array(pair)) if pair.len() == 2 => {
                    let separator = literal_as_sub(pair[0].as_str()?);
                    let parts = pair[1].as_array()?;
                    let texts = parts
                        .iter()
                        .map(|p| template_value(p, parameters, args))
                        .collect::<Option<Vec<_>>>()?;
                    Some(texts.join(&separator))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The strings of an `Action` (a string or a list of strings).
fn action_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// A statement of SAM's data, each resource made Sub text by `resource`.
fn statement(value: &Value, resource: &dyn Fn(&Value) -> Option<String>) -> Option<SamStatement> {
    let map = value.as_object()?;
    if map.contains_key("NotAction") || map.contains_key("NotResource") {
        return None;
    }
    let effect_allow = match map.get("Effect")?.as_str()? {
        "Allow" => true,
        "Deny" => false,
        _ => return None,
    };
    let actions = action_list(map.get("Action")?)?;
    let resources = match map.get("Resource")? {
        Value::Array(items) => items.iter().map(resource).collect::<Option<Vec<_>>>()?,
        single => vec![resource(single)?],
    };
    Some(SamStatement {
        effect_allow,
        actions,
        resources,
        conditional: map.contains_key("Condition"),
    })
}

// ---------------------------------------------------------------------------------------------
// Policy templates

/// The statements of SAM policy template `name` (`SQSPollerPolicy`, case-sensitive as SAM is),
/// with `args(parameter)` giving the `Fn::Sub` text of the value the template passed for each of
/// its parameters (`!Ref Queue` → `${Queue}`, `!GetAtt Q.QueueName` → `${Q.QueueName}`, a
/// literal → itself, with `${` escaped as `${!`). `None`: an unknown template, a parameter
/// `args` has no text for (SAM fails on a missing one; an unresolvable value is unknown), or a
/// form of the data that cannot be turned into Sub text.
pub fn policy_template(
    name: &str,
    args: &dyn Fn(&str) -> Option<String>,
) -> Option<Vec<SamStatement>> {
    let template = templates()?.get(name)?;
    // SAM refuses a template whose parameters are not all given, even unused ones.
    for p in &template.parameters {
        args(p)?;
    }
    template
        .statements
        .iter()
        .map(|s| statement(s, &|r| template_value(r, &template.parameters, args)))
        .collect()
}

/// The parameter names of policy template `name` (sorted), `None` when there is no such template.
pub fn policy_template_parameters(name: &str) -> Option<&'static [String]> {
    templates()?.get(name).map(|t| t.parameters.as_slice())
}

/// Every SAM policy template name, sorted (for "did you mean").
pub fn policy_template_names() -> impl Iterator<Item = &'static str> {
    templates()
        .into_iter()
        .flat_map(|t| t.keys().map(String::as_str))
}

// ---------------------------------------------------------------------------------------------
// Connectors

/// The end of an `AWS::Serverless::Connector` a generated policy belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorSide {
    Source,
    Destination,
}

/// What SAM generates for a connector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectorPolicyKind {
    /// An `AWS::IAM::ManagedPolicy` attached to the role of [`ConnectorPolicy::attached_to`]
    /// (SAM fails when that resource has no role it can name). The only kind that grants a role.
    RolePolicy,
    /// An `AWS::SQS::QueuePolicy` on the queue [`ConnectorPolicy::attached_to`] is, letting
    /// [`ConnectorPolicy::service_principal`] send to it.
    QueuePolicy,
    /// An `AWS::SNS::TopicPolicy` on that topic, for the service principal.
    TopicPolicy,
    /// An `AWS::Lambda::Permission` (one per permission) on that function, for the service
    /// principal; the statement's resource is the function's ARN.
    LambdaPermission {
        /// `SourceArn` as Sub text.
        source_arn: Option<String>,
        /// `SourceAccount` as Sub text.
        source_account: Option<String>,
    },
}

/// The policy an `AWS::Serverless::Connector` generates for one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorPolicy {
    pub kind: ConnectorPolicyKind,
    /// Whose role holds it ([`ConnectorPolicyKind::RolePolicy`]), or which resource it is a
    /// resource policy of (the others).
    pub attached_to: ConnectorSide,
    /// The service a resource policy or Lambda permission lets in (`events.amazonaws.com`).
    pub service_principal: Option<String>,
    pub statements: Vec<SamStatement>,
}

/// The CloudFormation type SAM uses for a connector end of type `sam_type` (connector.py maps
/// the SAM types to the resources they become; others are themselves).
fn connector_type(sam_type: &str) -> &str {
    match sam_type {
        "AWS::Serverless::Function" => "AWS::Lambda::Function",
        "AWS::Serverless::StateMachine" => "AWS::StepFunctions::StateMachine",
        "AWS::Serverless::Api" => "AWS::ApiGateway::RestApi",
        "AWS::Serverless::HttpApi" => "AWS::ApiGatewayV2::Api",
        "AWS::Serverless::SimpleTable" => "AWS::DynamoDB::Table",
        other => other,
    }
}

/// Whether SAM has a connector profile from `source_type` to `destination_type` (SAM or
/// CloudFormation types).
pub fn connector_supported(source_type: &str, destination_type: &str) -> bool {
    profiles()
        .and_then(|p| p.get(connector_type(source_type)))
        .is_some_and(|d| d.contains_key(connector_type(destination_type)))
}

/// The Sub text SAM uses for `field` of a connector end written `Id: logical_id`, the resource
/// being of `resource_type` (SAM or CloudFormation type): `field` is what
/// [`connector_policy`]'s callbacks are asked for (`Arn`, `Name`, `ResourceId`, `Qualifier`).
/// E.g. a queue's `Arn` is `${Queue.Arn}`, a topic's `${Topic}` (its `Ref`), an API's
/// `Qualifier` is `*` (an explicit `Qualifier` of the reference wins; SAM's connector.py).
/// `None`: SAM has no such value for the type (it then rejects a profile that needs it).
pub fn connector_id_value(resource_type: &str, logical_id: &str, field: &str) -> Option<String> {
    let resource = profiles_file()?
        .resources
        .get(connector_type(resource_type))?;
    let key = if field == "ResourceId" { "Id" } else { field };
    match resource.outputs.get(key)? {
        Value::String(s) => Some(literal_as_sub(s)),
        Value::Object(map) if map.len() == 1 => match map.iter().next()? {
            (k, Value::String(id)) if k == "Ref" && id == "%{logicalId}" => {
                Some(format!("${{{logical_id}}}"))
            }
            (k, Value::Array(pair)) if k == "Fn::GetAtt" && pair.len() == 2 => {
                let (id, attribute) = (pair[0].as_str()?, pair[1].as_str()?);
                (id == "%{logicalId}").then(|| format!("${{{logical_id}.{attribute}}}"))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Where SAM finds the role of a connector end given by `Id` (connector.py
/// `_get_resource_role_name`): the role's name is the logical id that property references
/// (`!Ref Role`, `!GetAtt Role.Arn`); a role given any other way (an ARN, a parameter) makes SAM
/// fail when the profile needs it. A SAM function or state machine without `Role` has the role
/// SAM generates, `<logical id>Role` (role_utils/role_constructor.py).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorRoleSource {
    /// This property of the resource (`Role` of a function, `RoleArn` of a state machine,
    /// `ServiceRoleArn` of an AppSync data source).
    Property(&'static str),
    /// An `AWS::Events::Rule`: the `RoleArn` of its target whose `Arn` references the
    /// connector's other end.
    EventsRuleTarget,
}

/// Where the role of a connector end of `resource_type` comes from, `None` for types without one
/// (queues, topics, tables…).
pub fn connector_role_source(resource_type: &str) -> Option<ConnectorRoleSource> {
    let resource = profiles_file()?
        .resources
        .get(connector_type(resource_type))?;
    match resource.role.as_ref()? {
        Value::String(property) => Some(ConnectorRoleSource::Property(property.as_str())),
        Value::Object(map) if map.get("Function")?.as_str()? == "GetEventsRuleRole" => {
            Some(ConnectorRoleSource::EventsRuleTarget)
        }
        _ => None,
    }
}

/// Replace the `%{Source.X}` / `%{Destination.X}` placeholders of a profile string (itself Sub
/// text: it may hold `${AWS::Partition}`) with `source(X)` / `destination(X)`.
fn profile_text(
    text: &str,
    source: &dyn Fn(&str) -> Option<String>,
    destination: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("%{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let (side, field) = after[..end].split_once('.')?;
        let value = match side {
            "Source" => source(field)?,
            "Destination" => destination(field)?,
            _ => return None,
        };
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// What an `AWS::Serverless::Connector` from a `source_type` resource to a `destination_type`
/// one with `Permissions: permissions` generates, as SAM's connector profiles say. A connector
/// with a list of destinations (or a resource's embedded `Connectors`, whose source is the
/// resource itself) generates one such policy per destination: call once for each.
///
/// `source(field)` and `destination(field)` give the Sub text of each end's values the profile
/// uses: `Arn`, `Name`, `ResourceId`, `Qualifier`. For an end written `Id: X`,
/// [`connector_id_value`] gives what SAM derives (`${Queue.Arn}` for a queue's `Arn`, `*` for an
/// API's `Qualifier`); for an end written with `Arn:`, `Name:`… it is those values' Sub text.
/// Types may be SAM's (`AWS::Serverless::Function`) or CloudFormation's.
///
/// `None`: no profile for the pair, permissions SAM rejects (empty, unknown for the pair, or a
/// combination the profile does not allow), or a value the callbacks cannot give.
pub fn connector_policy(
    source_type: &str,
    destination_type: &str,
    permissions: &[&str],
    source: &dyn Fn(&str) -> Option<String>,
    destination: &dyn Fn(&str) -> Option<String>,
) -> Option<ConnectorPolicy> {
    let profile = profiles()?
        .get(connector_type(source_type))?
        .get(connector_type(destination_type))?;
    let mut wanted: Vec<&str> = permissions.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty()
        || !wanted
            .iter()
            .all(|w| profile.categories.iter().any(|(name, _)| name == w))
    {
        return None;
    }
    if let Some(valid) = &profile.valid {
        let accepted = valid.iter().any(|combination| {
            let mut c: Vec<&str> = combination.iter().map(String::as_str).collect();
            c.sort_unstable();
            c == wanted
        });
        if !accepted {
            return None;
        }
    }
    let attached_to = if profile.source_policy {
        ConnectorSide::Source
    } else {
        ConnectorSide::Destination
    };
    let chosen = profile
        .categories
        .iter()
        .filter(|(name, _)| wanted.contains(&name.as_str()))
        .map(|(_, grant)| grant);
    let text = |v: &Value| profile_text(v.as_str()?, source, destination);
    let mut statements = Vec::new();
    let mut service_principal = None;
    let kind = match profile.kind.as_str() {
        "AWS_LAMBDA_PERMISSION" => {
            let function = match attached_to {
                ConnectorSide::Source => source("Arn")?,
                ConnectorSide::Destination => destination("Arn")?,
            };
            let mut source_arn = None;
            let mut source_account = None;
            for grant in chosen {
                let action = grant.get("Action")?.as_str()?;
                service_principal = Some(grant.get("Principal")?.as_str()?.to_string());
                // Absent: `Some(None)`; present but not expressible: `None`.
                let optional = |key: &str| match grant.get(key) {
                    None => Some(None),
                    Some(v) => text(v).map(Some),
                };
                source_arn = optional("SourceArn")?;
                source_account = optional("SourceAccount")?;
                let mut s = SamStatement::allow(&[action], vec![function.clone()]);
                s.conditional = source_arn.is_some() || source_account.is_some();
                statements.push(s);
            }
            ConnectorPolicyKind::LambdaPermission {
                source_arn,
                source_account,
            }
        }
        kind => {
            for grant in chosen {
                for s in grant.get("Statement")?.as_array()? {
                    statements.push(statement(s, &text)?);
                    if let Some(service) = s.pointer("/Principal/Service") {
                        service_principal = Some(service.as_str()?.to_string());
                    }
                }
            }
            match kind {
                "AWS_IAM_ROLE_MANAGED_POLICY" => ConnectorPolicyKind::RolePolicy,
                "AWS_SQS_QUEUE_POLICY" => ConnectorPolicyKind::QueuePolicy,
                "AWS_SNS_TOPIC_POLICY" => ConnectorPolicyKind::TopicPolicy,
                _ => return None,
            }
        }
    };
    Some(ConnectorPolicy {
        kind,
        attached_to,
        service_principal,
        statements,
    })
}

// ---------------------------------------------------------------------------------------------
// What SAM adds to the roles it generates (hand-written; checked against aws-sam-translator
// 1.115.0, the version rules/data-inputs.lock pins)

/// What SAM attaches to a role it generates, besides what the resource's `Policies` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImplicitPolicies {
    /// AWS managed policies by name (in the `aws` partition; `iam::managed_policy` has them).
    pub managed: Vec<&'static str>,
    /// Inline statements.
    pub statements: Vec<SamStatement>,
    /// SAM adds more than this lists (statements built from event properties this table does
    /// not model): a grant missing here may still be there, so its absence is unknown.
    pub incomplete: bool,
}

/// An event of a SAM function, as far as its generated role is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionEvent<'a> {
    /// The event's `Type` (`SQS`, `Kinesis`, `Api`…).
    pub event_type: &'a str,
    /// An `SNS` event's `SqsSubscription` is set (true or a queue): SAM puts a queue between the
    /// topic and the function, and polls it like an `SQS` event.
    pub sqs_subscription: bool,
    /// A pull event's `DestinationConfig.OnFailure`: its `Type` (`SQS`, `SNS`, `S3`, `Kafka`; SAM
    /// adds a statement only when `Type` is given) and the Sub text of its `Destination`.
    pub on_failure: Option<(&'a str, Option<String>)>,
}

/// The parts of an `AWS::Serverless::Function` without `Role` that shape its generated role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionRole<'a> {
    /// `DurableConfig` is set.
    pub durable: bool,
    /// `Tracing` as written (resolved if it was a parameter; any other intrinsic: pass the
    /// empty string, SAM treats it as set and not `Disabled`). `None`: not set.
    pub tracing: Option<&'a str>,
    /// `VpcConfig` is set.
    pub vpc_config: bool,
    /// `DeadLetterQueue`: its `Type` (`SQS`, `SNS`) and the Sub text of its `TargetArn`.
    pub dead_letter_queue: Option<(&'a str, String)>,
    /// `EventInvokeConfig.DestinationConfig`'s `OnSuccess` and `OnFailure`: each `Type`
    /// (`SQS`, `SNS`, `EventBridge`, `Lambda`, `S3Bucket`) with the Sub text of its
    /// `Destination` (`None` when absent or not expressible: SAM creates the queue or topic).
    pub event_invoke_destinations: Vec<(&'a str, Option<String>)>,
    pub events: Vec<FunctionEvent<'a>>,
}

/// What SAM adds to the role it generates for a function (aws-sam-translator 1.115.0):
///
/// * `AWSLambdaBasicExecutionRole`, or `AWSLambdaBasicDurableExecutionRolePolicy` with
///   `DurableConfig` (sam_resources.py, `SamFunction._construct_role`);
/// * `AWSXrayWriteOnlyAccess` when `Tracing` is set and not `Disabled` (ibid.;
///   `xray_utils.get_xray_managed_policy_name`: in the `aws` partition — other partitions get
///   `AWSXRayDaemonWriteAccess`);
/// * `AWSLambdaVPCAccessExecutionRole` with `VpcConfig` (ibid.);
/// * the dead-letter queue statement, `sqs:SendMessage` or `sns:Publish` on `TargetArn`
///   (ibid., `dead_letter_queue_policy_actions`; iam.py `dead_letter_queue_policy`);
/// * per pull event (eventsources/pull.py, `get_policy_arn`): `SQS` →
///   `AWSLambdaSQSQueueExecutionRole`, `Kinesis` → `AWSLambdaKinesisExecutionRole`, `DynamoDB`
///   → `AWSLambdaDynamoDBExecutionRole`, `MSK` → `AWSLambdaMSKExecutionRole`; an `SNS` event with
///   `SqsSubscription` → `AWSLambdaSQSQueueExecutionRole` (eventsources/push.py,
///   `_inject_sqs_event_source_mapping`). `MSK` (secrets of `SourceAccessConfigurations`,
///   `SchemaRegistryConfig`), `MQ`, `SelfManagedKafka` and `DocumentDB` add statements built
///   from their properties, not modelled here: the result is then `incomplete`;
/// * a pull event's `DestinationConfig.OnFailure` with a `Type` (pull.py `to_cloudformation`,
///   iam.py): `SQS` → `sqs:SendMessage`, `SNS` → `sns:publish` on the destination, `S3` →
///   `s3:PutObject` on `<destination>/*` and `s3:ListBucket` on the destination, `Kafka` →
///   nothing;
/// * `EventInvokeConfig` destinations with a `Type` (sam_resources.py
///   `_add_event_invoke_managed_policy`, iam.py): `SQS`, `SNS` as above, `EventBridge` →
///   `events:PutEvents`, `Lambda` → `lambda:InvokeFunction`, `S3Bucket` as `S3` above.
///
/// Push events (`Api`, `S3`, `SNS` without a queue, `Schedule`, `EventBridgeRule`…) add
/// resource policies or roles of their own, nothing to the function's role. None of this applies
/// when the function names its `Role`. An unknown event type or destination type makes the
/// result `incomplete`.
pub fn implicit_function_policies(function: &FunctionRole) -> ImplicitPolicies {
    let mut out = ImplicitPolicies::default();
    out.managed.push(if function.durable {
        "AWSLambdaBasicDurableExecutionRolePolicy"
    } else {
        "AWSLambdaBasicExecutionRole"
    });
    if function.tracing.is_some_and(|t| t != "Disabled") {
        out.managed.push("AWSXrayWriteOnlyAccess");
    }
    if function.vpc_config {
        out.managed.push("AWSLambdaVPCAccessExecutionRole");
    }
    if let Some((kind, target)) = &function.dead_letter_queue {
        match *kind {
            "SQS" => out.statements.push(SamStatement::allow(
                &["sqs:SendMessage"],
                vec![target.clone()],
            )),
            "SNS" => out
                .statements
                .push(SamStatement::allow(&["sns:Publish"], vec![target.clone()])),
            _ => out.incomplete = true, // SAM rejects the template
        }
    }
    for (kind, destination) in &function.event_invoke_destinations {
        destination_statements(kind, destination.as_deref(), true, &mut out);
    }
    for event in &function.events {
        let managed = match event.event_type {
            "SQS" => Some("AWSLambdaSQSQueueExecutionRole"),
            "Kinesis" => Some("AWSLambdaKinesisExecutionRole"),
            "DynamoDB" => Some("AWSLambdaDynamoDBExecutionRole"),
            "MSK" => {
                out.incomplete = true;
                Some("AWSLambdaMSKExecutionRole")
            }
            "SNS" if event.sqs_subscription => Some("AWSLambdaSQSQueueExecutionRole"),
            "MQ" | "SelfManagedKafka" | "DocumentDB" => {
                out.incomplete = true;
                None
            }
            "Api" | "HttpApi" | "S3" | "SNS" | "Schedule" | "ScheduleV2" | "CloudWatchEvent"
            | "EventBridgeRule" | "CloudWatchLogs" | "IoTRule" | "AlexaSkill" | "Cognito" => None,
            _ => {
                out.incomplete = true;
                None
            }
        };
        if let Some(name) = managed {
            if !out.managed.contains(&name) {
                out.managed.push(name);
            }
        }
        if let Some((kind, destination)) = &event.on_failure {
            destination_statements(kind, destination.as_deref(), false, &mut out);
        }
    }
    out
}

/// The statements SAM adds for a failure or invocation destination of `kind`
/// (`event_invoke`: an `EventInvokeConfig` destination, whose S3 type is `S3Bucket` and which
/// also accepts `EventBridge` and `Lambda`; otherwise a pull event's `OnFailure`).
fn destination_statements(
    kind: &str,
    destination: Option<&str>,
    event_invoke: bool,
    out: &mut ImplicitPolicies,
) {
    if kind == "Kafka" && !event_invoke {
        return; // SAM passes Kafka destinations through without a policy
    }
    let Some(arn) = destination else {
        out.incomplete = true;
        return;
    };
    let arn = arn.to_string();
    let s3 = if event_invoke { "S3Bucket" } else { "S3" };
    match kind {
        "SQS" => out
            .statements
            .push(SamStatement::allow(&["sqs:SendMessage"], vec![arn])),
        "SNS" => out
            .statements
            .push(SamStatement::allow(&["sns:publish"], vec![arn])),
        "EventBridge" if event_invoke => out
            .statements
            .push(SamStatement::allow(&["events:PutEvents"], vec![arn])),
        "Lambda" if event_invoke => out
            .statements
            .push(SamStatement::allow(&["lambda:InvokeFunction"], vec![arn])),
        k if k == s3 => {
            out.statements.push(SamStatement::allow(
                &["s3:PutObject"],
                vec![format!("{arn}/*")],
            ));
            out.statements
                .push(SamStatement::allow(&["s3:ListBucket"], vec![arn]));
        }
        _ => out.incomplete = true,
    }
}

/// What SAM adds to the role it generates for an `AWS::Serverless::StateMachine` without `Role`
/// (aws-sam-translator 1.115.0, stepfunctions/generators.py `_construct_role`): only
/// `AWSXrayWriteOnlyAccess` (in the `aws` partition) when `Tracing.Enabled` is `true`. Its
/// events (`Schedule`, `EventBridgeRule`, `Api`…) get roles of their own
/// (stepfunctions/events.py), not grants on this one.
pub fn implicit_state_machine_policies(tracing_enabled: bool) -> ImplicitPolicies {
    ImplicitPolicies {
        managed: if tracing_enabled {
            vec!["AWSXrayWriteOnlyAccess"]
        } else {
            Vec::new()
        },
        statements: Vec::new(),
        incomplete: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT_ARN: &str = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}";

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_embedded_data_parses() {
        assert!(templates().is_some_and(|t| t.len() >= 50));
        assert!(profiles().is_some_and(|p| p.values().map(BTreeMap::len).sum::<usize>() >= 20));
    }

    #[test]
    fn sqs_poller_policy_grants_receive_on_the_named_queue() {
        let got = policy_template("SQSPollerPolicy", &|p| {
            (p == "QueueName").then(|| "${Queue.QueueName}".to_string())
        })
        .unwrap();
        let receive = got
            .iter()
            .find(|s| s.actions.iter().any(|a| a == "sqs:ReceiveMessage"))
            .unwrap();
        assert!(receive.effect_allow && !receive.conditional);
        assert_eq!(
            receive.resources,
            vec![format!("{ACCOUNT_ARN}:${{Queue.QueueName}}")]
        );
    }

    #[test]
    fn dynamodb_crud_policy_covers_the_table_and_its_indexes() {
        let got = policy_template("DynamoDBCrudPolicy", &|p| {
            (p == "TableName").then(|| "${Table}".to_string())
        })
        .unwrap();
        let table =
            "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Table}";
        let put = got
            .iter()
            .find(|s| s.actions.iter().any(|a| a == "dynamodb:PutItem"))
            .unwrap();
        assert!(put.resources.contains(&table.to_string()));
        assert!(put.resources.contains(&format!("{table}/index/*")));
    }

    #[test]
    fn argument_text_is_inserted_as_given_and_a_fixed_resource_kept() {
        let got = policy_template("S3ReadPolicy", &|_| Some("logs-${Env}".to_string())).unwrap();
        let resources = &got[0].resources;
        assert!(resources.contains(&"arn:${AWS::Partition}:s3:::logs-${Env}".to_string()));
        assert!(resources.contains(&"arn:${AWS::Partition}:s3:::logs-${Env}/*".to_string()));
        let star = policy_template("AMIDescribePolicy", &none).unwrap();
        assert_eq!(star[0].resources, vec!["*".to_string()]);
        assert_eq!(star[0].actions, vec!["ec2:DescribeImages".to_string()]);
    }

    #[test]
    fn a_missing_argument_or_an_unknown_template_is_unknown() {
        assert_eq!(policy_template("SQSPollerPolicy", &none), None);
        assert_eq!(
            policy_template("SQSPolerPolicy", &|_| Some("q".to_string())),
            None
        );
        assert_eq!(
            policy_template("sqspollerpolicy", &|_| Some("q".to_string())),
            None
        );
    }

    #[test]
    fn a_condition_is_reported() {
        let got = policy_template("AWSSecretsManagerRotationPolicy", &|_| {
            Some("${Rotator}".to_string())
        })
        .unwrap();
        assert!(got[0].conditional);
        assert!(!got[1].conditional);
    }

    #[test]
    fn sub_substitution_keeps_escapes_and_foreign_variables() {
        let got = substitute("a${!x}b${y}c${AWS::Region}", &|n| {
            Some((n == "y").then(|| "Y".to_string()))
        });
        assert_eq!(got.as_deref(), Some("a${!x}bYc${AWS::Region}"));
        assert_eq!(substitute("${y}", &|_| None), None);
        let join = serde_json::json!({"Fn::Join": ["/", [{"Ref": "P"}, "*"]]});
        let text = template_value(&join, &["P".to_string()], &|_| Some("${B.Arn}".to_string()));
        assert_eq!(text.as_deref(), Some("${B.Arn}/*"));
        let getatt = serde_json::json!({"Fn::GetAtt": ["B", "Arn"]});
        assert_eq!(template_value(&getatt, &[], &none), None);
        let foreign_ref = serde_json::json!({"Ref": "AWS::Region"});
        assert_eq!(template_value(&foreign_ref, &[], &none), None);
    }

    /// SAM templates may change when the data is refreshed: each must expand when every
    /// parameter is given, unless listed here with the reason.
    const KNOWINGLY_UNSUPPORTED: &[(&str, &str)] = &[];

    #[test]
    fn every_template_expands_with_all_parameters() {
        let mut failed = Vec::new();
        let mut count = 0;
        for name in policy_template_names() {
            count += 1;
            let expected = KNOWINGLY_UNSUPPORTED.iter().any(|(n, _)| *n == name);
            let got = policy_template(name, &|p| Some(format!("${{{p}Value}}")));
            match (&got, expected) {
                (Some(statements), false) => {
                    assert!(!statements.is_empty(), "{name}: no statements");
                    for s in statements {
                        assert!(!s.actions.is_empty() && !s.resources.is_empty(), "{name}");
                        assert!(
                            s.resources.iter().all(|r| !r.contains("%{")),
                            "{name}: {s:?}"
                        );
                    }
                    // Every parameter ends up somewhere (a resource or a condition).
                    let params = policy_template_parameters(name).unwrap();
                    let uses_condition = statements.iter().any(|s| s.conditional);
                    for p in params {
                        let used = statements.iter().any(|s| {
                            s.resources
                                .iter()
                                .any(|r| r.contains(&format!("${{{p}Value}}")))
                        });
                        assert!(used || uses_condition, "{name}: parameter {p} unused");
                    }
                }
                (None, true) => {}
                (Some(_), true) => failed.push(format!("{name} now expands: unlist it")),
                (None, false) => failed.push(format!("{name} does not expand")),
            }
        }
        assert!(count >= 50, "{count} templates");
        assert!(failed.is_empty(), "{failed:#?}");
    }

    #[test]
    fn template_names_are_sorted_and_known() {
        let names: Vec<_> = policy_template_names().collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert!(names.contains(&"SQSSendMessagePolicy"));
        assert_eq!(
            policy_template_parameters("SQSPollerPolicy"),
            Some(&["QueueName".to_string()][..])
        );
    }

    fn arn_of(id: &'static str) -> impl Fn(&str) -> Option<String> {
        move |field| match field {
            "Arn" => Some(format!("${{{id}.Arn}}")),
            "Name" => Some(format!("${{{id}.Name}}")),
            _ => None,
        }
    }

    #[test]
    fn a_function_writing_to_a_queue_gets_send_message_on_its_role() {
        let got = connector_policy(
            "AWS::Serverless::Function",
            "AWS::SQS::Queue",
            &["Write"],
            &arn_of("Fn"),
            &arn_of("Queue"),
        )
        .unwrap();
        assert_eq!(got.kind, ConnectorPolicyKind::RolePolicy);
        assert_eq!(got.attached_to, ConnectorSide::Source);
        assert_eq!(got.service_principal, None);
        assert!(got.statements.iter().any(|s| {
            s.actions.iter().any(|a| a == "sqs:SendMessage")
                && s.resources == vec!["${Queue.Arn}".to_string()]
        }));
        assert!(!got
            .statements
            .iter()
            .any(|s| s.actions.iter().any(|a| a == "sqs:ReceiveMessage")));
    }

    #[test]
    fn a_queue_read_by_a_function_grants_the_function_role() {
        // SAM accepts only Read + Write together for this pair.
        let read_only = connector_policy(
            "AWS::SQS::Queue",
            "AWS::Lambda::Function",
            &["Read"],
            &arn_of("Queue"),
            &arn_of("Fn"),
        );
        assert_eq!(read_only, None);
        let got = connector_policy(
            "AWS::SQS::Queue",
            "AWS::Lambda::Function",
            &["Write", "Read", "Read"],
            &arn_of("Queue"),
            &arn_of("Fn"),
        )
        .unwrap();
        assert_eq!(got.attached_to, ConnectorSide::Destination);
        let actions: Vec<&str> = got
            .statements
            .iter()
            .flat_map(|s| s.actions.iter().map(String::as_str))
            .collect();
        assert!(actions.contains(&"sqs:DeleteMessage") && actions.contains(&"sqs:ReceiveMessage"));
        assert!(got
            .statements
            .iter()
            .all(|s| s.resources == vec!["${Queue.Arn}".to_string()]));
    }

    #[test]
    fn placeholders_inside_sub_text_are_replaced() {
        let got = connector_policy(
            "AWS::StepFunctions::StateMachine",
            "AWS::StepFunctions::StateMachine",
            &["Read"],
            &arn_of("Outer"),
            &arn_of("Inner"),
        )
        .unwrap();
        assert!(got.statements.iter().any(|s| s.resources
            == vec![
                "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${Inner.Name}:*"
                    .to_string()
            ]));
        // A value the callbacks do not know makes the whole expansion unknown.
        let no_name = |f: &str| (f == "Arn").then(|| "${Inner}".to_string());
        assert_eq!(
            connector_policy(
                "AWS::StepFunctions::StateMachine",
                "AWS::StepFunctions::StateMachine",
                &["Read"],
                &arn_of("Outer"),
                &no_name,
            ),
            None
        );
    }

    #[test]
    fn resource_policies_and_lambda_permissions_name_the_service() {
        let topic = connector_policy(
            "AWS::Events::Rule",
            "AWS::SNS::Topic",
            &["Write"],
            &arn_of("Rule"),
            &arn_of("Topic"),
        )
        .unwrap();
        assert_eq!(topic.kind, ConnectorPolicyKind::TopicPolicy);
        assert_eq!(topic.attached_to, ConnectorSide::Destination);
        assert_eq!(
            topic.service_principal.as_deref(),
            Some("events.amazonaws.com")
        );
        assert!(topic.statements[0].conditional);
        let permission = connector_policy(
            "AWS::SNS::Topic",
            "AWS::Serverless::Function",
            &["Write"],
            &arn_of("Topic"),
            &arn_of("Fn"),
        )
        .unwrap();
        assert_eq!(
            permission.kind,
            ConnectorPolicyKind::LambdaPermission {
                source_arn: Some("${Topic.Arn}".to_string()),
                source_account: None
            }
        );
        assert_eq!(
            permission.statements[0].resources,
            vec!["${Fn.Arn}".to_string()]
        );
        assert_eq!(
            permission.statements[0].actions,
            vec!["lambda:InvokeFunction".to_string()]
        );
    }

    #[test]
    fn id_references_stand_for_what_sam_derives() {
        let arn = |t: &str| connector_id_value(t, "R", "Arn");
        assert_eq!(arn("AWS::SQS::Queue").as_deref(), Some("${R.Arn}"));
        assert_eq!(arn("AWS::SNS::Topic").as_deref(), Some("${R}"));
        assert_eq!(
            arn("AWS::Serverless::StateMachine").as_deref(),
            Some("${R}")
        );
        assert_eq!(
            arn("AWS::Serverless::Function").as_deref(),
            Some("${R.Arn}")
        );
        assert_eq!(
            connector_id_value("AWS::StepFunctions::StateMachine", "R", "Name").as_deref(),
            Some("${R.Name}")
        );
        assert_eq!(
            connector_id_value("AWS::Serverless::Api", "R", "ResourceId").as_deref(),
            Some("${R}")
        );
        assert_eq!(
            connector_id_value("AWS::ApiGatewayV2::Api", "R", "Qualifier").as_deref(),
            Some("*")
        );
        assert_eq!(connector_id_value("AWS::SQS::Queue", "R", "Name"), None);
        assert_eq!(arn("AWS::EC2::Instance"), None);
        assert_eq!(
            connector_role_source("AWS::Serverless::Function"),
            Some(ConnectorRoleSource::Property("Role"))
        );
        assert_eq!(
            connector_role_source("AWS::StepFunctions::StateMachine"),
            Some(ConnectorRoleSource::Property("RoleArn"))
        );
        assert_eq!(
            connector_role_source("AWS::Events::Rule"),
            Some(ConnectorRoleSource::EventsRuleTarget)
        );
        assert_eq!(connector_role_source("AWS::SQS::Queue"), None);
    }

    #[test]
    fn an_id_reference_feeds_a_connector_expansion() {
        let got = connector_policy(
            "AWS::Serverless::Function",
            "AWS::SNS::Topic",
            &["Write"],
            &|f| connector_id_value("AWS::Serverless::Function", "Fn", f),
            &|f| connector_id_value("AWS::SNS::Topic", "Alerts", f),
        )
        .unwrap();
        assert_eq!(got.statements[0].resources, vec!["${Alerts}".to_string()]);
        assert_eq!(got.statements[0].actions, vec!["sns:Publish".to_string()]);
    }

    #[test]
    fn unsupported_connectors_and_permissions_are_unknown() {
        let args = (arn_of("A"), arn_of("B"));
        assert!(!connector_supported("AWS::SQS::Queue", "AWS::SNS::Topic"));
        assert!(connector_supported(
            "AWS::Serverless::Function",
            "AWS::SQS::Queue"
        ));
        assert_eq!(
            connector_policy(
                "AWS::SQS::Queue",
                "AWS::SNS::Topic",
                &["Write"],
                &args.0,
                &args.1
            ),
            None
        );
        for permissions in [&[][..], &["Delete"][..], &["Read"][..]] {
            assert_eq!(
                connector_policy(
                    "AWS::Lambda::Function",
                    "AWS::SNS::Topic",
                    permissions,
                    &args.0,
                    &args.1
                ),
                None,
                "{permissions:?}"
            );
        }
    }

    #[test]
    fn every_connector_profile_expands() {
        let any = |f: &str| Some(format!("${{X.{f}}}"));
        for (source, destinations) in profiles().unwrap() {
            for (destination, profile) in destinations {
                let combos: Vec<Vec<&str>> = match &profile.valid {
                    Some(v) => v
                        .iter()
                        .map(|c| c.iter().map(String::as_str).collect())
                        .collect(),
                    None => profile
                        .categories
                        .iter()
                        .map(|(n, _)| vec![n.as_str()])
                        .collect(),
                };
                for combo in combos {
                    let got = connector_policy(source, destination, &combo, &any, &any);
                    let got = got.unwrap_or_else(|| panic!("{source} -> {destination} {combo:?}"));
                    assert!(!got.statements.is_empty(), "{source} -> {destination}");
                    assert!(got
                        .statements
                        .iter()
                        .flat_map(|s| &s.resources)
                        .all(|r| !r.contains("%{")));
                }
            }
        }
    }

    #[test]
    fn a_plain_function_role_has_basic_execution_only() {
        let got = implicit_function_policies(&FunctionRole::default());
        assert_eq!(got.managed, vec!["AWSLambdaBasicExecutionRole"]);
        assert!(got.statements.is_empty() && !got.incomplete);
    }

    #[test]
    fn function_role_follows_tracing_vpc_events_and_dead_letters() {
        let function = FunctionRole {
            tracing: Some("Active"),
            vpc_config: true,
            dead_letter_queue: Some(("SNS", "${Alarms}".to_string())),
            events: vec![
                FunctionEvent {
                    event_type: "SQS",
                    ..Default::default()
                },
                FunctionEvent {
                    event_type: "SNS",
                    sqs_subscription: true,
                    ..Default::default()
                },
                FunctionEvent {
                    event_type: "Kinesis",
                    on_failure: Some(("S3", Some("${Bucket.Arn}".to_string()))),
                    ..Default::default()
                },
                FunctionEvent {
                    event_type: "Api",
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let got = implicit_function_policies(&function);
        assert_eq!(
            got.managed,
            vec![
                "AWSLambdaBasicExecutionRole",
                "AWSXrayWriteOnlyAccess",
                "AWSLambdaVPCAccessExecutionRole",
                "AWSLambdaSQSQueueExecutionRole",
                "AWSLambdaKinesisExecutionRole",
            ]
        );
        assert_eq!(
            got.statements,
            vec![
                SamStatement::allow(&["sns:Publish"], vec!["${Alarms}".to_string()]),
                SamStatement::allow(&["s3:PutObject"], vec!["${Bucket.Arn}/*".to_string()]),
                SamStatement::allow(&["s3:ListBucket"], vec!["${Bucket.Arn}".to_string()]),
            ]
        );
        assert!(!got.incomplete);
    }

    #[test]
    fn what_the_table_does_not_model_is_incomplete() {
        let disabled = implicit_function_policies(&FunctionRole {
            tracing: Some("Disabled"),
            durable: true,
            ..Default::default()
        });
        assert_eq!(
            disabled.managed,
            vec!["AWSLambdaBasicDurableExecutionRolePolicy"]
        );
        for event_type in [
            "MQ",
            "SelfManagedKafka",
            "DocumentDB",
            "MSK",
            "SomethingNew",
        ] {
            let got = implicit_function_policies(&FunctionRole {
                events: vec![FunctionEvent {
                    event_type,
                    ..Default::default()
                }],
                ..Default::default()
            });
            assert!(got.incomplete, "{event_type}");
        }
        let unknown_destination = implicit_function_policies(&FunctionRole {
            event_invoke_destinations: vec![("SQS", None), ("Lambda", Some("${Other.Arn}".into()))],
            ..Default::default()
        });
        assert!(unknown_destination.incomplete);
        assert_eq!(
            unknown_destination.statements,
            vec![SamStatement::allow(
                &["lambda:InvokeFunction"],
                vec!["${Other.Arn}".to_string()]
            )]
        );
    }

    #[test]
    fn a_state_machine_role_gets_xray_only_when_tracing() {
        assert!(implicit_state_machine_policies(false).managed.is_empty());
        assert_eq!(
            implicit_state_machine_policies(true).managed,
            vec!["AWSXrayWriteOnlyAccess"]
        );
    }

    #[test]
    fn implicit_managed_policies_exist() {
        for name in [
            "AWSLambdaBasicExecutionRole",
            "AWSLambdaBasicDurableExecutionRolePolicy",
            "AWSXrayWriteOnlyAccess",
            "AWSLambdaVPCAccessExecutionRole",
            "AWSLambdaSQSQueueExecutionRole",
            "AWSLambdaKinesisExecutionRole",
            "AWSLambdaDynamoDBExecutionRole",
            "AWSLambdaMSKExecutionRole",
        ] {
            assert!(crate::iam::managed_policy(name).is_some(), "{name}");
        }
    }
}
