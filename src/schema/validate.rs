//! Validating each resource's `Properties` against its type's schema.
//!
//! The walk follows the value and the schema together. Literals are checked fully; a value an
//! intrinsic computes is checked only as far as its result type is known ([`super::value`]);
//! each branch of an `Fn::If` is checked on its own, and a problem found in one branch names
//! the condition; `AWS::NoValue` removes the property it is the value of.

use super::catalog::{scalar_text as json_text, ResourceType};
use super::loops::{Bindings, Expanded};
use super::value::{computed_fits, scalar_fits, scalar_number, scalar_text, shape_in, Json, Shape};
use super::{Kind, Problem};
use crate::diagnostic::{Edit, Finding, Fix};
use crate::source::Span;
use crate::suggest;
use crate::template::{alternatives, is_no_value, spans::whole_value_span, Template};
use crate::yaml::{Entry, Node, Resolved, ScalarStyle};
use regex::Regex;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const MAX_DEPTH: usize = 48;
/// Enum values listed in full up to this many; beyond, the nearest are named.
const ENUM_LISTED: usize = 12;

pub(super) struct Validator<'a, 't> {
    pub template: &'t Template<'a>,
    pub source: &'a str,
    pub rt: &'static ResourceType,
    pub out: Vec<Problem>,
    /// The `Fn::If` branches taken to reach the current value: (condition, then-branch?).
    branches: Vec<(&'a str, bool)>,
    /// Property names from the resource down to the current value, for messages.
    path: Vec<Cow<'a, str>>,
    /// Skip `required` (SAM `Globals` may supply the properties, at any depth).
    pub skip_top_required: bool,
    /// What the identifiers of the `Fn::ForEach` loops around the resource stand for.
    pub loops: Bindings<'a>,
}

impl<'a, 't> Validator<'a, 't> {
    pub fn new(template: &'t Template<'a>, source: &'a str, rt: &'static ResourceType) -> Self {
        Validator {
            template,
            source,
            rt,
            out: Vec::new(),
            branches: Vec::new(),
            path: Vec::new(),
            skip_top_required: false,
            loops: Bindings::default(),
        }
    }

    /// Validate the resource's `Properties` (`properties` is its value, `anchor` where a
    /// missing property is reported: the `Properties` key, or the resource's key without one).
    pub fn resource(&mut self, properties: Option<&'a Node>, anchor: Span) {
        let root = &self.rt.root;
        // `Properties: !Ref AWS::NoValue` removes them all.
        let properties = properties.filter(|p| !is_no_value(p));
        match properties {
            Some(node) => self.value(node, root, anchor, 0),
            None => {
                if !self.skip_top_required {
                    self.missing_required(&[], root, anchor);
                }
            }
        }
    }

    fn report(&mut self, kind: Kind, span: Span, message: String) -> &mut Problem {
        let mut message = message;
        if let Some(when) = self.when() {
            message.push_str(&format!(" ({when})"));
        }
        self.out.push(Finding::new(kind, span, message));
        self.out.last_mut().expect("just pushed")
    }

    /// "when condition `C` is false" for the branches taken.
    fn when(&self) -> Option<String> {
        if self.branches.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .branches
            .iter()
            .map(|(c, taken)| format!("condition `{c}` is {taken}"))
            .collect();
        Some(format!("when {}", parts.join(" and ")))
    }

    /// `AWS::S3::Bucket` at the top, else the innermost property name.
    fn owner(&self) -> String {
        match self.path.last() {
            Some(p) => format!("`{p}`"),
            None => format!("`{}`", self.rt.name),
        }
    }

    fn value(&mut self, node: &'a Node, schema: &'static Value, anchor: Span, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        // Below a SAM resource's top-level properties, SAM accepts more shapes than its
        // schema writes down (a Cognito event's `Trigger` as a string, a single
        // `CustomStatements` mapping, `RetryPolicy` on CloudWatch events, Globals filling in
        // nested settings): only the top level is judged.
        if self.rt.name.starts_with("AWS::Serverless::") && self.path.len() >= 2 {
            return;
        }
        // SAM's schema copies CloudFormation definitions (`AWS::Lambda::…`) from an older
        // release and extends them in ways it does not write down: not judged.
        if self.rt.name.starts_with("AWS::Serverless::")
            && schema
                .get("$ref")
                .and_then(Value::as_str)
                .is_some_and(|r| r.starts_with("#/definitions/AWS::"))
        {
            return;
        }
        let schema = self.rt.resolve(schema);
        match shape_in(node, self.template, &self.loops) {
            Shape::Choice {
                condition,
                then,
                otherwise,
            } => {
                // A condition decided by an enclosing `Fn::If` takes the same branch here.
                let decided = self
                    .branches
                    .iter()
                    .find(|(c, _)| *c == condition)
                    .map(|(_, taken)| *taken);
                for (branch, taken) in [(then, true), (otherwise, false)] {
                    match decided {
                        Some(d) if d != taken => continue,
                        // What a branch lacks is reported at the branch.
                        Some(_) => self.value(branch, schema, branch.span, depth + 1),
                        None => {
                            self.branches.push((condition, taken));
                            self.value(branch, schema, branch.span, depth + 1);
                            self.branches.pop();
                        }
                    }
                }
            }
            Shape::Removed | Shape::Unknown => {}
            shape => self.typed(node, shape, schema, anchor, depth),
        }
    }

    fn typed(
        &mut self,
        node: &'a Node,
        shape: Shape<'a>,
        schema: &'static Value,
        anchor: Span,
        depth: usize,
    ) {
        let wanted = schema_types(schema);
        let fits = |json: Json| wanted.is_empty() || wanted.contains(&json);
        let ok = match &shape {
            Shape::Scalar(Resolved::Null) => return, // nulls are left to other checks
            Shape::Scalar(r) => wanted.is_empty() || wanted.iter().any(|w| scalar_fits(r, *w)),
            Shape::Expanded(t) => {
                wanted.is_empty() || wanted.iter().any(|w| scalar_fits(&Resolved::Str(t), *w))
            }
            Shape::Object(_) => fits(Json::Object),
            Shape::Array(_) => fits(Json::Array),
            Shape::Computed { json, .. } => {
                wanted.is_empty() || wanted.iter().any(|w| computed_fits(*json, *w))
            }
            _ => true,
        };
        if !ok {
            if !self.packaged(&shape) {
                self.wrong_type(node, &shape, &wanted);
            }
            return;
        }
        match shape {
            Shape::Object(entries) => self.object(entries, schema, anchor, depth),
            Shape::Array(items) => self.array(node, items, schema, depth),
            Shape::Scalar(r) => {
                let raw = node.as_str().unwrap_or_default();
                self.scalar(node, &r, raw, schema)
            }
            Shape::Expanded(t) => self.scalar(node, &Resolved::Str(&t), &t, schema),
            _ => {}
        }
        self.combinators(node, schema, anchor, depth);
    }

    /// A local path or an S3 URL where `aws cloudformation package` (or `sam package`) puts
    /// the location of the artifact it uploads: the template is written for that step.
    fn packaged(&self, shape: &Shape<'a>) -> bool {
        const PACKAGED: &[(&str, &str)] = &[
            ("AWS::Lambda::Function", "Code"),
            ("AWS::Lambda::LayerVersion", "Content"),
            ("AWS::ApiGateway::RestApi", "BodyS3Location"),
            ("AWS::ElasticBeanstalk::ApplicationVersion", "SourceBundle"),
            ("AWS::StepFunctions::StateMachine", "DefinitionS3Location"),
            ("AWS::AppSync::GraphQLSchema", "DefinitionS3Location"),
            ("AWS::ApiGatewayV2::Api", "BodyS3Location"),
            ("AWS::CodeCommit::Repository", "Code"),
        ];
        matches!(shape, Shape::Scalar(Resolved::Str(_)) | Shape::Expanded(_))
            && self.path.len() == 1
            && PACKAGED.contains(&(self.rt.name, self.path[0].as_ref()))
    }

    fn wrong_type(&mut self, node: &'a Node, shape: &Shape<'a>, wanted: &[Json]) {
        let want = nouns(wanted);
        let have = match shape {
            Shape::Scalar(Resolved::Str(s)) => format!("the string `{}`", clip(s)),
            Shape::Expanded(s) => format!("the string `{}`", clip(s)),
            Shape::Scalar(Resolved::Bool(b)) => format!("the boolean `{b}`"),
            Shape::Scalar(Resolved::Int(i)) => format!("the number `{i}`"),
            Shape::Scalar(Resolved::Float(f)) => format!("the number `{f}`"),
            Shape::Object(_) => "a mapping".to_string(),
            Shape::Array(_) => "a list".to_string(),
            Shape::Computed { json, written } => {
                format!("`{written}`, which gives {}", json.noun())
            }
            _ => "this value".to_string(),
        };
        let what = match self.path.last() {
            Some(p) => format!("`{p}`"),
            None => "`Properties`".to_string(),
        };
        let mut help = None;
        if wanted == [Json::Array] && !matches!(shape, Shape::Object(_)) {
            help = Some("write it as a list, even of one item: `- value`".to_string());
        } else if wanted == [Json::Boolean] {
            help = Some("write `true` or `false`".to_string());
        }
        let span = node.span;
        let p = self.report(
            Kind::InvalidPropertyType,
            span,
            format!("{what} must be {want}, not {have}"),
        );
        p.help = help;
    }

    fn object(&mut self, entries: &'a [Entry], schema: &'static Value, anchor: Span, depth: usize) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let patterns = schema.get("patternProperties").and_then(Value::as_object);
        let additional = schema.get("additionalProperties");
        if entries.iter().any(|e| e.key.is_merge_key()) {
            // `yaml-alias` reports the merge key; what it would merge is not known here.
            return;
        }
        let mut unknown_keys = false;
        for entry in entries {
            let Some(key) = self.key(&entry.key) else {
                unknown_keys = true;
                continue;
            };
            let sub = properties.and_then(|p| p.get(key.as_ref())).or_else(|| {
                patterns.and_then(|p| {
                    p.iter()
                        .find(|(pattern, _)| regex(pattern).is_some_and(|re| re.is_match(&key)))
                        .map(|(_, s)| s)
                })
            });
            let sub = match (sub, additional) {
                (Some(s), _) => s,
                (None, Some(Value::Bool(false))) => {
                    self.unknown_property(&entry.key, &key, properties);
                    continue;
                }
                (None, Some(s @ Value::Object(_))) => s,
                (None, _) => continue,
            };
            self.path.push(key);
            self.value(&entry.value, sub, entry.key.span, depth + 1);
            self.path.pop();
        }
        // A key a loop's unknown value completes may be any property.
        if !unknown_keys {
            self.missing_required(entries, schema, anchor);
            self.dependencies(entries, schema);
        }
    }

    /// A mapping key as the current expansion writes it; `None` when it is not a scalar or a
    /// loop identifier of unknown value completes it.
    fn key(&self, key: &'a Node) -> Option<Cow<'a, str>> {
        match self.loops.expand(key.as_str()?) {
            Expanded::Known(k) => Some(k),
            Expanded::Unknown => None,
        }
    }

    /// Whether a loop identifier of unknown value completes one of the keys.
    fn unknown_keys(&self, entries: &[Entry]) -> bool {
        !self.loops.is_empty()
            && entries.iter().any(|e| {
                e.key
                    .as_str()
                    .is_some_and(|k| matches!(self.loops.expand(k), Expanded::Unknown))
            })
    }

    fn unknown_property(
        &mut self,
        key_node: &'a Node,
        key: &str,
        known: Option<&Map<String, Value>>,
    ) {
        // SAM passes the settings below an event's properties (`DestinationConfig.OnFailure`…)
        // to the resources it generates, and accepts more there than its schema writes down.
        if self.rt.name.starts_with("AWS::Serverless::")
            && self.path.first().is_some_and(|p| p == "Events")
            && self.path.len() > 3
        {
            return;
        }
        let names: Vec<&str> = known
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let owner = self.owner();
        let (help, fix) = match unique_near(key, &names) {
            Some(name) => (
                Some(format!("did you mean `{name}`?")),
                // A key a loop completes is not renamed to one expansion's name.
                (key_node.as_str() == Some(key))
                    .then(|| rename_fix(key_node, self.source, name))
                    .flatten(),
            ),
            None => match suggest::closest(key, names.iter().copied()) {
                Some(name) => (Some(format!("did you mean `{name}`?")), None),
                None if !names.is_empty() && names.len() <= ENUM_LISTED => {
                    (Some(format!("{owner} takes {}", list(&names))), None)
                }
                None => (None, None),
            },
        };
        let span = key_node.span;
        let p = self.report(
            Kind::UnknownProperty,
            span,
            format!("`{key}` is not a property of {owner}"),
        );
        p.help = help;
        p.fix = fix;
    }

    fn missing_required(&mut self, entries: &'a [Entry], schema: &'static Value, anchor: Span) {
        let loops = self.loops.clone();
        if self.skip_top_required {
            return;
        }
        let Some(required) = schema.get("required").and_then(Value::as_array) else {
            return;
        };
        let known = schema.get("properties").and_then(Value::as_object);
        // A misspelt key is one mistake: unknown-property reports it with the name meant.
        let misspelt = |name: &str| {
            entries.iter().any(|e| {
                key_text(&e.key, &loops).is_some_and(|k| {
                    known.is_some_and(|p| !p.contains_key(k.as_ref()))
                        && suggest::closest(
                            &k,
                            known.into_iter().flat_map(|p| p.keys().map(String::as_str)),
                        ) == Some(name)
                })
            })
        };
        for name in required.iter().filter_map(Value::as_str) {
            if matches!(presence(entries, name, &loops), Presence::Absent) && misspelt(name) {
                continue;
            }
            match presence(entries, name, &loops) {
                Presence::Present => {}
                Presence::Absent => {
                    let owner = self.owner();
                    let help = self.stub(schema, name);
                    let p = self.report(
                        Kind::MissingRequiredProperty,
                        anchor,
                        format!("{owner} requires `{name}`"),
                    );
                    p.help = Some(help);
                }
                Presence::Conditional(value, condition, removed_when) => {
                    let owner = self.owner();
                    let p = self.report(
                        Kind::MissingRequiredProperty,
                        anchor,
                        format!(
                            "{owner} requires `{name}`, but `AWS::NoValue` removes it when \
                             condition `{condition}` is {removed_when}"
                        ),
                    );
                    p.labels.push(crate::diagnostic::Label::new(
                        value.span,
                        format!("`{name}` is removed here when `{condition}` is {removed_when}"),
                    ));
                    p.help = Some(format!(
                        "give `{name}` a value in both branches of the `Fn::If`"
                    ));
                }
            }
        }
    }

    /// "add `Role: <string>`" with the property's description.
    fn stub(&self, parent: &'static Value, name: &str) -> String {
        let schema = parent
            .get("properties")
            .and_then(|p| p.get(name))
            .map(|s| (s, self.rt.resolve(s)));
        let (placeholder, description) = match schema {
            Some((written, resolved)) => {
                let placeholder = match schema_types(resolved).first() {
                    Some(Json::Object) => "{ … }".to_string(),
                    Some(Json::Array) => "[ … ]".to_string(),
                    Some(t) => {
                        format!("<{}>", &t.noun()[t.noun().find(' ').map_or(0, |i| i + 1)..])
                    }
                    None => "…".to_string(),
                };
                let description = written
                    .get("description")
                    .or_else(|| resolved.get("description"))
                    .and_then(Value::as_str);
                (placeholder, description)
            }
            None => ("…".to_string(), None),
        };
        let mut help = format!("add `{name}: {placeholder}`");
        if let Some(d) = description {
            help.push_str(&format!(" ({d})"));
        }
        help
    }

    fn dependencies(&mut self, entries: &'a [Entry], schema: &'static Value) {
        let loops = self.loops.clone();
        let present = |name: &str| matches!(presence(entries, name, &loops), Presence::Present);
        let key_span = |name: &str| {
            entries
                .iter()
                .find(|e| key_is(&e.key, name, &loops))
                .map(|e| e.key.span)
        };
        for keyword in ["dependentRequired", "dependencies"] {
            let Some(map) = schema.get(keyword).and_then(Value::as_object) else {
                continue;
            };
            for (given, needs) in map {
                let Some(needs) = needs.as_array() else {
                    continue;
                };
                if !present(given) {
                    continue;
                }
                for need in needs.iter().filter_map(Value::as_str) {
                    if matches!(presence(entries, need, &loops), Presence::Absent) {
                        let span = key_span(given).unwrap_or_default();
                        let help = self.stub(schema, need);
                        let p = self.report(
                            Kind::MissingRequiredProperty,
                            span,
                            format!("`{given}` requires `{need}` beside it"),
                        );
                        p.help = Some(help);
                    }
                }
            }
        }
        if let Some(map) = schema.get("dependentExcluded").and_then(Value::as_object) {
            let mut pairs: Vec<[&str; 2]> = Vec::new();
            for (given, excluded) in map {
                if !present(given) {
                    continue;
                }
                for other in excluded
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    let mut pair = [given.as_str(), other];
                    pair.sort_unstable();
                    if present(other) && !pairs.contains(&pair) {
                        pairs.push(pair);
                    }
                }
            }
            for pair in pairs {
                self.exclusive(entries, &pair);
            }
        }
        for (keyword, exactly_one) in [("requiredXor", true), ("requiredOr", false)] {
            let Some(names) = schema.get(keyword).and_then(Value::as_array) else {
                continue;
            };
            let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
            self.one_of_required(entries, &names, exactly_one);
        }
    }

    /// At least one of `names` (exactly one when `exactly_one`).
    fn one_of_required(&mut self, entries: &'a [Entry], names: &[&str], exactly_one: bool) {
        let loops = self.loops.clone();
        let given: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| matches!(presence(entries, n, &loops), Presence::Present))
            .collect();
        let maybe = names
            .iter()
            .any(|n| !matches!(presence(entries, n, &loops), Presence::Absent));
        if !maybe {
            let owner = self.owner();
            let anchor = self.anchor_of(entries);
            let p = self.report(
                Kind::MissingRequiredProperty,
                anchor,
                format!(
                    "{owner} requires {} of {}",
                    if exactly_one { "exactly one" } else { "one" },
                    list_or(names)
                ),
            );
            p.help = Some(format!("add one of {}", list_or(names)));
        } else if exactly_one && given.len() > 1 {
            self.exclusive(entries, &given);
        }
    }

    fn anchor_of(&self, entries: &'a [Entry]) -> Span {
        entries.first().map(|e| e.key.span).unwrap_or_default()
    }

    /// `names` (all given) may not be given together: reported at the second one.
    fn exclusive(&mut self, entries: &'a [Entry], names: &[&str]) {
        let mut given: Vec<(Span, &str)> = names
            .iter()
            .filter_map(|n| {
                let e = entries.iter().find(|e| key_is(&e.key, n, &self.loops))?;
                Some((e.key.span, *n))
            })
            .collect();
        given.sort_by_key(|(span, _)| span.start);
        let spans: Vec<Span> = given.iter().map(|(s, _)| *s).collect();
        let names: Vec<&str> = given.iter().map(|(_, n)| *n).collect();
        let names = names.as_slice();
        let (Some(first), Some(at)) = (spans.first().copied(), spans.get(1).copied()) else {
            return;
        };
        let owner = self.owner();
        let p = self.report(
            Kind::MutuallyExclusiveProperties,
            at,
            format!("{} cannot be given together in {owner}", list(names)),
        );
        p.labels
            .push(crate::diagnostic::Label::new(first, "also given here"));
        p.help = Some(format!("keep only one of {}", list(names)));
    }

    fn array(&mut self, node: &'a Node, items: &'a [Node], schema: &'static Value, depth: usize) {
        if let Some(item_schema) = schema.get("items").filter(|s| s.is_object()) {
            for item in items {
                self.value(item, item_schema, item.span, depth + 1);
            }
        }
        // Counting is only exact when no item is conditional.
        let literal = items
            .iter()
            .all(|i| alternatives(i).len() == 1 && !is_no_value(i));
        if !literal {
            return;
        }
        let n = items.len() as f64;
        let what = self.owner();
        if let Some(min) = schema.get("minItems").and_then(Value::as_f64) {
            if n < min {
                self.report(
                    Kind::InvalidPropertyValue,
                    node.span,
                    format!("{what} needs at least {min} item{}, not {n}", plural(min)),
                );
            }
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_f64) {
            if n > max {
                self.report(
                    Kind::InvalidPropertyValue,
                    node.span,
                    format!("{what} takes at most {max} item{}, not {n}", plural(max)),
                );
            }
        }
    }

    /// `raw` is the value as written (for an expansion, as the expansion writes it).
    fn scalar(&mut self, node: &'a Node, value: &Resolved<'_>, raw: &str, schema: &'static Value) {
        // Numbers keep their spelling (`4.0` stays `4.0` as a string); booleans become
        // `true`/`false`.
        let text = match value {
            Resolved::Int(_) | Resolved::Float(_) => Some(raw.to_string()),
            _ => scalar_text(value),
        };
        let Some(text) = text else {
            return;
        };
        // A dynamic reference is replaced at deploy time.
        if text.contains("{{") && text.contains("resolve:") {
            return;
        }
        let raw = if raw.is_empty() { text.as_str() } else { raw };
        let span = whole_value_span(node, self.source);
        let what = self.owner();
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            let insensitive = schema
                .get("enumCaseInsensitive")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            // CloudFormation's YAML reader keeps `N` and `y` as strings (YAML 1.1's one-letter
            // booleans are not among its booleans), so the value as written counts too.
            let fits = |a: &Value| {
                enum_matches(a, value, &text, insensitive)
                    || enum_matches(a, &Resolved::Str(raw), raw, insensitive)
            };
            if !allowed.iter().any(fits) {
                let names: Vec<String> = allowed.iter().map(json_text).collect();
                let help = enum_help(&text, &names);
                let p = self.report(
                    Kind::InvalidPropertyValue,
                    span,
                    format!("{} is not an allowed value of {what}", written(raw, &text)),
                );
                p.help = Some(help);
                return;
            }
        }
        if let Some(c) = schema.get("const") {
            if !enum_matches(c, value, &text, false)
                && !enum_matches(c, &Resolved::Str(raw), raw, false)
            {
                let p = self.report(
                    Kind::InvalidPropertyValue,
                    span,
                    format!("{what} must be `{}`, not `{}`", json_text(c), clip(&text)),
                );
                p.help = Some(format!("write `{}`", json_text(c)));
                return;
            }
        }
        let is_string_schema = schema_types(schema).contains(&Json::String);
        if is_string_schema || matches!(value, Resolved::Str(_)) {
            let chars = text.chars().count() as f64;
            let length = |k: &str| schema.get(k).and_then(Value::as_f64);
            let problem = match (length("minLength"), length("maxLength")) {
                (Some(min), _) if chars < min => Some(("at least", min)),
                (_, Some(max)) if chars > max => Some(("at most", max)),
                _ => None,
            };
            if let Some((bound, n)) = problem {
                self.report(
                    Kind::InvalidPropertyValue,
                    span,
                    format!(
                        "{what} must be {bound} {n} character{} long, not {chars}",
                        plural(n)
                    ),
                );
                return;
            }
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
                if !text.is_empty() && regex(pattern).is_some_and(|re| !re.is_match(&text)) {
                    let p = self.report(
                        Kind::InvalidPropertyValue,
                        span,
                        format!(
                            "`{}` does not match the pattern {what} requires",
                            clip(&text)
                        ),
                    );
                    p.help = Some(format!("the value must match `{}`", clip(pattern)));
                    return;
                }
            }
        }
        let numeric = schema_types(schema)
            .iter()
            .any(|t| matches!(t, Json::Number | Json::Integer));
        if let (true, Some(n)) = (numeric, scalar_number(value)) {
            let bound = |k: &str| schema.get(k).and_then(Value::as_f64);
            let problem = match (bound("minimum"), bound("maximum")) {
                (Some(min), _) if n < min => Some(format!("at least {min}")),
                (_, Some(max)) if n > max => Some(format!("at most {max}")),
                _ => match (bound("exclusiveMinimum"), bound("exclusiveMaximum")) {
                    (Some(min), _) if n <= min => Some(format!("more than {min}")),
                    (_, Some(max)) if n >= max => Some(format!("less than {max}")),
                    _ => None,
                },
            };
            if let Some(problem) = problem {
                self.report(
                    Kind::InvalidPropertyValue,
                    span,
                    format!("{what} must be {problem}, not {}", clip(&text)),
                );
            }
        }
    }

    fn combinators(&mut self, node: &'a Node, schema: &'static Value, anchor: Span, depth: usize) {
        let loops = self.loops.clone();
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.value(node, s, anchor, depth + 1);
            }
        }
        for (keyword, exactly_one) in [("oneOf", true), ("anyOf", false)] {
            if let Some(branches) = schema.get(keyword).and_then(Value::as_array) {
                self.alternatives(node, branches, exactly_one, anchor, depth);
            }
        }
        if let (Some(not), Some(entries)) = (schema.get("not"), node.as_mapping()) {
            if let Some(names) = required_only(not) {
                let all_given = !names.is_empty()
                    && names
                        .iter()
                        .all(|n| matches!(presence(entries, n, &loops), Presence::Present));
                if all_given && names.len() > 1 {
                    self.exclusive(entries, &names);
                }
            }
        }
    }

    fn alternatives(
        &mut self,
        node: &'a Node,
        branches: &'static [Value],
        exactly_one: bool,
        anchor: Span,
        depth: usize,
    ) {
        // `oneOf: [{required: [A]}, {required: [B]}]`: one of A, B.
        let loops = self.loops.clone();
        let required: Option<Vec<Vec<&str>>> = branches.iter().map(required_only).collect();
        if let (Some(required), Some(entries)) = (required, node.as_mapping()) {
            if self.unknown_keys(entries) {
                return;
            }
            if required.iter().all(|r| r.len() == 1) {
                let names: Vec<&str> = required.iter().map(|r| r[0]).collect();
                self.one_of_required(entries, &names, exactly_one);
                return;
            }
            let satisfied = |r: &Vec<&str>, maybe: bool| {
                r.iter().all(|n| match presence(entries, n, &loops) {
                    Presence::Present => true,
                    Presence::Conditional(..) => maybe,
                    Presence::Absent => false,
                })
            };
            if !required.iter().any(|r| satisfied(r, true)) {
                let options: Vec<String> = required.iter().map(|r| list(r)).collect();
                let options: Vec<&str> = options.iter().map(String::as_str).collect();
                let owner = self.owner();
                self.report(
                    Kind::MissingRequiredProperty,
                    anchor,
                    format!("{owner} requires {}", options.join(", or ")),
                );
            }
            return;
        }
        // Full schemas: the value must match one. Report only when the branch meant is clear.
        let saved_out = std::mem::take(&mut self.out);
        let mut results: Vec<(usize, Vec<Problem>)> = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            self.value(node, branch, anchor, depth + 1);
            results.push((i, std::mem::take(&mut self.out)));
        }
        self.out = saved_out;
        if results.iter().any(|(_, problems)| problems.is_empty()) {
            return;
        }
        let shaped: Vec<usize> = results
            .iter()
            .filter(|(i, _)| self.shape_fits(node, &branches[*i]))
            .map(|(i, _)| *i)
            .collect();
        let meant = match shaped.len() {
            0 => None,
            1 => Some(shaped[0]),
            _ => self.discriminated(node, branches, &shaped),
        };
        match meant {
            Some(i) => {
                let problems = std::mem::take(&mut results[i].1);
                self.out.extend(problems);
            }
            None if shaped.is_empty() => {
                // No branch takes a value of this kind at all: its type is wrong.
                if let Some((_, problems)) = results
                    .into_iter()
                    .find(|(_, p)| p.iter().all(|p| p.kind == Kind::InvalidPropertyType))
                {
                    if let Some(first) = problems.into_iter().next() {
                        self.out.push(first);
                    }
                }
            }
            None => {}
        }
    }

    /// Whether the branch takes a value of the node's kind (mapping, list, scalar).
    fn shape_fits(&self, node: &'a Node, branch: &'static Value) -> bool {
        let branch = self.rt.resolve(branch);
        let wanted = schema_types(branch);
        if wanted.is_empty() {
            return true;
        }
        match shape_in(node, self.template, &self.loops) {
            Shape::Object(_) => wanted.contains(&Json::Object),
            Shape::Expanded(t) => wanted.iter().any(|w| scalar_fits(&Resolved::Str(&t), *w)),
            Shape::Array(_) => wanted.contains(&Json::Array),
            Shape::Scalar(r) => wanted.iter().any(|w| scalar_fits(&r, *w)),
            Shape::Computed { json, .. } => wanted.iter().any(|w| computed_fits(json, *w)),
            _ => true,
        }
    }

    /// Among mapping branches, the one whose constant-valued property (`Type: S3`) the node
    /// gives.
    fn discriminated(
        &self,
        node: &'a Node,
        branches: &'static [Value],
        candidates: &[usize],
    ) -> Option<usize> {
        let entries = node.as_mapping()?;
        let mut chosen = None;
        for &i in candidates {
            let branch = self.rt.resolve(&branches[i]);
            let props = branch.get("properties")?.as_object()?;
            let mut decided = None;
            for entry in entries {
                let (Some(key), Some(value)) = (
                    key_text(&entry.key, &self.loops),
                    entry
                        .value
                        .as_str()
                        .and_then(|v| match self.loops.expand(v) {
                            Expanded::Known(v) => Some(v),
                            Expanded::Unknown => None,
                        }),
                ) else {
                    continue;
                };
                if entry.value.tag.is_some() {
                    continue;
                }
                let Some(s) = props.get(key.as_ref()).map(|s| self.rt.resolve(s)) else {
                    continue;
                };
                let fixed: Vec<String> = match (s.get("enum"), s.get("const")) {
                    (Some(Value::Array(list)), _) if list.len() <= 3 => {
                        list.iter().map(json_text).collect()
                    }
                    (_, Some(c)) => vec![json_text(c)],
                    _ => continue,
                };
                decided = Some(fixed.iter().any(|f| *f == value));
                if decided == Some(false) {
                    break;
                }
            }
            if decided == Some(true) {
                if chosen.is_some() {
                    return None;
                }
                chosen = Some(i);
            }
        }
        chosen
    }
}

/// Whether and how `name` is given in a mapping.
enum Presence<'n> {
    Present,
    Absent,
    /// Given through `Fn::If`, removed by `AWS::NoValue` in a branch of condition `.1`: the
    /// branch taken when the condition is `.2`.
    Conditional(&'n Node, &'n str, bool),
}

fn presence<'n>(entries: &'n [Entry], name: &str, loops: &Bindings<'_>) -> Presence<'n> {
    let Some(entry) = entries.iter().find(|e| key_is(&e.key, name, loops)) else {
        return Presence::Absent;
    };
    if is_no_value(&entry.value) {
        return Presence::Absent;
    }
    let leaves = alternatives(&entry.value);
    if leaves.len() > 1 && leaves.iter().any(|l| is_no_value(l)) {
        if let Some((condition, removed_when)) = if_condition(&entry.value) {
            return Presence::Conditional(&entry.value, condition, removed_when);
        }
    }
    Presence::Present
}

/// A mapping key as an expansion writes it (`None`: not a scalar, or completed by a loop
/// identifier of unknown value).
fn key_text<'k>(key: &'k Node, loops: &Bindings<'_>) -> Option<Cow<'k, str>> {
    match loops.expand(key.as_str()?) {
        Expanded::Known(k) => Some(k),
        Expanded::Unknown => None,
    }
}

fn key_is(key: &Node, name: &str, loops: &Bindings<'_>) -> bool {
    match key.as_str() {
        Some(k) if loops.is_empty() => k == name,
        Some(_) => key_text(key, loops).is_some_and(|k| k == name),
        None => false,
    }
}

/// The condition of an `Fn::If`, and the value it has when the `AWS::NoValue` branch is taken
/// (for nested `Fn::If`s, the outer condition's branch that leads to one).
fn if_condition(node: &Node) -> Option<(&str, bool)> {
    match crate::template::intrinsic(node)?.call {
        crate::template::Call::If {
            condition, then, ..
        } => {
            let removed_in_then = alternatives(then).iter().any(|l| is_no_value(l));
            Some((condition.text, removed_in_then))
        }
        _ => None,
    }
}

/// `{required: [A, B]}` alone (a description may accompany it): its names.
fn required_only(schema: &Value) -> Option<Vec<&str>> {
    let map = schema.as_object()?;
    if !map
        .keys()
        .all(|k| k == "required" || k == "description" || k == "type")
    {
        return None;
    }
    if map.get("type").is_some_and(|t| t != "object") {
        return None;
    }
    Some(
        map.get("required")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect(),
    )
}

/// The JSON types a schema admits; empty when it does not say (or says `properties`/`items`
/// without `type`, which admit anything in JSON Schema).
pub fn schema_types(schema: &Value) -> Vec<Json> {
    match schema.get("type") {
        Some(Value::String(t)) => Json::from_name(t).into_iter().collect(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|t| t.as_str().and_then(Json::from_name))
            .collect(),
        _ => Vec::new(),
    }
}

fn enum_matches(allowed: &Value, value: &Resolved<'_>, text: &str, insensitive: bool) -> bool {
    match allowed {
        Value::String(s) => {
            if insensitive {
                s.eq_ignore_ascii_case(text)
            } else {
                s == text || matches!(value, Resolved::Bool(_)) && s.eq_ignore_ascii_case(text)
            }
        }
        Value::Number(n) => n.as_f64().is_some_and(|n| scalar_number(value) == Some(n)),
        Value::Bool(b) => match value {
            Resolved::Bool(v) => v == b,
            Resolved::Str(s) => s.eq_ignore_ascii_case(&b.to_string()),
            _ => false,
        },
        _ => false,
    }
}

fn enum_help(text: &str, allowed: &[String]) -> String {
    if allowed.len() <= ENUM_LISTED {
        let exact = allowed.iter().find(|a| a.eq_ignore_ascii_case(text));
        return match exact {
            Some(a) => format!("did you mean `{a}`? (values are case-sensitive)"),
            None => format!("allowed values: {}", list(allowed)),
        };
    }
    let mut near: Vec<(usize, &String)> = allowed
        .iter()
        .map(|a| {
            (
                suggest::distance(&text.to_lowercase(), &a.to_lowercase()),
                a,
            )
        })
        .collect();
    near.sort();
    let nearest: Vec<&String> = near.iter().take(3).map(|(_, a)| *a).collect();
    format!(
        "{} values are allowed; the nearest are {}",
        allowed.len(),
        list(&nearest)
    )
}

/// The one candidate within 1–2 edits of `typed` (ignoring case), if exactly one is.
fn unique_near<'n>(typed: &str, candidates: &[&'n str]) -> Option<&'n str> {
    let lower = typed.to_lowercase();
    let mut found: Option<(usize, &str)> = None;
    let mut ties = 0;
    for c in candidates {
        let d = suggest::distance(&lower, &c.to_lowercase());
        if (1..=2).contains(&d) || (d == 0 && *c != typed) {
            match found {
                Some((best, _)) if d > best => {}
                Some((best, _)) if d == best => ties += 1,
                _ => {
                    found = Some((d, c));
                    ties = 0;
                }
            }
        }
    }
    // Short names are too close to everything for a mechanical fix.
    found
        .filter(|_| ties == 0 && typed.chars().count() >= 4)
        .map(|(_, c)| c)
}

fn rename_fix(key: &Node, source: &str, name: &str) -> Option<Fix> {
    let scalar = key.as_scalar()?;
    let raw = source.get(key.span.start..key.span.end)?;
    let replacement = match scalar.style {
        ScalarStyle::Plain => name.to_string(),
        ScalarStyle::DoubleQuoted if raw.starts_with('"') => format!("\"{name}\""),
        ScalarStyle::SingleQuoted if raw.starts_with('\'') => format!("'{name}'"),
        _ => return None,
    };
    Some(Fix {
        description: format!("rename to `{name}`"),
        edits: vec![Edit {
            span: key.span,
            replacement,
        }],
    })
}

/// A compiled schema pattern, cached for the process; `None` for a pattern the `regex` crate
/// cannot compile (look-arounds): such a pattern is not checked.
fn regex(pattern: &str) -> Option<Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().ok()?.get(pattern) {
        return found.clone();
    }
    let compiled = regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .ok();
    cache
        .lock()
        .ok()?
        .insert(pattern.to_string(), compiled.clone());
    compiled
}

/// The scalar as the message shows it: as written, and as YAML reads it when that differs
/// (`On` is the boolean `true` to CloudFormation's YAML reader).
fn written(raw: &str, text: &str) -> String {
    match raw {
        raw if raw != text => {
            format!("`{}` (which YAML reads as `{}`)", clip(raw), clip(text))
        }
        _ => format!("`{}`", clip(text)),
    }
}

fn nouns(types: &[Json]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.noun()).collect();
    match names.as_slice() {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

pub(super) fn list<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.as_ref())).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn list_or(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn plural(n: f64) -> &'static str {
    if n == 1.0 {
        ""
    } else {
        "s"
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        s.chars().take(57).collect::<String>() + "…"
    }
}
