//! What IAM accepts as a principal, by principal type: account IDs and IAM/STS principal ARNs
//! for `AWS`, service principal names for `Service`, identity providers for `Federated`,
//! canonical user IDs for `CanonicalUser`.
//!
//! Values are judged on what the template spells out: a piece written with `!Ref`, `!Sub`
//! variables or `!GetAtt` is [`SYMBOL`] here and may stand for anything.

use super::arn::PARTITIONS;
use crate::template::{StringPart, StringTemplate};

/// Stands for a piece of a value this program cannot know.
pub const SYMBOL: char = '\u{1}';

/// A value as text, with [`SYMBOL`] for every symbolic piece; `None` when nothing of it is
/// known or it holds a dynamic reference.
pub fn spelled(value: &StringTemplate<'_>) -> Option<String> {
    let mut text = String::new();
    for part in &value.parts {
        match part {
            // `${…}` in a literal is a preprocessor's variable (`${self:custom.account}`) or a
            // policy variable: text this program cannot know either way.
            StringPart::Literal { text: t, .. } => push_masking_variables(&mut text, t),
            _ => text.push(SYMBOL),
        }
    }
    let known = text.chars().any(|c| c != SYMBOL);
    (known && !text.contains("{{resolve:")).then_some(text)
}

fn push_masking_variables(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(close) => {
                out.push(SYMBOL);
                rest = &rest[start + close + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                return;
            }
        }
    }
    out.push_str(rest);
}

/// Why IAM rejects a principal value, and what to write instead when that is clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalProblem {
    pub message: String,
    pub help: String,
}

fn problem(message: impl Into<String>, help: impl Into<String>) -> Option<PrincipalProblem> {
    Some(PrincipalProblem {
        message: message.into(),
        help: help.into(),
    })
}

fn has_symbol(s: &str) -> bool {
    s.contains(SYMBOL)
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// IAM's unique IDs (`AIDA…` users, `AROA…` roles), which stored policies show for principals
/// that were deleted: accepted as written.
fn is_unique_id(s: &str) -> bool {
    s.len() >= 16
        && s.starts_with('A')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// An `AWS` principal: `*`, an account ID, or the ARN of an account root, user, role, assumed
/// role session or federated user session (or CloudFront's legacy origin access identity).
pub fn check_aws(value: &str) -> Option<PrincipalProblem> {
    if value == "*" || has_symbol(value) && !value.starts_with("arn:") {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        if is_account(value) {
            return None;
        }
        return problem(
            format!(
                "`{value}` has {} digits; an AWS account ID has 12",
                value.len()
            ),
            "write the 12-digit account ID (or `arn:aws:iam::ACCOUNT:root`)",
        );
    }
    if is_unique_id(value) {
        return None;
    }
    if !value.starts_with("arn:") {
        return problem(
            format!("`{value}` is not an AWS account ID or principal ARN"),
            "write a 12-digit account ID or the ARN of an account root, user or role, e.g. \
             `arn:aws:iam::111122223333:role/Deployer`",
        );
    }
    let why = aws_arn_problem(value)?;
    let help = match one_colon_off(value) {
        Some(fixed) => format!("did you mean `{fixed}`?"),
        None => why.1,
    };
    problem(why.0, help)
}

/// The text with one colon removed or added that makes a valid principal ARN, if exactly one
/// such text exists (`arn:aws::iam::…` → `arn:aws:iam::…`).
fn one_colon_off(value: &str) -> Option<String> {
    let mut fixes: Vec<String> = Vec::new();
    for (i, c) in value.char_indices() {
        if c == ':' {
            let removed = format!("{}{}", &value[..i], &value[i + 1..]);
            if aws_arn_problem(&removed).is_none() && !fixes.contains(&removed) {
                fixes.push(removed);
            }
        }
    }
    match fixes.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// (message, help) for an `AWS` principal ARN IAM rejects.
fn aws_arn_problem(value: &str) -> Option<(String, String)> {
    let fields: Vec<&str> = value.splitn(6, ':').collect();
    let [_, partition, service, region, account, resource] = fields.as_slice() else {
        // A symbolic piece may hold the missing colons.
        if has_symbol(value) {
            return None;
        }
        return Some((
            format!("`{value}` is not a principal ARN: it has fewer than six `:`-separated fields"),
            "write `arn:PARTITION:iam::ACCOUNT:root`, `…:user/NAME` or `…:role/NAME`".into(),
        ));
    };
    if !has_symbol(partition) && !PARTITIONS.contains(partition) {
        return Some((
            format!("`{partition}` is not an AWS partition"),
            "write `aws` (or `${AWS::Partition}` in a `!Sub`)".into(),
        ));
    }
    if service.is_empty() {
        return Some((
            format!("`{value}` is not a principal ARN: its service field is empty"),
            "write `arn:aws:iam::ACCOUNT:…` (partition, `iam`, an empty region, the account)"
                .into(),
        ));
    }
    if !matches!(*service, "iam" | "sts") && !has_symbol(service) {
        return Some((
            format!("`{value}` is not a principal ARN: principals are `iam` or `sts` ARNs, not `{service}`"),
            "name the account, user or role (`arn:aws:iam::ACCOUNT:role/NAME`); to limit the \
             resource that may call, use a `aws:SourceArn` condition"
                .into(),
        ));
    }
    if !region.is_empty() && !has_symbol(region) {
        return Some((
            format!("`{value}` has a region; principal ARNs have none"),
            "leave the region field empty: `arn:aws:iam::ACCOUNT:…`".into(),
        ));
    }
    let account_ok = has_symbol(account)
        || is_account(account)
        || (*account == "cloudfront" && *service == "iam");
    if !account_ok {
        let what = if account.is_empty() {
            "no account".to_string()
        } else {
            format!("account `{account}`, which is not 12 digits")
        };
        return Some((
            format!("`{value}` has {what}; a principal ARN needs the 12-digit account ID"),
            "write the account ID, or `${AWS::AccountId}` in a `!Sub`".into(),
        ));
    }
    if resource.contains(['*', '?']) {
        return Some((
            format!("`{value}` has a wildcard; IAM accepts none in a principal ARN"),
            "name the principals, or use `\"*\"` with a condition on `aws:PrincipalArn` (which \
             takes wildcards)"
                .into(),
        ));
    }
    let kind = resource.split(['/', SYMBOL]).next().unwrap_or("");
    let known: &[&str] = if has_symbol(service) {
        return None;
    } else if *service == "iam" {
        &["root", "user", "role"]
    } else {
        &["assumed-role", "federated-user"]
    };
    if known.contains(&kind) || resource.starts_with(SYMBOL) {
        return None;
    }
    let help = match kind {
        "group" => "a group cannot be a principal: name its users, or grant the group with an \
                    identity policy"
            .to_string(),
        "saml-provider" | "oidc-provider" => {
            "an identity provider is a `Federated` principal, not an `AWS` one".to_string()
        }
        _ => format!(
            "an `{service}` principal is {}",
            known
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some((format!("`{value}` is not a principal IAM accepts"), help))
}

/// Endings of service principal names, by partition.
const SERVICE_SUFFIXES: &[&str] = &[
    ".amazonaws.com",
    ".amazonaws.com.cn",
    ".amazon.com",
    ".aws.internal",
    ".c2s.ic.gov",
    ".sc2s.sgov.gov",
    ".cloud.adc-e.uk",
    ".csp.hci.ic.gov",
];

/// A `Service` principal: `NAME.amazonaws.com` (`.amazonaws.com.cn` in China, and the other
/// partitions' forms), possibly with a region (`logs.us-east-1.amazonaws.com`).
pub fn check_service(value: &str) -> Option<PrincipalProblem> {
    if has_symbol(value) {
        // Only the spelled-out ending can be judged.
        let tail = value.rsplit(SYMBOL).next().unwrap_or("");
        if tail.is_empty()
            || SERVICE_SUFFIXES
                .iter()
                .any(|s| s.ends_with(tail) || tail.ends_with(s))
        {
            return None;
        }
        if !tail.contains(".amazonaws") {
            return None;
        }
    }
    if SERVICE_SUFFIXES.iter().any(|s| value.ends_with(s)) && !value.starts_with('.') {
        return None;
    }
    if value.starts_with("arn:") || value.bytes().all(|b| b.is_ascii_digit()) {
        return problem(
            format!("`{value}` is not a service principal: accounts and ARNs are `AWS` principals"),
            format!("write `AWS: {value}`"),
        );
    }
    let name = value.split('.').next().unwrap_or(value);
    let help = if value.ends_with(".amazonaws.cn") && !name.contains(SYMBOL) {
        format!("did you mean `{name}.amazonaws.com.cn`? (service principals in the China Regions)")
    } else if name.is_empty() || name.contains(SYMBOL) {
        "a service principal is the service's name followed by `.amazonaws.com`, as in \
         `lambda.amazonaws.com`"
            .to_string()
    } else {
        format!("did you mean `{name}.amazonaws.com`?")
    };
    problem(
        format!("`{value}` is not a service principal (`NAME.amazonaws.com`)"),
        help,
    )
}

/// Identity providers IAM knows without an ARN.
const BUILT_IN_PROVIDERS: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "www.amazon.com",
    "graph.facebook.com",
    "accounts.google.com",
];

/// A `Federated` principal: a built-in identity provider, or the ARN of a SAML or OIDC
/// provider of an account.
pub fn check_federated(value: &str) -> Option<PrincipalProblem> {
    if has_symbol(value) && !value.starts_with("arn:") {
        return None;
    }
    if BUILT_IN_PROVIDERS.contains(&value) || value.starts_with("cognito-identity.") {
        return None;
    }
    let help = "write the ARN of the account's identity provider \
                (`arn:aws:iam::ACCOUNT:saml-provider/NAME` or `…:oidc-provider/HOST`), or one of \
                `cognito-identity.amazonaws.com`, `www.amazon.com`, `graph.facebook.com`, \
                `accounts.google.com`";
    if !value.starts_with("arn:") {
        return problem(
            format!("`{value}` is not an identity provider IAM knows"),
            if value.contains('.') && !value.contains([' ', '/']) {
                format!(
                    "an OIDC provider is named by the ARN of its IAM identity provider: \
                     `arn:aws:iam::ACCOUNT:oidc-provider/{value}`"
                )
            } else {
                help.to_string()
            },
        );
    }
    let fields: Vec<&str> = value.splitn(6, ':').collect();
    if fields.len() < 6 && has_symbol(value) {
        return None;
    }
    let ok = match fields.as_slice() {
        [_, partition, service, region, account, resource] => {
            (has_symbol(partition) || PARTITIONS.contains(partition))
                && (has_symbol(service) || *service == "iam")
                && (region.is_empty() || has_symbol(region))
                && (has_symbol(account) || is_account(account))
                && (resource.starts_with("saml-provider/")
                    || resource.starts_with("oidc-provider/")
                    || resource.starts_with(SYMBOL))
        }
        _ => false,
    };
    if ok {
        return None;
    }
    problem(
        format!("`{value}` is not the ARN of a SAML or OIDC identity provider"),
        help,
    )
}

/// A `CanonicalUser` principal: the 64-hex-digit canonical ID of an account or of a CloudFront
/// origin access identity.
pub fn check_canonical_user(value: &str) -> Option<PrincipalProblem> {
    if has_symbol(value) {
        return None;
    }
    if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    problem(
        format!("`{value}` is not a canonical user ID (64 hexadecimal digits)"),
        "write the canonical ID, or `!GetAtt OriginAccessIdentity.S3CanonicalUserId` for a \
         CloudFront origin access identity",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws(v: &str) -> Option<String> {
        check_aws(v).map(|p| format!("{} | {}", p.message, p.help))
    }

    #[test]
    fn aws_principals() {
        for ok in [
            "*",
            "111122223333",
            "arn:aws:iam::111122223333:root",
            "arn:aws-cn:iam::111122223333:role/path/Deployer",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:sts::111122223333:assumed-role/Admin/session",
            "arn:aws:sts::111122223333:federated-user/bob",
            "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1ABCDEF",
            "AROAEXAMPLEID1234567",
            "arn:\u{1}:iam::\u{1}:root",
            "arn:aws:iam::\u{1}:role/\u{1}",
            "\u{1}",
        ] {
            assert_eq!(aws(ok), None, "{ok}");
        }
        let typo = aws("arn:aws::iam::111122223333:root").unwrap();
        assert!(
            typo.ends_with("did you mean `arn:aws:iam::111122223333:root`?"),
            "{typo}"
        );
        assert!(aws("12345678901")
            .unwrap()
            .starts_with("`12345678901` has 11 digits"));
        assert!(aws("arn:aws:iam::111122223333:group/ops")
            .unwrap()
            .contains("a group cannot"));
        assert!(aws("arn:aws:iam::111122223333:role/*")
            .unwrap()
            .contains("wildcard"));
        assert!(aws("arn:aws:iam:::role/x").unwrap().contains("no account"));
        assert!(aws("arn:aws:s3:::bucket").unwrap().contains("not `s3`"));
        assert!(aws("alice").is_some());
    }

    #[test]
    fn variables_in_literals_are_unknown() {
        use crate::source::Span;
        let value = StringTemplate {
            parts: vec![StringPart::Literal {
                text: "arn:aws:iam::${self:custom.account}:user/${self:custom.user}".to_string(),
                span: Span::default(),
            }],
        };
        let text = spelled(&value).unwrap();
        assert_eq!(text, "arn:aws:iam::\u{1}:user/\u{1}");
        assert_eq!(check_aws(&text), None);
    }

    #[test]
    fn service_principals() {
        for ok in [
            "lambda.amazonaws.com",
            "logs.us-east-1.amazonaws.com",
            "ec2.amazonaws.com.cn",
            "alexa-appkit.amazon.com",
            "states.\u{1}.amazonaws.com",
            "ec2.\u{1}",
            "\u{1}",
        ] {
            assert_eq!(check_service(ok), None, "{ok}");
        }
        let p = check_service("cloudfront.amazonaws").unwrap();
        assert_eq!(p.help, "did you mean `cloudfront.amazonaws.com`?");
        assert!(check_service("lambda").is_some());
        assert!(check_service("111122223333")
            .unwrap()
            .help
            .starts_with("write `AWS:"));
    }

    #[test]
    fn federated_and_canonical() {
        assert_eq!(check_federated("cognito-identity.amazonaws.com"), None);
        assert_eq!(
            check_federated(
                "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
            ),
            None
        );
        assert_eq!(
            check_federated("arn:aws:iam::\u{1}:saml-provider/\u{1}"),
            None
        );
        assert!(check_federated("token.actions.githubusercontent.com")
            .unwrap()
            .help
            .contains("oidc-provider/token.actions.githubusercontent.com"));
        assert!(check_federated("arn:aws:iam::111122223333:role/x").is_some());
        assert_eq!(check_canonical_user(&"a".repeat(64)), None);
        assert!(check_canonical_user("79a59df900b949e55d96a1e698fbaced").is_some());
    }
}
