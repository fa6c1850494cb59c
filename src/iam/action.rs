//! Action patterns as written in a policy's `Action`/`NotAction` (`s3:Get*`, `ec2:Describe?pc*`,
//! `*`): parsing, matching, expansion against the catalogue, and "did you mean" suggestions.
//!
//! IAM compares action names case-insensitively, so every comparison here ignores ASCII case.

use std::fmt;

use nom::bytes::complete::take_while1;
use nom::character::complete::char;
use nom::combinator::all_consuming;
use nom::sequence::separated_pair;
use nom::{IResult, Parser};

use super::catalog::{ActionRef, Catalog, Service};
use crate::suggest::{distance_ignore_case, distance_ignore_case_within};

/// A parsed action pattern. Borrows the policy text it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionPattern<'a> {
    text: &'a str,
    service: &'a str,
    name: &'a str,
}

/// Why an action string is malformed. Offsets are byte offsets into the parsed string, so a rule
/// can point at the exact offending bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    Empty,
    /// No `:` between service prefix and action name.
    MissingColon,
    EmptyService,
    EmptyName,
    /// A character that cannot appear in that part (e.g. a space, `/`, a second `:`).
    BadChar {
        offset: usize,
        ch: char,
    },
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty action"),
            Self::MissingColon => {
                f.write_str("action lacks a `:` between service prefix and action name")
            }
            Self::EmptyService => f.write_str("action has an empty service prefix"),
            Self::EmptyName => f.write_str("action has an empty action name"),
            Self::BadChar { ch, .. } => write!(
                f,
                "character `{}` is not allowed in an action",
                ch.escape_debug()
            ),
        }
    }
}

impl std::error::Error for PatternError {}

fn is_service_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '*' || c == '?'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '*' || c == '?'
}

fn service_and_name(input: &str) -> IResult<&str, (&str, &str)> {
    all_consuming(separated_pair(
        take_while1(is_service_char),
        char(':'),
        take_while1(is_name_char),
    ))
    .parse(input)
}

impl<'a> ActionPattern<'a> {
    /// Parse `service:Name` with `*`/`?` wildcards, or a lone `*` (every action).
    pub fn parse(text: &'a str) -> Result<Self, PatternError> {
        if text == "*" {
            return Ok(Self {
                text,
                service: "*",
                name: "*",
            });
        }
        match service_and_name(text) {
            Ok((_, (service, name))) => Ok(Self {
                text,
                service,
                name,
            }),
            Err(_) => Err(diagnose(text)),
        }
    }

    /// The text as written.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Service part as written (`*` for a lone `*`).
    pub fn service(&self) -> &'a str {
        self.service
    }

    /// Name part as written.
    pub fn name(&self) -> &'a str {
        self.name
    }

    pub fn has_wildcard(&self) -> bool {
        self.text.contains(['*', '?'])
    }

    pub fn service_has_wildcard(&self) -> bool {
        self.service.contains(['*', '?'])
    }

    /// Whether this pattern covers `service:name` (case-insensitive).
    pub fn matches(&self, service: &str, name: &str) -> bool {
        glob_matches(self.service, service) && glob_matches(self.name, name)
    }

    /// Whether this pattern covers a catalogue action.
    pub fn matches_action(&self, action: &ActionRef<'_>) -> bool {
        self.matches(action.service().prefix, action.name())
    }

    /// Every catalogue action the pattern covers. A literal service is found by binary search
    /// and the literal head of the name (before the first wildcard) narrows the actions scanned.
    /// The actions borrow only the catalogue, so they may outlive the pattern once collected.
    pub fn expand<'c>(
        &self,
        catalog: &'c Catalog,
    ) -> impl Iterator<Item = ActionRef<'c>> + use<'a, 'c> {
        let (service_glob, name_glob) = (self.service, self.name);
        let services: Vec<&'c Service> = if self.service_has_wildcard() {
            catalog
                .services()
                .iter()
                .filter(|s| glob_matches(service_glob, s.prefix))
                .collect()
        } else {
            catalog.service(service_glob).into_iter().collect()
        };
        let literal_head = &name_glob[..name_glob.find(['*', '?']).unwrap_or(name_glob.len())];
        services.into_iter().flat_map(move |service| {
            service
                .actions_with_prefix(literal_head)
                .filter(move |a| glob_matches(name_glob, a.name()))
        })
    }

    /// Resolve a wildcard-free pattern to its catalogue action.
    pub fn resolve<'c>(&self, catalog: &'c Catalog) -> Option<ActionRef<'c>> {
        if self.has_wildcard() {
            return None;
        }
        catalog.action(self.service, self.name)
    }
}

impl fmt::Display for ActionPattern<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

/// Free-function form of [`ActionPattern::matches_action`].
pub fn matches(pattern: &ActionPattern<'_>, action: &ActionRef<'_>) -> bool {
    pattern.matches_action(action)
}

/// Free-function form of [`ActionPattern::expand`].
pub fn expand<'c, 'a: 'c>(
    pattern: &ActionPattern<'a>,
    catalog: &'c Catalog,
) -> impl Iterator<Item = ActionRef<'c>> + 'c {
    pattern.expand(catalog)
}

/// Find the first offending spot of a string nom rejected.
fn diagnose(text: &str) -> PatternError {
    if text.is_empty() {
        return PatternError::Empty;
    }
    let Some(colon) = text.find(':') else {
        if let Some((offset, ch)) = text.char_indices().find(|&(_, c)| !is_service_char(c)) {
            return PatternError::BadChar { offset, ch };
        }
        return PatternError::MissingColon;
    };
    let (service, name) = (&text[..colon], &text[colon + 1..]);
    if let Some((offset, ch)) = service.char_indices().find(|&(_, c)| !is_service_char(c)) {
        return PatternError::BadChar { offset, ch };
    }
    if service.is_empty() {
        return PatternError::EmptyService;
    }
    if let Some((offset, ch)) = name.char_indices().find(|&(_, c)| !is_name_char(c)) {
        return PatternError::BadChar {
            offset: colon + 1 + offset,
            ch,
        };
    }
    PatternError::EmptyName
}

/// Case-insensitive glob match with `*` (any run, also empty) and `?` (one character).
///
/// Linear backtracking on the last `*` only, so no pattern can make it exponential.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut resume: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                resume = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match resume {
                Some((star, from)) => {
                    pi = star + 1;
                    ti = from + 1;
                    resume = Some((star, from + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// How far a misspelling of a word of this length may be from the intended word.
fn tolerance(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=4 => 1,
        5..=8 => 2,
        _ => 3,
    }
}

/// "Did you mean": the catalogue action closest to an unknown `service:name` (wildcards are not
/// considered). Prefers a known service whose prefix is a near miss when it has exactly that
/// action (`sms:GetParameter` → `ssm:GetParameter`) over a near-miss name within the given
/// service, when that is no worse. Returns `None` when nothing is close or the action exists.
pub fn suggest_action<'c>(
    catalog: &'c Catalog,
    service: &str,
    name: &str,
) -> Option<ActionRef<'c>> {
    if catalog.action(service, name).is_some() {
        return None;
    }
    let name_tolerance = tolerance(name.len());
    let prefix_tolerance = tolerance(service.len()).max(1);
    let mut best: Option<(usize, ActionRef<'c>)> = None;
    let mut consider = |cost: usize, action: ActionRef<'c>| {
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, action));
        }
    };
    if let Some(known) = catalog.service(service) {
        if let Some((distance, action)) = closest_action(known, name, name_tolerance) {
            consider(distance, action);
        }
    }
    for other in catalog.services() {
        if other.prefix.eq_ignore_ascii_case(service)
            || other.prefix.len().abs_diff(service.len()) > prefix_tolerance
        {
            continue;
        }
        let prefix_distance = distance_ignore_case(other.prefix, service);
        if prefix_distance > prefix_tolerance {
            continue;
        }
        if let Some(action) = other.action(name) {
            consider(prefix_distance, action);
        } else if catalog.service(service).is_none() {
            if let Some((distance, action)) = closest_action(other, name, name_tolerance) {
                // Two typos at once are less likely than one: count both.
                consider(prefix_distance + distance, action);
            }
        }
    }
    best.map(|(_, action)| action)
}

/// The service whose prefix is closest to an unknown one.
pub fn suggest_service<'c>(catalog: &'c Catalog, prefix: &str) -> Option<&'c Service> {
    if catalog.service(prefix).is_some() {
        return None;
    }
    let tolerance = tolerance(prefix.len()).max(1);
    catalog
        .services()
        .iter()
        .filter(|s| s.prefix.len().abs_diff(prefix.len()) <= tolerance)
        .map(|s| (distance_ignore_case(s.prefix, prefix), s))
        .filter(|&(d, _)| d <= tolerance)
        .min_by_key(|&(d, _)| d)
        .map(|(_, s)| s)
}

fn closest_action<'c>(
    service: &'c Service,
    name: &str,
    tolerance: usize,
) -> Option<(usize, ActionRef<'c>)> {
    // The first closest action wins; once one is found, only closer ones are worth finishing.
    let mut best: Option<(usize, ActionRef<'c>)> = None;
    for action in service.actions() {
        let bound = best
            .as_ref()
            .map_or(tolerance, |(d, _)| d.saturating_sub(1));
        if best.as_ref().is_some_and(|(d, _)| *d == 0) {
            break;
        }
        if let Some(d) = distance_ignore_case_within(action.name(), name, bound) {
            best = Some((d, action));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_handles_stars_questions_and_case() {
        assert!(glob_matches("Get*", "getobject"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("*Object*", "PutObjectAcl"));
        assert!(glob_matches("Get?bject", "GetObject"));
        assert!(!glob_matches("Get?bject", "GetObbject"));
        assert!(!glob_matches("Get*", "PutObject"));
        assert!(glob_matches("a*b*c", "aXXbYYbZc"));
        assert!(!glob_matches("a*b*c", "aXXbYYbZ"));
        assert!(!glob_matches("abc", "abcd"));
        assert!(glob_matches("**a", "ba"));
    }

    #[test]
    fn parse_reports_the_offending_byte() {
        let p = ActionPattern::parse("s3:Get*").unwrap();
        assert_eq!((p.service(), p.name()), ("s3", "Get*"));
        assert_eq!(ActionPattern::parse("").unwrap_err(), PatternError::Empty);
        assert_eq!(
            ActionPattern::parse("s3GetObject").unwrap_err(),
            PatternError::MissingColon
        );
        assert_eq!(
            ActionPattern::parse(":GetObject").unwrap_err(),
            PatternError::EmptyService
        );
        assert_eq!(
            ActionPattern::parse("s3:").unwrap_err(),
            PatternError::EmptyName
        );
        assert_eq!(
            ActionPattern::parse("s3:Get Object").unwrap_err(),
            PatternError::BadChar { offset: 6, ch: ' ' }
        );
        assert_eq!(
            ActionPattern::parse("s3:Get:Object").unwrap_err(),
            PatternError::BadChar { offset: 6, ch: ':' }
        );
        assert_eq!(
            ActionPattern::parse("s 3:GetObject").unwrap_err(),
            PatternError::BadChar { offset: 1, ch: ' ' }
        );
        assert_eq!(
            ActionPattern::parse("arn:aws:s3:::bucket").unwrap_err(),
            PatternError::BadChar { offset: 7, ch: ':' }
        );
    }
}
