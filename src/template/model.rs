//! The template's sections as borrowed views of the YAML tree.

use super::intrinsic::Function;
use crate::yaml::{Document, Entry, Node, NodeKind};

/// The SAM transform; templates using it get resources the transform generates.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";
/// The transform enabling `Fn::ForEach`, `Fn::Length`, `Fn::ToJsonString` and friends.
pub const LANGUAGE_EXTENSIONS_TRANSFORM: &str = "AWS::LanguageExtensions";

pub use crate::vocabulary::{PACKAGING_SECTIONS, SECTIONS};

/// A named item of a section (a mapping, a condition, a rule).
#[derive(Clone, Copy, Debug)]
pub struct Named<'a> {
    pub name: &'a str,
    pub key: &'a Node,
    pub value: &'a Node,
}

#[derive(Clone, Debug)]
pub struct Parameter<'a> {
    pub name: &'a str,
    pub key: &'a Node,
    /// The parameter's whole definition.
    pub node: &'a Node,
    pub type_: Option<&'a str>,
    pub description: Option<&'a str>,
    pub default: Option<&'a Node>,
}

#[derive(Clone, Debug)]
pub struct Resource<'a> {
    /// The logical ID. Inside an `Fn::ForEach` loop it is a pattern such as `${Name}Bucket`.
    pub logical_id: &'a str,
    pub key: &'a Node,
    /// The resource's whole definition.
    pub node: &'a Node,
    pub type_: Option<&'a str>,
    pub type_node: Option<&'a Node>,
    pub properties: Option<&'a Node>,
    /// `DependsOn` values as written (a scalar or a list of scalars).
    pub depends_on: Option<&'a Node>,
    pub condition: Option<&'a Node>,
    pub metadata: Option<&'a Node>,
    /// Declared inside an `Fn::ForEach` loop (LanguageExtensions), so `logical_id` is a pattern.
    pub in_loop: bool,
}

impl<'a> Resource<'a> {
    /// A top-level property of the resource.
    pub fn property(&self, name: &str) -> Option<&'a Node> {
        self.properties?.get(name)
    }

    /// Any other attribute of the definition (`DeletionPolicy`, `UpdatePolicy`, …).
    pub fn attribute(&self, name: &str) -> Option<&'a Node> {
        self.node.get(name)
    }

    /// The `DependsOn` targets that are plain names.
    pub fn depends_on_names(&self) -> Vec<&'a Node> {
        match self.depends_on {
            Some(n) if n.as_scalar().is_some() => vec![n],
            Some(n) => n
                .as_sequence()
                .map(|items| items.iter().filter(|i| i.as_scalar().is_some()).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        }
    }

    pub fn is_serverless(&self) -> bool {
        self.type_
            .is_some_and(|t| t.starts_with("AWS::Serverless::"))
    }

    /// A registry module (`Type: Org::Service::Thing::MODULE`): CloudFormation replaces it with
    /// the module's resources, whose logical IDs are this one's followed by theirs
    /// (`MyModuleBucket`, or `MyModule.Bucket`).
    pub fn is_module(&self) -> bool {
        self.type_.is_some_and(|t| t.ends_with("::MODULE"))
    }
}

#[derive(Clone, Debug)]
pub struct Output<'a> {
    pub name: &'a str,
    pub key: &'a Node,
    pub node: &'a Node,
    pub value: Option<&'a Node>,
    pub condition: Option<&'a Node>,
    pub export_name: Option<&'a Node>,
}

/// A top-level key and its value.
#[derive(Clone, Copy, Debug)]
pub struct Section<'a> {
    pub name: &'a str,
    pub key: &'a Node,
    pub value: &'a Node,
}

/// A CloudFormation template, borrowing the YAML document: every item keeps its nodes, so
/// their spans are at hand. Built from any document; a document that is not a template yields
/// an empty one (`is_mapping` false).
#[derive(Clone, Debug, Default)]
pub struct Template<'a> {
    pub root: Option<&'a Node>,
    /// Whether the document's root is a mapping at all.
    pub is_mapping: bool,
    /// Top-level entries in source order (scalar keys only).
    pub sections: Vec<Section<'a>>,
    pub format_version: Option<&'a Node>,
    pub description: Option<&'a Node>,
    pub metadata: Option<&'a Node>,
    /// Transform names (`Transform: X` or `Transform: [X, Y]`; macro calls with parameters give
    /// their `Name`).
    pub transforms: Vec<&'a str>,
    pub parameters: Vec<Parameter<'a>>,
    pub rules: Vec<Named<'a>>,
    pub mappings: Vec<Named<'a>>,
    pub conditions: Vec<Named<'a>>,
    pub resources: Vec<Resource<'a>>,
    pub outputs: Vec<Output<'a>>,
    /// SAM `Globals`.
    pub globals: Option<&'a Node>,
    /// [`Template::has_unknown_content`], computed on first use: several rules ask, and the
    /// answer walks the whole document.
    unknown_content: std::sync::OnceLock<bool>,
    /// [`Template::references`] and [`Template::sub_problems`], from one walk.
    pub(crate) walked: std::sync::OnceLock<super::refs::Walked<'a>>,
    /// [`Template::loops`] and what they generate, found on first use.
    pub(crate) loops: std::sync::OnceLock<super::foreach::Loops<'a>>,
    /// Logical ID → index of its first definition in `resources`, built on first lookup: a
    /// large template has thousands of resources and its policies name them thousands of times.
    resource_index: std::sync::OnceLock<std::collections::HashMap<&'a str, usize>>,
}

impl<'a> Template<'a> {
    pub fn from_document(doc: &'a Document) -> Template<'a> {
        match &doc.root {
            Some(root) => Template::from_root(root),
            None => Template::default(),
        }
    }

    pub fn from_root(root: &'a Node) -> Template<'a> {
        let mut t = Template {
            root: Some(root),
            ..Template::default()
        };
        let Some(entries) = root.as_mapping() else {
            return t;
        };
        t.is_mapping = true;
        for entry in entries {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            let value = &entry.value;
            t.sections.push(Section {
                name,
                key: &entry.key,
                value,
            });
            match name {
                "AWSTemplateFormatVersion" => t.format_version = Some(value),
                "Description" => t.description = Some(value),
                "Metadata" => t.metadata = Some(value),
                "Transform" => t.transforms = transform_names(value),
                "Parameters" => t.parameters = named(value).map(parameter).collect(),
                "Rules" => t.rules = named(value).collect(),
                "Mappings" => t.mappings = named(value).collect(),
                "Conditions" => t.conditions = named(value).collect(),
                "Resources" => collect_resources(value, false, &mut t.resources),
                "Outputs" => t.outputs = named(value).map(output).collect(),
                "Globals" => t.globals = Some(value),
                _ => {}
            }
        }
        t
    }

    pub fn section(&self, name: &str) -> Option<&Section<'a>> {
        self.sections.iter().find(|s| s.name == name)
    }

    pub fn parameter(&self, name: &str) -> Option<&Parameter<'a>> {
        self.parameters.iter().find(|p| p.name == name)
    }

    pub fn resource(&self, logical_id: &str) -> Option<&Resource<'a>> {
        let index = self.resource_index.get_or_init(|| {
            let mut index = std::collections::HashMap::with_capacity(self.resources.len());
            for (i, r) in self.resources.iter().enumerate() {
                index.entry(r.logical_id).or_insert(i);
            }
            index
        });
        index.get(logical_id).map(|&i| &self.resources[i])
    }

    pub fn condition(&self, name: &str) -> Option<&Named<'a>> {
        self.conditions.iter().find(|c| c.name == name)
    }

    pub fn mapping(&self, name: &str) -> Option<&Named<'a>> {
        self.mappings.iter().find(|m| m.name == name)
    }

    /// Resources of one type, e.g. `AWS::IAM::Role`, in source order.
    pub fn resources_of_type<'t>(
        &'t self,
        type_: &'t str,
    ) -> impl Iterator<Item = &'t Resource<'a>> + 't {
        self.resources
            .iter()
            .filter(move |r| r.type_ == Some(type_))
    }

    pub fn has_transform(&self, name: &str) -> bool {
        self.transforms.contains(&name)
    }

    /// Processed by the SAM transform (which adds resources the template does not declare).
    /// Templates with `AWS::Serverless::*` resources or `Globals` count even without the
    /// `Transform` line: SAM's own tooling and test suites add it implicitly, and without it
    /// CloudFormation rejects the resource types anyway (a different mistake).
    pub fn is_sam(&self) -> bool {
        self.has_transform(SAM_TRANSFORM)
            || self.globals.is_some()
            || self.resources.iter().any(Resource::is_serverless)
    }

    /// Uses a transform other than SAM and LanguageExtensions (a macro, `AWS::Include`,
    /// `AWS::CodeDeployBlueGreen`…), whose output this program cannot predict.
    pub fn has_opaque_transform(&self) -> bool {
        self.transforms
            .iter()
            .any(|t| *t != SAM_TRANSFORM && *t != LANGUAGE_EXTENSIONS_TRANSFORM)
    }

    /// The top-level sections of a packaging step ([`PACKAGING_SECTIONS`]: `Modules`,
    /// `Constants`, …), in source order.
    pub fn packaging_sections(&self) -> impl Iterator<Item = &Section<'a>> {
        self.sections
            .iter()
            .filter(|s| PACKAGING_SECTIONS.contains(&s.name))
    }

    /// Whether some part of the deployed template is produced by a macro this program cannot
    /// see: an opaque top-level transform, an `Fn::Transform` (such as `AWS::Include`)
    /// anywhere, or the syntax of a tool that rewrites the file before CloudFormation reads it
    /// (packaging sections, `!Rain::` tags, Serverless Framework variables: such a file is
    /// a module source or a fragment, whose names the parent or the tool resolves). Rules
    /// about names defined or used elsewhere in the template stay quiet then.
    pub fn has_unknown_content(&self) -> bool {
        *self.unknown_content.get_or_init(|| {
            if self.has_opaque_transform() || self.packaging_sections().next().is_some() {
                return true;
            }
            let mut found = false;
            if let Some(root) = self.root {
                root.walk(&mut |n| {
                    found |= is_transform_call(n) || is_preprocessor_syntax(n);
                });
            }
            found
        })
    }
}

impl Template<'_> {
    /// Whether the file holds syntax of a tool that rewrites it before CloudFormation sees it
    /// (`rain` directives, Serverless Framework variables): such a file is a fragment.
    pub fn has_preprocessor_syntax(&self) -> bool {
        let mut found = false;
        if let Some(root) = self.root {
            root.walk(&mut |n| found |= is_preprocessor_syntax(n));
        }
        found
    }
}

/// `intrinsic(n)` names the function the same way, but also parses the call's arguments (a
/// `!Sub` string, …): too much for a test run on every node of every template.
fn is_transform_call(n: &Node) -> bool {
    let function = match &n.tag {
        Some(tag) => Function::from_tag(&tag.text),
        None => match n.as_mapping() {
            Some([entry]) => entry.key.as_str().and_then(Function::from_long_name),
            _ => None,
        },
    };
    function == Some(Function::Transform)
}

/// Syntax of tools that rewrite the template before CloudFormation sees it: the `rain` CLI's
/// `!Rain::Module` / `Rain::Embed` directives and the Serverless Framework's `${self:…}`,
/// `${opt:…}` variables (such files are fragments of a bigger template).
fn is_preprocessor_syntax(node: &Node) -> bool {
    if node.tag_text().is_some_and(|t| t.starts_with("!Rain::")) {
        return true;
    }
    match node.as_str() {
        Some(s) if node.tag.is_none() => {
            s.starts_with("Rain::") || super::external::has_tool_variable(s)
        }
        _ => false,
    }
}

fn named<'a>(section: &'a Node) -> impl Iterator<Item = Named<'a>> {
    section
        .as_mapping()
        .unwrap_or_default()
        .iter()
        .filter_map(|Entry { key, value }| {
            Some(Named {
                name: key.as_str()?,
                key,
                value,
            })
        })
}

fn parameter(n: Named<'_>) -> Parameter<'_> {
    Parameter {
        name: n.name,
        key: n.key,
        node: n.value,
        type_: n.value.get("Type").and_then(Node::as_str),
        description: n.value.get("Description").and_then(Node::as_str),
        default: n.value.get("Default"),
    }
}

fn output(n: Named<'_>) -> Output<'_> {
    Output {
        name: n.name,
        key: n.key,
        node: n.value,
        value: n.value.get("Value"),
        condition: n.value.get("Condition"),
        export_name: n.value.get("Export").and_then(|e| e.get("Name")),
    }
}

fn collect_resources<'a>(section: &'a Node, in_loop: bool, out: &mut Vec<Resource<'a>>) {
    for n in named(section) {
        // `Fn::ForEach::Name: [Identifier, Collection, {LogicalIdPattern: Definition}]`
        if n.name.starts_with("Fn::ForEach::") {
            if let Some([_, _, body]) = n.value.as_sequence() {
                collect_resources(body, true, out);
            }
            continue;
        }
        let node = n.value;
        let type_node = node.get("Type");
        out.push(Resource {
            logical_id: n.name,
            key: n.key,
            node,
            type_: type_node.and_then(Node::as_str),
            type_node,
            properties: node.get("Properties"),
            depends_on: node.get("DependsOn"),
            condition: node.get("Condition"),
            metadata: node.get("Metadata"),
            in_loop,
        });
    }
}

fn transform_names(value: &Node) -> Vec<&str> {
    fn one(n: &Node) -> Option<&str> {
        match &n.kind {
            NodeKind::Scalar(s) => Some(s.value.as_str()),
            NodeKind::Mapping(_) => n.get("Name").and_then(Node::as_str),
            _ => None,
        }
    }
    match value.as_sequence() {
        Some(items) => items.iter().filter_map(one).collect(),
        None => one(value).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::testing::*;

    #[test]
    fn non_mapping_documents_yield_an_empty_template() {
        let doc = Document {
            root: Some(scalar("just text")),
            comments: vec![],
        };
        let t = Template::from_document(&doc);
        assert!(!t.is_mapping);
        assert!(t.resources.is_empty());
        let empty = Document {
            root: None,
            comments: vec![],
        };
        assert!(Template::from_document(&empty).root.is_none());
    }

    #[test]
    fn reads_sections_resources_and_loops() {
        let root = map(vec![
            ("Transform", seq(vec![scalar(SAM_TRANSFORM)])),
            (
                "Parameters",
                map(vec![("Env", map(vec![("Type", scalar("String"))]))]),
            ),
            (
                "Resources",
                map(vec![
                    (
                        "Role",
                        map(vec![
                            ("Type", scalar("AWS::IAM::Role")),
                            ("DependsOn", seq(vec![scalar("Bucket")])),
                            ("Properties", map(vec![("Path", scalar("/"))])),
                        ]),
                    ),
                    (
                        "Fn::ForEach::Topics",
                        seq(vec![
                            scalar("Name"),
                            seq(vec![scalar("a")]),
                            map(vec![(
                                "${Name}Topic",
                                map(vec![("Type", scalar("AWS::SNS::Topic"))]),
                            )]),
                        ]),
                    ),
                ]),
            ),
        ]);
        let t = Template::from_root(&root);
        assert!(t.is_sam());
        assert!(!t.has_opaque_transform());
        assert_eq!(t.parameter("Env").and_then(|p| p.type_), Some("String"));
        let role = t.resource("Role").unwrap();
        assert_eq!(role.property("Path").and_then(Node::as_str), Some("/"));
        assert_eq!(role.depends_on_names().len(), 1);
        assert_eq!(t.resources_of_type("AWS::IAM::Role").count(), 1);
        let topic = t.resource("${Name}Topic").unwrap();
        assert!(topic.in_loop);
    }
}
