//! Where hover and completion get what they say about resource types, their properties and
//! attributes. The resource schemas are not embedded yet; whoever embeds them implements
//! [`SchemaProvider`] and hands it to [`set_provider`] before the server starts. Until then
//! [`NoSchema`] answers nothing, and those hovers and completions are simply absent.

use std::sync::OnceLock;

/// What a resource schema can tell an editor. Every method has an empty default, so a provider
/// implements what it knows.
pub trait SchemaProvider: Send + Sync {
    /// Markdown describing a resource type (`AWS::S3::Bucket`): its description and a link to
    /// its reference page. `None` for a type the schema does not know.
    fn resource_type_hover(&self, _type_name: &str) -> Option<String> {
        None
    }

    /// Markdown describing a property of a resource type. `path` is the property's key path
    /// under `Properties` (`["VersioningConfiguration", "Status"]`); list items do not count.
    fn property_hover(&self, _type_name: &str, _path: &[&str]) -> Option<String> {
        None
    }

    /// Every resource type, each with a one-line description, for completing `Type:`.
    fn resource_types(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The property names allowed at `path` under `Properties` (empty `path`: the top level),
    /// each with a one-line description.
    fn property_names(&self, _type_name: &str, _path: &[&str]) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The attributes `Fn::GetAtt` can read from a resource type.
    fn attributes(&self, _type_name: &str) -> Vec<String> {
        Vec::new()
    }
}

/// The provider until the resource schemas are embedded: knows nothing.
pub struct NoSchema;

impl SchemaProvider for NoSchema {}

static PROVIDER: OnceLock<&'static dyn SchemaProvider> = OnceLock::new();

/// Use `provider` for the rest of the process. Returns `false` when one was already set.
pub fn set_provider(provider: &'static dyn SchemaProvider) -> bool {
    PROVIDER.set(provider).is_ok()
}

/// The provider in use.
pub fn provider() -> &'static dyn SchemaProvider {
    *PROVIDER.get_or_init(|| &NoSchema)
}
