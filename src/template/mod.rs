//! Typed view of a CloudFormation template. (To be written: see issue 2.)

use crate::yaml::Document;

/// A parsed CloudFormation template.
#[derive(Debug, Default)]
pub struct Template {}

impl Template {
    pub fn from_document(_doc: &Document) -> Template {
        Template {}
    }
}
