//! Rules of the `template` family: one file per rule.

pub mod invalid_sub_variable;
pub mod invalid_template_section;
pub mod undefined_reference;
pub mod unknown_tag;
pub mod unused_parameter;

pub use invalid_sub_variable::InvalidSubVariable;
pub use invalid_template_section::InvalidTemplateSection;
pub use undefined_reference::UndefinedReference;
pub use unknown_tag::UnknownTag;
pub use unused_parameter::UnusedParameter;
