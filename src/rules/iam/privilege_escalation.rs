use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::arn::{ResourceArn, Tok};
use crate::iam::escalation::{escalation_paths, EscalationPath};
use crate::iam::{Effect, Item, Policy, PolicyKind, Statement};
use crate::purpose::{principals, Principal, PrincipalKind};
use crate::rules::{FileContext, Rule};
use crate::source::Span;
use crate::template::Template;

declare_rule! {
    /// ## What it does
    /// Reports a role, user, group or stand-alone policy whose identity policies grant a known
    /// privilege-escalation path without resource or condition limits: `iam:CreatePolicyVersion`,
    /// `iam:SetDefaultPolicyVersion`, `iam:Attach{User,Group,Role}Policy`,
    /// `iam:Put{User,Group,Role}Policy`, `iam:AddUserToGroup`, `iam:UpdateAssumeRolePolicy`,
    /// `iam:CreateAccessKey`/`CreateLoginProfile`/`UpdateLoginProfile` on any user,
    /// `lambda:UpdateFunctionCode` on any function, or `iam:PassRole` on any role together with
    /// what starts a service with the passed role (`ec2:RunInstances`, `lambda:CreateFunction` +
    /// `lambda:InvokeFunction`, `cloudformation:CreateStack`, `glue:CreateDevEndpoint`, Data
    /// Pipeline, CodeBuild, SageMaker, Auto Scaling), and a few more. The paths are data,
    /// `rules/iam/escalation-paths.yaml`, each with the public research documenting it.
    ///
    /// A role's inline policies and the template's `AWS::IAM::Policy`/`ManagedPolicy` resources
    /// attached to it count together. A grant is limited when its statement has a `Condition`
    /// or names resources narrower than every resource of the type (`role/deploy-*`,
    /// `user/${aws:username}`). Statements allowing everything are `full-admin`'s finding, AWS
    /// managed policies `admin-policy-attached`'s.
    ///
    /// ## Why it matters
    /// Whoever holds these permissions can give themselves any other permission: the policy
    /// is, in effect, administrator access, whatever its other statements say.
    ///
    /// ## Example
    /// ```yaml
    /// DeployRole:
    ///   Type: AWS::IAM::Role
    ///   Properties:
    ///     Policies:
    ///       - PolicyName: deploy
    ///         PolicyDocument:
    ///           Statement:
    ///             - Effect: Allow
    ///               Action: [iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction]
    ///               Resource: "*"
    /// ```
    ///
    /// ## Fix
    /// Name the role that may be passed, and to which service:
    /// ```yaml
    ///             - Effect: Allow
    ///               Action: iam:PassRole
    ///               Resource: !GetAtt FunctionRole.Arn
    ///               Condition:
    ///                 StringEquals: {iam:PassedToService: lambda.amazonaws.com}
    ///             - Effect: Allow
    ///               Action: [lambda:CreateFunction, lambda:InvokeFunction]
    ///               Resource: !Sub "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:app-*"
    /// ```
    pub struct PrivilegeEscalation {
        name: "privilege-escalation",
        code: "I038",
        severity: Error,
        family: Iam,
        summary: "An identity granted a known privilege-escalation path without limits",
    }
}

/// Whether a `Resource` item covers every resource of the action's service: `*`, or an ARN of
/// that service whose resource part is a whole type (`role/*`, `function:*`, `*`).
fn unlimited_resource(item: &Item<'_>, template: Option<&Template<'_>>, service: &str) -> bool {
    match &item.resource(template).arn {
        ResourceArn::Star => true,
        ResourceArn::Arn(arn) => {
            let service_ok = arn
                .service
                .literal()
                .is_none_or(|s| s.eq_ignore_ascii_case(service) || s == "*");
            let toks = &arn.resource.toks;
            let type_prefix = toks
                .iter()
                .position(|t| !matches!(t, Tok::Char(c) if c.is_ascii_alphanumeric() || *c == '-'))
                .unwrap_or(toks.len());
            let rest = &toks[type_prefix..];
            let whole_type = match rest {
                [Tok::Char('/' | ':'), star] => *star == Tok::STAR,
                [star] => type_prefix == 0 && *star == Tok::STAR,
                _ => false,
            };
            service_ok && whole_type && !arn.from_reference
        }
        _ => false,
    }
}

/// Where `statement` grants `service:name` with neither a condition nor a resource limit: the
/// span of the item (or `NotAction` key) that grants it. This is the local, simple answer to
/// "may this identity do X on anything?"; the permission evaluator can replace it.
fn unlimited_grant(
    st: &Statement<'_>,
    template: Option<&Template<'_>>,
    service: &str,
    name: &str,
) -> Option<Span> {
    if st.effect() != Some(Effect::Allow) || st.condition.is_some() {
        return None;
    }
    if !st
        .resources()
        .iter()
        .any(|r| unlimited_resource(r, template, service))
    {
        return None;
    }
    if let Some(list) = &st.action {
        return list
            .items
            .iter()
            .find(|i| i.valid().is_some_and(|p| p.matches(service, name)))
            .map(|i| i.span);
    }
    let not_action = st.not_action.as_ref()?;
    let excluded = not_action
        .items
        .iter()
        .any(|i| i.pattern.is_none() || i.valid().is_some_and(|p| p.matches(service, name)));
    (!excluded).then_some(not_action.element.key.span)
}

/// `*` (or `*:*`) on `*`: `full-admin` reports it, and every path follows from it.
fn allows_everything(st: &Statement<'_>) -> bool {
    st.effect() == Some(Effect::Allow)
        && st
            .actions()
            .iter()
            .any(|a| matches!(a.text, Some("*" | "*:*")))
        && st
            .resources()
            .iter()
            .any(|r| r.literal().as_deref() == Some("*"))
}

/// A path the principal holds, with the item granting each of its actions.
struct Held<'p> {
    path: &'p EscalationPath,
    grants: Vec<(String, Span)>,
}

fn held_paths(
    principal: &Principal<'_, '_>,
    template: Option<&Template<'_>>,
) -> Vec<Held<'static>> {
    let statements: Vec<&Statement<'_>> = principal
        .policies
        .iter()
        .filter(|p: &&&Policy<'_>| p.kind == PolicyKind::Identity)
        .flat_map(|p| &p.statements)
        .collect();
    if statements.iter().any(|s| allows_everything(s)) {
        return Vec::new();
    }
    let mut held = Vec::new();
    'paths: for path in &escalation_paths().paths {
        let mut grants = Vec::new();
        for action in &path.actions {
            let Some((service, name)) = action.split_once(':') else {
                continue 'paths;
            };
            let Some(span) = statements
                .iter()
                .find_map(|st| unlimited_grant(st, template, service, name))
            else {
                continue 'paths;
            };
            grants.push((action.clone(), span));
        }
        held.push(Held { path, grants });
    }
    held
}

fn who(principal: &Principal<'_, '_>) -> String {
    let id = principal.logical_id.unwrap_or("this policy");
    match principal.kind {
        PrincipalKind::Role => format!("role `{id}`"),
        PrincipalKind::User => format!("user `{id}`"),
        PrincipalKind::Group => format!("group `{id}`"),
        PrincipalKind::Policy if principal.logical_id.is_some() => {
            format!("whoever holds `{id}`")
        }
        PrincipalKind::Policy => "whoever holds this policy".to_string(),
    }
}

impl Rule for PrivilegeEscalation {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let policies = ctx.policies();
        if policies.is_empty() {
            return;
        }
        // Principals sharing the same grants (a policy attached to several roles) get one
        // finding naming them all.
        let mut found: Vec<(Vec<String>, Vec<Held<'static>>)> = Vec::new();
        for principal in principals(ctx.template, policies, &ctx.source.text) {
            let held = held_paths(&principal, ctx.template);
            if held.is_empty() {
                continue;
            }
            let same = |other: &Vec<Held<'_>>| {
                other.len() == held.len()
                    && other
                        .iter()
                        .zip(&held)
                        .all(|(a, b)| a.path.id == b.path.id && a.grants == b.grants)
            };
            match found.iter_mut().find(|(_, h)| same(h)) {
                Some((names, _)) => names.push(who(&principal)),
                None => found.push((vec![who(&principal)], held)),
            }
        }
        let sources = &escalation_paths().sources;
        for (names, held) in found {
            let first = &held[0];
            let holders = match names.as_slice() {
                [one] => one.clone(),
                many => format!(
                    "{} and {}",
                    many[..many.len() - 1].join(", "),
                    many[many.len() - 1]
                ),
            };
            let actions = first
                .grants
                .iter()
                .map(|(a, _)| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(" + ");
            let mut message = format!(
                "{holders} can escalate privileges: {actions} on any resource, without a \
                 condition, lets it {}",
                first.path.title
            );
            if held.len() > 1 {
                let others = held[1..]
                    .iter()
                    .take(4)
                    .map(|h| format!("`{}`", h.path.id))
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = if held.len() > 5 { ", …" } else { "" };
                message.push_str(&format!(
                    " (and {} more known path{}: {others}{more})",
                    held.len() - 1,
                    if held.len() == 2 { "" } else { "s" }
                ));
            }
            let cited = first
                .path
                .sources
                .iter()
                .filter_map(|s| sources.get(s).map(|t| t.name.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            let mut d =
                Diagnostic::new(&Self::META, first.grants[0].1, message).with_help(format!(
                    "{} Name the resources it needs instead of `*`, or add a condition (for \
                 `iam:PassRole`, `iam:PassedToService`). Path `{}` is documented by {cited}.",
                    first.path.how.trim(),
                    first.path.id
                ));
            let mut labelled = vec![first.grants[0].1];
            for (action, span) in &first.grants {
                if !labelled.contains(span) {
                    labelled.push(*span);
                    d = d.with_label(*span, format!("grants `{action}`"));
                }
            }
            out.push(d);
        }
    }
}
