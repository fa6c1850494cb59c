//! What a principal is granted, asked one required action at a time: allowed on the resource it
//! needs, missing, or named only where `resource-scope-mismatch` already reports the statement.
//! Apart from recognising purposes and checking packs because it is the part that reads the
//! principal's statements and must judge resources exactly as that rule does.

use crate::iam::arn::{intersects, ResourceArn, Tok};
use crate::iam::scope::{Gap, Scope, ScopedResource};
use crate::iam::{ActionPattern, ActionRef, Catalog, Effect, Statement};
use crate::purpose::principal::Principal;
use crate::template::Template;

pub(super) enum State {
    Granted,
    /// A statement names the action but none of its resources can hold it:
    /// `resource-scope-mismatch` reports that, at the statement.
    ScopeGap,
    Missing,
}

/// Everything a principal is allowed, for lookups.
pub(super) struct Grants<'p, 'a> {
    statements: Vec<(&'p Statement<'a>, Vec<&'p ResourceArn>)>,
    managed: Vec<&'static str>,
}

impl<'p, 'a> Grants<'p, 'a> {
    pub(super) fn of(principal: &Principal<'p, 'a>, template: Option<&Template<'a>>) -> Self {
        let statements = principal
            .policies
            .iter()
            .flat_map(|p| p.statements.iter())
            .filter(|s| s.effect() == Some(Effect::Allow))
            .map(|s| {
                let resources = s
                    .resources()
                    .iter()
                    .map(|item| &item.resource(template).arn)
                    .collect();
                (s, resources)
            })
            .collect();
        Grants {
            statements,
            managed: principal
                .managed
                .iter()
                .flat_map(|(m, _)| m.actions())
                .collect(),
        }
    }

    /// Whether an action is granted by something that shows intent: the action named, or a
    /// wildcard most of whose actions are characteristic (`ssmmessages:*`, not `ssm:*`).
    pub(super) fn evidence_for(&self, action: &str, catalog: &'static Catalog) -> bool {
        self.evidence_from(action, catalog, true)
    }

    pub(super) fn evidence_in_statements(&self, action: &str, catalog: &'static Catalog) -> bool {
        self.evidence_from(action, catalog, false)
    }

    fn evidence_from(&self, action: &str, catalog: &'static Catalog, managed: bool) -> bool {
        // Statement items come parsed (and are many); only managed-policy actions are parsed here.
        let named = |p: &ActionPattern<'_>| -> bool {
            let Some((service, name)) = action.split_once(':') else {
                return false;
            };
            if !p.matches(service, name) {
                return false;
            }
            if !p.has_wildcard() {
                return true;
            }
            // A wildcard counts when its service has few actions, all of one kind.
            !p.service_has_wildcard() && p.expand(catalog).take(9).count() <= 8
        };
        (managed
            && self
                .managed
                .iter()
                .any(|a| ActionPattern::parse(a).is_ok_and(|p| named(&p))))
            || self
                .statements
                .iter()
                .any(|(s, _)| s.actions().iter().filter_map(|i| i.valid()).any(&named))
    }

    pub(super) fn state(&self, action: &str, required: &[Tok], catalog: &'static Catalog) -> State {
        let Some((service, name)) = action.split_once(':') else {
            return State::Granted;
        };
        if self
            .managed
            .iter()
            .any(|a| ActionPattern::parse(a).is_ok_and(|p| p.matches(service, name)))
        {
            return State::Granted;
        }
        let mut gap = false;
        for (statement, resources) in &self.statements {
            let Some(how) = statement_matches(statement, service, name) else {
                continue;
            };
            if statement.resource.is_none() || resources_cover(resources, required) {
                return State::Granted;
            }
            if let Some(action_ref) = catalog.lookup(action) {
                if scope_gap_reported(statement, resources, &action_ref, how) {
                    gap = true;
                }
            }
        }
        if gap {
            State::ScopeGap
        } else {
            State::Missing
        }
    }
}

/// How a statement's `Action`/`NotAction` covers an action: `Some(true)` through a wildcard,
/// `Some(false)` by name, `None` not at all. Computed items (`!Ref`) cover everything.
fn statement_matches(statement: &Statement<'_>, service: &str, name: &str) -> Option<bool> {
    if let Some(not) = &statement.not_action {
        let excluded = not
            .items
            .iter()
            .any(|i| i.valid().is_some_and(|p| p.matches(service, name)));
        return (!excluded).then_some(true);
    }
    let mut best = None;
    for item in statement.actions() {
        match &item.pattern {
            Some(Ok(p)) if p.matches(service, name) => {
                if !p.has_wildcard() {
                    return Some(false);
                }
                best = Some(true);
            }
            Some(Ok(_)) | Some(Err(_)) => {}
            None => best = Some(true),
        }
    }
    best
}

pub(super) fn statement_grants_action(statement: &Statement<'_>, action: &str) -> bool {
    statement.effect() == Some(Effect::Allow)
        && action
            .split_once(':')
            .is_some_and(|(s, n)| statement_matches(statement, s, n).is_some())
}

/// Whether one of the resources can be the required one. Resources this program cannot read
/// count as covering it.
fn resources_cover(resources: &[&ResourceArn], required: &[Tok]) -> bool {
    resources.iter().any(|r| match r {
        ResourceArn::Arn(arn) if arn.from_reference => {
            intersects(&the_resource_itself(&arn.toks), required)
        }
        ResourceArn::Arn(arn) => intersects(&arn.toks, required),
        _ => true,
    })
}

/// The ARN of a referenced resource (`!GetAtt Worker.Arn`) names that resource, not what is
/// under it: the catalogue format's last variable, which may hold colons so that a format
/// covers qualified ARNs, must not here (`function:name` is not `function:name:alias`).
fn the_resource_itself(toks: &[Tok]) -> Vec<Tok> {
    toks.iter()
        .map(|t| match *t {
            Tok::Any {
                many,
                colon: true,
                slash: false,
            } => Tok::Any {
                many,
                colon: false,
                slash: false,
            },
            other => other,
        })
        .collect()
}

/// The condition under which `resource-scope-mismatch` reports an action of this statement
/// (kept equal to that rule's own): no resource can hold the action, and the action is named
/// or the gap is a bucket/object-level one.
fn scope_gap_reported(
    statement: &Statement<'_>,
    resources: &[&ResourceArn],
    action: &ActionRef<'static>,
    wildcard: bool,
) -> bool {
    if statement.not_action.is_some() {
        return false;
    }
    let scoped = statement
        .resources()
        .iter()
        .zip(resources)
        .map(|(item, arn)| ScopedResource {
            arn: (*arn).clone(),
            text: item.value.to_string(),
            symbolic: !item.value.is_literal(),
        })
        .collect();
    let mut scope = Scope::new(scoped);
    if scope.fits(action) {
        return false;
    }
    !wildcard || matches!(scope.gap(action), Gap::Parent { .. } | Gap::Child { .. })
}
