//! Values that are not known until something other than the template's own evaluation fills
//! them in: CloudFormation's dynamic references (`{{resolve:ssm:…}}`, resolved when the stack is
//! deployed), and the variables of tools that rewrite the file before CloudFormation reads it
//! (the Serverless Framework's `${self:…}`, `${opt:…}` …). Rules treat text holding them as an
//! unknown value, like a parameter.

/// Serverless Framework variable sources, as they follow `${`. `aws:region` and `aws:accountId`
/// are the framework's too (IAM has no policy variables of those names).
const TOOL_VARIABLES: &[&str] = &[
    "self:",
    "opt:",
    "sls:",
    "env:",
    "file(",
    "ssm:",
    "cf:",
    "s3:",
    "param:",
    "aws:region}",
    "aws:accountId}",
];

/// Whether `text` holds a dynamic reference (`{{resolve:ssm:…}}`, `{{resolve:secretsmanager:…}}`,
/// `{{resolve:ssm-secure:…}}`), resolved at deploy time.
pub fn has_dynamic_reference(text: &str) -> bool {
    text.contains("{{resolve:")
}

/// Whether `text` holds a Serverless Framework variable (`${self:custom.bucket}`).
pub fn has_tool_variable(text: &str) -> bool {
    // One pass over each `${` instead of one scan of the string per source: this runs on every
    // scalar of every template.
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'$'
            && bytes.get(i + 1) == Some(&b'{')
            && text
                .get(i + 2..)
                .is_some_and(|after| TOOL_VARIABLES.iter().any(|p| after.starts_with(p)))
    })
}

/// Whether some of `text` is filled in outside the template: its value is unknown here.
pub fn resolved_elsewhere(text: &str) -> bool {
    has_dynamic_reference(text) || has_tool_variable(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_dynamic_references_and_tool_variables() {
        assert!(resolved_elsewhere("{{resolve:ssm:/app/arn}}"));
        assert!(resolved_elsewhere(
            "arn:aws:kms:us-east-1:{{resolve:ssm-secure:acct}}:key/*"
        ));
        assert!(resolved_elsewhere("arn:aws:s3:::${self:custom.bucket}/*"));
        assert!(resolved_elsewhere(
            "arn:aws:sqs:${aws:region}:${aws:accountId}:q"
        ));
        assert!(!resolved_elsewhere("arn:aws:s3:::b/${aws:username}/*"));
        assert!(!resolved_elsewhere("arn:aws:s3:::${Bucket}/*"));
        assert!(!resolved_elsewhere("{{ jinja }}"));
        assert!(has_tool_variable("${opt:stage, 'dev'}"));
        assert!(!has_tool_variable("$self:x"));
    }
}
