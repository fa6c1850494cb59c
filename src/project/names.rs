//! Policy names as the cross-file pass sees them: ARNs found in free text (templates, cluster
//! configs, shell commands) and definition names that may be partly symbolic.

use regex::Regex;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

/// Whose account an ARN names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Account {
    /// `arn:…:iam::aws:policy/…`: an AWS managed policy.
    Aws,
    /// A twelve-digit account id.
    Id(String),
    /// A shell variable, Jinja or CloudFormation placeholder, `<your-account-id>`…
    Unknown,
}

/// One `arn:<partition>:iam::<account>:policy/[path/]NAME` in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnMatch {
    /// The whole ARN.
    pub range: Range<usize>,
    pub account: Account,
    /// `/` or `/service-role/`: the IAM path with both slashes.
    pub path: String,
    /// From the slash after `policy` to the end of the name.
    pub path_and_name: Range<usize>,
    pub name: String,
    pub name_range: Range<usize>,
    /// The name holds a placeholder (`${Name}`, `$NAME`, `{{ name }}`, `<name>`): it cannot be
    /// compared with anything.
    pub templated: bool,
}

/// A placeholder some tool substitutes before the text is used.
const PLACEHOLDER: &str =
    r"\$\{[^}\s]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{[^}]*\}\}|\{%[^%]*%\}|<[^<>\s]*>";

fn arn_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let pattern = format!(
            r"arn:(?:{PLACEHOLDER}|[A-Za-z0-9-]+):iam::(?P<account>{PLACEHOLDER}|[^:\s'`,]*):policy(?P<rest>(?:/(?:{PLACEHOLDER}|[A-Za-z0-9_+=.@-])*)+)"
        );
        // A fixed pattern: failing to compile is a programming error caught by every test.
        Regex::new(&pattern).expect("valid policy ARN pattern")
    })
}

fn placeholder_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(PLACEHOLDER).expect("valid placeholder pattern"))
}

/// Whether `text` holds a placeholder of a shell, Jinja or CloudFormation `Sub`.
pub fn has_placeholder(text: &str) -> bool {
    placeholder_regex().is_match(text)
}

/// Every policy ARN in `text`. ARNs ending in a wildcard (`policy/*`, `policy/team-*`) are
/// patterns in a policy statement, not references, and are left out.
pub fn find_policy_arns(text: &str) -> Vec<ArnMatch> {
    let mut out = Vec::new();
    for caps in arn_regex().captures_iter(text) {
        let (Some(whole), Some(account), Some(rest)) =
            (caps.get(0), caps.name("account"), caps.name("rest"))
        else {
            continue;
        };
        if matches!(text[whole.end()..].chars().next(), Some('*' | '?')) {
            continue;
        }
        let rest_text = rest.as_str();
        let Some(slash) = rest_text.rfind('/') else {
            continue;
        };
        let name = &rest_text[slash + 1..];
        if name.is_empty() {
            continue;
        }
        let account_text = account.as_str();
        let account = if account_text == "aws" {
            Account::Aws
        } else if account_text.len() == 12 && account_text.bytes().all(|b| b.is_ascii_digit()) {
            Account::Id(account_text.to_string())
        } else {
            Account::Unknown
        };
        let name_start = rest.start() + slash + 1;
        out.push(ArnMatch {
            range: whole.range(),
            account,
            path: rest_text[..=slash].to_string(),
            path_and_name: rest.range(),
            name: name.to_string(),
            name_range: name_start..rest.end(),
            templated: has_placeholder(name),
        });
    }
    out
}

/// Characters IAM allows in a policy name.
pub fn is_policy_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// A piece of a defined name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamePiece {
    Literal(String),
    /// A value only known at deployment (`${AWS::StackName}`, a generated suffix).
    Any(String),
}

/// A defined policy name, possibly with symbolic parts: `${AWS::StackName}-ssm` matches every
/// name ending in `-ssm`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamePattern {
    pub pieces: Vec<NamePiece>,
}

impl NamePattern {
    pub fn literal(name: impl Into<String>) -> Self {
        NamePattern {
            pieces: vec![NamePiece::Literal(name.into())],
        }
    }

    pub fn push_literal(&mut self, text: &str) {
        if let Some(NamePiece::Literal(last)) = self.pieces.last_mut() {
            last.push_str(text);
        } else if !text.is_empty() {
            self.pieces.push(NamePiece::Literal(text.to_string()));
        }
    }

    pub fn push_any(&mut self, what: impl Into<String>) {
        self.pieces.push(NamePiece::Any(what.into()));
    }

    /// The name, when no part of it is symbolic.
    pub fn as_literal(&self) -> Option<&str> {
        match self.pieces.as_slice() {
            [NamePiece::Literal(s)] => Some(s),
            _ => None,
        }
    }

    /// Nothing about the name is known: it can match anything, so it tells nothing.
    pub fn is_unknown(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, NamePiece::Any(_)))
    }

    /// Whether a concrete name can be an instance of this pattern.
    pub fn matches(&self, name: &str) -> bool {
        matches_from(&self.pieces, name)
    }
}

fn matches_from(pieces: &[NamePiece], name: &str) -> bool {
    match pieces.split_first() {
        None => name.is_empty(),
        Some((NamePiece::Literal(lit), rest)) => name
            .strip_prefix(lit.as_str())
            .is_some_and(|tail| matches_from(rest, tail)),
        Some((NamePiece::Any(_), rest)) => {
            // A symbolic part stands for at least one character.
            name.char_indices()
                .skip(1)
                .map(|(i, _)| i)
                .chain(std::iter::once(name.len()))
                .filter(|&i| i > 0)
                .any(|i| matches_from(rest, &name[i..]))
        }
    }
}

impl fmt::Display for NamePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                NamePiece::Literal(s) => f.write_str(s)?,
                NamePiece::Any(what) => write!(f, "${{{what}}}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_arns_with_placeholders_and_paths() {
        let text = "x arn:aws:iam::<your-account-id>:policy/pclusterSSM, \
                    arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/team/${Name} \
                    arn:aws:iam::aws:policy/service-role/AWSLambdaRole \
                    arn:aws:iam::123456789012:policy/a-*";
        let found = find_policy_arns(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!(found[0].name, "pclusterSSM");
        assert_eq!(&text[found[0].name_range.clone()], "pclusterSSM");
        assert_eq!(found[0].account, Account::Unknown);
        assert_eq!(found[0].path, "/");
        assert!(found[1].templated);
        assert_eq!(found[1].path, "/team/");
        assert_eq!(found[2].account, Account::Aws);
        assert_eq!(found[2].path, "/service-role/");
        assert_eq!(
            &text[found[2].path_and_name.clone()],
            "/service-role/AWSLambdaRole"
        );
    }

    #[test]
    fn patterns_match_symbolic_parts() {
        let mut p = NamePattern::default();
        p.push_any("AWS::StackName");
        p.push_literal("-ssm");
        assert!(p.matches("prod-ssm"));
        assert!(!p.matches("-ssm"));
        assert!(!p.matches("prod-ssm2"));
        assert_eq!(p.to_string(), "${AWS::StackName}-ssm");
        assert!(NamePattern::literal("a").matches("a"));
        assert!(!NamePattern::literal("a").matches("A"));
    }
}
