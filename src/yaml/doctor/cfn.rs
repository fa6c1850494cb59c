//! What the doctor knows about CloudFormation and IAM structure: which keys live together, so a
//! misplaced key can be sent back to the mapping it belongs to.

use crate::vocabulary;

/// A kind of mapping whose keys CloudFormation or IAM fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Domain {
    Statement,
    TemplateSection,
    ResourceAttribute,
    PolicyDocument,
    Parameter,
    Output,
}

impl Domain {
    const ALL: [Domain; 6] = [
        Domain::Statement,
        Domain::TemplateSection,
        Domain::ResourceAttribute,
        Domain::PolicyDocument,
        Domain::Parameter,
        Domain::Output,
    ];

    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Domain::Statement => vocabulary::STATEMENT_ELEMENTS,
            Domain::TemplateSection => vocabulary::SECTIONS,
            Domain::ResourceAttribute => vocabulary::RESOURCE_ATTRIBUTES,
            Domain::PolicyDocument => vocabulary::POLICY_ELEMENTS,
            Domain::Parameter => vocabulary::PARAMETER_ATTRIBUTES,
            Domain::Output => vocabulary::OUTPUT_ATTRIBUTES,
        }
    }

    /// How a message names a mapping of this kind.
    pub fn describe(self) -> &'static str {
        match self {
            Domain::Statement => "policy statement",
            Domain::TemplateSection => "top-level template section",
            Domain::ResourceAttribute => "resource attribute",
            Domain::PolicyDocument => "policy document",
            Domain::Parameter => "parameter attribute",
            Domain::Output => "output attribute",
        }
    }
}

/// The domain in which `key` belongs next to `siblings`, if any: the one sharing the most keys
/// with them. `key` itself among the siblings does not count (it would be a duplicate).
pub(crate) fn domain_of<'a>(
    key: &str,
    siblings: impl Iterator<Item = &'a str> + Clone,
) -> Option<Domain> {
    Domain::ALL
        .into_iter()
        .filter(|d| d.keys().contains(&key))
        .map(|d| {
            let shared = siblings
                .clone()
                .filter(|s| *s != key && d.keys().contains(s))
                .count();
            (d, shared)
        })
        .filter(|(_, shared)| *shared > 0)
        .max_by_key(|(_, shared)| *shared)
        .map(|(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_goes_with_effect_and_action() {
        let statement = ["Effect", "Action"];
        assert_eq!(
            domain_of("Resource", statement.into_iter()),
            Some(Domain::Statement)
        );
        let attrs = ["Type", "Properties"];
        assert_eq!(domain_of("Resource", attrs.into_iter()), None);
        assert_eq!(
            domain_of("Condition", attrs.into_iter()),
            Some(Domain::ResourceAttribute)
        );
        let root = [
            "AWSTemplateFormatVersion",
            "Description",
            "Parameters",
            "Resources",
        ];
        assert_eq!(
            domain_of("Outputs", root.into_iter()),
            Some(Domain::TemplateSection)
        );
    }
}
