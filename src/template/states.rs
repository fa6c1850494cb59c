//! What a Step Functions state machine calls: the `Task` states of its definition (at any
//! depth, in `Parallel` branches and `Map` processors) and the readers and writers of
//! distributed `Map` states, each with its `Resource` and the string values of its
//! `Parameters` / `Arguments`, as `Fn::Sub` text.
//!
//! [`read_definition`] reads every way a template can give the definition:
//!
//! - `Definition` (both resource types): a mapping in the template. Its strings may be
//!   intrinsics (`!GetAtt Fn.Arn` reads `${Fn.Arn}`).
//! - `DefinitionString`: JSON in a plain string, in a `!Sub` string (its `${Name}` are the
//!   template's names or the keys of the Sub's variable map), in a `!Join` (as the SAM
//!   transform writes it), or built by `Fn::ToJsonString`.
//! - `DefinitionSubstitutions`: a `${Name}` left in the definition's strings after
//!   CloudFormation's own functions stands for the substitution's value.
//! - `DefinitionS3Location` / `DefinitionUri`: outside the template, so unknown ([`Gap`]).
//!
//! Every value is `Fn::Sub` text: literal text (with `${` escaped as `${!`), `${Name}` for a
//! parameter, resource or pseudo parameter, `${Resource.Attribute}` for an attribute, and
//! [`UNKNOWN`] (`${?}`) for a value that cannot be known from the template: a `.$` path or a
//! JSONata expression computed at run time, an `Fn::If`, a placeholder without substitution.
//!
//! [`TaskState::integration`] reads a service integration's resource
//! (`arn:aws:states:::sqs:sendMessage.waitForTaskToken`) into service, action and pattern;
//! [`Definition::distributed_maps`] names the `Map` states that start child executions.
//!
//! Nothing here judges a definition: a text that does not parse, a state that cannot be read,
//! a `Resource` with an unknown piece, each leaves a [`Gap`], and a definition with a gap is
//! not [`complete`](Definition::complete), so callers must treat "which services it calls" as
//! unknown.

use super::intrinsic::{intrinsic, Call};
use super::model::Resource;
use super::spans::{value_span, whole_value_span};
use super::strtemplate::{string_template, StringPart, StringTemplate};
use super::sub::{parse_sub, SubPart, SubVariable};
use crate::source::Span;
use crate::yaml::{self, Entry, Node, NodeKind, ParseOptions, Scalar, ScalarStyle};
use std::borrow::Cow;
use std::fmt;

/// A value, or a piece of one, that cannot be known from the template.
pub const UNKNOWN: &str = "${?}";

/// The longest definition text read (Step Functions accepts definitions up to 1 MB).
pub const MAX_DEFINITION_BYTES: usize = 1 << 20;
/// Deepest nesting of `Parallel` / `Map` states followed.
const MAX_STATE_DEPTH: usize = 32;
/// Most task states reported for one definition.
const MAX_TASKS: usize = 10_000;
/// Most parameter values reported for one task, and the deepest path followed.
const MAX_PARAMETERS: usize = 256;
const MAX_PARAMETER_DEPTH: usize = 16;

/// Keys under `Parameters` / `Arguments` whose values are the data sent to the service, not
/// the name of what is called: their content is not reported.
pub const DATA_KEYS: &[&str] = &[
    "Payload",
    "Input",
    "MessageBody",
    "Message",
    "Detail",
    "Item",
    "Body",
    "ExpressionAttributeValues",
];

/// Which part of the definition calls a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// A `Task` state.
    Task,
    /// The `ItemReader` of a distributed `Map` state (reads S3, e.g. `s3:listObjectsV2`).
    ItemReader,
    /// The `ResultWriter` of a distributed `Map` state (writes S3).
    ResultWriter,
}

/// One call to a service.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskState {
    /// The state's name (for an `ItemReader` / `ResultWriter`: its `Map` state's name).
    pub name: String,
    pub kind: TaskKind,
    /// The `Resource` as `Fn::Sub` text, suffixes such as `.sync` and `.waitForTaskToken`
    /// kept: `arn:aws:states:::lambda:invoke`, `${Fn.Arn}`,
    /// `arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}`.
    pub resource: String,
    /// Every scalar under `Parameters` (JSONPath) or `Arguments` (JSONata), by path:
    /// `FunctionName`, `Entries[0].EventBusName`, `Overrides.ContainerOverrides[0].Name`; the
    /// value as `Fn::Sub` text. A key ending `.$` is listed without the suffix with the value
    /// [`UNKNOWN`] (it is a path into the state's input), as is a JSONata `{% … %}` string.
    /// `Parameters` / `Arguments` that is itself one unknown value is listed with the path
    /// `""`. The data sent ([`DATA_KEYS`]: `Payload`, `Input`, `MessageBody`, …) is left out.
    pub parameters: Vec<(String, String)>,
    /// `Credentials.RoleArn` (the role the task assumes to make the call) as `Fn::Sub` text,
    /// [`UNKNOWN`] when computed.
    pub credentials: Option<String>,
    /// The bytes of the `Resource` value: exact for a `Definition` mapping, and for a
    /// `DefinitionString` (or a line of its `!Join`) whose source spells the value without
    /// escapes or where its text occurs as often in the source as in the value (JSON strings
    /// with `\"` included); otherwise the whole string or line that holds it.
    pub span: Span,
}

impl TaskState {
    /// The value at `path` of [`TaskState::parameters`].
    pub fn parameter(&self, path: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the resource has a piece that is not known.
    pub fn resource_is_known(&self) -> bool {
        !self.resource.contains(UNKNOWN)
    }

    /// The service integration the resource names, when it is one
    /// (`arn:<partition>:states:::<service>:<action>[.<pattern>]`); `None` for a Lambda
    /// function or an activity named by its ARN, and for anything else.
    pub fn integration(&self) -> Option<Integration<'_>> {
        Integration::parse(&self.resource)
    }
}

/// A service integration of Step Functions, read from a task's `Resource`:
/// `arn:aws:states:::sqs:sendMessage.waitForTaskToken`,
/// `arn:${AWS::Partition}:states:::aws-sdk:s3:listObjectsV2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Integration<'t> {
    /// The service as Step Functions names it (`lambda`, `sqs`, `states`, `ecs`, `s3`…).
    pub service: &'t str,
    /// An AWS SDK integration (`aws-sdk:<service>:<action>`), whose action is the service's
    /// API action.
    pub sdk: bool,
    /// The action as written (`invoke`, `sendMessage`, `startExecution`, `listObjectsV2`).
    pub action: &'t str,
    /// The integration pattern after the `.`: `sync`, `sync:2`, `waitForTaskToken`; `None`
    /// for request-response.
    pub pattern: Option<&'t str>,
}

impl<'t> Integration<'t> {
    /// Read `resource` (`Fn::Sub` text, as [`TaskState::resource`]).
    pub fn parse(resource: &'t str) -> Option<Integration<'t>> {
        let rest = resource.strip_prefix("arn:")?;
        // The partition: a word, or a reference such as `${AWS::Partition}`.
        let rest = match rest.strip_prefix("${") {
            Some(inner) => &inner[inner.find('}')? + 1..],
            None => &rest[rest.find(':')?..],
        };
        let rest = rest.strip_prefix(":states:::")?;
        if rest.contains("${") {
            return None;
        }
        let (rest, sdk) = match rest.strip_prefix("aws-sdk:") {
            Some(rest) => (rest, true),
            None => (rest, false),
        };
        let (service, call) = rest.split_once(':')?;
        let (action, pattern) = match call.split_once('.') {
            Some((action, pattern)) => (action, Some(pattern)),
            None => (call, None),
        };
        let word = |w: &str| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        (word(service) && word(action)).then_some(Integration {
            service,
            sdk,
            action,
            pattern,
        })
    }
}

/// Why some part of a definition could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gap {
    /// The definition is in S3 (`DefinitionS3Location`, `DefinitionUri`).
    External,
    /// No definition property at all.
    Missing,
    /// The definition is an expression whose value is not known (a parameter, `Fn::If`,
    /// `Fn::ImportValue`, `Fn::Transform`…).
    Expression,
    /// The text is not JSON, or not a state machine (no `States` mapping).
    Malformed(String),
    /// The text is longer than [`MAX_DEFINITION_BYTES`], or has too many states or levels.
    TooLarge,
    /// A state that cannot be read: not a mapping, no `Type`, a `Task` without `Resource`,
    /// `Branches` or a `Map`'s processor missing or not of the right shape.
    State(String),
    /// The `Resource` of this state has a piece whose value is not known.
    UnknownResource(String),
    /// The state machine is declared in an `Fn::ForEach` loop: its `${…}` may name the loop's
    /// identifier, not the template's names.
    InLoop,
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gap::External => f.write_str("the definition is in S3"),
            Gap::Missing => f.write_str("no definition"),
            Gap::Expression => f.write_str("the definition is an expression of unknown value"),
            Gap::Malformed(why) => write!(f, "the definition cannot be read: {why}"),
            Gap::TooLarge => f.write_str("the definition is too large"),
            Gap::State(why) => write!(f, "a state cannot be read: {why}"),
            Gap::UnknownResource(name) => {
                write!(f, "the Resource of state `{name}` is not known")
            }
            Gap::InLoop => f.write_str("the state machine is declared in an `Fn::ForEach` loop"),
        }
    }
}

/// The service calls of one state machine.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Definition {
    /// In the order of the definition (a `Parallel` state's branches after the state itself).
    pub tasks: Vec<TaskState>,
    /// Whether the whole definition was read: `gaps` is empty. When false, `tasks` are the
    /// calls that were found, and there may be others.
    pub complete: bool,
    pub gaps: Vec<Gap>,
    /// The names of the `Map` states run in distributed mode
    /// (`ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED`): each starts child executions of
    /// the state machine itself (`states:StartExecution`).
    pub distributed_maps: Vec<String>,
}

/// The definition of an `AWS::StepFunctions::StateMachine` or `AWS::Serverless::StateMachine`
/// resource; `None` for any other resource. `source` is the text the template was parsed from.
pub fn read_definition(resource: &Resource<'_>, source: &str) -> Option<Definition> {
    let serverless = match resource.type_? {
        "AWS::StepFunctions::StateMachine" => false,
        "AWS::Serverless::StateMachine" => true,
        _ => return None,
    };
    let mut reader = Reader {
        source,
        substitutions: Substitutions::default(),
        mode: Mode::Template,
        out: Definition::default(),
    };
    if let Some(subs) = resource.property("DefinitionSubstitutions") {
        reader.substitutions = reader.read_substitutions(subs);
    }
    let external = if serverless {
        "DefinitionUri"
    } else {
        "DefinitionS3Location"
    };
    if resource.property(external).is_some() {
        reader.gap(Gap::External);
    }
    if resource.in_loop {
        reader.gap(Gap::InLoop);
    }
    let inline = resource.property("Definition");
    let string = (!serverless)
        .then(|| resource.property("DefinitionString"))
        .flatten();
    match (inline, string) {
        (Some(definition), _) => reader.template_definition(definition),
        (None, Some(string)) => reader.string_definition(string),
        (None, None) if resource.property(external).is_none() => reader.gap(Gap::Missing),
        (None, None) => {}
    }
    let mut out = reader.out;
    out.complete = out.gaps.is_empty();
    Some(out)
}

/// `DefinitionSubstitutions`, each value as `Fn::Sub` text.
#[derive(Default)]
struct Substitutions {
    values: Vec<(String, String)>,
    /// The substitutions are an expression: every placeholder is unknown.
    unknown: bool,
}

/// Where the nodes being read come from.
enum Mode<'a> {
    /// The template's own nodes (`Definition`): strings may be intrinsics.
    Template,
    /// Nodes parsed from a definition text. `sub`: the text was a `Fn::Sub` string, so `${…}`
    /// in its strings are Sub variables (`vars` being the Sub's variable map).
    Parsed {
        sub: bool,
        vars: Vec<(&'a str, &'a Node)>,
        locate: Locate<'a>,
    },
}

/// How a span in a parsed definition text becomes a span of the file.
enum Locate<'a> {
    /// The text is the value of this scalar.
    Scalar(&'a Node),
    /// The text was assembled from pieces (a `!Join`): the text, and its pieces.
    Pieces(String, Vec<Piece<'a>>),
    /// Nowhere more precise than this span.
    Whole(Span),
}

struct Reader<'a> {
    source: &'a str,
    substitutions: Substitutions,
    mode: Mode<'a>,
    out: Definition,
}

impl<'a> Reader<'a> {
    fn gap(&mut self, gap: Gap) {
        if !self.out.gaps.contains(&gap) {
            self.out.gaps.push(gap);
        }
    }

    fn read_substitutions(&self, node: &'a Node) -> Substitutions {
        let Some(entries) = node.as_mapping().filter(|_| intrinsic(node).is_none()) else {
            return Substitutions {
                values: Vec::new(),
                unknown: true,
            };
        };
        let values = entries
            .iter()
            .filter_map(|Entry { key, value }| {
                let text = render(&string_template(value, self.source), escape);
                Some((key.as_str()?.to_string(), text))
            })
            .collect();
        Substitutions {
            values,
            unknown: false,
        }
    }

    /// `Definition`: a mapping in the template.
    fn template_definition(&mut self, definition: &'a Node) {
        self.mode = Mode::Template;
        self.machine(definition, 0);
    }

    /// `DefinitionString`, or what builds it.
    fn string_definition(&mut self, host: &'a Node) {
        let Some(i) = intrinsic(host) else {
            match host.as_str() {
                Some(text) => self.parsed_definition(text, false, Vec::new(), Locate::Scalar(host)),
                None => self.gap(Gap::Malformed("DefinitionString is not a string".into())),
            }
            return;
        };
        match i.call {
            Call::Sub {
                template,
                variables,
            } => {
                let Some(text) = template
                    .as_str()
                    .filter(|_| template.tag.is_none() || std::ptr::eq(template, host))
                else {
                    return self.gap(Gap::Expression);
                };
                let mut vars = Vec::new();
                if let Some(variables) = variables {
                    let Some(entries) = variables
                        .as_mapping()
                        .filter(|_| intrinsic(variables).is_none())
                    else {
                        return self.gap(Gap::Expression);
                    };
                    vars.extend(
                        entries
                            .iter()
                            .filter_map(|e| Some((e.key.as_str()?, &e.value))),
                    );
                }
                self.parsed_definition(text, true, vars, Locate::Scalar(template));
            }
            Call::Join { .. } => {
                let (text, pieces) = self.join_text(host);
                self.parsed_definition(
                    &text,
                    true,
                    Vec::new(),
                    Locate::Pieces(text.clone(), pieces),
                );
            }
            Call::ToJsonString { value } => self.template_definition(value),
            _ => self.gap(Gap::Expression),
        }
    }

    /// A `!Join` as `Fn::Sub` text, with where each piece of the text comes from.
    fn join_text(&self, host: &'a Node) -> (String, Vec<Piece<'a>>) {
        let mut text = String::new();
        let mut pieces = Vec::new();
        let (delimiter, items) = match intrinsic(host).map(|i| i.call) {
            Some(Call::Join { delimiter, items }) => (delimiter, items),
            _ => return (text, pieces),
        };
        let (Some(separator), Some(items)) = (delimiter.as_str(), items.as_sequence()) else {
            return (UNKNOWN.to_string(), pieces);
        };
        let mut push = |text: &mut String, written: &str, span: Span, node: Option<&'a Node>| {
            let start = text.len();
            text.push_str(written);
            pieces.push(Piece {
                range: start..text.len(),
                span,
                node,
            });
        };
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !separator.is_empty() {
                push(
                    &mut text,
                    &escape(separator),
                    delimiter.span,
                    Some(delimiter),
                );
            }
            match item.as_str() {
                // A line of the text: its bytes can be found in the file.
                Some(line) if item.tag.is_none() => {
                    push(&mut text, &escape(line), item.span, Some(item))
                }
                _ => {
                    for part in string_template(item, self.source).parts {
                        let written = render(
                            &StringTemplate {
                                parts: vec![part.clone()],
                            },
                            escape,
                        );
                        push(&mut text, &written, part.span(), None);
                    }
                }
            }
        }
        (text, pieces)
    }

    fn parsed_definition(
        &mut self,
        text: &str,
        sub: bool,
        vars: Vec<(&'a str, &'a Node)>,
        locate: Locate<'a>,
    ) {
        if text.len() > MAX_DEFINITION_BYTES {
            return self.gap(Gap::TooLarge);
        }
        if !text.trim_start().starts_with('{') {
            return self.gap(Gap::Malformed("the text is not a JSON object".into()));
        }
        let padded = pad_placeholders(text);
        let (root, locate) = match yaml::parse(&padded, &ParseOptions::default()) {
            Ok(document) if document.root.is_some() => (document.root, locate),
            _ => match serde_json::from_str::<serde_json::Value>(&padded) {
                Ok(value) => {
                    let whole = match &locate {
                        Locate::Scalar(n) => n.span,
                        Locate::Pieces(_, pieces) => cover(pieces),
                        Locate::Whole(s) => *s,
                    };
                    (Some(node_from_json(&value, 0)), Locate::Whole(whole))
                }
                Err(e) => return self.gap(Gap::Malformed(format!("not JSON: {e}"))),
            },
        };
        let Some(root) = root else { return };
        self.mode = Mode::Parsed { sub, vars, locate };
        self.machine(&root, 0);
        self.mode = Mode::Template;
    }

    /// Whether `node` is a CloudFormation expression (only the template's own nodes can be).
    fn is_expression(&self, node: &Node) -> bool {
        matches!(self.mode, Mode::Template) && intrinsic(node).is_some()
    }

    /// A state machine, or a branch of one: a mapping with `States`.
    fn machine(&mut self, node: &Node, depth: usize) {
        if self.is_expression(node) {
            return self.gap(Gap::Expression);
        }
        if node.as_mapping().is_none() {
            return self.gap(Gap::Malformed("the definition is not a mapping".into()));
        }
        let Some(states) = node.get("States") else {
            return self.gap(Gap::Malformed("no `States`".into()));
        };
        if depth > MAX_STATE_DEPTH {
            return self.gap(Gap::TooLarge);
        }
        let entries = match states.as_mapping() {
            Some(entries) if !self.is_expression(states) => entries,
            _ => return self.gap(Gap::State("`States` is not a mapping".into())),
        };
        for entry in entries {
            let Some(name) = entry.key.as_str() else {
                self.gap(Gap::State("a state name is not a string".into()));
                continue;
            };
            self.state(name, &entry.value, depth);
        }
    }

    fn state(&mut self, name: &str, node: &Node, depth: usize) {
        let type_ = node
            .get("Type")
            .filter(|t| !self.is_expression(t))
            .and_then(Node::as_str);
        let Some(type_) = type_.filter(|_| !self.is_expression(node)) else {
            return self.gap(Gap::State(format!("`{name}` has no readable Type")));
        };
        match type_ {
            "Task" => self.task(name, TaskKind::Task, node),
            "Parallel" => match node
                .get("Branches")
                .filter(|b| !self.is_expression(b))
                .and_then(Node::as_sequence)
            {
                Some(branches) => {
                    for branch in branches {
                        self.machine(branch, depth + 1);
                    }
                }
                None => self.gap(Gap::State(format!("the Branches of `{name}`"))),
            },
            "Map" => {
                match node.get("ItemProcessor").or_else(|| node.get("Iterator")) {
                    Some(processor) => {
                        let mode = processor
                            .get("ProcessorConfig")
                            .and_then(|c| c.get("Mode"))
                            .and_then(Node::as_str);
                        if mode == Some("DISTRIBUTED") {
                            self.out.distributed_maps.push(name.to_string());
                        }
                        self.machine(processor, depth + 1)
                    }
                    None => self.gap(Gap::State(format!("`{name}` has no ItemProcessor"))),
                }
                for (key, kind) in [
                    ("ItemReader", TaskKind::ItemReader),
                    ("ResultWriter", TaskKind::ResultWriter),
                ] {
                    // A `ResultWriter` may only configure the output (`WriterConfig`).
                    if let Some(part) = node.get(key).filter(|p| p.get("Resource").is_some()) {
                        self.task(name, kind, part);
                    }
                }
            }
            _ => {}
        }
    }

    fn task(&mut self, name: &str, kind: TaskKind, node: &Node) {
        if self.out.tasks.len() >= MAX_TASKS {
            return self.gap(Gap::TooLarge);
        }
        let Some(resource_node) = node.get("Resource") else {
            return self.gap(Gap::State(format!("`{name}` has no Resource")));
        };
        let resource = self.text(resource_node);
        if resource.contains(UNKNOWN) {
            self.gap(Gap::UnknownResource(name.to_string()));
        }
        let mut parameters = Vec::new();
        for (key, jsonata) in [("Parameters", false), ("Arguments", true)] {
            if let Some(p) = node.get(key) {
                self.flatten(p, jsonata, String::new(), &mut parameters, 0);
            }
        }
        let credentials = node.get("Credentials").map(|c| {
            match c.get("RoleArn").filter(|_| !self.is_expression(c)) {
                Some(arn) if !arn.as_str().is_some_and(is_jsonata) => self.text(arn),
                _ => UNKNOWN.to_string(),
            }
        });
        let span = self.span(resource_node);
        self.out.tasks.push(TaskState {
            name: name.to_string(),
            kind,
            resource,
            parameters,
            credentials,
            span,
        });
    }

    fn flatten(
        &self,
        node: &Node,
        jsonata: bool,
        path: String,
        out: &mut Vec<(String, String)>,
        depth: usize,
    ) {
        if out.len() >= MAX_PARAMETERS || depth > MAX_PARAMETER_DEPTH {
            return;
        }
        if self.is_expression(node) {
            out.push((path, self.text(node)));
            return;
        }
        match &node.kind {
            NodeKind::Mapping(entries) => {
                for Entry { key, value } in entries {
                    let Some(key) = key.as_str() else { continue };
                    let (key, dynamic) = match key.strip_suffix(".$") {
                        Some(k) if !jsonata => (k, true),
                        _ => (key, false),
                    };
                    if DATA_KEYS.contains(&key) {
                        continue;
                    }
                    let child = if path.is_empty() {
                        key.to_string()
                    } else {
                        format!("{path}.{key}")
                    };
                    if dynamic {
                        out.push((child, UNKNOWN.to_string()));
                    } else {
                        self.flatten(value, jsonata, child, out, depth + 1);
                    }
                }
            }
            NodeKind::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.flatten(item, jsonata, format!("{path}[{i}]"), out, depth + 1);
                }
            }
            NodeKind::Scalar(s) => {
                if jsonata && is_jsonata(&s.value) {
                    out.push((path, UNKNOWN.to_string()));
                } else {
                    out.push((path, self.text(node)));
                }
            }
            NodeKind::Alias(_) => out.push((path, UNKNOWN.to_string())),
        }
    }

    /// A string of the definition as `Fn::Sub` text, substitutions made.
    fn text(&self, node: &Node) -> String {
        match &self.mode {
            Mode::Template => render(&string_template(node, self.source), |t| self.substitute(t)),
            Mode::Parsed { sub, vars, .. } => {
                let Some(value) = node.as_str() else {
                    return UNKNOWN.to_string();
                };
                if !*sub {
                    return self.substitute(value);
                }
                let Ok(parts) = parse_sub(value) else {
                    return UNKNOWN.to_string();
                };
                let mut out = String::new();
                for part in parts {
                    match part {
                        SubPart::Literal { text, .. } => out.push_str(&self.substitute(&text)),
                        SubPart::Variable { name, .. } => {
                            if let Some((_, value)) = vars.iter().find(|(k, _)| *k == name) {
                                out.push_str(&render(&string_template(value, self.source), |t| {
                                    self.substitute(t)
                                }));
                                continue;
                            }
                            match SubVariable::classify(name) {
                                SubVariable::Name("?") => out.push_str(UNKNOWN),
                                _ => {
                                    out.push_str("${");
                                    out.push_str(name);
                                    out.push('}');
                                }
                            }
                        }
                    }
                }
                out
            }
        }
    }

    /// Literal text of the definition after CloudFormation's functions, with the
    /// `DefinitionSubstitutions` made: as `Fn::Sub` text.
    fn substitute(&self, literal: &str) -> String {
        if !literal.contains("${") {
            return literal.to_string();
        }
        let Ok(parts) = parse_sub(literal) else {
            return escape(literal);
        };
        let mut out = String::new();
        for part in parts {
            match part {
                SubPart::Literal { text, .. } => out.push_str(&escape(&text)),
                SubPart::Variable { name, .. } => {
                    let value = self
                        .substitutions
                        .values
                        .iter()
                        .find(|(k, _)| k == name)
                        .filter(|_| !self.substitutions.unknown);
                    out.push_str(value.map_or(UNKNOWN, |(_, v)| v.as_str()));
                }
            }
        }
        out
    }

    /// The file's bytes for a string of the definition.
    fn span(&self, node: &Node) -> Span {
        let locate = match &self.mode {
            Mode::Template => {
                return match node.as_scalar() {
                    Some(_) => whole_value_span(node, self.source),
                    None => node.span,
                };
            }
            Mode::Parsed { locate, .. } => locate,
        };
        // The string's bytes in the text, without its quotes.
        let quoted = matches!(
            node.as_scalar().map(|s| s.style),
            Some(ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted)
        );
        let range = match node.span {
            s if quoted && s.end >= s.start + 2 => s.start + 1..s.end - 1,
            s => s.start..s.end,
        };
        match locate {
            Locate::Scalar(host) => value_span(host, range, self.source),
            Locate::Whole(span) => *span,
            Locate::Pieces(text, pieces) => {
                match pieces.iter().find(|p| p.range.contains(&range.start)) {
                    Some(piece) => piece.locate(text, range, self.source).unwrap_or(piece.span),
                    None => cover(pieces),
                }
            }
        }
    }
}

/// A piece of a definition text assembled from several nodes.
struct Piece<'a> {
    /// Where it is in the text.
    range: std::ops::Range<usize>,
    /// Where it comes from in the file.
    span: Span,
    /// The scalar whose value is the piece (but for `${` escaped as `${!`).
    node: Option<&'a Node>,
}

impl Piece<'_> {
    /// The file's bytes for `range` of the text, when they can be found.
    fn locate(&self, text: &str, range: std::ops::Range<usize>, source: &str) -> Option<Span> {
        let node = self.node?;
        if range.start < self.range.start || range.end > self.range.end {
            return None;
        }
        let unescaped = |offset: usize| {
            let before = text.get(self.range.start..offset)?;
            Some(offset - self.range.start - before.matches("${!").count())
        };
        Some(value_span(
            node,
            unescaped(range.start)?..unescaped(range.end)?,
            source,
        ))
    }
}

/// The span of all the pieces.
fn cover(pieces: &[Piece<'_>]) -> Span {
    pieces
        .iter()
        .map(|p| p.span)
        .reduce(|a, b| a.cover(b))
        .unwrap_or_default()
}

/// Pieces of a string template as `Fn::Sub` text, literal text through `literal`.
fn render(template: &StringTemplate<'_>, literal: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    for part in &template.parts {
        match part {
            StringPart::Literal { text, .. } => out.push_str(&literal(text)),
            StringPart::Ref { name, .. } => {
                out.push_str("${");
                out.push_str(name);
                out.push('}');
            }
            StringPart::GetAtt {
                resource,
                attribute: Some(attribute),
                ..
            } => {
                out.push_str("${");
                out.push_str(resource);
                out.push('.');
                out.push_str(attribute);
                out.push('}');
            }
            StringPart::GetAtt { .. } | StringPart::Unknown { .. } => out.push_str(UNKNOWN),
        }
    }
    out
}

/// A JSONata expression (`{% … %}`), evaluated at run time.
fn is_jsonata(value: &str) -> bool {
    let value = value.trim();
    value.starts_with("{%") && value.ends_with("%}")
}

/// Literal text as `Fn::Sub` text.
fn escape(text: &str) -> String {
    text.replace("${", "${!")
}

/// The text with every `${…}` outside a JSON string replaced by `0` and spaces (same length),
/// so a definition such as `"TimeoutSeconds": ${Timeout}` parses and offsets stay put.
fn pad_placeholders(text: &str) -> Cow<'_, str> {
    if !text.contains("${") {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'$' && bytes.get(i + 1) == Some(&b'{') {
            if let Some(len) = bytes[i..].iter().position(|&c| c == b'}') {
                out[i] = b'0';
                out[i + 1..=i + len].fill(b' ');
                i += len;
            }
        }
        i += 1;
    }
    // Only whole runs `${…}` (ASCII at both ends) were replaced by ASCII.
    Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

/// A JSON value as a span-less node (for texts the YAML reader does not take).
fn node_from_json(value: &serde_json::Value, depth: usize) -> Node {
    use serde_json::Value;
    let scalar = |value: String, style| NodeKind::Scalar(Scalar { value, style });
    let kind = match value {
        _ if depth > 128 => scalar(String::new(), ScalarStyle::Plain),
        Value::String(s) => scalar(s.clone(), ScalarStyle::DoubleQuoted),
        Value::Null | Value::Bool(_) | Value::Number(_) => {
            scalar(value.to_string(), ScalarStyle::Plain)
        }
        Value::Array(items) => NodeKind::Sequence(
            items
                .iter()
                .map(|item| node_from_json(item, depth + 1))
                .collect(),
        ),
        Value::Object(entries) => NodeKind::Mapping(
            entries
                .iter()
                .map(|(k, v)| Entry {
                    key: Node {
                        span: Span::default(),
                        tag: None,
                        anchor: None,
                        kind: scalar(k.clone(), ScalarStyle::DoubleQuoted),
                    },
                    value: node_from_json(v, depth + 1),
                })
                .collect(),
        ),
    };
    Node {
        span: Span::default(),
        tag: None,
        anchor: None,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    /// The definition of the resource `Machine` of `text`.
    fn read(text: &str) -> Definition {
        let doc = yaml::parse(text, &ParseOptions::default()).expect("test template parses");
        let template = Template::from_document(&doc);
        let machine = template.resource("Machine").expect("a resource `Machine`");
        read_definition(machine, text).expect("a state machine")
    }

    fn resources(d: &Definition) -> Vec<&str> {
        d.tasks.iter().map(|t| t.resource.as_str()).collect()
    }

    fn spanned<'t>(text: &'t str, task: &TaskState) -> &'t str {
        &text[task.span.start..task.span.end]
    }

    #[test]
    fn other_resources_are_not_state_machines() {
        let text = "Resources:\n  Machine:\n    Type: AWS::SNS::Topic\n";
        let doc = yaml::parse(text, &ParseOptions::default()).unwrap();
        let template = Template::from_document(&doc);
        assert!(read_definition(template.resource("Machine").unwrap(), text).is_none());
    }

    #[test]
    fn lambda_by_arn_and_by_invoke_integration() {
        let text = r#"
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: Direct
        States:
          Direct:
            Type: Task
            Resource: !GetAtt Fn.Arn
            Next: Invoke
          Invoke:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: !Ref Fn
              Payload:
                FunctionName: not-the-target
            End: true
"#;
        let d = read(text);
        assert!(d.complete, "{:?}", d.gaps);
        assert_eq!(
            resources(&d),
            ["${Fn.Arn}", "arn:aws:states:::lambda:invoke"]
        );
        assert_eq!(d.tasks[0].name, "Direct");
        assert_eq!(spanned(text, &d.tasks[0]), "Fn.Arn");
        assert_eq!(spanned(text, &d.tasks[1]), "arn:aws:states:::lambda:invoke");
        // The payload is data, not the target.
        assert_eq!(
            d.tasks[1].parameters,
            [("FunctionName".into(), "${Fn}".into())]
        );
    }

    #[test]
    fn definition_string_sub_with_template_names() {
        let text = r#"
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {
          "StartAt": "A",
          "TimeoutSeconds": ${Timeout},
          "States": {
            "A": {"Type": "Task", "Resource": "${Fn.Arn}", "Next": "B"},
            "B": {"Type": "Task",
                  "Resource": "arn:${AWS::Partition}:states:::sqs:sendMessage.waitForTaskToken",
                  "Parameters": {"QueueUrl": "${Queue}", "MessageBody": {"a": "b"}},
                  "End": true}
          }
        }
"#;
        let d = read(text);
        assert!(d.complete, "{:?}", d.gaps);
        assert_eq!(
            resources(&d),
            [
                "${Fn.Arn}",
                "arn:${AWS::Partition}:states:::sqs:sendMessage.waitForTaskToken"
            ]
        );
        assert_eq!(d.tasks[1].parameter("QueueUrl"), Some("${Queue}"));
        assert_eq!(d.tasks[1].parameters.len(), 1);
        // Spans point inside the block scalar.
        assert_eq!(spanned(text, &d.tasks[0]), "${Fn.Arn}");
        assert!(spanned(text, &d.tasks[1]).ends_with(".waitForTaskToken"));
    }

    #[test]
    fn definition_string_sub_with_a_variable_map() {
        let text = r#"
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub
        - '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${FnArn}","Parameters":{"Table":"${Table}","Literal":"${!Kept}"},"End":true}}}'
        - FnArn: !GetAtt Fn.Arn
          Table: !Ref Table
"#;
        let d = read(text);
        assert_eq!(resources(&d), ["${Fn.Arn}"]);
        assert_eq!(d.tasks[0].parameter("Table"), Some("${Table}"));
        // `${!Kept}` is the text `${Kept}`: a placeholder without substitution.
        assert_eq!(d.tasks[0].parameter("Literal"), Some(UNKNOWN));
        assert!(d.complete);
        assert_eq!(spanned(text, &d.tasks[0]), "${FnArn}");
    }

    #[test]
    fn to_json_string_reads_like_a_definition() {
        let text = r#"
Transform: AWS::LanguageExtensions
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString:
        Fn::ToJsonString:
          StartAt: A
          States:
            A: {Type: Task, Resource: arn:aws:states:::sns:publish, Parameters: {TopicArn: !Ref Topic}, End: true}
"#;
        let d = read(text);
        assert!(d.complete, "{:?}", d.gaps);
        assert_eq!(d.tasks[0].parameter("TopicArn"), Some("${Topic}"));
        assert_eq!(spanned(text, &d.tasks[0]), "arn:aws:states:::sns:publish");
    }

    #[test]
    fn long_form_sub_in_a_json_template() {
        let text = r#"{"Resources": {"Machine": {
  "Type": "AWS::StepFunctions::StateMachine",
  "Properties": {"DefinitionString": {"Fn::Sub": [
    "{\"StartAt\": \"Batch\", \"States\": {\"Batch\": {\"Type\": \"Task\", \"Resource\": \"arn:${AWS::Partition}:states:::batch:submitJob.sync\", \"Parameters\": {\"JobName\": \"j\", \"JobQueue\": \"${Queue}\", \"JobDefinition\": \"${Def}\", \"ContainerOverrides\": {\"Environment\": [{\"Name\": \"A\", \"Value.$\": \"$.a\"}]}}, \"End\": true}}}",
    {"Def": {"Ref": "JobDefinition"}}
  ]}}
}}}"#;
        let d = read(text);
        assert!(d.complete, "{:?}", d.gaps);
        let task = &d.tasks[0];
        assert_eq!(
            task.resource,
            "arn:${AWS::Partition}:states:::batch:submitJob.sync"
        );
        assert_eq!(task.parameter("JobQueue"), Some("${Queue}"));
        assert_eq!(task.parameter("JobDefinition"), Some("${JobDefinition}"));
        assert_eq!(
            task.parameter("ContainerOverrides.Environment[0].Name"),
            Some("A")
        );
        assert_eq!(
            task.parameter("ContainerOverrides.Environment[0].Value"),
            Some(UNKNOWN)
        );
        assert_eq!(
            spanned(text, task),
            "arn:${AWS::Partition}:states:::batch:submitJob.sync"
        );
        let integration = task.integration().unwrap();
        assert_eq!(
            (integration.service, integration.action, integration.pattern),
            ("batch", "submitJob", Some("sync"))
        );
    }

    #[test]
    fn definition_substitutions_fill_placeholders() {
        let text = r#"
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionSubstitutions:
        FnArn: !GetAtt Fn.Arn
        Bus: my-bus
        Env: !If [Prod, prod, dev]
      Definition:
        StartAt: A
        States:
          A:
            Type: Task
            Resource: ${FnArn}
            Next: B
          B:
            Type: Task
            Resource: arn:aws:states:::events:putEvents
            Parameters:
              Entries:
                - EventBusName: ${Bus}
                  Source: ${Env}
                  Detail: {x.$: $.y}
            Next: C
          C:
            Type: Task
            Resource: ${Missing}
            End: true
"#;
        let d = read(text);
        assert_eq!(
            resources(&d),
            ["${Fn.Arn}", "arn:aws:states:::events:putEvents", UNKNOWN]
        );
        assert_eq!(
            d.tasks[1].parameter("Entries[0].EventBusName"),
            Some("my-bus")
        );
        assert_eq!(d.tasks[1].parameter("Entries[0].Source"), Some(UNKNOWN));
        assert_eq!(d.tasks[1].parameters.len(), 2);
        assert!(!d.complete);
        assert_eq!(d.gaps, [Gap::UnknownResource("C".into())]);
        assert!(!d.tasks[2].resource_is_known());
    }

    #[test]
    fn substitutions_in_a_plain_definition_string() {
        let text = r#"{
  "Resources": {
    "Machine": {
      "Type": "AWS::StepFunctions::StateMachine",
      "Properties": {
        "DefinitionString": "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"${Arn}\",\"End\":true}}}",
        "DefinitionSubstitutions": {"Arn": {"Fn::Sub": "arn:aws:lambda:${AWS::Region}:123456789012:function:f"}}
      }
    }
  }
}"#;
        let d = read(text);
        assert!(d.complete, "{:?}", d.gaps);
        assert_eq!(
            resources(&d),
            ["arn:aws:lambda:${AWS::Region}:123456789012:function:f"]
        );
        // Found by its text inside the escaped string.
        assert_eq!(spanned(text, &d.tasks[0]), "${Arn}");
    }

    #[test]
    fn nested_parallel_and_map_states_are_read() {
        let text = r#"
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: P
        States:
          P:
            Type: Parallel
            Branches:
              - StartAt: M
                States:
                  M:
                    Type: Map
                    ItemProcessor:
                      StartAt: Inner
                      States:
                        Inner:
                          Type: Task
                          Resource: arn:aws:states:::dynamodb:putItem
                          Parameters:
                            TableName: !Ref Table
                            Item: {id: {S.$: $.id}}
                          End: true
                    End: true
              - StartAt: Old
                States:
                  Old:
                    Type: Map
                    Iterator:
                      StartAt: Run
                      States:
                        Run:
                          Type: Task
                          Resource: arn:aws:states:::ecs:runTask.sync
                          Parameters:
                            Cluster: !GetAtt Cluster.Arn
                            TaskDefinition: !Ref TaskDef
                          End: true
                    End: true
                  Dist:
                    Type: Map
                    ItemReader:
                      Resource: arn:aws:states:::s3:listObjectsV2
                      Parameters: {Bucket: !Ref Bucket}
                    ItemProcessor:
                      ProcessorConfig: {Mode: DISTRIBUTED, ExecutionType: STANDARD}
                      StartAt: Noop
                      States: {Noop: {Type: Pass, End: true}}
                    End: true
            End: true
"#;
        let d = read(text);
        assert!(d.complete, "{:?}", d.gaps);
        let names: Vec<(&str, TaskKind)> =
            d.tasks.iter().map(|t| (t.name.as_str(), t.kind)).collect();
        assert_eq!(
            names,
            [
                ("Inner", TaskKind::Task),
                ("Run", TaskKind::Task),
                ("Dist", TaskKind::ItemReader)
            ]
        );
        assert_eq!(
            d.tasks[0].parameters,
            [("TableName".into(), "${Table}".into())]
        );
        assert_eq!(d.tasks[1].resource, "arn:aws:states:::ecs:runTask.sync");
        assert_eq!(d.tasks[1].parameter("Cluster"), Some("${Cluster.Arn}"));
        assert_eq!(d.tasks[2].parameter("Bucket"), Some("${Bucket}"));
        assert_eq!(d.distributed_maps, ["Dist"]);
    }

    #[test]
    fn dynamic_values_are_unknown() {
        let text = r#"
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName.$: $.target
            Credentials:
              RoleArn.$: $.role
            Next: B
          B:
            Type: Task
            QueryLanguage: JSONata
            Resource: arn:aws:states:::lambda:invoke
            Arguments:
              FunctionName: '{% $states.input.fn %}'
              Qualifier: live
            Credentials:
              RoleArn: '{% $states.input.role %}'
            Next: C
          C:
            Type: Task
            QueryLanguage: JSONata
            Resource: arn:aws:states:::sns:publish
            Arguments: '{% $states.input %}'
            Credentials:
              RoleArn: !GetAtt Other.Arn
            End: true
"#;
        let d = read(text);
        assert!(d.complete, "{:?}", d.gaps);
        assert_eq!(d.tasks[0].parameter("FunctionName"), Some(UNKNOWN));
        assert_eq!(d.tasks[0].credentials.as_deref(), Some(UNKNOWN));
        assert_eq!(d.tasks[1].parameter("FunctionName"), Some(UNKNOWN));
        assert_eq!(d.tasks[1].parameter("Qualifier"), Some("live"));
        assert_eq!(d.tasks[1].credentials.as_deref(), Some(UNKNOWN));
        assert_eq!(d.tasks[2].parameter(""), Some(UNKNOWN));
        assert_eq!(d.tasks[2].credentials.as_deref(), Some("${Other.Arn}"));
    }

    #[test]
    fn unreadable_definitions_are_incomplete() {
        let machine = |props: &str| {
            format!(
                "Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n{props}"
            )
        };
        let cases = [
            (
                "      DefinitionString: '{\"StartAt\": \"A\", \"States\": {'\n",
                "Malformed",
            ),
            ("      DefinitionString: not json\n", "Malformed"),
            ("      DefinitionString: !Ref Param\n", "Expression"),
            (
                "      DefinitionS3Location:\n        Bucket: b\n        Key: k\n",
                "External",
            ),
            ("      RoleArn: r\n", "Missing"),
            ("      Definition:\n        StartAt: A\n", "Malformed"),
            (
                "      Definition:\n        States:\n          A: !If [C, {Type: Pass}, {Type: Task}]\n",
                "State",
            ),
            (
                "      Definition:\n        States:\n          A: {Type: Task, Resource: !If [C, a, b]}\n",
                "UnknownResource",
            ),
            (
                "      Definition:\n        States:\n          A: {Type: Parallel, Branches: !Ref B}\n",
                "State",
            ),
        ];
        for (props, kind) in cases {
            let d = read(&machine(props));
            assert!(!d.complete, "{props}");
            assert!(
                d.gaps.iter().any(|g| format!("{g:?}").starts_with(kind)),
                "{props}: {:?}",
                d.gaps
            );
        }
        let serverless = "Resources:\n  Machine:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: s3://b/k\n";
        assert_eq!(read(serverless).gaps, [Gap::External]);

        let looped = "Transform: AWS::LanguageExtensions\nResources:\n  Fn::ForEach::Machines:\n    - Name\n    - [A, B]\n    - Machine:\n        Type: AWS::StepFunctions::StateMachine\n        Properties:\n          Definition:\n            States:\n              A: {Type: Task, Resource: !Sub '${Name}', End: true}\n";
        let d = read(looped);
        assert_eq!(d.gaps, [Gap::InLoop]);
        assert_eq!(resources(&d), ["${Name}"]);
    }

    #[test]
    fn join_as_the_sam_transform_writes_it() {
        let text = r#"
Resources:
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Join
        - ""
        - - '{"StartAt": "A", "States": {'
          - '  "A": {"Type": "Task", "Resource": "${FnArn}", "End": true},'
          - '  "B": {"Type": "Task", "Resource": "'
          - !GetAtt Other.Arn
          - '", "End": true}'
          - '}}'
      DefinitionSubstitutions:
        FnArn: !GetAtt Fn.Arn
"#;
        let d = read(text);
        assert!(d.complete, "{:?}", d.gaps);
        assert_eq!(resources(&d), ["${Fn.Arn}", "${Other.Arn}"]);
        assert_eq!(spanned(text, &d.tasks[0]), "${FnArn}");
        assert_eq!(spanned(text, &d.tasks[1]), "Other.Arn");

        // The transform's output, in JSON: each line a string with escaped quotes.
        let text = r#"{"Resources": {"Machine": {
  "Type": "AWS::StepFunctions::StateMachine",
  "Properties": {
    "DefinitionString": {"Fn::Join": ["\n", [
      "{",
      "  \"StartAt\": \"A\",",
      "  \"States\": {\"A\": {",
      "    \"Resource\": \"${definition_substitution_1}\",",
      "    \"Type\": \"Task\", \"End\": true",
      "  }}",
      "}"
    ]]},
    "DefinitionSubstitutions": {"definition_substitution_1": {"Fn::GetAtt": ["Fn", "Arn"]}}
  }
}}}"#;
        let d = read(text);
        assert!(d.complete, "{:?}", d.gaps);
        assert_eq!(resources(&d), ["${Fn.Arn}"]);
        assert_eq!(spanned(text, &d.tasks[0]), "${definition_substitution_1}");
    }

    #[test]
    fn every_prefix_of_a_definition_is_read_without_panic() {
        let definition = r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Fn.Arn}","Parameters":{"FunctionName.$":"$.f","Entries":[{"EventBusName":"${!Bus}"}]},"End":true}}}],"End":true}}}"#;
        for end in (0..=definition.len()).filter(|&e| definition.is_char_boundary(e)) {
            let prefix = definition[..end].replace('\'', "''");
            let text = format!(
                "Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: !Sub '{prefix}'\n      DefinitionSubstitutions: {{Bus: b}}\n"
            );
            let d = read(&text);
            assert_eq!(d.complete, end == definition.len(), "{prefix}");
            for task in &d.tasks {
                assert!(task.span.end <= text.len());
            }
        }
    }

    #[test]
    fn integrations_are_read_from_the_resource() {
        let cases = [
            (
                "arn:aws:states:::lambda:invoke",
                Some(("lambda", false, "invoke", None)),
            ),
            (
                "arn:${AWS::Partition}:states:::sqs:sendMessage.waitForTaskToken",
                Some(("sqs", false, "sendMessage", Some("waitForTaskToken"))),
            ),
            (
                "arn:aws-us-gov:states:::states:startExecution.sync:2",
                Some(("states", false, "startExecution", Some("sync:2"))),
            ),
            (
                "arn:aws:states:::aws-sdk:s3:listObjectsV2",
                Some(("s3", true, "listObjectsV2", None)),
            ),
            ("${Fn.Arn}", None),
            ("arn:aws:lambda:us-east-1:123456789012:function:f", None),
            ("arn:aws:states:us-east-1:123456789012:activity:a", None),
            ("arn:aws:states:::${Service}:invoke", None),
            ("arn:aws:states:::lambda", None),
        ];
        for (resource, expected) in cases {
            let got = Integration::parse(resource).map(|i| (i.service, i.sdk, i.action, i.pattern));
            assert_eq!(got, expected, "{resource}");
        }
    }

    #[test]
    fn size_and_nesting_are_bounded() {
        let wrap = |definition: &str| {
            format!(
                "Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: '{definition}'\n"
            )
        };
        // Parallel states nested 40 deep, a task at the bottom.
        let mut definition = r#"{"States":{"T":{"Type":"Task","Resource":"r"}}}"#.to_string();
        for _ in 0..40 {
            definition =
                format!(r#"{{"States":{{"P":{{"Type":"Parallel","Branches":[{definition}]}}}}}}"#);
        }
        let d = read(&wrap(&definition));
        assert_eq!(d.gaps, [Gap::TooLarge]);
        assert!(d.tasks.is_empty());
        // A text over the limit is not read at all.
        let padding = " ".repeat(MAX_DEFINITION_BYTES);
        let d = read(&wrap(&format!(
            r#"{{"States":{{"T":{{"Type":"Task","Resource":"r"}}}}}}{padding}"#
        )));
        assert_eq!(d.gaps, [Gap::TooLarge]);
        assert!(d.tasks.is_empty());
    }

    #[test]
    fn placeholders_outside_strings_keep_offsets() {
        let text = r#"{"a": ${X}, "b": "${Y}", "c": "q\"${Z}"}"#;
        let padded = pad_placeholders(text);
        assert_eq!(padded.len(), text.len());
        assert_eq!(padded, r#"{"a": 0   , "b": "${Y}", "c": "q\"${Z}"}"#);
        assert!(serde_json::from_str::<serde_json::Value>(&padded).is_ok());
    }

    #[test]
    fn text_the_yaml_reader_refuses_is_read_as_json() {
        // A tab before a key: JSON, but not what the YAML readers take in a block.
        let definition = "{\n\t\"StartAt\": \"A\",\n\t\"States\": {\"A\": {\"Type\": \"Task\", \"Resource\": \"arn:aws:states:::sns:publish\", \"End\": true}}\n}";
        let escaped = definition
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n")
            .replace('\t', "\\t");
        let text = format!(
            "Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: \"{escaped}\"\n"
        );
        let d = read(&text);
        assert!(d.complete, "{:?}", d.gaps);
        assert_eq!(resources(&d), ["arn:aws:states:::sns:publish"]);
    }
}
